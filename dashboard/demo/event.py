"""A SYNTHETIC B2B event ("Proxi indus", fictitious edition) drawn from the demo establishments, then scheduled.

Up to 200 exhibitors (establishments with capabilities, larger ones more likely) and up to 2,000
visitors (other establishments, drawn by filière to the mix of an industrial fair, VISITOR_SHARES),
sized on what the demo dataset holds. Exhibitors offer their capabilities; every participant's needs
are drawn from the purchasing model of its filière (data/taxonomy/purchases.csv), among capabilities
some exhibitor offers. About 60 % of visitors ask to meet one exhibitor offering their first need,
nearer ones more likely; exhibitors ask for 4–8 visitors that need what they offer (up to a third of
them visitors who asked for them: mutual requests, so every mutual request is a plausible pairing).
Maxima are never below a participant's requests, so
every request is feasible on its own. The schedule is built at load time; a few meetings of the first
two hours are cancelled (visitors do drop out ahead of a fair) and, of those two hours, only meetings
that have already ended (by the clock at load time) are marked held: a fair dated in the future has
none held, so its statuses agree with its dates.
Everything is seeded: same seed, same event.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from dashboard import repository
from dashboard.analytics.purchasing import draw_needs
from dashboard.reference import load_reference

DEMO_EVENT_NAME = "Proxi indus 2027 (démonstration, fictif)"
DEMO_VENUE = "Parc des expositions de Metz"
DEMO_STARTS_ON = dt.date(2027, 3, 17)
MAX_EXHIBITORS, MAX_VISITORS = 200, 2000
HALLS = "ABCD"
# Target visitor mix of an industrial subcontracting fair, % by filière of the visitor's establishment
# (docs/event.md): the metal and mechanical trades and their buyers dominate, agri-food is a minority.
VISITOR_SHARES: dict[str, float] = {"metal": 22, "meca": 16, "auto": 10, "electro": 8, "plasturgie": 7, "transport": 6,
                  "maintenance": 6, "agro": 5, "chimie": 4, "energie": 4, "bois": 3, "mineraux": 3, "eau": 2,
                  "meubles": 2, "textile": 1, "extraction": 1}
SHORTFALL_SPILL = 1.5  # a filière takes over others' unfilled quota up to 1.5 times its own share


def _demo_dataset(engine: Engine):
    return repository.dataset_named(engine, "demo")


def visitor_quotas(available: pd.Series, *, total: int, shares: dict[str, float] | None = None,
                   spill: float = SHORTFALL_SPILL) -> pd.Series:
    """Visitors to draw per filière (count): at most `total`, split by `shares` within what is `available`.

    A filière short of establishments hands its unfilled quota to the others in proportion to their
    shares, but none ends above `spill` times its share of the fair: when the industrial filières run
    out, the fair is smaller rather than flooded with bakeries. Filières without a share get none.
    """
    counts = _filled_quotas(available, total=total, shares=shares, spill=spill)
    while 0 < counts.sum() < total:  # the ceilings are shares of the fair's real size: shrink to a fixed point
        total = int(counts.sum())
        counts = _filled_quotas(available, total=total, shares=shares, spill=spill)
    return counts


def _filled_quotas(available: pd.Series, *, total: int, shares: dict[str, float] | None,
                   spill: float) -> pd.Series:
    """One water-filling of `total` visitors over the filières, each capped by `spill` times its share of `total`."""
    weights: dict[str, float] = dict(VISITOR_SHARES if shares is None else shares)
    target = pd.Series({f: float(weights.get(str(f), 0.0)) for f in available.index}, dtype=float)
    if not len(target) or target.sum() <= 0:
        return pd.Series(0, index=available.index, dtype=int)
    ceiling = np.floor(total * spill * target / float(sum(weights.values())))
    cap = np.minimum(available.astype(float), ceiling).where(target > 0, 0.0)
    quota = pd.Series(0.0, index=available.index)
    remaining = float(min(total, cap.sum()))
    open_ = cap > 0
    while remaining > 1e-6 and open_.any():  # water-filling: each round, share what is left among open filières
        give = np.minimum(remaining * target[open_] / target[open_].sum(), cap[open_] - quota[open_])
        quota[open_] += give
        remaining -= float(give.sum())
        open_ = open_ & (quota < cap - 1e-9)
    counts = np.floor(quota + 1e-9).astype(int)
    # Hand the rounding remainder to the largest fractional parts that still have room.
    short = int(round(quota.sum())) - int(counts.sum())
    order = (quota - counts).where(counts < cap, -1.0).sort_values(ascending=False, kind="stable").index
    for f in order[:max(short, 0)]:
        counts[f] += 1
    return counts.astype(int)


def build_demo_event(establishments: pd.DataFrame, capability_links: pd.DataFrame, *, seed: int,
                     purchases: pd.DataFrame | None = None) -> dict:
    """Rows for `repository.replace_event`: event, participants, capabilities, requests (keys = establishment ids)."""
    purchases = load_reference().purchases if purchases is None else purchases
    rng = np.random.default_rng(seed + 909)
    frame = establishments.reset_index(drop=True)
    caps_of = capability_links.groupby("establishment_id")["capability_code"].apply(list).to_dict()
    has_caps = frame["id"].map(lambda i: i in caps_of).to_numpy()
    weight = np.log1p(frame["headcount_estimate"].fillna(0).to_numpy(float)) + 1.0
    pool = np.flatnonzero(has_caps)
    n_ex = min(MAX_EXHIBITORS, len(pool) // 3)
    ex_rows: np.ndarray | list[int] = []
    if n_ex:
        ex_rows = rng.choice(pool, size=n_ex, replace=False, p=weight[pool] / weight[pool].sum())
    rest = np.setdiff1d(np.arange(len(frame)), ex_rows)
    n_vi = min(MAX_VISITORS, int(len(rest) * 0.85))
    filiere = frame["filiere_code"].fillna("").astype(str).to_numpy()
    rest_filiere = pd.Series(filiere[rest])
    quotas = visitor_quotas(rest_filiere.value_counts(), total=n_vi)
    picked = []
    for code, count in quotas[quotas > 0].items():  # within a filière, larger establishments more likely
        rows = rest[(rest_filiere == code).to_numpy()]
        picked.append(rng.choice(rows, size=int(count), replace=False, p=weight[rows] / weight[rows].sum()))
    vi_rows = rng.permutation(np.concatenate(picked)) if picked else np.array([], dtype=int)
    ex, vi = frame.loc[ex_rows].reset_index(drop=True), frame.loc[vi_rows].reset_index(drop=True)

    offered = sorted({c for i in ex["id"] for c in caps_of.get(i, [])})
    exhibitors_of: dict[str, list[int]] = {}
    for i in ex["id"]:
        for c in caps_of.get(i, []):
            exhibitors_of.setdefault(c, []).append(int(i))
    capabilities, requests = [], []
    participants = []
    for k, row in enumerate(ex.to_dict("records")):
        own = caps_of.get(row["id"], [])
        capabilities += [{"participant": row["id"], "capability_code": c, "kind": "offer"} for c in own]
        needs = draw_needs(rng, purchases, row["filiere_code"], int(rng.integers(0, 3)), offered=offered, exclude=own)
        capabilities += [{"participant": row["id"], "capability_code": c, "kind": "need"} for c in needs]
        participants.append({"key": row["id"], "role": "exposant", "name": row["name"], "siret": row["public_id"],
                             "establishment_id": int(row["id"]), "commune_code": row["commune_code"],
                             "lat": float(row["lat"]), "lon": float(row["lon"]),
                             "stand": f"{HALLS[k % len(HALLS)]}{k // len(HALLS) + 1:02d}", "availability": "",
                             "max_meetings": int(rng.integers(18, 27))})
    ex_lat, ex_lon = ex["lat"].to_numpy(float), ex["lon"].to_numpy(float)
    ex_index = {int(i): k for k, i in enumerate(ex["id"])}
    half_days = ["J1AM", "J1PM", "J2AM", "J2PM"]
    visitor_requests: dict[int, list[int]] = {}
    needs_of: dict[int, list[str]] = {}
    for row in vi.to_dict("records"):
        own = caps_of.get(row["id"], [])
        needs = draw_needs(rng, purchases, row["filiere_code"], int(rng.integers(1, 4)), offered=offered, exclude=own)
        needs_of[int(row["id"])] = needs
        capabilities += [{"participant": row["id"], "capability_code": c, "kind": "offer"} for c in own]
        capabilities += [{"participant": row["id"], "capability_code": c, "kind": "need"} for c in needs]
        if rng.random() >= 0.4 and needs:  # ask to meet a supplier of the first need, nearer ones more likely
            suppliers = np.array(exhibitors_of[needs[0]])
            pos = np.array([ex_index[s] for s in suppliers])
            d = np.hypot(ex_lat[pos] - row["lat"], (ex_lon[pos] - row["lon"]) * 0.66) + 0.05
            chosen = int(rng.choice(suppliers, p=(1 / d) / (1 / d).sum()))
            visitor_requests.setdefault(chosen, []).append(int(row["id"]))
            requests.append({"requester": row["id"], "target": chosen})
        availability = "" if rng.random() < 0.6 else ";".join(
            sorted(rng.choice(half_days, size=int(rng.integers(1, 4)), replace=False), key=half_days.index))
        participants.append({"key": row["id"], "role": "visiteur", "name": row["name"], "siret": row["public_id"],
                             "establishment_id": int(row["id"]), "commune_code": row["commune_code"],
                             "lat": float(row["lat"]), "lon": float(row["lon"]), "stand": None,
                             "availability": availability, "max_meetings": int(rng.integers(1, 4))})
    # Exhibitors ask for visitors that need what they offer; up to a third of them visitors that asked for them.
    vi_ids = vi["id"].to_numpy()
    for row in ex.to_dict("records"):
        own = set(caps_of.get(row["id"], []))
        fans = visitor_requests.get(int(row["id"]), [])
        wanted = int(rng.integers(4, 9))
        # Mutual only where it is plausible: the exhibitor offers something the visitor needs.
        mutual = [v for v in (rng.permutation(fans) if fans else []) if own & set(needs_of[int(v)])][: wanted // 3]
        interested = [v for v in rng.permutation(vi_ids)[:400] if own & set(needs_of[int(v)]) and v not in fans]
        requests += [{"requester": row["id"], "target": int(v)} for v in mutual + interested[: wanted - len(mutual)]]
    # Maxima never below a participant's requests (each request is feasible on its own).
    involved = pd.Series([r["requester"] for r in requests] + [r["target"] for r in requests]).value_counts()
    for p in participants:
        p["max_meetings"] = max(p["max_meetings"], int(involved.get(p["key"], 0)))
    event = {"name": DEMO_EVENT_NAME, "venue": DEMO_VENUE, "starts_on": DEMO_STARTS_ON, "days": 2,
             "day_start_minute": 9 * 60, "day_end_minute": 17 * 60, "slot_minutes": 20, "meeting_target": 3000,
             "is_demo": True}
    return {"event": event, "participants": participants, "capabilities": capabilities, "requests": requests}


def load_demo(engine: Engine, *, seed: int = 42, now: dt.datetime | None = None) -> int | None:
    """Replace the demo event (from the demo establishments), schedule it, mark past meetings of the first
    two hours held (none when the event is ahead of `now`, default the current time) and a few cancelled."""
    from dashboard.services.event import event_by_id, schedule_event

    dataset = _demo_dataset(engine)
    if dataset is None:
        return None
    establishments = repository.establishments_frame(engine, dataset.id)
    links = repository.establishment_capabilities(engine, dataset.id)
    rows = build_demo_event(establishments, links, seed=seed)
    event_id = repository.replace_event(engine, **rows)
    event = event_by_id(engine, event_id)
    schedule_event(engine, event)
    meetings = repository.event_meetings(engine, event_id)
    rng = np.random.default_rng(seed + 910)
    now = now or dt.datetime.now()
    morning = meetings["slot"] < 120 // event.grid.slot_minutes
    ended = [event.grid.starts_at(s) + dt.timedelta(minutes=event.grid.slot_minutes) <= now
             for s in meetings["slot"]]
    draw = rng.random(len(meetings))
    statuses = {int(i): "cancelled" if d < 0.04 else "held"
                for i, d, early, past in zip(meetings["id"], draw, morning, ended)
                if early and (d < 0.04 or (past and d < 0.85))}
    repository.set_meeting_statuses(engine, event_id, statuses)
    return event_id


def ensure_demo(engine: Engine, *, seed: int = 42) -> None:
    """Load the demo event when the database has none."""
    events = repository.events_frame(engine)
    if not len(events) or not events["is_demo"].astype(bool).any():
        load_demo(engine, seed=seed)
