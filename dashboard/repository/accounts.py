"""Accounts, their establishments, API tokens, reset links and failed sign-ins. Hashing happens in the caller
(`dashboard/accounts.py`): this module stores and finds hashes, never secrets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, insert, select, update

from dashboard import models as m
from dashboard.database import write_transaction
from dashboard.repository.audit import AuditRecord, write_audit


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    display_name: str
    role: str
    password_hash: str | None
    is_active: bool
    is_demo: bool
    session_version: int
    created_at: dt.datetime
    last_login_at: dt.datetime | None
    sirets: tuple[str, ...] = ()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _account(row, sirets: tuple[str, ...]) -> Account:
    return Account(row.id, row.email, row.display_name, row.role, row.password_hash, bool(row.is_active),
                   bool(row.is_demo), int(row.session_version), row.created_at, row.last_login_at, sirets)


def _sirets(conn, user_id: int) -> tuple[str, ...]:
    link = m.UserEstablishment
    return tuple(conn.execute(select(link.siret).where(link.user_id == user_id).order_by(link.siret)).scalars())


def account_by_email(engine: Engine, email: str) -> Account | None:
    u = m.UserAccount
    with engine.connect() as conn:
        row = conn.execute(select(*u.__table__.columns).where(u.email == email)).first()
        return _account(row, _sirets(conn, row.id)) if row else None


def account_by_id(engine: Engine, user_id: int) -> Account | None:
    u = m.UserAccount
    with engine.connect() as conn:
        row = conn.execute(select(*u.__table__.columns).where(u.id == user_id)).first()
        return _account(row, _sirets(conn, row.id)) if row else None


def list_accounts(engine: Engine) -> list[Account]:
    u, link = m.UserAccount, m.UserEstablishment
    with engine.connect() as conn:
        links: dict[int, list[str]] = {}
        for user_id, siret in conn.execute(select(link.user_id, link.siret).order_by(link.user_id, link.siret)):
            links.setdefault(user_id, []).append(siret)
        rows = conn.execute(select(*u.__table__.columns).order_by(u.email)).all()
        return [_account(row, tuple(links.get(row.id, ()))) for row in rows]


def create_account(engine: Engine, *, email: str, display_name: str, role: str, password_hash: str | None,
                   sirets: tuple[str, ...] = (), is_demo: bool = False, audit: AuditRecord | None = None) -> int:
    """Insert an account and its establishments; returns its id. The e-mail must be new (IntegrityError)."""
    with write_transaction(engine) as conn:
        user_id = conn.execute(insert(m.UserAccount).values(
            email=email, display_name=display_name, role=role, password_hash=password_hash, is_active=True,
            is_demo=is_demo, session_version=1, created_at=_now()).returning(m.UserAccount.id)).scalar_one()
        if sirets:
            conn.execute(insert(m.UserEstablishment), [{"user_id": user_id, "siret": s} for s in sorted(set(sirets))])
        if audit:
            write_audit(conn, AuditRecord(audit.actor_id, audit.actor, audit.action, f"user:{user_id}",
                                          audit.before, audit.after, audit.address))
        return int(user_id)


def update_account(engine: Engine, user_id: int, *, audit: AuditRecord, end_sessions: bool = False,
                   **values) -> bool:
    """Set columns of one account (role, is_active, password_hash, display_name); False when it does not exist.

    end_sessions: bump the session version, which signs the account out everywhere.
    """
    u = m.UserAccount
    with write_transaction(engine) as conn:
        statement = update(u).where(u.id == user_id).values(**values)
        if end_sessions:
            statement = statement.values(session_version=u.session_version + 1)
        if conn.execute(statement).rowcount == 0:
            return False
        write_audit(conn, audit)
        return True


def set_account_sirets(engine: Engine, user_id: int, sirets: tuple[str, ...], *, audit: AuditRecord) -> None:
    with write_transaction(engine) as conn:
        conn.execute(delete(m.UserEstablishment).where(m.UserEstablishment.user_id == user_id))
        if sirets:
            conn.execute(insert(m.UserEstablishment), [{"user_id": user_id, "siret": s} for s in sorted(set(sirets))])
        write_audit(conn, audit)


def touch_login(engine: Engine, user_id: int) -> None:
    u = m.UserAccount
    with write_transaction(engine) as conn:
        conn.execute(update(u).where(u.id == user_id).values(last_login_at=_now()))


def demo_account_ids(engine: Engine) -> list[int]:
    u = m.UserAccount
    with engine.connect() as conn:
        return list(conn.execute(select(u.id).where(u.is_demo.is_(True))).scalars())


def delete_demo_accounts(engine: Engine) -> int:
    u = m.UserAccount
    with write_transaction(engine) as conn:
        return int(conn.execute(delete(u).where(u.is_demo.is_(True))).rowcount or 0)


# --- Failed sign-ins (the throttle) ----------------------------------------------------------------

def record_login_failure(engine: Engine, keys: list[str]) -> None:
    with write_transaction(engine) as conn:
        conn.execute(insert(m.LoginFailure), [{"key": k[:300], "at": _now()} for k in keys])


def login_failures_since(engine: Engine, keys: list[str], since: dt.datetime) -> dict[str, int]:
    f = m.LoginFailure
    with engine.connect() as conn:
        rows = conn.execute(select(f.key, func.count()).where(f.key.in_([k[:300] for k in keys]), f.at >= since)
                            .group_by(f.key)).all()
    return {key: int(count) for key, count in rows}


def clear_login_failures(engine: Engine, keys: list[str], *, older_than: dt.datetime | None = None) -> None:
    """Forget failures of `keys` (after a success), and every failure older than `older_than` (housekeeping)."""
    f = m.LoginFailure
    with write_transaction(engine) as conn:
        conn.execute(delete(f).where(f.key.in_([k[:300] for k in keys])))
        if older_than is not None:
            conn.execute(delete(f).where(f.at < older_than))


# --- API tokens ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TokenInfo:
    id: int
    prefix: str
    label: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None


def create_token(engine: Engine, user_id: int, *, token_hash: str, prefix: str, label: str,
                 audit: AuditRecord) -> int:
    with write_transaction(engine) as conn:
        token_id = conn.execute(insert(m.ApiToken).values(
            user_id=user_id, token_hash=token_hash, prefix=prefix, label=label, created_at=_now())
            .returning(m.ApiToken.id)).scalar_one()
        write_audit(conn, audit)
        return int(token_id)


def user_tokens(engine: Engine, user_id: int) -> list[TokenInfo]:
    t = m.ApiToken
    with engine.connect() as conn:
        rows = conn.execute(select(t.id, t.prefix, t.label, t.created_at, t.last_used_at)
                            .where(t.user_id == user_id, t.revoked_at.is_(None)).order_by(t.id)).all()
    return [TokenInfo(*row) for row in rows]


def revoke_token(engine: Engine, user_id: int, token_id: int, *, audit: AuditRecord) -> bool:
    t = m.ApiToken
    with write_transaction(engine) as conn:
        done = conn.execute(update(t).where(t.id == token_id, t.user_id == user_id, t.revoked_at.is_(None))
                            .values(revoked_at=_now())).rowcount
        if done:
            write_audit(conn, audit)
        return bool(done)


def account_for_token(engine: Engine, token_hash: str) -> Account | None:
    """The active account owning this unrevoked token (its last use is recorded at most once a minute)."""
    t = m.ApiToken
    with write_transaction(engine) as conn:
        row = conn.execute(select(t.id, t.user_id, t.last_used_at)
                           .where(t.token_hash == token_hash, t.revoked_at.is_(None))).first()
        if row is None:
            return None
        now = _now()
        if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=1):
            conn.execute(update(t).where(t.id == row.id).values(last_used_at=now))
    account = account_by_id(engine, row.user_id)
    return account if account and account.is_active else None


# --- One-time reset links --------------------------------------------------------------------------

def create_reset_link(engine: Engine, user_id: int, *, token_hash: str, expires_at: dt.datetime,
                      audit: AuditRecord) -> None:
    """Store a new link; any earlier unused link of the account stops working."""
    r = m.ResetLink
    with write_transaction(engine) as conn:
        conn.execute(update(r).where(r.user_id == user_id, r.used_at.is_(None)).values(used_at=_now()))
        conn.execute(insert(r).values(user_id=user_id, token_hash=token_hash, created_at=_now(),
                                      expires_at=expires_at))
        write_audit(conn, audit)


def reset_link_user(engine: Engine, token_hash: str) -> int | None:
    """The account of an unused, unexpired link, else None."""
    r = m.ResetLink
    with engine.connect() as conn:
        return conn.execute(select(r.user_id).where(r.token_hash == token_hash, r.used_at.is_(None),
                                                    r.expires_at > _now())).scalar_one_or_none()


def use_reset_link(engine: Engine, token_hash: str, *, password_hash: str, audit: AuditRecord) -> int | None:
    """Spend the link and set the password in one transaction (a link works once); None when it is not valid."""
    r, u = m.ResetLink, m.UserAccount
    with write_transaction(engine) as conn:
        row = conn.execute(select(r.id, r.user_id).where(r.token_hash == token_hash, r.used_at.is_(None),
                                                         r.expires_at > _now())).first()
        if row is None:
            return None
        if conn.execute(update(r).where(r.id == row.id, r.used_at.is_(None)).values(used_at=_now())).rowcount != 1:
            return None  # spent by a concurrent request
        conn.execute(update(u).where(u.id == row.user_id).values(password_hash=password_hash,
                                                                 session_version=u.session_version + 1))
        write_audit(conn, AuditRecord(audit.actor_id or row.user_id, audit.actor, audit.action,
                                      f"user:{row.user_id}", audit.before, audit.after, audit.address))
        return int(row.user_id)
