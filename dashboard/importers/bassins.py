"""Import the commune → BMO bassin mapping: `tissu import bassins FILE`.

France Travail publishes the composition of its "bassins d'emploi" (BMO territories) as a commune list. With
it, the Compétences map colours the communes of each bassin; without it, real BMO bassins cannot be drawn.
One row = one commune: INSEE commune code, bassin code, optional bassin name and department. The file replaces
the whole real mapping in one transaction (importing it twice gives the same database); rejected rows are
reported with their line and reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from dashboard import repository
from dashboard.importers.errors import FileFormatError
from dashboard.importers.report import ImportOutcome, ImportReport, report_path
from dashboard.importers.sheets import Cell, read_sheet
from dashboard.importers.taxonomy import plain
from dashboard.reference import load_reference

_ACCEPTED = {
    "commune": ("code commune", "commune", "codgeo", "insee_com", "code insee", "depcom"),
    "area": ("code bassin", "bassin", "code bassin bmo", "be", "code be"),
    "name": ("nom bassin", "nom du bassin", "libelle bassin", "nombe"),
    "departement": ("departement", "dept", "code departement"),
}


def _canonical(header: object) -> str | None:
    key = plain(str(header or "")).replace("_", " ")
    if key.startswith("be") and key[2:].isdigit():  # BE25, BE24… as in the BMO files
        return "area"
    if key.startswith("nombe") and key[5:].isdigit():
        return "name"
    return next((name for name, spellings in _ACCEPTED.items() if key in spellings), None)


def _mapping_sheet_rank(title: str, header: Sequence[Cell]) -> int:
    """A sheet with both the commune and the bassin columns."""
    return int({"commune", "area"} <= {_canonical(h) for h in header})


def import_bassins(engine: Engine, path: Path | str, *, report_dir: Path | None = None) -> ImportOutcome:
    """Replace the real commune → bassin mapping with the file's (one transaction)."""
    from dashboard.bootstrap import prepare_database

    path = Path(path)
    table = read_sheet(path, rank=_mapping_sheet_rank)
    index = table.columns(_canonical)
    missing = [n for n in ("commune", "area") if n not in index]
    if missing:
        raise FileFormatError(path, "is not a commune → bassin file: needs the columns \"Code commune\" and "
                                    "\"Code bassin\" (or BExx)")
    prepare_database(engine)
    communes = load_reference().communes.set_index("code")
    report = ImportReport("bassins")
    mapping: dict[str, tuple[int, str]] = {}
    areas: dict[str, dict] = {}
    source = path.name
    records = table.records()
    for row in records:
        line, get = row.number, row.text_by_name(index)
        commune, area = get("commune").zfill(5), get("area")
        if commune not in communes.index:
            if commune[:2] in ("54", "55", "57", "88"):
                report.reject(source, line, commune, "unknown_commune", f"{commune} is not a 2026 commune")
            else:
                report.count("communes outside Lorraine (skipped)")
            continue
        if not area:
            report.reject(source, line, commune, "missing_bassin", "the bassin code is empty")
            continue
        if commune in mapping and mapping[commune][1] != area:
            report.reject(source, line, commune, "conflicting_bassin",
                          f"line {mapping[commune][0]} already puts this commune in bassin {mapping[commune][1]}")
            continue
        mapping[commune] = (line, area)
        areas.setdefault(area, {"code": area, "name": get("name") or f"Bassin {area}",
                                "department_code": get("departement").zfill(2) or communes.at[commune, "departement"]})
    frame = pd.DataFrame([(c, a) for c, (_, a) in sorted(mapping.items())], columns=["commune_code", "area_code"])
    repository.replace_bmo_area_communes(engine, areas=pd.DataFrame(list(areas.values()),
                                                                    columns=["code", "name", "department_code"]),
                                         mapping=frame)
    report.counts.update({"rows read": len(records), "communes mapped": len(mapping), "bassins": len(areas)})
    outcome = ImportOutcome(report=report)
    if report_dir is not None:
        outcome.report_file = report.write_csv(report_path(report_dir, "bassins"))
    return outcome
