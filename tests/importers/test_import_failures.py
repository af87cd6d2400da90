"""`tissu import …` fails loudly and cleanly: exit 2, one line saying what is wrong, the database unchanged.

Damaged archives, an oversize CSV field, a read-only database and a full disk (SQLite `max_page_count`).
"""

from __future__ import annotations

import shutil
import sqlite3
import zipfile

import pytest
from import_support import MEMBERS, SIRENE, snapshot

from dashboard.cli import main
from dashboard.importers.sirene import SireneOptions, import_sirene

GEOLOC = SIRENE / "GeolocalisationEtablissement_Sirene_pour_etudes_statistiques_utf8.csv"
UNITS = SIRENE / "StockUniteLegale_utf8.csv"


@pytest.fixture
def sirene_db(db):
    import_sirene(db, SireneOptions(etablissements=SIRENE / "StockEtablissement_utf8.csv", geoloc=GEOLOC,
                                    unites_legales=UNITS), progress=False)
    return db


def _one_clean_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and 'File "' not in err, err
    first = err.strip().splitlines()[0]
    assert first.startswith("error: "), err
    return first


def _damaged_zip(tmp_path, how: str):
    source = SIRENE / "StockEtablissement_utf8.csv"
    path = tmp_path / "StockEtablissement_utf8.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(source, source.name)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.infolist()[0]
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    if how == "crc":  # flip bytes inside the compressed data: inflating fails or the CRC does not match
        for offset in range(start + 40, start + 60):
            data[offset] ^= 0x5A
    else:  # cut the member's data in half, keep the central directory: the archive opens, the member ends early
        tail = data[start + info.compress_size:]
        data = data[:start + info.compress_size // 2] + tail
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("how", ["crc", "truncated"])
def test_a_zip_damaged_inside_its_data_exits_2_with_one_line(sirene_db, cli_reports, tmp_path, capsys, how):
    before = snapshot(sirene_db)
    archive = _damaged_zip(tmp_path, how)
    assert main(["import", "sirene", "--etablissements", str(archive), "--no-progress"]) == 2
    line = _one_clean_line(capsys)
    assert archive.name in line and ("damaged" in line or "truncated" in line)
    assert snapshot(sirene_db) == before


def test_a_members_field_over_128_kb_is_refused_with_its_line(sirene_db, cli_reports, tmp_path, capsys):
    before = snapshot(sirene_db)
    rows = (MEMBERS / "adherents.csv").read_text(encoding="utf-8").splitlines()
    rows.insert(2, '00000002600013;EMBOUTISSAGE;"' + "Tournage; " * 14000 + '";;oui')
    members = tmp_path / "adherents.csv"
    members.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["import", "members", str(members)]) == 2
    line = _one_clean_line(capsys)
    assert "line 3" in line and "KB" in line
    assert snapshot(sirene_db) == before


def test_a_read_only_database_exits_2_with_one_line(sirene_db, target, monkeypatch, tmp_path, capsys):
    if target.path is None:
        pytest.skip("SQLite only: a read-only file")
    before = snapshot(sirene_db)
    sirene_db.dispose()
    monkeypatch.setenv("TISSU_DATABASE_URL", f"sqlite:///file:{target.path}?mode=ro&uri=true")
    monkeypatch.setenv("TISSU_INSTANCE_DIR", str(tmp_path))
    assert main(["import", "members", str(MEMBERS / "adherents.csv")]) == 2
    line = _one_clean_line(capsys)
    assert "read-only" in line
    assert snapshot(sirene_db) == before


def test_a_full_disk_exits_2_with_one_line_and_leaves_the_database_unchanged(db, target, cli_reports,
                                                                              monkeypatch, capsys):
    if target.path is None:
        pytest.skip("SQLite only: max_page_count simulates the full disk")
    from dashboard import database

    db.dispose()
    with sqlite3.connect(target.path) as conn:
        conn.execute("VACUUM")  # no free page left to reuse
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    before = snapshot(db)
    real = database._sqlite_pragmas

    def full_disk(dbapi_connection, record):  # every connection of the command: no page beyond today's
        real(dbapi_connection, record)
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(database, "_sqlite_pragmas", full_disk)
    assert main(["import", "sirene", "--etablissements", str(SIRENE / "StockEtablissement_utf8.csv"),
                 "--geoloc", str(GEOLOC), "--no-progress"]) == 2
    line = _one_clean_line(capsys)
    assert "full" in line
    monkeypatch.setattr(database, "_sqlite_pragmas", real)
    assert snapshot(db) == before


def test_the_fixture_zip_is_untouched_by_the_damage(tmp_path):
    """The damaged copies are made in tmp_path: the bundled fixture still imports."""
    copy = shutil.copy(SIRENE / "StockEtablissement_utf8.zip", tmp_path / "ok.zip")
    with zipfile.ZipFile(copy) as archive:
        assert archive.testzip() is None
