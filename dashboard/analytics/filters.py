"""The explorer's filters: parsed from a URL or API query, applied to establishments.

One definition serves the map (mirrored in assets/tissu.js), the table, the exports and the API, so the
same filters always give the same count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.analytics.text import matches

SIZE_ORDER = ("NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42", "51", "52", "53")

@dataclass(frozen=True)
class Criteria:
    """What the user asked for; empty tuples and None mean "no constraint"."""

    departements: tuple[str, ...] = ()
    epci: tuple[str, ...] = ()
    zones: tuple[str, ...] = ()
    filieres: tuple[str, ...] = ()
    divisions: tuple[str, ...] = ()  # NAF divisions, e.g. "25"
    naf: tuple[str, ...] = ()  # NAF sub-classes, e.g. "25.62B"
    size_min: str | None = None  # INSEE size band code: this band or larger
    capabilities: tuple[str, ...] = ()
    capability_mode: str = "all"  # "all" of the capabilities, or "any" of them
    certifications: tuple[str, ...] = ()  # every one of them
    member: bool | None = None  # True: UIMM members only; False: non-members only
    q: str = ""  # words of the name or the commune, accent- and case-insensitive
    territoires: tuple[str, ...] = ()  # Territoires d'industrie (ANCT), by their communes: any of them

    def is_empty(self) -> bool:
        return self == Criteria()

@dataclass(frozen=True)
class Vocabulary:
    """Valid codes for each filter (from the reference tables)."""

    departements: frozenset[str]
    epci: frozenset[str]
    zones: frozenset[str]
    filieres: frozenset[str]
    divisions: frozenset[str]
    naf: frozenset[str]
    capabilities: frozenset[str]
    certifications: frozenset[str]
    territoires: frozenset[str] = frozenset()  # empty until the ANCT list is imported

# URL / API parameter name -> Criteria field. Multi-valued ones accept repeats and commas.
PARAMETERS = {
    "departement": "departements", "epci": "epci", "zone_emploi": "zones", "filiere": "filieres",
    "division": "divisions", "naf": "naf", "size_min": "size_min", "capability": "capabilities",
    "capability_mode": "capability_mode", "certification": "certifications", "member": "member", "q": "q",
    "territoire_industrie": "territoires",
}
# Most values accepted for one multi-valued parameter: a person selects a handful; a forged list of
# thousands would only cost time (API: 400 naming the parameter; pages: the rest is ignored, with a notice).
MAX_VALUES = 100
_MULTI = {"departements", "epci", "zones", "filieres", "divisions", "naf", "capabilities", "certifications",
          "territoires"}
_LABELS = {"departements": "département", "epci": "EPCI", "zones": "zone d'emploi", "filieres": "filière",
           "divisions": "division NAF", "naf": "code NAF", "capabilities": "savoir-faire",
           "certifications": "certification", "territoires": "Territoire d'industrie"}
_TRUE, _FALSE = {"1", "true", "oui", "yes"}, {"0", "false", "non", "no"}

class CriteriaError(ValueError):
    """A filter value that cannot be used; `parameter` names the query parameter."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter

class RejectedValues:
    """Where bad parameter values go: strict (API) raises `error(parameter, message)` at the first one;
    otherwise (pages) the French messages are kept in `notices`, so a bad link still opens its page."""

    def __init__(self, error: Callable[[str, str], Exception], *, strict: bool):
        self.error = error
        self.strict = strict
        self.notices: list[str] = []
        self.ignored = "" if strict else " (ignoré)"  # ends each message where the value is dropped

    def reject(self, parameter: str, message: str) -> None:
        if self.strict:
            raise self.error(parameter, message)
        self.notices.append(message)


def _normalize_naf(code: str) -> str:
    code = code.strip().upper()
    if len(code) == 5 and "." not in code:  # 2562B -> 25.62B
        code = f"{code[:2]}.{code[2:]}"
    return code

