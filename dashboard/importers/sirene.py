"""Import the Sirene stock of establishments (INSEE) for the chosen departments and NAF sections.

Files (data.gouv.fr, see docs/real-data.md): `StockEtablissement` (mandatory), its geolocation
file `GeolocalisationEtablissement_Sirene_pour_etudes_statistiques` and `StockUniteLegale` (both
optional), each as CSV, the zip as downloaded, or Parquet. The establishments file is read once,
then the two others, keeping only the SIRET/SIREN already kept: memory depends on the number of
establishments kept (tens of thousands for Lorraine), never on the size of the national files.

The result is loaded as the dataset `sirene` with `repository.replace_dataset` (one transaction)
and becomes the active dataset. Member flags, declared capabilities, certifications and IDCC
flags added to a previous `sirene` dataset are carried over by SIRET.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO, TypeVar

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from dashboard import repository
from dashboard.importers.errors import ArgumentError, FileFormatError, ImportFailed
from dashboard.importers.reading import Keep, Row, Table, TableSpec, describe, open_table
from dashboard.importers.report import ImportOutcome, ImportReport, Progress, report_path
from dashboard.importers.taxonomy import load_presumed_capabilities
from dashboard.reference import ReferenceData, departments, load_reference

DATASET_NAME = "sirene"
_T = TypeVar("_T")
SOURCE_NAME = "INSEE – base Sirene des entreprises et de leurs établissements (stock)"
DEFAULT_SECTIONS = ("B", "C", "D", "E")

# The 54 columns of StockEtablissement, in the published order (format 3.11 + NAF 2025 column). The
# importer binds by name and needs only a few of them; this list documents the file (benchmark, tests).
STOCK_ETABLISSEMENT_COLUMNS = (
    "siren", "nic", "siret", "statutDiffusionEtablissement", "dateCreationEtablissement",
    "trancheEffectifsEtablissement", "anneeEffectifsEtablissement", "activitePrincipaleRegistreMetiersEtablissement",
    "dateDernierTraitementEtablissement", "etablissementSiege", "nombrePeriodesEtablissement",
    "complementAdresseEtablissement", "numeroVoieEtablissement", "indiceRepetitionEtablissement",
    "dernierNumeroVoieEtablissement", "indiceRepetitionDernierNumeroVoieEtablissement", "typeVoieEtablissement",
    "libelleVoieEtablissement", "codePostalEtablissement", "libelleCommuneEtablissement",
    "libelleCommuneEtrangerEtablissement", "distributionSpecialeEtablissement", "codeCommuneEtablissement",
    "codeCedexEtablissement", "libelleCedexEtablissement", "codePaysEtrangerEtablissement",
    "libellePaysEtrangerEtablissement", "identifiantAdresseEtablissement", "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement", "complementAdresse2Etablissement", "numeroVoie2Etablissement",
    "indiceRepetition2Etablissement", "typeVoie2Etablissement", "libelleVoie2Etablissement",
    "codePostal2Etablissement", "libelleCommune2Etablissement", "libelleCommuneEtranger2Etablissement",
    "distributionSpeciale2Etablissement", "codeCommune2Etablissement", "codeCedex2Etablissement",
    "libelleCedex2Etablissement", "codePaysEtranger2Etablissement", "libellePaysEtranger2Etablissement", "dateDebut",
    "etatAdministratifEtablissement", "enseigne1Etablissement", "enseigne2Etablissement", "enseigne3Etablissement",
    "denominationUsuelleEtablissement", "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement", "caractereEmployeurEtablissement",
    "activitePrincipaleNAF25Etablissement",
)
ESTABLISHMENTS = TableSpec(
    title="Sirene establishments file (StockEtablissement)",
    separator=",",
    mandatory=("siret", "codeCommuneEtablissement", "activitePrincipaleEtablissement",
               "etatAdministratifEtablissement"),
    zero_pad={"siret": 14, "siren": 9, "nic": 5, "trancheEffectifsEtablissement": 2},
)
LEGAL_UNITS = TableSpec(
    title="Sirene legal units file (StockUniteLegale)",
    separator=",",
    mandatory=("siren", "denominationUniteLegale"),
    zero_pad={"siren": 9},
)
GEOLOCATION = TableSpec(
    title="Sirene geolocation file (GeolocalisationEtablissement_Sirene_pour_etudes_statistiques)",
    separator=";",
    mandatory=("siret",),
    alternatives=(("x", "y"), ("x_longitude", "y_latitude")),
    zero_pad={"siret": 14},
)

# Sections of the NAF rév. 2 divisions (official structure); NAF 2025 keeps them for B–E.
_REV2_SECTIONS = {
    **dict.fromkeys(range(1, 4), "A"), **dict.fromkeys(range(5, 10), "B"), **dict.fromkeys(range(10, 34), "C"),
    35: "D", **dict.fromkeys(range(36, 40), "E"), **dict.fromkeys(range(41, 44), "F"),
    **dict.fromkeys(range(45, 48), "G"), **dict.fromkeys(range(49, 54), "H"), 55: "I", 56: "I",
    **dict.fromkeys(range(58, 64), "J"), **dict.fromkeys(range(64, 67), "K"), 68: "L",
    **dict.fromkeys(range(69, 76), "M"), **dict.fromkeys(range(77, 83), "N"), 84: "O", 85: "P",
    **dict.fromkeys(range(86, 89), "Q"), **dict.fromkeys(range(90, 94), "R"), **dict.fromkeys(range(94, 97), "S"),
    97: "T", 98: "T", 99: "U",
}
# NAF rév. 1 / NAF 1993 divisions -> the NAF rév. 2 section that took most of them over
# (an approximation used only to decide whether an old code is in scope; never mapped to a filière).
_OLD_SECTIONS = {**dict.fromkeys(range(10, 15), "B"), **dict.fromkeys(range(15, 37), "C"), 37: "E", 40: "D",
                 41: "E", 90: "E"}
_OLD_NOMENCLATURES = {"NAFREV1", "NAF1993"}
_REV2 = re.compile(r"(\d\d)\.?(\d\d)([A-Z])")
_OLD = re.compile(r"(\d\d)\.?(\d)([A-Z])")
_SIRET = re.compile(r"\d{14}")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_ND = "[ND]"  # partial diffusion: the value is not published
_MARGIN_DEGREES = 0.15  # tolerance around the commune centroids of the selected departments
_EPSG_LAMBERT93 = "2154"


@dataclass(frozen=True)
class SireneOptions:
    etablissements: Path
    geoloc: Path | None = None
    unites_legales: Path | None = None
    departements: tuple[str, ...] = field(default_factory=departments)
    sections: tuple[str, ...] = DEFAULT_SECTIONS
    source_date: dt.date | None = None


def parse_departments(text: str) -> tuple[str, ...]:
    """'54,57' -> ('54', '57'); only the departments whose geography tissu bundles."""
    codes = tuple(dict.fromkeys(c.strip().zfill(2) for c in text.split(",") if c.strip()))
    unknown = [c for c in codes if c not in departments()]
    if not codes or unknown:
        raise ArgumentError(f"--departements {text!r}: tissu bundles the geography of {', '.join(departments())} "
                            f"only{' (not ' + ', '.join(unknown) + ')' if unknown else ''}")
    return codes


def parse_sections(text: str) -> tuple[str, ...]:
    """'b, c' -> ('B', 'C'); only the industrial NAF sections B to E."""
    codes = tuple(dict.fromkeys(c.strip().upper() for c in text.split(",") if c.strip()))
    unknown = [c for c in codes if c not in DEFAULT_SECTIONS]
    if not codes or unknown:
        raise ArgumentError(f"--sections {text!r}: choose among the industrial NAF sections "
                            f"{', '.join(DEFAULT_SECTIONS)}")
    return codes


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ArgumentError(f"--date {text!r}: expected YYYY-MM-DD") from None


@dataclass
class SireneData:
    """The establishments read from the files, ready for `repository.replace_dataset`."""

    establishments: pd.DataFrame
    capabilities: pd.DataFrame  # public_id, capability_code, origin ('presumed')
    certifications: pd.DataFrame  # public_id, certification_code (empty until carried over)
    source_name: str
    source_date: dt.date
    label: str
    parameters: str
    report: ImportReport


# --- Entry point -------------------------------------------------------------------------------

def import_sirene(engine: Engine, options: SireneOptions, *, report_dir: Path | None = None,
                  progress: bool = True, stream: TextIO | None = None) -> ImportOutcome:
    """Read the files, then replace the `sirene` dataset and make it active (one transaction).

    Raises ImportFailed (FileFormatError, ArgumentError) before touching the database when a file is
    not what it claims to be.
    """
    from dashboard.bootstrap import prepare_database

    tables = open_sirene_tables(options)
    try:
        prepare_database(engine)
        data = read_sirene(tables, options, progress=progress, stream=stream)
    finally:
        for table in tables.values():
            if table is not None:
                table.close()
    establishments, capabilities, certifications = _carry_over(engine, data)
    info = repository.replace_dataset(
        engine, name=DATASET_NAME, label=data.label, is_demo=False, source_name=data.source_name,
        source_date=data.source_date, establishments=establishments, capabilities=capabilities,
        certifications=certifications, parameters=data.parameters,
    )
    outcome = ImportOutcome(report=data.report, dataset=info)
    if report_dir is not None:
        outcome.report_file = data.report.write_csv(report_path(report_dir, "sirene"))
    return outcome


def open_sirene_tables(options: SireneOptions) -> dict[str, Table | None]:
    """Open and check the headers of every file given (fails fast, before any row is read)."""
    tables: dict[str, Table | None] = {"etablissements": None, "unites_legales": None, "geoloc": None}
    try:
        tables["etablissements"] = open_table(options.etablissements, ESTABLISHMENTS)
        if options.unites_legales is not None:
            tables["unites_legales"] = open_table(options.unites_legales, LEGAL_UNITS)
        if options.geoloc is not None:
            tables["geoloc"] = open_table(options.geoloc, GEOLOCATION)
    except BaseException:
        for table in tables.values():
            if table is not None:
                table.close()
        raise
    return tables


# --- Reading -----------------------------------------------------------------------------------

@dataclass
class _Kept:
    """One establishment kept, with what later passes need."""

    line: int
    record: dict
    usual_name: str
    sign: str
    x: str
    y: str
    unpublished: bool  # partial diffusion: the address and coordinates are `[ND]`


class _Columns:
    """Positions of the columns a pass uses; absent optional columns read as ''."""

    def __init__(self, table: Table, names: list[str]):
        self.positions = {name: table.position(name) for name in names}

    def getter(self, fields: list[str]) -> _Fields:
        return _Fields(self.positions, fields)


class _Fields:
    """get(name): the stripped value, '' for `[ND]`; get.unpublished(name): whether it was `[ND]`."""

    __slots__ = ("_positions", "_fields")

    def __init__(self, positions: dict[str, int | None], fields: list[str]):
        self._positions, self._fields = positions, fields

    def _raw(self, name: str) -> str:
        i, fields = self._positions[name], self._fields
        return "" if i is None or i >= len(fields) else fields[i].strip()

    def __call__(self, name: str) -> str:
        value = self._raw(name)
        return "" if value == _ND else value

    def unpublished(self, name: str) -> bool:
        return self._raw(name) == _ND


_ESTABLISHMENT_COLUMNS = [
    "siret", "codeCommuneEtablissement", "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement", "etatAdministratifEtablissement", "dateDebut",
    "dateCreationEtablissement", "trancheEffectifsEtablissement", "denominationUsuelleEtablissement",
    "enseigne1Etablissement", "numeroVoieEtablissement", "indiceRepetitionEtablissement",
    "typeVoieEtablissement", "libelleVoieEtablissement", "codePostalEtablissement",
    "libelleCommuneEtablissement", "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement", "dateDernierTraitementEtablissement", "statutDiffusionEtablissement",
]
_LEGAL_UNIT_COLUMNS = ["siren", "denominationUniteLegale", "denominationUsuelle1UniteLegale",
                       "prenomUsuelUniteLegale", "prenom1UniteLegale", "nomUsageUniteLegale", "nomUniteLegale"]
_GEOLOCATION_COLUMNS = ["siret", "x", "y", "qualite_xy", "epsg", "x_longitude", "y_latitude"]


def read_sirene(tables: dict[str, Table | None], options: SireneOptions, *, ref: ReferenceData | None = None,
                progress: bool = True, stream: TextIO | None = None) -> SireneData:
    """Stream the opened files and build the establishments of the dataset (no database access)."""
    ref = ref or load_reference()
    report = ImportReport("sirene")
    reader = _EstablishmentReader(ref, options, report)
    table = tables["etablissements"]
    assert table is not None
    kept = reader.read(table, Progress(describe(table.path), stream=stream, enabled=progress))
    if not kept:
        raise ImportFailed(
            f"{table.path}: no establishment of departments {', '.join(options.departements)} in NAF sections "
            f"{', '.join(options.sections)} was accepted ({table.rows_read:,} rows read): nothing imported")
    units = None
    if tables["unites_legales"] is not None:
        units = _read_legal_units(tables["unites_legales"], {k.record["siret"][:9] for k in kept}, report,
                                  Progress(describe(tables["unites_legales"].path), stream=stream, enabled=progress))
    geolocation = None
    if tables["geoloc"] is not None:
        geolocation = _read_geolocation(tables["geoloc"], {k.record["siret"] for k in kept}, report,
                                        Progress(describe(tables["geoloc"].path), stream=stream, enabled=progress))
    source = describe(table.path)
    for item in kept:
        _name(item, units, report, source)
    _locate(kept, geolocation, ref, options, report, source)

    records = [k.record for k in kept]
    establishments = pd.DataFrame({c: pd.Series([r[c] for r in records], dtype=object)
                                   for c in records[0]})
    presumed = load_presumed_capabilities()
    capabilities = pd.DataFrame(
        [(r["public_id"], code, "presumed") for r in records for code in presumed.get(r["naf_code"] or "", ())],
        columns=["public_id", "capability_code", "origin"], dtype=object)
    active = int((establishments["state"] == "A").sum())
    report.counts.update({
        "rows read": table.rows_read,
        "out of scope (departments, sections)": table.rows_read - reader.in_scope,
        "in scope": reader.in_scope,
        "kept": len(records),
        "  active": active,
        "  closed": len(records) - active,
    })
    if (legal_units := tables["unites_legales"]) is not None:
        report.counts["legal units read"] = legal_units.rows_read
    if (geoloc := tables["geoloc"]) is not None:
        report.counts["geolocation rows read"] = geoloc.rows_read
    source_date = options.source_date or _file_date(table)
    source_name = SOURCE_NAME + (", unités légales" if units is not None else "") + \
        (", géolocalisation des établissements" if geolocation is not None else "")
    parameters = (f"departements={','.join(options.departements)} sections={','.join(options.sections)} "
                  f"etablissements={describe(options.etablissements)}"
                  + (f" unites-legales={describe(options.unites_legales)}" if options.unites_legales else "")
                  + (f" geoloc={describe(options.geoloc)}" if options.geoloc else ""))[:500]
    label = (f"Sirene : établissements des sections {', '.join(options.sections)} "
             f"({', '.join(options.departements)})")
    return SireneData(establishments=establishments, capabilities=capabilities,
                      certifications=pd.DataFrame(columns=["public_id", "certification_code"], dtype=object),
                      source_name=source_name, source_date=source_date, label=label, parameters=parameters,
                      report=report)


def _file_date(table: Table) -> dt.date:
    """The file's latest `dateDernierTraitementEtablissement`, else its modification date."""
    if table.max_date:
        return dt.date.fromisoformat(table.max_date)
    return dt.date.fromtimestamp(table.path.stat().st_mtime)


