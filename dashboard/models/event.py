"""The B2B event: participants, meeting requests and meetings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.models.base import Base

# --- Event: participants, requests, meetings (issue 9) -----------------------------------------------

class Event(Base):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    venue: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer, default=2)
    day_start_minute: Mapped[int] = mapped_column(Integer, default=9 * 60)  # minutes after midnight
    day_end_minute: Mapped[int] = mapped_column(Integer, default=17 * 60)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=20)
    meeting_target: Mapped[int] = mapped_column(Integer, default=3000)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class Participant(Base):
    __tablename__ = "participants"
    __table_args__ = (Index("ix_participants_event_role", "event_id", "role"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10))  # exposant, visiteur
    name: Mapped[str] = mapped_column(String(200))
    siret: Mapped[str | None] = mapped_column(String(20))  # SIRET or demo id
    establishment_id: Mapped[int | None] = mapped_column(ForeignKey("establishments.id", ondelete="SET NULL"))
    commune_code: Mapped[str | None] = mapped_column(ForeignKey("communes.code"))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    stand: Mapped[str | None] = mapped_column(String(20))
    availability: Mapped[str] = mapped_column(String(200), default="")  # half-days, e.g. "J1AM;J1PM;J2AM"
    max_meetings: Mapped[int] = mapped_column(Integer, default=8)


class ParticipantCapability(Base):
    __tablename__ = "participant_capabilities"
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True)
    capability_code: Mapped[str] = mapped_column(ForeignKey("capabilities.code"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(5), primary_key=True)  # offer, need


class MeetingRequest(Base):
    __tablename__ = "meeting_requests"
    requester_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True)


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_event_slot", "event_id", "slot"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    exhibitor_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    visitor_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    slot: Mapped[int] = mapped_column(Integer)  # index of the slot over the whole event
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime)
    stand: Mapped[str | None] = mapped_column(String(20))
    origin: Mapped[str] = mapped_column(String(15))  # mutual, request, recommendation
    score: Mapped[float] = mapped_column(Float)
    why: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), default="scheduled")  # scheduled, held, cancelled
