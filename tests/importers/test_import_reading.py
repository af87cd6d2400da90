"""The streaming reader: block boundaries, quoting, line ends, column binding, fail-fast checks."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.importers import reading
from dashboard.importers.errors import FileFormatError
from dashboard.importers.reading import Keep, TableSpec, open_table

SPEC = TableSpec("test file", ",", ("id", "code"))


def _write(tmp_path, text: str, name: str = "t.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _rows(path, keep=(), spec=SPEC, **options):
    table = open_table(path, spec)
    try:
        return [(r.line, r.fields, r.malformed) for r in table.rows(keep, **options)], table
    finally:
        table.close()


def test_columns_are_bound_by_name_case_insensitively(tmp_path):
    path = _write(tmp_path, "extra,CODE,Id\nx,54001,1\n")
    table = open_table(path, SPEC)
    assert (table.position("code"), table.position("id"), table.position("absent")) == (1, 2, None)
    table.close()


@pytest.mark.parametrize("block_size", [8, 64, 1 << 20])
def test_prefix_filter_across_block_boundaries_crlf_quotes_and_blank_lines(tmp_path, monkeypatch, block_size):
    monkeypatch.setattr(reading, "BLOCK_SIZE", block_size)
    text = ('id,code,label\r\n1,54001,a\r\n2,67001,b\r\n\r\n3,57001,"x, ""y"""\r\n'
            '4,"88001",z\r\n5,2A004,c\r\n6,55,short\r\n7,54002,last')  # no final newline
    rows, table = _rows(_write(tmp_path, text), [Keep("code", frozenset({"54", "57", "88"}))])
    assert rows == [(2, ["1", "54001", "a"], False), (5, ["3", "57001", 'x, "y"'], False),
                    (6, ["4", "88001", "z"], False), (9, ["7", "54002", "last"], False)]
    assert table.rows_read == 7  # the blank line is not a row


def test_exact_filter_on_digits_and_on_text(tmp_path):
    text = "id,code\n00000001800010,a\n0000000180001,b\n00000001800010x,c\nabc,d\n"
    rows, _ = _rows(_write(tmp_path, text), [Keep("id", frozenset({"00000001800010", "abc"}), exact=True)])
    assert [r[1][1] for r in rows] == ["a", "d"]


def test_filter_on_the_last_column_with_crlf(tmp_path):
    text = "id,code\r\n1,54001\r\n2,67001\r\n3,54\r\n"
    rows, _ = _rows(_write(tmp_path, text), [Keep("code", frozenset({"54001", "54"}), exact=True)])
    assert [r[1][0] for r in rows] == ["1", "3"]


def test_malformed_lines_are_yielded_as_such(tmp_path):
    rows, _ = _rows(_write(tmp_path, "id,code,label\n1,54001\n2,54002,b,extra\n3,54003,c\n"),
                    [Keep("code", frozenset({"54"}))])
    assert rows == [(2, ["1", "54001"], True), (3, ["2", "54002", "b", "extra"], True),
                    (4, ["3", "54003", "c"], False)]


def test_max_date_is_over_every_row_not_only_the_kept_ones(tmp_path):
    text = ("id,code,d\n1,54001,2024-01-02T10:00:00\n2,67001,2025-12-06T05:25:38\n"
            '3,"67,002",2026-01-01\n4,54002,not a date\n')
    rows, table = _rows(_write(tmp_path, text), [Keep("code", frozenset({"54"}))], max_date_of="d")
    assert len(rows) == 2 and table.max_date == "2026-01-01"


def test_zip_as_downloaded(tmp_path):
    path = tmp_path / "t.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("inner_utf8.csv", "id,code\n1,54001\n2,67001\n")
    rows, _ = _rows(path, [Keep("code", frozenset({"54"}))])
    assert rows == [(2, ["1", "54001"], False)]


@pytest.mark.parametrize(("text", "problem"), [
    ("id;code\n1;54001\n", "wrong separator: the header is separated by semicolons (';')"),
    ("identifier,label\n1,a\n", "missing mandatory columns id, code"),
    ("", "the file is empty"),
    ("\n1,54001\n", "the first line (header) is empty"),
])
def test_files_that_are_not_what_they_claim_fail_fast(tmp_path, text, problem):
    path = _write(tmp_path, text)
    with pytest.raises(FileFormatError) as error:
        open_table(path, SPEC)
    assert problem in str(error.value) and str(path) in str(error.value)


def test_not_utf8_is_caught_in_the_first_block(tmp_path):
    path = _write(tmp_path, "id,code\n1,54001\n2,54002 Nancy É\n", encoding="latin-1")
    with pytest.raises(FileFormatError, match=r"is not UTF-8 .* on line 3"):
        open_table(path, SPEC)


def test_not_utf8_after_the_first_block_fails_while_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "BLOCK_SIZE", 16)
    path = _write(tmp_path, "id,code\n" + "1,54001\n" * 3 + "9,54009 É\n", encoding="latin-1")
    table = open_table(path, SPEC)
    with pytest.raises(FileFormatError, match="line 5 is not valid UTF-8"):
        list(table.rows([Keep("code", frozenset({"54"}))]))
    table.close()


def test_damaged_zip_and_gzip_are_refused(tmp_path):
    path = tmp_path / "t.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.csv", "id,code\n" + "1,54001\n" * 1000)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(FileFormatError, match="damaged or truncated zip"):
        open_table(path, SPEC)
    gz = _write(tmp_path, "", name="t.csv.gz")
    gz.write_bytes(b"\x1f\x8b\x08\x00rest")
    with pytest.raises(FileFormatError, match="gzip"):
        open_table(gz, SPEC)


def test_zip_with_several_files_is_refused(tmp_path):
    path = tmp_path / "t.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", "id,code\n")
        archive.writestr("b.csv", "id,code\n")
    with pytest.raises(FileFormatError, match="exactly one CSV"):
        open_table(path, SPEC)


def test_parquet_reads_text_and_restores_leading_zeros(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"id": pa.array([18, 26], pa.int64()), "code": ["54001", "67001"],
                             "when": pa.array([1, 2], pa.int32())}), path)
    spec = TableSpec("test file", ",", ("id", "code"), zero_pad={"id": 14})
    rows, table = _rows(path, [Keep("code", frozenset({"54"}))], spec=spec, use=["id", "when"])
    assert rows == [(1, ["00000000000018", "54001", "1"], False)] and table.rows_read == 2


values = st.text(alphabet=st.sampled_from(list('ab,"5478 ')), max_size=6)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(values, st.sampled_from(["54001", "57", "67001", "5", "", "88123"]), values),
                     max_size=25),
       block=st.integers(min_value=4, max_value=200))
def test_same_rows_as_the_csv_module(rows, block):
    """The vectorised filter keeps exactly the rows a plain csv.reader filter keeps."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "code", "label"])
    writer.writerows(rows)
    text = buffer.getvalue()
    expected = [r for r in csv.reader(io.StringIO(text, newline="")) if r][1:]
    expected = [r for r in expected if r[1][:2] in {"54", "57", "88"}]
    import tempfile
    from pathlib import Path

    old = reading.BLOCK_SIZE
    reading.BLOCK_SIZE = block
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "t.csv"
            path.write_text(text, encoding="utf-8", newline="")
            table = open_table(path, SPEC)
            got = [r.fields for r in table.rows([Keep("code", frozenset({"54", "57", "88"}))]) if not r.malformed]
            table.close()
    finally:
        reading.BLOCK_SIZE = old
    assert got == expected