def _division_prefixes(sections: tuple[str, ...]) -> frozenset[str]:
    """Two-digit prefixes of the activity codes that can be in these sections (any nomenclature)."""
    divisions = {d for d, s in _REV2_SECTIONS.items() if s in sections}
    divisions |= {d for d, s in _OLD_SECTIONS.items() if s in sections}
    return frozenset(f"{d:02d}" for d in divisions)


class _EstablishmentReader:
    """Pass 1: the establishments of the chosen departments and sections, validated."""

    def __init__(self, ref: ReferenceData, options: SireneOptions, report: ImportReport):
        self.options = options
        self.report = report
        self.sections = set(options.sections)
        self.naf_section = dict(zip(ref.naf["subclass"], ref.naf["section"]))
        self.communes = set(ref.communes["code"])
        bands = ref.size_bands
        self.headcount = {code: (None if code == "NN" or pd.isna(mid) else int(math.floor(float(mid) + 0.5)))
                          for code, mid in zip(bands["code"], bands["headcount_mid"])}
        self.in_scope = 0

    def read(self, table: Table, progress: Progress) -> list[_Kept]:
        source = describe(table.path)
        columns = _Columns(table, _ESTABLISHMENT_COLUMNS)
        keep = [Keep("codeCommuneEtablissement", frozenset(self.options.departements)),
                Keep("activitePrincipaleEtablissement", _division_prefixes(self.options.sections))]
        seen: dict[str, int] = {}
        kept: list[_Kept] = []
        ncols = len(table.columns)
        siret_at = table.position("siret")
        for row in table.rows(keep, use=_ESTABLISHMENT_COLUMNS, max_date_of="dateDernierTraitementEtablissement",
                              progress=progress):
            if row.malformed:
                self.in_scope += 1
                guess = row.fields[siret_at] if siret_at is not None and siret_at < len(row.fields) else ""
                self.report.reject(source, row.line, guess if _SIRET.fullmatch(guess) else "", "malformed_line",
                                   f"{len(row.fields)} fields where the header has {ncols}")
                continue
            item = self._row(row, columns.getter(row.fields), source, seen)
            if item is not None:
                kept.append(item)
        progress.close()
        return kept

    def _row(self, row: Row, get: _Fields, source: str, seen: dict[str, int]) -> _Kept | None:
        activity = get("activitePrincipaleEtablissement").upper()
        published_nomenclature = get("nomenclatureActivitePrincipaleEtablissement")
        nomenclature = published_nomenclature.upper()
        scope, naf_code, section = self._activity(activity, nomenclature)
        if scope == "out":
            return None
        self.in_scope += 1
        siret = get("siret")
        reject = self.report.reject
        if not _SIRET.fullmatch(siret):
            reject(source, row.line, siret, "invalid_siret", f"SIRET {siret!r} is not 14 digits")
            return None
        if scope == "unknown":
            reject(source, row.line, siret, "unknown_naf",
                   f"activity code {activity!r} is not a NAF rév. 2 sub-class of section {section}")
            return None
        commune = get("codeCommuneEtablissement")
        if commune not in self.communes:
            reject(source, row.line, siret, "unknown_commune",
                   f"commune code {commune!r} is not a 2026 commune of departments "
                   f"{', '.join(self.options.departements)} (merged or renamed commune?)")
            return None
        state = get("etatAdministratifEtablissement").upper()
        if state not in ("A", "F"):
            reject(source, row.line, siret, "invalid_state",
                   f"etatAdministratifEtablissement {state!r} is neither A (active) nor F (closed)")
            return None
        if siret in seen:
            reject(source, row.line, siret, "duplicate_siret", f"SIRET already read on line {seen[siret]}")
            return None
        seen[siret] = row.line
        adjust = self.report.adjust
        if scope == "other":
            adjust(source, row.line, siret, "old_nomenclature",
                   f"activity {activity} is in nomenclature {published_nomenclature}: kept without a filière")
        created_on = self._date(get("dateCreationEtablissement"), "dateCreationEtablissement", source, row, siret)
        closed_on = None
        if state == "F":
            closed_on = self._date(get("dateDebut"), "dateDebut", source, row, siret)
            if closed_on is None:
                adjust(source, row.line, siret, "missing_closing_date",
                       "closed establishment without a valid dateDebut: closing date unknown")
        band = get("trancheEffectifsEtablissement") or None
        if band is not None and band not in self.headcount:
            adjust(source, row.line, siret, "unknown_size_band",
                   f"trancheEffectifsEtablissement {band!r} is not an INSEE band: size unknown")
            band = None
        record = {
            "public_id": siret, "siret": siret, "name": "", "name_is_personal": False,
            "naf_code": naf_code, "naf_raw": activity[:10] or None,
            "naf_nomenclature": (published_nomenclature or "NAFRev2")[:10],
            "size_band_code": band, "headcount_estimate": self.headcount.get(band) if band else None,
            "commune_code": commune, "address": _address(get), "lat": None, "lon": None,
            "location_approximate": False, "location_quality": None, "created_on": created_on, "state": state,
            "closed_on": closed_on, "is_member": False, "metallurgy_agreement": None,
        }
        unpublished = get.unpublished("coordonneeLambertAbscisseEtablissement") or \
            get("statutDiffusionEtablissement").upper() == "P"
        return _Kept(row.line, record, get("denominationUsuelleEtablissement"), get("enseigne1Etablissement"),
                      get("coordonneeLambertAbscisseEtablissement"), get("coordonneeLambertOrdonneeEtablissement"),
                      unpublished)

    def _activity(self, code: str, nomenclature: str) -> tuple[str, str | None, str | None]:
        """('rev2', naf_code, section), ('other', None, section), ('unknown', None, section) or ('out', …)."""
        if nomenclature in ("", "NAFREV2"):
            match = _REV2.fullmatch(code)
            if match:
                naf = f"{match[1]}.{match[2]}{match[3]}"
                if naf in self.naf_section:
                    return ("rev2", naf, self.naf_section[naf]) if self.naf_section[naf] in self.sections \
                        else ("out", None, None)
            section = _REV2_SECTIONS.get(int(code[:2])) if code[:2].isdigit() else None
            return ("unknown", None, section) if section in self.sections else ("out", None, None)
        if nomenclature in _OLD_NOMENCLATURES:
            match = _OLD.fullmatch(code) or _REV2.fullmatch(code)
            section = _OLD_SECTIONS.get(int(match[1])) if match else None
        elif nomenclature.startswith("NAF") and _REV2.fullmatch(code):  # NAF2025 and later: same B–E divisions
            section = _REV2_SECTIONS.get(int(code[:2]))
        else:  # NAP (1973) and unknown nomenclatures: no reliable section
            section = None
        return ("other", None, section) if section in self.sections else ("out", None, None)

    def _date(self, value: str, column: str, source: str, row: Row, siret: str) -> dt.date | None:
        if not value:
            return None
        if _DATE.fullmatch(value[:10]):
            try:
                return dt.date.fromisoformat(value[:10])
            except ValueError:
                pass
        self.report.adjust(source, row.line, siret, "invalid_date", f"{column} {value!r} is not a date: ignored")
        return None


