"""Validation of what a person posts to the network (page form or API JSON), before anything is written.

Each check raises NetworkInputError with the field and a French message; nothing is saved on any error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from dashboard.analytics.network import joined
from dashboard.services import input_rules as rules
from dashboard.services.input_rules import FieldInputError

RADIUS_RANGE_KM = (1.0, 300.0)
MAX_TITLE, MAX_DESCRIPTION, MAX_QUANTITY, MAX_MATERIAL = 200, 2000, 200, 200
MAX_CODES = 10
MAX_HORIZON_DAYS = 730  # a deadline or an availability at most two years ahead
VISIBILITIES = {"members": "Adhérents seulement", "public": "Public (sans le nom de l'acheteur)"}
OFFER_KINDS = {"capacity": "Capacité disponible", "byproduct": "Coproduit ou chute"}
NEED_FIELDS = frozenset({"site", "title", "description", "capabilities", "certifications_required",
                         "certifications_wished", "quantity", "radius_km", "deadline", "visibility", "status"})
OFFER_FIELDS = frozenset({"site", "kind", "title", "description", "capability", "material", "quantity",
                          "available_from", "available_until", "status"})


class NetworkInputError(FieldInputError):
    """A refused need or offer field."""


def _text(raw: Mapping[str, Any], name: str, label: str, limit: int, *, required: bool = False) -> str:
    return rules.text_value(raw, name, label, limit, error=NetworkInputError, required=required)


def _codes(raw: Mapping[str, Any], name: str, label: str, known: set[str]) -> list[str]:
    return rules.code_list(raw, name, label, known, most=MAX_CODES, error=NetworkInputError)


def _date(raw: Mapping[str, Any], name: str, label: str, today: dt.date, *, required: bool) -> dt.date | None:
    value = raw.get(name)
    if value in (None, ""):
        if required:
            raise NetworkInputError(name, f"{label} : date obligatoire.")
        return None
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            raise NetworkInputError(name, f"{label} : date invalide « {str(value)[:20]} » (AAAA-MM-JJ).") from None
    if day < today:
        raise NetworkInputError(name, f"{label} : la date est passée ({day.strftime('%d/%m/%Y')}).")
    if day > today + dt.timedelta(days=MAX_HORIZON_DAYS):
        raise NetworkInputError(name, f"{label} : deux ans au plus à partir d'aujourd'hui.")
    return day


def _status(raw: Mapping[str, Any]) -> str:
    status = raw.get("status", "open")
    if status not in ("open", "closed"):
        raise NetworkInputError("status", "Statut : « open » (ouvert) ou « closed » (clos).")
    return str(status)


def _common_texts(raw: Mapping[str, Any], wanted: Callable[[str], bool]) -> dict:
    """Title, description and quantity, shared by needs and offers (those `wanted`)."""
    fields = (("title", "Titre", MAX_TITLE, True), ("description", "Description", MAX_DESCRIPTION, False),
              ("quantity", "Quantité", MAX_QUANTITY, False))
    return {name: _text(raw, name, label, limit, required=required)
            for name, label, limit, required in fields if wanted(name)}


def need_values(raw: Mapping[str, Any], *, capabilities: set[str], certifications: set[str], today: dt.date,
                partial: bool = False) -> dict:
    """Database values of a need from posted fields (all of them, or those present when `partial`)."""
    out, wanted = rules.posted(raw, NEED_FIELDS, partial=partial, error=NetworkInputError)
    out.update(_common_texts(raw, wanted))
    if wanted("capabilities"):
        caps = _codes(raw, "capabilities", "Savoir-faire", capabilities)
        if not caps:
            raise NetworkInputError("capabilities", "Choisissez au moins un savoir-faire recherché.")
        out["capabilities"] = joined(caps)
    for name, label in (("certifications_required", "Certification exigée"),
                        ("certifications_wished", "Certification souhaitée")):
        if wanted(name):
            out[name] = joined(_codes(raw, name, label, certifications))
    if wanted("radius_km"):
        radius = raw.get("radius_km", 50)
        low, high = RADIUS_RANGE_KM
        if isinstance(radius, bool) or not isinstance(radius, int | float) or not low <= float(radius) <= high:
            raise NetworkInputError("radius_km", f"Rayon : un nombre de {low:g} à {high:g} km.")
        out["radius_km"] = float(radius)
    if wanted("deadline"):
        out["deadline"] = _date(raw, "deadline", "Date limite", today, required=True)
    if wanted("visibility"):
        visibility = raw.get("visibility", "members")
        if visibility not in VISIBILITIES:
            raise NetworkInputError("visibility", "Visibilité : « members » (adhérents) ou « public ».")
        out["visibility"] = visibility
    if "status" in raw:
        out["status"] = _status(raw)
    return out


def offer_values(raw: Mapping[str, Any], *, capabilities: set[str], today: dt.date, kind: str | None = None,
                 partial: bool = False) -> dict:
    """Database values of an offer from posted fields; `kind` is the stored kind when updating."""
    out, wanted = rules.posted(raw, OFFER_FIELDS, partial=partial, error=NetworkInputError)
    if not partial or "kind" in raw:
        if raw.get("kind") not in OFFER_KINDS:
            raise NetworkInputError("kind", "Type d'offre : « capacity » (capacité) ou « byproduct » (coproduit).")
        if partial and kind is not None and raw["kind"] != kind:
            raise NetworkInputError("kind", "Le type d'une offre ne change pas : publiez-en une nouvelle.")
        out["kind"] = kind = str(raw["kind"])
    out.update(_common_texts(raw, wanted))
    if kind == "capacity" and wanted("capability"):
        caps = _codes(raw, "capability", "Savoir-faire", capabilities)
        if len(caps) != 1:
            raise NetworkInputError("capability", "Une capacité disponible porte sur un savoir-faire.")
        out["capability_code"] = caps[0]
    if kind == "byproduct" and wanted("material"):
        out["material"] = _text(raw, "material", "Matière", MAX_MATERIAL, required=True)
    if wanted("available_from"):
        out["available_from"] = _date(raw, "available_from", "Disponible à partir du", today, required=False)
    if wanted("available_until"):
        out["available_until"] = _date(raw, "available_until", "Disponible jusqu'au", today, required=True)
    start, end = out.get("available_from"), out.get("available_until")
    if start and end and start > end:
        raise NetworkInputError("available_from", "La disponibilité commence après sa fin.")
    if "status" in raw:
        out["status"] = _status(raw)
    return out
