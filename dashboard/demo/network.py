"""SYNTHETIC network activity drawn from the demo establishments: posted needs, offers and introductions.

Buyers are larger establishments (more likely with headcount); each need asks for 1–2 capabilities drawn
from the purchasing model (`data/taxonomy/purchases.csv`, `analytics.purchasing.draw_needs`: what a buyer of
its filière sources) among those some establishment within 60 km supplies. Dates are relative to the day of
loading: most needs are open for 1 to 16 weeks, a few are past their deadline or closed (so expiry shows).
Offers: spare capacity of a capability an establishment holds, and by-products from a short list of materials.
Introductions: a nearby supplier of a need asks to be introduced to its buyer; statuses follow the timeline
(demandée 25 %, acceptée 12 %, échanges 13 %, devis 12 %, commande 18 %, sans suite 20 %), each step dated
after the previous. Held meetings of the demo fair that have ended get a follow-up about a third of the time
(origin "meeting", the visitor asking the exhibitor, 1–14 days after the meeting): none while the fair is ahead,
so the Résultats tab says no meeting was held yet. The demo member account's establishments (the first two member
establishments, `demo/accounts.py`) post needs, hold offers and have introductions on both sides. Every title says
"(fictif)". Same seed, same rows (dates shift with the day).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from dashboard import repository
from dashboard.analytics.geodesy import haversine_km
from dashboard.analytics.network import PROGRESSION, REASONS, VALUE_BANDS, joined
from dashboard.analytics.purchasing import draw_needs
from dashboard.reference import load_reference

N_NEEDS, N_OFFERS, N_INTRODUCTIONS = 40, 24, 30
MEETING_FOLLOW_UP_SHARE, N_MEETING_FOLLOW_UPS = 0.3, 40  # held meetings of the demo fair followed up
SUPPLIER_KM = 60.0
MATERIALS = ("Chutes d'acier inoxydable 304L", "Copeaux d'aluminium 6061", "Palettes bois 120 × 80",
             "Chutes de tôle galvanisée", "Bobines de fil de cuivre", "Sable de fonderie régénéré",
             "Emballages carton", "Bidons d'huile de coupe (vides, propres)")
_STATUS_WEIGHTS = {"demandee": 0.25, "acceptee": 0.12, "echanges": 0.13, "devis": 0.12, "commande": 0.18,
                   "sans_suite": 0.20}


def _member_sites(establishments: pd.DataFrame) -> list[str]:
    members = establishments[establishments["is_member"].astype(bool)].sort_values("id")
    return members["public_id"].head(2).tolist()


def build_demo_network(establishments: pd.DataFrame, capability_links: pd.DataFrame, purchases: pd.DataFrame,
                       capability_labels: dict[str, str], *, seed: int, today: dt.date,
                       meetings: pd.DataFrame | None = None) -> dict:
    """Rows for `repository.replace_demo_network` (needs, offers, introductions, events). `meetings`: the demo
    fair's meetings (id, status, ends_at, site_a: exhibitor, site_b: visitor, public ids) for the follow-ups."""
    rng = np.random.default_rng(seed + 1616)
    frame = establishments.reset_index(drop=True)
    caps_of = capability_links.groupby("establishment_id")["capability_code"].apply(list).to_dict()
    lat, lon = frame["lat"].to_numpy(float), frame["lon"].to_numpy(float)
    now = dt.datetime.combine(today, dt.time(0, 0))  # every date is before the day of loading
    weight = np.log1p(frame["headcount_estimate"].fillna(0).to_numpy(float)) ** 2 + 1.0
    members = _member_sites(frame)
    member_rows = [int(i) for i in frame.index[frame["public_id"].isin(members)]]
    drawn = rng.choice(len(frame), size=min(N_NEEDS, len(frame)), replace=False, p=weight / weight.sum())
    buyer_rows = list(dict.fromkeys(member_rows + [int(i) for i in drawn]))[:N_NEEDS]
    needs, suppliers_of = [], []
    for k, row in enumerate(buyer_rows):
        r = frame.loc[row]
        near = np.asarray(haversine_km(r["lat"], r["lon"], lat, lon), dtype=float) <= SUPPLIER_KM
        near[row] = False
        offered = {c for i in frame.loc[near, "id"] for c in caps_of.get(i, [])}
        wanted = draw_needs(rng, purchases, r["filiere_code"], int(rng.integers(1, 3)), offered=offered,
                            exclude=caps_of.get(r["id"], []))
        if not wanted:
            continue
        age = int(rng.integers(1, 60))
        fate = 1.0 if row in member_rows else rng.random()  # the demo member's needs stay open
        if fate < 0.1:  # past its deadline: never listed again
            deadline = today - dt.timedelta(days=int(rng.integers(1, 20)))
        else:
            deadline = today + dt.timedelta(days=int(rng.integers(7, 112)))
        created = now - dt.timedelta(days=age, hours=int(rng.integers(0, 8)))
        labels = [capability_labels.get(c, c) for c in wanted]
        needs.append({"buyer_siret": r["public_id"], "title": f"{labels[0]} : recherche de sous-traitant (fictif)",
                      "description": "Besoin de démonstration, fictif : " + ", ".join(labels).lower() + ".",
                      "capabilities": joined(wanted), "certifications_required": "", "certifications_wished": "",
                      "quantity": f"{int(rng.integers(2, 40)) * 50} pièces par an", "radius_km": float(
                          rng.choice([30, 50, 80])), "deadline": deadline,
                      "visibility": "public" if rng.random() < 0.6 or k < 2 else "members",
                      "status": "closed" if 0.1 <= fate < 0.15 else "open", "created_by": None,
                      "created_at": created, "updated_at": created, "is_demo": True})
        suppliers_of.append([int(i) for i in np.flatnonzero(near)
                             if set(caps_of.get(int(frame.loc[i, "id"]), [])) & set(wanted)])
    offers = []
    with_caps = [int(i) for i in frame.index if frame.loc[i, "id"] in caps_of]
    owners = member_rows + [int(i) for i in rng.choice(with_caps, size=min(N_OFFERS, len(with_caps)), replace=False)]
    for k, row in enumerate(owners[:N_OFFERS]):
        r = frame.loc[row]
        created = now - dt.timedelta(days=int(rng.integers(1, 45)))
        until = today + dt.timedelta(days=int(rng.integers(-10, 90)))  # a few already past: not listed
        if k % 3 == 2 or r["id"] not in caps_of:
            material = str(rng.choice(MATERIALS))
            offers.append({"kind": "byproduct", "owner_siret": r["public_id"], "title": f"{material} (fictif)",
                           "capability_code": None, "material": material,
                           "quantity": f"{int(rng.integers(1, 30))} t par mois"})
        else:
            code = str(rng.choice(caps_of[r["id"]]))
            offers.append({"kind": "capacity", "owner_siret": r["public_id"], "capability_code": code,
                           "title": f"Capacité disponible : {capability_labels.get(code, code)} (fictif)",
                           "material": "", "quantity": f"{int(rng.integers(1, 8)) * 8} h par semaine"})
        offers[-1].update({"description": "Offre de démonstration, fictive.", "available_from": None,
                           "available_until": until, "status": "open", "created_by": None, "created_at": created,
                           "updated_at": created, "is_demo": True})
    introductions: list[dict] = []
    events: list[dict] = []
    statuses = list(_STATUS_WEIGHTS)
    p = np.array(list(_STATUS_WEIGHTS.values()))
    candidates = [k for k, s in enumerate(suppliers_of) if s]
    for n in range(min(N_INTRODUCTIONS, len(candidates))):
        k = candidates[n % len(candidates)]
        need = needs[k]
        pool = [i for i in suppliers_of[k] if frame.loc[i, "public_id"] not in
                {x["requester_siret"] for x in introductions if x["need"] == k}]
        if not pool:
            continue
        supplier = frame.loc[int(rng.choice(pool)), "public_id"]
        status = "demandee" if n == 0 else str(rng.choice(statuses, p=p))  # one request for the demo member
        start = need["created_at"] + dt.timedelta(days=int(rng.integers(0, 5)), hours=2)
        steps = _timeline(rng, status, start, now)
        events += [{**e, "introduction": len(introductions)} for e in steps]
        introductions.append({"requester_siret": supplier, "target_siret": need["buyer_siret"], "origin": "need",
                              "need": k, "offer": None, "meeting_id": None,
                              "message": "Demande de démonstration (fictive).", **_state(steps), "requested_by": None,
                              "created_at": start, "is_demo": True})
    others = [k for k, need in enumerate(needs) if need["buyer_siret"] not in members and need["status"] == "open"]
    if members and others:  # the demo member also asked, from a partner search, and was accepted
        k = others[0]
        asked = needs[k]["created_at"] + dt.timedelta(days=1)
        introductions.append({"requester_siret": members[0], "target_siret": needs[k]["buyer_siret"],
                              "origin": "partners", "need": None, "offer": None, "meeting_id": None,
                              "message": "Demande de démonstration (fictive).", "status": "acceptee",
                              "requested_by": None, "created_at": asked, "updated_at": asked + dt.timedelta(days=2),
                              "accepted_at": asked + dt.timedelta(days=2), "is_demo": True})
        events += [{"introduction": len(introductions) - 1, "at": at, "by_user": None, "by_label": "démo (fictif)",
                    "status": s, "reason": "", "value_band": ""}
                   for at, s in ((asked, "demandee"), (asked + dt.timedelta(days=2), "acceptee"))]
    for meeting in _followed_meetings(rng, meetings, now):
        start = meeting["ends_at"] + dt.timedelta(days=int(rng.integers(1, 15)), hours=int(rng.integers(1, 8)))
        steps = _timeline(rng, str(rng.choice(statuses, p=p)), min(start, now), now)
        events += [{**e, "introduction": len(introductions)} for e in steps]
        introductions.append({"requester_siret": meeting["site_b"], "target_siret": meeting["site_a"],
                              "origin": "meeting", "need": None, "offer": None, "meeting_id": int(meeting["id"]),
                              "message": "Suite d'un rendez-vous du salon (démonstration, fictive).", **_state(steps),
                              "requested_by": None, "created_at": min(start, now), "is_demo": True})
    return {"needs": needs, "offers": offers, "introductions": introductions, "events": events}


