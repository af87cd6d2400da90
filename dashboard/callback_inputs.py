"""Callback inputs checked at the edge: a malformed `POST /_dash-update-component` is a 400, never a 500.

Dash hands a callback whatever JSON the request carries. Before Dash runs one, `check_callback_request` checks
the request against the callback map (a known output; exactly the inputs and states that callback declares,
with their ids and properties) and each value against the kind its component property holds (`Kind`,
derived once from the rendered pages by `kinds_of_components`). What a kind cannot say (an unknown code, a
point outside Lorraine) is the services' business: they parse the values as they parse a URL.
No Dash import: components are read through their `_type`, `_namespace` and properties.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

# Longest text a control may send (a search box, a URL's query string); URLs are capped at 8 KB by the server.
MAX_TEXT_CHARS = 8192
# Numbers beyond this are no coordinate, radius, count or year of tissu.
MAX_NUMBER = 1e9


class Kind(Enum):
    """What one component property may hold (null always allowed: Dash sends it for an unset property)."""

    ANY = "any"  # JSON of any shape (sizes capped by dashboard.limits)
    TEXT = "text"  # a string
    NUMBER = "number"  # a finite number
    COUNT = "count"  # a non-negative integer (n_clicks, n_intervals)
    CHOICE = "choice"  # one scalar: string or number
    CHOICES = "choices"  # a list of scalars (or one scalar)
    NUMBERS = "numbers"  # a list of numbers (a range slider)
    MAPPING = "mapping"  # an object
    PARAMS = "params"  # an object of name -> scalar or list of scalars (query stores)
    ROWS = "rows"  # a list of objects (grid rows)
    BOOL = "bool"


class CallbackRequestError(ValueError):
    """A callback request that cannot be run; `str()` is the French reason."""


@dataclass(frozen=True)
class Declared:
    """What a callback declares: its output key and the (id, property) of its inputs and states."""

    inputs: tuple[tuple[object, str], ...]
    state: tuple[tuple[object, str], ...]


_COUNT_PROPS = {"n_clicks", "n_submit", "n_blur", "n_intervals", "n_clicks_timestamp", "n_submit_timestamp",
                "n_blur_timestamp"}
_TEXT_PROPS = {"search_value", "pathname", "search", "hash", "href"}
_MAPPING_PROPS = {"clickData", "hoverData", "selectedData", "relayoutData", "restyleData", "viewport",
                  "cellClicked", "cellValueChanged", "paginationInfo", "filterModel"}
_BY_TYPE = {
    ("Checklist", "value"): Kind.CHOICES,
    ("RadioItems", "value"): Kind.CHOICE,
    ("Tabs", "value"): Kind.TEXT,
    ("Slider", "value"): Kind.NUMBER,
    ("RangeSlider", "value"): Kind.NUMBERS,
    ("Interval", "disabled"): Kind.BOOL,
    ("AgGrid", "selectedRows"): Kind.ROWS,
    ("AgGrid", "rowData"): Kind.ROWS,
}


def as_texts(value) -> list[str]:
    """A control's values as strings: a multi-select sends a list, a hand-made request may send one value."""
    if value is None:
        return []
    return [str(v) for v in (value if isinstance(value, list) else [value]) if v is not None]


def as_text(value) -> str | None:
    """One control value as a string (a list counts as unset)."""
    return None if value is None or isinstance(value, (list, dict)) else str(value)


