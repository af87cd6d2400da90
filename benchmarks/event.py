"""Event scheduler: the demo event (200 exhibitors × 2,000 visitors) matched and scheduled, beside a greedy baseline.

The demo establishments (seeded generator, scale 1 by default) go into a temporary SQLite
database; the demo event is built on them (`dashboard.demo.event.build_demo_event`). Timed, in the
same run: matching (`match_candidates`), the tiered heuristic with repair (`schedule_meetings`),
the greedy baseline (by score only, first common slot, no repair), the slot-free upper bound
(`score_upper_bound`, HiGHS LP) and the whole `tissu event schedule` path (`schedule_event`: reads,
matching, scheduling, validation, writes). Both schedules are checked by `validate_schedule`.
"Feasible requested" = requested pairs whose two availabilities share a slot (the demo never sets a
maximum below a participant's requests). Run: `python -m benchmarks.event [--scale 1] [--repeat 3]`.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from pathlib import Path


def _timed(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - started)
    return out, statistics.median(times)


def measure(*, scale: float = 1.0, seed: int = 42, repeat: int = 3) -> dict:
    from dashboard import repository
    from dashboard.analytics.matchmaking import match_candidates
    from dashboard.analytics.scheduling import schedule_meetings, score_upper_bound, validate_schedule
    from dashboard.bootstrap import _load_demo_establishments, prepare_database
    from dashboard.database import make_engine
    from dashboard.demo.event import build_demo_event
    from dashboard.services.event import _labels, event_by_id, schedule_event

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        prepare_database(engine)
        dataset = _load_demo_establishments(engine, seed=seed, scale=scale)
        rows = build_demo_event(repository.establishments_frame(engine, dataset.id),
                                repository.establishment_capabilities(engine, dataset.id), seed=seed)
        event = event_by_id(engine, repository.replace_event(engine, **rows))
        participants = repository.event_participants(engine, event.id)
        caps = repository.event_capabilities(engine, event.id)
        requests = repository.event_requests(engine, event.id)
        certs = repository.event_certifications(engine, event.id)
        cap_labels, cert_labels = _labels(engine)
        candidates, t_match = _timed(lambda: match_candidates(
            participants, caps, requests, certifications=certs, capability_labels=cap_labels,
            certification_labels=cert_labels), repeat)
        grid = event.grid
        ours, t_ours = _timed(lambda: schedule_meetings(participants, candidates, grid), repeat)
        greedy, t_greedy = _timed(lambda: schedule_meetings(participants, candidates, grid, repair=False), repeat)
        by_score, _ = _timed(lambda: schedule_meetings(participants, candidates, grid, repair=False, by_tier=False), 1)
        bound, t_bound = _timed(lambda: score_upper_bound(participants, candidates, grid, force_requested=True), 1)
        free_bound = score_upper_bound(participants, candidates, grid)
        summary, t_full = _timed(lambda: schedule_event(engine, event), repeat)
        engine.dispose()

    masks = {int(p): grid.mask(a) for p, a in zip(participants["id"], participants["availability"])}
    requested = candidates[candidates["origin"].isin(["mutual", "request"])]
    feasible = {(int(e), int(v)) for e, v in zip(requested["exhibitor_id"], requested["visitor_id"])
                if masks[int(e)] & masks[int(v)]}

    def stats(result) -> dict:
        m = result.meetings
        pairs = set(zip(m["exhibitor_id"].astype(int), m["visitor_id"].astype(int)))
        return {"placed": len(m), "score": float(m["score"].sum()),
                "requested_placed": len(feasible & pairs), "violations": len(validate_schedule(m, participants, grid)),
                "mutual": int((m["origin"] == "mutual").sum()), "request": int((m["origin"] == "request").sum()),
                "recommendation": int((m["origin"] == "recommendation").sum())}

    return {"participants": participants["role"].value_counts().to_dict(), "candidates": len(candidates),
            "requested": len(requested), "feasible_requested": len(feasible),
            "origins": candidates["origin"].value_counts().to_dict(), "slots": grid.n_slots,
            "t_match": t_match, "t_ours": t_ours, "t_greedy": t_greedy, "t_bound": t_bound, "t_full": t_full,
            "ours": stats(ours), "greedy": stats(greedy), "by_score": stats(by_score), "repairs": ours.repairs,
            "bound": bound, "free_bound": free_bound,
            "full_placed": summary.placed}


def report(r: dict) -> str:
    o, g, s = r["ours"], r["greedy"], r["by_score"]
    share = lambda x: f"{100 * x['requested_placed'] / max(r['feasible_requested'], 1):.1f} %"  # noqa: E731
    lines = [
        f"Event: {r['participants'].get('exposant', 0):,} exhibitors, {r['participants'].get('visiteur', 0):,} "
        f"visitors, {r['slots']} slots; {r['candidates']:,} candidate meetings ({r['requested']:,} requested: "
        f"{r['origins'].get('mutual', 0):,} mutual, {r['origins'].get('request', 0):,} one-sided; "
        f"{r['origins'].get('recommendation', 0):,} recommended); {r['feasible_requested']:,} feasible requested.",
        "",
        "| | tissu: tiered + repair | greedy (same tiers, first slot) | ratio tissu / greedy | "
        "greedy by score only (ignores requests) |",
        "|---|---|---|---|---|",
        f"| meetings placed | {o['placed']:,} | {g['placed']:,} | {o['placed'] / max(g['placed'], 1):.3f} "
        f"| {s['placed']:,} |",
        f"| total score | {o['score']:,.0f} | {g['score']:,.0f} | {o['score'] / max(g['score'], 1):.3f} "
        f"| {s['score']:,.0f} |",
        f"| feasible requested placed | {o['requested_placed']:,} ({share(o)}) "
        f"| {g['requested_placed']:,} ({share(g)}) "
        f"| {o['requested_placed'] / max(g['requested_placed'], 1):.3f} | {s['requested_placed']:,} ({share(s)}) |",
        f"| mutual / one-sided / recommended | {o['mutual']:,} / {o['request']:,} / {o['recommendation']:,} | "
        f"{g['mutual']:,} / {g['request']:,} / {g['recommendation']:,} | | "
        f"{s['mutual']:,} / {s['request']:,} / {s['recommendation']:,} |",
        f"| violations (validate_schedule) | {o['violations']} | {g['violations']} | | {s['violations']} |",
        f"| scheduling time (median) | {r['t_ours'] * 1000:,.0f} ms ({r['repairs']} moves/swaps) | "
        f"{r['t_greedy'] * 1000:,.0f} ms | | |",
        "",
        f"Upper bound under the priority rule (slot-free b-matching with every requested pair forced, HiGHS LP, "
        f"{r['t_bound']:.2f} s): {r['bound']:,.0f}; tissu at {100 * o['score'] / max(r['bound'], 1):.1f} % of it "
        f"(gap ≤ {100 * (1 - o['score'] / max(r['bound'], 1)):.1f} %). Without the rule: {r['free_bound']:,.0f}.",
        f"Matching (scores and reasons of every pair): {r['t_match'] * 1000:,.0f} ms. Whole `tissu event schedule` "
        f"path (reads, matching, scheduling, validation, writes; {r['full_placed']:,} meetings): {r['t_full']:.2f} s.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="demo scale of the establishments (default 1)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing; medians are printed")
    args = parser.parse_args()
    print(f"# Event scheduler, {time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, "
          f"Python {platform.python_version()}\n")
    print(report(measure(scale=args.scale, repeat=args.repeat)))


if __name__ == "__main__":
    main()
