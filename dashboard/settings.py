"""Settings declared as data, read from the environment once.

Every setting has a name, a default and a help text; `README.md` documents each one (a test checks).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, TypeVar

from dashboard.territory import Territory, TerritoryError, parse_territory


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
    Setting("TISSU_WORKERS", "0", "Web server processes (`tissu serve`). 0: min(cores + 1, 4): pages are "
                                  "CPU-bound pandas under the GIL, so processes, not threads, serve in parallel."),
    Setting("TISSU_THREADS", "2", "Threads per web server process: they overlap slow clients and database waits."),
    Setting("TISSU_PROXY_HOPS", "0", "Reverse proxies in front of the app whose `X-Forwarded-*` headers are "
                                     "trusted (0: none), so links and QR codes carry the public address."),
    Setting("TISSU_VERSION_CHECK_SECONDS", "2", "How often (seconds) each server process checks whether the data "
                                                "changed: an import reaches every process within that delay."),
    Setting("TISSU_MAX_REQUEST_KB", "256", "Largest accepted request body in KB (a Dash callback is under 2 KB): "
                                         "larger ones get 413."),
    Setting("TISSU_SECRET_KEY", "", "Key that signs session cookies (keep it secret, the same on every app server). "
                                    "Empty: a random key generated once into `<instance>/secret_key`."),
    Setting("TISSU_PUBLIC_URL", "", "Public address of the site, e.g. `https://tissu.uimm-lorraine.fr`, used in "
                                    "links made outside a request (reset links from the CLI, e-mails). Empty: "
                                    "`http://<host>:<port>`."),
    Setting("TISSU_SESSION_HOURS", "12", "How long a sign-in lasts without activity (hours)."),
    Setting("TISSU_DEMO_ACCOUNTS", "1", "Create demo accounts (member, staff, admin) with the demo, their random "
                                        "passwords printed once (`0`: none, and existing ones cannot sign in)."),
    Setting("TISSU_SMTP_URL", "", "Optional mail server for one-time password links: `smtp://user:password@host:587` "
                                  "(STARTTLS) or `smtps://user:password@host:465`. Empty: the link is shown to the "
                                  "staff member who issued it, to pass on."),
    Setting("TISSU_MAIL_FROM", "tissu@localhost", "Sender address of those e-mails."),
    Setting("TISSU_TERRITORY", "54,55,57,88", "The territory covered: a region code (`44` Grand Est, `84` "
                                              "Auvergne-Rhône-Alpes…), departments (`67,68`; `44,` for the lone "
                                              "department 44), or `france` (metropolitan). Default: Lorraine. Its "
                                              "geography is loaded and every page, map, filter, importer and the "
                                              "demo follow it (docs/real-data.md#territory)."),
    Setting("TISSU_CLIENT_POINTS_MAX", "150000", "Above this many establishments the map asks the server for the "
                                                 "clusters of its view instead of receiving every point "
                                                 "(docs/performance.md, section 9)."),
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
    workers: int = 0
    threads: int = 2
    proxy_hops: int = 0
    version_check_seconds: float = 2.0
    max_request_kb: int = 256
    secret_key: str = ""
    public_url: str = ""
    session_hours: float = 12.0
    demo_accounts: bool = True
    smtp_url: str = ""
    mail_from: str = "tissu@localhost"
    territory: Territory = field(default_factory=lambda: parse_territory(""))
    client_points_max: int = 150_000

    @property
    def has_tiles(self) -> bool:
        return bool(self.tile_url)

    @property
    def base_url(self) -> str:
        """The site's public address for links made outside a request."""
        host = "localhost" if self.host in {"0.0.0.0", "::", ""} else self.host
        return self.public_url or f"http://{host}:{self.port}"


class SettingsError(ValueError):
    """A setting has a value that cannot be used."""


def _flag(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on", "oui"}:
        return True
    if value in {"0", "false", "no", "off", "non", ""}:
        return False
    raise SettingsError(f"{name}={raw!r}: expected 1/0, true/false, yes/no")


_Number = TypeVar("_Number", int, float)


def _number(name: str, raw: str, kind: type[_Number]) -> _Number:
    try:
        return kind(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: expected a {kind.__name__}") from None


def _bounded(name: str, raw: str, kind: type[_Number], low: float, high: float) -> _Number:
    value = _number(name, raw, kind)
    if not low <= value <= high:
        raise SettingsError(f"{name}={raw!r}: expected between {low:g} and {high:g}")
    return value


def _territory(raw: str) -> Territory:
    try:
        return parse_territory(raw)
    except TerritoryError as error:
        raise SettingsError(str(error)) from None


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read every setting from `environ` (default: the process environment); keyword overrides win."""
    env = os.environ if environ is None else environ
    raw = {s.env: env.get(s.env, s.default) for s in SETTINGS}
    instance_dir = Path(raw["TISSU_INSTANCE_DIR"]).expanduser()
    database_url = raw["TISSU_DATABASE_URL"].strip() or f"sqlite:///{(instance_dir / 'tissu.sqlite3').resolve()}"
    settings = Settings(
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
        workers=_bounded("TISSU_WORKERS", raw["TISSU_WORKERS"], int, 0, 64),
        threads=_bounded("TISSU_THREADS", raw["TISSU_THREADS"], int, 1, 64),
        proxy_hops=_bounded("TISSU_PROXY_HOPS", raw["TISSU_PROXY_HOPS"], int, 0, 10),
        version_check_seconds=_bounded("TISSU_VERSION_CHECK_SECONDS", raw["TISSU_VERSION_CHECK_SECONDS"], float,
                                       0, 3600),
        max_request_kb=_bounded("TISSU_MAX_REQUEST_KB", raw["TISSU_MAX_REQUEST_KB"], int, 1, 1_048_576),
        secret_key=raw["TISSU_SECRET_KEY"].strip(),
        public_url=raw["TISSU_PUBLIC_URL"].strip().rstrip("/"),
        session_hours=_bounded("TISSU_SESSION_HOURS", raw["TISSU_SESSION_HOURS"], float, 0.1, 24 * 90),
        demo_accounts=_flag("TISSU_DEMO_ACCOUNTS", raw["TISSU_DEMO_ACCOUNTS"]),
        smtp_url=raw["TISSU_SMTP_URL"].strip(),
        mail_from=raw["TISSU_MAIL_FROM"].strip(),
        territory=_territory(raw["TISSU_TERRITORY"]),
        client_points_max=_bounded("TISSU_CLIENT_POINTS_MAX", raw["TISSU_CLIENT_POINTS_MAX"], int, 0, 100_000_000),
    )
    unknown = set(overrides) - {f.name for f in fields(Settings)}
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    return replace(settings, **overrides)
