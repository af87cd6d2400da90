"""Validation of what staff and facilitators post about circles and sessions (page form or API JSON).

Each check raises CircleInputError with the field and a French message; nothing is saved on any error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from dashboard import territory
from dashboard.analytics.circles import TERRITORY_KINDS
from dashboard.services import input_rules as rules
from dashboard.services.input_rules import FieldInputError

MAX_NAME, MAX_DESCRIPTION, MAX_TITLE, MAX_ADDRESS, MAX_MESSAGE = 200, 2000, 200, 300, 500
CAPACITY_RANGE = (1, 500)  # seats of one session
DURATION_RANGE_MIN = (15, 600)
MAX_HORIZON_DAYS = 730  # a session at most two years ahead
CIRCLE_FIELDS = frozenset({"name", "theme", "territory_kind", "territory_code", "description", "facilitator_user",
                           "facilitator_site", "status"})
SESSION_FIELDS = frozenset({"title", "starts_at", "duration_min", "commune", "address", "lat", "lon", "capacity",
                            "status"})
LORRAINE_BOUNDS = ((47.8, 50.2), (4.8, 7.7))  # (lat, lon) ranges a session place must fall in (default territory)


def place_bounds() -> tuple[tuple[float, float], tuple[float, float]]:
    """(lat, lon) ranges a session place must fall in: the territory's extent plus about 20 km."""
    active = territory.active()
    if active.is_default:
        return LORRAINE_BOUNDS
    west, south, east, north = active.bounds()
    return (round(south - 0.2, 1), round(north + 0.2, 1)), (round(west - 0.3, 1), round(east + 0.3, 1))


class CircleInputError(FieldInputError):
    """A refused circle or session field."""


def _posted(raw: Mapping[str, Any], allowed: frozenset[str], partial: bool) -> tuple[dict, Callable[[str], bool]]:
    return rules.posted(raw, allowed, partial=partial, error=CircleInputError, field_cut=40)


def text(raw: Mapping[str, Any], name: str, label: str, limit: int, *, required: bool = False) -> str:
    return rules.text_value(raw, name, label, limit, error=CircleInputError, required=required)


def _integer(raw: Mapping[str, Any], name: str, label: str, low: int, high: int, default: int | None = None) -> int:
    value = raw.get(name, default)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise CircleInputError(name, f"{label} : un nombre entier de {low} à {high}.")
    return value


def _status(raw: Mapping[str, Any], allowed: dict[str, str]) -> str:
    status = raw.get("status")
    if status not in allowed:
        raise CircleInputError("status", "Statut : " + " ou ".join(f"« {k} » ({v})" for k, v in allowed.items()) + ".")
    return str(status)


def circle_values(raw: Mapping[str, Any], *, themes: set[str], departments: set[str], zones: set[str],
                  partial: bool = False) -> dict:
    """Database values of a circle from posted fields (all of them, or those present when `partial`).
    The facilitator (account id, site) is checked by the service, which knows the accounts and sites."""
    out, wanted = _posted(raw, CIRCLE_FIELDS, partial)
    if wanted("name"):
        out["name"] = text(raw, "name", "Nom du cercle", MAX_NAME, required=True)
    if wanted("theme"):
        theme = raw.get("theme")
        if theme not in themes:
            raise CircleInputError("theme", f"Thème inconnu : « {str(theme or '')[:40]} ».")
        out["theme_code"] = theme
    if wanted("territory_kind") or "territory_code" in raw:
        kind = raw.get("territory_kind", "lorraine")
        if kind not in TERRITORY_KINDS:
            raise CircleInputError("territory_kind", "Territoire : « department », « zone » ou « lorraine ».")
        code = raw.get("territory_code") or ""
        if not isinstance(code, str):
            raise CircleInputError("territory_code", "Territoire : code attendu.")
        known = departments if kind == "department" else zones if kind == "zone" else {""}
        if kind == "lorraine":
            code = ""
        elif code not in known:
            raise CircleInputError("territory_code", f"Territoire inconnu : « {code[:20]} » "
                                   f"({TERRITORY_KINDS[kind].lower()}).")
        out["territory_kind"], out["territory_code"] = kind, code
    if wanted("description"):
        out["description"] = text(raw, "description", "Description", MAX_DESCRIPTION)
    if "status" in raw:
        out["status"] = _status(raw, {"open": "ouvert", "closed": "clos"})
    return out