def _timeline(rng: np.random.Generator, status: str, start: dt.datetime, now: dt.datetime) -> list[dict]:
    """The dated steps (1–5 days apart, never after `now`) that bring an introduction to `status`."""
    path = ["demandee"]
    if status == "sans_suite":
        path += list(PROGRESSION[1:int(rng.integers(1, 4))]) + ["sans_suite"]
    else:
        path = list(PROGRESSION[:PROGRESSION.index(status) + 1])
    steps, at = [], start
    for step, s in enumerate(path):
        at = min(at + dt.timedelta(days=int(rng.integers(1, 6))) if step else at, now)
        reason = ("refus" if len(path) == 2 else str(rng.choice(list(REASONS)[:5]))) if s == "sans_suite" else ""
        band = str(rng.choice(list(VALUE_BANDS))) if s == "commande" else ""
        steps.append({"at": at, "by_user": None, "by_label": "démo (fictif)", "status": s, "reason": reason,
                      "value_band": band})
    return steps


def _state(steps: list[dict]) -> dict:
    """An introduction's status, last change and acceptance from its steps."""
    accepted = next((e["at"] for e in steps if e["status"] == "acceptee"), None)
    return {"status": steps[-1]["status"], "updated_at": steps[-1]["at"], "accepted_at": accepted}


