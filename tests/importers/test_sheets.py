"""The sheet reader of the small importers: encodings, separators, workbooks, line numbers, named errors."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from dashboard.cli import main
from dashboard.importers.errors import FileFormatError
from dashboard.importers.sheets import Line, Sheet, cell_text, read_sheet, read_sheets


def _csv(tmp_path, data: bytes, name: str = "t.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _xlsx(tmp_path, sheets: dict[str, list[list]], name: str = "t.xlsx"):
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def _table(sheet: Sheet) -> list[tuple[int, list]]:
    return [(row.number, row.values) for row in sheet.rows]


# --- encodings ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "encoding"), [
    ("Commune;Nom\n57463;Metz é\n".encode(), "utf-8"),
    ("\ufeffCommune;Nom\n57463;Metz é\n".encode(), "utf-8"),  # Excel's "CSV UTF-8" starts with a BOM
    ("Commune;Nom\n57463;Metz é\n".encode("utf-16"), "utf-16"),  # Excel's "Texte Unicode"
    ("Commune;Nom\n57463;Metz é\n".encode("cp1252"), "cp1252"),  # Excel's "CSV (séparateur: point-virgule)"
])
def test_csv_encodings_are_recognised_and_the_bom_dropped(tmp_path, data, encoding):
    sheet = read_sheet(_csv(tmp_path, data))
    assert sheet.encoding == encoding
    assert _table(sheet) == [(1, ["Commune", "Nom"]), (2, ["57463", "Metz é"])]


def test_bytes_windows_1252_leaves_undefined_are_read_as_latin_1(tmp_path):
    sheet = read_sheet(_csv(tmp_path, b"a;b\n\x81;\xe9\n"))
    assert (sheet.encoding, sheet.rows[1].values) == ("latin-1", ["\x81", "é"])


def test_utf8_only_refuses_a_legacy_file_naming_the_line(tmp_path):
    path = _csv(tmp_path, "SIRET;Nom\n1;ok\n2;Décolletage\n".encode("cp1252"))
    with pytest.raises(FileFormatError, match=r'is not UTF-8 \(invalid .* on line 3\); in Excel, save as "CSV UTF-8"'):
        read_sheet(path, utf8_only=True)


# --- separators and line numbers ---------------------------------------------------------------

@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_the_separator_is_the_most_frequent_on_the_first_line(tmp_path, separator):
    text = separator.join(["a", "b", "c"]) + "\n" + separator.join(["1", "2,5", "x;y"]) + "\n"
    if separator != "\t":  # the other separators inside a cell must be quoted
        text = separator.join(["a", "b", "c"]) + "\n" + separator.join(["1", '"2,5"', '"x;y"']) + "\n"
    assert read_sheet(_csv(tmp_path, text.encode())).rows[1].values == ["1", "2,5", "x;y"]


def test_a_single_column_file_is_read_whole(tmp_path):
    assert _table(read_sheet(_csv(tmp_path, b"SIRET\n123\n"))) == [(1, ["SIRET"]), (2, ["123"])]


def test_rows_keep_the_line_where_their_record_starts(tmp_path):
    text = 'ref;note\r\nA;"two\r\nlines"\r\n\r\nB;  padded  \r\n;\r\nC;last'  # CRLF, blank rows, no final newline
    sheet = read_sheet(_csv(tmp_path, text.encode()))
    assert _table(sheet) == [(1, ["ref", "note"]), (2, ["A", "two\r\nlines"]), (4, []), (5, ["B", "  padded  "]),
                             (6, ["", ""]), (7, ["C", "last"])]
    assert [(row.number, row.text(1)) for row in sheet.records()] == [(2, "two\r\nlines"), (5, "padded"),
                                                                      (7, "last")]


def test_header_only_and_empty_files(tmp_path):
    header_only = read_sheet(_csv(tmp_path, b"\xef\xbb\xbfa;b\r\n"))
    assert (header_only.header, header_only.records()) == (["a", "b"], [])
    for name, data in (("empty.csv", b""), ("blank.csv", b"\r\n\n ; \n"), ("bom.csv", b"\xef\xbb\xbf")):
        with pytest.raises(FileFormatError, match="the file is empty") as error:
            read_sheet(_csv(tmp_path, data, name))
        assert name in str(error.value)
    with pytest.raises(FileFormatError, match="file not found"):
        read_sheet(tmp_path / "absent.csv")


# --- named errors instead of tracebacks --------------------------------------------------------

def test_an_oversize_cell_is_a_named_error_with_its_line(tmp_path):
    limit = csv.field_size_limit()
    path = _csv(tmp_path, b"a;b\n1;2\n3;" + b"x" * (limit + 1) + b"\n4;5\n")
    with pytest.raises(FileFormatError, match=rf"line 3 holds a cell longer than {limit // 1024} KB") as error:
        read_sheet(path)
    assert str(path) in str(error.value)


def test_an_unclosed_quote_is_reported_on_the_line_it_opens(tmp_path):
    body = "".join(f"{i};ligne {i}\n" for i in range(4, 20_000))
    path = _csv(tmp_path, ('a;b\n1;ok\n2;"jamais fermé\n' + body).encode())
    with pytest.raises(FileFormatError, match="line 3 holds a cell longer than .* quotation mark left open"):
        read_sheet(path)


def test_an_oversize_cell_reaches_the_user_as_a_message_not_a_traceback(fresh_target, tmp_path, monkeypatch, capsys):
    fresh_target.point_cli_here(monkeypatch)
    path = _csv(tmp_path, b"insee_com,lib_com,id_ti,lib_ti\n57463,Metz,ti-1," + b"x" * (1 << 18) + b"\n")
    assert main(["import", "territoires-industrie", str(path)]) == 2
    err = capsys.readouterr().err
    assert "line 2 holds a cell longer than" in err and "Traceback" not in err


def test_an_old_xls_workbook_is_named(tmp_path):
    with pytest.raises(FileFormatError, match=r"Excel 97-2003 workbook \(.xls\)"):
        read_sheet(_csv(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.xls"))


@pytest.mark.parametrize("cut", [None, 0.5, 0.9])
def test_a_damaged_or_truncated_workbook_is_a_named_error(tmp_path, cut):
    if cut is None:
        path = _csv(tmp_path, b"PK\x03\x04broken", "broken.xlsx")
    else:
        good = _xlsx(tmp_path, {"Feuil1": [["a", "b"], *[[i, f"valeur {i}"] for i in range(2000)]]}).read_bytes()
        path = _csv(tmp_path, good[: int(len(good) * cut)], "cut.xlsx")
    with pytest.raises(FileFormatError, match="not a readable XLSX workbook|damaged XLSX workbook"):
        read_sheet(path)


def test_a_workbook_whose_sheet_is_damaged_fails_while_reading_it(tmp_path):
    import zipfile

    good = _xlsx(tmp_path, {"Feuil1": [["a", "b"], [1, 2]]})
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data[: len(data) // 2] if item.filename.endswith("sheet1.xml") else data)
    with pytest.raises(FileFormatError, match="is a damaged XLSX workbook: sheet 'Feuil1' cannot be read"):
        read_sheet(damaged)


# --- workbooks ---------------------------------------------------------------------------------

def test_a_workbook_is_read_from_its_first_sheet_with_row_numbers_and_cell_types(tmp_path):
    path = _xlsx(tmp_path, {"Données": [["SIRET", "Effectif", "Date", "Adhérent"],
                                        [123, 12.0, dt.datetime(2025, 3, 31), True],
                                        [None, None, None, None],
                                        ["00012", 2.5, dt.datetime(2025, 3, 31, 10, 30), False]],
                            "Autre": [["x"]]})
    sheet = read_sheet(path)
    assert (sheet.name, sheet.encoding) == ("Données", None)
    assert [(row.number, [row.text(i) for i in range(4)]) for row in sheet.records()] == [
        (2, ["123", "12", "2025-03-31", "oui"]), (4, ["00012", "2.5", "2025-03-31 10:30:00", "non"])]
    assert sheet.records()[0].value(0) == 123  # raw values stay available (an Excel number lost its zeros)


def test_the_sheet_is_chosen_by_name_by_rank_or_must_exist(tmp_path):
    path = _xlsx(tmp_path, {"Notes": [["lisez-moi"]], "Liste": [["Réf", "Nom"], ["E1", "A"]],
                            "Adhérents": [["Réf", "Nom"], ["E2", "B"]]})
    assert read_sheet(path, sheet="Liste").rows[1].values == ["E1", "A"]
    has_ref = lambda title, header: int("Réf" in header) + int(title == "Adhérents")
    assert read_sheet(path, rank=has_ref).name == "Adhérents"  # the best rank, not the first match
    assert read_sheet(path, rank=lambda title, header: 0).name == "Notes"  # nothing ranked: the first sheet
    with pytest.raises(FileFormatError, match=r"has no sheet 'Absente' \(sheets: Notes, Liste, Adhérents\); use -s"):
        read_sheet(path, sheet="Absente", hint="; use -s")
    with pytest.raises(FileFormatError, match=r"has no sheet named like BMO \(sheets: Notes, Liste, Adhérents\)"):
        read_sheet(path, rank=lambda title, header: 0, wanted="sheet named like BMO")


def test_an_empty_workbook_and_an_empty_chosen_sheet(tmp_path):
    with pytest.raises(FileFormatError, match="the file is empty"):
        read_sheet(_xlsx(tmp_path, {"Feuil1": []}, "empty.xlsx"))
    with pytest.raises(FileFormatError, match="the sheet 'Vide' is empty"):
        read_sheet(_xlsx(tmp_path, {"Feuil1": [["a"]], "Vide": []}, "two.xlsx"), sheet="Vide")


def test_read_sheets_gives_every_non_empty_sheet_or_the_csv(tmp_path):
    path = _xlsx(tmp_path, {"Séries": [["a"], [1]], "Vide": [], "Projets": [["b"]]})
    assert [(s.name, _table(s)) for s in read_sheets(path)] == [("Séries", [(1, ["a"]), (2, [1])]),
                                                                 ("Projets", [(1, ["b"])])]
    csv_path = _csv(tmp_path, b"a,b\n1,2\n")
    assert [(s.name, _table(s)) for s in read_sheets(csv_path)] == [("t.csv", [(1, ["a", "b"]), (2, ["1", "2"])])]


# --- cells and columns -------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "text"), [
    (None, ""), ("  Metz \u00a0", "Metz"), (57463.0, "57463"), (1.25, "1.25"), (7, "7"), (True, "oui"),
    (False, "non"), (dt.date(2026, 11, 26), "2026-11-26"), (dt.datetime(2026, 11, 26), "2026-11-26"),
    (dt.datetime(2026, 11, 26, 8, 5), "2026-11-26 08:05:00"), (dt.time(9, 30), "09:30:00"),
])
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_columns_bind_the_first_header_cell_of_each_name_and_rows_read_past_their_end(tmp_path):
    sheet = read_sheet(_csv(tmp_path, "N° SIRET;Nom;SIRET;Autre\n1;A\n".encode()))
    canonical = {"n siret": "siret", "siret": "siret", "nom": "name"}
    columns = sheet.columns(lambda h: canonical.get(str(h).lower().replace("°", "")))
    assert columns == {"siret": 0, "name": 1}
    row = sheet.records()[0]
    assert (row.text(columns["siret"]), row.text(3), row.text(None), row.value(9)) == ("1", "", "", None)
    get = row.text_by_name(columns)
    assert (get("siret"), get("name"), get("commune")) == ("1", "A", "")
    assert Line(3, [None, " "]).is_blank()
