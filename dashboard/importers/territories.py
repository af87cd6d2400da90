"""`tissu import territoires-industrie FILE`: the ANCT commune file of the Territoires d'industrie programme.

Columns `insee_com, lib_com, id_ti, lib_ti` (CSV `,` or `;`, or XLSX). Communes outside Lorraine are skipped;
the import replaces every Territoire d'industrie (one transaction, idempotent).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from dashboard import repository
from dashboard.importers.errors import FileFormatError
from dashboard.importers.report import ImportOutcome, ImportReport, outcome_with_issues_file
from dashboard.importers.sheets import cell_text, read_sheet
from dashboard.reference import departments, load_reference

COLUMNS = ("insee_com", "lib_com", "id_ti", "lib_ti")


def import_territories(engine: Engine, path: Path | str, *, report_dir: Path | None = None) -> ImportOutcome:
    path = Path(path)
    table = read_sheet(path)
    header = [cell_text(h).lower() for h in table.header]
    missing = [c for c in ("insee_com", "id_ti", "lib_ti") if c not in header]
    if missing:
        raise FileFormatError(path, f"is not the ANCT Territoires d'industrie file: missing {', '.join(missing)} "
                                    f"(expected columns {', '.join(COLUMNS)})")
    at = {c: header.index(c) for c in COLUMNS if c in header}
    communes = set(load_reference().communes["code"])
    report = ImportReport("territoires-industrie")
    territories, links = {}, set()
    for row in table.records():
        line = row.number
        report.count("rows read")
        commune, code, name = (row.text(at.get(c)) for c in ("insee_com", "id_ti", "lib_ti"))
        commune = commune.zfill(5)
        if commune[:2] not in departments():
            report.count("communes outside Lorraine (skipped)")
            continue
        if not code or not name:
            report.reject(path.name, line, "", "missing_territory", "id_ti or lib_ti is empty")
            continue
        if commune not in communes:
            report.reject(path.name, line, "", "unknown_commune", f"commune {commune!r} is not in COG 2026")
            continue
        territories[code] = name
        links.add((code, commune))
    repository.replace_industry_territories(
        engine, [{"code": c, "name": n} for c, n in sorted(territories.items())],
        [{"territory_code": t, "commune_code": c} for t, c in sorted(links)])
    report.count("territories (Lorraine)", len(territories))
    report.count("communes linked", len(links))
    return outcome_with_issues_file(report, report_dir, "territoires-industrie")
