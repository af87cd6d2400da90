"""Database schema (SQLAlchemy 2.0 typed models), one module per topic. Portable SQL only: SQLite by default,
PostgreSQL tested. Callers use `from dashboard import models as m` and `m.Establishment`.

Changes go through Alembic migrations in `dashboard/migrations/versions/`.
"""

from dashboard.models.accounts import ApiToken, AuditEntry, LoginFailure, ResetLink, UserAccount, UserEstablishment
from dashboard.models.base import NAMING, Base
from dashboard.models.circles import (
    Circle,
    CircleMember,
    CircleRegistration,
    CircleSession,
    PracticeReview,
    PracticeSheet,
)
from dashboard.models.establishments import Dataset, Establishment, EstablishmentCapability, EstablishmentCertification
from dashboard.models.event import Event, Meeting, MeetingRequest, Participant, ParticipantCapability
from dashboard.models.indicators import (
    IndicatorDefinition,
    IndicatorValue,
    IndustryTerritory,
    IndustryTerritoryCommune,
    InvestmentProject,
)
from dashboard.models.network import Introduction, IntroductionEvent, NetworkNeed, NetworkOffer
from dashboard.models.skills import BmoArea, BmoAreaCommune, RecruitmentNeed, Trade, TrainingOffer, TrainingSite
from dashboard.models.territory import (
    Capability,
    CapabilityFamily,
    Certification,
    Commune,
    Department,
    EmploymentZone,
    Epci,
    Filiere,
    NafClass,
    NafDivision,
    NafGroup,
    NafSection,
    NafSubclass,
    SizeBand,
)

__all__ = [
    "NAMING", "Base", "Department", "Epci", "EmploymentZone", "Commune", "Filiere", "NafSection", "NafDivision",
    "NafGroup", "NafClass", "NafSubclass", "SizeBand", "CapabilityFamily", "Capability", "Certification",
    "Dataset", "Establishment", "EstablishmentCapability", "EstablishmentCertification", "Trade", "BmoArea",
    "BmoAreaCommune", "RecruitmentNeed", "TrainingSite", "TrainingOffer", "IndicatorDefinition",
    "IndicatorValue", "InvestmentProject", "IndustryTerritory", "IndustryTerritoryCommune", "Event",
    "Participant", "ParticipantCapability", "MeetingRequest", "Meeting", "UserAccount", "UserEstablishment",
    "ApiToken", "ResetLink", "LoginFailure", "AuditEntry", "NetworkNeed", "NetworkOffer", "Introduction",
    "IntroductionEvent", "Circle", "CircleMember", "CircleSession", "CircleRegistration", "PracticeSheet",
    "PracticeReview",
]
