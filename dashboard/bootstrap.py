"""Bring a database to a usable state: schema, bundled reference data, demo on first start."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Sequence
from types import ModuleType

from sqlalchemy import Engine

from dashboard import database, repository, territory
from dashboard.reference import load_polygons, load_reference
from dashboard.settings import Settings

log = logging.getLogger(__name__)

DEMO_DATASET = "demo"
# Reference date of the synthetic dataset, shown as its "source date".
DEMO_SOURCE_DATE = dt.date(2025, 12, 31)


def prepare_database(engine: Engine) -> None:
    """Migrate the schema and load the bundled geography and nomenclatures (idempotent)."""
    database.upgrade(engine)
    repository.sync_reference(engine, load_reference())


def demo_extras() -> list[ModuleType]:
    """Modules with synthetic data loaded alongside the demo establishments (skills, indicators, event…).

    Declared by the pages of the registry (`dashboard/pages.py`). Each exposes `load_demo(engine, *, seed)`
    (replace its demo rows, one transaction) and `ensure_demo(engine, *, seed)` (load them only when absent).
    """
    from dashboard import pages

    return pages.demo_modules()


def load_demo(engine: Engine, *, seed: int = 42, scale: float = 1.0) -> repository.DatasetInfo:
    """Generate the synthetic demo ecosystem and make it the active dataset; then the extras' demos."""
    info = _load_demo_establishments(engine, seed=seed, scale=scale)
    for extra in demo_extras():
        extra.load_demo(engine, seed=seed)
    return info


def demo_label(departments: tuple[str, ...]) -> str:
    """The demo dataset's label; it says when departments are calibrated on their population only."""
    from dashboard.demo.establishments import CALIBRATED_DEPARTMENTS

    scaled = [d for d in departments if d not in CALIBRATED_DEPARTMENTS]
    if not scaled:
        return "Données de démonstration (fictives)"
    return ("Données de démonstration (fictives ; hors Lorraine, volumes proportionnels à la population : "
            + ", ".join(scaled[:8]) + (" …" if len(scaled) > 8 else "") + ")")


def _load_demo_establishments(engine: Engine, *, seed: int, scale: float) -> repository.DatasetInfo:
    from dashboard.demo import DEMO_SOURCE_NAME, generate_demo
    from dashboard.demo.cross_border import with_cross_border

    ref = load_reference()
    demo = generate_demo(ref, load_polygons("communes"), seed=seed, scale=scale)
    if territory.active().is_default:  # fictitious suppliers abroad (issue 18), placed near Lorraine's border
        demo = with_cross_border(demo, seed=seed, ref=ref)
    return repository.replace_dataset(
        engine,
        name=DEMO_DATASET,
        label=demo_label(tuple(ref.departments["code"])),
        is_demo=True,
        source_name=DEMO_SOURCE_NAME,
        source_date=DEMO_SOURCE_DATE,
        establishments=demo.establishments,
        capabilities=demo.capabilities,
        certifications=demo.certifications,
        parameters=f"seed={seed} scale={scale:g}",
    )


def ensure_ready(engine: Engine, settings: Settings,
                 extras: Sequence[ModuleType] | None = None) -> repository.DatasetInfo | None:
    """Everything `tissu serve` needs before answering: schema, reference data, and a dataset.

    `extras`: the demo modules to keep loaded (default: those of the page registry).
    """
    prepare_database(engine)
    active = repository.active_dataset(engine)
    if active is None and settings.auto_demo:
        log.info("Empty database: generating the demo dataset (seed %s, scale %s)", settings.demo_seed,
                 settings.demo_scale)
        active = load_demo(engine, seed=settings.demo_seed, scale=settings.demo_scale)
        if settings.demo_accounts:
            _announce_demo_accounts(engine)
    elif settings.auto_demo:
        # A database created before an extra existed gets its demo now.
        for extra in (demo_extras() if extras is None else extras):
            extra.ensure_demo(engine, seed=settings.demo_seed)
    return active


def _announce_demo_accounts(engine: Engine) -> None:
    from dashboard.demo import accounts as demo_accounts

    text = demo_accounts.announce(demo_accounts.create_demo_accounts(engine))
    if text:
        print(text, file=sys.stderr, flush=True)
