"""Import France Travail's "Besoins en main-d'œuvre" (BMO) open data: `tissu import bmo FILE`.

Reads the official workbook (`Base_open_data_BMO_2025.xlsx`, sheet `BMO_2025_open_data`) or a CSV re-save
(`;`, `,` or tab; UTF-8 or Windows-1252), in both column generations (docs/official-formats.md §3):
* 2023+: annee, Code métier BMO, Nom métier BMO, Famille_met, Lbl_fam_met, REG, NOM_REG, Dept, NomDept,
  BE25, NOMBE25, met, xmet, smet;
* 2019–2022: annee, BE20, NOMBE20, Famille_met, Lbl_fam_met, metier, nommetier, Dept, NomDept, met, xmet, smet…
Columns are bound by name (`BExx`/`NOMBExx` by pattern), extra columns are ignored. The statistical
secret `*` is stored as NULL, never 0. Codes that Excel turned into numbers are padded (Dept 1 -> 01,
bassin 101 -> 0101). Only the configured departments are kept. The years present in the file replace
the real rows of those years in one transaction, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import pandas as pd
from sqlalchemy import Engine

from dashboard import repository
from dashboard.importers.errors import FileFormatError
from dashboard.importers.report import (
    ImportOutcome,
    ImportReport,
    Progress,
    report_path,
)
from dashboard.importers.sheets import Sheet, cell_text, read_sheet
from dashboard.reference import departments

SHEET_PATTERN = re.compile(r"^BMO_\d{4}_open_data$", re.IGNORECASE)
INDUSTRIAL_DOMAINS = tuple("CDEFGH")  # FAP domains of industry (docs/official-formats.md §3)
MANDATORY = ("year", "trade_code", "trade_label", "departement", "area_code", "area_name", "met", "xmet", "smet")
_ALIASES = {
    "annee": "year",
    "code metier bmo": "trade_code", "metier": "trade_code",
    "nom metier bmo": "trade_label", "nommetier": "trade_label",
    "famille met": "family_code", "famille metier": "family_code",
    "lbl fam met": "family_label", "libelle de famille de metier": "family_label",
    "reg": "region", "nom reg": "region_name", "dept": "departement", "nomdept": "departement_name",
    "met": "met", "xmet": "xmet", "smet": "smet",
}
SOURCE_NAME = "France Travail – enquête Besoins en main-d'œuvre (BMO) {years}"


def canonical(header: object) -> str | None:
    """The internal name of a BMO column (case, accents and separators ignored), None when unknown."""
    text = unicodedata.normalize("NFKD", str(header or "")).encode("ascii", "ignore").decode().lower()
    key = " ".join(re.split(r"[^a-z0-9]+", text)).strip()
    if re.fullmatch(r"be\d\d", key):
        return "area_code"
    if re.fullmatch(r"nombe\d\d", key):
        return "area_name"
    return _ALIASES.get(key)


@dataclass(frozen=True)
class BmoOptions:
    path: Path
    departements: tuple[str, ...] = field(default_factory=departments)
    sheet: str | None = None
    source_date: dt.date | None = None


def read_bmo_table(path: Path | str, *, sheet: str | None = None) -> Sheet:
    """The BMO table (header first); fails fast on a wrong file or sheet."""
    path = Path(path)
    table = read_sheet(path, sheet=sheet, rank=lambda title, _header: int(bool(SHEET_PATTERN.match(title))),
                       wanted="sheet named like BMO_2025_open_data", hint="; give the data sheet with --sheet")
    header = [cell_text(h) for h in table.header]
    missing = [m for m in MANDATORY if m not in {canonical(h) for h in header}]
    if missing:
        shown = ", ".join(header[:8]) + (", …" if len(header) > 8 else "")
        raise FileFormatError(path, f"is not a BMO open-data table: missing column(s) for {', '.join(missing)} "
                                    f"(header starts with: {shown})")
    return table


def _count(value) -> tuple[float | None, str | None]:
    """(value, problem): '*' -> secret (None); numbers as int; negative or text -> a problem."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        text = cell_text(value).replace("\u00a0", "").replace(" ", "")
        if text == "*":
            return None, None
        if text == "":
            return None, "blank"
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            return None, f"{text!r} is not a number nor `*`"
    if number < 0 or not number.is_integer():
        return None, f"{number:g} is not a non-negative whole number"
    return number, None


def _pad(code: str, width: int) -> str:
    return code.zfill(width) if code.isdigit() and len(code) < width else code


def is_industrial(trade_code: str, family_code: str) -> bool:
    """Industrial trade: family I (Ouvriers des secteurs de l'industrie) or FAP domain C, D, E, F, G, H."""
    return family_code == "I" or trade_code[:1].upper() in INDUSTRIAL_DOMAINS