def parse_criteria(params: Mapping[str, Iterable[str]], vocab: Vocabulary, *,
                   strict: bool) -> tuple[Criteria, list[str]]:
    """Criteria from query parameters (name -> list of values).

    strict=True (API): the first bad value raises CriteriaError. strict=False (pages): bad values are
    dropped and described in the returned French notices, so a bad link still opens a page.
    """
    values: dict = {}
    rejected = RejectedValues(CriteriaError, strict=strict)
    ignored, reject = rejected.ignored, rejected.reject

    for parameter, name in PARAMETERS.items():
        raw = [v for item in params.get(parameter, []) for v in str(item).split(",") if v.strip() != ""]
        if not raw:
            continue
        if len(raw) > MAX_VALUES:
            reject(parameter, f"{parameter} : {MAX_VALUES} valeurs au plus ({len(raw)} reçues){ignored}.")
            raw = raw[:MAX_VALUES]
        if name in _MULTI:
            allowed = getattr(vocab, name)
            cleaned = [_normalize_naf(v) if name == "naf" else v.strip() for v in raw]
            good = tuple(dict.fromkeys(v for v in cleaned if v in allowed))
            for bad in [v for v in cleaned if v not in allowed]:
                reject(parameter, f"{_LABELS[name].capitalize()} inconnu(e) : « {bad} »{ignored}.")
            values[name] = good
        elif name == "size_min":
            if raw[0] in SIZE_ORDER:
                values[name] = raw[0]
            else:
                reject(parameter, f"Tranche d'effectif inconnue : « {raw[0]} »{ignored}. Codes INSEE : "
                                  f"{', '.join(SIZE_ORDER)}.")
        elif name == "capability_mode":
            if raw[0] in ("all", "any"):
                values[name] = raw[0]
            else:
                reject(parameter, f"Mode de savoir-faire inconnu : « {raw[0]} » (all ou any){ignored}.")
        elif name == "member":
            flag = raw[0].lower()
            if flag in _TRUE | _FALSE:
                values[name] = flag in _TRUE
            else:
                reject(parameter, f"Valeur d'adhésion inconnue : « {raw[0]} » (oui ou non){ignored}.")
        elif name == "q":
            text = " ".join(raw).strip()
            if len(text) > 100:
                reject(parameter, f"Recherche trop longue : 100 caractères au plus{ignored}.")
                text = text[:100]
            values[name] = text
    return Criteria(**values), rejected.notices

def criteria_to_params(criteria: Criteria) -> list[tuple[str, str]]:
    """The query parameters that reproduce `criteria` (defaults left out), in a stable order."""
    out: list[tuple[str, str]] = []
    default = Criteria()
    for parameter, name in PARAMETERS.items():
        value = getattr(criteria, name)
        if value == getattr(default, name):
            continue
        if name in _MULTI:
            out.append((parameter, ",".join(value)))
        elif isinstance(value, bool):
            out.append((parameter, "oui" if value else "non"))
        else:
            out.append((parameter, str(value)))
    return out

def _has_codes(links: pd.DataFrame, code_column: str, codes: tuple[str, ...], *, mode: str) -> pd.Index:
    """Establishment ids linked to all (or any) of `codes`."""
    wanted = links[links[code_column].isin(codes)]
    per_site = wanted.groupby("establishment_id")[code_column].nunique()
    return per_site.index[per_site >= (len(codes) if mode == "all" else 1)]

@dataclass(frozen=True)
class CodedColumn:
    """A column as integer codes into its distinct values (`pd.factorize`), the last one missing (code -1)."""

    codes: np.ndarray
    values: pd.Series  # the distinct values, then one missing value: `values.iloc[-1]` is what -1 stands for


# The filtered code columns: few distinct values, so a test per distinct value gathered by code (4-7 ms at 1M)
# replaces a string test per row (an Arrow `isin`: 12-47 ms at 1M; `benchmarks/filters.py`).
CODED_COLUMNS = ("department_code", "epci_code", "zone_code", "filiere_code", "naf_code", "size_band_code",
                 "commune_code")


