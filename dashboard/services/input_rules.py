"""The checks every posted form or API body goes through (network, practices, circles): known fields only,
bounded text, lists of known codes, a site the viewer may act for. Each raises the caller's FieldInputError
subclass with the field and a French message, so a topic keeps its own error type while the rules stay
written once."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from dashboard.policy import Action, Viewer, require, require_act_for


class FieldInputError(ValueError):
    """A posted value refused: `field` names it, `message` says why (French)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def check_fields(raw: Mapping[str, Any], allowed: frozenset[str], *, error: type[FieldInputError],
                 field_cut: int | None = None) -> None:
    """A mapping with no field outside `allowed` (the error's field is the first unknown name, cut to
    `field_cut` characters when given)."""
    if not isinstance(raw, Mapping):
        raise error("body", "Un objet JSON est attendu.")
    unknown = sorted(set(raw) - allowed)
    if unknown:
        name = str(unknown[0])
        raise error(name if field_cut is None else name[:field_cut],
                    f"Champ inconnu : « {name[:40]} ». Acceptés : {', '.join(sorted(allowed))}.")


def posted(raw: Mapping[str, Any], allowed: frozenset[str], *, partial: bool, error: type[FieldInputError],
           field_cut: int | None = None) -> tuple[dict, Callable[[str], bool]]:
    """After `check_fields`: an empty dict for the database values and whether a field is to be read (always,
    or when `partial` only if it was posted)."""
    check_fields(raw, allowed, error=error, field_cut=field_cut)
    return {}, lambda name: not partial or name in raw


def text_value(raw: Mapping[str, Any], name: str, label: str, limit: int, *, error: type[FieldInputError],
               required: bool = False) -> str:
    """The stripped text of `name` ("" when absent), at most `limit` characters."""
    value = raw.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise error(name, f"{label} : texte attendu.")
    value = value.strip()
    if required and not value:
        raise error(name, f"{label} : champ obligatoire.")
    if len(value) > limit:
        raise error(name, f"{label} : {limit:,} caractères au plus ({len(value):,} reçus).".replace(",", "\u00a0"))
    return value


def code_list(raw: Mapping[str, Any], name: str, label: str, known: set[str], *, most: int,
              error: type[FieldInputError]) -> list[str]:
    """The distinct codes of `name` (a list or a comma-separated string), at most `most`, each one of `known`."""
    value = raw.get(name)
    if value is None or value == "":
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(v, str) for v in items):
        raise error(name, f"{label} : liste de codes attendue.")
    items = [v.strip() for v in items if v.strip()]
    if len(items) > most:
        raise error(name, f"{label} : {most} au plus ({len(items)} reçus).")
    unknown = [v for v in items if v not in known]
    if unknown:
        raise error(name, f"{label} inconnu(e) : « {unknown[0][:40]} ».")
    return list(dict.fromkeys(items))


def site_for_write(viewer: Viewer, action: Action, key: Any, *, find: Callable[[str], dict | None],
                   error: type[FieldInputError]) -> str:
    """The id of the site `key` names, once the policy lets the viewer do `action` for it (staff: any known
    site); `find` looks a stripped key up in the active dataset (None when unknown)."""
    require(viewer, action)
    if not isinstance(key, str) or not key.strip():
        raise error("site", "Choisissez l'établissement concerné.")
    found = find(key.strip())
    if found is None:
        raise error("site", f"Établissement inconnu dans le jeu de données actif : « {key[:40]} ».")
    require_act_for(viewer, action, found["id"])
    return str(found["id"])
