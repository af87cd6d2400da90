"""Accounts, API tokens, reset links, sign-in failures and the audit log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.models.base import Base

# --- Accounts, access and audit (issue 14) ---------------------------------------------------------

class UserAccount(Base):
    """A person who signs in: a member industrial, UIMM staff or an administrator (see dashboard/policy.py)."""

    __tablename__ = "user_accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # the login, stored lower-case
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(10))  # member, staff, admin
    # argon2id hash; None until the person sets a password through a one-time link.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # Part of the session cookie: bumped on password change, role change or disable, which ends every session.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class UserEstablishment(Base):
    """The establishments a member account speaks for, by SIRET (stable across dataset imports)."""

    __tablename__ = "user_establishments"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_accounts.id", ondelete="CASCADE"), primary_key=True)
    siret: Mapped[str] = mapped_column(String(20), primary_key=True)  # SIRET, or a demo id


class ApiToken(Base):
    """A personal token for the JSON API; only its SHA-256 is stored (it is random, so no slow hash is needed)."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_accounts.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # shown to its owner to tell tokens apart
    label: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ResetLink(Base):
    """A one-time link to set a password, issued by staff or the CLI; stored as the SHA-256 of its secret."""

    __tablename__ = "reset_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_accounts.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class LoginFailure(Base):
    """A failed sign-in, by login and by client address: the throttle counts these in a sliding window."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(300))  # "login:<email>" or "addr:<ip>"
    at: Mapped[dt.datetime] = mapped_column(DateTime)


class AuditEntry(Base):
    """Who changed what, when, with the values before and after (JSON); written in the change's transaction."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_accounts.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(300))  # e-mail or "cli:<os user>", kept if the account goes
    action: Mapped[str] = mapped_column(String(60))  # e.g. meeting.status, event.reschedule, user.role
    target: Mapped[str] = mapped_column(String(200))  # e.g. "meeting:42", "user:7"
    before: Mapped[str] = mapped_column(String(4000), default="")
    after: Mapped[str] = mapped_column(String(4000), default="")
    address: Mapped[str] = mapped_column(String(64), default="")  # client address, as seen through the proxies
