"""Accounts: passwords (argon2id), sign-in with a throttle, one-time reset links, API tokens, demo accounts.

Every change is checked against the policy (`dashboard/policy.py`) with the acting viewer and audited in its
own transaction by the repository. Secrets (passwords, tokens, link secrets) never reach the database: only
argon2 hashes (passwords) or SHA-256 digests (random tokens, which need no slow hash).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from dashboard import repository
from dashboard.policy import ACCOUNT_ROLES, Action, Forbidden, Role, Viewer, may_issue_reset_link, require
from dashboard.repository import Account, AuditRecord

# argon2-cffi's defaults (RFC 9106 low-memory profile: 64 MiB, 3 passes); ~50 ms per sign-in on one core.
_HASHER = PasswordHasher()
# A hash verified when the login is unknown, so that the answer takes as long as for a real account.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))
MIN_PASSWORD = 12
MAX_PASSWORD = 256  # argon2 hashes any length; the cap keeps one request cheap
MAX_EMAIL = 254
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")
TOKEN_PREFIX = "tissu_"
RESET_HOURS = 72
# Throttle: failures within the window, per login and per client address (a fair's Wi-Fi shares addresses).
THROTTLE_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_LOGIN = 5
MAX_FAILURES_PER_ADDRESS = 30


class AccountError(ValueError):
    """A refused account operation; the message is French and shown as is."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalise_email(raw: str) -> str:
    email = (raw or "").strip().lower()
    if len(email) > MAX_EMAIL or not _EMAIL.fullmatch(email):
        raise AccountError("Adresse e-mail invalide.")
    return email


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Le mot de passe doit compter au moins {MIN_PASSWORD} caractères.")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"Le mot de passe ne peut dépasser {MAX_PASSWORD} caractères.")


def hash_password(password: str) -> str:
    check_password(password)
    return _HASHER.hash(password)


def viewer_of(account: Account) -> Viewer:
    return Viewer(role=Role(account.role), user_id=account.id, label=account.email, sirets=frozenset(account.sirets))


def _audit(actor: Viewer, action: str, target: str, before=None, after=None, address: str = "") -> AuditRecord:
    return AuditRecord(actor.user_id, actor.label or "anonyme", action, target, before, after, address)


def _public(account: Account) -> dict:
    """What the audit log keeps of an account (never its hash)."""
    return {"email": account.email, "name": account.display_name, "role": account.role,
            "active": account.is_active, "establishments": list(account.sirets)}


# --- Sign-in ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SignIn:
    account: Account | None  # None: refused
    message: str = ""  # French, for the form


def authenticate(engine: Engine, email: str, password: str, *, address: str, demo_accounts: bool = True) -> SignIn:
    """Check a sign-in; failures are counted per login and per address and refused past the throttle."""
    try:
        login = normalise_email(email)
    except AccountError:
        login = (email or "").strip().lower()[:MAX_EMAIL]
    keys = [f"login:{login}", f"addr:{address}"]
    failures = repository.login_failures_since(engine, keys, _now() - THROTTLE_WINDOW)
    if failures.get(keys[0], 0) >= MAX_FAILURES_PER_LOGIN or failures.get(keys[1], 0) >= MAX_FAILURES_PER_ADDRESS:
        return SignIn(None, "Trop d'essais infructueux : réessayez dans un quart d'heure.")
    account = repository.account_by_email(engine, login) if len(password) <= MAX_PASSWORD else None
    allowed = account is not None and account.is_active and (demo_accounts or not account.is_demo)
    if not (allowed and account and account.password_hash and _verify(account.password_hash, password)):
        if account is None:
            _verify(_DUMMY_HASH, password)  # same time as a known login: no enumeration by timing
        repository.record_login_failure(engine, keys)
        return SignIn(None, "Adresse e-mail ou mot de passe incorrect.")
    repository.clear_login_failures(engine, [keys[0]], older_than=_now() - THROTTLE_WINDOW)
    repository.touch_login(engine, account.id)
    if _HASHER.check_needs_rehash(account.password_hash):
        repository.update_account(engine, account.id, password_hash=_HASHER.hash(password),
                                  audit=_audit(viewer_of(account), "user.rehash", f"user:{account.id}"))
    return SignIn(account)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# --- Managing accounts (admin; the CLI acts as admin) ----------------------------------------------

def create_account(engine: Engine, actor: Viewer, *, email: str, display_name: str, role: str,
                   sirets: tuple[str, ...] = (), password: str | None = None, is_demo: bool = False,
                   address: str = "") -> Account:
    require(actor, Action.MANAGE_ACCOUNTS)
    login = normalise_email(email)
    if role not in {r.value for r in ACCOUNT_ROLES}:
        raise AccountError(f"Rôle inconnu : « {role} » (member, staff ou admin).")
    name = " ".join((display_name or "").split())[:120] or login
    clean_sirets = tuple(sorted({s.strip() for s in sirets if s.strip()}))
    if any(len(s) > 20 for s in clean_sirets):
        raise AccountError("Un SIRET compte 14 chiffres.")
    try:
        user_id = repository.create_account(
            engine, email=login, display_name=name, role=role, sirets=clean_sirets, is_demo=is_demo,
            password_hash=hash_password(password) if password else None,
            audit=_audit(actor, "user.create", "user:?", None,
                         {"email": login, "name": name, "role": role, "establishments": list(clean_sirets)}, address))
    except IntegrityError:
        raise AccountError(f"Un compte existe déjà pour {login}.") from None
    account = repository.account_by_id(engine, user_id)
    assert account is not None
    return account


def _existing(engine: Engine, email_or_id: str | int) -> Account:
    account = (repository.account_by_id(engine, email_or_id) if isinstance(email_or_id, int)
               else repository.account_by_email(engine, normalise_email(email_or_id)))
    if account is None:
        raise AccountError(f"Aucun compte pour {email_or_id}.")
    return account


