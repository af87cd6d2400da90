"""Settings declared as data, read from the environment once.

Every setting has a name, a default and a help text; `README.md` documents each one (a test checks).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Mapping


@dataclass(frozen=True)
class Setting:
    env: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("TISSU_DATABASE_URL", "", "SQLAlchemy database URL. Empty: a SQLite file `tissu.sqlite3` in the instance folder, created on first start. PostgreSQL: postgresql://user:password@host:5432/db (pip install tissu[postgresql])."),
    Setting("TISSU_INSTANCE_DIR", "instance", "Folder for the default SQLite file and import reports (relative to the working directory)."),
    Setting("TISSU_HOST", "127.0.0.1", "Address the web server listens on (`0.0.0.0` to reach it from other machines, e.g. phones at an event)."),
    Setting("TISSU_PORT", "8050", "Port of the web server."),
    Setting("TISSU_TILE_URL", "", "Optional online raster tiles, e.g. `https://tile.openstreetmap.org/{z}/{x}/{y}.png`. Empty: bundled vector basemap only (works offline)."),
    Setting("TISSU_TILE_ATTRIBUTION", "© OpenStreetMap contributors", "Attribution shown with the online tiles (only when `TISSU_TILE_URL` is set)."),
    Setting("TISSU_DEBUG", "0", "Dash debug mode (`1` to enable). Off by default; the version check that would call the internet stays disabled."),
    Setting("TISSU_AUTO_DEMO", "1", "Load the demo dataset on start when the database holds no establishments (`0` to start empty)."),
    Setting("TISSU_DEMO_SEED", "42", "Seed of the demo generator used on first start."),
    Setting("TISSU_DEMO_SCALE", "1", "Scale of the demo generated on first start (1 ≈ 9,000 establishments, 10 ≈ 90,000)."),
)


@dataclass(frozen=True)
class Settings:
    database_url: str
    instance_dir: Path
    host: str
    port: int
    tile_url: str
    tile_attribution: str
    debug: bool
    auto_demo: bool
    demo_seed: int
    demo_scale: float

    @property
    def has_tiles(self) -> bool:
        return bool(self.tile_url)


class SettingsError(ValueError):
    """A setting has a value that cannot be used."""


def _flag(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on", "oui"}:
        return True
    if value in {"0", "false", "no", "off", "non", ""}:
        return False
    raise SettingsError(f"{name}={raw!r}: expected 1/0, true/false, yes/no")


def _number(name: str, raw: str, kind: type) -> int | float:
    try:
        return kind(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: expected a {kind.__name__}") from None


def load_settings(environ: Mapping[str, str] | None = None, **overrides) -> Settings:
    """Read every setting from `environ` (default: the process environment); keyword overrides win."""
    env = os.environ if environ is None else environ
    raw = {s.env: env.get(s.env, s.default) for s in SETTINGS}
    instance_dir = Path(raw["TISSU_INSTANCE_DIR"]).expanduser()
    database_url = raw["TISSU_DATABASE_URL"].strip() or f"sqlite:///{(instance_dir / 'tissu.sqlite3').resolve()}"
    values = dict(
        database_url=database_url,
        instance_dir=instance_dir,
        host=raw["TISSU_HOST"],
        port=_number("TISSU_PORT", raw["TISSU_PORT"], int),
        tile_url=raw["TISSU_TILE_URL"].strip(),
        tile_attribution=raw["TISSU_TILE_ATTRIBUTION"],
        debug=_flag("TISSU_DEBUG", raw["TISSU_DEBUG"]),
        auto_demo=_flag("TISSU_AUTO_DEMO", raw["TISSU_AUTO_DEMO"]),
        demo_seed=_number("TISSU_DEMO_SEED", raw["TISSU_DEMO_SEED"], int),
        demo_scale=_number("TISSU_DEMO_SCALE", raw["TISSU_DEMO_SCALE"], float),
    )
    unknown = set(overrides) - {f.name for f in fields(Settings)}
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    values.update(overrides)
    return Settings(**values)
