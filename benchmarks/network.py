"""Le réseau: matching a new need against 100k establishments and 10k open offers (median, p95).

Data: the seeded demo (`dashboard.bootstrap.load_demo`) at the scale giving about `--sites` active establishments,
loaded into a temporary SQLite file, whose demo network is replaced by `--offers` open offers (two capacity
offers for one by-product, from establishments drawn at random, each capacity offer one of its owner's
capabilities) and `--needs` open needs (one or two capabilities of the taxonomy the dataset holds, 30, 50 or
80 km), all seeded. Each query is a new need: a random establishment asks for one random capability held by
the dataset, 50 km.

Timed per query, with a baseline doing the same work in the same run, the outputs checked equal:

- `need_matches` (the partners engine, 50 best, warm catalog) / baseline: a plain pandas filter of the
  capability links plus a numpy haversine over every establishment (the same supplier set, no scores).
- `offers_for_need` (cached listed offers, one numpy pass over the offers of the capability) / baseline:
  `analytics.network.offers_near_need` (pandas filter + haversine) over the same listed offers held in memory
  as a DataFrame; and the uncached path of the previous code (read the table, build the items, filter).
- `needs_for_offer` (cached listed needs) / baseline: `needs_near_offer` over the same needs in memory.
- `listed_needs` (the cached items cut to a member) / baseline: read the table and build the items.
- the version check every network read makes (`repository.network_version`), and the first read after a
  write (rebuild of the listed offers).

Measured, never asserted. Run: `python -m benchmarks.network [--sites 100000 --offers 10000 --queries 100]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard import repository
from dashboard.analytics import network as rules
from dashboard.analytics.geodesy import haversine_km
from dashboard.policy import Role, Viewer
from dashboard.services import DataService
from dashboard.services import network as nw
from dashboard.services import network_listings as listings

ACTIVE_PER_DEMO_SCALE = 9_850  # active establishments of the demo at scale 1
RADIUS_KM = 50.0


def _ms(call: Callable[[], object], repeat: int = 1) -> tuple[object, float]:
    best = float("inf")
    out: object = None
    for _ in range(repeat):
        started = time.perf_counter()
        out = call()
        best = min(best, (time.perf_counter() - started) * 1000)
    return out, best


def _network_rows(service: DataService, *, offers: int, needs: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    snap = service.snapshot()
    e = snap.establishments.reset_index(drop=True)
    caps = snap.capability_links.groupby("establishment_id")["capability_code"].apply(list).to_dict()
    with_caps = e[e["id"].isin(caps)].reset_index(drop=True)
    today = dt.date.today()
    now = dt.datetime.now().replace(microsecond=0)
    codes = sorted(snap.capability_links["capability_code"].unique())
    offer_rows = []
    for k, row in enumerate(with_caps.sample(offers, replace=len(with_caps) < offers, random_state=seed)
                            .to_dict("records")):
        capacity = k % 3 != 2
        offer_rows.append({"kind": "capacity" if capacity else "byproduct", "owner_siret": row["public_id"],
                           "title": f"Offre {k} (banc d'essai)", "description": "",
                           "capability_code": str(rng.choice(caps[row["id"]])) if capacity else None,
                           "material": "" if capacity else "Chutes d'acier", "quantity": "16 h par semaine",
                           "available_from": None,
                           "available_until": today + dt.timedelta(days=int(rng.integers(1, 90))),
                           "status": "open", "created_by": None, "created_at": now, "updated_at": now, "is_demo": True})
    need_rows = []
    for k, row in enumerate(e.sample(needs, random_state=seed + 1).to_dict("records")):
        wanted = list(rng.choice(codes, size=int(rng.integers(1, 3)), replace=False))
        need_rows.append({"buyer_siret": row["public_id"], "title": f"Besoin {k} (banc d'essai)", "description": "",
                          "capabilities": rules.joined(wanted), "certifications_required": "",
                          "certifications_wished": "", "quantity": "", "radius_km": float(rng.choice([30, 50, 80])),
                          "deadline": today + dt.timedelta(days=int(rng.integers(1, 90))), "visibility": "members",
                          "status": "open", "created_by": None, "created_at": now, "updated_at": now,
                          "is_demo": True})
    return {"needs": need_rows, "offers": offer_rows, "introductions": [], "events": []}


def _stats(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), float(np.percentile(values, 95))


def measure(*, sites: int, offers: int, needs: int, queries: int, seed: int) -> dict:
    from dashboard.bootstrap import load_demo, prepare_database
    from dashboard.database import make_engine
    from dashboard.settings import load_settings

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        engine = make_engine(url)
        prepare_database(engine)
        started = time.perf_counter()
        load_demo(engine, seed=seed, scale=sites / ACTIVE_PER_DEMO_SCALE)
        service = DataService(engine, load_settings({}, database_url=url, instance_dir=Path(folder) / "i",
                                                    auto_demo=False))
        repository.replace_demo_network(engine, **_network_rows(service, offers=offers, needs=needs, seed=seed))
        load_s = time.perf_counter() - started
        out = _run(service, queries=queries, seed=seed)
        out.update(sites=len(service.snapshot().establishments), load_s=load_s)
        engine.dispose()
    return out


def _run(service: DataService, *, queries: int, seed: int) -> dict:
    rng = np.random.default_rng(seed + 7)
    snap = service.snapshot()
    member = Viewer(Role.MEMBER, None, "banc@essai.example", frozenset({"DEMO-0000001"}))
    staff = Viewer(Role.STAFF, None, "staff@essai.example")
    e = snap.establishments
    links = snap.capability_links
    codes = sorted(links["capability_code"].unique())
    lat_all, lon_all = e["lat"].to_numpy(float), e["lon"].to_numpy(float)
    # In-memory frames for the baselines: the same listed items, built once, as a plain pandas DataFrame.
    offers_frame = pd.DataFrame(nw.listed_offers(service, member)).dropna(subset=["lat"])
    needs_frame = pd.DataFrame(nw.listed_needs(service, member)).dropna(subset=["lat"])
    capacity = [o for o in nw.listed_offers(service, member) if o["kind"] == "capacity"]
    nw.need_matches(service, {"buyer_id": e["public_id"].iloc[0], "capabilities": [codes[0]],
                              "certifications_required": [], "radius_km": RADIUS_KM}, staff)  # warm catalog
    t: dict[str, list[float]] = {k: [] for k in (
        "need_matches", "need_matches_base", "offers_for_need", "offers_for_need_base", "offers_for_need_uncached",
        "needs_for_offer", "needs_for_offer_base", "listed_needs", "listed_needs_base", "version")}
    checked = {"suppliers": 0, "offers": 0, "needs": 0}
    for q in range(queries):
        row = e.iloc[int(rng.integers(len(e)))]
        item = {"id": -1 - q, "buyer_id": row["public_id"], "capabilities": [str(rng.choice(codes))],
                "certifications_required": [], "radius_km": RADIUS_KM, "lat": float(row["lat"]),
                "lon": float(row["lon"])}
        found, ms = _ms(lambda: nw.need_matches(service, item, staff, limit=None))
        t["need_matches"].append(ms)

        def suppliers() -> set:
            held = links.loc[links["capability_code"].isin(item["capabilities"]), "establishment_id"]
            near = np.asarray(haversine_km(item["lat"], item["lon"], lat_all, lon_all)) <= RADIUS_KM
            keep = e[near & e["id"].isin(held) & (e["public_id"] != item["buyer_id"])]
            return set(keep["public_id"])
        base, ms = _ms(suppliers)
        t["need_matches_base"].append(ms)
        if q < 20:
            assert set(found.records["id"]) == base, "need_matches and the pandas filter differ"  # type: ignore[union-attr]
            checked["suppliers"] += len(base)

        got, ms = _ms(lambda: nw.offers_for_need(service, item, member))
        t["offers_for_need"].append(ms)
        base, ms = _ms(lambda: rules.offers_near_need(offers_frame, lat=item["lat"], lon=item["lon"],
                                                      capabilities=item["capabilities"], radius_km=RADIUS_KM))
        t["offers_for_need_base"].append(ms)
        if q < 20:
            assert list(got.get("id", [])) == list(base["id"]), "offers_for_need and the pandas filter differ"  # type: ignore[union-attr]
            checked["offers"] += len(base)  # type: ignore[arg-type]
        if q < 5:  # the previous code: the table read and every item built on each call
            def uncached() -> pd.DataFrame:
                frame = repository.offers_frame(service.engine)
                frame = frame[rules.listed_mask(frame["status"], frame["available_until"], today=dt.date.today())]
                return rules.offers_near_need(pd.DataFrame(listings.offer_rows(service, frame)).dropna(subset=["lat"]),
                                              lat=item["lat"], lon=item["lon"], capabilities=item["capabilities"],
                                              radius_km=RADIUS_KM)
            t["offers_for_need_uncached"].append(_ms(uncached)[1])

        offer = capacity[int(rng.integers(len(capacity)))]
        got, ms = _ms(lambda: nw.needs_for_offer(service, offer, member))
        t["needs_for_offer"].append(ms)
        base, ms = _ms(lambda: rules.needs_near_offer(needs_frame, lat=offer["lat"], lon=offer["lon"],
                                                      capability=offer["capability"]))
        t["needs_for_offer_base"].append(ms)
        if q < 20:
            assert [n["id"] for n in got] == list(base["id"]), "needs_for_offer differs"  # type: ignore[union-attr]
            checked["needs"] += len(base)  # type: ignore[arg-type]

        t["listed_needs"].append(_ms(lambda: nw.listed_needs(service, member))[1])
        if q < 10:
            def uncached_needs() -> list[dict]:
                frame = repository.needs_frame(service.engine)
                frame = frame[rules.listed_mask(frame["status"], frame["deadline"], today=dt.date.today())]
                return listings.for_viewer(member, listings.need_rows(service, frame), "buyer_id")
            t["listed_needs_base"].append(_ms(uncached_needs)[1])
        t["version"].append(_ms(lambda: repository.network_version(service.engine))[1])

    # The first read after a write: the version changes, the listed offers are rebuilt once.
    rebuild = []
    for k in range(3):
        repository.update_offer(service.engine, int(capacity[k]["id"]), {"quantity": f"{k} h"},
                                audit=repository.AuditRecord(None, "banc", "offer.update", ""))
        rebuild.append(_ms(lambda: nw.listed_offers(service, member))[1])
    return {"t": {k: _stats(v) for k, v in t.items() if v}, "rebuild_ms": statistics.median(rebuild),
            "checked": checked, "offers": len(nw.listed_offers(service, member)), "capacity": len(capacity),
            "needs": len(nw.listed_needs(service, member)), "queries": queries}


def report(r: dict) -> str:
    t = r["t"]

    def line(label: str, ours: str, base: str, base_label: str) -> str:
        (om, op), (bm, bp) = t[ours], t[base]
        return (f"| {label} | {om:,.2f} | {op:,.2f} | {base_label} | {bm:,.2f} | {bp:,.2f} | "
                f"{bm / om if om else float('inf'):,.1f}× |")
    lines = [
        f"{r['sites']:,} active establishments, {r['offers']:,} listed offers ({r['capacity']:,} capacity), "
        f"{r['needs']:,} listed needs; {r['queries']} new needs (one random capability, {RADIUS_KM:.0f} km, "
        f"from a random establishment). Load: {r['load_s']:.0f} s. Checked equal on the first 20 queries: "
        f"{r['checked']['suppliers']:,} suppliers, {r['checked']['offers']:,} offers, {r['checked']['needs']:,} needs.",
        "",
        "| function | median (ms) | p95 (ms) | baseline (same run, same output) | median (ms) | p95 (ms) | "
        "baseline / tissu |",
        "|---|---|---|---|---|---|---|",
        line("`need_matches` (partners engine, every supplier)", "need_matches", "need_matches_base",
             "pandas filter + numpy haversine over every establishment (no scores)"),
        line("`offers_for_need`", "offers_for_need", "offers_for_need_base",
             "`offers_near_need` over the listed offers in memory"),
        line("`offers_for_need`", "offers_for_need", "offers_for_need_uncached",
             "previous code: read the table, build the items, filter (5 queries)"),
        line("`needs_for_offer`", "needs_for_offer", "needs_for_offer_base",
             "`needs_near_offer` over the listed needs in memory"),
        line("`listed_needs` (member)", "listed_needs", "listed_needs_base",
             "read the table and build the items (10 queries)"),
        "",
        f"Version check made by every network read (`repository.network_version`): median "
        f"{t['version'][0]:.2f} ms, p95 {t['version'][1]:.2f} ms. First `listed_offers` after a write "
        f"(rebuild of the listed offers): {r['rebuild_ms']:,.0f} ms (median of 3).",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--offers", type=int, default=10_000)
    parser.add_argument("--needs", type=int, default=2_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    print(f"# Le réseau: matching, {time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, "
          f"Python {platform.python_version()}\n", flush=True)
    print(report(measure(sites=args.sites, offers=args.offers, needs=args.needs, queries=args.queries,
                         seed=args.seed)))


if __name__ == "__main__":
    main()
