"""Fictitious circles of excellence for the demo, from the demo establishments: circles, members, sessions.

Eight circles across the four departments, one employment zone and all of Lorraine, one per theme of
`data/taxonomy/circle_themes.csv` (in order). Each is facilitated by a named establishment of its territory
(the demo member account's first site facilitates the first circle); 4 to 9 establishments of its territory
are members (UIMM members twice as likely), and the demo member account's sites belong to some circles and
have a request pending in another. A few sites of other departments asked to join department circles (the
"interest with no circle nearby" of the UIMM view). Sessions are dated from the day of loading: two or three
held (1 to 6 months ago), one or two to come (1 to 8 weeks ahead), one of them full. Every name says
"(fictif)". Same seed, same rows (dates shift with the day).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from dashboard import repository
from dashboard.reference import load_reference

# (territory kind, code, place name in the circle's name)
TERRITORIES = (("department", "57", "Moselle"), ("department", "54", "Meurthe-et-Moselle"),
               ("department", "88", "Vosges"), ("department", "55", "Meuse"), ("lorraine", "", "Lorraine"),
               ("department", "57", "Moselle-Est"), ("zone", None, ""), ("department", "54", "Sud 54"))
_MEMBER_WEIGHT = 2.0


def _member_sites(frame: pd.DataFrame) -> list[str]:
    """The demo member account's sites (demo/accounts.py: the first two member establishments)."""
    return frame[frame["is_member"].astype(bool)].sort_values("id")["public_id"].head(2).tolist()


def _in_territory(frame: pd.DataFrame, kind: str, code: str) -> pd.Series:
    if kind == "department":
        return frame["department_code"] == code
    if kind == "zone":
        return frame["zone_code"] == code
    return pd.Series(True, index=frame.index)