def read_bmo(options: BmoOptions, report: ImportReport, *, progress: Progress | None = None) -> dict[str, pd.DataFrame]:
    """Validated frames (trades, areas, needs) of the rows in scope; every problem goes to `report`."""
    table = read_bmo_table(options.path, sheet=options.sheet)
    source = options.path.name
    index = table.columns(canonical)
    ignored = [cell_text(h) for h in table.header if canonical(h) is None]
    if ignored:
        report.count(f"unknown columns ignored ({', '.join(ignored)})", len(ignored))
    wanted = set(options.departements)
    cells: dict[tuple, dict] = {}
    trades: dict[str, dict] = {}
    areas: dict[str, dict] = {}
    outside = read = secret = 0
    for row in table.records():
        line = row.number
        read += 1
        dept_raw = row.text(index.get("departement"))
        dept = _pad(dept_raw, 2)
        if dept not in wanted:
            outside += 1
            continue
        year_text, trade, area = (row.text(index.get(n)) for n in ("year", "trade_code", "area_code"))
        key = f"{year_text}/{trade}/{area}"
        if not re.fullmatch(r"(19|20)\d\d", year_text):
            report.reject(source, line, key, "invalid_year", f"annee {year_text!r} is not a year")
            continue
        if not trade or not area:
            report.reject(source, line, key, "missing_code", "the trade code or the bassin code is empty")
            continue
        if dept != dept_raw:
            report.adjust(source, line, key, "code_padded", f"Dept {dept_raw!r} read as {dept!r} (leading zero lost)")
        padded = _pad(area, 4)
        if padded != area:
            report.adjust(source, line, key, "code_padded", f"bassin {area!r} read as {padded!r} (leading zero lost)")
            area = padded
        counts, problems = {}, []
        for name in ("met", "xmet", "smet"):
            value, problem = _count(row.value(index.get(name)))
            if problem == "blank":
                report.adjust(source, line, key, "blank_value", f"{name} is blank: stored as unknown (NULL)")
            elif problem:
                problems.append(f"{name}: {problem}")
            counts[name] = value
        if problems:
            report.reject(source, line, key, "invalid_number", "; ".join(problems))
            continue
        if counts["met"] is not None and counts["xmet"] is not None and counts["xmet"] > counts["met"]:
            report.reject(source, line, key, "difficult_exceeds_projects",
                          f"xmet {counts['xmet']:g} is above met {counts['met']:g}")
            continue
        secret += sum(v is None for v in counts.values())
        year = int(year_text)
        family = row.text(index.get("family_code"))
        trades[trade] = {"code": trade, "label": row.text(index.get("trade_label")) or trade,
                         "family_code": family or "?",
                         "family_label": row.text(index.get("family_label")) or "Famille non précisée",
                         "is_industrial": is_industrial(trade, family)}
        area_row = areas.setdefault(area, {"code": area, "name": row.text(index.get("area_name")) or area,
                                           "weights": {}})
        area_row["weights"][dept] = area_row["weights"].get(dept, 0) + (counts["met"] or 0)
        cell_key = (year, trade, area)
        if cell_key in cells:
            previous = cells[cell_key]
            if dept in previous["depts"]:
                report.reject(source, line, key, "duplicate_row", f"same year, trade, bassin and Dept as line "
                                                                  f"{previous['line']}")
                continue
            # A bassin straddling two kept departments: its parts are summed; secret if any part is.
            for name in ("met", "xmet", "smet"):
                a, b = previous[name], counts[name]
                previous[name] = None if a is None or b is None else a + b
            previous["depts"].add(dept)
            report.adjust(source, line, key, "merged_departments",
                          f"bassin {area} also in Dept {', '.join(sorted(previous['depts'] - {dept}))}: parts summed")
            continue
        cells[cell_key] = {**counts, "depts": {dept}, "line": line}
        if progress is not None:
            progress.update(rows_read=read, rows_kept=len(cells))
    if not cells:
        raise FileFormatError(options.path, f"no usable row for the departments {', '.join(sorted(wanted))} "
                                            f"({read:,} rows read, {outside:,} outside)")
    years = sorted({k[0] for k in cells})
    source_name = SOURCE_NAME.format(years=", ".join(map(str, years)))
    source_date = options.source_date or dt.date(max(years), 4, 1)
    needs = pd.DataFrame([{"year": y, "trade_code": t, "area_code": a, "projects": c["met"], "difficult": c["xmet"],
                           "seasonal": c["smet"]} for (y, t, a), c in cells.items()])
    for column in ("projects", "difficult", "seasonal"):
        needs[column] = pd.array([None if pd.isna(v) else int(v) for v in needs[column]], dtype="Int64")
    needs["source_name"], needs["source_date"] = source_name, source_date
    area_frame = pd.DataFrame([{"code": a["code"], "name": a["name"],
                                "department_code": max(sorted(a["weights"]), key=lambda d: a["weights"][d])}
                               for a in areas.values()])
    report.counts.update({"rows read": read, "rows outside the departments": outside, "cells imported": len(cells),
                          "secret values (stored as NULL)": secret, "trades": len(trades), "bassins": len(areas)})
    return {"trades": pd.DataFrame(list(trades.values())), "areas": area_frame, "needs": needs}


def import_bmo(engine: Engine, options: BmoOptions, *, report_dir: Path | None = None, progress: bool = True,
               stream: TextIO | None = None) -> ImportOutcome:
    """Read, validate, then replace the real BMO rows of the file's years (one transaction)."""
    from dashboard.bootstrap import prepare_database

    report = ImportReport("bmo")
    bar = Progress(options.path.name, stream=stream, enabled=progress)
    data = read_bmo(options, report, progress=bar)
    bar.close()
    prepare_database(engine)
    repository.replace_bmo_years(engine, **data)
    outcome = ImportOutcome(report=report)
    if report_dir is not None:
        outcome.report_file = report.write_csv(report_path(report_dir, "bmo"))
    return outcome
