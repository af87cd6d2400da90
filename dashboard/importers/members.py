"""Import the UIMM member list (CSV or XLSX, template: `tissu template members`).

Each row is matched by SIRET in the active real dataset. For a matched establishment the row is
its complete state: member flag, declared capabilities (codes or labels, separated by `;`) and
certifications replace what a previous member import declared; capabilities presumed from the
NAF code stay, unless declared. Establishments absent from the file are left unchanged. A row
with any problem is rejected as a whole (nothing of it is applied) and reported.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from dashboard import repository
from dashboard.importers.abroad import ABROAD_COLUMNS, ACCEPTED, country_code, foreign_site
from dashboard.importers.errors import FileFormatError
from dashboard.importers.reading import describe
from dashboard.importers.report import ImportOutcome, ImportReport, report_path
from dashboard.importers.sheets import Cell, cell_text, read_sheet
from dashboard.importers.target import real_target_dataset
from dashboard.importers.taxonomy import (
    Vocabulary,
    load_presumed_capabilities,
    plain,
    split_values,
)
from dashboard.reference import load_reference

# Template header (French, as the UIMM staff fill it in), and the spellings accepted when reading.
TEMPLATE_COLUMNS = ("SIRET", "Raison sociale", "Savoir-faire", "Certifications", "Adhérent UIMM", *ABROAD_COLUMNS)
_ACCEPTED = {**ACCEPTED,
    "siret": ("siret", "n siret", "numero siret"),
    "name": ("raison sociale", "nom", "denomination", "entreprise"),
    "capabilities": ("savoir faire", "savoirs faire", "capacites", "competences"),
    "certifications": ("certifications", "certification"),
    "member": ("adherent uimm", "adherent", "membre", "membre uimm"),
}
_YES = {"oui", "o", "yes", "y", "1", "x", "vrai", "true"}
_NO = {"non", "n", "no", "0", "faux", "false"}


@dataclass(frozen=True)
class MemberRow:
    line: int  # line of the CSV (header = 1) or row of the worksheet
    siret: str
    name: str
    capabilities: str
    certifications: str
    member: str
    siret_was_number: bool = False  # an Excel number: its leading zeros were lost
    abroad: dict[str, str] = field(default_factory=dict)  # country, lat, lon, foreign_id, locality (importers.abroad)


def siret_is_valid(siret: str) -> bool:
    """14 digits with a valid Luhn key (catches most typing errors)."""
    if not re.fullmatch(r"\d{14}", siret):
        return False
    total = 0
    for i, ch in enumerate(reversed(siret)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def read_member_rows(path: Path | str) -> list[MemberRow]:
    """Rows of a member file (CSV with `;`, `,` or tab, or XLSX); fails fast on a file of another kind.

    A CSV must be UTF-8: capabilities and certifications are matched by their labels, which a guessed
    legacy encoding could silently spoil.
    """
    path = Path(path)
    table = read_sheet(path, rank=_member_sheet_rank, utf8_only=True)
    names = table.columns(_canonical)
    if "siret" not in names and "foreign_id" not in names:
        shown = ", ".join(cell_text(h) for h in table.header[:6])
        raise FileFormatError(path, f"is not a member list: no SIRET column in the header (found: {shown}; sites "
                                    "abroad: Immatriculation étrangère); write one with `tissu template members`")
    rows = []
    for line in table.records():
        column = names.get("siret")  # none in the establishments template (sites abroad)
        raw = line.values[column] if column is not None and column < len(line.values) else None
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):  # an Excel number: leading zeros lost
            siret, was_number = str(int(raw)), True
        else:
            siret, was_number = cell_text(raw), False
        rows.append(MemberRow(line=line.number, siret=siret, name=line.text(names.get("name")),
                              capabilities=line.text(names.get("capabilities")),
                              certifications=line.text(names.get("certifications")),
                              member=line.text(names.get("member")), siret_was_number=was_number,
                              abroad={key: line.text(names.get(key)) for key in ACCEPTED}))
    return rows


def _canonical(header: object) -> str | None:
    key = plain(str(header or ""))
    return next((name for name, spellings in _ACCEPTED.items() if key in spellings), None)


def _member_sheet_rank(title: str, header: Sequence[Cell]) -> int:
    """A sheet with a SIRET column, preferably the one named Adhérents (or Membres)."""
    if not any(_canonical(h) in ("siret", "foreign_id") for h in header):
        return 0
    return 2 if plain(title) in ("adherents", "membres") else 1


def _member_flag(value: str) -> bool | None:
    key = plain(value)
    if key == "" or key in _YES:
        return True
    if key in _NO:
        return False
    return None


@dataclass(frozen=True)
class RowsToImport:
    """A member-style file read and checked against the database: its rows, the target dataset, the vocabularies."""

    rows: list[MemberRow]
    target: repository.DatasetInfo
    capabilities: Vocabulary
    certifications: Vocabulary


def rows_to_import(engine: Engine, path: Path, what: str) -> RowsToImport:
    """Read the file (failing fast on a file of another kind), then prepare the database and find the active real
    dataset (`what`: the kind of file, for the refusal's message)."""
    from dashboard.bootstrap import prepare_database

    rows = read_member_rows(path)
    prepare_database(engine)
    target = real_target_dataset(engine, what)
    ref = load_reference()
    return RowsToImport(rows, target, Vocabulary.from_frame("capability", ref.capabilities),
                        Vocabulary.from_frame("certification", ref.certifications))


def import_members(engine: Engine, path: Path | str, *, report_dir: Path | None = None) -> ImportOutcome:
    """Apply a member list to the active real dataset (one transaction); rows with problems are rejected."""
    path = Path(path)
    read = rows_to_import(engine, path, "member lists")
    rows, target, capabilities, certifications = read.rows, read.target, read.capabilities, read.certifications
    presumed = load_presumed_capabilities()
    keys = repository.establishment_keys(engine, target.id)
    by_siret = {s: (int(i), n) for i, s, n in zip(keys["id"], keys["siret"], keys["naf_code"]) if s}
    report = ImportReport("members")
    source = describe(path)
    seen: dict[str, int] = {}
    updates: list[repository.MemberUpdate] = []
    abroad = abroad_sites([r for r in rows if is_abroad(r)], report, source, capabilities, certifications)
    for row in rows:
        if is_abroad(row):  # a site across the border (or an unknown country): abroad_sites
            continue
        siret = re.sub(r"[\s.\-\u00a0\u202f]", "", row.siret)
        if row.siret_was_number and siret.isdigit() and len(siret) < 14:
            report.adjust(source, row.line, siret.zfill(14), "leading_zeros_restored",
                          f"SIRET stored as a number by Excel ({row.siret}): leading zeros restored")
            siret = siret.zfill(14)
        problems = _problems(row, siret, by_siret, seen, capabilities, certifications)
        if problems:
            for reason, detail in problems:
                report.reject(source, row.line, siret, reason, detail)
            continue
        seen[siret] = row.line
        establishment_id, naf = by_siret[siret]
        declared = {code for v in split_values(row.capabilities) if (code := capabilities.resolve(v)) is not None}
        final = dict.fromkeys(presumed.get(naf or "", ()), "presumed")
        final.update(dict.fromkeys(declared, "declared"))
        updates.append(repository.MemberUpdate(
            establishment_id=establishment_id, is_member=bool(_member_flag(row.member)), capabilities=final,
            certifications=tuple(sorted({code for v in split_values(row.certifications)
                                         if (code := certifications.resolve(v)) is not None}))))
    if updates:
        info = repository.apply_member_updates(engine, target.id, updates)
    else:
        info = target
    if abroad:
        info = write_abroad(engine, target.id, abroad, source_name=f"Liste des adhérents ({path.name})")
    report.counts.update({
        "rows read": len(rows),
        "establishments updated": len(updates),
        "sites abroad added or replaced": len(abroad),
        "  members": sum(u.is_member for u in updates),
        "  declared capabilities": sum(o == "declared" for u in updates for o in u.capabilities.values()),
        "  certifications": sum(len(u.certifications) for u in updates),
    })
    outcome = ImportOutcome(report=report, dataset=info)
    if report_dir is not None:
        outcome.report_file = report.write_csv(report_path(report_dir, "members"))
    return outcome


def _problems(row: MemberRow, siret: str, by_siret: dict, seen: dict[str, int], capabilities: Vocabulary,
              certifications: Vocabulary) -> list[tuple[str, str]]:
    if not re.fullmatch(r"\d{14}", siret):
        hint = " (leading zeros lost by Excel? format the column as text)" if siret.isdigit() and len(siret) < 14 \
            else ""
        return [("invalid_siret", f"SIRET {row.siret!r} is not 14 digits{hint}")]
    if not siret_is_valid(siret):
        return [("invalid_siret", f"SIRET {siret} has a wrong check digit (typing error?)")]
    if siret in seen:
        return [("duplicate_siret", f"SIRET already given on line {seen[siret]}")]
    if siret not in by_siret:
        return [("unknown_siret", (f"SIRET {siret} is not in the active dataset (closed long ago, outside the "
                                   "departments or sections imported, or a typing error?)"))]
    problems = []
    for value in split_values(row.capabilities):
        if capabilities.resolve(value) is None:
            problems.append(("unknown_capability", capabilities.unknown_message(value)))
    for value in split_values(row.certifications):
        if certifications.resolve(value) is None:
            problems.append(("unknown_certification", certifications.unknown_message(value)))
    if _member_flag(row.member) is None:
        problems.append(("invalid_member_flag", f"Adhérent UIMM {row.member!r}: expected oui or non"))
    return problems



def is_abroad(row: MemberRow) -> bool:
    """Whether a row describes a site outside France (its Pays is another country, or unknown)."""
    return country_code(row.abroad.get("country", "")) != "FR"


def abroad_sites(rows: list[MemberRow], report: ImportReport, source: str, capabilities: Vocabulary,
                 certifications: Vocabulary, *, member_default: bool = True) -> dict[str, repository.ForeignSite]:
    """The valid sites abroad of these rows by public id; every problem reported with its line."""
    sites: dict[str, repository.ForeignSite] = {}
    for row in rows:
        site = _foreign_row(row, capabilities, certifications, member_default=member_default)
        if isinstance(site, list):
            for reason, detail in site:
                report.reject(source, row.line, row.abroad.get("foreign_id") or row.siret, reason, detail)
        elif site.public_id in sites:
            report.reject(source, row.line, site.foreign_id, "duplicate_registration",
                          "registration number already given on an earlier line")
        else:
            sites[site.public_id] = site
    return sites


def write_abroad(engine: Engine, dataset_id: int, sites: dict[str, repository.ForeignSite], *,
                 source_name: str) -> repository.DatasetInfo:
    """Add or replace these sites abroad in the dataset (one transaction); the dataset as it now is."""
    repository.upsert_foreign_sites(engine, dataset_id, list(sites.values()), source_name=source_name,
                                    source_date=dt.date.today())
    return next(d for d in repository.list_datasets(engine) if d.id == dataset_id)


def _foreign_row(row: MemberRow, capabilities: Vocabulary, certifications: Vocabulary, *,
                 member_default: bool) -> repository.ForeignSite | list[tuple[str, str]]:
    """A row of a site abroad: validated by importers.abroad, with the same capability, certification
    and member checks as a French row."""
    problems = [("unknown_capability", capabilities.unknown_message(v)) for v in split_values(row.capabilities)
                if capabilities.resolve(v) is None]
    problems += [("unknown_certification", certifications.unknown_message(v))
                 for v in split_values(row.certifications) if certifications.resolve(v) is None]
    flag = _member_flag(row.member) if row.member.strip() else member_default
    if flag is None:
        problems.append(("invalid_member_flag", f"Adhérent UIMM {row.member!r}: expected oui or non"))
    site = foreign_site(
        **{key: row.abroad.get(key, "") for key in ("country", "lat", "lon", "foreign_id", "locality", "naf",
                                                      "address")},
        name=row.name, is_member=bool(flag),
        capabilities=tuple(c for v in split_values(row.capabilities) if (c := capabilities.resolve(v))),
        certifications=tuple(c for v in split_values(row.certifications) if (c := certifications.resolve(v))))
    return problems + site if isinstance(site, list) else (problems or site)
