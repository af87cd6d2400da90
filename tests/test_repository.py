"""Repository functions against the seeded SQLite database of the session."""

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect
from sqlalchemy import types as sa_types

from dashboard import repository
from dashboard.bootstrap import prepare_database
from dashboard.database import current_revision
from dashboard.reference import load_reference


def test_schema_is_at_head_and_reference_loaded(engine):
    assert current_revision(engine) == "0008"
    assert repository.reference_is_loaded(engine)
    communes = repository.communes_frame(engine)
    assert len(communes) == 2321
    assert set(communes["department_code"]) == {"54", "55", "57", "88"}
    assert communes["zone_name"].notna().all()


def test_migration_matches_the_models(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from dashboard.models import Base

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_reference_sync_is_idempotent(engine):
    assert repository.sync_reference(engine, load_reference()) == 0


def test_naf_hierarchy_is_complete(engine):
    naf = repository.naf_frame(engine)
    assert len(naf) == 291
    assert set(naf["section_code"]) == {"B", "C", "D", "E"}
    row = naf.set_index("code").loc["25.62B"]
    assert (row["class_code"], row["group_code"], row["division_code"], row["section_code"]) == \
        ("25.62", "25.6", "25", "C")


def test_active_dataset_is_the_demo(engine):
    info = repository.active_dataset(engine)
    assert info.is_demo and info.name == "demo"
    assert repository.dataset_version(engine) == (info.id, info.version)


def test_establishments_frame_joins_territories(engine):
    info = repository.active_dataset(engine)
    frame = repository.establishments_frame(engine, info.id)
    assert len(frame) > 1000
    assert (frame["state"] == "A").all()
    assert frame["department_code"].isin(["54", "55", "57", "88"]).all()
    assert frame["public_id"].str.startswith("DEMO-").all()
    assert frame["is_demo"].all()
    everything = repository.establishments_frame(engine, info.id, include_closed=True)
    counts = repository.establishment_counts(engine, info.id)
    assert len(everything) == counts["active"] + counts["closed"] and counts["closed"] > 0


def test_links_point_to_known_codes(engine):
    info = repository.active_dataset(engine)
    caps = repository.establishment_capabilities(engine, info.id)
    certs = repository.establishment_certifications(engine, info.id)
    assert set(caps["capability_code"]) <= set(repository.capabilities_frame(engine)["code"])
    assert set(certs["certification_code"]) <= set(repository.certifications_frame(engine)["code"])
    assert len(caps) > 0 and len(certs) > 0


def _tiny(public_ids):
    return pd.DataFrame({
        "public_id": public_ids, "name": [f"Atelier {i}" for i in public_ids], "naf_code": "25.62B",
        "size_band_code": "11", "headcount_estimate": 12, "commune_code": "57463", "lat": 49.12, "lon": 6.18,
        "created_on": dt.date(2015, 1, 1), "state": "A", "is_member": False,
    })


@pytest.fixture()
def scratch_engine(new_database):
    engine = new_database().engine
    prepare_database(engine)
    return engine


def test_replace_dataset_replaces_and_bumps_version(scratch_engine):
    kwargs = dict(name="essai", label="Essai", is_demo=False, source_name="test", source_date=dt.date(2026, 1, 1),
                  capabilities=pd.DataFrame({"public_id": ["A"], "capability_code": ["tournage"]}),
                  certifications=pd.DataFrame(columns=["public_id", "certification_code"]))
    first = repository.replace_dataset(scratch_engine, establishments=_tiny(["A", "B"]), **kwargs)
    second = repository.replace_dataset(scratch_engine, establishments=_tiny(["A"]), **kwargs)
    assert second.version == first.version + 1
    assert len(repository.establishments_frame(scratch_engine, second.id)) == 1
    assert len(repository.establishment_capabilities(scratch_engine, second.id)) == 1


def test_failed_load_leaves_the_database_unchanged(scratch_engine):
    kwargs = dict(name="essai", label="Essai", is_demo=False, source_name="test", source_date=dt.date(2026, 1, 1),
                  certifications=pd.DataFrame(columns=["public_id", "certification_code"]))
    good = repository.replace_dataset(scratch_engine, establishments=_tiny(["A"]),
                                      capabilities=pd.DataFrame(columns=["public_id", "capability_code"]), **kwargs)
    with pytest.raises(sa_exc.IntegrityError):
        # An unknown capability code violates a foreign key halfway through the load.
        repository.replace_dataset(scratch_engine, establishments=_tiny(["A", "B", "C"]),
                                   capabilities=pd.DataFrame({"public_id": ["B"], "capability_code": ["inconnu"]}),
                                   **kwargs)
    assert repository.active_dataset(scratch_engine) == good
    assert repository.establishments_frame(scratch_engine, good.id)["public_id"].tolist() == ["A"]


def test_dataset_switching(scratch_engine):
    kwargs = dict(is_demo=False, source_name="test", source_date=dt.date(2026, 1, 1),
                  capabilities=pd.DataFrame(columns=["public_id", "capability_code"]),
                  certifications=pd.DataFrame(columns=["public_id", "certification_code"]))
    repository.replace_dataset(scratch_engine, name="un", label="Un", establishments=_tiny(["A"]), **kwargs)
    repository.replace_dataset(scratch_engine, name="deux", label="Deux", establishments=_tiny(["B"]), **kwargs)
    assert repository.active_dataset(scratch_engine).name == "deux"
    assert repository.activate_dataset(scratch_engine, "un").name == "un"
    with pytest.raises(LookupError):
        repository.activate_dataset(scratch_engine, "trois")
    assert [d.name for d in repository.list_datasets(scratch_engine)] == ["un", "deux"]


def test_schema_uses_only_portable_types(engine):
    # As reflected: FLOAT is DOUBLE_PRECISION and DATETIME is TIMESTAMP on PostgreSQL.
    portable = (sa_types.String, sa_types.Integer, sa_types.Float, sa_types.Boolean, sa_types.Date,
                sa_types.DateTime)
    columns = [c["type"] for t in inspect(engine).get_table_names() for c in inspect(engine).get_columns(t)]
    assert columns and all(isinstance(c, portable) and not isinstance(c, sa_types.Text) for c in columns), \
        {c.__class__.__name__ for c in columns}
