"""Import the Labour Ministry file of collective agreements by SIRET (`MOIS,SIRET,IDCC,DATE_MAJ`).

data.gouv.fr "Liste des conventions collectives par entreprise (SIRET)", built from the DSN. An
establishment of the active real dataset is under the metallurgy agreement (IDCC 3248) when one of
its rows says 3248; it is not when its rows only name other agreements; it is unknown (NULL) when
it is absent from the file or only has `9999` ("non déterminée"). Every establishment of the
dataset gets its value, so importing the same file twice gives the same database.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TextIO

from sqlalchemy import Engine

from dashboard import repository
from dashboard.importers.reading import Keep, TableSpec, describe, open_table
from dashboard.importers.report import ImportOutcome, ImportReport, Progress, report_path
from dashboard.importers.target import real_target_dataset

METALLURGY_IDCC = "3248"
UNKNOWN_IDCC = "9999"
IDCC_FILE = TableSpec(
    title="collective agreements by SIRET file (MOIS,SIRET,IDCC,DATE_MAJ)",
    separator=",",
    mandatory=("SIRET", "IDCC"),
    zero_pad={"SIRET": 14},
)


def agreement_flag(idccs: set[str]) -> bool | None:
    """True under IDCC 3248, False under other known agreements only, None when unknown."""
    if METALLURGY_IDCC in idccs:
        return True
    return False if idccs - {UNKNOWN_IDCC} else None


def import_idcc(engine: Engine, path: Path | str, *, report_dir: Path | None = None, progress: bool = True,
                stream: TextIO | None = None) -> ImportOutcome:
    """Set `metallurgy_agreement` on every establishment of the active real dataset (one transaction)."""
    from dashboard.bootstrap import prepare_database

    path = Path(path)
    table = open_table(path, IDCC_FILE)
    try:
        prepare_database(engine)
        target = real_target_dataset(engine, "IDCC flags")
        keys = repository.establishment_keys(engine, target.id)
        by_siret = {s: int(i) for i, s in zip(keys["id"], keys["siret"]) if s}
        report = ImportReport("idcc")
        source = describe(path)
        siret_at, idcc_at = table.at("SIRET"), table.at("IDCC")
        agreements: dict[str, set[str]] = {}
        matched = 0
        bar = Progress(source, stream=stream, enabled=progress)
        for row in table.rows([Keep("SIRET", frozenset(by_siret), exact=True)], use=["SIRET", "IDCC"],
                              progress=bar):
            if row.malformed:
                report.reject(source, row.line, "", "malformed_line",
                              f"{len(row.fields)} fields where the header has {len(table.columns)}")
                continue
            siret, idcc = row.fields[siret_at].strip(), row.fields[idcc_at].strip()
            if not re.fullmatch(r"\d{1,4}", idcc):
                report.reject(source, row.line, siret, "invalid_idcc", f"IDCC {idcc!r} is not a 1- to 4-digit code")
                continue
            matched += 1
            agreements.setdefault(siret, set()).add(idcc.zfill(4))
        bar.close()
    finally:
        table.close()
    values = {establishment_id: agreement_flag(agreements.get(siret, set()))
              for siret, establishment_id in by_siret.items()}
    info = repository.set_metallurgy_agreements(engine, target.id, values)
    flags = list(values.values())
    report.counts.update({
        "rows read": table.rows_read,
        "rows about the dataset": matched,
        "establishments under IDCC 3248": flags.count(True),
        "under other agreements only": flags.count(False),
        "unknown (absent or 9999)": flags.count(None),
    })
    outcome = ImportOutcome(report=report, dataset=info)
    if report_dir is not None:
        outcome.report_file = report.write_csv(report_path(report_dir, "idcc"))
    return outcome
