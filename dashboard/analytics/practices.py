"""Practice sheets: the review state machine and the search (pure; the same text rules as the rest of tissu).

draft --submit--> submitted --publish--> published
                     |  ^                    |
              return |  | submit             | return (withdrawn by staff)
                     v  |                    v
                   returned <----------------+
The author edits a sheet only as a draft or once returned; staff publish or return (with a comment).
"""

from __future__ import annotations

import pandas as pd

from dashboard.analytics.text import matches, normalize, rank

STATUSES = ("draft", "submitted", "published", "returned")
STATUS_LABELS = {"draft": "Brouillon", "submitted": "En relecture", "published": "Publiée",
                 "returned": "Renvoyée à l'auteur"}
EDITABLE = frozenset({"draft", "returned"})
# (from, to) -> who may make the move: "author" (a member speaking for the sheet's site) or "staff".
TRANSITIONS = {("draft", "submitted"): "author", ("returned", "submitted"): "author",
               ("submitted", "published"): "staff", ("submitted", "returned"): "staff",
               ("published", "returned"): "staff"}
SEARCH_FIELDS = ("title", "problem_text", "actions_text", "results_text", "theme_labels_text")


class TransitionError(ValueError):
    """A move the state machine does not allow; French message."""


def check_transition(current: str, new: str, *, comment: str = "") -> str:
    """Who may move a sheet from `current` to `new` ("author" or "staff"); raises TransitionError otherwise.
    Returning a sheet needs a comment: the author must know what to change."""
    who = TRANSITIONS.get((current, new))
    if who is None:
        raise TransitionError(f"Impossible de passer une fiche « {STATUS_LABELS.get(current, current)} » à "
                              f"« {STATUS_LABELS.get(new, new)} ».")
    if new == "returned" and not comment.strip():
        raise TransitionError("Dites à l'auteur ce qu'il faut reprendre : le commentaire est obligatoire.")
    return who


def codes(text: str | None) -> tuple[str, ...]:
    return tuple(c for c in (text or "").split(";") if c)


def joined(values) -> str:
    return ";".join(values)


def filter_mask(frame: pd.DataFrame, *, theme: str | None = None, capability: str | None = None,
                department: str | None = None, circle: int | None = None) -> pd.Series:
    """Rows of `frame` (themes, capabilities: code tuples; department_code; circle_id) kept by the filters."""
    mask = pd.Series(True, index=frame.index)
    if theme:
        mask &= frame["themes"].map(lambda c: theme in c)
    if capability:
        mask &= frame["capabilities"].map(lambda c: capability in c)
    if department:
        mask &= frame["department_code"] == department
    if circle is not None:
        mask &= frame["circle_id"] == circle
    return mask


def search_order(frame: pd.DataFrame, query: str) -> pd.Index:
    """Index labels of the sheets matching `query`, best first (analytics.text.rank: every word of the query
    starts a word of the title or of the texts; an exact title first, then sheets whose title holds every
    word, then the others; alphabetical on the title within a tier). Empty query: every row, order kept."""
    if not normalize(query):
        return frame.index
    body = frame[list(SEARCH_FIELDS[1:])].fillna("").agg(" ".join, axis=1)
    in_title = matches(frame["title"], query).astype(float)
    return rank(frame["title"], query, weights=in_title, context=body)
