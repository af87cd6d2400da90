"""The database fails loudly and cleanly: `tissu serve` explains a missing, damaged or unreadable SQLite file in
one line and exits 2; a running app whose SQLite file disappeared refuses writes instead of confirming them."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys

import pytest
from sqlalchemy.exc import OperationalError

from dashboard import database, repository
from dashboard.cli import main
from dashboard.database import (
    DatabaseUnavailable,
    check_sqlite_file,
    describe_failure,
    make_engine,
    remember_sqlite_file,
    require_database_file,
)


def _serve(monkeypatch, url: str, instance) -> int:
    monkeypatch.setenv("TISSU_DATABASE_URL", url)
    monkeypatch.setenv("TISSU_INSTANCE_DIR", str(instance))
    monkeypatch.setenv("TISSU_AUTO_DEMO", "0")
    return main(["serve", "--port", "1"])  # never reached: the checks run before anything listens


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert err.startswith("error: ")
    return err


def test_serve_refuses_a_file_that_is_not_a_database(tmp_path, monkeypatch, capsys):
    path = tmp_path / "tissu.sqlite3"
    path.write_bytes(b"PK\x03\x04 this is a zip, or a half-written copy" * 50)
    assert _serve(monkeypatch, f"sqlite:///{path}", tmp_path / "instance") == 2
    assert "is not a SQLite database" in _one_line(capsys)
    assert path.read_bytes().startswith(b"PK")  # left as it was


def test_serve_refuses_an_unreadable_database(tmp_path, monkeypatch, capsys):
    path = tmp_path / "tissu.sqlite3"
    path.mkdir()  # a folder where the file should be: unreadable as a file, even for root
    assert _serve(monkeypatch, f"sqlite:///{path}", tmp_path / "instance") == 2
    assert f"cannot read the SQLite database {path}" in _one_line(capsys)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_serve_refuses_a_database_without_read_permission(tmp_path, monkeypatch, capsys):
    path = tmp_path / "tissu.sqlite3"
    path.write_bytes(database.SQLITE_HEADER + b"\0" * 100)
    path.chmod(0)
    try:
        assert _serve(monkeypatch, f"sqlite:///{path}", tmp_path / "instance") == 2
        assert "Permission denied" in _one_line(capsys)
    finally:
        path.chmod(0o600)


def test_a_database_this_instance_created_may_not_silently_come_back_empty(tmp_path, monkeypatch, capsys):
    path, instance = tmp_path / "data" / "tissu.sqlite3", tmp_path / "instance"
    url = f"sqlite:///{path}"
    check_sqlite_file(url, instance)  # first start: nothing there, nothing recorded: tissu creates it
    engine = make_engine(url)
    database.upgrade(engine)
    engine.dispose()
    remember_sqlite_file(url, instance)
    check_sqlite_file(url, instance)  # the next start finds it
    path.unlink()
    assert _serve(monkeypatch, url, instance) == 2
    line = _one_line(capsys)
    assert f"the SQLite database {path.resolve()} is missing, although tissu created it" in line
    assert str(instance / database.KNOWN_DATABASES) in line  # how to start anew on purpose
    assert not path.exists()  # no empty database created in its place
    (instance / database.KNOWN_DATABASES).unlink()
    check_sqlite_file(url, instance)  # the record deleted: a first start again


def test_serve_in_a_subprocess_exits_2_with_one_line_on_a_damaged_database(tmp_path):
    path = tmp_path / "tissu.sqlite3"
    path.write_bytes(b"\x00garbage" * 100)
    env = {**os.environ, "TISSU_DATABASE_URL": f"sqlite:///{path}", "TISSU_INSTANCE_DIR": str(tmp_path),
           "TISSU_AUTO_DEMO": "0"}
    done = subprocess.run([sys.executable, "-m", "dashboard.cli", "serve", "--port", "1"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"error: {path} is not a SQLite database (damaged, or another kind "
                                                "of file): restore a backup or point TISSU_DATABASE_URL at the right "
                                                "file"]


def test_describe_failure_gives_one_line_per_known_database_error():
    def failure(message: str) -> OperationalError:
        return OperationalError("INSERT …", {}, Exception(message))

    assert "read-only" in describe_failure(failure("attempt to write a readonly database"))
    assert "full" in describe_failure(failure("database or disk is full"))
    assert "not a SQLite database" in describe_failure(failure("file is not a database"))
    assert describe_failure(failure("something new\nwith detail")) == "something new"


@pytest.fixture()
def event_service(new_database, demo_database, settings):
    """A DataService on a private copy of the demo (with its event), as a running app holds it."""
    from dashboard.services import DataService

    if demo_database.path is None:
        pytest.skip("SQLite only: the file under a running server")
    db = new_database(demo_database)
    after_the_fair = dt.datetime(2100, 1, 1)  # meetings can only be marked held once over
    return DataService(db.engine, settings, clock=lambda: after_the_fair), db


def _staff():
    from dashboard.policy import Role, Viewer

    return Viewer(Role.STAFF, None, "staff@tests")


def _a_meeting(engine) -> int:
    event = repository.events_frame(engine)
    meetings = repository.event_meetings(engine, int(event["id"].iloc[0]))
    return int(meetings["id"].iloc[0])


def test_writes_are_refused_once_the_sqlite_file_is_deleted(event_service):
    from dashboard.services.event import admin_action

    service, db = event_service
    meeting = _a_meeting(service.engine)
    assert admin_action(service, "held", meeting, _staff()) == f"Rendez-vous n° {meeting} : tenu."
    db.path.unlink()
    for suffix in ("-wal", "-shm"):
        db.path.with_name(db.path.name + suffix).unlink(missing_ok=True)
    with pytest.raises(DatabaseUnavailable, match="has been deleted while tissu was running: nothing was saved"):
        require_database_file(service.engine)
    message = admin_action(service, "cancelled", meeting, _staff())
    assert message.startswith("Modification non enregistrée") and "annulé" not in message
    assert admin_action(service, "reschedule", None, _staff()).startswith("Modification non enregistrée")
    assert not db.path.exists()  # nothing recreated it


def test_writes_are_refused_when_the_sqlite_file_was_replaced(event_service, tmp_path):
    from dashboard.services.event import admin_action

    service, db = event_service
    meeting = _a_meeting(service.engine)
    assert "tenu" in admin_action(service, "held", meeting, _staff())
    service.engine.dispose()
    copy = shutil.copy(db.path, tmp_path / "other.sqlite3")
    os.replace(copy, db.path)  # same name, another file (a restore under a running server)
    assert admin_action(service, "cancelled", meeting, _staff()).startswith("Modification non enregistrée")
