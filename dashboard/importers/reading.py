"""Stream big tables (a CSV, the `.zip` as downloaded, or Parquet) and keep only the rows in scope.

Every value is read as text and columns are bound by name (case-insensitive), never by position,
so extra columns are ignored and optional ones may be missing.

The national Sirene files have tens of millions of rows of which tissu keeps a few per cent. For a
CSV, the filter therefore runs on the raw bytes, one block of about 1 MB at a time, with numpy:
the line and separator positions give the start of the filtered columns, whose first characters
are compared with the wanted values. Only the lines that pass (and the lines numpy cannot judge:
those with a quote, or with an unexpected number of separators) are decoded and split in Python.
Memory stays flat whatever the file size. Parquet files are read by row batches with pyarrow,
projecting only the columns used.

A line number is the physical line of the CSV (the header is line 1; Sirene values never contain
a line break), or the 1-based row of a Parquet file.
"""

from __future__ import annotations

import csv
import queue
import re
import threading
import zipfile
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO

import numpy as np

from dashboard.importers.errors import FileFormatError
from dashboard.importers.report import Progress

BLOCK_SIZE = 1 << 20  # numpy work per block fits in the CPU cache: faster than bigger blocks
_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_PARQUET_MAGIC = b"PAR1"
_GZIP_MAGIC = b"\x1f\x8b"
_SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
_DATE_PREFIX = re.compile(r"\d{4}-\d\d-\d\d")
_NL, _CR, _QUOTE = 10, 13, 34
_READ_AHEAD = 4
_END = object()


@dataclass(frozen=True)
class TableSpec:
    """What a file must look like: its title for messages, separator and mandatory columns.

    `alternatives` lists groups of columns of which at least one group must be complete (e.g. the
    geolocation file needs `x`,`y` or `x_longitude`,`y_latitude`). `zero_pad` restores the leading
    zeros of identifier columns that a Parquet file might store as integers.
    """

    title: str
    separator: str
    mandatory: tuple[str, ...]
    alternatives: tuple[tuple[str, ...], ...] = ()
    zero_pad: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Keep:
    """Keep a row whose column starts with one of `values` (or equals one, when `exact`)."""

    column: str
    values: frozenset[str]
    exact: bool = False


@dataclass(frozen=True)
class Row:
    line: int
    fields: list[str]
    malformed: bool = False  # the line does not have as many fields as the header


class Table(ABC):
    """An opened, checked table; `rows()` streams the rows in scope once."""

    def __init__(self, path: Path, spec: TableSpec, columns: list[str]):
        self.path = Path(path)
        self.spec = spec
        self.columns = columns
        self._index: dict[str, int] = {}
        for i, name in enumerate(columns):
            self._index.setdefault(name.strip().lower(), i)
        self.rows_read = 0
        self.rows_yielded = 0
        self.max_date: str | None = None  # max 'YYYY-MM-DD' of the `max_date_of` column over ALL rows
        self._check_columns()

    # --- columns -----------------------------------------------------------------------------

    def has(self, name: str) -> bool:
        return name.lower() in self._index

    def at(self, name: str) -> int:
        """The position of a column the file has (check with `has` first)."""
        position = self.position(name)
        if position is None:
            raise KeyError(name)
        return position

    def position(self, name: str) -> int | None:
        """Position of a column in the yielded field lists (case-insensitive), None when absent."""
        return self._index.get(name.lower())

    def _missing(self, names: Sequence[str]) -> list[str]:
        return [n for n in names if not self.has(n)]

    def _check_columns(self) -> None:
        missing = self._missing(self.spec.mandatory)
        groups_ok = not self.spec.alternatives or any(not self._missing(g) for g in self.spec.alternatives)
        if missing or not groups_ok:
            self._columns_error(missing)

    def _columns_error(self, missing: list[str]) -> None:
        wanted = list(missing)
        if not wanted:
            wanted = [" and ".join(g) for g in self.spec.alternatives]
            problem = f"needs the columns {' or '.join(wanted)}"
        else:
            problem = f"missing mandatory column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
        found = ", ".join(self.columns[:6]) + (", …" if len(self.columns) > 6 else "")
        raise FileFormatError(self.path, f"is not a {self.spec.title}: {problem} (header starts with: {found})")

    # --- rows --------------------------------------------------------------------------------

    @abstractmethod
    def rows(self, keep: Sequence[Keep] = (), *, use: Sequence[str] = (), max_date_of: str | None = None,
             progress: Progress | None = None) -> Iterator[Row]:
        """The rows kept by `keep` (all when empty), as field lists in column order."""

    @abstractmethod
    def close(self) -> None:
        """Release the file (and the archive holding it)."""


