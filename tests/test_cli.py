"""The `tissu` command, run in-process against temporary databases."""

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
    assert "revision 0002" in capsys.readouterr().out
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
