"""Engine creation and schema migrations (Alembic, run programmatically)."""

from __future__ import annotations

import re
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import URL, Engine, create_engine, event, inspect, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class DatabaseUnavailable(RuntimeError):
    """The database cannot be used at all (bad URL, driver missing, server unreachable); a one-line reason."""


# What SQLite and PostgreSQL say -> what to tell the person at the terminal (one line each).
_FAILURES = [
    ("readonly database", "the database is read-only (file or folder permissions, a read-only disk or mount)"),
    ("read-only", "the database is read-only (file or folder permissions, a read-only disk or mount)"),
    ("database or disk is full", "the disk holding the database is full: free some space, then retry"),
    ("no space left", "the disk holding the database is full: free some space, then retry"),
    ("file is not a database", "the file is not a SQLite database (damaged, or another kind of file)"),
    ("database disk image is malformed", "the SQLite database is damaged (malformed): restore a backup"),
    ("unable to open database file", "the SQLite database cannot be opened (missing folder, permissions, "
                                     "or a folder where the file should be)"),
    ("database is locked", "the database is locked by another process: retry when it has finished"),
]


def describe_failure(err: BaseException) -> str:
    """One line for a database error (SQLAlchemy's or the driver's): what happened, never a traceback."""
    original = getattr(err, "orig", None) or err
    text = str(original).strip()
    lowered = text.lower()
    for needle, message in _FAILURES:
        if needle in lowered:
            return message
    return (text.splitlines() or [type(original).__name__])[0][:300]


def display_url(url: str | URL) -> str:
    """The URL with its password masked: safe to print or log."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unreadable database URL)"


def make_engine(url: str) -> Engine:
    """Create an engine (connects lazily); for SQLite, create the file's folder and enforce foreign keys.

    `postgresql://` means psycopg 3 (the `tissu[postgresql]` extra), not SQLAlchemy's default psycopg2.
    A failure to connect, later, raises `DatabaseUnavailable` rather than the driver's error.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        # Not echoed: a malformed URL may still hold a password.
        raise DatabaseUnavailable("TISSU_DATABASE_URL is not a database URL (expected sqlite:///PATH or "
                                  "postgresql://USER:PASSWORD@HOST:PORT/DATABASE)") from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseUnavailable(f"{display_url(parsed)}: unsupported database (tissu runs on SQLite or PostgreSQL)")
    if backend == "sqlite" and parsed.database and parsed.database != ":memory:":
        try:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise DatabaseUnavailable(f"cannot create the folder of the SQLite database {parsed.database}: "
                                      f"{err.strerror}") from None
    try:
        engine = create_engine(parsed)
    except ModuleNotFoundError as err:
        raise DatabaseUnavailable(f"the PostgreSQL driver of {display_url(parsed)} is not installed (no module "
                                  f"{err.name!r}): pip install 'tissu[postgresql]', use a postgresql:// URL") from None
    except NoSuchModuleError:
        raise DatabaseUnavailable(f"{display_url(parsed)}: unknown driver (use postgresql:// for psycopg 3)") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "handle_error", _connection_failed)
    return engine


def _connection_failed(context) -> None:
    """Turn a failure to open a connection (not a failing statement) into `DatabaseUnavailable`."""
    if context.connection is not None or context.engine is None:
        return
    url = context.engine.url
    lines = str(context.original_exception).strip().splitlines() or ["unknown error"]
    # psycopg: 'connection failed: connection to server at "h", port p failed: FATAL:  <reason>'
    reason = re.sub(r"^(connection failed: )?(connection to server (at|on) .*? failed: )?(FATAL: +)?", "", lines[0])
    if url.get_backend_name() == "sqlite":
        raise DatabaseUnavailable(f"cannot open the SQLite database {url.database}: {reason}") from None
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    raise DatabaseUnavailable(f"cannot connect to PostgreSQL at {where} ({display_url(url)}): {reason}. "
                              "Check that the server is running and TISSU_DATABASE_URL.") from None


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (idempotent)."""
    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("establishments")