def _address(get: _Fields) -> str | None:
    number = " ".join(p for p in (get("numeroVoieEtablissement"), get("indiceRepetitionEtablissement")) if p)
    street = " ".join(p for p in (number, get("typeVoieEtablissement"), get("libelleVoieEtablissement")) if p)
    town = " ".join(p for p in (get("codePostalEtablissement"), get("libelleCommuneEtablissement")) if p)
    text = ", ".join(p for p in (street, town) if p)
    return text[:300] or None


def _first_rows_by_key(table: Table, key: str, wanted: set[str], use: list[str], report: ImportReport,
                       progress: Progress, build: Callable[[Callable[[str], str]], _T]) -> dict[str, _T]:
    """`build(get)` of the first row of a lookup file for each wanted value of column `key`; malformed rows
    rejected. `get` is a _Columns.getter."""
    source = describe(table.path)
    columns = _Columns(table, use)
    found: dict[str, _T] = {}
    for row in table.rows([Keep(key, frozenset(wanted), exact=True)], use=use, progress=progress):
        if row.malformed:
            report.reject(source, row.line, "", "malformed_line",
                          f"{len(row.fields)} fields where the header has {len(table.columns)}")
            continue
        get = columns.getter(row.fields)
        found.setdefault(get(key), build(get))
    progress.close()
    return found


