"""Request limits: no single anonymous request may hold a server process for more than a moment, and no
malformed callback request reaches a callback (`install_callback_checks`, `dashboard.callback_inputs`).

Bodies above `TISSU_MAX_REQUEST_KB` get 413; a Dash callback whose inputs hold an over-long list (or
mapping) gets 400 before Dash runs it; API and page parameters cap their multi-valued lists
(`dashboard.analytics.filters.MAX_VALUES`, applied there and in `dashboard.api.params.Params`).
"""

from __future__ import annotations

import logging

from flask import Flask, Response, json, request
from werkzeug.exceptions import RequestEntityTooLarge

log = logging.getLogger(__name__)

# Longest list or mapping accepted anywhere in a callback's inputs and states. The largest legitimate
# ones are the filters above and a clicked point's properties (~20 keys).
MAX_CALLBACK_ITEMS = 200
MAX_CALLBACK_DEPTH = 12


def _json_error(status: int, code: str, message: str) -> Response:
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False)
    return Response(body, status=status, mimetype="application/json")


def oversize_container(value, *, max_items: int = MAX_CALLBACK_ITEMS,
                       max_depth: int = MAX_CALLBACK_DEPTH) -> str | None:
    """Why `value` (parsed JSON) is too large to hand to a callback, or None. Iterative: no recursion limit."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, (list, dict)):
            continue
        if depth > max_depth:
            return f"imbrication de plus de {max_depth} niveaux"
        if len(item) > max_items:
            return f"liste de {len(item):,} éléments (au plus {max_items})".replace(",", "\u202f")
        stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return None


def install_request_limits(server: Flask, *, max_request_kb: int, callback_path: str) -> None:
    """Body size cap (413, JSON) and the guard of the Dash callback route (400, JSON)."""
    limit = max_request_kb * 1024
    server.config["MAX_CONTENT_LENGTH"] = limit
    # Form parsing has its own caps in Flask; keep them no looser than the body cap.
    server.config["MAX_FORM_MEMORY_SIZE"] = limit

    def too_large() -> Response:
        return _json_error(413, "request_too_large",
                           f"Requête trop volumineuse : {max_request_kb} Ko au plus.")

    @server.errorhandler(RequestEntityTooLarge)
    def request_too_large(_err):
        return too_large()

    @server.before_request
    def guard():
        if request.content_length is not None and request.content_length > limit:
            return too_large()
        if request.path != callback_path or request.method != "POST":
            return None
        body = request.get_json(silent=True)  # cached by Flask: Dash reuses this parse
        if not isinstance(body, dict):
            return _json_error(400, "bad_callback", "Requête de mise à jour illisible (JSON attendu).")
        for part, value in (body.items() if len(body) <= MAX_CALLBACK_ITEMS else [("?", body)]):
            reason = oversize_container(value)  # inputs, state, outputs, changedPropIds
            if reason:
                return _json_error(400, "callback_input_too_large",
                                   f"Mise à jour refusée ({part}) : {reason}.")
        return None


def install_callback_checks(server: Flask, *, callback_path: str, declared, kinds) -> None:
    """Refuse (400, JSON, logged) a callback request that does not match what its callback declares.

    `declared` and `kinds`: `dashboard.callback_inputs.declared_callbacks` and `kinds_of_components`.
    Runs after the size guard of `install_request_limits`, on the body Flask already parsed.
    """
    from dashboard.callback_inputs import CallbackRequestError, check_callback_request

    @server.before_request
    def check_callback_inputs():
        if request.path != callback_path or request.method != "POST":
            return None
        try:
            check_callback_request(request.get_json(silent=True), declared, kinds)
        except CallbackRequestError as err:
            log.warning("callback request refused from %s: %s", request.remote_addr, err)
            return _json_error(400, "bad_callback_input", f"Mise à jour refusée : {err}.")
        return None


def callback_failed(err: Exception) -> None:
    """Dash's `on_error`: a callback that raised changes nothing on the page (Dash answers 204) and the
    traceback goes to the server's log, never to the visitor. Inputs are checked before callbacks run, so
    this is the last line of defence, not the way bad input is handled."""
    log.error("callback %s failed", _triggered(), exc_info=err)


def _triggered() -> str:
    body = request.get_json(silent=True)
    return str(body.get("output"))[:200] if isinstance(body, dict) else "?"
