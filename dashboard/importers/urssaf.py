"""`tissu import urssaf FILE`: URSSAF open-data exports (CSV `;`, or XLSX) of private salaried employment.

Two shapes are recognised from the header, with the API field names or the French column labels:
- department × NA38, quarterly (`code_departement`, `secteur_na38`, `annee`, `trimestre`,
  `effectifs_salaries_cvs`/`_brut`) -> emploi_industrie, emploi_prive, part_industrie per department
  and for Lorraine (41) when the four departments are present;
- commune × APE, annual, wide (`code_commune`, `code_ape`, `effectifs_salaries_2006…`,
  `nombre_d_etablissements_2006…`) -> emploi_industrie (as Q4, the 31/12 stock) per commune, EPCI and zone
  d'emploi, and etablissements_industrie per commune, EPCI, zone d'emploi and department.
Secret (blank) cells are stored as NULL at the finest level and left out of the totals (counted in the report).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from sqlalchemy import Engine

from dashboard import repository
from dashboard.analytics.indicators import CATALOG, REGION_CODE, period_start
from dashboard.analytics.text import normalize as plain
from dashboard.importers.errors import FileFormatError
from dashboard.importers.report import ImportOutcome, ImportReport, outcome_with_issues_file
from dashboard.importers.sheets import Line, cell_text, read_sheet
from dashboard.reference import departments, load_reference

INDUSTRY_NA38 = {"BZ", "CA", "CB", "CC", "CD", "CE", "CF", "CG", "CH", "CI", "CJ", "CK", "CL", "CM", "DZ", "EZ"}
# canonical name -> accepted spellings (plain: lower case, no accents, spaces and punctuation as "_")
_QUARTERLY = {
    "departement": ("code_departement",),
    "na38": ("secteur_na38", "secteur_na38i", "secteur_na38_i"),
    "grand_secteur": ("grand_secteur_d_activite",),
    "annee": ("annee",),
    "trimestre": ("trimestre",),
    "cvs": ("effectifs_salaries_cvs",),
    "brut": ("effectifs_salaries_brut",),
}
_ANNUAL = {"commune": ("code_commune",), "ape": ("code_ape", "ape")}
_YEAR_COLUMN = re.compile(r"^(nombre_d_etablissements|effectifs_salaries)_(\d{4})$")


def _key(header: str) -> str:
    text = plain(str(header or "")).strip().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _number(raw: str) -> float | None:
    """'' -> None (secret); '12 345,0' or '12345.0' -> 12345.0; ValueError otherwise."""
    text = (raw or "").strip().replace("\u00a0", "").replace(" ", "")
    if text == "":
        return None
    return float(text.replace(",", "."))


def read_rows(path: Path) -> tuple[list[str], list[Line]]:
    """(header keys, non-blank rows) of a URSSAF export."""
    table = read_sheet(path)
    return [_key(cell_text(h)) for h in table.header], table.records()


def _find(header: list[str], spellings: tuple[str, ...]) -> int | None:
    return next((header.index(s) for s in spellings if s in header), None)


def import_urssaf(engine: Engine, path: Path | str, *, report_dir: Path | None = None,
                  source_date: dt.date | None = None) -> ImportOutcome:
    """Import one URSSAF export (either shape) in one transaction; returns the report."""
    path = Path(path)
    header, body = read_rows(path)
    columns = {name: _find(header, spellings) for name, spellings in {**_QUARTERLY, **_ANNUAL}.items()}
    years = {m.group(2): m for h in header if (m := _YEAR_COLUMN.match(h))}
    if columns["departement"] is not None and columns["annee"] is not None and columns["trimestre"] is not None \
            and (columns["cvs"] is not None or columns["brut"] is not None):
        report, values = _quarterly(path, columns, body)
        kind = "quarterly"
    elif columns["commune"] is not None and columns["ape"] is not None and years:
        report, values = _annual(path, header, columns, body)
        kind = "annual"
    else:
        raise FileFormatError(path, "is not a URSSAF export by department × NA38 (code_departement, annee, trimestre, "
                                    "effectifs_salaries_cvs) nor by commune × APE (code_commune, code_ape, "
                                    "effectifs_salaries_AAAA); found: " + ", ".join(header[:8]))
    date = source_date or dt.date.today()
    source = f"URSSAF – open data ({path.name})"
    rows = [{"indicator_code": code, "level": level, "territory_code": territory, "period": period,
             "period_start": period_start(period), "value": value, "unit": _UNITS[code], "source_name": source,
             "source_date": date, "is_demo": False}
            for (code, level, territory, period), value in sorted(values.items())]
    repository.write_indicator_data(engine, catalog=CATALOG, values=rows)
    report.count(f"series points written ({kind})", len(rows))
    return outcome_with_issues_file(report, report_dir, "urssaf")


_UNITS = {row["code"]: row["unit"] for row in CATALOG}


def _quarterly(path: Path, columns: dict, body: list[Line]) -> tuple[ImportReport, dict]:
    report = ImportReport("urssaf")
    industry: dict[tuple[str, str], list] = {}
    private: dict[tuple[str, str], list] = {}
    value_col = columns["cvs"] if columns["cvs"] is not None else columns["brut"]
    for row in body:
        line, cells = row.number, row.text_by_name(columns)
        dep = cells("departement").zfill(2)
        report.count("rows read")
        if dep not in departments():
            report.count("rows outside Lorraine (skipped)")
            continue
        year, quarter = cells("annee"), cells("trimestre").upper().lstrip("TQ")
        if not (year.isdigit() and len(year) == 4 and quarter in ("1", "2", "3", "4")):
            report.reject(path.name, line, "", "bad_period", f"year {year!r} / quarter {cells('trimestre')!r}")
            continue
        try:
            value = _number(row.text(value_col))
        except ValueError:
            report.reject(path.name, line, "", "bad_number", f"headcount {row.text(value_col)!r} is not a number")
            continue
        if value is None:
            report.count("secret cells (stored as null)")
        na38 = cells("na38")[:2].upper()
        sector = plain(cells("grand_secteur")).lower()
        is_industry = na38 in INDUSTRY_NA38 or (not na38 and "industrie" in sector)
        key = (dep, f"{year}-Q{quarter}")
        private.setdefault(key, []).append(value)
        if is_industry:
            industry.setdefault(key, []).append(value)
        report.count("rows kept")
    values = {}

    def total(parts):
        return None if any(v is None for v in parts) else float(sum(parts))

    all_sectors = len(set(private)) and any(len(v) > len(industry.get(k, [])) for k, v in private.items())
    for (dep, period), parts in industry.items():
        values[("emploi_industrie", "departement", dep, period)] = total(parts)
    if all_sectors:
        for (dep, period), parts in private.items():
            values[("emploi_prive", "departement", dep, period)] = total(parts)
            ind_v, all_v = total(industry.get((dep, period), [])), total(parts)
            values[("part_industrie", "departement", dep, period)] = \
                round(100 * ind_v / all_v, 2) if ind_v is not None and all_v else None
    for code in ("emploi_industrie", "emploi_prive"):
        periods = {p for (c, _, _, p) in values if c == code}
        for period in periods:
            parts = [values.get((code, "departement", d, period)) for d in departments()]
            if all((code, "departement", d, period) in values for d in departments()):
                values[(code, "region", REGION_CODE, period)] = total(parts)
    for period in {p for (c, lev, _, p) in values if c == "emploi_prive" and lev == "region"}:
        i, a = values.get(("emploi_industrie", "region", REGION_CODE, period)), values[("emploi_prive", "region",
                                                                                        REGION_CODE, period)]
        share = round(100 * i / a, 2) if i is not None and a else None
        values[("part_industrie", "region", REGION_CODE, period)] = share
    return report, values


def _annual(path: Path, header: list[str], columns: dict, body: list[Line]) -> tuple[ImportReport, dict]:
    report = ImportReport("urssaf")
    communes = load_reference().communes.set_index("code")
    year_cols = [(i, m.group(1), m.group(2)) for i, h in enumerate(header) if (m := _YEAR_COLUMN.match(h))]
    sums: dict[tuple, list] = {}
    for row in body:
        line = row.number
        report.count("rows read")
        commune = row.text(columns["commune"]).zfill(5)
        ape = re.sub(r"[^0-9A-Z]", "", row.text(columns["ape"]).upper())
        if commune[:2] not in departments():
            report.count("rows outside Lorraine (skipped)")
            continue
        if commune not in communes.index:
            report.reject(path.name, line, "", "unknown_commune", f"commune {commune!r} is not in COG 2026 (Lorraine)")
            continue
        if not (len(ape) >= 2 and ape[:2].isdigit()):
            report.reject(path.name, line, "", "bad_ape", f"APE code {row.text(columns['ape'])!r}")
            continue
        if not 5 <= int(ape[:2]) <= 39:
            report.count("rows outside industry (skipped)")
            continue
        parsed = []
        try:
            for i, measure, year in year_cols:
                parsed.append((measure, year, _number(row.text(i))))
        except ValueError as err:
            report.reject(path.name, line, "", "bad_number", str(err))
            continue
        place = communes.loc[commune]
        for measure, year, value in parsed:
            code = "emploi_industrie" if measure == "effectifs_salaries" else "etablissements_industrie"
            period = f"{year}-Q4" if code == "emploi_industrie" else year
            if value is None:
                report.count("secret cells (stored as null)")
            levels = [("commune", commune), ("epci", place["epci"]), ("zone_emploi", place["zone_emploi"])]
            if code == "etablissements_industrie":
                levels.append(("departement", place["departement"]))
            for level, territory in levels:
                if territory:
                    sums.setdefault((code, level, territory, period), []).append(value)
        report.count("rows kept")
    values = {}
    for key, parts in sums.items():
        known = [v for v in parts if v is not None]
        if key[1] == "commune":
            values[key] = None if len(known) < len(parts) else float(sum(known))
        else:
            values[key] = float(sum(known)) if known else None
    return report, values