# --- Legal units: names ------------------------------------------------------------------------

@dataclass(frozen=True)
class _Unit:
    denomination: str
    usual: str
    personal: str


def _read_legal_units(table: Table, sirens: set[str], report: ImportReport, progress: Progress) -> dict[str, _Unit]:
    def unit(get: Callable[[str], str]) -> _Unit:
        first_name = get("prenomUsuelUniteLegale") or get("prenom1UniteLegale")
        last_name = get("nomUsageUniteLegale") or get("nomUniteLegale")
        return _Unit(get("denominationUniteLegale"), get("denominationUsuelle1UniteLegale"),
                     " ".join(p for p in (first_name, last_name) if p))

    return _first_rows_by_key(table, "siren", sirens, _LEGAL_UNIT_COLUMNS, report, progress, unit)


def _name(item: _Kept, units: dict[str, _Unit] | None, report: ImportReport, source: str) -> None:
    """Company name, else the establishment's usual name or sign, else (flagged) a sole trader's name."""
    record = item.record
    unit = units.get(record["siret"][:9]) if units is not None else None
    for candidate in (unit.denomination if unit else "", item.usual_name, item.sign, unit.usual if unit else ""):
        if candidate:
            record["name"] = candidate[:200]
            return
    if unit and unit.personal:
        record["name"], record["name_is_personal"] = unit.personal[:200], True
        report.adjust(source, item.line, record["siret"], "personal_name",
                      "only the sole trader's personal name is available: used and flagged as personal")
        return
    record["name"] = f"Établissement {record['siret']}"
    why = "no legal-units file given (--unites-legales)" if units is None else \
        "no name in the legal-units file" if unit else "SIREN not found in the legal-units file"
    report.adjust(source, item.line, record["siret"], "no_name", f"{why}: named after its SIRET")


