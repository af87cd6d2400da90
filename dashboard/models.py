"""Database schema (SQLAlchemy 2.0 typed models). Portable SQL only: SQLite by default, PostgreSQL later.

Changes go through Alembic migrations in `dashboard/migrations/versions/`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, MetaData, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Explicit constraint names keep migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Authored:
    """Columns of a row that members and staff write (needs, offers, circles, sessions, sheets): who created it,
    when, the last change; demo rows are flagged so that the demo reset removes only them."""

    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_accounts.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class Located:
    """A point on the map: WGS84 degrees (communes at their centre, sites where they stand)."""

    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)


class Sourced:
    """Columns of a published fact (BMO, training, indicators, projects): its source and date, or a demo row."""

    source_name: Mapped[str] = mapped_column(String(300))
    source_date: Mapped[dt.date] = mapped_column(Date)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class TimelineStep:
    """Columns of one dated step of a status timeline (introductions, practice reviews), with who made it."""

    at: Mapped[dt.datetime] = mapped_column(DateTime)
    by_user: Mapped[int | None] = mapped_column(ForeignKey("user_accounts.id", ondelete="SET NULL"))
    by_label: Mapped[str] = mapped_column(String(300), default="")


# --- Geography -----------------------------------------------------------------------------------

class Department(Base):
    __tablename__ = "departments"
    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    population: Mapped[int] = mapped_column(Integer)


class Epci(Base):
    __tablename__ = "epci"
    code: Mapped[str] = mapped_column(String(9), primary_key=True)  # SIREN of the EPCI
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # CC, CA, CU, METRO
    population: Mapped[int] = mapped_column(Integer)  # Lorraine part


class EmploymentZone(Base):
    """Zone d'emploi 2020 (INSEE)."""

    __tablename__ = "employment_zones"
    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    population: Mapped[int] = mapped_column(Integer)  # Lorraine part


class Commune(Located, Base):
    __tablename__ = "communes"
    code: Mapped[str] = mapped_column(String(5), primary_key=True)  # INSEE COG 2026
    name: Mapped[str] = mapped_column(String(100))
    population: Mapped[int] = mapped_column(Integer)
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), index=True)
    epci_code: Mapped[str | None] = mapped_column(ForeignKey("epci.code"), index=True)
    zone_code: Mapped[str] = mapped_column(ForeignKey("employment_zones.code"), index=True)


# --- Nomenclatures -------------------------------------------------------------------------------

class Filiere(Base):
    """Dashboard grouping of NAF divisions (not an official aggregate)."""

    __tablename__ = "filieres"
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    color: Mapped[str] = mapped_column(String(7))
    sort_order: Mapped[int] = mapped_column(Integer)


class NafSection(Base):
    __tablename__ = "naf_sections"
    code: Mapped[str] = mapped_column(String(1), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))


class NafDivision(Base):
    __tablename__ = "naf_divisions"
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    label: Mapped[str] = mapped_column(String(300))
    section_code: Mapped[str] = mapped_column(ForeignKey("naf_sections.code"))


class NafGroup(Base):
    __tablename__ = "naf_groups"
    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    label: Mapped[str] = mapped_column(String(300))
    division_code: Mapped[str] = mapped_column(ForeignKey("naf_divisions.code"))


class NafClass(Base):
    __tablename__ = "naf_classes"
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    label: Mapped[str] = mapped_column(String(300))
    group_code: Mapped[str] = mapped_column(ForeignKey("naf_groups.code"))


class NafSubclass(Base):
    __tablename__ = "naf_subclasses"
    code: Mapped[str] = mapped_column(String(6), primary_key=True)  # e.g. 25.62B
    label: Mapped[str] = mapped_column(String(300))
    class_code: Mapped[str] = mapped_column(ForeignKey("naf_classes.code"))
    filiere_code: Mapped[str] = mapped_column(ForeignKey("filieres.code"), index=True)
    metallurgy: Mapped[str | None] = mapped_column(String(10))  # 'coeur', 'partiel' or NULL


class SizeBand(Base):
    """INSEE tranche d'effectif salarié; codes are strings ('01' is not 1)."""

    __tablename__ = "size_bands"
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    short_label: Mapped[str] = mapped_column(String(20))
    min_staff: Mapped[int | None] = mapped_column(Integer)
    max_staff: Mapped[int | None] = mapped_column(Integer)
    headcount_mid: Mapped[float] = mapped_column(Float)
    sort_order: Mapped[int] = mapped_column(Integer)


class CapabilityFamily(Base):
    __tablename__ = "capability_families"
    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    sort_order: Mapped[int] = mapped_column(Integer)


class Capability(Base):
    """A process-level know-how ("savoir-faire"), e.g. 5-axis milling."""

    __tablename__ = "capabilities"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(120), unique=True)
    family_code: Mapped[str] = mapped_column(ForeignKey("capability_families.code"), index=True)
    description: Mapped[str] = mapped_column(String(400))
    sort_order: Mapped[int] = mapped_column(Integer)


class Certification(Base):
    __tablename__ = "certifications"
    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    scope: Mapped[str] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(Integer)


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


