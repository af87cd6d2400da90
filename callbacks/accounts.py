"""Accounts wiring: sign-in and password pages, my account (API tokens), account management, audit log."""

from __future__ import annotations

import datetime as dt
import logging

from dash import ALL, Input, Output, State, ctx, no_update

from dashboard import accounts, exports, ids, mail, repository
from dashboard.policy import ROLE_LABELS, Action, Forbidden, Role, Viewer, can
from dashboard.services import DataService, explorer
from dashboard.services import audit as audit_svc
from dashboard.sessions import LOGIN_MESSAGES, RESET_MESSAGES, client_address, current_viewer
from layouts import accounts as views

log = logging.getLogger(__name__)


def _first(query: dict[str, list[str]], key: str) -> str:
    return (query.get(key) or [""])[0]


def render_login(service: DataService, query: dict[str, list[str]]):
    code = _first(query, "message")
    target = _first(query, "suivant") or "/"
    return views.login_page(message=LOGIN_MESSAGES.get(code), ok=code in {"sortie", "lien"}, target=target,
                            demo_hint=service.settings.demo_accounts and service.snapshot().is_demo)


def render_reset(service: DataService, query: dict[str, list[str]]):
    secret = _first(query, "lien")
    account = accounts.reset_link_account(service.engine, secret)
    return views.reset_page(account_email=account.email if account else None, secret=secret,
                            message=RESET_MESSAGES.get(_first(query, "message")))


def render_account(service: DataService, query: dict[str, list[str]]):
    viewer = current_viewer()
    account = repository.account_by_id(service.engine, viewer.user_id) if viewer.user_id else None
    if account is None:
        return views.restricted_page(viewer, "/compte")
    return views.account_page(account, repository.user_tokens(service.engine, account.id),
                              can_use_tokens=can(viewer, Action.USE_API_TOKEN),
                              names=explorer.establishment_names(service, account.sirets))


def render_admin(service: DataService, query: dict[str, list[str]]):
    return views.admin_page(repository.list_accounts(service.engine), current_viewer())


def render_audit(service: DataService, query: dict[str, list[str]]):
    rows, total = audit_svc.latest(service, current_viewer())
    return views.audit_page(rows, total)


def late_components() -> list:
    """The reserved pages' components (rendered only for signed-in viewers), for Dash's callback validation."""
    sample = repository.Account(0, "", "", "admin", None, True, False, 1, dt.datetime(2026, 1, 1), None)
    return [views.account_page(sample, [], can_use_tokens=True), views.admin_page([sample], Viewer(Role.ADMIN, 0)),
            views.audit_page([], 0)]


def create_token(service: DataService, label: str | None):
    viewer = current_viewer()
    try:
        secret = accounts.create_token(service.engine, viewer, str(label or "")[:80], address=client_address())
    except (Forbidden, accounts.AccountError) as error:
        return views.admin_message(str(error), ok=False), no_update
    return views.new_token_message(secret), views.token_rows(repository.user_tokens(service.engine,
                                                                                   viewer.user_id or 0))


def revoke_token(service: DataService, clicks: list):
    viewer, trigger = current_viewer(), ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []) or viewer.user_id is None:
        return no_update, no_update
    done = accounts.revoke_token(service.engine, viewer, int(trigger["token"]), address=client_address())
    message = views.admin_message("Jeton révoqué." if done else "Ce jeton n'existe plus.", ok=done)
    return message, views.token_rows(repository.user_tokens(service.engine, viewer.user_id))


def create_account(service: DataService, email, name, role, sirets):
    viewer = current_viewer()
    try:
        account = accounts.create_account(service.engine, viewer, email=str(email or ""), display_name=str(name or ""),
                                          role=str(role or ""), sirets=tuple(str(sirets or "").replace(",", " ")
                                                                             .split()), address=client_address())
        link = accounts.issue_reset_link(service.engine, viewer, account.id, base_url=service.settings.base_url,
                                         address=client_address())
    except (Forbidden, accounts.AccountError) as error:
        return views.admin_message(str(error), ok=False), no_update
    text, shown = _deliver(service, account, link, f"Compte créé pour {account.email}.")
    return (views.admin_message(text, ok=True, link=shown),
            views.accounts_table(repository.list_accounts(service.engine), viewer))


