"""The `tissu` command, run in-process against temporary databases."""

import sys
from pathlib import Path

import pytest

from dashboard.cli import build_parser, main


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for command in ("serve", "db", "demo", "dataset"):
        assert command in out


def test_db_upgrade_creates_schema_and_reference(new_database, monkeypatch, capsys):
    new_database().point_cli_here(monkeypatch)
    assert main(["db", "upgrade"]) == 0
    newest = sorted((Path(__file__).parents[1] / "dashboard/migrations/versions").glob("0*.py"))[-1].name[:4]
    assert f"revision {newest}" in capsys.readouterr().out  # the newest migration, whichever it is
    assert main(["db", "upgrade"]) == 0  # idempotent
    assert main(["dataset", "list"]) == 0
    assert "No dataset loaded" in capsys.readouterr().out


def test_demo_then_dataset_commands(new_database, monkeypatch, capsys):
    new_database().point_cli_here(monkeypatch)
    assert main(["demo", "--seed", "3", "--scale", "0.05"]) == 0
    assert "synthetic" in capsys.readouterr().out
    assert main(["dataset", "list"]) == 0
    assert "* demo" in capsys.readouterr().out
    assert main(["dataset", "use", "absent"]) == 2
    assert "no dataset named 'absent'" in capsys.readouterr().err


def test_bad_setting_is_reported_not_raised(monkeypatch, capsys):
    monkeypatch.setenv("TISSU_PORT", "huit")
    assert main(["db", "upgrade"]) == 2
    assert "TISSU_PORT" in capsys.readouterr().err


def test_serve_accepts_host_and_port():
    args = build_parser().parse_args(["serve", "--port", "9000", "--host", "0.0.0.0"])
    assert (args.port, args.host) == (9000, "0.0.0.0")


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


URSSAF_FILE = str(Path(__file__).parent / "fixtures" / "urssaf" / "dep_na38_api_fields.csv")


@pytest.mark.parametrize("command", [["db", "upgrade"], ["serve"], ["import", "urssaf", URSSAF_FILE]])
def test_unreachable_postgresql_is_one_line_without_the_password(command, monkeypatch, capsys):
    port = _closed_port()
    monkeypatch.setenv("TISSU_DATABASE_URL", f"postgresql://tissu:s3cret@127.0.0.1:{port}/tissu")
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot connect to PostgreSQL at 127.0.0.1:{port} "
                          f"(postgresql+psycopg://tissu:***@127.0.0.1:{port}/tissu): Connection refused.")
    assert err.count("\n") == 1 and "s3cret" not in err and "Traceback" not in err


def test_missing_postgresql_driver_says_which_extra_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if `tissu[postgresql]` were not installed
    monkeypatch.setenv("TISSU_DATABASE_URL", "postgresql://tissu:s3cret@db.example:5432/tissu")
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'tissu[postgresql]'" in err and "tissu:***@db.example" in err
    assert err.count("\n") == 1 and "s3cret" not in err


@pytest.mark.parametrize(("url", "problem"), [
    ("nonsense", "is not a database URL"),
    ("mysql://u:p@h/x", "unsupported database"),
    ("sqlite:////proc/tissu-absent/tissu.sqlite3", "cannot create the folder of the SQLite database"),
])
def test_unusable_database_urls_are_one_line(url, problem, monkeypatch, capsys):
    monkeypatch.setenv("TISSU_DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert problem in err and err.count("\n") == 1


def test_upgrade_prints_the_url_without_its_password(new_database, monkeypatch, capsys):
    from sqlalchemy import make_url

    db = new_database()
    url = make_url(db.url)
    if url.get_backend_name() == "sqlite":
        pytest.skip("a SQLite URL has no password")
    monkeypatch.setenv("TISSU_DATABASE_URL", url.set(password="s3cret").render_as_string(hide_password=False))
    main(["db", "upgrade"])  # the throwaway test server may not check passwords
    out = capsys.readouterr()
    assert "s3cret" not in out.out + out.err


@pytest.mark.parametrize("kind", ["members", "urssaf", "indicators", "territoires-industrie", "training", "bassins"])
def test_one_file_imports_reach_their_importer(kind, monkeypatch):
    """Each `tissu import KIND FILE` of the shared handler calls its own importer with the file."""
    import importlib

    from dashboard import cli

    spec = cli._FILE_IMPORTS[kind]
    calls = []
    monkeypatch.setattr(importlib.import_module(f"dashboard.importers.{spec.module}"), spec.function,
                        lambda engine, file, *, report_dir: calls.append((file, report_dir)) or "outcome")
    monkeypatch.setattr(cli, "_run_import", lambda label, action: (label, action("engine", Path("reports"))))
    args = build_parser().parse_args(["import", kind, "some-file.csv"])
    assert args.func(args) == (f"{spec.title} of some-file.csv", "outcome")
    assert calls == [("some-file.csv", Path("reports"))]


def test_a_command_that_changes_the_dataset_keeps_its_columnar_copy(new_database, monkeypatch, capsys):
    """The demo, an import and `dataset use` write the snapshot's Parquet copy, so a server starting afterwards
    reads it instead of loading the establishments with SQL (issue 18)."""
    from dashboard.services import columnar

    folder = new_database().point_cli_here(monkeypatch)
    assert main(["demo", "--seed", "3", "--scale", "0.05"]) == 0
    assert "Snapshot for the server kept" in capsys.readouterr().out
    kept = sorted(p.name for p in (folder / columnar.SUBDIR).glob("*.parquet"))
    assert len(kept) == len(columnar.FRAMES)
    assert main(["demo", "--seed", "4", "--scale", "0.05"]) == 0  # a new version: a new set, the old one gone
    renewed = sorted(p.name for p in (folder / columnar.SUBDIR).glob("*.parquet"))
    assert len(renewed) == len(columnar.FRAMES) and set(renewed).isdisjoint(kept)