def open_table(path: Path | str, spec: TableSpec) -> Table:
    """Open a CSV, a zip holding one CSV, or a Parquet file; check its header against `spec`.

    Raises FileFormatError naming the file and the problem before any row is read.
    """
    path = Path(path)
    if not path.is_file():
        raise FileFormatError(path, "file not found")
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if not magic:
        raise FileFormatError(path, "the file is empty")
    if magic == _PARQUET_MAGIC:
        return _ParquetTable.open(path, spec)
    if magic == _GZIP_MAGIC:
        raise FileFormatError(path, "is gzip-compressed: decompress it first (zip, CSV and Parquet are read directly)")
    return _CsvTable.open(path, spec, is_zip=magic in (_ZIP_MAGIC, _EMPTY_ZIP_MAGIC))


# --- CSV ---------------------------------------------------------------------------------------

class _CsvTable(Table):
    def __init__(self, path: Path, spec: TableSpec, columns: list[str], *, raw: BinaryIO, stream: IO[bytes],
                 first_block: bytes, total_bytes: int, archive: zipfile.ZipFile | None):
        self._raw, self._stream, self._first, self._total = raw, stream, first_block, total_bytes
        self._archive = archive
        self.separator = spec.separator
        super().__init__(path, spec, columns)

    @classmethod
    def open(cls, path: Path, spec: TableSpec, *, is_zip: bool) -> _CsvTable:
        # The table owns the file once built: close it here only when opening or checking fails.
        with ExitStack() as on_failure:
            raw = on_failure.enter_context(open(path, "rb"))
            archive = None
            stream: IO[bytes] = raw
            if is_zip:
                archive, stream = _open_zip_member(path, raw)
                on_failure.callback(archive.close)
            header = _read(path, stream, 1 << 16, line=True)
            first_block = _read(path, stream, BLOCK_SIZE)
            columns = _parse_header(path, spec, header)
            _check_utf8(path, first_block[: first_block.rfind(b"\n") + 1], first_line=2)
            table = cls(path, spec, columns, raw=raw, stream=stream, first_block=first_block,
                        total_bytes=path.stat().st_size, archive=archive)
            on_failure.pop_all()
        return table

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()
        self._raw.close()

    def _fraction(self) -> float | None:
        try:
            return self._raw.tell() / self._total if self._total else None
        except (OSError, ValueError):
            return None

    def rows(self, keep: Sequence[Keep] = (), *, use: Sequence[str] = (), max_date_of: str | None = None,
             progress: Progress | None = None) -> Iterator[Row]:
        ncols = len(self.columns)
        sep = self.separator
        sep_byte = sep.encode()
        matchers = [_Matcher(self.at(k.column), k) for k in keep if self.has(k.column)]
        if len(matchers) < len(keep):  # a filter on a column the file does not have keeps nothing
            return
        date_col = self.position(max_date_of) if max_date_of else None
        best_date = 0
        line_no = 2
        try:
            for buf in _complete_lines(self.path, self._stream, self._first, read_ahead=self._archive is not None):
                block = _scan(buf, sep_byte[0], ncols, matchers, date_col)
                best_date = max(best_date, block.max_date)
                self.rows_read += block.rows
                for i, begin, end, fast in zip(block.candidates, block.starts, block.ends, block.fast):
                    data = buf[begin:end]
                    if data.endswith(b"\r"):
                        data = data[:-1]
                    if not data:
                        continue
                    number = line_no + i
                    try:
                        text = data.decode("utf-8")
                    except UnicodeDecodeError as err:
                        raise FileFormatError(self.path, f"line {number} is not valid UTF-8 ({err.reason} at byte "
                                                         f"{err.start}); the file must be encoded in UTF-8") from None
                    if fast:
                        fields = text.split(sep)
                    else:
                        fields = next(csv.reader([text], delimiter=sep), [])
                        if len(fields) != ncols:
                            self.rows_yielded += 1
                            yield Row(number, fields, malformed=True)
                            continue
                        if date_col is not None:
                            best_date = max(best_date, _date_int(fields[date_col]))
                        if not all(m.accepts(fields) for m in matchers):
                            continue
                    self.rows_yielded += 1
                    yield Row(number, fields)
                line_no += block.lines
                if progress is not None:
                    progress.update(rows_read=self.rows_read, rows_kept=self.rows_yielded, fraction=self._fraction())
        finally:
            self.max_date = _date_text(best_date)
        if progress is not None:
            progress.update(rows_read=self.rows_read, rows_kept=self.rows_yielded, fraction=1.0)