def _deliver(service: DataService, account: repository.Account, link: str, done: str) -> tuple[str, str | None]:
    """Mail the link when a mail server is configured; else (or if sending fails) show it to pass on."""
    settings = service.settings
    try:
        if mail.deliver_reset_link(settings.smtp_url, settings.mail_from, to=account.email,
                                   name=account.display_name, link=link):
            return f"{done} Le lien (valable 72 h) a été envoyé par e-mail à {account.email}.", None
    except mail.MailError as error:
        log.warning("%s", error)
        return f"{done} L'envoi par e-mail a échoué : transmettez ce lien (valable 72 h) vous-même :", link
    return f"{done} Transmettez ce lien à usage unique (valable 72 h) à {account.email} :", link


def account_action(service: DataService, clicks: list):
    viewer, trigger = current_viewer(), ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []):
        return no_update, no_update
    action, user_id, link = str(trigger.get("action", "")), int(trigger.get("user", 0)), None
    try:
        if action == "reset":
            link = accounts.issue_reset_link(service.engine, viewer, user_id, base_url=service.settings.base_url,
                                             address=client_address())
            target = repository.account_by_id(service.engine, user_id)
            assert target is not None  # issue_reset_link found it
            text, link = _deliver(service, target, link, "Nouveau lien émis ; les précédents ne valent plus.")
        elif action in {"disable", "enable"}:
            account = accounts.set_active(service.engine, viewer, user_id, action == "enable",
                                          address=client_address())
            text = f"{account.email} est {'réactivé' if account.is_active else 'désactivé'}."
        elif action.startswith("role:"):
            account = accounts.set_role(service.engine, viewer, user_id, action[5:], address=client_address())
            text = f"{account.email} a désormais le rôle {ROLE_LABELS[Role(account.role)]}."
        else:
            return no_update, no_update
    except (Forbidden, accounts.AccountError) as error:
        return views.admin_message(str(error), ok=False), no_update
    return (views.admin_message(text, ok=True, link=link),
            views.accounts_table(repository.list_accounts(service.engine), viewer))


def export_audit(service: DataService, fmt: str):
    try:
        return exports.download_file(audit_svc.export_file(service, current_viewer()), fmt)
    except Forbidden:
        return no_update


def register(app, service: DataService) -> None:
    app.callback(Output(ids.TOKEN_MESSAGE, "children"), Output(ids.TOKEN_LIST, "children", allow_duplicate=True),
                 Input(ids.TOKEN_CREATE, "n_clicks"), State(ids.TOKEN_LABEL, "value"), prevent_initial_call=True)(
        lambda _n, label: create_token(service, label))
    app.callback(Output(ids.TOKEN_MESSAGE, "children", allow_duplicate=True), Output(ids.TOKEN_LIST, "children"),
                 Input({"type": ids.TOKEN_REVOKE, "token": ALL}, "n_clicks"), prevent_initial_call=True)(
        lambda clicks: revoke_token(service, clicks))
    app.callback(Output(ids.ADMIN_MESSAGE, "children"), Output(ids.ADMIN_ACCOUNTS, "children",
                                                               allow_duplicate=True),
                 Input(ids.ADMIN_CREATE, "n_clicks"), State(ids.ADMIN_EMAIL, "value"), State(ids.ADMIN_NAME, "value"),
                 State(ids.ADMIN_ROLE, "value"), State(ids.ADMIN_SIRETS, "value"), prevent_initial_call=True)(
        lambda _n, email, name, role, sirets: create_account(service, email, name, role, sirets))
    app.callback(Output(ids.ADMIN_MESSAGE, "children", allow_duplicate=True), Output(ids.ADMIN_ACCOUNTS, "children"),
                 Input({"type": ids.ADMIN_ACTION, "action": ALL, "user": ALL}, "n_clicks"),
                 prevent_initial_call=True)(lambda clicks: account_action(service, clicks))
    app.callback(Output(ids.AUDIT_DOWNLOAD, "data"), Input(ids.AUDIT_EXPORT_CSV, "n_clicks"),
                 Input(ids.AUDIT_EXPORT_XLSX, "n_clicks"), prevent_initial_call=True)(
        lambda _c, _x: export_audit(service, "xlsx" if ctx.triggered_id == ids.AUDIT_EXPORT_XLSX else "csv"))
