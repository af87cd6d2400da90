"""Import the UIMM member list (CSV or XLSX, template: `tissu template members`).

Each row is matched by SIRET in the active real dataset. For a matched establishment the row is
its complete state: member flag, declared capabilities (codes or labels, separated by `;`) and
certifications replace what a previous member import declared; capabilities presumed from the
NAF code stay, unless declared. Establishments absent from the file are left unchanged. A row
with any problem is rejected as a whole (nothing of it is applied) and reported.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from dashboard import repository
from dashboard.importers.errors import FileFormatError, NoTargetDataset
from dashboard.importers.reading import describe
from dashboard.importers.report import ImportOutcome, ImportReport, report_path
from dashboard.importers.taxonomy import Vocabulary, load_presumed_capabilities, plain, split_values
from dashboard.reference import load_reference

# Template header (French, as the UIMM staff fill it in), and the spellings accepted when reading.
TEMPLATE_COLUMNS = ("SIRET", "Raison sociale", "Savoir-faire", "Certifications", "Adhérent UIMM")
_ACCEPTED = {
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
    """Rows of a member file (CSV with `;` or `,`, or XLSX); fails fast on a file of another kind."""
    path = Path(path)
    if not path.is_file():
        raise FileFormatError(path, "file not found")
    with open(path, "rb") as handle:
        magic = handle.read(4)
    table = _xlsx_rows(path) if magic == b"PK\x03\x04" else _csv_rows(path)
    if not table:
        raise FileFormatError(path, "the file is empty")
    header, body = table[0][1], table[1:]
    names = {_canonical(h): i for i, h in reversed(list(enumerate(header))) if _canonical(h)}
    if "siret" not in names:
        shown = ", ".join(str(h) for h in header[:6])
        raise FileFormatError(path, f"is not a member list: no SIRET column in the header (found: {shown}); "
                                    "write one with `tissu template members`")
    rows = []
    for line, values in body:
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        cells = {key: values[i] if i < len(values) else None for key, i in names.items()}
        raw_siret = cells["siret"]
        was_number = isinstance(raw_siret, (int, float)) and not isinstance(raw_siret, bool)
        siret = str(int(raw_siret)) if was_number else _text(raw_siret)
        rows.append(MemberRow(line=line, siret=siret, name=_text(cells.get("name")),
                              capabilities=_text(cells.get("capabilities")),
                              certifications=_text(cells.get("certifications")), member=_text(cells.get("member")),
                              siret_was_number=was_number))
    return rows


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _canonical(header: object) -> str | None:
    key = plain(str(header or ""))
    return next((name for name, spellings in _ACCEPTED.items() if key in spellings), None)


def _csv_rows(path: Path) -> list[tuple[int, list[object]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise FileFormatError(path, f"is not UTF-8 ({err.reason}); in Excel, save as \"CSV UTF-8\" or as .xlsx") \
            from None
    first_line = text.split("\n", 1)[0]
    separator = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    rows, line = [], 1
    for row in reader:  # a quoted cell may hold line breaks: number rows by their first line
        rows.append((line, list(row)))
        line = reader.line_num + 1
    return rows


def _xlsx_rows(path: Path) -> list[tuple[int, list[object]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise FileFormatError(path, f"is not a readable XLSX workbook ({err})") from None
    except Exception as err:  # openpyxl's InvalidFileException and friends
        raise FileFormatError(path, f"is not a readable XLSX workbook ({err})") from None
    try:
        sheets = sorted(workbook.worksheets, key=lambda s: plain(s.title) not in ("adherents", "membres"))
        for sheet in sheets:
            rows = [(i + 1, list(r)) for i, r in enumerate(sheet.iter_rows(values_only=True))]
            if rows and any(_canonical(h) == "siret" for h in rows[0][1]):
                return rows
        return [(1, list(r)) for r in sheets[0].iter_rows(values_only=True, max_row=1)] if sheets else []
    finally:
        workbook.close()


def _member_flag(value: str) -> bool | None:
    key = plain(value)
    if key == "" or key in _YES:
        return True
    if key in _NO:
        return False
    return None


def import_members(engine: Engine, path: Path | str, *, report_dir: Path | None = None) -> ImportOutcome:
    """Apply a member list to the active real dataset (one transaction); rows with problems are rejected."""
    from dashboard.bootstrap import prepare_database

    path = Path(path)
    rows = read_member_rows(path)
    prepare_database(engine)
    target = repository.active_dataset(engine)
    if target is None or target.is_demo:
        raise NoTargetDataset(
            f"the active dataset is {'the demo' if target else 'missing'}: member lists apply to real data. "
            "Import Sirene first (`tissu import sirene --etablissements FILE`) or switch to it "
            "(`tissu dataset use sirene`)")
    ref = load_reference()
    capabilities = Vocabulary.from_frame("capability", ref.capabilities)
    certifications = Vocabulary.from_frame("certification", ref.certifications)
    presumed = load_presumed_capabilities()
    keys = repository.establishment_keys(engine, target.id)
    by_siret = {s: (int(i), n) for i, s, n in zip(keys["id"], keys["siret"], keys["naf_code"]) if s}
    report = ImportReport("members")
    source = describe(path)
    seen: dict[str, int] = {}
    updates: list[repository.MemberUpdate] = []
    for row in rows:
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
        declared = {capabilities.resolve(v) for v in split_values(row.capabilities)}
        final = {code: "presumed" for code in presumed.get(naf or "", ())}
        final.update(dict.fromkeys(declared, "declared"))
        updates.append(repository.MemberUpdate(
            establishment_id=establishment_id, is_member=bool(_member_flag(row.member)), capabilities=final,
            certifications=tuple(sorted({certifications.resolve(v) for v in split_values(row.certifications)}))))
    if updates:
        info = repository.apply_member_updates(engine, target.id, updates)
    else:
        info = target
    report.counts.update({
        "rows read": len(rows),
        "establishments updated": len(updates),
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
        return [("unknown_siret", f"SIRET {siret} is not in the active dataset (closed long ago, outside the "
                                  "departments or sections imported, or a typing error?)")]
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
