"""Helpers of the importer tests: fixture paths, the fixture generator, a demo-like dataset, snapshots."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pandas as pd
from sqlalchemy import select

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SIRENE = FIXTURES / "sirene"
GEOLOC = SIRENE / "GeolocalisationEtablissement_Sirene_pour_etudes_statistiques_utf8.csv"
UNITS = SIRENE / "StockUniteLegale_utf8.csv"
MEMBERS = FIXTURES / "members"
IDCC = FIXTURES / "idcc" / "conventions_collectives.csv"


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fixtures_generator = _load_generator()
siret = fixtures_generator.siret
luhn_ok = fixtures_generator.luhn_ok


def add_demo_like(engine) -> None:
    """A tiny active 'demo' dataset, as `tissu demo` would leave it."""
    from dashboard import repository

    establishments = pd.DataFrame([
        {"public_id": "DEMO-000001", "siret": None, "name": "Démo Usinage", "naf_code": "25.62B",
         "size_band_code": "11", "headcount_estimate": 15, "commune_code": "54395", "address": None,
         "lat": 48.69, "lon": 6.175, "location_approximate": False, "created_on": dt.date(2001, 1, 1),
         "state": "A", "closed_on": None, "is_member": True},
        {"public_id": "DEMO-000002", "siret": None, "name": "Démo Fonderie", "naf_code": "24.51Z",
         "size_band_code": "21", "headcount_estimate": 75, "commune_code": "57463", "address": None,
         "lat": 49.108, "lon": 6.196, "location_approximate": False, "created_on": dt.date(1990, 5, 1),
         "state": "A", "closed_on": None, "is_member": False},
    ], dtype=object)
    repository.replace_dataset(
        engine, name="demo", label="Données de démonstration (fictives)", is_demo=True,
        source_name="tissu – données fictives", source_date=dt.date(2025, 12, 31), establishments=establishments,
        capabilities=pd.DataFrame([{"public_id": "DEMO-000001", "capability_code": "tournage"}]),
        certifications=pd.DataFrame([{"public_id": "DEMO-000001", "certification_code": "iso9001"}]),
    )



def snapshot(engine, *, with_ids: bool = True) -> dict[str, list[tuple]]:
    """Every row of the dataset tables, sorted; without ids and load times when `with_ids` is False."""
    from dashboard import models as m

    tables = {"datasets": m.Dataset, "establishments": m.Establishment,
              "establishment_capabilities": m.EstablishmentCapability,
              "establishment_certifications": m.EstablishmentCertification}
    volatile = {"id", "dataset_id", "establishment_id", "loaded_at", "version"}
    out = {}
    with engine.connect() as conn:
        for name, model in tables.items():
            columns = [c for c in model.__table__.columns if with_ids or c.name not in volatile]
            if not with_ids and name.startswith("establishment_"):  # identify the establishment by SIRET
                columns = [m.Establishment.public_id, *columns]
                statement = select(*columns).join(m.Establishment, m.Establishment.id == model.establishment_id)
            else:
                statement = select(*columns)
            out[name] = sorted((tuple(r) for r in conn.execute(statement)), key=repr)
    return out
