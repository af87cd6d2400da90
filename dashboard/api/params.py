"""Building blocks of the JSON API: errors, parameter validation, JSON responses.

Topic modules (dashboard/api_*.py) use these and register their routes through `api.api_blueprint`.
"""

from __future__ import annotations

import pandas as pd
from flask import Response, json, request

from dashboard.analytics.filters import MAX_VALUES

DEMO_NOTICE = "Données de démonstration (fictives) : établissements, savoir-faire et indicateurs sont synthétiques."
MAX_LIMIT = 10_000


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, parameter: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.parameter = status, code, message, parameter


def json_text(payload) -> str:
    """The JSON text of a response body (encode once, serve many times with `json_text_response`)."""
    return json.dumps(payload, ensure_ascii=False)


def json_text_response(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="application/json")


def json_response(payload, status: int = 200) -> Response:
    return json_text_response(json_text(payload), status)


def error_response(err: ApiError) -> Response:
    body = {"code": err.code, "message": err.message}
    if err.parameter:
        body["parameter"] = err.parameter
    return json_response({"error": body}, err.status)


class Params:
    """Validated query parameters: unknown names, malformed values and over-long lists raise ApiError(400)."""

    def __init__(self, allowed: set[str]):
        unknown = sorted(set(request.args) - allowed)
        if unknown:
            raise ApiError(400, "unknown_parameter", f"Paramètre inconnu : {unknown[0]}. Acceptés : "
                           f"{', '.join(sorted(allowed)) or 'aucun'}.", unknown[0])
        for name in request.args:  # repeats and commas both count
            count = sum(value.count(",") + 1 for value in request.args.getlist(name))
            if count > MAX_VALUES:
                raise ApiError(400, "too_many_values", f"{name} : {MAX_VALUES} valeurs au plus ({count} reçues).",
                               name)

    @staticmethod
    def text(name: str, *, max_length: int = 100) -> str | None:
        value = request.args.get(name)
        if value is None or value.strip() == "":
            return None
        if len(value) > max_length:
            raise ApiError(400, "bad_parameter", f"{name} : {max_length} caractères au plus.", name)
        return value.strip()

    @staticmethod
    def choice(name: str, choices) -> str | None:
        value = Params.text(name)
        if value is not None and value not in choices:
            shown = ", ".join(sorted(choices)[:20])
            raise ApiError(400, "bad_parameter", f"{name}={value!r} inconnu. Valeurs possibles : {shown}.", name)
        return value

    @staticmethod
    def integer(name: str, default: int, *, minimum: int, maximum: int) -> int:
        raw = request.args.get(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ApiError(400, "bad_parameter", f"{name} doit être un entier ({raw!r} reçu).", name) from None
        if not minimum <= value <= maximum:
            raise ApiError(400, "bad_parameter", f"{name} doit être entre {minimum} et {maximum}.", name)
        return value


def paginate(frame: pd.DataFrame, limit: int, offset: int) -> dict:
    items = frame.iloc[offset: offset + limit]
    return {"total": int(len(frame)), "limit": limit, "offset": offset,
            "items": json.loads(items.to_json(orient="records", force_ascii=False))}