# --- Coordinates -------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Geo:
    x: str
    y: str
    epsg: str
    lon: str
    lat: str
    quality: str


def _read_geolocation(table: Table, sirets: set[str], report: ImportReport, progress: Progress) -> dict[str, _Geo]:
    return _first_rows_by_key(
        table, "siret", sirets, _GEOLOCATION_COLUMNS, report, progress,
        lambda get: _Geo(get("x"), get("y"), get("epsg") or _EPSG_LAMBERT93, get("x_longitude"), get("y_latitude"),
                         get("qualite_xy")))


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _locate(kept: list[_Kept], geolocation: dict[str, _Geo] | None, ref: ReferenceData, options: SireneOptions,
            report: ImportReport, source: str) -> None:
    """Coordinates from the geolocation file, else the stock's Lambert-93 columns, else the commune centroid."""
    from pyproj import Transformer

    inside = ref.communes[ref.communes["departement"].isin(options.departements)]
    centroids = {code: (name, float(lat), float(lon))
                 for code, name, lat, lon in zip(ref.communes["code"], ref.communes["nom"], ref.communes["lat"],
                                                 ref.communes["lon"])}
    box = (inside["lat"].min() - _MARGIN_DEGREES, inside["lat"].max() + _MARGIN_DEGREES,
           inside["lon"].min() - _MARGIN_DEGREES, inside["lon"].max() + _MARGIN_DEGREES)
    projected: dict[str, list[tuple[int, float, float]]] = {}  # epsg -> (index, x, y)
    lonlat: dict[int, tuple[float, float]] = {}
    quality: dict[int, str] = {}
    for i, item in enumerate(kept):
        geo = geolocation.get(item.record["siret"]) if geolocation is not None else None
        if geo is not None:
            lon, lat = _number(geo.lon), _number(geo.lat)
            x, y = _number(geo.x), _number(geo.y)
            if lon is not None and lat is not None:
                lonlat[i] = (lon, lat)
                quality[i] = geo.quality
                continue
            if x is not None and y is not None:
                projected.setdefault(geo.epsg, []).append((i, x, y))
                quality[i] = geo.quality
                continue
        x, y = _number(item.x), _number(item.y)
        if x is not None and y is not None:
            projected.setdefault(_EPSG_LAMBERT93, []).append((i, x, y))
    for epsg, points in projected.items():
        try:
            transformer = Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True)
        except Exception:  # pyproj.exceptions.CRSError: unknown code in the geolocation file
            continue
        xs = np.array([p[1] for p in points])
        ys = np.array([p[2] for p in points])
        lons, lats = transformer.transform(xs, ys)
        for (i, _, _), lon, lat in zip(points, lons.tolist(), lats.tolist()):
            lonlat[i] = (lon, lat)
    for i, item in enumerate(kept):
        record = item.record
        commune_name, commune_lat, commune_lon = centroids[record["commune_code"]]
        where = f"{commune_name} ({record['commune_code']})"
        point = lonlat.get(i)
        if point is not None and not (box[0] <= point[1] <= box[1] and box[2] <= point[0] <= box[3]):
            report.adjust(source, item.line, record["siret"], "coordinates_outside",
                          f"coordinates ({point[1]:.5f}, {point[0]:.5f}) lie outside the selected departments: "
                          f"placed at the centroid of {where}, flagged approximate")
            point = None
            quality.pop(i, None)
        elif point is None:
            reason = "not published ([ND], partial diffusion)" if item.unpublished else \
                "missing (not geocoded)" if not (item.x or item.y) else f"unreadable ({item.x!r}, {item.y!r})"
            report.adjust(source, item.line, record["siret"], "no_coordinates",
                          f"coordinates {reason}: placed at the centroid of {where}, flagged approximate")
        if point is None:
            record["lat"], record["lon"] = commune_lat, commune_lon
            record["location_approximate"] = True
            continue
        record["lon"], record["lat"] = round(point[0], 6), round(point[1], 6)
        record["location_quality"] = (quality.get(i) or None)
        if record["location_quality"] == "33":
            record["location_approximate"] = True
            report.adjust(source, item.line, record["siret"], "approximate_location",
                          "geolocation quality 33 (street unknown, random position in the commune): "
                          "flagged approximate")