def coded_columns(establishments: pd.DataFrame) -> dict[str, CodedColumn]:
    """`CODED_COLUMNS` of `establishments`, factorized, for `filter_mask(coded=...)` on this very frame."""
    out = {}
    for column in (c for c in CODED_COLUMNS if c in establishments.columns):
        codes, values = pd.factorize(establishments[column], use_na_sentinel=True)
        dtype = np.int16 if len(values) < 2**15 else np.int32
        out[column] = CodedColumn(codes.astype(dtype), pd.Series(values).reindex(range(len(values) + 1)))
    return out


def filter_mask(establishments: pd.DataFrame, criteria: Criteria, *, capability_links: pd.DataFrame,
                certification_links: pd.DataFrame,
                territory_communes: Mapping[str, Iterable[str]] | None = None,
                coded: Mapping[str, CodedColumn] | None = None) -> np.ndarray:
    """Boolean mask over `establishments` (rows in any order) of those matching `criteria`.

    `territory_communes` (Territoire d'industrie code -> commune codes) is needed when `criteria.territoires` is set.
    `coded` (`coded_columns` of this same frame, cached by the caller) only makes the code tests faster: each test
    runs once per distinct value (and once on a missing one), and its answers are gathered by code.
    """
    frame = establishments
    mask = np.ones(len(frame), dtype=bool)

    def test(column: str, matching: Callable[[pd.Series], pd.Series]) -> np.ndarray:
        known = coded.get(column) if coded is not None else None
        if known is None or len(known.codes) != len(frame):
            return matching(frame[column]).to_numpy(dtype=bool)
        return matching(known.values).to_numpy(dtype=bool)[known.codes]

    def keep(column: str, codes: tuple[str, ...]) -> None:
        nonlocal mask
        if codes:
            mask &= test(column, lambda values: values.isin(codes))

    keep("department_code", criteria.departements)
    keep("epci_code", criteria.epci)
    keep("zone_code", criteria.zones)
    keep("filiere_code", criteria.filieres)
    keep("naf_code", criteria.naf)
    if criteria.divisions:
        mask &= test("naf_code", lambda values: values.fillna("").str[:2].isin(criteria.divisions))
    if criteria.size_min:  # this band or a larger one
        keep("size_band_code", SIZE_ORDER[SIZE_ORDER.index(criteria.size_min):])
    if criteria.capabilities:
        ids = _has_codes(capability_links, "capability_code", criteria.capabilities, mode=criteria.capability_mode)
        mask &= frame["id"].isin(ids).to_numpy()
    if criteria.certifications:
        ids = _has_codes(certification_links, "certification_code", criteria.certifications, mode="all")
        mask &= frame["id"].isin(ids).to_numpy()
    if criteria.territoires:
        if territory_communes is None:
            raise ValueError("filter_mask: territory_communes is needed to filter on Territoires d'industrie")
        communes = set().union(*(set(territory_communes.get(code, ())) for code in criteria.territoires))
        mask &= test("commune_code", lambda values: values.isin(communes))
    if criteria.member is not None:
        mask &= (frame["is_member"].astype(bool) == criteria.member).to_numpy()
    if criteria.q:
        text = frame["name"].fillna("") + " " + frame["commune_name"].fillna("")
        mask &= matches(text, criteria.q).to_numpy()
    return mask

def vocabulary_from(lookups, territories: Iterable[str] = ()) -> Vocabulary:
    """Valid codes from the service's lookup tables (and the imported Territoires d'industrie)."""
    return Vocabulary(
        departements=frozenset(lookups.departments["code"]),
        epci=frozenset(lookups.epci["code"]),
        zones=frozenset(lookups.zones["code"]),
        filieres=frozenset(lookups.filieres["code"]),
        divisions=frozenset(lookups.naf["division_code"]),
        naf=frozenset(lookups.naf["code"]),
        capabilities=frozenset(lookups.capabilities["code"]),
        certifications=frozenset(lookups.certifications["code"]),
        territoires=frozenset(territories),
    )
