"""Import sites abroad from the generic establishments template (`tissu template establishments`, issue 18).

Each row is a site outside France (Luxembourg, Saarland, Wallonia…): its name, country, coordinates, national
registration number, town, optional NAF code and address, declared capabilities, certifications and UIMM
membership. Valid rows are added to the active real dataset (a row with the same country and number replaces
the site), tagged with their NUTS-3 region; French rows are refused (French sites come from Sirene) and every
rejected row is reported with its line and reason. Same reader and checks as the member list's rows abroad.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from dashboard.importers.abroad import ABROAD_COLUMNS
from dashboard.importers.members import abroad_sites, is_abroad, rows_to_import, write_abroad
from dashboard.importers.reading import describe
from dashboard.importers.report import ImportOutcome, ImportReport, report_path

DEFAULT_ESTABLISHMENTS_TEMPLATE = Path("modele-etablissements.xlsx")
ESTABLISHMENT_COLUMNS = ("Raison sociale", *ABROAD_COLUMNS, "Adresse", "Code NAF", "Savoir-faire", "Certifications",
                         "Adhérent UIMM")


def import_establishments(engine: Engine, path: Path | str, *, report_dir: Path | None = None) -> ImportOutcome:
    """Add the sites abroad of a file to the active real dataset (one transaction); other rows are rejected."""
    path = Path(path)
    read = rows_to_import(engine, path, "establishment lists")
    rows, target = read.rows, read.target
    report = ImportReport("establishments")
    source = describe(path)
    for row in rows:
        if not is_abroad(row):
            report.reject(source, row.line, row.siret or row.name, "french_site",
                          "a site in France comes from Sirene (`tissu import sirene`), its capabilities from the "
                          "member list: give a Pays other than France")
    sites = abroad_sites([r for r in rows if is_abroad(r)], report, source, read.capabilities, read.certifications,
                         member_default=False)
    info = write_abroad(engine, target.id, sites, source_name=f"Établissements ({path.name})") if sites else target
    report.counts.update({"rows read": len(rows), "sites abroad added or replaced": len(sites)})
    outcome = ImportOutcome(report=report, dataset=info)
    if report_dir is not None:
        outcome.report_file = report.write_csv(report_path(report_dir, "establishments"))
    return outcome
