"""What the network's API modules share (needs and offers in `network`, introductions in `introductions`): JSON
bodies, row ids, writes whose input errors become 400s, and the 401 for a request with neither token nor session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from flask import request

from dashboard.analytics.network import TransitionError
from dashboard.api.params import ApiError
from dashboard.policy import Action, Forbidden, can
from dashboard.services import network as nw
from dashboard.sessions import current_viewer

ERR = {"$ref": "#/components/schemas/Error"}
HIDDEN = ("updated_at", "mine")  # page-only fields
T = TypeVar("T")


def jsonable(item: dict) -> dict:
    """A service item as JSON: dates in ISO 8601, page-only fields left out."""
    return {key: value.isoformat() if isinstance(value, dt.date | dt.datetime) else value
            for key, value in item.items() if key not in HIDDEN}


def body() -> dict:
    found = request.get_json(silent=True)
    if not isinstance(found, dict):
        raise ApiError(400, "bad_body", "Corps JSON attendu : un objet (Content-Type: application/json).", "body")
    return found


def row_id(raw: str, name: str) -> int:
    if not raw.isdigit() or len(raw) > 9:
        raise ApiError(400, "bad_parameter", f"Identifiant invalide : {raw[:20]!r} (entier attendu).", name)
    return int(raw)


def write(action: Callable[[], T]) -> T:
    """Run a write (or a read of one row); its input errors, unknown rows and refused steps as JSON errors."""
    try:
        return action()
    except nw.NetworkInputError as err:
        raise ApiError(400, "invalid", err.message, err.field) from None
    except TransitionError as err:
        raise ApiError(400, "invalid_transition", str(err), "status") from None
    except nw.NetworkNotFound as err:
        raise ApiError(404, "not_found", str(err)) from None


def require_signed_in(action: Action) -> None:
    viewer = current_viewer()
    if not viewer.signed_in:  # 401 rather than 403: a token or a session would change the answer
        raise ApiError(401, "unauthorized", "Authentification requise : jeton d'API (Authorization: Bearer …) "
                       "ou session.")
    if not can(viewer, action):
        raise Forbidden(action, "Action refusée.")
