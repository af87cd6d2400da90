"""Skills: BMO recruitment needs and the training supply."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.models.base import Base

# --- Skills: BMO recruitment needs and training supply (issue 7) -------------------------------------

class Trade(Base):
    """A trade ("métier") of France Travail's BMO survey (FAP-based codes), or a demo stand-in."""

    __tablename__ = "trades"
    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    family_code: Mapped[str] = mapped_column(String(10))
    family_label: Mapped[str] = mapped_column(String(200))
    is_industrial: Mapped[bool] = mapped_column(Boolean, default=False)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class BmoArea(Base):
    """A territory of the BMO survey ("bassin d'emploi"); the demo uses the zones d'emploi 2020."""

    __tablename__ = "bmo_areas"
    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    department_code: Mapped[str | None] = mapped_column(String(3))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class BmoAreaCommune(Base):
    """Optional commune -> BMO area mapping (to place areas on the map)."""

    __tablename__ = "bmo_area_communes"
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), primary_key=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("bmo_areas.code"), index=True)


class RecruitmentNeed(Base):
    """One BMO cell: projects (met), difficult (xmet), seasonal (smet); NULL = statistical secret, never 0."""

    __tablename__ = "recruitment_needs"
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    trade_code: Mapped[str] = mapped_column(ForeignKey("trades.code"), primary_key=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("bmo_areas.code"), primary_key=True, index=True)
    projects: Mapped[int | None] = mapped_column(Integer)
    difficult: Mapped[int | None] = mapped_column(Integer)
    seasonal: Mapped[int | None] = mapped_column(Integer)
    source_name: Mapped[str] = mapped_column(String(300))
    source_date: Mapped[dt.date] = mapped_column(Date)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class TrainingSite(Base):
    __tablename__ = "training_sites"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(60))  # lycée professionnel, CFA, AFPA-like centre…
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    source_name: Mapped[str] = mapped_column(String(300))
    source_date: Mapped[dt.date] = mapped_column(Date)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class TrainingOffer(Base):
    """Yearly output of a training site for a trade."""

    __tablename__ = "training_offers"
    site_id: Mapped[int] = mapped_column(ForeignKey("training_sites.id", ondelete="CASCADE"), primary_key=True)
    trade_code: Mapped[str] = mapped_column(ForeignKey("trades.code"), primary_key=True, index=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    graduates: Mapped[int | None] = mapped_column(Integer)
    apprentices: Mapped[int | None] = mapped_column(Integer)