def _open_zip_member(path: Path, raw: BinaryIO) -> tuple[zipfile.ZipFile, IO[bytes]]:
    try:
        archive = zipfile.ZipFile(raw)
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        raise FileFormatError(path, f"is a damaged or truncated zip archive ({err}); download it again") from None
    members = [i for i in archive.infolist() if not i.is_dir()]
    tables = [i for i in members if i.filename.lower().endswith((".csv", ".txt"))] or members
    if len(tables) != 1:
        names = ", ".join(i.filename for i in members[:5]) or "nothing"
        archive.close()
        raise FileFormatError(path, f"the zip archive should hold exactly one CSV file, it holds {names}")
    try:
        return archive, archive.open(tables[0])
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as err:  # zipfile: unsupported method
        archive.close()
        raise FileFormatError(path, f"cannot open {tables[0].filename} in the zip archive ({err})") from None


def _read(path: Path, stream: IO[bytes], size: int, *, line: bool = False) -> bytes:
    """Up to `size` bytes (or one line of at most that many); a damaged archive member is a FileFormatError."""
    try:
        return stream.readline(size) if line else stream.read(size)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as err:
        raise FileFormatError(path, f"is damaged or truncated: reading failed ({err}); download it again") from None


def _complete_lines(path: Path, stream: IO[bytes], first: bytes, *, read_ahead: bool) -> Iterator[bytes]:
    """Blocks of whole lines (the last one may lack its final newline)."""
    rest = first
    for chunk in (_chunks_ahead(path, stream) if read_ahead else _chunks(path, stream)):
        buf = rest + chunk if rest else chunk
        cut = buf.rfind(b"\n") + 1
        if cut == 0:
            rest = buf
            continue
        yield buf[:cut]
        rest = buf[cut:]
    if rest:
        yield rest


def _chunks(path: Path, stream: IO[bytes]) -> Iterator[bytes]:
    while chunk := _read(path, stream, BLOCK_SIZE):
        yield chunk


def _chunks_ahead(path: Path, stream: IO[bytes]) -> Iterator[bytes]:
    """Chunks read (and unzipped: zlib releases the GIL) in a thread, overlapping the numpy scan.

    At most `_READ_AHEAD` chunks wait in memory.
    """
    chunks: queue.Queue = queue.Queue(maxsize=_READ_AHEAD)
    stop = threading.Event()

    def produce() -> None:
        try:
            while not stop.is_set():
                chunk = _read(path, stream, BLOCK_SIZE)
                item = chunk if chunk else _END
                while not stop.is_set():
                    try:
                        chunks.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if not chunk:
                    return
        except BaseException as err:  # handed to the consumer, which raises it
            chunks.put(err)

    reader = threading.Thread(target=produce, name=f"read {path.name}", daemon=True)
    reader.start()
    try:
        while True:
            item = chunks.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while reader.is_alive():
            try:
                chunks.get_nowait()
            except queue.Empty:
                reader.join(0.05)


