"""Validation of a practice sheet (page form or API JSON), before anything is written.

Each check raises PracticeInputError with the field and a French message; nothing is saved on any error.
The Markdown fields are checked by `markdown_text.markdown_problem` (no raw HTML, no image, links http,
https and mailto only, a size cap)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dashboard.analytics.practices import joined
from dashboard.markdown_text import markdown_problem
from dashboard.services import input_rules as rules
from dashboard.services.input_rules import FieldInputError

MAX_TITLE, MAX_TEXT, MAX_CONTACT = 200, 6000, 300
MAX_CODES = 8
TEXT_FIELDS = {"problem": "Le problème", "actions": "Ce qui a été fait", "results": "Les résultats mesurés"}
SHEET_FIELDS = frozenset({"site", "title", *TEXT_FIELDS, "themes", "capabilities", "contact", "circle_id"})
WRITE_FIELDS = SHEET_FIELDS | {"submit"}


class PracticeInputError(FieldInputError):
    """A refused practice sheet field."""


def _text(raw: Mapping[str, Any], name: str, label: str, limit: int) -> str:
    return rules.text_value(raw, name, label, limit, error=PracticeInputError)


def _codes(raw: Mapping[str, Any], name: str, label: str, known: set[str]) -> list[str]:
    return rules.code_list(raw, name, label, known, most=MAX_CODES, error=PracticeInputError)


def _circle(raw: Mapping[str, Any]) -> int | None:
    value = raw.get("circle_id")
    if value in (None, ""):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 10**9:
        raise PracticeInputError("circle_id", "Cercle : identifiant entier attendu.")
    return value


def check_fields(raw: Mapping[str, Any], allowed: frozenset[str] = WRITE_FIELDS) -> None:
    rules.check_fields(raw, allowed, error=PracticeInputError)


def practice_values(raw: Mapping[str, Any], *, themes: set[str], capabilities: set[str], submit: bool) -> dict:
    """Database values of a sheet from posted fields (site excepted: the service checks it against the viewer).
    A draft needs a title; a sheet submitted for review also its three texts and a theme."""
    check_fields(raw)
    title = _text(raw, "title", "Titre", MAX_TITLE)
    texts = {name: _text(raw, name, label, MAX_TEXT) for name, label in TEXT_FIELDS.items()}
    if not title:
        if not any(texts.values()):
            raise PracticeInputError("title", "La fiche est vide : donnez-lui au moins un titre.")
        raise PracticeInputError("title", "Titre : champ obligatoire.")
    for name, label in TEXT_FIELDS.items():
        problem = markdown_problem(texts[name], limit=MAX_TEXT)
        if problem:
            raise PracticeInputError(name, f"{label} : {problem}")
    out: dict = {"title": title, **texts,
                 "themes": joined(_codes(raw, "themes", "Thème", themes)),
                 "capabilities": joined(_codes(raw, "capabilities", "Savoir-faire", capabilities)),
                 "contact": _text(raw, "contact", "Contact", MAX_CONTACT), "circle_id": _circle(raw)}
    if submit:
        missing = [label for name, label in TEXT_FIELDS.items() if not texts[name]]
        if missing:
            raise PracticeInputError(next(n for n, lab in TEXT_FIELDS.items() if lab == missing[0]),
                                     "Avant la relecture, complétez : " + ", ".join(m.lower() for m in missing) + ".")
        if not out["themes"]:
            raise PracticeInputError("themes", "Avant la relecture, choisissez au moins un thème.")
    return out


def review_comment(value: Any) -> str:
    """A reviewer's comment (plain text, shown as text), at most 2,000 characters."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PracticeInputError("comment", "Commentaire : texte attendu.")
    if len(value.strip()) > 2000:
        raise PracticeInputError("comment", "Commentaire : 2\u00a0000 caractères au plus "
                                 f"({len(value.strip())} reçus).")
    return value.strip()
