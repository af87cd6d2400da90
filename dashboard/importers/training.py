"""Import training supply: `tissu import training FILE` (template: `tissu template training`).

One row = one site × trade × year: site name, kind, commune (INSEE code), optional coordinates (else the
commune's reference point), BMO trade code, year, graduates, apprentices. The file replaces every real
training site and offer in one transaction (importing it twice gives the same database). A row with a
problem is rejected as a whole and reported with its line and reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from dashboard import repository
from dashboard.importers.errors import FileFormatError
from dashboard.importers.report import ImportOutcome, ImportReport, report_path
from dashboard.importers.sheets import Cell, read_sheet
from dashboard.importers.taxonomy import plain
from dashboard.importers.template_file import template_target, template_workbook
from dashboard.reference import load_reference

TEMPLATE_COLUMNS = ("Nom du site", "Type", "Code commune", "Latitude", "Longitude", "Code métier", "Année",
                    "Diplômés", "Apprentis")
DEFAULT_TRAINING_TEMPLATE = Path("modele-formations.xlsx")
_ACCEPTED = {
    "name": ("nom du site", "site", "nom", "etablissement"),
    "kind": ("type", "type de site"),
    "commune": ("code commune", "commune", "code insee", "insee"),
    "lat": ("latitude", "lat"),
    "lon": ("longitude", "lon"),
    "trade": ("code metier", "metier", "code metier bmo"),
    "year": ("annee",),
    "graduates": ("diplomes", "sortants", "diplomes par an"),
    "apprentices": ("apprentis",),
}
SOURCE_NAME = "Offre de formation importée ({file})"


def _canonical(header: object) -> str | None:
    key = plain(str(header or ""))
    return next((name for name, spellings in _ACCEPTED.items() if key in spellings), None)


def _training_sheet_rank(title: str, header: Sequence[Cell]) -> int:
    """The sheet whose first column is the site name (the template's "Formations")."""
    return int(bool(header) and _canonical(header[0]) == "name")


def import_training(engine: Engine, path: Path | str, *, report_dir: Path | None = None) -> ImportOutcome:
    """Replace the real training sites and offers with the file's (one transaction)."""
    from dashboard.bootstrap import prepare_database

    path = Path(path)
    table = read_sheet(path, rank=_training_sheet_rank)
    index = table.columns(_canonical)
    missing = [n for n in ("name", "commune", "trade", "year", "graduates") if n not in index]
    if missing:
        raise FileFormatError(path, f"is not a training file: missing {', '.join(missing)} (write one with "
                                    "`tissu template training`)")
    prepare_database(engine)
    communes = load_reference().communes.set_index("code")
    trades = repository.trade_codes(engine)
    report = ImportReport("training")
    sites: dict[tuple[str, str], dict] = {}
    offers: dict[tuple, dict] = {}
    source = path.name
    records = table.records()
    for row in records:
        line, get = row.number, row.text_by_name(index)
        name, commune, trade, year = get("name"), get("commune").zfill(5), get("trade"), get("year")
        key = f"{name}/{trade}/{year}"
        problems = []
        if not name:
            problems.append(("missing_name", "Nom du site is empty"))
        if commune not in communes.index:
            problems.append(("unknown_commune", f"commune {get('commune')!r} is not a commune of Lorraine"))
        if trade not in trades:
            problems.append(("unknown_trade", f"trade {trade!r} is unknown: import the BMO file first"))
        if not re.fullmatch(r"(19|20)\d\d", year):
            problems.append(("invalid_year", f"Année {year!r} is not a year"))
        counts: dict[str, int | None] = {}
        for column in ("graduates", "apprentices"):
            text = get(column)
            if text == "":
                counts[column] = None
            elif text.isdigit():
                counts[column] = int(text)
            else:
                problems.append(("invalid_number", f"{column} {text!r} is not a whole number"))
        lat, lon = get("lat").replace(",", "."), get("lon").replace(",", ".")
        try:
            point = (float(lat), float(lon)) if lat and lon else None
        except ValueError:
            point, problems = None, problems + [("invalid_coordinates", f"{lat!r}, {lon!r} are not numbers")]
        if point and not (47.4 <= point[0] <= 49.7 and 4.8 <= point[1] <= 7.8):
            problems.append(("invalid_coordinates", f"{point} is outside Lorraine"))
        if (name, commune, trade, year) in offers:
            problems.append(("duplicate_row", "same site, trade and year as an earlier line"))
        if problems:
            for reason, detail in problems:
                report.reject(source, line, key, reason, detail)
            continue
        site = sites.setdefault((name, commune), {
            "key": len(sites), "name": name, "kind": get("kind") or None, "commune_code": commune,
            "lat": point[0] if point else float(communes.at[commune, "lat"]),
            "lon": point[1] if point else float(communes.at[commune, "lon"]),
            "source_name": SOURCE_NAME.format(file=source), "source_date": pd.Timestamp.now().date()})
        offers[(name, commune, trade, year)] = {"site_key": site["key"], "trade_code": trade, "year": int(year),
                                                **counts}
    site_frame = pd.DataFrame(list(sites.values()), columns=["key", "name", "kind", "commune_code", "lat", "lon",
                                                             "source_name", "source_date"])
    offer_frame = pd.DataFrame(list(offers.values()), columns=["site_key", "trade_code", "year", "graduates",
                                                               "apprentices"])
    for column in ("graduates", "apprentices"):
        offer_frame[column] = offer_frame[column].astype("Int64")
    repository.replace_training(engine, sites=site_frame, offers=offer_frame)
    report.counts.update({"rows read": len(records), "training sites": len(sites), "offers": len(offers)})
    outcome = ImportOutcome(report=report)
    if report_dir is not None:
        outcome.report_file = report.write_csv(report_path(report_dir, "training"))
    return outcome


def write_training_template(path: Path | str = DEFAULT_TRAINING_TEMPLATE, *, overwrite: bool = False) -> Path:
    """The training template: XLSX (with an example row and instructions) or CSV (`;`, UTF-8 with BOM)."""
    path = template_target(path, overwrite=overwrite)
    if path.suffix.lower() == ".csv":
        path.write_text(";".join(TEMPLATE_COLUMNS) + "\r\n", encoding="utf-8-sig")
        return path
    book, sheet = template_workbook("Formations", TEMPLATE_COLUMNS)
    for row in range(2, 1001):  # codes as text: Excel would drop leading zeros
        for column in (3, 6):
            sheet.cell(row=row, column=column).number_format = "@"
    notes = book.create_sheet("Mode d'emploi")
    for text in ("Une ligne par site de formation, métier et année.",
                 "Code commune : code INSEE à 5 chiffres (ex. 57463 pour Metz).",
                 "Latitude / Longitude : facultatives (sinon le centre de la commune).",
                 "Code métier : code BMO du métier (ex. celui de « Soudeurs » dans le fichier BMO importé).",
                 "Diplômés : sortants diplômés de l'année ; Apprentis : dont apprentis.",
                 "Import : tissu import training FICHIER. Le fichier remplace l'offre de formation importée."):
        notes.append([text])
    notes.column_dimensions["A"].width = 110
    book.save(path)
    return path
