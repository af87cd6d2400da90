"""The network's outcomes for staff: what proximity produced (the funnel, delays, distances, territories).

Kept apart from services/network.py (needs, offers, introductions and their writes): this module only reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard import repository
from dashboard.analytics import network as rules
from dashboard.analytics.geodesy import haversine_km
from dashboard.policy import Action, Viewer, require
from dashboard.services import DataService, Snapshot


def _sites(snap: Snapshot) -> pd.DataFrame:
    """Active establishments by key (public id, and SIRET when it differs): name, territory, filière, point."""
    def build() -> pd.DataFrame:
        e = snap.establishments
        frame = e[["public_id", "siret", "name", "commune_code", "department_code", "zone_code", "filiere_code",
                   "lat", "lon"]].copy()
        by_siret = frame[frame["siret"].notna() & (frame["siret"] != frame["public_id"])].assign(
            public_id=lambda f: f["siret"])
        return pd.concat([frame, by_siret]).drop_duplicates("public_id").set_index("public_id")
    return snap.cached("network_outcome_sites", build)


@dataclass(frozen=True)
class Outcomes:
    """What proximity produced: the funnel, delays, distances, and introductions by territory and filière."""

    total: int
    funnel: dict[str, int]  # introductions that reached each status
    median_days_to_exchange: float | None
    deal_share_within_50km: float | None  # of the introductions that reached commande
    stalled: int  # open and unchanged for 3 weeks
    by_department: list[dict]  # department_code, introductions, deals
    by_filiere: list[dict]  # filiere (label), introductions, deals


def outcomes(service: DataService, viewer: Viewer) -> Outcomes:
    """The network's results for staff (Forbidden for others). Territory and filière are the buyer's (target)."""
    require(viewer, Action.SEE_NETWORK_OUTCOMES)
    intros = repository.introductions_frame(service.engine)
    events = repository.introduction_events(service.engine, intros["id"].tolist())
    sites = _sites(service.snapshot())
    frame = intros.join(sites[["department_code", "filiere_code", "lat", "lon"]], on="target_siret")
    origin = intros.join(sites[["lat", "lon"]], on="requester_siret")
    frame["distance_km"] = haversine_km(frame["lat"].to_numpy(float), frame["lon"].to_numpy(float),
                                        origin["lat"].to_numpy(float), origin["lon"].to_numpy(float))
    deals = set(events.loc[events["status"] == "commande", "introduction_id"])
    frame["deal"] = frame["id"].isin(deals)
    labels = dict(zip(service.lookups.filieres["code"], service.lookups.filieres["label"]))

    def by(column: str) -> list[dict]:
        grouped = frame.groupby(column, dropna=False).agg(introductions=("id", "size"), deals=("deal", "sum"))
        name = "filiere" if column == "filiere_code" else column
        return [{name: labels.get(k, k) if column == "filiere_code" else k, "introductions": int(r["introductions"]),
                 "deals": int(r["deals"])} for k, r in grouped.sort_values("introductions", ascending=False,
                                                                          kind="mergesort").iterrows()]

    return Outcomes(total=len(intros), funnel=rules.funnel(events),
                    median_days_to_exchange=rules.median_days_to_exchange(events),
                    deal_share_within_50km=rules.share_within(frame.loc[frame["deal"], "distance_km"]),
                    stalled=int(rules.stalled(intros, now=dt.datetime.now()).sum()) if len(intros) else 0,
                    by_department=by("department_code") if len(frame) else [],
                    by_filiere=by("filiere_code") if len(frame) else [])
