"""The explorer's table, served a block at a time: the grid asks for rows `start`..`end` in an order, we answer
them and the number of rows of the whole selection.

The display rows of every establishment are built once per data version (`table_frame`), in point-store order,
so a request costs a filter mask, a sort of integer ranks and the slice it shows; the sorted positions of a
selection are kept per (normalised criteria, order) in the snapshot's bounded LRU. The export does not come
through here: it writes the whole selection (`explorer.selected_records`).
"""

from __future__ import annotations

import functools
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.analytics.filters import SIZE_ORDER, Criteria, parse_criteria
from dashboard.formatting import fr_number
from dashboard.policy import Viewer, check_criteria, hidden_fields
from dashboard.services.base import DataService, Snapshot
from dashboard.services.filtering import matching_mask
from dashboard.services.industry_territories import filter_vocabulary
from dashboard.services.records import all_records

BLOCK_ROWS = 100  # rows per request (the grid's cacheBlockSize)
MAX_BLOCK_ROWS = 1_000  # a request for more is cut to this: no single request builds a whole selection
MAX_SORT_KEYS = 3
# Grid column -> how it sorts: "text" (accent- and case-insensitive) or "number".
COLUMNS = {
    "name": "text", "commune_name": "text", "departement": "text", "filiere_label": "text", "naf": "text",
    "size_band_label": "number", "headcount_estimate": "number", "capabilities_text": "text",
    "certifications_text": "text", "member_text": "text", "id": "text",
}
DEFAULT_ORDER = (("headcount_estimate", "desc"), ("name", "asc"))  # largest employers first


@dataclass(frozen=True)
class TablePage:
    """One block of grid rows and the size of the whole selection."""

    rows: list[dict]
    total: int

    @property
    def note(self) -> str:
        return f"{fr_number(self.total)} établissement(s)"


def _joined_labels(lists: pd.Series, labels: dict[str, str]) -> pd.Categorical:
    """", ".join of each list's labels as a Categorical, joined once per distinct list object: the records share
    one list per distinct combination (`analytics.records`), a few thousand at 1M sites, where a string per row
    was 50 MB per column."""
    keys = np.fromiter((id(codes) for codes in lists), dtype=np.int64, count=len(lists))
    per_row, distinct = pd.factorize(keys)
    first = np.unique(per_row, return_index=True)[1] if len(per_row) else np.zeros(0, dtype=np.int64)
    texts = pd.Series([", ".join(labels.get(c, c) for c in lists.iat[p]) for p in first], dtype="str")
    text_codes, unique_texts = pd.factorize(texts)
    return pd.Categorical.from_codes(text_codes[per_row] if len(per_row) else per_row,
                                     categories=pd.Index(unique_texts, dtype="str"))


def table_frame(service: DataService, snap: Snapshot) -> pd.DataFrame:
    """Every active establishment of `snap` as a grid row, positionally aligned with `snap.establishments`.
    Its text columns of few distinct values are Categoricals (the records' labels, the joined capabilities and
    certifications, oui/non): rows read with `to_dict` come out as plain strings."""
    def build() -> pd.DataFrame:
        look = service.lookups
        records = all_records(service, snap)
        caps = dict(zip(look.capabilities["code"], look.capabilities["label"]))
        certs = dict(zip(look.certifications["code"], look.certifications["label"]))
        member = records["member"].to_numpy(dtype=bool)
        return pd.DataFrame({
            "id": records["id"], "name": records["name"], "commune_name": records["commune_name"],
            "departement": records["departement"], "filiere_label": records["filiere_label"], "naf": records["naf"],
            "size_band_label": records["size_band_label"], "headcount_estimate": records["headcount_estimate"],
            "capabilities_text": _joined_labels(records["capabilities"], caps),
            "certifications_text": _joined_labels(records["certifications"], certs),
            "member_text": pd.Categorical.from_codes(np.where(member, 0, 1),
                                                     categories=pd.Index(["oui", "non"], dtype="str")),
        })
    return snap.cached("explorer_table_frame", build)


def _folded(text: object) -> str:
    """Sort key of a text cell: without accents or case, so "Épinal" sorts among the E."""
    if not isinstance(text, str):
        return ""
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch)).casefold()


def _char_class(test: Callable[[str], bool]) -> str:
    """A regex character class (RE2 syntax) of every code point passing `test`, as ranges."""
    ranges: list[tuple[int, int]] = []
    for point in range(sys.maxunicode + 1):
        if 0xD800 <= point <= 0xDFFF or not test(chr(point)):
            continue
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1] = (ranges[-1][0], point)
        else:
            ranges.append((point, point))
    return "[" + "".join(f"\\x{{{a:X}}}" + (f"-\\x{{{b:X}}}" if b > a else "") for a, b in ranges) + "]"


@functools.cache
def _fold_classes() -> tuple[str, str]:
    """(the marks `_folded` removes: a nonzero combining class; the characters `casefold` changes beyond lower
    case, such as "ß"), built once (a scan of Unicode, 0.5 s)."""
    return (_char_class(lambda ch: unicodedata.combining(ch) != 0),
            _char_class(lambda ch: ch.casefold() != ch and ch.lower() == ch))