class Establishment(Located, Base):
    __tablename__ = "establishments"
    __table_args__ = (UniqueConstraint("dataset_id", "public_id", name="uq_establishments_dataset_public_id"),
                      Index("ix_establishments_dataset_state", "dataset_id", "state"),
                      Index("ix_establishments_lat_lon", "lat", "lon"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    # SIRET for real data; 'DEMO-…' for the demo; '<country>-<registration>' abroad (never a 14-digit SIRET).
    public_id: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2), default="FR", server_default="FR")  # ISO 3166-1 alpha-2
    nuts3_code: Mapped[str | None] = mapped_column(String(5))  # abroad: the NUTS-3 region holding the point
    foreign_id: Mapped[str | None] = mapped_column(String(17))  # abroad: the national registration number
    locality: Mapped[str | None] = mapped_column(String(100))  # abroad: the town (no French commune)
    siret: Mapped[str | None] = mapped_column(String(14), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_is_personal: Mapped[bool] = mapped_column(Boolean, default=False)  # a sole trader's name: last resort
    naf_code: Mapped[str | None] = mapped_column(ForeignKey("naf_subclasses.code"), index=True)
    # Activity code as published and its nomenclature (e.g. NAFRev1): kept when not mappable to NAF rév. 2.
    naf_raw: Mapped[str | None] = mapped_column(String(10))
    naf_nomenclature: Mapped[str | None] = mapped_column(String(10))
    size_band_code: Mapped[str | None] = mapped_column(ForeignKey("size_bands.code"))
    headcount_estimate: Mapped[int | None] = mapped_column(Integer)
    commune_code: Mapped[str | None] = mapped_column(ForeignKey("communes.code"), index=True)  # None abroad
    address: Mapped[str | None] = mapped_column(String(300))
    location_approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    location_quality: Mapped[str | None] = mapped_column(String(10))  # e.g. SIRENE geoloc `qualite_xy`
    created_on: Mapped[dt.date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(1), default="A")  # A active, F closed (SIRENE)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    is_member: Mapped[bool] = mapped_column(Boolean, default=False)  # UIMM member
    metallurgy_agreement: Mapped[bool | None] = mapped_column(Boolean)  # under IDCC 3248 (metallurgy); None unknown
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


class RecruitmentNeed(Sourced, Base):
    """One BMO cell: projects (met), difficult (xmet), seasonal (smet); NULL = statistical secret, never 0."""

    __tablename__ = "recruitment_needs"
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    trade_code: Mapped[str] = mapped_column(ForeignKey("trades.code"), primary_key=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("bmo_areas.code"), primary_key=True, index=True)
    projects: Mapped[int | None] = mapped_column(Integer)
    difficult: Mapped[int | None] = mapped_column(Integer)
    seasonal: Mapped[int | None] = mapped_column(Integer)


class TrainingSite(Located, Sourced, Base):
    __tablename__ = "training_sites"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(60))  # lycée professionnel, CFA, AFPA-like centre…
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), index=True)


class TrainingOffer(Base):
    """Yearly output of a training site for a trade."""

    __tablename__ = "training_offers"
    site_id: Mapped[int] = mapped_column(ForeignKey("training_sites.id", ondelete="CASCADE"), primary_key=True)
    trade_code: Mapped[str] = mapped_column(ForeignKey("trades.code"), primary_key=True, index=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    graduates: Mapped[int | None] = mapped_column(Integer)
    apprentices: Mapped[int | None] = mapped_column(Integer)


# --- Reindustrialisation indicators (issue 8) ------------------------------------------------------

class IndicatorDefinition(Base):
    __tablename__ = "indicator_catalog"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    definition: Mapped[str] = mapped_column(String(1000))
    unit: Mapped[str] = mapped_column(String(40))
    higher_is_better: Mapped[bool | None] = mapped_column(Boolean)  # None: neutral
    source: Mapped[str] = mapped_column(String(300))


class IndicatorValue(Sourced, Base):
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


class InvestmentProject(Located, Sourced, Base):
    """An announced project: opening, extension, closure or reduction; also France 2030 / deeptech items."""

    __tablename__ = "investment_projects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))  # opening, extension, closure, reduction
    programme: Mapped[str | None] = mapped_column(String(60))  # e.g. france2030, deeptech
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), index=True)
    announced_on: Mapped[dt.date] = mapped_column(Date)
    jobs: Mapped[int | None] = mapped_column(Integer)
    amount_eur: Mapped[float | None] = mapped_column(Float)
    filiere_code: Mapped[str | None] = mapped_column(ForeignKey("filieres.code"))


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


# --- The network: posted needs and offers, introductions followed to the deal (issue 16) ----------------

class NetworkNeed(Authored, Base):
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


class NetworkOffer(Authored, Base):
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


class IntroductionEvent(TimelineStep, Base):
    """One step of an introduction's status timeline, dated, with who made it."""

    __tablename__ = "introduction_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    introduction_id: Mapped[int] = mapped_column(ForeignKey("introductions.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(40), default="")  # analytics.network.REASONS (sans suite)
    value_band: Mapped[str] = mapped_column(String(10), default="")  # analytics.network.VALUE_BANDS (commande)


# --- Cercles d'excellence: circles, their members, sessions and registrations (issue 17) ----------------

class Circle(Authored, Base):
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


class CircleSession(Authored, Base):
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

class PracticeSheet(Authored, Base):
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
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class PracticeReview(TimelineStep, Base):
    """One status change of a practice sheet (submitted, published, returned with a comment), dated, by whom."""

    __tablename__ = "practice_reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("practice_sheets.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(10))
    to_status: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(String(2000), default="")