def _parse_header(path: Path, spec: TableSpec, header: bytes) -> list[str]:
    if not header.strip():
        raise FileFormatError(path, f"is not a {spec.title}: the first line (header) is empty")
    if not header.endswith(b"\n") and len(header) >= (1 << 16):
        raise FileFormatError(path, f"is not a {spec.title}: no header line found (binary file?)")
    try:
        text = header.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError as err:
        raise FileFormatError(path, f"is not UTF-8 ({err.reason} in the header); the file must be encoded "
                                    "in UTF-8") from None
    columns = [c.strip() for c in next(csv.reader([text], delimiter=spec.separator))]
    lower = {c.lower() for c in columns}
    needed = [c.lower() for c in spec.mandatory] + [c.lower() for g in spec.alternatives for c in g[:1]]
    if all(n in lower for n in needed):
        return columns
    for other in _SEPARATORS:
        if other == spec.separator or other not in text:
            continue
        names = {c.strip().lower() for c in next(csv.reader([text], delimiter=other))}
        if sum(n in names for n in needed) > sum(n in lower for n in needed):
            raise FileFormatError(path, f"wrong separator: the header is separated by {_SEPARATORS[other]}s "
                                        f"('{other}') where a {spec.title} uses {_SEPARATORS[spec.separator]}s "
                                        f"('{spec.separator}')")
    return columns  # the column check of Table names what is missing


def _check_utf8(path: Path, data: bytes, *, first_line: int) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = first_line + data.count(b"\n", 0, err.start)
        raise FileFormatError(path, f"is not UTF-8 ({err.reason} on line {line}); the file must be encoded "
                                    "in UTF-8") from None


class _Matcher:
    """Vectorised test of one Keep condition on the raw bytes of a block, and its exact Python twin."""

    def __init__(self, column: int, keep: Keep):
        self.column = column
        self.exact = keep.exact
        self.values = keep.values
        by_length: dict[int, list[bytes]] = {}
        for value in keep.values:
            encoded = value.encode()
            if encoded:
                by_length.setdefault(len(encoded), []).append(encoded)
        self.groups: list[tuple[int, str, np.ndarray]] = []
        for length, values in sorted(by_length.items()):
            if length <= 2:  # a lookup table indexed by the first one or two bytes
                table = np.zeros(256 ** length, dtype=bool)
                for v in values:
                    table[int.from_bytes(v, "big")] = True
                self.groups.append((length, "table", table))
            elif length <= 18 and all(v.isdigit() for v in values):  # digits as an integer, binary search
                self.groups.append((length, "number", np.unique(np.array([int(v) for v in values], np.int64))))
            else:
                self.groups.append((length, "bytes", np.array(sorted(values), dtype=f"S{length}")))
        self.lengths = tuple(g[0] for g in self.groups)

    def accepts(self, fields: list[str]) -> bool:
        value = fields[self.column]
        if self.exact:
            return value in self.values
        return any(value[:n] in self.values for n in self.lengths)

    def mask(self, a: np.ndarray, start: np.ndarray, length: np.ndarray) -> np.ndarray:
        out = np.zeros(len(start), dtype=bool)
        last = len(a) - 1
        for n, kind, values in self.groups:
            long_enough = (length == n) if self.exact else (length >= n)
            if kind == "table":
                key = a[np.minimum(start, last)].astype(np.int64)
                if n == 2:
                    key = (key << 8) | a[np.minimum(start + 1, last)]
                hit = values[key]
            elif kind == "number":
                number = np.zeros(len(start), dtype=np.int64)
                valid = np.ones(len(start), dtype=bool)
                for j in range(n):
                    digit = a[np.minimum(start + j, last)].astype(np.int64) - 48
                    valid &= (digit >= 0) & (digit <= 9)
                    number = number * 10 + digit
                pos = np.minimum(np.searchsorted(values, number), len(values) - 1)
                hit = valid & (values[pos] == number)
            else:
                keys = a[np.minimum(start[:, None] + np.arange(n), last)]
                hit = np.isin(np.ascontiguousarray(keys).view(f"S{n}").ravel(), values)
            out |= hit & long_enough
        return out


