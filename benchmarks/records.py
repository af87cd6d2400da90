"""Build time and resident memory of the records of every establishment (`analytics.records.establishment_records`).

`python -m benchmarks.records --sizes 100000,1000000` builds, on seeded synthetic sites shaped like the snapshot
(Arrow strings, as pandas 3 reads them from Parquet; ~0.54 capability and 0.18 certification links per site,
45 capabilities, as the demo at scale), the per-version records frame the partner list, the card, the table and
the API slice, plain and compact (its label columns as Categoricals, as `services.records` keeps it). Baseline,
same run, same input: the plain pandas build it replaced (a `groupby` of each site's
codes into tuples, `Series.map` for labels, `.to_numpy()` columns). Each build runs in its own process (spawned),
so its resident growth is its own: RSS after the build minus RSS before it, the input already loaded.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import time
from types import SimpleNamespace

import numpy as np
import pandas as pd

CAPABILITIES = [f"cap{k:02d}" for k in range(45)]
CERTIFICATIONS = [f"iso{k}" for k in range(10)]


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def synthetic(size: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, SimpleNamespace]:
    """Sites, capability links, certification links and lookups, seeded."""
    rng = np.random.default_rng(seed)
    text = "str"
    communes = [f"{57000 + k}" for k in range(2300)]
    frame = pd.DataFrame({
        "id": np.arange(1, size + 1), "public_id": pd.Series([f"demo-{k:07d}" for k in range(size)], dtype=text),
        "siret": pd.Series([f"{k:014d}" for k in range(size)], dtype=text),
        "name": pd.Series([f"Établissement fictif {k}" for k in range(size)], dtype=text),
        "naf_code": pd.Series(rng.choice([f"25.{k:02d}Z" for k in range(60)], size), dtype=text),
        "naf_label": pd.Series(rng.choice([f"Activité industrielle n° {k}" for k in range(60)], size), dtype=text),
        "filiere_code": pd.Series(rng.choice([f"F{k}" for k in range(12)], size), dtype=text),
        "size_band_code": pd.Series(rng.choice([f"{k:02d}" for k in range(12)], size), dtype=text),
        "headcount_estimate": rng.integers(1, 500, size),
        "address": pd.Series([f"{k % 200} rue de l'Usine" for k in range(size)], dtype=text),
        "commune_code": pd.Series(rng.choice(communes, size), dtype=text),
        "commune_name": pd.Series(rng.choice([f"Commune {k}" for k in range(2300)], size), dtype=text),
        "department_code": pd.Series(rng.choice(["54", "55", "57", "88"], size), dtype=text),
        "epci_code": pd.Series(rng.choice([f"2000{k:05d}" for k in range(60)], size), dtype=text),
        "zone_code": pd.Series(rng.choice([f"44{k:02d}" for k in range(20)], size), dtype=text),
        "lat": rng.uniform(47.8, 49.6, size), "lon": rng.uniform(4.9, 7.6, size),
        "is_member": rng.random(size) < 0.05,
        "created_on": pd.to_datetime("2000-01-01") + pd.to_timedelta(rng.integers(0, 9000, size), unit="D"),
        "source_name": pd.Series(["Jeu de démonstration (fictif)"] * size, dtype=text),
        "source_date": pd.Timestamp("2026-11-01"), "is_demo": True,
    })
    links = rng.integers(1, size + 1, int(size * 0.54))
    capability_links = pd.DataFrame({"establishment_id": links,
                                     "capability_code": pd.Series(rng.choice(CAPABILITIES, len(links)), dtype=text),
                                     "origin": pd.Series(rng.choice(["declared", "presumed"], len(links)), dtype=text)}
                                    ).drop_duplicates(["establishment_id", "capability_code"])
    certs = rng.integers(1, size + 1, int(size * 0.18))
    certification_links = pd.DataFrame({"establishment_id": certs, "certification_code": pd.Series(
        rng.choice(CERTIFICATIONS, len(certs)), dtype=text)}).drop_duplicates()
    lookups = SimpleNamespace(
        epci=pd.DataFrame({"code": [f"2000{k:05d}" for k in range(60)],
                           "name": [f"CC fictive {k}" for k in range(60)]}),
        zones=pd.DataFrame({"code": [f"44{k:02d}" for k in range(20)], "name": [f"Zone {k}" for k in range(20)]}),
        filieres=pd.DataFrame({"code": [f"F{k}" for k in range(12)], "label": [f"Filière {k}" for k in range(12)]}),
        size_bands=pd.DataFrame({"code": [f"{k:02d}" for k in range(12)],
                                 "label": [f"Tranche d'effectif {k}" for k in range(12)]}))
    return frame, capability_links, certification_links, lookups


def plain_pandas_records(selected, *, capability_links, certification_links, lookups) -> pd.DataFrame:
    """The baseline: what `establishment_records` did before (2026-12-02), with pandas' own idioms."""
    ids = selected["id"]
    capability_links = capability_links[capability_links["establishment_id"].isin(ids)]
    certification_links = certification_links[certification_links["establishment_id"].isin(ids)]
    presumed = capability_links[capability_links["origin"] == "presumed"]

    def codes(links, column):
        grouped = links.groupby("establishment_id")[column].agg(lambda s: tuple(sorted(s)))
        shared: dict[tuple, list[str]] = {(): []}
        return [shared.setdefault(c, list(c)) if isinstance(c, tuple) else shared[()] for c in ids.map(grouped)]

    columns = {name: selected[source].to_numpy() for name, source in (
        ("id", "public_id"), ("siret", "siret"), ("name", "name"), ("naf", "naf_code"), ("naf_label", "naf_label"),
        ("filiere", "filiere_code"), ("size_band", "size_band_code"), ("headcount_estimate", "headcount_estimate"),
        ("address", "address"), ("commune_code", "commune_code"), ("commune_name", "commune_name"),
        ("departement", "department_code"), ("epci", "epci_code"), ("zone_emploi", "zone_code"))}
    for name, source, table, label in (("filiere_label", "filiere_code", lookups.filieres, "label"),
                                       ("size_band_label", "size_band_code", lookups.size_bands, "label"),
                                       ("epci_name", "epci_code", lookups.epci, "name"),
                                       ("zone_emploi_name", "zone_code", lookups.zones, "name")):
        columns[name] = selected[source].map(table.set_index("code")[label]).to_numpy()
    columns |= {"lat": selected["lat"].round(6).to_numpy(), "lon": selected["lon"].round(6).to_numpy(),
                "capabilities": codes(capability_links, "capability_code"),
                "capabilities_presumed": codes(presumed, "capability_code"),
                "certifications": codes(certification_links, "certification_code"),
                "member": selected["is_member"].astype(bool).to_numpy(),
                "created_on": selected["created_on"].to_numpy(),
                "source": selected["source_name"].to_numpy(), "source_date": selected["source_date"].to_numpy(),
                "is_demo": selected["is_demo"].astype(bool).to_numpy()}
    return pd.DataFrame(columns)


