"""Geography and nomenclatures: the bundled reference tables."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.models.base import Base

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


class Commune(Base):
    __tablename__ = "communes"
    code: Mapped[str] = mapped_column(String(5), primary_key=True)  # INSEE COG 2026
    name: Mapped[str] = mapped_column(String(100))
    population: Mapped[int] = mapped_column(Integer)
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), index=True)
    epci_code: Mapped[str | None] = mapped_column(ForeignKey("epci.code"), index=True)
    zone_code: Mapped[str] = mapped_column(ForeignKey("employment_zones.code"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)


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
