"""Who is asking, on the web: Flask-Login sessions, API tokens, the same-origin rule for writes, sign-in routes.

`current_viewer()` is what callbacks and the API pass to the services (`dashboard/policy.py` decides). The session
cookie is signed with the secret key, HttpOnly, SameSite=Lax, and Secure whenever the request came over HTTPS
(through `TISSU_PROXY_HOPS` proxies). The cookie names the account and its session version: a password, role
or status change bumps the version and ends every session of that account.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
from pathlib import Path
from urllib.parse import quote, urlsplit

from flask import Flask, Response, g, redirect, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from sqlalchemy import Engine

from dashboard import accounts, repository
from dashboard.policy import ANONYMOUS, Viewer
from dashboard.settings import Settings

log = logging.getLogger(__name__)
LOGIN_PATH = "/connexion"
LOGOUT_PATH = "/deconnexion"
RESET_PATH = "/compte/mot-de-passe"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Sign-in outcomes shown by the sign-in page (codes in the URL, never free text from the request).
LOGIN_MESSAGES = {
    "echec": "Adresse e-mail ou mot de passe incorrect.",
    "essais": "Trop d'essais infructueux : réessayez dans un quart d'heure.",
    "sortie": "Vous êtes déconnecté.",
    "lien": "Mot de passe enregistré : connectez-vous.",
}
RESET_MESSAGES = {
    "different": "Les deux mots de passe diffèrent.",
    "court": f"Le mot de passe doit compter au moins {accounts.MIN_PASSWORD} caractères.",
    "long": f"Le mot de passe ne peut dépasser {accounts.MAX_PASSWORD} caractères.",
    "invalide": "Ce lien n'est plus valable : demandez-en un nouveau à l'équipe UIMM.",
}


class SessionUser(UserMixin):
    """Flask-Login's user: an account plus the session version its cookie was issued for."""

    def __init__(self, account: repository.Account):
        self.account = account

    def get_id(self) -> str:
        return f"{self.account.id}:{self.account.session_version}"


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, Secure whenever this request is HTTPS (a static setting cannot know)."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def secret_key(settings: Settings) -> str:
    """The configured key, else one generated once into the instance folder (owner-only file)."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.instance_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process wrote it first: use theirs
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def client_address() -> str:
    """The client's address (through the trusted proxies), for the audit log; empty outside a request."""
    try:
        return (request.remote_addr or "")[:64]
    except RuntimeError:
        return ""


def current_viewer() -> Viewer:
    """The viewer of this request (a token, else the signed-in account); anonymous outside a request."""
    try:
        cached = g.get("tissu_viewer")
    except RuntimeError:  # no request: tests calling functions, the CLI
        return ANONYMOUS
    if cached is not None:
        return cached
    viewer = ANONYMOUS
    if current_user and current_user.is_authenticated:
        viewer = accounts.viewer_of(current_user.account)
    g.tissu_viewer = viewer
    return viewer


def _same_origin() -> bool:
    """Whether this unsafe request comes from one of our own pages (the Origin, else the Referer, names us)."""
    own = urlsplit(request.host_url)
    claimed = request.headers.get("Origin") or request.headers.get("Referer") or ""
    if not claimed:
        # No browser sends a cookie-bearing POST without either header: refuse when there is a session.
        return "_user_id" not in session
    seen = urlsplit(claimed)
    if seen.netloc == own.netloc and seen.scheme != own.scheme:
        log.warning("POST refused: the browser says %s:// but the app sees %s:// (behind a TLS proxy? set "
                    "TISSU_PROXY_HOPS, see docs/deploy.md)", seen.scheme, own.scheme)
    return (seen.scheme, seen.netloc) == (own.scheme, own.netloc)


