"""Fixtures of the importer tests: private databases (fresh, or holding a demo-like dataset)."""

from __future__ import annotations

import pytest
from import_support import add_demo_like


@pytest.fixture
def target(new_database, prepared_database):
    """A private copy of the prepared template (schema and reference data); `db` is its engine."""
    return new_database(prepared_database)


@pytest.fixture
def db(target):
    return target.engine


@pytest.fixture
def cli_reports(target, monkeypatch):
    """Points `tissu …` at `db`; the folder where it writes import reports."""
    return target.point_cli_here(monkeypatch)


@pytest.fixture
def fresh_target(new_database):
    """An empty database: the import must create the schema itself."""
    return new_database()


@pytest.fixture
def fresh_db(fresh_target):
    return fresh_target.engine


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