def set_role(engine: Engine, actor: Viewer, who: str | int, role: str, *, address: str = "") -> Account:
    require(actor, Action.MANAGE_ACCOUNTS)
    account = _existing(engine, who)
    if role not in {r.value for r in ACCOUNT_ROLES}:
        raise AccountError(f"Rôle inconnu : « {role} » (member, staff ou admin).")
    repository.update_account(engine, account.id, role=role, end_sessions=True,
                              audit=_audit(actor, "user.role", f"user:{account.id}", {"role": account.role},
                                           {"role": role}, address))
    return _existing(engine, account.id)


def set_active(engine: Engine, actor: Viewer, who: str | int, active: bool, *, address: str = "") -> Account:
    require(actor, Action.MANAGE_ACCOUNTS)
    account = _existing(engine, who)
    if not active and account.id == actor.user_id:
        raise AccountError("Vous ne pouvez pas désactiver votre propre compte.")
    repository.update_account(engine, account.id, is_active=active, end_sessions=True,
                              audit=_audit(actor, "user.enable" if active else "user.disable", f"user:{account.id}",
                                           {"active": account.is_active}, {"active": active}, address))
    return _existing(engine, account.id)


def set_sirets(engine: Engine, actor: Viewer, who: str | int, sirets: tuple[str, ...], *,
               address: str = "") -> Account:
    require(actor, Action.MANAGE_ACCOUNTS)
    account = _existing(engine, who)
    clean = tuple(sorted({s.strip() for s in sirets if s.strip()}))
    repository.set_account_sirets(engine, account.id, clean, audit=_audit(
        actor, "user.establishments", f"user:{account.id}", list(account.sirets), list(clean), address))
    return _existing(engine, account.id)


def issue_reset_link(engine: Engine, actor: Viewer, who: str | int, *, base_url: str, address: str = "") -> str:
    """A one-time link (valid RESET_HOURS) to set the account's password; returns the full URL. Staff issue
    links for member accounts, admins for any (`policy.may_issue_reset_link`)."""
    require(actor, Action.ISSUE_RESET_LINK)
    account = _existing(engine, who)
    if not may_issue_reset_link(actor, account.role):
        raise Forbidden(Action.MANAGE_ACCOUNTS, "Seul un administrateur peut émettre un lien pour un compte de "
                                                "l'équipe ou d'administration.")
    secret = secrets.token_urlsafe(32)
    repository.create_reset_link(engine, account.id, token_hash=digest(secret),
                                 expires_at=_now() + dt.timedelta(hours=RESET_HOURS),
                                 audit=_audit(actor, "user.reset_link", f"user:{account.id}", address=address))
    return f"{base_url.rstrip('/')}/compte/mot-de-passe?lien={secret}"


def reset_link_account(engine: Engine, secret: str) -> Account | None:
    if not secret or len(secret) > 100:
        return None
    user_id = repository.reset_link_user(engine, digest(secret))
    return repository.account_by_id(engine, user_id) if user_id is not None else None


def use_reset_link(engine: Engine, secret: str, password: str, *, address: str = "") -> Account:
    """Set the password through a link (which then stops working); every session of the account ends."""
    check_password(password)
    user_id = repository.use_reset_link(
        engine, digest(secret), password_hash=hash_password(password),
        audit=AuditRecord(None, "lien de réinitialisation", "user.password", "user:?", address=address))
    if user_id is None:
        raise AccountError("Ce lien n'est plus valable : demandez-en un nouveau à l'équipe UIMM.")
    return _existing(engine, user_id)


def change_password(engine: Engine, actor: Viewer, current: str, new: str, *, address: str = "") -> None:
    if actor.user_id is None:
        raise AccountError("Connectez-vous pour changer de mot de passe.")
    account = _existing(engine, actor.user_id)
    if not (account.password_hash and _verify(account.password_hash, current)):
        raise AccountError("Mot de passe actuel incorrect.")
    repository.update_account(engine, account.id, password_hash=hash_password(new), end_sessions=True,
                              audit=_audit(actor, "user.password", f"user:{account.id}", address=address))


# --- API tokens ------------------------------------------------------------------------------------

def create_token(engine: Engine, actor: Viewer, label: str, *, address: str = "") -> str:
    """A new personal API token, returned once (only its digest is kept)."""
    require(actor, Action.USE_API_TOKEN)
    assert actor.user_id is not None
    name = " ".join((label or "").split())[:80] or "Jeton"
    if len(repository.user_tokens(engine, actor.user_id)) >= 10:
        raise AccountError("Dix jetons au plus par compte : révoquez-en un d'abord.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    repository.create_token(engine, actor.user_id, token_hash=digest(secret), prefix=secret[:12], label=name,
                            audit=_audit(actor, "token.create", f"user:{actor.user_id}", None, {"label": name},
                                         address))
    return secret


def revoke_token(engine: Engine, actor: Viewer, token_id: int, *, address: str = "") -> bool:
    if actor.user_id is None:
        return False
    return repository.revoke_token(engine, actor.user_id, token_id, audit=_audit(
        actor, "token.revoke", f"token:{token_id}", address=address))


def token_viewer(engine: Engine, header: str, *, demo_accounts: bool = True) -> Viewer | None:
    """The viewer of an `Authorization: Bearer tissu_…` header; None for a missing, unknown or revoked token."""
    scheme, _, secret = (header or "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    account = repository.account_for_token(engine, digest(secret))
    if account is None or (account.is_demo and not demo_accounts):
        return None
    viewer = viewer_of(account)
    return viewer if viewer.role is not Role.ANONYMOUS else None