def _measure(variant: str, size: int, queue) -> None:
    from dashboard.analytics.records import establishment_records

    frame, capability_links, certification_links, lookups = synthetic(size)
    options = {"compact": True} if variant == "tissu, compact" else {}
    build = plain_pandas_records if variant == "plain pandas" else establishment_records
    gc.collect()
    before = _rss_mb()
    started = time.perf_counter()
    records = build(frame, capability_links=capability_links, certification_links=certification_links,
                    lookups=lookups, **options)
    seconds = time.perf_counter() - started
    gc.collect()
    queue.put((seconds, _rss_mb() - before, records["capabilities"].map(len).sum()))


def measure(variant: str, size: int) -> tuple[float, float, int]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_measure, args=(variant, size, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000")
    args = parser.parse_args()
    print("| establishments | build | seconds | resident growth (MB) | time ratio | memory ratio |")
    print("|---|---|---|---|---|---|")
    for size in [int(s) for s in args.sizes.split(",")]:
        base_s, base_mb, base_links = measure("plain pandas", size)
        print(f"| {size:,} | plain pandas (baseline) | {base_s:.2f} | {base_mb:,.0f} | 1.0 | 1.0 |")
        for variant in ("tissu", "tissu, compact"):  # compact: the per-version frame services.records keeps
            new_s, new_mb, new_links = measure(variant, size)
            assert new_links == base_links, "the builds must find the same capabilities"
            print(f"| {size:,} | {variant} | {new_s:.2f} | {new_mb:,.0f} | {base_s / new_s:.1f}× faster | "
                  f"{base_mb / max(new_mb, 1):.1f}× smaller |", flush=True)


if __name__ == "__main__":
    main()
