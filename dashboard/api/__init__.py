"""JSON API under /api/v1/ (reads; writes for the network) (a Flask blueprint; no Dash here).

One module per topic (`core`, `establishments`, `partners`, `coverage`, `skills`, `indicators`, `event`), each with
`register(route, service)` and its `OPENAPI_PATHS`; the page registry (`dashboard/pages.py`) lists them.
Every bad parameter is answered with a 400 and a JSON error naming the parameter, never a 500; what the policy
refuses (a member-only filter for the public) with a 403. Requests carry a session cookie or a personal token
(`Authorization: Bearer tissu_…`); without either they are the public's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType

from flask import Blueprint
from werkzeug.exceptions import HTTPException

from dashboard.api.openapi import openapi_document
from dashboard.api.params import ApiError, error_response, json_response
from dashboard.policy import Forbidden
from dashboard.services import DataService


def api_blueprint(service: DataService, api_modules: Sequence[ModuleType]) -> Blueprint:
    """The /api/v1 blueprint: the routes of every API module of the page registry, and their OpenAPI."""
    api = Blueprint("api_v1", __name__, url_prefix="/api/v1")
    document = openapi_document(api_modules)

    def route(rule: str, methods: Sequence[str] = ("GET",)) -> Callable:
        """A route of the API (GET unless `methods` says otherwise: the network's writes)."""
        def wrap(view: Callable) -> Callable:
            def guarded(*args, **kwargs):
                try:
                    return view(*args, **kwargs)
                except ApiError as err:
                    return error_response(err)
                except Forbidden as refusal:  # the policy said no (dashboard/policy.py)
                    return error_response(ApiError(403, "forbidden", refusal.message))
            guarded.__name__ = view.__name__
            return api.route(rule, methods=list(methods))(guarded)
        return wrap

    for module in api_modules:
        module.register(route, service)

    @route("/openapi.json")
    def openapi():
        return json_response(document)

    @api.route("/<path:rest>", methods=["GET"])
    def unknown(rest: str):
        # Without this, Dash's catch-all page route would answer unknown API paths with HTML.
        return error_response(ApiError(404, "not_found", f"Aucune ressource à l'adresse /api/v1/{rest}."))

    @api.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        code = err.name.lower().replace(" ", "_")
        return error_response(ApiError(err.code or 500, code, err.description or err.name))

    return api
