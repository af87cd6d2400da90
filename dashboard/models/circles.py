"""Circles of excellence: members, sessions, registrations, practice sheets and reviews."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.models.base import Base

# --- Cercles d'excellence: circles, their members, sessions and registrations (issue 17) ----------------

class Circle(Base):
    """A circle of excellence: a theme (data/taxonomy/circle_themes.csv), a territory, a facilitator.

    The territory is a department, an employment zone or all of Lorraine (`territory_kind` department, zone,
    lorraine; `territory_code` empty for Lorraine). The facilitator is an account, a named establishment
    (SIRET or demo id), or both."""

    __tablename__ = "circles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    theme_code: Mapped[str] = mapped_column(String(40), index=True)
    territory_kind: Mapped[str] = mapped_column(String(12))
    territory_code: Mapped[str] = mapped_column(String(10), default="")
    description: Mapped[str] = mapped_column(String(2000), default="")
    facilitator_user: Mapped[int | None] = mapped_column(ForeignKey("user_accounts.id", ondelete="SET NULL"))
    facilitator_siret: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="open")  # open, closed
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_accounts.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class CircleMember(Base):
    """An establishment's membership of a circle, from its request: requested, accepted, declined or left.
    One row per (circle, establishment): asking again after a refusal or a departure reopens the same row."""

    __tablename__ = "circle_members"
    __table_args__ = (UniqueConstraint("circle_id", "siret"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    siret: Mapped[str] = mapped_column(String(20), index=True)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("user_accounts.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(10))  # analytics.circles.MEMBER_STATUSES
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user_accounts.id", ondelete="SET NULL"))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class CircleSession(Base):
    """A dated meeting of a circle, at a place (a commune, optionally a point and an address), with a capacity.

    `registered` counts the registrations: a seat is taken by a compare-and-set on it (`registered <
    capacity`), so two people cannot take the last seat at once."""

    __tablename__ = "circle_sessions"
    __table_args__ = (Index("ix_circle_sessions_circle_starts", "circle_id", "starts_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime)  # local time (Europe/Paris), naive
    duration_min: Mapped[int] = mapped_column(Integer, default=120)
    commune_code: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(300), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    capacity: Mapped[int] = mapped_column(Integer)
    registered: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default="planned")  # planned, cancelled
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_accounts.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class CircleRegistration(Base):
    """One establishment registered for a session (by an account); one row per (session, establishment)."""

    __tablename__ = "circle_registrations"
    __table_args__ = (UniqueConstraint("session_id", "siret"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("circle_sessions.id", ondelete="CASCADE"), index=True)
    siret: Mapped[str] = mapped_column(String(20), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_accounts.id", ondelete="SET NULL"))
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


# --- Practice sheets of the circles of excellence (issue 17) ---------------------------------------------

class PracticeSheet(Base):
    """A good practice written by a member for one of its sites, reviewed by staff before publication.

    Text fields are Markdown sources (dashboard/markdown_text.py renders them, sanitised, on read); themes
    (circle_themes.csv) and capabilities are ';'-joined codes. `circle_id` names a circle (table `circles`)."""

    __tablename__ = "practice_sheets"
    __table_args__ = (Index("ix_practice_sheets_status_updated", "status", "updated_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_siret: Mapped[str] = mapped_column(String(20), index=True)  # the author's site (SIRET or demo id)
    circle_id: Mapped[int | None] = mapped_column(ForeignKey("circles.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(String(6000), default="")
    actions: Mapped[str] = mapped_column(String(6000), default="")
    results: Mapped[str] = mapped_column(String(6000), default="")
    themes: Mapped[str] = mapped_column(String(400), default="")
    capabilities: Mapped[str] = mapped_column(String(400), default="")
    contact: Mapped[str] = mapped_column(String(300), default="")  # signed-in viewers only (policy)
    status: Mapped[str] = mapped_column(String(10), default="draft")  # analytics.practices.STATUSES
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_accounts.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class PracticeReview(Base):
    """One status change of a practice sheet (submitted, published, returned with a comment), dated, by whom."""

    __tablename__ = "practice_reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("practice_sheets.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    by_user: Mapped[int | None] = mapped_column(ForeignKey("user_accounts.id", ondelete="SET NULL"))
    by_label: Mapped[str] = mapped_column(String(300), default="")
    from_status: Mapped[str] = mapped_column(String(10))
    to_status: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(String(2000), default="")
