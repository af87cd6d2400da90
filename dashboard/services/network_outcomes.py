"""The network's outcomes for staff: what proximity produced (the funnel, delays, distances, territories, the
path from a fair's meetings to deals), their export, the fiche's section, and the kiosk's open needs.

Kept apart from services/network.py (needs, offers, introductions and their writes): this module only reads.
Territory and filière of an introduction are those of the establishment asked (the buyer, for a need).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from dashboard import repository
from dashboard.analytics import network as rules
from dashboard.analytics import network_outcomes as oc
from dashboard.analytics.geodesy import haversine_km
from dashboard.formatting import fr_date
from dashboard.policy import Action, Viewer, can, require
from dashboard.services import DataService, Snapshot
from dashboard.services.downloads import ExportFile

STALLED_ROWS = 50  # stalled introductions listed on the page (the export has them all)


def now() -> dt.datetime:
    return dt.datetime.now()


def _sites(snap: Snapshot) -> pd.DataFrame:
    """Active establishments by key (public id, and SIRET when it differs): the canonical public id, name,
    commune, territory, filière, point."""
    def build() -> pd.DataFrame:
        e = snap.establishments
        frame = e[["public_id", "siret", "name", "commune_code", "department_code", "zone_code", "filiere_code",
                   "lat", "lon"]].copy()
        frame["key"] = frame["public_id"]
        by_siret = frame[frame["siret"].notna() & (frame["siret"] != frame["public_id"])].assign(
            key=lambda f: f["siret"])
        return pd.concat([frame, by_siret]).drop_duplicates("key").set_index("key")
    return snap.cached("network_outcome_sites", build)


@dataclass(frozen=True)
class Outcomes:
    """What proximity produced, for a period (and, in the fiche, a territory)."""

    total: int
    funnel: dict[str, int]  # introductions that reached each status
    median_days_to_exchange: float | None
    deal_share_within_50km: float | None  # of the introductions that reached commande
    stalled: int  # open and unchanged for 3 weeks
    by_department: list[dict]  # code, label, introductions, deals
    by_filiere: list[dict]  # code, label, introductions, deals
    months: int = 0  # the period: created in the last `months` months, 0 for all
    deals: int = 0
    by_zone: list[dict] = field(default_factory=list)  # zones d'emploi: code, label, introductions, deals
    value_bands: list[tuple[str, int]] = field(default_factory=list)  # deals per order value band
    events: list[dict] = field(default_factory=list)  # name, starts_on, meetings, held, follow_ups, deals, is_future
    stalled_list: list[dict] = field(default_factory=list)  # id, requester, target, status, since, days
    is_demo: bool = False


def _meetings(service: DataService, events: pd.DataFrame) -> pd.DataFrame:
    """Every event's meetings with the two sites they join (the linked establishment, else the SIRET)."""
    frames = []
    for event_id in events["id"]:
        meetings = repository.event_meetings(service.engine, int(event_id))
        people = repository.event_participants(service.engine, int(event_id))
        site = people["establishment_public_id"].where(people["establishment_public_id"].notna(), people["siret"])
        key = dict(zip(people["id"], site))
        frames.append(meetings.assign(event_id=int(event_id), site_a=meetings["exhibitor_id"].map(key),
                                      site_b=meetings["visitor_id"].map(key)))
    columns = ["id", "event_id", "starts_at", "status", "site_a", "site_b"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


def _canonical(keys: pd.Series, sites: pd.DataFrame) -> pd.Series:
    """SIRET or public id -> the establishment's public id (unknown keys stay as they are)."""
    return keys.map(sites["public_id"]).fillna(keys)


def compute_outcomes(service: DataService, *, months: int = 0, communes: set[str] | None = None,
                     at: dt.datetime | None = None) -> Outcomes:
    """The outcomes (no policy check: callers ask it) of the introductions created in the last `months` months,
    where one side is in `communes` when given; events starting in the period (or later)."""
    moment = at or now()
    snap = service.snapshot()
    sites = _sites(snap)
    look = service.lookups
    intros = repository.introductions_frame(service.engine)
    intros = intros[oc.in_period(intros["created_at"], months=months, now=moment)] if len(intros) else intros
    if communes is not None and len(intros):
        inside = set(sites.index[sites["commune_code"].isin(communes)])
        intros = intros[intros["requester_siret"].isin(inside) | intros["target_siret"].isin(inside)]
    events = repository.introduction_events(service.engine, intros["id"].tolist())
    frame = intros.join(sites[["name", "department_code", "zone_code", "filiere_code", "lat", "lon"]],
                        on="target_siret")
    origin = intros.join(sites[["name", "lat", "lon"]], on="requester_siret")
    frame["distance_km"] = haversine_km(frame["lat"].to_numpy(float), frame["lon"].to_numpy(float),
                                        origin["lat"].to_numpy(float), origin["lon"].to_numpy(float))
    deal_ids = set(oc.deals(events)["introduction_id"])
    frame["deal"] = frame["id"].isin(deal_ids)
    stalled = rules.stalled(intros, now=moment) if len(intros) else pd.Series(dtype=bool)
    stalled_rows = frame[stalled.to_numpy(bool)] if len(intros) else frame
    stalled_list = [{"id": int(r["id"]), "requester": origin.loc[i, "name"] if pd.notna(origin.loc[i, "name"])
                     else r["requester_siret"], "target": r["name"] if pd.notna(r["name"]) else r["target_siret"],
                     "status": rules.STATUS_LABELS[r["status"]], "since": r["updated_at"],
                     "days": int((moment - pd.Timestamp(r["updated_at"]).to_pydatetime()).days)}
                    for i, r in stalled_rows.sort_values("updated_at", kind="mergesort").iterrows()]
    departments = dict(zip(look.departments["code"], look.departments["name"]))
    zones = dict(zip(look.zones["code"], look.zones["name"]))
    filieres = dict(zip(look.filieres["code"], look.filieres["label"]))
    return Outcomes(
        total=len(intros), funnel=rules.funnel(events), median_days_to_exchange=rules.median_days_to_exchange(events),
        deal_share_within_50km=rules.share_within(frame.loc[frame["deal"], "distance_km"]),
        stalled=len(stalled_list), by_department=oc.by_group(frame, "department_code", departments),
        by_filiere=oc.by_group(frame, "filiere_code", filieres), months=months, deals=len(deal_ids),
        by_zone=oc.by_group(frame, "zone_code", zones), value_bands=oc.value_band_counts(events),
        events=_event_paths(service, intros, deal_ids, sites, months=months, communes=communes, at=moment),
        stalled_list=stalled_list, is_demo=snap.is_demo)


def _event_paths(service: DataService, intros: pd.DataFrame, deal_ids: set, sites: pd.DataFrame, *, months: int,
                 communes: set[str] | None, at: dt.datetime) -> list[dict]:
    events = repository.events_frame(service.engine)
    start = oc.period_start(months, now=at)
    if start is not None and len(events):
        events = events[pd.to_datetime(events["starts_on"]) >= pd.Timestamp(start.date())]
    if events.empty:
        return []
    meetings = _meetings(service, events)
    meetings = meetings.assign(site_a=_canonical(meetings["site_a"], sites),
                               site_b=_canonical(meetings["site_b"], sites))
    if communes is not None:
        inside = set(sites.loc[sites["commune_code"].isin(communes), "public_id"])
        meetings = meetings[meetings["site_a"].isin(inside) | meetings["site_b"].isin(inside)]
    keyed = intros.assign(requester_siret=_canonical(intros["requester_siret"], sites),
                          target_siret=_canonical(intros["target_siret"], sites))
    follow_ups = oc.meeting_follow_ups(meetings, keyed)
    paths = oc.event_paths(events, meetings, follow_ups, deal_ids)
    return [{**p, "is_future": p["starts_on"] > at.date()} for p in paths]


def outcomes(service: DataService, viewer: Viewer, *, months: int = 0) -> Outcomes:
    """The network's results for staff (Forbidden for others), over the last `months` months (0: all)."""
    require(viewer, Action.SEE_NETWORK_OUTCOMES)
    return compute_outcomes(service, months=months)


def territory_outcomes(service: DataService, viewer: Viewer, communes: set[str]) -> Outcomes | None:
    """The fiche's Réseau section: introductions one side of which is in the territory; None for non-staff."""
    if not can(viewer, Action.SEE_NETWORK_OUTCOMES):
        return None
    return compute_outcomes(service, communes=communes)


def period_from(value) -> int:
    """A period choice (3, 6, 12 months; anything else: all)."""
    try:
        months = int(value)
    except (TypeError, ValueError):
        return 0
    return months if months in oc.PERIODS else 0


# --- Export ---------------------------------------------------------------------------------------------

def _groups(title: str, rows: list[dict]) -> list[dict]:
    return [{"Rubrique": title, "Libellé": r["label"], "Valeur": r["introductions"], "Commandes": r["deals"]}
            for r in rows]


def export_file(service: DataService, viewer: Viewer, *, months: int = 0) -> ExportFile:
    """The outcomes as one long table (CSV) and a sheet per part (XLSX); staff only (Forbidden otherwise)."""
    result = outcomes(service, viewer, months=months)
    summary = [("Mises en relation", result.total), ("Commandes", result.deals),
               ("Délai médian jusqu'aux premiers échanges (jours)", result.median_days_to_exchange),
               ("Part des commandes à moins de 50 km (%)", None if result.deal_share_within_50km is None
                else round(100 * result.deal_share_within_50km, 1)),
               ("En attente depuis plus de 3 semaines", result.stalled)]
    rows: list[dict] = [{"Rubrique": "Synthèse", "Libellé": label, "Valeur": value, "Commandes": None}
                        for label, value in summary]
    funnel = [{"Rubrique": "Entonnoir", "Libellé": rules.STATUS_LABELS[s], "Valeur": result.funnel[s],
               "Commandes": None} for s in rules.STATUSES]
    events = [{"Rubrique": "Événement", "Libellé": f"{e['name']} ({fr_date(e['starts_on'])})",
               "Valeur": e["meetings"], "Tenus": e["held"], "Suites": e["follow_ups"], "Commandes": e["deals"]}
              for e in result.events]
    bands = [{"Rubrique": "Montant des commandes", "Libellé": label, "Valeur": n, "Commandes": None}
             for label, n in result.value_bands]
    stalled = [{"Rubrique": "En attente", "Libellé": f"{s['requester']} → {s['target']}", "Valeur": s["days"],
                "Statut": s["status"], "Depuis": s["since"], "Commandes": None} for s in result.stalled_list]
    parts: dict[str, list[dict]] = {
             "Synthèse": rows, "Entonnoir": funnel, "Départements": _groups("Département", result.by_department),
             "Zones d'emploi": _groups("Zone d'emploi", result.by_zone),
             "Filières": _groups("Filière", result.by_filiere), "Événements": events, "Montants": bands,
             "En attente": stalled}
    columns = ["Rubrique", "Libellé", "Valeur", "Commandes", "Tenus", "Suites", "Statut", "Depuis"]
    frame = pd.DataFrame([r for part in parts.values() for r in part], columns=columns, dtype=object)
    sheets = {name: pd.DataFrame(part, columns=[c for c in columns if any(c in r for r in part)] or columns[:3],
                                 dtype=object)
              for name, part in list(parts.items())[1:]}
    period = f"{months}-mois" if months else "tout"
    stamp = now().strftime("%Y%m%d")
    return ExportFile(frame, f"tissu-reseau-resultats-{period}-{stamp}", sheet="Résultats", extra_sheets=sheets)


# --- Kiosk ----------------------------------------------------------------------------------------------

def kiosk_needs(service: DataService, *, on: dt.date | None = None) -> tuple[list[dict], bool]:
    """Listed open needs per capability (label, needs, nearest deadline), anonymised: no buyer is read out; and
    whether any of them is the demo's (fictitious). Counts every listed need, as the public summary of /reseau."""
    day = on or dt.date.today()
    needs = repository.needs_frame(service.engine)
    if needs.empty:
        return [], False
    needs = needs[rules.listed_mask(needs["status"], needs["deadline"], today=day)]
    frame = pd.DataFrame({"capabilities": [list(rules.codes(t)) for t in needs["capabilities"]],
                          "deadline": pd.to_datetime(needs["deadline"]).dt.date.to_list()})
    labels = dict(zip(service.lookups.capabilities["code"], service.lookups.capabilities["label"]))
    return oc.open_needs_by_capability(frame, labels), bool(needs["is_demo"].astype(bool).any())