@dataclass
class _Block:
    candidates: list[int]  # line indexes (in the block) to decode
    starts: list[int]  # their byte bounds in the block
    ends: list[int]
    fast: list[bool]  # unquoted, right number of fields, already matched: a plain split is exact
    rows: int  # non-blank lines
    lines: int  # physical lines (newlines)
    max_date: int  # YYYYMMDD


def _scan(buf: bytes, sep: int, ncols: int, matchers: list[_Matcher], date_col: int | None) -> _Block:
    """Find the lines of `buf` that may be kept (see the module docstring)."""
    a = np.frombuffer(buf, dtype=np.uint8)
    last = len(a) - 1
    newlines = np.flatnonzero(a == _NL)
    ends = newlines if a[last] == _NL else np.append(newlines, len(a))
    n = len(ends)
    starts = np.empty(n, dtype=np.int64)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    size = ends - starts
    blank = (size == 0) | ((size == 1) & (a[np.minimum(starts, last)] == _CR))
    seps = np.flatnonzero(a == sep)
    first = np.searchsorted(seps, starts)  # index in `seps` of each line's first separator
    following = np.empty(n, dtype=np.int64)
    following[:-1] = first[1:]
    following[-1] = len(seps)
    ok = (following - first) == ncols - 1
    quotes = np.flatnonzero(a == _QUOTE)
    if len(quotes):
        ok[np.searchsorted(ends, quotes)] = False
    lines = np.flatnonzero(ok)  # lines numpy can judge
    top = len(seps) - 1

    def field(col: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        begin = starts[rows] if col == 0 else seps[np.minimum(first[rows] + col - 1, top)] + 1
        if col < ncols - 1:
            end = seps[np.minimum(first[rows] + col, top)]
        else:
            end = ends[rows]
            end = end - ((end > begin) & (a[np.maximum(end - 1, 0)] == _CR))
        return begin, end

    best = 0
    if date_col is not None and len(lines):
        begin, end = field(date_col, lines)
        number = np.zeros(len(lines), dtype=np.int64)
        valid = (end - begin) >= 10
        for j in (0, 1, 2, 3, 5, 6, 8, 9):
            digit = a[np.minimum(begin + j, last)].astype(np.int64) - 48
            valid &= (digit >= 0) & (digit <= 9)
            number = number * 10 + digit
        for j in (4, 7):
            valid &= a[np.minimum(begin + j, last)] == ord("-")
        if valid.any():
            best = int(number[valid].max())
    kept = lines
    for matcher in matchers:  # each condition narrows the lines the next one looks at
        if not len(kept):
            break
        begin, end = field(matcher.column, kept)
        kept = kept[matcher.mask(a, begin, end - begin)]
    fast = np.zeros(n, dtype=bool)
    fast[kept] = True
    candidates = np.flatnonzero(fast | (~ok & ~blank))
    return _Block(candidates=candidates.tolist(), starts=starts[candidates].tolist(),
                  ends=ends[candidates].tolist(), fast=fast[candidates].tolist(),
                  rows=int(n - blank.sum()), lines=len(newlines), max_date=best)


def _date_int(value: str) -> int:
    return int(value[:10].replace("-", "")) if _DATE_PREFIX.match(value) else 0


def _date_text(value: int) -> str | None:
    if not value:
        return None
    text = f"{value:08d}"
    return f"{text[:4]}-{text[4:6]}-{text[6:]}"


# --- Parquet -----------------------------------------------------------------------------------

class _ParquetTable(Table):
    def __init__(self, path: Path, spec: TableSpec, columns: list[str], parquet_file):
        self._file = parquet_file
        super().__init__(path, spec, columns)

    @classmethod
    def open(cls, path: Path, spec: TableSpec) -> _ParquetTable:
        try:
            import pyarrow.parquet as pq
        except ImportError:  # pragma: no cover - pyarrow is a dependency
            raise FileFormatError(path, "is a Parquet file: install pyarrow to read it") from None
        try:
            parquet_file = pq.ParquetFile(path)
        except Exception as err:  # pyarrow raises ArrowInvalid, OSError… for damaged files
            raise FileFormatError(path, f"is a damaged or truncated Parquet file ({err})") from None
        return cls(path, spec, list(parquet_file.schema_arrow.names), parquet_file)

    def close(self) -> None:
        self._file.close()

    def rows(self, keep: Sequence[Keep] = (), *, use: Sequence[str] = (), max_date_of: str | None = None,
             progress: Progress | None = None) -> Iterator[Row]:
        import pyarrow as pa
        import pyarrow.compute as pc

        if not all(self.has(k.column) for k in keep):
            return
        wanted = {self.columns[self.at(n)] for n in [*use, *(k.column for k in keep)] if self.has(n)}
        if max_date_of and self.has(max_date_of):
            wanted.add(self.columns[self.at(max_date_of)])
        names = [c for c in self.columns if c in wanted]
        slots = [self.columns.index(c) for c in names]
        total = self._file.metadata.num_rows
        pad = {k.lower(): v for k, v in self.spec.zero_pad.items()}
        best: str | None = None
        try:
            for batch in self._file.iter_batches(batch_size=1 << 16, columns=names):
                texts = {}
                for name in names:
                    column = batch.column(name)
                    integer = pa.types.is_integer(column.type)
                    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
                        column = pc.cast(column, pa.string())
                    if integer and name.lower() in pad:
                        column = pc.utf8_lpad(column, pad[name.lower()], "0")
                    texts[name] = pc.fill_null(column, "")
                mask = pa.array(np.ones(batch.num_rows, dtype=bool))
                for k in keep:
                    column = texts[self.columns[self.at(k.column)]]
                    if k.exact:
                        hit = pc.is_in(column, value_set=pa.array(sorted(k.values), pa.string()))
                    else:
                        hit = pa.array(np.zeros(batch.num_rows, dtype=bool))
                        for n in sorted({len(v) for v in k.values}):
                            values = pa.array(sorted(v for v in k.values if len(v) == n), pa.string())
                            hit = pc.or_(hit, pc.is_in(pc.utf8_slice_codeunits(column, 0, n), value_set=values))
                    mask = pc.and_(mask, hit)
                if max_date_of and self.has(max_date_of):
                    dates = pc.utf8_slice_codeunits(texts[self.columns[self.at(max_date_of)]], 0, 10)
                    dates = pc.filter(dates, pc.match_substring_regex(dates, r"^\d{4}-\d\d-\d\d$"))
                    if len(dates):
                        top = pc.max(dates).as_py()
                        best = top if best is None or top > best else best
                kept = np.flatnonzero(np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool))
                if len(kept):
                    chosen = pa.array(kept)
                    values = [pc.take(texts[n], chosen).to_pylist() for n in names]
                    for j, i in enumerate(kept.tolist()):
                        fields = [""] * len(self.columns)
                        for slot, column in zip(slots, values):
                            fields[slot] = column[j]
                        self.rows_yielded += 1
                        yield Row(self.rows_read + i + 1, fields)
                self.rows_read += batch.num_rows
                if progress is not None:
                    progress.update(rows_read=self.rows_read, rows_kept=self.rows_yielded,
                                    fraction=self.rows_read / total if total else None)
        except (OSError, pa.ArrowException) as err:
            raise FileFormatError(self.path, f"is damaged or truncated: reading failed ({err})") from None
        finally:
            self.max_date = best
        if progress is not None:
            progress.update(rows_read=self.rows_read, rows_kept=self.rows_yielded, fraction=1.0)


def describe(path: Path | str) -> str:
    """'file.csv' or 'file.zip' for messages and reports (the name, not the full path)."""
    return Path(path).name


__all__ = ["BLOCK_SIZE", "Keep", "Row", "Table", "TableSpec", "describe", "open_table"]
