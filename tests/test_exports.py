"""The one French CSV/XLSX writer: formats, formula safety, and hostile text through every export of the app."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from auth_support import signed_in_client
from openpyxl import load_workbook

from dashboard import exports
from dashboard.analytics.scheduling import STATUS_LABELS

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ['=HYPERLINK("http://x","clic")', "+1+1", "-2+3", "@SUM(A1)", "\tfoo", "\rbar",
           "<script>alert(1)</script>", "x" * 10_240, "شركة الحديد والصلب", "Forge 🔥 Métal ⚙️"]
NEGATIVE_NUMBER = re.compile(r"-\d+(,\d+)?")


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def _book(data: bytes):
    return load_workbook(io.BytesIO(data))


def _sheet_rows(data: bytes, sheet: str | None = None) -> list[list]:
    book = _book(data)
    return [[c.value for c in row] for row in (book[sheet] if sheet else book.worksheets[0]).iter_rows()]


# --- CSV writer ---------------------------------------------------------------------------------

def test_csv_is_french_with_bom_semicolons_and_crlf():
    frame = pd.DataFrame({"Nom": ["Forge; & Fils", 'Dit "la forge"'], "Effectif": [12, 3]})
    data = exports.csv_bytes(frame)
    assert data.startswith("\ufeffNom;Effectif\r\n".encode())
    assert data.decode("utf-8-sig").endswith("\r\n")
    assert _csv_rows(data) == [["Nom", "Effectif"], ["Forge; & Fils", "12"], ['Dit "la forge"', "3"]]


def test_csv_numbers_take_a_decimal_comma_and_no_grouping():
    frame = pd.DataFrame({"x": [48.78, 1234567.5, -0.25, 3.0, 1e16], "n": [1, -3, 0, 12_345, 7]})
    rows = _csv_rows(exports.csv_bytes(frame))[1:]
    assert [r[0] for r in rows] == ["48,78", "1234567,5", "-0,25", "3", "10000000000000000"]
    assert [r[1] for r in rows] == ["1", "-3", "0", "12345", "7"]


def test_csv_dates_booleans_and_missing_values():
    frame = pd.DataFrame({
        "date": [dt.date(2026, 11, 26), None, None],
        "horodatage": pd.to_datetime(["2025-12-31", "2024-01-02 10:30", None], format="ISO8601"),
        "utc": pd.to_datetime(["2026-07-01 08:00", "2026-01-15 23:30", None]).tz_localize("UTC"),
        "adhérent": [True, False, np.bool_(True)],
        "valeur": [np.nan, float("inf"), pd.NA],
        "texte": ["a", None, np.nan],
        "objet": [np.datetime64("2025-03-04"), np.datetime64("NaT"), ["tournage", "forge"]],
    })
    rows = _csv_rows(exports.csv_bytes(frame))[1:]
    assert [r[0] for r in rows] == ["26/11/2026", "", ""]
    assert [r[1] for r in rows] == ["31/12/2025", "02/01/2024 10:30", ""]
    assert [r[2] for r in rows] == ["01/07/2026 10:00", "16/01/2026 00:30", ""]  # Paris wall-clock time
    assert [r[3] for r in rows] == ["oui", "non", "oui"]
    assert [r[4] for r in rows] == ["", "", ""]
    assert [r[5] for r in rows] == ["a", "", ""]
    assert [r[6] for r in rows] == ["04/03/2025", "", "tournage, forge"]


def test_labels_turn_codes_into_french_words():
    frame = pd.DataFrame({"statut": ["held", "cancelled", "scheduled", "inconnu", None], "autre": ["held"] * 5})
    rows = _csv_rows(exports.csv_bytes(frame, labels={"statut": STATUS_LABELS}))[1:]
    assert [r[0] for r in rows] == ["tenu", "annulé", "planifié", "inconnu", ""]
    assert {r[1] for r in rows} == {"held"}  # only the named column is translated
    sheet = _sheet_rows(exports.xlsx_bytes(frame, labels={"statut": STATUS_LABELS}))
    assert [r[0] for r in sheet[1:]] == ["tenu", "annulé", "planifié", "inconnu", None]


@pytest.mark.parametrize("text", ["=1+1", "+33 3 83 00 00 00", "-2+3", "@SUM(A1)", "\tfoo", "\rbar"])
def test_each_formula_prefix_is_neutralised(text):
    frame = pd.DataFrame({"Nom": [text], text: ["en-tête hostile"]})
    rows = _csv_rows(exports.csv_bytes(frame))
    assert rows[0][1] == "'" + text and rows[1][0] == "'" + text
    book = _book(exports.xlsx_bytes(frame))
    header, value = book.active["B1"], book.active["A2"]
    as_read = text.replace("\r", "\n")  # XML parsers normalise a carriage return to a line feed
    assert (value.value, value.data_type) == (as_read, "s")
    assert (header.value, header.data_type) == (as_read, "s")


def test_harmless_text_is_left_alone():
    frame = pd.DataFrame({"Nom": ["Aciéries d'Hayange", "3M France", "'déjà cité", "a=b", "Usine - Nord"]})
    assert [r[0] for r in _csv_rows(exports.csv_bytes(frame))[1:]] == frame["Nom"].tolist()


def test_negative_numbers_stay_numbers():
    frame = pd.DataFrame({"Solde": [-2.5, -3, 4], "Entier": [-1, 0, 1]})
    rows = _csv_rows(exports.csv_bytes(frame))[1:]
    assert [r[0] for r in rows] == ["-2,5", "-3", "4"] and [r[1] for r in rows] == ["-1", "0", "1"]
    sheet = _book(exports.xlsx_bytes(frame)).active
    assert [(c.value, c.data_type) for c in sheet["A"][1:]] == [(-2.5, "n"), (-3, "n"), (4, "n")]
    assert sheet["B2"].value == -1 and sheet["B2"].data_type == "n"


# --- XLSX writer --------------------------------------------------------------------------------

def test_xlsx_has_real_numbers_and_dates_a_bold_frozen_header_and_widths():
    frame = pd.DataFrame({"Nom": ["Forge de Lorraine à Pompey", "B"], "Taux": [48.78, np.nan],
                          "Création": [dt.date(2004, 6, 1), None], "Adhérent": [True, False],
                          "Horodatage": pd.to_datetime(["2026-11-26 14:05", None])})
    sheet = _book(exports.xlsx_bytes(frame, sheet="Établissements")).active
    assert sheet.title == "Établissements" and sheet.freeze_panes == "A2"
    assert all(c.font.b for c in sheet[1]) and not sheet["A2"].font.b
    assert sheet["B2"].value == 48.78 and sheet["B2"].data_type == "n" and sheet["B3"].value is None
    created = sheet["C2"]
    assert created.is_date and created.value == dt.datetime(2004, 6, 1) and created.number_format == "DD/MM/YYYY"
    assert sheet["D2"].value == "oui" and sheet["D3"].value == "non"
    assert sheet["E2"].value == dt.datetime(2026, 11, 26, 14, 5) and sheet["E2"].number_format == "DD/MM/YYYY HH:MM"
    widths = {k: d.width for k, d in sheet.column_dimensions.items()}
    assert widths["A"] > widths["B"] >= 8 and all(w <= 60 for w in widths.values())


def test_xlsx_sheets_in_order_with_valid_names_and_sanitised_text():
    frame = pd.DataFrame({"Nom": ["bip\x07bop", "y" * 40_000]})
    data = exports.xlsx_bytes(frame, sheet="Métiers x territoires / 2025 [BMO] : tout", extra_sheets={
        "Source": pd.DataFrame({"Informations": ["France Travail"]})})
    book = _book(data)
    first, source = book.worksheets
    assert first.title.startswith("Métiers x territoires") and len(first.title) <= 31 and source.title == "Source"
    assert not set(first.title) & set("[]:*?/\\")
    assert first["A2"].value == "bipbop" and len(first["A3"].value) == 32_767  # Excel's cell limit
    assert source["A2"].value == "France Travail"


def test_download_is_what_dcc_send_bytes_builds():
    from dash import dcc

    frame = pd.DataFrame({"Nom": ["=1"], "Taux": [0.5]})
    payload = exports.download(frame, "tissu-test-20260101", "csv")
    assert payload == dcc.send_bytes(exports.csv_bytes(frame), "tissu-test-20260101.csv", type="text/csv")
    book = exports.download(frame, "tissu-test", "xlsx", sheet="Test")
    assert book["filename"] == "tissu-test.xlsx" and book["base64"] is True and book["type"] == exports.XLSX_MIMETYPE
    assert _book(base64.b64decode(book["content"])).active.title == "Test"
    with pytest.raises(exports.ExportFormatError, match="csv ou xlsx"):
        exports.download(frame, "x", "pdf")


def test_csv_response_for_the_api(app):
    with app.server.test_request_context():
        response = exports.csv_response(pd.DataFrame({"a": [1.5]}), "tissu-essai")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="tissu-essai.csv"'
    assert response.get_data() == "\ufeffa\r\n1,5\r\n".encode()


def test_no_export_is_written_outside_the_one_writer():
    sources = [p for folder in ("dashboard", "callbacks", "layouts") for p in (ROOT / folder).rglob("*.py")
               if p.name != "exports.py" and "importers" not in p.parts]  # importers write blank templates
    pattern = re.compile(r"\.to_csv\(|\.to_excel\(|ExcelWriter|send_bytes|send_data_frame|Workbook\(")
    assert [str(p.relative_to(ROOT)) for p in sources if pattern.search(p.read_text(encoding="utf-8"))] == []


# --- Hostile text through every export of the app -------------------------------------------------

@pytest.fixture(scope="module")
def hostile_app(databases, demo_database, tmp_path_factory):
    """An app on a copy of the demo database whose names, labels and sources are hostile strings."""
    from sqlalchemy import text

    from dashboard import models
    from dashboard.app import create_app
    from dashboard.settings import load_settings

    db = databases.create(demo_database)

    def cycle(conn, table: str, column: str, key: str = "id", suffix: bool = False) -> None:
        # PostgreSQL enforces VARCHAR lengths (SQLite does not): there the 10 KB string is cut to fit.
        length = None if databases.backend == "sqlite" else models.Base.metadata.tables[table].c[column].type.length
        keys = conn.execute(text(f"SELECT {key} FROM {table} ORDER BY {key}")).scalars().all()
        tails = [f" {k}" if suffix else "" for k in keys]
        rows = [{"value": HOSTILE[i % len(HOSTILE)][:length and length - len(tail)] + tail, "key": k}
                for i, (k, tail) in enumerate(zip(keys, tails))]
        conn.execute(text(f"UPDATE {table} SET {column} = :value WHERE {key} = :key"), rows)

    with db.engine.begin() as conn:
        cycle(conn, "establishments", "name")
        cycle(conn, "capabilities", "label", "code", suffix=True)  # labels are unique
        cycle(conn, "epci", "name", "code")
        cycle(conn, "participants", "name")
        cycle(conn, "meetings", "why")
        cycle(conn, "trades", "label", "code")
        cycle(conn, "bmo_areas", "name", "code")
        cycle(conn, "indicator_catalog", "label", "code")
        conn.execute(text("UPDATE datasets SET source_name = :v"), {"v": HOSTILE[0]})
        conn.execute(text("UPDATE recruitment_needs SET source_name = :v"), {"v": HOSTILE[3]})
    settings = load_settings({}, database_url=db.url, instance_dir=tmp_path_factory.mktemp("inst"), auto_demo=False)
    yield create_app(settings, db.engine)
    db.dispose()


def _every_export(app) -> dict[str, bytes]:
    """Every download button (callbacks called as functions) and every .csv route, by name."""
    from callbacks import coverage, explorer, indicators, partners, skills

    service = app.server.extensions["tissu"]
    partner = {"commune": "57463", "capability": "tournage", "radius_km": "30"}
    cover = {"capability": "forge", "radius_km": "50", "weight": "count", "level": "epci"}
    skill = {"departement": "57", "metier": "DEMO-I01", "annee": "2025"}
    calls = {"explorer": lambda kind: explorer.export_file(service, {"departement": ["55"]}, kind),
             "partners": lambda kind: partners.export_partners(service, partner, kind),
             "indicators": lambda kind: indicators.export_indicators(service, {"departement": "55"}, kind)}
    calls.update({f"coverage-{choice}": (lambda kind, c=choice: coverage.export_tables(service, cover, c, kind))
                  for choice in ("units", "summary", "matrix", "singles")})
    calls.update({f"skills-{table}": (lambda kind, t=table: skills.export_table(service, skill, t, kind))
                  for table in ("heatmap", "ranking", "trend", "map")})
    out = {f"{name}.{kind}": base64.b64decode(call(kind)["content"]) for name, call in calls.items()
           for kind in ("csv", "xlsx")}
    client = signed_in_client(app, "staff")  # the meetings CSV is staff's
    for route, query in (("/api/v1/establishments.csv", "?departement=55"), ("/api/v1/event/meetings.csv", "")):
        response = client.get(route + query)
        assert response.status_code == 200 and response.mimetype == "text/csv", route
        out[route] = response.data
    rules = {r.rule for r in app.server.url_map.iter_rules() if r.rule.endswith(".csv")}
    assert rules <= set(out), f"a .csv route is not covered: {rules - set(out)}"
    return out


def _assert_safe_csv(name: str, data: bytes) -> set[str]:
    texts = set()
    for row in _csv_rows(data):
        for cell in row:
            assert not cell.startswith(exports.FORMULA_PREFIXES) or NEGATIVE_NUMBER.fullmatch(cell), (name, cell[:40])
            texts.add(cell.removeprefix("'"))
    return texts


def _assert_safe_xlsx(name: str, data: bytes) -> set[str]:
    texts = set()
    for sheet in _book(data).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (name, sheet.title, cell.coordinate)
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (name, cell.coordinate)
                    texts.add(cell.value)
    return texts


def test_hostile_text_stays_inert_text_in_every_export(hostile_app, databases):
    outputs = _every_export(hostile_app)
    hostile = HOSTILE if databases.backend == "sqlite" else [h for h in HOSTILE if len(h) <= 120]  # see hostile_app
    reached = {}
    for name, data in outputs.items():
        book = name.endswith(".xlsx")
        texts = (_assert_safe_xlsx if book else _assert_safe_csv)(name, data)
        # XML parsers read a carriage return back as a line feed.
        reached[name] = {h for h in hostile if any((h.replace("\r", "\n") if book else h) in t for t in texts)}
    # The hostile strings really went through, unchanged apart from the CSV quote (RTL, emoji, 10 KB included).
    assert set().union(*reached.values()) == set(hostile)
    for name in ("explorer", "partners", "indicators", "coverage-units", "coverage-summary", "coverage-matrix",
                 "coverage-singles", "skills-heatmap", "skills-ranking", "skills-trend", "skills-map"):
        assert reached[f"{name}.csv"] | reached[f"{name}.xlsx"], f"no hostile text reached the {name} export"
    assert reached["/api/v1/establishments.csv"] == set(hostile)
    assert reached["/api/v1/event/meetings.csv"]
    meetings = _csv_rows(outputs["/api/v1/event/meetings.csv"])
    status = meetings[0].index("statut")
    assert {r[status] for r in meetings[1:]} <= set(STATUS_LABELS.values())
