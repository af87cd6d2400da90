"""The network's read models and writes: needs, offers, the suppliers a need matches, introductions.

Reads of the network tables are not cached (they change with every post and are small); a need's matched
suppliers are cached in the snapshot's bounded LRU keyed by the need's id and last change, so a write never
serves a stale match. Writes check the policy (members act for their own establishments, staff for any),
validate at the edge (services/network_input.py) and are one transaction with their audit entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard import repository
from dashboard.analytics import network as rules
from dashboard.analytics.geodesy import haversine_km
from dashboard.analytics.partner_query import PartnerQuery
from dashboard.policy import (
    Action,
    Forbidden,
    Role,
    Viewer,
    can,
    may_act_for,
    may_see_contacts,
    may_see_introduction,
    may_see_offers,
    require,
    require_act_for,
    visible_needs,
)
from dashboard.services import DataService, Snapshot
from dashboard.services.network_input import NetworkInputError, need_values, offer_values
from dashboard.services.options import capability_options
from dashboard.services.partners import PartnerSearch, search_partners

MATCH_LIMIT = 50  # suppliers shown for one need (the page and the API)
NetworkInputError = NetworkInputError  # re-exported: callers catch it from here


class NetworkNotFound(LookupError):
    """No need, offer or introduction with this id (or not one the viewer may see); French message."""


def today() -> dt.date:
    return dt.date.today()


def _audit(viewer: Viewer, action: str, address: str) -> repository.AuditRecord:
    return repository.AuditRecord(viewer.user_id, viewer.label or "anonyme", action, "", address=address)


def _sites(snap: Snapshot) -> pd.DataFrame:
    """Active establishments by key (public id, and SIRET when it differs): name, commune, territory, point."""
    def build() -> pd.DataFrame:
        e = snap.establishments
        cols = ["public_id", "siret", "name", "commune_name", "department_code", "zone_code", "filiere_code",
                "address", "lat", "lon"]
        frame = e[cols].copy()
        by_siret = frame[frame["siret"].notna() & (frame["siret"] != frame["public_id"])].assign(
            public_id=lambda f: f["siret"])
        return pd.concat([frame, by_siret]).drop_duplicates("public_id").set_index("public_id")
    return snap.cached("network_sites", build)


def _sites_of(service: DataService, keys: pd.Series) -> list[dict | None]:
    """Each key's site fields (as `_sites(...).loc[key]` gives them), None for a key not in the dataset: one
    reindex for the whole list instead of a row lookup per need or offer (0.7 ms each, 7 s for 10,000 offers)."""
    sites = _sites(service.snapshot())
    known = keys.isin(sites.index).tolist()
    rows = sites.reindex(pd.Index(keys)).to_dict("records") if len(keys) else []
    return [row if ok else None for row, ok in zip(rows, known)]


def _site(service: DataService, key: str | None) -> dict | None:
    sites = _sites(service.snapshot())
    if not key or key not in sites.index:
        return None
    row = sites.loc[key]
    return {"id": key, **row.to_dict()}


def _labels(service: DataService) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    look = service.lookups
    return (dict(zip(look.capabilities["code"], look.capabilities["label"])),
            dict(zip(look.certifications["code"], look.certifications["label"])),
            dict(zip(look.zones["code"], look.zones["name"])))


# --- Needs ----------------------------------------------------------------------------------------------

def _need_items(service: DataService, frame: pd.DataFrame, viewer: Viewer) -> list[dict]:
    caps, certs, zones = _labels(service)
    items = []
    for r, site in zip(frame.to_dict("records"), _sites_of(service, frame["buyer_siret"]) if len(frame) else []):
        codes = rules.codes(r["capabilities"])
        items.append({
            "id": int(r["id"]), "title": r["title"], "description": r["description"],
            "buyer_id": r["buyer_siret"], "buyer_name": site["name"] if site is not None else "",
            "commune": site["commune_name"] if site is not None else "",
            "department_code": site["department_code"] if site is not None else "",
            "territory": (f"{zones.get(site['zone_code'], '')} ({site['department_code']})"
                          if site is not None else ""),
            "lat": float(site["lat"]) if site is not None else None,
            "lon": float(site["lon"]) if site is not None else None,
            "capabilities": list(codes), "capability_labels": [caps.get(c, c) for c in codes],
            "certifications_required": list(rules.codes(r["certifications_required"])),
            "certifications_wished": list(rules.codes(r["certifications_wished"])),
            "certification_labels": [certs.get(c, c) for c in rules.codes(r["certifications_required"])],
            "quantity": r["quantity"], "radius_km": float(r["radius_km"]), "deadline": r["deadline"],
            "visibility": r["visibility"], "status": r["status"], "is_demo": bool(r["is_demo"]),
            "updated_at": r["updated_at"], "mine": may_act_for(viewer, r["buyer_siret"]) and viewer.signed_in,
        })
    return items


def _listed(frame: pd.DataFrame, until: str, on: dt.date) -> pd.DataFrame:
    if frame.empty:
        return frame
    return frame[rules.listed_mask(frame["status"], frame[until], today=on)]


def listed_needs(service: DataService, viewer: Viewer, *, on: dt.date | None = None) -> list[dict]:
    """Open needs whose deadline has not passed, cut to the viewer (the public: public needs, anonymised)."""
    frame = _listed(repository.needs_frame(service.engine), "deadline", on or today())
    return visible_needs(viewer, _need_items(service, frame, viewer))


def my_needs(service: DataService, viewer: Viewer) -> list[dict]:
    """Every need (open, closed or expired) of the establishments the viewer speaks for."""
    if not viewer.sirets:
        return []
    return _need_items(service, repository.needs_frame(service.engine, buyer_sirets=viewer.sirets), viewer)


def need(service: DataService, need_id: int, viewer: Viewer) -> dict:
    row = repository.need_by_id(service.engine, need_id)
    items = visible_needs(viewer, _need_items(service, pd.DataFrame([row]), viewer)) if row else []
    if not items:
        raise NetworkNotFound(f"Besoin introuvable : n° {need_id}.")
    return items[0]


def need_partner_query(item: dict) -> PartnerQuery:
    return rules.need_query(site=item["buyer_id"], capabilities=item["capabilities"],
                            certifications=item["certifications_required"], radius_km=item["radius_km"])


def need_matches(service: DataService, item: dict, viewer: Viewer, *, limit: int | None = MATCH_LIMIT) -> PartnerSearch:
    """The suppliers of a need, ranked by the partners engine (same query, same scores, same "pourquoi")."""
    return search_partners(service, need_partner_query(item), viewer=viewer, limit=limit)


def _matched_ids(service: DataService, item: dict) -> frozenset[str]:
    """Every supplier (public id) a need matches, whatever the limit; cached per need version."""
    snap = service.snapshot()
    staff = Viewer(role=Role.STAFF)  # the whole match set: who sees which need is decided by listed_needs
    return snap.lru(("need_matches", item["id"], str(item["updated_at"])), lambda: frozenset(
        need_matches(service, item, staff, limit=None).records["id"]))


def opportunities(service: DataService, viewer: Viewer, *, on: dt.date | None = None) -> list[dict]:
    """Listed needs of other establishments that one of the viewer's establishments matches (as a supplier),
    with `for_site` naming which of them."""
    if not viewer.sirets:
        return []
    snap = service.snapshot()
    e = snap.establishments
    ids_ = e.loc[e["public_id"].isin(viewer.sirets) | e["siret"].isin(viewer.sirets), "id"]
    links = snap.capability_links
    held = set(links.loc[links["establishment_id"].isin(ids_), "capability_code"])
    out = []
    for item in listed_needs(service, viewer, on=on):
        # The engine decides; needs asking for nothing the viewer's sites hold cannot match and are skipped.
        if item["buyer_id"] in viewer.sirets or not held & set(item["capabilities"]):
            continue
        mine = sorted(viewer.sirets & _matched_ids(service, item))
        if mine:
            out.append({**item, "for_site": mine[0]})
    return out


def _site_for_write(service: DataService, viewer: Viewer, action: Action, key) -> str:
    require(viewer, action)
    if not isinstance(key, str) or not key.strip():
        raise NetworkInputError("site", "Choisissez l'établissement concerné.")
    site = _site(service, key.strip())
    if site is None:
        raise NetworkInputError("site", f"Établissement inconnu dans le jeu de données actif : « {key[:40]} ».")
    require_act_for(viewer, action, site["id"])
    return site["id"]


def create_need(service: DataService, viewer: Viewer, raw: dict, *, address: str = "") -> int:
    """Post a need; raises Forbidden (not signed in, someone else's site) or NetworkInputError (French)."""
    require(viewer, Action.POST_NEED)
    look = service.lookups
    values = need_values(raw, capabilities=set(look.capabilities["code"]),
                         certifications=set(look.certifications["code"]), today=today())
    site = _site_for_write(service, viewer, Action.POST_NEED, raw.get("site"))
    row = {**values, "buyer_siret": site, "status": values.get("status", "open"), "created_by": viewer.user_id,
           "is_demo": False}
    return repository.insert_need(service.engine, row, audit=_audit(viewer, "need.create", address))


def update_need(service: DataService, viewer: Viewer, need_id: int, raw: dict, *, address: str = "") -> None:
    """Change or close (`{"status": "closed"}`) one of the viewer's needs."""
    require(viewer, Action.POST_NEED)
    row = repository.need_by_id(service.engine, need_id)
    if row is None or not may_act_for(viewer, row["buyer_siret"]):
        raise NetworkNotFound(f"Besoin introuvable parmi les vôtres : n° {need_id}.")
    if "site" in raw:
        raise NetworkInputError("site", "Le site d'un besoin ne change pas : publiez-en un nouveau.")
    look = service.lookups
    values = need_values(raw, capabilities=set(look.capabilities["code"]),
                         certifications=set(look.certifications["code"]), today=today(), partial=True)
    if values:
        repository.update_need(service.engine, need_id, values, audit=_audit(viewer, "need.update", address))


# --- Offers ---------------------------------------------------------------------------------------------

def _offer_items(service: DataService, frame: pd.DataFrame, viewer: Viewer) -> list[dict]:
    caps, _, zones = _labels(service)
    items = []
    for r, site in zip(frame.to_dict("records"), _sites_of(service, frame["owner_siret"]) if len(frame) else []):
        items.append({
            "id": int(r["id"]), "kind": r["kind"], "title": r["title"], "description": r["description"],
            "owner_id": r["owner_siret"], "owner_name": site["name"] if site is not None else "",
            "commune": site["commune_name"] if site is not None else "",
            "territory": (f"{zones.get(site['zone_code'], '')} ({site['department_code']})"
                          if site is not None else ""),
            "lat": float(site["lat"]) if site is not None else None,
            "lon": float(site["lon"]) if site is not None else None,
            "capability": r["capability_code"], "capability_label": caps.get(r["capability_code"] or "", ""),
            "material": r["material"], "quantity": r["quantity"], "available_from": r["available_from"],
            "available_until": r["available_until"], "status": r["status"], "is_demo": bool(r["is_demo"]),
            "mine": viewer.signed_in and may_act_for(viewer, r["owner_siret"]),
        })
    return items


def listed_offers(service: DataService, viewer: Viewer, *, on: dt.date | None = None) -> list[dict]:
    """Open offers still available (members and staff; the public gets counts only: summary)."""
    if not may_see_offers(viewer):
        return []
    frame = _listed(repository.offers_frame(service.engine), "available_until", on or today())
    return _offer_items(service, frame, viewer)


def offers_for_need(service: DataService, item: dict, viewer: Viewer) -> pd.DataFrame:
    """Listed capacity offers within a need's radius that offer one of its capabilities, nearest first."""
    offers = pd.DataFrame(listed_offers(service, viewer))
    if offers.empty or item.get("lat") is None:
        return offers
    return rules.offers_near_need(offers.dropna(subset=["lat"]), lat=item["lat"], lon=item["lon"],
                                  capabilities=item["capabilities"], radius_km=item["radius_km"])


def offer(service: DataService, offer_id: int, viewer: Viewer) -> dict:
    row = repository.offer_by_id(service.engine, offer_id) if may_see_offers(viewer) else None
    if row is None:
        raise NetworkNotFound(f"Offre introuvable : n° {offer_id}.")
    return _offer_items(service, pd.DataFrame([row]), viewer)[0]


def needs_for_offer(service: DataService, item: dict, viewer: Viewer) -> list[dict]:
    """Listed needs (as the viewer sees them) asking for a capacity offer's capability within their radius."""
    needs = pd.DataFrame(listed_needs(service, viewer))
    if needs.empty or item.get("lat") is None or "lat" not in needs:
        return []
    found = rules.needs_near_offer(needs.dropna(subset=["lat"]), lat=item["lat"], lon=item["lon"],
                                   capability=item["capability"] if item["kind"] == "capacity" else None)
    return found.to_dict("records")


def create_offer(service: DataService, viewer: Viewer, raw: dict, *, address: str = "") -> int:
    require(viewer, Action.POST_OFFER)
    values = offer_values(raw, capabilities=set(service.lookups.capabilities["code"]), today=today())
    site = _site_for_write(service, viewer, Action.POST_OFFER, raw.get("site"))
    row = {**values, "owner_siret": site, "status": values.get("status", "open"), "created_by": viewer.user_id,
           "is_demo": False}
    return repository.insert_offer(service.engine, row, audit=_audit(viewer, "offer.create", address))


def update_offer(service: DataService, viewer: Viewer, offer_id: int, raw: dict, *, address: str = "") -> None:
    require(viewer, Action.POST_OFFER)
    row = repository.offer_by_id(service.engine, offer_id)
    if row is None or not may_act_for(viewer, row["owner_siret"]):
        raise NetworkNotFound(f"Offre introuvable parmi les vôtres : n° {offer_id}.")
    if "site" in raw:
        raise NetworkInputError("site", "Le site d'une offre ne change pas : publiez-en une nouvelle.")
    values = offer_values(raw, capabilities=set(service.lookups.capabilities["code"]), today=today(),
                          kind=row["kind"], partial=True)
    if values:
        repository.update_offer(service.engine, offer_id, values, audit=_audit(viewer, "offer.update", address))


# --- Introductions --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class IntroductionView:
    id: int
    requester_id: str
    requester_name: str
    target_id: str
    target_name: str
    origin: str
    need_id: int | None
    need_title: str
    status: str
    status_label: str
    message: str
    created_at: dt.datetime
    updated_at: dt.datetime
    timeline: list[dict]  # at, status, status_label, reason_label, value_band_label, by
    allowed: list[str]  # statuses the viewer may move it to now
    contacts: list[dict] | None  # None until both sides accepted (never sent before)
    viewer_side: str  # requester, target, staff


def _allowed(viewer: Viewer, row: dict) -> list[str]:
    """What the viewer may do now: the target accepts or declines a request; either side (or staff) then
    advances it or ends it; the requester may withdraw a request not yet answered."""
    status = row["status"]
    nexts = list(rules.next_statuses(status))
    staff = can(viewer, Action.SEE_NETWORK_OUTCOMES)
    if status == "demandee":
        if staff or row["target_siret"] in viewer.sirets:
            return nexts
        return ["sans_suite"] if row["requester_siret"] in viewer.sirets else []
    return nexts if staff or viewer.sirets & {row["requester_siret"], row["target_siret"]} else []


def _contacts(service: DataService, row: dict) -> list[dict]:
    sites = _sites(service.snapshot())
    people = repository.contacts_of(service.engine, [row["requester_siret"], row["target_siret"]])
    out = []
    for key in (row["requester_siret"], row["target_siret"]):
        site = sites.loc[key] if key in sites.index else None
        who = people[people["siret"] == key]
        out.append({"site": key, "name": site["name"] if site is not None else key,
                    "address": f"{site['address'] or ''}, {site['commune_name']}" if site is not None else "",
                    "people": [{"name": n, "email": e} for n, e in zip(who["display_name"], who["email"])]})
    return out


def introductions(service: DataService, viewer: Viewer) -> list[IntroductionView]:
    """The introductions the viewer may follow (their own sides; staff: all), contacts once both accepted."""
    if not viewer.signed_in:
        return []
    staff = can(viewer, Action.SEE_NETWORK_OUTCOMES)
    frame = repository.introductions_frame(service.engine, sirets=None if staff else viewer.sirets)
    if frame.empty:
        return []
    sites = _sites(service.snapshot())
    events = repository.introduction_events(service.engine, frame["id"].tolist())
    needs = repository.needs_frame(service.engine)
    titles = dict(zip(needs["id"], needs["title"]))
    out = []
    for row in frame.to_dict("records"):
        if not may_see_introduction(viewer, row["requester_siret"], row["target_siret"]):
            continue
        steps = events[events["introduction_id"] == row["id"]]
        timeline = [{"at": s["at"], "status": s["status"], "status_label": rules.STATUS_LABELS[s["status"]],
                     "reason_label": rules.REASONS.get(s["reason"], ""),
                     "value_band_label": rules.VALUE_BANDS.get(s["value_band"], ""), "by": s["by_label"]}
                    for s in steps.to_dict("records")]
        accepted = row["accepted_at"] is not None and not pd.isna(row["accepted_at"])
        shown = may_see_contacts(viewer, row["requester_siret"], row["target_siret"], accepted)
        side = ("requester" if row["requester_siret"] in viewer.sirets else
                "target" if row["target_siret"] in viewer.sirets else "staff")
        out.append(IntroductionView(
            id=int(row["id"]), requester_id=row["requester_siret"],
            requester_name=sites.loc[row["requester_siret"], "name"] if row["requester_siret"] in sites.index else "",
            target_id=row["target_siret"],
            target_name=sites.loc[row["target_siret"], "name"] if row["target_siret"] in sites.index else "",
            origin=row["origin"], need_id=None if pd.isna(row["need_id"]) else int(row["need_id"]),
            need_title=titles.get(row["need_id"], "") if not pd.isna(row["need_id"]) else "",
            status=row["status"], status_label=rules.STATUS_LABELS[row["status"]], message=row["message"],
            created_at=row["created_at"], updated_at=row["updated_at"], timeline=timeline,
            allowed=_allowed(viewer, row), contacts=_contacts(service, row) if shown else None, viewer_side=side))
    return out


def request_introduction(service: DataService, viewer: Viewer, *, requester: str, target: str, origin: str,
                         need_id: int | None = None, message: str = "", address: str = "") -> int:
    """Ask, for one of the viewer's establishments, to be introduced to `target`."""
    require(viewer, Action.REQUEST_INTRODUCTION)
    site = _site_for_write(service, viewer, Action.REQUEST_INTRODUCTION, requester)
    other = _site(service, target)
    if other is None:
        raise NetworkInputError("target", f"Établissement inconnu : « {str(target)[:40]} ».")
    if other["id"] == site:
        raise NetworkInputError("target", "Une mise en relation relie deux établissements différents.")
    if origin not in rules.ORIGINS:
        raise NetworkInputError("origin", f"Origine inconnue : « {str(origin)[:20]} ».")
    if len(message) > 1000:
        raise NetworkInputError("message", "Message : 1 000 caractères au plus.")
    if need_id is not None and repository.need_by_id(service.engine, need_id) is None:
        raise NetworkInputError("need", f"Besoin introuvable : n° {need_id}.")
    existing = repository.introductions_frame(service.engine, sirets=[site])
    pending = existing[(existing["requester_siret"] == site) & (existing["target_siret"] == other["id"])
                       & ~existing["status"].isin(list(rules.FINAL))] if not existing.empty else existing
    if not pending.empty:
        raise NetworkInputError("target", "Une mise en relation avec cet établissement est déjà en cours.")
    row = {"requester_siret": site, "target_siret": other["id"], "origin": origin, "need_id": need_id,
           "message": message.strip(), "status": "demandee", "requested_by": viewer.user_id, "is_demo": False}
    return repository.insert_introduction(service.engine, row, by_user=viewer.user_id, by_label=viewer.label,
                                          audit=_audit(viewer, "introduction.request", address))


def move_introduction(service: DataService, viewer: Viewer, introduction_id: int, status: str, *,
                      reason: str | None = None, value_band: str | None = None, address: str = "") -> None:
    """Accept, decline, advance or end an introduction (one step; rules.check_transition); raises Forbidden,
    NetworkNotFound or rules.TransitionError (French messages)."""
    require(viewer, Action.REQUEST_INTRODUCTION)
    row = repository.introduction_by_id(service.engine, introduction_id)
    if row is None or not may_see_introduction(viewer, row["requester_siret"], row["target_siret"]):
        raise NetworkNotFound(f"Mise en relation introuvable : n° {introduction_id}.")
    rules.check_transition(row["status"], status, reason=reason, value_band=value_band)
    if status not in _allowed(viewer, row):
        raise Forbidden(Action.REQUEST_INTRODUCTION, "Seul l'établissement sollicité peut accepter cette demande.")
    done = repository.set_introduction_status(
        service.engine, introduction_id, expected=row["status"], status=status, reason=reason or "",
        value_band=value_band or "", by_user=viewer.user_id, by_label=viewer.label,
        accepted=status == "acceptee", audit=_audit(viewer, "introduction.status", address))
    if not done:
        raise rules.TransitionError("Cette mise en relation vient de changer : rechargez la page.")


# --- Counts -------------------------------------------------------------------------------------------

def summary(service: DataService, viewer: Viewer, *, on: dt.date | None = None) -> dict:
    """What everyone may see: open needs and offers, introductions by status (counts only)."""
    day = on or today()
    needs = _listed(repository.needs_frame(service.engine), "deadline", day)
    offers = _listed(repository.offers_frame(service.engine), "available_until", day)
    intros = repository.introductions_frame(service.engine)
    caps, _, _ = _labels(service)
    by_capability: dict[str, int] = {}
    for text in needs["capabilities"] if not needs.empty else []:
        for code in rules.codes(text):
            by_capability[code] = by_capability.get(code, 0) + 1
    counts = intros["status"].value_counts().to_dict() if not intros.empty else {}
    out = {"open_needs": int(len(needs)),
           "public_needs": int((needs["visibility"] == "public").sum()) if not needs.empty else 0,
           "open_offers": int(len(offers)),
           "capacity_offers": int((offers["kind"] == "capacity").sum()) if not offers.empty else 0,
           "byproduct_offers": int((offers["kind"] == "byproduct").sum()) if not offers.empty else 0,
           "introductions": {s: int(counts.get(s, 0)) for s in rules.STATUSES},
           "needs_by_capability": [{"capability": c, "label": caps.get(c, c), "needs": n}
                                   for c, n in sorted(by_capability.items(), key=lambda kv: (-kv[1], kv[0]))]}
    if can(viewer, Action.SEE_NETWORK_OUTCOMES) and not intros.empty:
        out["stalled_introductions"] = int(rules.stalled(intros, now=dt.datetime.now()).sum())
    return out


# --- Outcomes (staff) -------------------------------------------------------------------------------------

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


# --- The page ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NetworkPage:
    """Everything /reseau shows to one viewer, already cut by the policy."""

    signed_in: bool
    can_post: bool
    summary: dict
    needs: list[dict]
    offers: list[dict]
    opportunities: list[dict]
    introductions: list[IntroductionView]
    site_options: list[dict]  # the establishments the viewer may post for (staff: none listed, any accepted)
    capability_options: list[dict]
    certification_options: list[dict]
    tile_url: str
    tile_attribution: str
    is_demo: bool
    today: dt.date
    outcomes: Outcomes | None = None  # staff only


def site_options(service: DataService, viewer: Viewer) -> list[dict]:
    sites = _sites(service.snapshot())
    keys = sorted(k for k in viewer.sirets if k in sites.index)
    return [{"label": f"{sites.loc[k, 'name']} – {sites.loc[k, 'commune_name']}", "value": k} for k in keys]


def page(service: DataService, viewer: Viewer) -> NetworkPage:
    look = service.lookups
    return NetworkPage(
        signed_in=viewer.signed_in, can_post=can(viewer, Action.POST_NEED), summary=summary(service, viewer),
        needs=listed_needs(service, viewer), offers=listed_offers(service, viewer),
        opportunities=opportunities(service, viewer), introductions=introductions(service, viewer),
        site_options=site_options(service, viewer), capability_options=capability_options(look.capabilities),
        certification_options=[{"label": lab, "value": c} for c, lab in
                               zip(look.certifications["code"], look.certifications["label"])],
        tile_url=service.settings.tile_url, tile_attribution=service.settings.tile_attribution,
        is_demo=service.snapshot().is_demo, today=today(),
        outcomes=outcomes(service, viewer) if can(viewer, Action.SEE_NETWORK_OUTCOMES) else None)
