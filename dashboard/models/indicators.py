"""Reindustrialisation indicators, investment projects and Territoires d'industrie."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.models.base import Base

# --- Reindustrialisation indicators (issue 8) ------------------------------------------------------

class IndicatorDefinition(Base):
    __tablename__ = "indicator_catalog"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    definition: Mapped[str] = mapped_column(String(1000))
    unit: Mapped[str] = mapped_column(String(40))
    higher_is_better: Mapped[bool | None] = mapped_column(Boolean)  # None: neutral
    source: Mapped[str] = mapped_column(String(300))


class IndicatorValue(Base):
    """A generic time series point: indicator × territory × period."""

    __tablename__ = "indicator_values"
    __table_args__ = (
        UniqueConstraint("indicator_code", "level", "territory_code", "period", name="uq_indicator_values_key"),
        Index("ix_indicator_values_lookup", "indicator_code", "level", "territory_code"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator_catalog.code"))
    # region, departement, epci, zone_emploi, commune, territoire_industrie
    level: Mapped[str] = mapped_column(String(30))
    territory_code: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(10))  # 2024, 2024-Q3 or 2024-07
    period_start: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[float | None] = mapped_column(Float)  # NULL: secret or missing, never 0
    unit: Mapped[str] = mapped_column(String(40))
    source_name: Mapped[str] = mapped_column(String(300))
    source_date: Mapped[dt.date] = mapped_column(Date)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class InvestmentProject(Base):
    """An announced project: opening, extension, closure or reduction; also France 2030 / deeptech items."""

    __tablename__ = "investment_projects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))  # opening, extension, closure, reduction
    programme: Mapped[str | None] = mapped_column(String(60))  # e.g. france2030, deeptech
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    announced_on: Mapped[dt.date] = mapped_column(Date)
    jobs: Mapped[int | None] = mapped_column(Integer)
    amount_eur: Mapped[float | None] = mapped_column(Float)
    filiere_code: Mapped[str | None] = mapped_column(ForeignKey("filieres.code"))
    source_name: Mapped[str] = mapped_column(String(300))
    source_date: Mapped[dt.date] = mapped_column(Date)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class IndustryTerritory(Base):
    """A "Territoire d'industrie" (ANCT), imported from its commune file."""

    __tablename__ = "industry_territories"
    code: Mapped[str] = mapped_column(String(20), primary_key=True)  # id_ti, e.g. ti-4401
    name: Mapped[str] = mapped_column(String(200))


class IndustryTerritoryCommune(Base):
    __tablename__ = "industry_territory_communes"
    territory_code: Mapped[str] = mapped_column(ForeignKey("industry_territories.code", ondelete="CASCADE"),
                                                primary_key=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), primary_key=True, index=True)
