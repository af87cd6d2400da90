"""Benchmark of the Sirene importer against a plain pandas baseline.

`python -m benchmarks.importer [--rows 3000000] [--no-zip] [--keep DIR]`

Generates a StockEtablissement-format CSV (the 54 published columns) of `--rows` synthetic rows in
a temporary folder: about 3.5 % of the rows in Lorraine (54, 55, 57, 88, real commune codes), the
rest in the other departments, Corsica and overseas; about 6 % in NAF sections B–E, 8 % in older
nomenclatures, 45 % closed, 3 % partially diffusible (`[ND]`), 1 % with a quoted field holding a
comma. Then, each in a fresh subprocess so that its peak memory (max RSS) is its own, it measures:

- tissu read + filter: `open_table(...).rows(...)` with the importer's filters (departments and
  sections), the step that scales with the national file;
- tissu full import: `import_sirene` into a new SQLite database (filter, build, one-transaction load);
- tissu read + filter of the same CSV zipped, as downloaded (unless `--no-zip`);
- tissu three-file import: the same, plus a StockUniteLegale file (one row per SIREN, the 35
  published columns) and a Geolocalisation file (`;`, the 19 published columns, one row per SIRET),
  generated beside it in the formats of tests/fixtures/make_fixtures.py (headers read from those
  fixture files);
- pandas baseline: `pd.read_csv(dtype=str, chunksize=500_000)` with the same filter on the columns;
- pyarrow baseline: `pyarrow.csv.open_csv` streaming record batches of the 20 columns the importer
  reads (all as strings) with the same department and NAF-division filter in `pyarrow.compute`.

It prints a Markdown table with rows read and rows kept per second, peak memory, the ratio to
pandas and the time extrapolated to the national file (≈ 44 M rows; linear, and from two file sizes
for the full import). Targets: ≥ 1 M rows/s read + filter, ≤ 1 GB peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

NATIONAL_ROWS = 44_000_000
LORRAINE = {"54": 0.30, "55": 0.08, "57": 0.45, "88": 0.17}
LORRAINE_SHARE = 0.035
_OTHER_DEPARTMENTS = [f"{d:02d}" for d in range(1, 96) if d not in (20, 54, 55, 57, 88)] + \
    ["2A", "2B", "971", "972", "973", "974", "976"]
_OTHER_NAF = ["47.11D", "56.10A", "68.20B", "70.22Z", "43.21A", "62.01Z", "86.21Z", "96.02A", "49.41A", "81.21Z",
              "01.11Z", "41.20A", "45.20A", "47.71Z", "55.10Z", "64.20Z", "85.59A", "93.12Z", "66.22Z", "74.10Z"]
_OLD_NAF = ["28.5D", "52.4A", "15.8C", "74.1G", "45.2B", "27.1Y", "29.5G", "55.3A"]
_STREETS = ["DE LA GARE", "DU GENERAL LECLERC", "JEAN JAURES", "DES ACACIAS", "DE LA REPUBLIQUE", "DU MOULIN",
            "DES FORGES", "PASTEUR", "VICTOR HUGO", "DE LA LIBERATION", "DES ECOLES", "SAINT NICOLAS"]
_SIGNS = ["", "", "", "", "", "BOULANGERIE DU CENTRE", "GARAGE MODERNE", "ATELIER MECA", "LE RELAIS", "PHARMACIE"]


def generate(path: Path, rows: int, *, seed: int = 1, batch: int = 100_000) -> dict:
    """Write the synthetic StockEtablissement CSV; returns its size and the Lorraine row count."""
    import numpy as np

    from dashboard.importers.sirene import STOCK_ETABLISSEMENT_COLUMNS
    from dashboard.reference import load_reference

    ref = load_reference()
    columns = list(STOCK_ETABLISSEMENT_COLUMNS)
    at = {c: i for i, c in enumerate(columns)}
    rng = np.random.default_rng(seed)
    lorraine_communes = np.array(ref.communes["code"])
    weights = np.array([LORRAINE[d] for d in ref.communes["departement"]])
    weights = weights / weights.sum()
    industrial = np.array(ref.naf["subclass"])
    others = np.array(_OTHER_DEPARTMENTS)
    lorraine = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(columns) + "\n")
        for first in range(0, rows, batch):
            n = min(batch, rows - first)
            in_lorraine = rng.random(n) < LORRAINE_SHARE
            lorraine += int(in_lorraine.sum())
            elsewhere = np.char.add(rng.choice(others, n), np.char.zfill(rng.integers(1, 999, n).astype(str), 3))
            communes = np.where(in_lorraine, rng.choice(lorraine_communes, n, p=weights), elsewhere)
            kind = rng.random(n)
            naf = np.where(kind < 0.06, rng.choice(industrial, n),
                           np.where(kind < 0.14, rng.choice(_OLD_NAF, n), rng.choice(_OTHER_NAF, n)))
            nomenclature = np.where((kind >= 0.06) & (kind < 0.14), rng.choice(["NAFRev1", "NAF1993"], n), "NAFRev2")
            closed = rng.random(n) < 0.45
            hidden = rng.random(n) < 0.03
            quoted = rng.random(n) < 0.01
            streets = rng.choice(_STREETS, n)
            signs = rng.choice(_SIGNS, n)
            years = rng.integers(1960, 2025, n)
            months = rng.integers(1, 13, n)
            updated = rng.integers(10, 26, n)
            xs = rng.uniform(150000, 1200000, n)
            ys = rng.uniform(6050000, 7100000, n)
            bands = rng.choice(["", "NN", "00", "01", "02", "03", "11", "12", "21"], n)
            numbers = rng.integers(1, 200, n)
            out = []
            base = [""] * len(columns)
            for j in range(n):
                row = base.copy()
                siren = f"{first + j:09d}"
                commune = str(communes[j])
                code = str(naf[j])
                row[at["siren"]] = siren
                row[at["nic"]] = "00012"
                row[at["siret"]] = siren + "00012"
                row[at["statutDiffusionEtablissement"]] = "P" if hidden[j] else "O"
                row[at["dateCreationEtablissement"]] = f"{years[j]}-{months[j]:02d}-01"
                row[at["trancheEffectifsEtablissement"]] = str(bands[j])
                row[at["anneeEffectifsEtablissement"]] = "2023"
                row[at["dateDernierTraitementEtablissement"]] = f"20{updated[j]}-{months[j]:02d}-15T10:11:12"
                row[at["etablissementSiege"]] = "true" if j % 3 else "false"
                row[at["nombrePeriodesEtablissement"]] = "2"
                if hidden[j]:
                    for c in ("numeroVoieEtablissement", "typeVoieEtablissement", "libelleVoieEtablissement",
                              "identifiantAdresseEtablissement", "coordonneeLambertAbscisseEtablissement",
                              "coordonneeLambertOrdonneeEtablissement"):
                        row[at[c]] = "[ND]"
                else:
                    row[at["numeroVoieEtablissement"]] = str(numbers[j])
                    row[at["typeVoieEtablissement"]] = "RUE"
                    street = str(streets[j])
                    row[at["libelleVoieEtablissement"]] = f'"{street}, ZONE ARTISANALE"' if quoted[j] else street
                    row[at["identifiantAdresseEtablissement"]] = f"{commune}_0470_{numbers[j]:05d}"
                    row[at["coordonneeLambertAbscisseEtablissement"]] = f"{xs[j]:.1f}"
                    row[at["coordonneeLambertOrdonneeEtablissement"]] = f"{ys[j]:.1f}"
                row[at["codePostalEtablissement"]] = commune if commune[:2].isdigit() else "20000"
                row[at["libelleCommuneEtablissement"]] = "COMMUNE " + commune
                row[at["codeCommuneEtablissement"]] = commune
                row[at["dateDebut"]] = f"{years[j] + 1}-01-01"
                row[at["etatAdministratifEtablissement"]] = "F" if closed[j] else "A"
                row[at["enseigne1Etablissement"]] = str(signs[j])
                row[at["activitePrincipaleEtablissement"]] = code
                row[at["nomenclatureActivitePrincipaleEtablissement"]] = str(nomenclature[j])
                row[at["caractereEmployeurEtablissement"]] = "N" if closed[j] else "O"
                if not closed[j] and nomenclature[j] == "NAFRev2":
                    row[at["activitePrincipaleNAF25Etablissement"]] = code[:5] + "Y"
                out.append(",".join(row))
            handle.write("\n".join(out) + "\n")
    return {"bytes": path.stat().st_size, "lorraine_rows": lorraine}


FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "sirene"


def generate_companions(folder: Path, rows: int, *, seed: int = 2, batch: int = 200_000) -> tuple[Path, Path]:
    """StockUniteLegale (one row per SIREN of `generate`) and Geolocalisation (one per SIRET) files."""
    import numpy as np

    legal_path = folder / "StockUniteLegale_utf8.csv"
    geo_path = folder / "GeolocalisationEtablissement_Sirene_pour_etudes_statistiques_utf8.csv"
    legal_header = (FIXTURES / "StockUniteLegale_utf8.csv").read_text(encoding="utf-8").splitlines()[0]
    geo_header = (FIXTURES / geo_path.name).read_text(encoding="utf-8").splitlines()[0]
    legal_columns, geo_columns = legal_header.split(","), geo_header.split(";")
    name_at = legal_columns.index("denominationUniteLegale")
    rng = np.random.default_rng(seed)
    with open(legal_path, "w", encoding="utf-8", newline="") as legal, \
            open(geo_path, "w", encoding="utf-8", newline="") as geo:
        legal.write(legal_header + "\n")
        geo.write(geo_header + "\n")
        for first in range(0, rows, batch):
            n = min(batch, rows - first)
            xs, ys = rng.uniform(850000, 1050000, n), rng.uniform(6750000, 6950000, n)
            lat, lon = rng.uniform(47.9, 49.5, n), rng.uniform(4.9, 7.6, n)
            legal_lines, geo_lines = [], []
            legal_row, geo_row = [""] * len(legal_columns), [""] * len(geo_columns)
            for j in range(n):
                siren = f"{first + j:09d}"
                legal_row[0], legal_row[name_at] = siren, f"SOCIETE {first + j}"
                legal_lines.append(",".join(legal_row))
                geo_row[0], geo_row[1], geo_row[2], geo_row[3], geo_row[4] = (
                    siren + "00012", f"{xs[j]:.1f}", f"{ys[j]:.1f}", "11", "2154")
                geo_row[-2], geo_row[-1] = f"{lat[j]:.6f}", f"{lon[j]:.6f}"
                geo_lines.append(";".join(geo_row))
            legal.write("\n".join(legal_lines) + "\n")
            geo.write("\n".join(geo_lines) + "\n")
    return legal_path, geo_path


# --- Measurements (each runs in its own subprocess) ----------------------------------------------

def _measure_tissu_filter(path: Path) -> dict:
    from dashboard.importers.reading import Keep, open_table
    from dashboard.importers.sirene import (
        DEFAULT_SECTIONS,
        ESTABLISHMENTS,
        _division_prefixes,
    )
    from dashboard.reference import departments

    started, cpu = time.perf_counter(), time.process_time()
    table = open_table(path, ESTABLISHMENTS)
    keep = [Keep("codeCommuneEtablissement", frozenset(departments())),
            Keep("activitePrincipaleEtablissement", _division_prefixes(DEFAULT_SECTIONS))]
    kept = sum(1 for _ in table.rows(keep, max_date_of="dateDernierTraitementEtablissement"))
    table.close()
    return {"rows": table.rows_read, "kept": kept, "seconds": time.perf_counter() - started,
            "cpu": time.process_time() - cpu}


def _measure_tissu_import(path: Path) -> dict:
    from dashboard.database import make_engine
    from dashboard.importers.sirene import SireneOptions, import_sirene

    folder = Path(tempfile.mkdtemp(prefix="tissu-bench-db-"))
    engine = make_engine(f"sqlite:///{folder / 'tissu.sqlite3'}")
    from dashboard.bootstrap import prepare_database

    prepare_database(engine)  # schema and reference data: not part of the measured step
    started, cpu = time.perf_counter(), time.process_time()
    outcome = import_sirene(engine, SireneOptions(etablissements=path), report_dir=folder, progress=False)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    engine.dispose()
    shutil.rmtree(folder)
    return {"rows": outcome.report.counts["rows read"], "kept": outcome.report.counts["kept"], "seconds": seconds,
            "cpu": cpu}


def _measure_tissu_import3(path: Path) -> dict:
    from dashboard.bootstrap import prepare_database
    from dashboard.database import make_engine
    from dashboard.importers.sirene import SireneOptions, import_sirene

    folder = Path(tempfile.mkdtemp(prefix="tissu-bench-db-"))
    engine = make_engine(f"sqlite:///{folder / 'tissu.sqlite3'}")
    prepare_database(engine)
    geoloc = path.parent / "GeolocalisationEtablissement_Sirene_pour_etudes_statistiques_utf8.csv"
    options = SireneOptions(etablissements=path, unites_legales=path.parent / "StockUniteLegale_utf8.csv",
                            geoloc=geoloc)
    started, cpu = time.perf_counter(), time.process_time()
    outcome = import_sirene(engine, options, report_dir=folder, progress=False)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    engine.dispose()
    shutil.rmtree(folder)
    return {"rows": outcome.report.counts["rows read"], "kept": outcome.report.counts["kept"], "seconds": seconds,
            "cpu": cpu}


def _measure_pyarrow(path: Path) -> dict:
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv

    from dashboard.importers.sirene import (
        _ESTABLISHMENT_COLUMNS,
        DEFAULT_SECTIONS,
        _division_prefixes,
    )
    from dashboard.reference import departments

    departments, divisions = pa.array(list(departments())), pa.array(sorted(_division_prefixes(DEFAULT_SECTIONS)))
    started, cpu = time.perf_counter(), time.process_time()
    reader = csv.open_csv(path, read_options=csv.ReadOptions(block_size=8 << 20),
                          convert_options=csv.ConvertOptions(include_columns=_ESTABLISHMENT_COLUMNS,
                                                             column_types=dict.fromkeys(_ESTABLISHMENT_COLUMNS,
                                                                                        pa.string())))
    rows = kept = 0
    for batch in reader:
        rows += batch.num_rows
        commune = batch.column(batch.schema.get_field_index("codeCommuneEtablissement"))
        naf = batch.column(batch.schema.get_field_index("activitePrincipaleEtablissement"))
        mask = pc.and_(pc.is_in(pc.utf8_slice_codeunits(commune, 0, 2), value_set=departments),
                       pc.is_in(pc.utf8_slice_codeunits(naf, 0, 2), value_set=divisions))
        kept += batch.filter(mask).num_rows
    return {"rows": rows, "kept": kept, "seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu}


def _measure_pandas(path: Path) -> dict:
    import pandas as pd

    from dashboard.importers.sirene import DEFAULT_SECTIONS, _division_prefixes
    from dashboard.reference import departments

    divisions = list(_division_prefixes(DEFAULT_SECTIONS))
    started, cpu = time.perf_counter(), time.process_time()
    rows, parts = 0, []
    for chunk in pd.read_csv(path, dtype=str, chunksize=500_000, keep_default_na=False):
        rows += len(chunk)
        mask = chunk["codeCommuneEtablissement"].str[:2].isin(departments()) & \
            chunk["activitePrincipaleEtablissement"].str[:2].isin(divisions)
        parts.append(chunk[mask])
    kept = len(pd.concat(parts)) if parts else 0
    return {"rows": rows, "kept": kept, "seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu}


_MEASURES = {"tissu-filter": _measure_tissu_filter, "tissu-import": _measure_tissu_import,
             "tissu-import3": _measure_tissu_import3, "pandas": _measure_pandas, "pyarrow": _measure_pyarrow}


def _run(kind: str, path: Path) -> dict:
    process = subprocess.run([sys.executable, "-m", "benchmarks.importer", "--measure", kind, str(path)],
                             capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    if process.returncode:
        raise RuntimeError(f"{kind} failed:\n{process.stderr}")
    return json.loads(process.stdout.strip().splitlines()[-1])


def _table(results: list[tuple[str, dict]]) -> str:
    baseline = next(r for name, r in results if name.startswith("pandas"))
    base_rate = baseline["rows"] / baseline["seconds"]
    lines = ["| step | rows read | kept | wall (s) | CPU (s) | rows read/s | rows kept/s | peak memory (MB) | "
             "speed vs pandas | national file (44 M rows) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in results:
        rate = r["rows"] / r["seconds"]
        national = NATIONAL_ROWS / rate
        small = r.get("small")  # a second, smaller run: separates the fixed start-up cost
        if small and r["rows"] > small["rows"]:
            per_row = (r["seconds"] - small["seconds"]) / (r["rows"] - small["rows"])
            national = small["seconds"] + max(per_row, 0.0) * (NATIONAL_ROWS - small["rows"])
        lines.append(f"| {name} | {r['rows']:,} | {r['kept']:,} | {r['seconds']:.1f} | {r['cpu']:.1f} | "
                     f"{rate / 1e6:.2f} M | {r['kept'] / r['seconds']:,.0f} | {r['peak_mb']:.0f} | "
                     f"{rate / base_rate:.1f}× | {national / 60:.1f} min |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=3_000_000, help="rows of the generated file (default 3,000,000)")
    parser.add_argument("--no-zip", action="store_true", help="skip the zipped-file measurement")
    parser.add_argument("--keep", metavar="DIR", help="generate into DIR and keep the files")
    parser.add_argument("--measure", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        kind, file = args.measure
        result = _MEASURES[kind](Path(file))
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        print(json.dumps(result))
        return
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="tissu-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "StockEtablissement_utf8.csv"
    started = time.perf_counter()
    facts = generate(path, args.rows)
    print(f"# tissu importer benchmark, {time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, "
          f"Python {platform.python_version()}, {os.cpu_count()} CPU\n")
    print(f"Generated {args.rows:,} rows ({facts['bytes'] / 1e6:,.0f} MB, {facts['lorraine_rows']:,} in Lorraine) "
          f"in {time.perf_counter() - started:.0f} s: {path}\n")
    results = [("tissu: read + filter (CSV)", _run("tissu-filter", path))]
    if not args.no_zip:
        zipped = folder / "StockEtablissement_utf8.zip"
        with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(path, path.name)
        print(f"Zipped: {zipped.stat().st_size / 1e6:,.0f} MB\n")
        results.append(("tissu: read + filter (zip)", _run("tissu-filter", zipped)))
    head = folder / "head.csv"
    with open(path, encoding="utf-8") as source, open(head, "w", encoding="utf-8") as target:
        target.writelines(line for _, line in zip(range(args.rows // 10 + 1), source))
    full = _run("tissu-import", path)
    full["small"] = _run("tissu-import", head)
    results.append(("tissu: full import into SQLite (CSV)", full))
    started = time.perf_counter()
    generate_companions(folder, args.rows)
    print(f"Generated the legal units and geolocation files ({args.rows:,} rows each) in "
          f"{time.perf_counter() - started:.0f} s\n", flush=True)
    results.append(("tissu: three-file import (establishments + legal units + geolocation)",
                    _run("tissu-import3", path)))
    results.append(("pandas read_csv(chunksize=500_000) + filter (CSV)", _run("pandas", path)))
    results.append(("pyarrow open_csv (20 columns, streamed) + filter (CSV)", _run("pyarrow", path)))
    print(_table(results))
    print("\nTargets: ≥ 1 M rows/s read + filter, ≤ 1 GB peak memory. rows/s and the national time use the wall "
          "time (linear extrapolation; for the full import, from a second run on the first tenth of the file, "
          "so that the fixed start-up cost is not multiplied); CPU (s) counts every thread of the process, "
          "so CPU > wall means the "
          "zip was inflated in parallel, and CPU < wall that the machine was busy with something else.")
    if not args.keep:
        for file in folder.iterdir():
            file.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
