"""Datasets and their establishments, with capabilities and certifications."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.models.base import Base

# --- Establishments ------------------------------------------------------------------------------

class Dataset(Base):
    """A loaded set of establishments (the demo, or an import of real data); one is active."""

    __tablename__ = "datasets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    is_demo: Mapped[bool] = mapped_column(Boolean)
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)
    source_name: Mapped[str] = mapped_column(String(300))
    source_date: Mapped[dt.date] = mapped_column(Date)
    # Bumped on every load so that caches (spatial index, point store) know when to rebuild.
    version: Mapped[int] = mapped_column(Integer, default=1)
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    parameters: Mapped[str] = mapped_column(String(500), default="")


class Establishment(Base):
    __tablename__ = "establishments"
    __table_args__ = (
        UniqueConstraint("dataset_id", "public_id", name="uq_establishments_dataset_public_id"),
        Index("ix_establishments_dataset_state", "dataset_id", "state"),
        Index("ix_establishments_lat_lon", "lat", "lon"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    # SIRET for real data; 'DEMO-…' for the demo, which can never collide with a 14-digit SIRET.
    public_id: Mapped[str] = mapped_column(String(20))
    siret: Mapped[str | None] = mapped_column(String(14), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # True when the only name available is a sole trader's personal name (shown only as a last resort).
    name_is_personal: Mapped[bool] = mapped_column(Boolean, default=False)
    naf_code: Mapped[str | None] = mapped_column(ForeignKey("naf_subclasses.code"), index=True)
    # Activity code as published and its nomenclature (e.g. NAFRev1): kept when not mappable to NAF rév. 2.
    naf_raw: Mapped[str | None] = mapped_column(String(10))
    naf_nomenclature: Mapped[str | None] = mapped_column(String(10))
    size_band_code: Mapped[str | None] = mapped_column(ForeignKey("size_bands.code"))
    headcount_estimate: Mapped[int | None] = mapped_column(Integer)
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    location_approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    location_quality: Mapped[str | None] = mapped_column(String(10))  # e.g. SIRENE geoloc `qualite_xy`
    created_on: Mapped[dt.date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(1), default="A")  # A active, F closed (SIRENE)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    is_member: Mapped[bool] = mapped_column(Boolean, default=False)  # UIMM member
    # Under the metallurgy collective agreement (IDCC 3248); None when unknown.
    metallurgy_agreement: Mapped[bool | None] = mapped_column(Boolean)
    source_name: Mapped[str] = mapped_column(String(300))
    source_date: Mapped[dt.date] = mapped_column(Date)
    is_demo: Mapped[bool] = mapped_column(Boolean)


class EstablishmentCapability(Base):
    __tablename__ = "establishment_capabilities"
    establishment_id: Mapped[int] = mapped_column(ForeignKey("establishments.id", ondelete="CASCADE"), primary_key=True)
    capability_code: Mapped[str] = mapped_column(ForeignKey("capabilities.code"), primary_key=True, index=True)
    # 'declared' (member list, demo), or 'presumed' (derived from the NAF code).
    origin: Mapped[str] = mapped_column(String(10), default="declared")


class EstablishmentCertification(Base):
    __tablename__ = "establishment_certifications"
    establishment_id: Mapped[int] = mapped_column(ForeignKey("establishments.id", ondelete="CASCADE"), primary_key=True)
    certification_code: Mapped[str] = mapped_column(ForeignKey("certifications.code"), primary_key=True, index=True)
