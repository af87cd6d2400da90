"""Throwaway test databases: PostgreSQL when TISSU_TEST_DATABASE_URL is set, SQLite files otherwise.

A copy is made from a template database: on SQLite with the online backup API, on PostgreSQL with
`CREATE DATABASE … TEMPLATE …` (a file-level copy inside the server, fast, and it needs the template
to have no open connection: templates are only ever connected to while they are built).
"""

from __future__ import annotations

import itertools
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect, make_url, text
from sqlalchemy.pool import NullPool

from dashboard.database import make_engine

ENV = "TISSU_TEST_DATABASE_URL"


@dataclass
class ScratchDatabase:
    """One throwaway database: its URL, the folder where the CLI writes import reports, an engine on it."""

    url: str
    folder: Path
    name: str
    path: Path | None  # the SQLite file; None on PostgreSQL
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.url)
        return self._engine

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def point_cli_here(self, monkeypatch) -> Path:
        """Make `tissu …` (`dashboard.cli.main`) use this database; returns the folder of its import reports.

        The CLI writes reports beside a SQLite file, else in the instance folder: both are `folder`.
        """
        monkeypatch.setenv("TISSU_DATABASE_URL", self.url)
        monkeypatch.setenv("TISSU_INSTANCE_DIR", str(self.folder))
        return self.folder

    def is_untouched(self) -> bool:
        """Nothing was ever written: no SQLite file at all, or a PostgreSQL database without a table."""
        if self.path is not None:
            return not self.path.exists()
        with closing(create_engine(self.url, poolclass=NullPool).connect()) as conn:
            return inspect(conn).get_table_names() == []


class Databases:
    """Creates databases on the test backend and drops them (each after its test, the rest at the end)."""

    def __init__(self, server_url: str | None, folder: Path):
        self.server = make_url(server_url) if server_url else None
        if self.server is not None and not self.server.get_backend_name().startswith("postgresql"):
            raise ValueError(f"{ENV} must be a postgresql:// URL, not {self.server.get_backend_name()}")
        self.folder = folder
        base = self.server.database if self.server is not None else "tissu"
        # The pid keeps two runs on one server apart.
        self._names = (f"{base}_{os.getpid()}_{i}" for i in itertools.count())
        self._admin: Engine | None = None
        self._alive: dict[str, ScratchDatabase] = {}

    @property
    def backend(self) -> str:
        return "sqlite" if self.server is None else "postgresql"

    def create(self, template: ScratchDatabase | None = None) -> ScratchDatabase:
        """A new database: empty, or a copy of `template` (made by this factory)."""
        name = next(self._names)
        folder = self.folder / name
        folder.mkdir()
        if self.server is None:
            path = folder / "tissu.sqlite3"
            if template is not None:
                with closing(sqlite3.connect(template.path)) as source, closing(sqlite3.connect(path)) as target:
                    source.backup(target)
            db = ScratchDatabase(f"sqlite:///{path}", folder, name, path)
        else:
            if template is not None:
                template.dispose()
            self._execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template.name}"' if template else ""))
            url = self.server.set(database=name).render_as_string(hide_password=False)
            db = ScratchDatabase(url, folder, name, None)
        self._alive[name] = db
        return db

    def drop(self, db: ScratchDatabase) -> None:
        db.dispose()
        self._alive.pop(db.name, None)
        if self.server is not None:  # SQLite files go with pytest's temporary folders
            # FORCE: a CLI call under test may leave a pooled connection open.
            self._execute(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)')

    def close(self) -> None:
        for db in list(self._alive.values()):
            self.drop(db)
        if self._admin is not None:
            self._admin.dispose()

    def _execute(self, statement: str) -> None:
        if self._admin is None:
            self._admin = create_engine(self.server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with self._admin.connect() as conn:
            conn.execute(text(statement))