def _moment(raw: Mapping[str, Any], now: dt.datetime) -> dt.datetime:
    value = raw.get("starts_at")
    if value in (None, ""):
        raise CircleInputError("starts_at", "Date et heure : champ obligatoire.")
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value)[:19])
        except ValueError:
            raise CircleInputError("starts_at", f"Date et heure invalides « {str(value)[:25]} » "
                                   "(AAAA-MM-JJTHH:MM).") from None
    moment = moment.replace(tzinfo=None, second=0, microsecond=0)
    if moment < now:
        raise CircleInputError("starts_at", f"La séance serait dans le passé ({moment.strftime('%d/%m/%Y %H:%M')}).")
    if moment > now + dt.timedelta(days=MAX_HORIZON_DAYS):
        raise CircleInputError("starts_at", "Une séance se planifie deux ans à l'avance au plus.")
    return moment


def _coordinate(raw: Mapping[str, Any], name: str, label: str, bounds: tuple[float, float]) -> float | None:
    value = raw.get(name)
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not bounds[0] <= float(value) <= bounds[1]:
        raise CircleInputError(name, f"{label} : un nombre entre {bounds[0]:g} et {bounds[1]:g} "
                                     f"({territory.active().label}).")
    return float(value)


def session_values(raw: Mapping[str, Any], *, communes: set[str], now: dt.datetime, registered: int = 0,
                   partial: bool = False) -> dict:
    """Database values of a session; `registered` (when editing) bounds the capacity from below."""
    out, wanted = _posted(raw, SESSION_FIELDS, partial)
    if wanted("title"):
        out["title"] = text(raw, "title", "Intitulé de la séance", MAX_TITLE, required=True)
    if wanted("starts_at"):
        out["starts_at"] = _moment(raw, now)
    if wanted("duration_min"):
        out["duration_min"] = _integer(raw, "duration_min", "Durée (minutes)", *DURATION_RANGE_MIN, default=120)
    if wanted("commune"):
        commune = raw.get("commune")
        if commune not in communes:
            raise CircleInputError("commune", f"Commune inconnue (code INSEE) : « {str(commune or '')[:10]} ».")
        out["commune_code"] = commune
    if wanted("address"):
        out["address"] = text(raw, "address", "Adresse", MAX_ADDRESS)
    lat = _coordinate(raw, "lat", "Latitude", place_bounds()[0]) if wanted("lat") else None
    lon = _coordinate(raw, "lon", "Longitude", place_bounds()[1]) if wanted("lon") else None
    if (lat is None) != (lon is None) and wanted("lat") and wanted("lon"):
        raise CircleInputError("lat", "Indiquez la latitude et la longitude, ou aucune des deux.")
    if wanted("lat"):
        out["lat"] = lat
    if wanted("lon"):
        out["lon"] = lon
    if wanted("capacity"):
        low, high = CAPACITY_RANGE
        capacity = raw.get("capacity")
        if isinstance(capacity, float) and capacity.is_integer():
            capacity = int(capacity)
        if isinstance(capacity, bool) or not isinstance(capacity, int) or not low <= capacity <= high:
            raise CircleInputError("capacity", f"Capacité : un nombre entier de places de {low} à {high}.")
        if capacity < registered:
            raise CircleInputError("capacity", f"Capacité : {registered} établissements sont déjà inscrits.")
        out["capacity"] = capacity
    if "status" in raw:
        out["status"] = _status(raw, {"planned": "prévue", "cancelled": "annulée"})
    return out


def join_message(value: Any) -> str:
    return text({"message": value}, "message", "Message", MAX_MESSAGE)
