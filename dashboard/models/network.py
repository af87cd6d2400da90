"""The members' network: posted needs and offers, introductions followed to the deal."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.models.base import Base

# --- The network: posted needs and offers, introductions followed to the deal (issue 16) ----------------

class NetworkNeed(Base):
    """A buyer's posted need; establishments are named by SIRET or demo id (stable across dataset imports).

    Code lists (capabilities, certifications) are stored as ';'-joined codes: they are read whole and
    matched in Python by the partners engine, never queried code by code."""

    __tablename__ = "network_needs"
    __table_args__ = (Index("ix_network_needs_status_deadline", "status", "deadline"),
                      Index("ix_network_needs_updated_at", "updated_at"))  # repository.network_version
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    buyer_siret: Mapped[str] = mapped_column(String(20), index=True)  # the site the need is for
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000), default="")
    capabilities: Mapped[str] = mapped_column(String(400))
    certifications_required: Mapped[str] = mapped_column(String(400), default="")
    certifications_wished: Mapped[str] = mapped_column(String(400), default="")
    quantity: Mapped[str] = mapped_column(String(200), default="")  # in words: "2 000 pièces par an"
    radius_km: Mapped[float] = mapped_column(Float)
    deadline: Mapped[dt.date] = mapped_column(Date)
    visibility: Mapped[str] = mapped_column(String(10))  # members, public
    status: Mapped[str] = mapped_column(String(10), default="open")  # open, closed
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_accounts.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class NetworkOffer(Base):
    """Spare capacity (a capability) or a by-product / scrap (a material) offered by an establishment."""

    __tablename__ = "network_offers"
    __table_args__ = (Index("ix_network_offers_status_until", "status", "available_until"),
                      Index("ix_network_offers_updated_at", "updated_at"))  # repository.network_version
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # capacity, byproduct
    owner_siret: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000), default="")
    capability_code: Mapped[str | None] = mapped_column(ForeignKey("capabilities.code"))  # capacity offers
    material: Mapped[str] = mapped_column(String(200), default="")  # by-products
    quantity: Mapped[str] = mapped_column(String(200), default="")  # "35 h par semaine", "12 t par mois"
    available_from: Mapped[dt.date | None] = mapped_column(Date)
    available_until: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open, closed
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_accounts.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class Introduction(Base):
    """A member asks to be introduced to another establishment; its status follows the deal (see events)."""

    __tablename__ = "introductions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requester_siret: Mapped[str] = mapped_column(String(20), index=True)
    target_siret: Mapped[str] = mapped_column(String(20), index=True)
    origin: Mapped[str] = mapped_column(String(10))  # need, offer, partners, meeting
    need_id: Mapped[int | None] = mapped_column(ForeignKey("network_needs.id", ondelete="SET NULL"))
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("network_offers.id", ondelete="SET NULL"))
    meeting_id: Mapped[int | None] = mapped_column(Integer)  # an event meeting (events are replaced wholesale)
    message: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[str] = mapped_column(String(12))  # analytics.network.STATUSES
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("user_accounts.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # Set when the target accepted (the requester accepted by asking): contacts are shown from then on.
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class IntroductionEvent(Base):
    """One step of an introduction's status timeline, dated, with who made it."""

    __tablename__ = "introduction_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    introduction_id: Mapped[int] = mapped_column(ForeignKey("introductions.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    by_user: Mapped[int | None] = mapped_column(ForeignKey("user_accounts.id", ondelete="SET NULL"))
    by_label: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(40), default="")  # analytics.network.REASONS (sans suite)
    value_band: Mapped[str] = mapped_column(String(10), default="")  # analytics.network.VALUE_BANDS (commande)