# --- Carry-over from the previous import --------------------------------------------------------

def _carry_over(engine: Engine, data: SireneData) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Keep what member and IDCC imports added to the previous `sirene` dataset (by SIRET), and its sites abroad."""
    establishments, capabilities = data.establishments, data.capabilities
    if repository.dataset_named(engine, DATASET_NAME) is None:
        return establishments, capabilities, data.certifications
    previous = repository.dataset_enrichments(engine, DATASET_NAME)
    establishments = establishments.copy()
    sirets = set(establishments["siret"])
    flags = previous.flags[previous.flags["siret"].isin(sirets)].set_index("siret")
    if len(flags):
        member = establishments["siret"].map(flags["is_member"])
        establishments["is_member"] = member.where(member.notna(), False).astype(bool).astype(object)
        agreement = establishments["siret"].map(flags["metallurgy_agreement"])
        establishments["metallurgy_agreement"] = [None if pd.isna(v) else bool(v) for v in agreement]
    declared = previous.declared_capabilities[previous.declared_capabilities["siret"].isin(sirets)]
    if len(declared):
        declared = declared.rename(columns={"siret": "public_id"}).assign(origin="declared")
        keys = set(zip(declared["public_id"], declared["capability_code"]))
        presumed = capabilities[[k not in keys for k in zip(capabilities["public_id"],
                                                              capabilities["capability_code"])]]
        capabilities = pd.concat([presumed, declared], ignore_index=True).sort_values(
            ["public_id", "capability_code"], ignore_index=True)
    certifications = previous.certifications[previous.certifications["siret"].isin(sirets)] \
        .rename(columns={"siret": "public_id"}).reset_index(drop=True)
    abroad, abroad_capabilities, abroad_certifications = repository.foreign_site_frames(engine, DATASET_NAME)
    if len(abroad):  # sites abroad come from the member list or the establishments file, never from Sirene: kept
        establishments = pd.concat([establishments, abroad], ignore_index=True)
        capabilities = pd.concat([capabilities, abroad_capabilities], ignore_index=True)
        certifications = pd.concat([certifications, abroad_certifications], ignore_index=True)
    return establishments, capabilities, certifications


__all__ = ["DATASET_NAME", "ESTABLISHMENTS", "GEOLOCATION", "LEGAL_UNITS", "SOURCE_NAME", "ImportOutcome",
           "SireneOptions", "FileFormatError", "import_sirene", "open_sirene_tables", "parse_date",
           "parse_departments", "parse_sections", "read_sirene"]