def as_number(value) -> float | None:
    """A finite number from a control value, or None."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and abs(number) <= MAX_NUMBER else None


def kind_of(component_type: str, prop: str, value, *, multi: bool = False, input_type: str | None = None) -> Kind:
    """The kind of `prop` of a component of `component_type` whose rendered value is `value`."""
    if prop in _COUNT_PROPS:
        return Kind.COUNT
    if prop in _TEXT_PROPS:
        return Kind.TEXT
    if prop in _MAPPING_PROPS:
        return Kind.MAPPING
    if (component_type, prop) in _BY_TYPE:
        return _BY_TYPE[component_type, prop]
    if component_type == "Dropdown" and prop == "value":
        return Kind.CHOICES if multi else Kind.CHOICE
    if component_type == "Input" and prop == "value":
        return Kind.NUMBER if input_type == "number" else Kind.CHOICE
    if component_type == "Store" and prop == "data":
        return Kind.PARAMS if value is None or _is_params(value) else _kind_of_value(value)
    return _kind_of_value(value)


def _kind_of_value(value) -> Kind:
    if value is None:
        return Kind.ANY
    if isinstance(value, bool):
        return Kind.BOOL
    if isinstance(value, (int, float)):
        return Kind.NUMBER
    if isinstance(value, str):
        return Kind.TEXT
    if isinstance(value, dict):
        return Kind.MAPPING
    return Kind.ANY


def kinds_of_components(components: Iterable) -> dict[tuple[str, str], Kind]:
    """(id, property) -> Kind for every property of every component (rendered, with its data) that has an id."""
    kinds: dict[tuple[str, str], Kind] = {}
    for component in components:
        component_id = getattr(component, "id", None)
        if not isinstance(component_id, str):
            continue
        component_type = getattr(component, "_type", type(component).__name__)
        multi = bool(getattr(component, "multi", False))
        input_type = getattr(component, "type", None)
        for prop in getattr(component, "_prop_names", ()):
            if prop in ("id", "children"):
                continue
            kinds.setdefault((component_id, prop), kind_of(component_type, prop, getattr(component, prop, None),
                                                            multi=multi, input_type=input_type))
    return kinds


def _is_scalar(value) -> bool:
    return value is None or isinstance(value, (str, bool)) or _is_number(value)


def _is_number(value) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            and abs(value) <= MAX_NUMBER)


def _is_params(value) -> bool:
    return isinstance(value, dict) and all(
        isinstance(key, str) and (_is_scalar(item) or (isinstance(item, list) and all(map(_is_scalar, item))))
        for key, item in value.items())


def _text_ok(value) -> bool:
    return isinstance(value, str) and len(value) <= MAX_TEXT_CHARS


_CHECKS = {
    Kind.ANY: lambda v: True,
    Kind.TEXT: _text_ok,
    Kind.NUMBER: _is_number,
    Kind.COUNT: lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_NUMBER,
    Kind.CHOICE: lambda v: _text_ok(v) or _is_number(v),
    Kind.CHOICES: lambda v: (isinstance(v, list) and all(_text_ok(i) or _is_number(i) for i in v))
    or _text_ok(v) or _is_number(v),
    Kind.NUMBERS: lambda v: isinstance(v, list) and all(map(_is_number, v)),
    Kind.MAPPING: lambda v: isinstance(v, dict),
    Kind.PARAMS: _is_params,
    Kind.ROWS: lambda v: isinstance(v, list) and all(isinstance(i, dict) for i in v),
    Kind.BOOL: lambda v: isinstance(v, bool),
}

_KIND_LABELS = {
    Kind.TEXT: "un texte", Kind.NUMBER: "un nombre", Kind.COUNT: "un entier positif", Kind.CHOICE: "une valeur",
    Kind.CHOICES: "une liste de valeurs", Kind.NUMBERS: "une liste de nombres", Kind.MAPPING: "un objet",
    Kind.PARAMS: "un objet de paramètres", Kind.ROWS: "une liste de lignes", Kind.BOOL: "vrai ou faux",
}


def value_problem(kind: Kind, value) -> str | None:
    """Why `value` cannot be a value of `kind`, or None."""
    if value is None or _CHECKS[kind](value):
        return None
    return f"{_KIND_LABELS.get(kind, 'une valeur')} attendu"


def declared_callbacks(callback_map: Mapping[str, Mapping]) -> dict[str, Declared]:
    """Output key -> what the callback declares, for every callback that runs on the server."""
    def pairs(items) -> tuple[tuple[object, str], ...]:
        return tuple((_pattern(item["id"]), item["property"]) for item in items)

    return {key: Declared(pairs(entry["inputs"]), pairs(entry["state"]))
            for key, entry in callback_map.items() if "callback" in entry}


def _pattern(component_id):
    """A pattern-matching id (Dash writes it as sorted JSON in the callback map) as a dict; others unchanged."""
    if isinstance(component_id, str) and component_id.startswith("{"):
        with contextlib.suppress(ValueError):
            return json.loads(component_id)
    return component_id


_WILDCARDS = (["ALL"], ["ALLSMALLER"])


def _matches(pattern: dict, component_id) -> bool:
    """Whether a concrete dict id fits a pattern (same keys; wildcards match any scalar)."""
    if not isinstance(component_id, dict) or component_id.keys() != pattern.keys():
        return False
    return all(_is_scalar(component_id[key]) if value in (*_WILDCARDS, ["MATCH"]) else component_id[key] == value
               for key, value in pattern.items())


def _items(body: Mapping, part: str, expected: tuple[tuple[object, str], ...]) -> list[tuple[object, object, object]]:
    items = body.get(part, [] if part == "state" else None)
    if not isinstance(items, list) or len(items) != len(expected):
        raise CallbackRequestError(f"« {part} » : {len(expected)} élément(s) attendu(s)")
    found: list[tuple[object, object, object]] = []
    for item, (component_id, prop) in zip(items, expected):
        if isinstance(component_id, dict) and any(v in _WILDCARDS for v in component_id.values()):
            # ALL: one item per matching component, maybe none
            if not isinstance(item, list) or not all(isinstance(i, dict) and _matches(component_id, i.get("id"))
                                                     and i.get("property") == prop for i in item):
                raise CallbackRequestError(f"« {part} » : une liste de {prop} attendue")
            found.extend((None, prop, i.get("value")) for i in item)
            continue
        if isinstance(component_id, dict):  # MATCH, or a dict id without wildcard
            if not isinstance(item, dict) or not _matches(component_id, item.get("id")) or item.get("property") != prop:
                raise CallbackRequestError(f"« {part} » : {prop} attendu")
            found.append((None, prop, item.get("value")))
            continue
        if not isinstance(item, dict) or item.get("id") != component_id or item.get("property") != prop:
            raise CallbackRequestError(f"« {part} » : {component_id}.{prop} attendu")
        found.append((component_id, prop, item.get("value")))
    return found


def _check_outputs(body: Mapping, key: str) -> None:
    outputs = body.get("outputs")
    multi = key.startswith("..")
    if multi and not (isinstance(outputs, list) and all(isinstance(o, dict) for o in outputs)):
        raise CallbackRequestError("« outputs » : une liste de sorties attendue")
    if not multi and not isinstance(outputs, dict):
        raise CallbackRequestError("« outputs » : une sortie attendue")
    listed: list = outputs if isinstance(outputs, list) else [outputs]
    for output in listed:
        if not isinstance(output.get("property"), str) or not isinstance(output.get("id"), (str, dict)):
            raise CallbackRequestError("« outputs » : identifiant et propriété attendus")
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        raise CallbackRequestError("« changedPropIds » : une liste de noms attendue")


def check_callback_request(body, declared: Mapping[str, Declared], kinds: Mapping[tuple[str, str], Kind]) -> None:
    """Raise CallbackRequestError (French reason) unless `body` is a request Dash can run as declared."""
    if not isinstance(body, dict):
        raise CallbackRequestError("requête illisible (un objet JSON est attendu)")
    key = body.get("output")
    if not isinstance(key, str) or key not in declared:
        raise CallbackRequestError("sortie inconnue")
    _check_outputs(body, key)
    spec = declared[key]
    for part, expected in (("inputs", spec.inputs), ("state", spec.state)):
        for component_id, prop, value in _items(body, part, expected):
            # A pattern-matching input has no rendered value here: its property's name says its kind.
            kind = (kinds.get((str(component_id), str(prop)), Kind.ANY) if isinstance(component_id, str)
                    else kind_of("", str(prop), None))
            problem = value_problem(kind, value)
            if problem:
                raise CallbackRequestError(f"{component_id}.{prop} : {problem}")
