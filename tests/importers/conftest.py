"""Fixtures of the importer tests: prepared SQLite databases (fresh, or holding a demo-like dataset)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from import_support import add_demo_like


@pytest.fixture(scope="session")
def prepared_db(tmp_path_factory) -> Path:
    """A SQLite file with the schema and the bundled reference data, copied by each test."""
    from dashboard.bootstrap import prepare_database
    from dashboard.database import make_engine

    path = tmp_path_factory.mktemp("prepared") / "tissu.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    prepare_database(engine)
    engine.dispose()
    return path


@pytest.fixture
def db_path(prepared_db, tmp_path) -> Path:
    path = tmp_path / "db" / "tissu.sqlite3"
    path.parent.mkdir()
    shutil.copy(prepared_db, path)
    return path


@pytest.fixture
def db(db_path):
    from dashboard.database import make_engine

    engine = make_engine(f"sqlite:///{db_path}")
    yield engine
    engine.dispose()


@pytest.fixture
def fresh_db(tmp_path):
    """An empty SQLite file: the import must create the schema itself."""
    from dashboard.database import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'fresh' / 'tissu.sqlite3'}")
    yield engine
    engine.dispose()


@pytest.fixture
def demo_db(db):
    add_demo_like(db)
    return db




@pytest.fixture(autouse=True)
def _quick_prepare(monkeypatch):
    """Skip the reference refresh of `prepare_database` on copies of the prepared database (speed only).

    A database without the schema (see `fresh_db`) still goes through the real function.
    """
    from dashboard import bootstrap, database, repository

    real = bootstrap.prepare_database

    def prepare(engine):
        if database.has_schema(engine) and repository.reference_is_loaded(engine):
            return
        real(engine)
    monkeypatch.setattr(bootstrap, "prepare_database", prepare)
