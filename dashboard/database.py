"""Engine creation and schema migrations (Alembic, run programmatically)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import weakref
from collections.abc import Iterator
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
        watched = sqlite_path(parsed.render_as_string(hide_password=False))
        if watched is not None:
            _watch_file(engine, watched)
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


# --- The SQLite file under a running server -------------------------------------------------------
# A file deleted (or replaced) while tissu runs stays readable through the connections already open, and
# writes to it "succeed" into a file nobody will ever open again. Writes check the file first.

_FILES: weakref.WeakKeyDictionary[Engine, _FileWatch] = weakref.WeakKeyDictionary()


class _FileWatch:
    """The SQLite file of an engine and its identity (device, inode) when the engine first connected to it."""

    def __init__(self, path: Path):
        self.path = path
        self.identity: tuple[int, int] | None = None

    def remember(self, *_args) -> None:
        if self.identity is None:
            with contextlib.suppress(OSError):
                stat = self.path.stat()
                self.identity = (stat.st_dev, stat.st_ino)

    def problem(self) -> str | None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return "has been deleted"
        except OSError as err:
            return f"cannot be read ({err.strerror})"
        if self.identity is not None and (stat.st_dev, stat.st_ino) != self.identity:
            return "has been replaced by another file"
        return None


def _watch_file(engine: Engine, path: Path) -> None:
    watch = _FileWatch(path)
    watch.remember()
    event.listen(engine, "connect", watch.remember)
    _FILES[engine] = watch


def require_database_file(engine: Engine) -> None:
    """Raise DatabaseUnavailable when the SQLite file this engine writes to is gone or is another file now."""
    watch = _FILES.get(engine)
    problem = watch.problem() if watch is not None else None
    if watch is not None and problem:
        raise DatabaseUnavailable(f"the SQLite database {watch.path} {problem} while tissu was running: nothing "
                                  "was saved. Restore the file and restart tissu.")


@contextlib.contextmanager
def write_transaction(engine: Engine) -> Iterator:
    """`engine.begin()` for a write a running app makes, refused when the SQLite file has disappeared."""
    require_database_file(engine)
    with engine.begin() as conn:
        yield conn


# --- Before `tissu serve` opens a SQLite file ----------------------------------------------------------
# First start: the file does not exist and is created (with the demo when TISSU_AUTO_DEMO). tissu then
# records it in the instance folder; a later start that finds a recorded file missing refuses to create
# an empty one in its place (a moved disk, a wrong working folder, a deleted file would otherwise look
# like a fresh install). Delete the record to start anew on purpose.

SQLITE_HEADER = b"SQLite format 3\x00"
KNOWN_DATABASES = "databases.json"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database or an in-memory one)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    database = parsed.database.removeprefix("file:") if parsed.query.get("uri") else parsed.database
    return Path(database).resolve()


def _known(instance_dir: Path) -> dict[str, str]:
    try:
        known = json.loads((instance_dir / KNOWN_DATABASES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return known if isinstance(known, dict) else {}


def check_sqlite_file(url: str, instance_dir: Path | str) -> None:
    """Raise DatabaseUnavailable (one line) when the SQLite file of `url` is missing although this instance
    created it, is not a SQLite database, or cannot be read. Nothing to check for PostgreSQL."""
    path = sqlite_path(url)
    if path is None:
        return
    record = Path(instance_dir) / KNOWN_DATABASES
    if not path.exists():
        created = _known(Path(instance_dir)).get(str(path))
        if created:
            raise DatabaseUnavailable(f"the SQLite database {path} is missing, although tissu created it on "
                                      f"{created[:10]}: restore it (or fix TISSU_DATABASE_URL); to start again with "
                                      f"a new, empty database, delete {record}")
        return
    try:
        with open(path, "rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError as err:
        raise DatabaseUnavailable(f"cannot read the SQLite database {path}: {err.strerror}") from None
    if header and header != SQLITE_HEADER:  # an empty file is a database SQLite has not written yet
        raise DatabaseUnavailable(f"{path} is not a SQLite database (damaged, or another kind of file): restore "
                                  "a backup or point TISSU_DATABASE_URL at the right file")


def remember_sqlite_file(url: str, instance_dir: Path | str) -> None:
    """Record in the instance folder that the SQLite file of `url` exists (see `check_sqlite_file`)."""
    path = sqlite_path(url)
    if path is None or not path.exists():
        return
    known = _known(Path(instance_dir))
    if str(path) in known:
        return
    known[str(path)] = dt.datetime.now().isoformat(timespec="seconds")
    folder = Path(instance_dir)
    with contextlib.suppress(OSError):  # a read-only instance folder: the check is then simply not armed
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{KNOWN_DATABASES}.{os.getpid()}"
        temporary.write_text(json.dumps(known, indent=1, sort_keys=True), encoding="utf-8")
        temporary.replace(folder / KNOWN_DATABASES)
