"""`tissu import indicators FILE` (CSV or XLSX) and `tissu template indicators`: curated series and projects.

Two sheets (XLSX) or one CSV of either kind, recognised by their header:
- series: `indicateur, niveau, territoire, periode, valeur, unite, source, date_source`
- projects: `nom, type, programme, commune, date, emplois, montant_eur, filiere, source, date_source`
  (type: ouverture, extension, fermeture, reduction; programme: vide, france2030 or deeptech).
One transaction; every rejected row reported with its line; idempotent (same keys are replaced).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine

from dashboard import repository
from dashboard.analytics.indicators import (
    CATALOG,
    CATALOG_BY_CODE,
    DERIVED_CODES,
    LEVELS,
    period_start,
)
from dashboard.importers.errors import ArgumentError, FileFormatError
from dashboard.importers.report import ImportOutcome, ImportReport, outcome_with_issues_file
from dashboard.importers.sheets import cell_text, read_sheets
from dashboard.reference import load_reference

SERIES_COLUMNS = ("indicateur", "niveau", "territoire", "periode", "valeur", "unite", "source", "date_source")
PROJECT_COLUMNS = ("nom", "type", "programme", "commune", "date", "emplois", "montant_eur", "filiere", "source",
                   "date_source")
KINDS = {"ouverture": "opening", "extension": "extension", "fermeture": "closure", "reduction": "reduction",
         "réduction": "reduction", "opening": "opening", "closure": "closure"}
PROGRAMMES = {"": None, "france2030": "france2030", "france 2030": "france2030", "deeptech": "deeptech"}


def _date(text: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):  # the last: an Excel date cell with a time
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ValueError(f"date {text!r} is not YYYY-MM-DD nor DD/MM/YYYY")


def _number(text: str) -> float | None:
    text = text.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    return None if text == "" else float(text)


def import_indicators(engine: Engine, path: Path | str, *, report_dir: Path | None = None) -> ImportOutcome:
    path = Path(path)
    kinds = []
    for sheet in read_sheets(path):
        header = [cell_text(h).lower() for h in sheet.header]
        if set(SERIES_COLUMNS[:5]) <= set(header) or set(PROJECT_COLUMNS[:5]) <= set(header):
            kinds.append((sheet.name, header, sheet.records()))
    if not kinds:
        raise FileFormatError(path, "is not an indicator file: expected the columns of `tissu template indicators` "
                                    f"({', '.join(SERIES_COLUMNS)}) or ({', '.join(PROJECT_COLUMNS)})")
    ref = load_reference()
    communes = ref.communes.set_index("code")
    territories = {"departement": set(ref.departments["code"]), "epci": set(ref.epci["code"]),
                   "zone_emploi": set(ref.zones["code"]), "commune": set(ref.communes["code"])}
    filieres = set(ref.filieres["code"])
    report, values, projects = ImportReport("indicators"), {}, []
    catalog: list[dict] = []
    for name, header, body in kinds:
        at = {h: i for i, h in enumerate(header)}
        for row in body:
            line, get = row.number, row.text_by_name(at)
            report.count("rows read")
            try:
                if "indicateur" in at:
                    code, level, territory = get("indicateur"), get("niveau"), get("territoire")
                    if code in DERIVED_CODES:
                        raise ValueError(f"{code} is computed from Sirene or projects: not importable")
                    if not code or len(code) > 40:
                        raise ValueError("indicateur is empty or longer than 40 characters")
                    if level not in LEVELS:
                        raise ValueError(f"niveau {level!r}: expected one of {', '.join(LEVELS)}")
                    if level in territories and territory not in territories[level]:
                        raise ValueError(f"territoire {territory!r} unknown at level {level}")
                    period = get("periode")
                    start = period_start(period)
                    if code not in CATALOG_BY_CODE and code not in {c["code"] for c in catalog}:
                        catalog.append({"code": code, "label": code, "definition": "Indicateur importé.",
                                        "unit": get("unite"), "higher_is_better": None, "source": get("source")})
                    values[(code, level, territory, period)] = {
                        "indicator_code": code, "level": level, "territory_code": territory, "period": period,
                        "period_start": start, "value": _number(get("valeur")),
                        "unit": get("unite") or CATALOG_BY_CODE.get(code, {}).get("unit", ""),
                        "source_name": get("source") or path.name,
                        "source_date": _date(get("date_source")) if get("date_source") else dt.date.today(),
                        "is_demo": False}
                else:
                    kind = KINDS.get(get("type").lower())
                    if kind is None:
                        raise ValueError(f"type {get('type')!r}: ouverture, extension, fermeture or reduction")
                    programme = get("programme").lower()
                    if programme not in PROGRAMMES:
                        raise ValueError(f"programme {programme!r}: empty, france2030 or deeptech")
                    commune = get("commune").zfill(5)
                    if commune not in communes.index:
                        raise ValueError(f"commune {commune!r} is not a Lorraine commune (COG 2026)")
                    filiere = get("filiere") or None
                    if filiere and filiere not in filieres:
                        raise ValueError(f"filiere {filiere!r} unknown")
                    jobs = _number(get("emplois"))
                    projects.append({
                        "name": get("nom") or "(sans nom)", "kind": kind, "programme": PROGRAMMES[programme],
                        "commune_code": commune, "lat": float(communes.loc[commune, "lat"]),
                        "lon": float(communes.loc[commune, "lon"]), "announced_on": _date(get("date")),
                        "jobs": None if jobs is None else int(jobs), "amount_eur": _number(get("montant_eur")),
                        "filiere_code": filiere, "source_name": get("source") or path.name,
                        "source_date": _date(get("date_source")) if get("date_source") else dt.date.today(),
                        "is_demo": False})
            except ValueError as err:
                report.reject(name, line, "", "bad_value", str(err))
                continue
            report.count("rows kept")
    repository.write_indicator_data(engine, catalog=CATALOG + catalog, values=list(values.values()),
                                    projects=projects)
    report.count("series points written", len(values))
    report.count("projects written", len(projects))
    return outcome_with_issues_file(report, report_dir, "indicators")


def write_indicators_template(path: Path | str = "modele-indicateurs.xlsx", *, overwrite: bool = False) -> Path:
    """XLSX with a "Séries" sheet, a "Projets" sheet and the catalogue; or a CSV of series (`;`)."""
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise ArgumentError(f"{path}: the template is written as .xlsx or .csv")
    if path.exists() and not overwrite:
        raise ArgumentError(f"{path} already exists (use --force to overwrite it)")
    example = ["emploi_industrie", "departement", "57", "2024-Q4", "61000", "salariés", "URSSAF", "2025-03-31"]
    if path.suffix.lower() == ".csv":
        path.write_text(";".join(SERIES_COLUMNS) + "\r\n" + ";".join(example) + "\r\n", encoding="utf-8-sig")
        return path
    from openpyxl import Workbook

    book = Workbook()
    series = book.active
    series.title = "Séries"
    series.append(list(SERIES_COLUMNS))
    series.append(example)
    projects = book.create_sheet("Projets")
    projects.append(list(PROJECT_COLUMNS))
    projects.append(["Extension d'une usine", "extension", "france2030", "57463", "2025-06-15", "120", "25000000",
                     "metal", "Communiqué de presse", "2025-06-16"])
    cat = book.create_sheet("Catalogue")
    cat.append(["code", "libellé", "unité", "définition"])
    for row in CATALOG:
        cat.append([row["code"], row["label"], row["unit"], row["definition"]])
    notes = book.create_sheet("Mode d'emploi")
    for line in ("Séries : une ligne par indicateur × territoire × période (AAAA, AAAA-Qn ou AAAA-MM).",
                 "niveau : region (41 = Lorraine), departement, epci (SIREN), zone_emploi, commune, pays (FR).",
                 "Valeur vide = secret ou manquant. Une ligne déjà importée (même clé) est remplacée.",
                 "Projets : type ouverture, extension, fermeture ou reduction ; "
                 "programme vide, france2030 ou deeptech.",
                 "Import : tissu import indicators FICHIER. Les lignes refusées sont listées avec leur raison."):
        notes.append([line])
    book.save(path)
    return path