def install_sessions(server: Flask, engine: Engine, settings: Settings) -> LoginManager:
    server.secret_key = secret_key(settings)
    server.session_interface = _SessionInterface()
    server.config.update(
        SESSION_COOKIE_NAME="tissu_session", SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=settings.session_hours), SESSION_REFRESH_EACH_REQUEST=True)
    manager = LoginManager(server)
    manager.session_protection = None  # the session version does this, without breaking behind a changing IP

    @manager.user_loader
    def load_user(user_id: str) -> SessionUser | None:
        account_id, _, version = user_id.partition(":")
        if not account_id.isdigit() or not version.isdigit():
            return None
        account = repository.account_by_id(engine, int(account_id))
        if (account is None or not account.is_active or account.session_version != int(version)
                or (account.is_demo and not settings.demo_accounts)):
            return None
        return SessionUser(account)

    @manager.request_loader
    def load_from_token(req) -> SessionUser | None:
        # Personal API tokens, for the JSON API only (pages and callbacks use the session cookie).
        header = req.headers.get("Authorization", "")
        if not header or not req.path.startswith("/api/"):
            return None
        viewer = accounts.token_viewer(engine, header, demo_accounts=settings.demo_accounts)
        account = repository.account_by_id(engine, viewer.user_id) if viewer and viewer.user_id else None
        return SessionUser(account) if account else None

    @server.before_request
    def refuse_cross_origin_writes():
        if request.method not in SAFE_METHODS and not _same_origin():
            return Response('{"error": {"code": "cross_origin", "message": "Requête refusée : elle ne vient pas '
                            'd\'une page de ce site."}}', status=403, mimetype="application/json")
        return None

    @server.after_request
    def no_store_for_accounts(response: Response) -> Response:
        # What a signed-in person sees may hold member-only data: never kept by a shared cache.
        if current_user and current_user.is_authenticated and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "private, no-store"
        if current_user and current_user.is_authenticated:
            response.vary.add("Cookie")
        return response

    @server.post(LOGIN_PATH)
    def sign_in():
        target = _local_target(request.form.get("suivant", "/"))
        result = accounts.authenticate(engine, request.form.get("email", "")[:accounts.MAX_EMAIL],
                                       request.form.get("mot_de_passe", "")[:accounts.MAX_PASSWORD + 1],
                                       address=client_address(), demo_accounts=settings.demo_accounts)
        if result.account is None:
            code = "essais" if "essais" in result.message.lower() else "echec"
            return redirect(f"{LOGIN_PATH}?message={code}&suivant={_quote(target)}", code=303)
        session.clear()  # a new session id for a new identity (no fixation)
        session.permanent = True
        login_user(SessionUser(result.account))
        repository.record_audit(engine, repository.AuditRecord(
            result.account.id, result.account.email, "user.sign_in", f"user:{result.account.id}",
            address=client_address()))
        return redirect(target, code=303)

    @server.post(LOGOUT_PATH)
    def sign_out():
        logout_user()
        session.clear()
        return redirect(f"{LOGIN_PATH}?message=sortie", code=303)

    @server.post(RESET_PATH)
    def set_password():
        secret = request.form.get("lien", "")[:100]
        password, again = request.form.get("mot_de_passe", ""), request.form.get("confirmation", "")
        back = f"{RESET_PATH}?lien={_quote(secret)}&message="
        if password != again:
            return redirect(back + "different", code=303)
        try:
            accounts.use_reset_link(engine, secret, password, address=client_address())
        except accounts.AccountError as error:
            code = "court" if "au moins" in str(error) else ("long" if "dépasser" in str(error) else "invalide")
            return redirect(back + code, code=303)
        logout_user()
        session.clear()
        return redirect(f"{LOGIN_PATH}?message=lien", code=303)

    return manager


def _local_target(raw: str) -> str:
    """Where to go after signing in: a path of this site only (no open redirect)."""
    target = (raw or "/").strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target or len(target) > 300:
        return "/"
    return target


def _quote(path: str) -> str:
    return quote(path, safe="/")