def _followed_meetings(rng: np.random.Generator, meetings: pd.DataFrame | None, now: dt.datetime) -> list[dict]:
    """Held meetings between two establishments that ended before `now`, of which about a third get a
    follow-up introduction (at most N_MEETING_FOLLOW_UPS): none while the fair is ahead."""
    if meetings is None or meetings.empty:
        return []
    held = meetings[(meetings["status"] == "held") & meetings["site_a"].notna() & meetings["site_b"].notna()
                    & (meetings["site_a"] != meetings["site_b"]) & (pd.to_datetime(meetings["ends_at"]) < now)]
    held = held.sort_values("id", kind="mergesort")
    chosen = held[rng.random(len(held)) < MEETING_FOLLOW_UP_SHARE].head(N_MEETING_FOLLOW_UPS)
    return [{**r, "ends_at": pd.Timestamp(r["ends_at"]).to_pydatetime()} for r in chosen.to_dict("records")]


def load_demo(engine: Engine, *, seed: int = 42, today: dt.date | None = None) -> None:
    """Replace the demo network rows (from the demo establishments), dated from `today`."""
    dataset = repository.dataset_named(engine, "demo")
    if dataset is None:
        return
    ref = load_reference()
    rows = build_demo_network(repository.establishments_frame(engine, dataset.id),
                              repository.establishment_capabilities(engine, dataset.id), ref.purchases,
                              dict(zip(ref.capabilities["code"], ref.capabilities["label"])), seed=seed,
                              today=today or dt.date.today(), meetings=_demo_meetings(engine))
    repository.replace_demo_network(engine, **rows)


def _demo_meetings(engine: Engine) -> pd.DataFrame | None:
    """The demo fair's meetings with the public ids of the two establishments, or None without a demo fair."""
    events = repository.events_frame(engine)
    demo = events[events["is_demo"].astype(bool)] if len(events) else events
    if demo.empty:
        return None
    event = demo.iloc[0]
    meetings = repository.event_meetings(engine, int(event["id"]))
    people = repository.event_participants(engine, int(event["id"]))
    site = dict(zip(people["id"], people["establishment_public_id"]))
    ends = pd.to_datetime(meetings["starts_at"]) + dt.timedelta(minutes=int(event["slot_minutes"]))
    return meetings.assign(site_a=meetings["exhibitor_id"].map(site), site_b=meetings["visitor_id"].map(site),
                           ends_at=ends)


def ensure_demo(engine: Engine, *, seed: int = 42) -> None:
    """Load the demo network when the database has none."""
    if not repository.has_demo_network(engine):
        load_demo(engine, seed=seed)