def _text_ranks(values: pd.Series) -> np.ndarray:
    """Dense rank (from 0) of each cell's sort key (`_folded`; a missing cell: ""). A Categorical's distinct
    values are folded once; a string column is folded by Arrow (decomposed, the same marks removed, lower case:
    0.3 s at 1M names, against 4.5 s in Python), and the rare keys where `casefold` goes beyond lower case
    ("ß") by `_folded` itself: the keys are exactly `_folded`'s."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        folded = np.array([_folded(v) for v in values.cat.categories] + [""], dtype=object)
        return pd.factorize(folded[values.cat.codes.to_numpy()], sort=True)[0]  # code -1 (missing): the last key
    text = pa.array(values.to_numpy(dtype=object), type=pa.large_string()) if values.dtype == object \
        else pa.array(values)
    text = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
    marks, beyond_lower = _fold_classes()
    keys = pc.fill_null(pc.utf8_lower(pc.replace_substring_regex(pc.utf8_normalize(text, "NFD"), marks, "")), "")
    others = pc.match_substring_regex(keys, beyond_lower)
    if pc.any(others).as_py():
        rows = np.flatnonzero(others.to_numpy(zero_copy_only=False))
        exact = pa.array([_folded(v) for v in text.take(pa.array(rows)).to_pylist()], type=keys.type)
        keys = pc.replace_with_mask(keys, others, exact)
    return np.asarray(pc.rank(keys, sort_keys="ascending", tiebreaker="dense"), dtype=np.int64) - 1


def column_ranks(service: DataService, snap: Snapshot, column: str) -> np.ndarray:
    """Dense rank of each establishment in `column` (ties share a rank, empty cells rank first), per version."""
    def build() -> np.ndarray:
        if column == "size_band_label":  # bands sort by their size, not by their label
            values = snap.establishments["size_band_code"].map({c: i for i, c in enumerate(SIZE_ORDER)})
        else:
            values = table_frame(service, snap)[column]
        if COLUMNS[column] == "text":
            return _text_ranks(values).astype(np.int32)
        values = pd.to_numeric(values, errors="coerce").fillna(-1)
        return pd.factorize(values, sort=True)[0].astype(np.int32)
    return snap.cached(f"explorer_table_rank:{column}", build)


# Grid columns derived from record fields the policy may withhold (`policy.hidden_fields`).
COLUMN_FIELDS = {"member_text": "member"}


def _hidden_columns(viewer: Viewer) -> set[str]:
    return {column for column, name in COLUMN_FIELDS.items() if name in hidden_fields(viewer)}


def sort_order(sort_model: object, *, hidden: set[str] | frozenset[str] = frozenset()) -> tuple[tuple[str, str], ...]:
    """The grid's sort model as ((column, "asc"|"desc"), ...); unknown and `hidden` columns are ignored (an order
    by a withheld column would reveal it); none left: the default."""
    order = []
    for entry in sort_model if isinstance(sort_model, list) else []:
        if isinstance(entry, dict) and entry.get("colId") in COLUMNS and entry["colId"] not in hidden \
                and entry.get("sort") in ("asc", "desc"):
            order.append((entry["colId"], entry["sort"]))
    return tuple(order[:MAX_SORT_KEYS]) or DEFAULT_ORDER


def _criteria(service: DataService, criteria_params: dict | None, viewer: Viewer) -> Criteria:
    """The browser's criteria; Forbidden when one is reserved to other viewers (the member filter)."""
    params = {k: v if isinstance(v, list) else [v] for k, v in (criteria_params or {}).items() if v not in (None, "")}
    criteria = parse_criteria(params, filter_vocabulary(service), strict=False)[0]
    if criteria.member is not None:
        check_criteria(viewer, ["member"])
    return criteria


def sorted_positions(service: DataService, snap: Snapshot, criteria: Criteria,
                     order: tuple[tuple[str, str], ...]) -> np.ndarray:
    """Positions (in `snap.establishments`) of the selection, in `order`; cached per (criteria, order)."""
    def build() -> np.ndarray:
        mask = matching_mask(service, snap, criteria)
        positions = np.flatnonzero(np.asarray(mask, dtype=bool)).astype(np.int32)
        keys = [column_ranks(service, snap, column)[positions] * (-1 if direction == "desc" else 1)
                for column, direction in order]
        return positions[np.lexsort([positions, *reversed(keys)])]  # ties: point-store order, stable
    fields = tuple(getattr(criteria, f) for f in Criteria.__dataclass_fields__)
    return snap.lru(("explorer_table", fields, order), build)


def table_page(service: DataService, criteria_params: dict | None, viewer: Viewer, *, start: object = 0,
               end: object = BLOCK_ROWS, sort_model: object = None) -> TablePage:
    """Rows `start`..`end` (at most MAX_BLOCK_ROWS) of the selection in the grid's order, and its size, with only
    the columns this viewer may see (Forbidden for a reserved criterion)."""
    try:
        first = max(0, int(start))  # type: ignore[call-overload]
        last = min(first + MAX_BLOCK_ROWS, max(first, int(end)))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        first, last = 0, BLOCK_ROWS
    hidden = _hidden_columns(viewer)
    criteria = _criteria(service, criteria_params, viewer)
    snap = service.snapshot()  # once: the positions and the rows must come from the same data version
    positions = sorted_positions(service, snap, criteria, sort_order(sort_model, hidden=hidden))
    frame = table_frame(service, snap)
    shown = frame.iloc[positions[first:last]]
    return TablePage(shown[[c for c in frame.columns if c not in hidden]].to_dict("records"), len(positions))