def build_demo_circles(establishments: pd.DataFrame, themes: pd.DataFrame, communes: pd.DataFrame, *, seed: int,
                       today: dt.date) -> dict:
    """Rows for `repository.replace_demo_circles` (circles, members, sessions, registrations)."""
    rng = np.random.default_rng(seed + 1717)
    frame = establishments.reset_index(drop=True)
    points = communes.set_index("code")
    mine = _member_sites(frame)
    now = dt.datetime.combine(today, dt.time(8, 0))
    weight = (np.log1p(frame["headcount_estimate"].fillna(0).to_numpy(float)) + 1.0) * np.where(
        frame["is_member"].astype(bool), _MEMBER_WEIGHT, 1.0)
    circles: list[dict] = []
    members: list[dict] = []
    sessions: list[dict] = []
    registrations: list[dict] = []
    busiest_zone = str(frame["zone_code"].value_counts().index[0]) if len(frame) else ""
    codes, labels = themes["code"].tolist(), dict(zip(themes["code"], themes["label"]))
    for k, (kind, given, place) in enumerate(TERRITORIES):
        code = busiest_zone if kind == "zone" else str(given)
        inside = _in_territory(frame, kind, code).to_numpy()
        pool = np.flatnonzero(inside)
        if len(pool) < 4:
            continue
        theme = codes[k % len(codes)]
        name = place or str(communes.loc[communes["zone_code"] == code, "zone_name"].iloc[0])
        p = weight[pool] / weight[pool].sum()
        chosen = [int(i) for i in rng.choice(pool, size=min(int(rng.integers(4, 10)), len(pool)), replace=False, p=p)]
        facilitator = frame.loc[chosen[0], "public_id"]
        if k == 0 and mine:
            facilitator = mine[0]
        created = now - dt.timedelta(days=int(rng.integers(200, 400)))
        index = len(circles)
        circles.append({"name": f"Cercle {labels[theme].split(' et ')[0].lower()} – {name} (fictif)",
                        "theme_code": theme, "territory_kind": kind, "territory_code": code if kind != "lorraine"
                        else "", "description": f"Cercle de démonstration, fictif : {labels[theme].lower()}. "
                        "Les adhérents du territoire partagent leurs pratiques et visitent leurs ateliers.",
                        "facilitator_user": None, "facilitator_siret": facilitator, "status": "open",
                        "created_by": None, "created_at": created, "updated_at": created, "is_demo": True})
        sites = list(dict.fromkeys([facilitator] + [frame.loc[i, "public_id"] for i in chosen]))
        if k in (1, 2) and len(mine) > 0:
            sites.append(mine[0])
        if k == 3 and len(mine) > 1:
            sites.append(mine[1])
        sites = list(dict.fromkeys(sites))
        for s in sites:
            asked = created + dt.timedelta(days=int(rng.integers(1, 60)))
            members.append({"circle": index, "siret": s, "requested_by": None, "message": "", "status": "accepted",
                            "decided_by": None, "requested_at": asked, "decided_at": asked + dt.timedelta(days=2),
                            "updated_at": asked + dt.timedelta(days=2), "is_demo": True})
        others = [frame.loc[int(i), "public_id"] for i in rng.choice(pool, size=min(2, len(pool)), replace=False)]
        if k == 4 and len(mine) > 1:
            others = [mine[1]] + others
        used = set(sites)
        for n, s in enumerate(o for o in dict.fromkeys(others) if o not in used):
            used.add(s)
            asked = now - dt.timedelta(days=int(rng.integers(1, 20)))
            members.append({"circle": index, "siret": s, "requested_by": None, "status": "requested" if n < 2
                            else "declined", "message": "Demande de démonstration (fictive).", "decided_by": None,
                            "requested_at": asked, "decided_at": None if n < 2 else asked + dt.timedelta(days=1),
                            "updated_at": asked, "is_demo": True})
        if kind == "department":  # interest from far away: sites of another department ask to join
            far = np.flatnonzero(frame["department_code"].to_numpy() != code)
            for i in rng.choice(far, size=min(1 + k % 2, len(far)), replace=False):
                if frame.loc[int(i), "public_id"] in used:
                    continue
                used.add(frame.loc[int(i), "public_id"])
                asked = now - dt.timedelta(days=int(rng.integers(1, 90)))
                members.append({"circle": index, "siret": frame.loc[int(i), "public_id"], "requested_by": None,
                                "status": "requested", "message": "Existe-t-il un cercle plus près ? (fictif)",
                                "decided_by": None, "requested_at": asked, "decided_at": None, "updated_at": asked,
                                "is_demo": True})
        local = set(frame.loc[pool, "public_id"])
        hosts = [s for s in sites if s in local] or [facilitator]  # sessions meet within the territory
        days = sorted({-int(rng.integers(20, 180)) for _ in range(int(rng.integers(2, 4)))}) + sorted(
            {int(rng.integers(7, 56)) for _ in range(int(rng.integers(1, 3)))})
        for n, offset in enumerate(days):
            host = frame[frame["public_id"] == hosts[n % len(hosts)]].iloc[0]
            commune = points.loc[host["commune_code"]]
            starts = dt.datetime.combine(today + dt.timedelta(days=offset), dt.time(9 if n % 2 == 0 else 14, 0))
            attending = [s for s in sites if rng.random() < 0.7] or sites[:1]
            full = k == 1 and offset > 0  # the second circle's sessions to come are full
            capacity = len(attending) if full else len(attending) + int(rng.integers(3, 15))
            if offset > 0 and not full:
                attending = attending[: max(1, len(attending) // 2)]  # registrations still coming in
            sessions.append({"circle": index, "title": f"Séance {n + 1} : visite d'atelier et retours "
                             f"d'expérience (fictif)", "starts_at": starts, "duration_min": 150,
                             "commune_code": host["commune_code"],
                             "address": f"Chez {host['name']}, salle de réunion (fictif)",
                             "lat": float(commune["lat"]), "lon": float(commune["lon"]), "capacity": capacity,
                             "registered": len(attending), "status": "planned", "created_by": None,
                             "created_at": created, "updated_at": created, "is_demo": True})
            registrations += [{"session": len(sessions) - 1, "siret": s, "user_id": None,
                               "registered_at": min(starts, now) - dt.timedelta(days=3), "is_demo": True}
                              for s in attending]
    return {"circles": circles, "members": members, "sessions": sessions, "registrations": registrations}


def load_demo(engine: Engine, *, seed: int = 42, today: dt.date | None = None) -> None:
    """Replace the demo circles (from the demo establishments), dated from `today`."""
    dataset = repository.dataset_named(engine, "demo")
    if dataset is None:
        return
    ref = load_reference()
    rows = build_demo_circles(repository.establishments_frame(engine, dataset.id), ref.circle_themes,
                              repository.communes_frame(engine), seed=seed, today=today or dt.date.today())
    repository.replace_demo_circles(engine, **rows)


def ensure_demo(engine: Engine, *, seed: int = 42) -> None:
    """Load the demo circles when the database has none."""
    if not repository.has_demo_circles(engine):
        load_demo(engine, seed=seed)
