"""The network's read models and writes: needs, offers, the suppliers a need matches, introductions.

Listed needs and offers are read once per version of the network tables (services/network_listings.py: the
version is re-read on every call, so a write is seen by the next read of every worker); a need's matched
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
from dashboard.analytics.partner_query import PartnerQuery
from dashboard.formatting import fr_datetime
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
    visible_needs,
)
from dashboard.services import DataService
from dashboard.services.input_rules import site_for_write
from dashboard.services.network_input import NetworkInputError, need_values, offer_values
from dashboard.services.network_listings import (  # noqa: F401  (re-exported: the page, the API, practices)
    _labels,
    _site,
    _sites,
    for_viewer,
    listed_frames,
    listed_needs,
    listed_offers,
    my_needs,
    need_rows,
    needs_for_offer,
    offer_rows,
    offers_for_need,
    tables,
    today,
)
from dashboard.services.network_outcomes import Outcomes, outcomes
from dashboard.services.options import capability_options
from dashboard.services.partners import PartnerSearch, search_partners

MATCH_LIMIT = 50  # suppliers shown for one need (the page and the API)
NetworkInputError = NetworkInputError  # re-exported: callers catch it from here


class NetworkNotFound(LookupError):
    """No need, offer or introduction with this id (or not one the viewer may see); French message."""


def _audit(viewer: Viewer, action: str, address: str) -> repository.AuditRecord:
    return repository.AuditRecord(viewer.user_id, viewer.label or "anonyme", action, "", address=address)


def need(service: DataService, need_id: int, viewer: Viewer) -> dict:
    row = repository.need_by_id(service.engine, need_id)
    items = visible_needs(viewer, for_viewer(viewer, need_rows(service, pd.DataFrame([row])), "buyer_id")) if row \
        else []
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
    return site_for_write(viewer, action, key, find=lambda k: _site(service, k), error=NetworkInputError)


@dataclass(frozen=True)
class _Posted:
    """What differs between a need and an offer when one is posted or changed (the rest is shared)."""

    action: Action
    kind: str  # need, offer: the audit's and the repository's names
    owner: str  # the column naming the establishment
    missing: str  # French, for an id that is not one of the viewer's
    fixed_site: str  # French, for an attempt to move it to another site


_POSTED = {
    "need": _Posted(Action.POST_NEED, "need", "buyer_siret", "Besoin introuvable parmi les vôtres : n° {}.",
                    "Le site d'un besoin ne change pas : publiez-en un nouveau."),
    "offer": _Posted(Action.POST_OFFER, "offer", "owner_siret", "Offre introuvable parmi les vôtres : n° {}.",
                     "Le site d'une offre ne change pas : publiez-en une nouvelle."),
}


def _values(service: DataService, kind: str, raw: dict, *, partial: bool, stored_kind: str | None = None) -> dict:
    look = service.lookups
    capabilities = set(look.capabilities["code"])
    if kind == "need":
        return need_values(raw, capabilities=capabilities, certifications=set(look.certifications["code"]),
                           today=today(), partial=partial)
    return offer_values(raw, capabilities=capabilities, today=today(), kind=stored_kind, partial=partial)


def _create(service: DataService, viewer: Viewer, kind: str, raw: dict, address: str) -> int:
    posted = _POSTED[kind]
    require(viewer, posted.action)
    values = _values(service, kind, raw, partial=False)
    site = _site_for_write(service, viewer, posted.action, raw.get("site"))
    row = {**values, posted.owner: site, "status": values.get("status", "open"), "created_by": viewer.user_id,
           "is_demo": False}
    insert = repository.insert_need if kind == "need" else repository.insert_offer
    return insert(service.engine, row, audit=_audit(viewer, f"{kind}.create", address))


def _change(service: DataService, viewer: Viewer, kind: str, row_id: int, raw: dict, address: str) -> None:
    posted = _POSTED[kind]
    require(viewer, posted.action)
    row = (repository.need_by_id if kind == "need" else repository.offer_by_id)(service.engine, row_id)
    if row is None or not may_act_for(viewer, row[posted.owner]):
        raise NetworkNotFound(posted.missing.format(row_id))
    if isinstance(raw, dict) and "site" in raw:
        raise NetworkInputError("site", posted.fixed_site)
    values = _values(service, kind, raw, partial=True, stored_kind=row.get("kind"))
    if values:
        update = repository.update_need if kind == "need" else repository.update_offer
        update(service.engine, row_id, values, audit=_audit(viewer, f"{kind}.update", address))


def create_need(service: DataService, viewer: Viewer, raw: dict, *, address: str = "") -> int:
    """Post a need; raises Forbidden (not signed in, someone else's site) or NetworkInputError (French)."""
    return _create(service, viewer, "need", raw, address)


def update_need(service: DataService, viewer: Viewer, need_id: int, raw: dict, *, address: str = "") -> None:
    """Change or close (`{"status": "closed"}`) one of the viewer's needs."""
    _change(service, viewer, "need", need_id, raw, address)


# --- Offers ---------------------------------------------------------------------------------------------

def offer(service: DataService, offer_id: int, viewer: Viewer) -> dict:
    row = repository.offer_by_id(service.engine, offer_id) if may_see_offers(viewer) else None
    if row is None:
        raise NetworkNotFound(f"Offre introuvable : n° {offer_id}.")
    return for_viewer(viewer, offer_rows(service, pd.DataFrame([row])), "owner_id")[0]


def create_offer(service: DataService, viewer: Viewer, raw: dict, *, address: str = "") -> int:
    """Post an offer (spare capacity or a by-product); Forbidden or NetworkInputError (French) otherwise."""
    return _create(service, viewer, "offer", raw, address)


def update_offer(service: DataService, viewer: Viewer, offer_id: int, raw: dict, *, address: str = "") -> None:
    """Change or close one of the viewer's offers (its kind and site never change)."""
    _change(service, viewer, "offer", offer_id, raw, address)


# --- Introductions --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class IntroductionView:
    id: int
    requester_id: str
    requester_name: str
    target_id: str
    target_name: str
    origin: str
    origin_label: str
    need_id: int | None
    offer_id: int | None
    meeting_id: int | None
    about: str  # the need's or the offer's title, the meeting's date ("" for a partner search)
    status: str
    status_label: str
    value_band: str  # the order value band once at commande ("" otherwise)
    message: str
    created_at: dt.datetime
    updated_at: dt.datetime
    timeline: list[dict]  # at, status, status_label, reason_label, value_band_label, by
    allowed: list[str]  # statuses the viewer may move it to now
    contacts: list[dict] | None  # None until both sides accepted (never sent before)
    viewer_side: str  # requester, target, staff

    @property
    def need_title(self) -> str:
        return self.about if self.origin == "need" else ""


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
    about = _abouts(service, frame)
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
        band = next((s["value_band"] for s in steps.to_dict("records") if s["value_band"]), "")
        out.append(IntroductionView(
            id=int(row["id"]), requester_id=row["requester_siret"],
            requester_name=_name(sites, row["requester_siret"]), target_id=row["target_siret"],
            target_name=_name(sites, row["target_siret"]), origin=row["origin"],
            origin_label=rules.ORIGINS.get(row["origin"], row["origin"]), need_id=_int_or_none(row["need_id"]),
            offer_id=_int_or_none(row["offer_id"]), meeting_id=_int_or_none(row["meeting_id"]),
            about=about.get(int(row["id"]), ""), status=row["status"], status_label=rules.STATUS_LABELS[row["status"]],
            value_band=band, message=row["message"], created_at=row["created_at"], updated_at=row["updated_at"],
            timeline=timeline, allowed=_allowed(viewer, row), contacts=_contacts(service, row) if shown else None,
            viewer_side=side))
    return out


def _int_or_none(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _name(sites: pd.DataFrame, key: str) -> str:
    return str(sites.loc[key, "name"]) if key in sites.index else ""


def _abouts(service: DataService, frame: pd.DataFrame) -> dict[int, str]:
    """What each introduction is about, by id: its need's or offer's title, or its meeting's date."""
    stored = tables(service)
    needs, offers = stored.needs, stored.offers
    titles = {"need": dict(zip(needs["id"], needs["title"])), "offer": dict(zip(offers["id"], offers["title"]))}
    meetings = repository.meeting_times(service.engine, [int(v) for v in frame["meeting_id"].dropna()])
    out: dict[int, str] = {}
    for row in frame.to_dict("records"):
        ref = _int_or_none(row.get(f"{row['origin']}_id")) if row["origin"] in ("need", "offer", "meeting") else None
        if ref is None:
            continue
        if row["origin"] == "meeting":
            out[int(row["id"])] = f"rendez-vous du {fr_datetime(meetings[ref])}" if ref in meetings else ""
        else:
            out[int(row["id"])] = str(titles[row["origin"]].get(ref, ""))
    return out


def request_introduction(service: DataService, viewer: Viewer, *, requester: str, target: str, origin: str,
                         need_id: int | None = None, offer_id: int | None = None, meeting_id: int | None = None,
                         message: str = "", address: str = "") -> int:
    """Ask, for one of the viewer's establishments, to be introduced to `target`, from a need, an offer, a partner
    search or an event meeting (whose id says which); one open introduction per pair of sites and origin."""
    require(viewer, Action.REQUEST_INTRODUCTION)
    site = _site_for_write(service, viewer, Action.REQUEST_INTRODUCTION, requester)
    other = _site(service, target) if isinstance(target, str) else None
    if other is None:
        raise NetworkInputError("target", f"Établissement inconnu : « {str(target)[:40]} ».")
    if other["id"] == site:
        raise NetworkInputError("target", "Une mise en relation relie deux établissements différents.")
    if origin not in rules.ORIGINS:
        raise NetworkInputError("origin", f"Origine inconnue : « {str(origin)[:20]} ».")
    if not isinstance(message, str) or len(message) > 1000:
        raise NetworkInputError("message", "Message : un texte de 1 000 caractères au plus.")
    refs = _origin_refs(service, origin, need_id=need_id, offer_id=offer_id, meeting_id=meeting_id,
                        sides={site, other["id"]})
    existing = repository.introductions_frame(service.engine, sirets=[site])
    if not existing.empty:
        pair = {site, other["id"]}
        same = existing[[{a, b} == pair for a, b in zip(existing["requester_siret"], existing["target_siret"])]]
        same = same[(same["origin"] == origin) & ~same["status"].isin(list(rules.FINAL))]
        for column, value in refs.items():
            same = same[same[column].eq(value) if value is not None else same[column].isna()]
        if not same.empty:
            raise NetworkInputError("target", f"Une mise en relation avec « {other['name']} » est déjà en cours "
                                    f"(n° {int(same['id'].iloc[0])}, {rules.ORIGINS[origin].lower()}) : suivez-la "
                                    "dans « Mises en relation ».")
    row = {"requester_siret": site, "target_siret": other["id"], "origin": origin, **refs,
           "message": message.strip(), "status": "demandee", "requested_by": viewer.user_id, "is_demo": False}
    return repository.insert_introduction(service.engine, row, by_user=viewer.user_id, by_label=viewer.label,
                                          audit=_audit(viewer, "introduction.request", address))


def askable_meetings(service: DataService, viewer: Viewer, meeting_ids: list[int]) -> frozenset[int]:
    """The event meetings (of these) where one of the viewer's establishments meets another establishment."""
    if not viewer.sirets or not can(viewer, Action.REQUEST_INTRODUCTION):
        return frozenset()
    sides = repository.meeting_sides(service.engine, meeting_ids)
    return frozenset(i for i, pair in sides.items() if len(set(pair)) == 2 and viewer.sirets & set(pair))


def request_from_meeting(service: DataService, viewer: Viewer, meeting_id: int, *, address: str = "") -> int:
    """Ask to be introduced to the other side of an event meeting one of the viewer's establishments had."""
    require(viewer, Action.REQUEST_INTRODUCTION)
    pair = repository.meeting_sirets(service.engine, meeting_id)
    mine = [s for s in pair if s in viewer.sirets]
    if len(set(pair)) != 2 or not mine:
        raise NetworkInputError("meeting_id", f"Le rendez-vous n° {meeting_id} n'est pas l'un des vôtres.")
    other = next(s for s in pair if s != mine[0])
    return request_introduction(service, viewer, requester=mine[0], target=other, origin="meeting",
                                meeting_id=meeting_id, address=address)


def _origin_refs(service: DataService, origin: str, *, need_id, offer_id, meeting_id, sides: set[str]) -> dict:
    """The need, offer or meeting an introduction comes from, checked: it exists, and an offer or a meeting
    is one of the two sites'. French NetworkInputError otherwise."""
    refs = {"need_id": need_id, "offer_id": offer_id, "meeting_id": meeting_id}
    for column, value in refs.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise NetworkInputError(column, f"{column} : identifiant entier attendu.")
    wanted = {"need": "need_id", "offer": "offer_id", "meeting": "meeting_id"}.get(origin)
    stray = [c for c, v in refs.items() if v is not None and c != wanted]
    if stray:
        raise NetworkInputError(stray[0], f"« {stray[0]} » ne s'indique pas pour l'origine « {origin} ».")
    if wanted is None:
        return refs
    ref = refs[wanted]
    if ref is None:
        raise NetworkInputError(wanted, f"Indiquez « {wanted} » pour une mise en relation d'origine « {origin} ».")
    if origin == "need" and repository.need_by_id(service.engine, ref) is None:
        raise NetworkInputError(wanted, f"Besoin introuvable : n° {ref}.")
    if origin == "offer":
        found = repository.offer_by_id(service.engine, ref)
        if found is None or found["owner_siret"] not in sides:
            raise NetworkInputError(wanted, f"Offre introuvable entre ces deux établissements : n° {ref}.")
    if origin == "meeting" and set(repository.meeting_sirets(service.engine, ref)) != sides:
        raise NetworkInputError(wanted, f"Rendez-vous introuvable entre ces deux établissements : n° {ref}.")
    return refs


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
    needs, offers = listed_frames(service, day)
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


def form_options(service: DataService) -> tuple[list[dict], list[dict]]:
    """The options of a need's capabilities (families first, as the partners page) and certifications."""
    look = service.lookups
    return (capability_options(look.capabilities),
            [{"label": lab, "value": c} for c, lab in zip(look.certifications["code"], look.certifications["label"])])


def page(service: DataService, viewer: Viewer) -> NetworkPage:
    capabilities, certifications = form_options(service)
    return NetworkPage(
        signed_in=viewer.signed_in, can_post=can(viewer, Action.POST_NEED), summary=summary(service, viewer),
        needs=listed_needs(service, viewer), offers=listed_offers(service, viewer),
        opportunities=opportunities(service, viewer), introductions=introductions(service, viewer),
        site_options=site_options(service, viewer), capability_options=capabilities,
        certification_options=certifications,
        tile_url=service.settings.tile_url, tile_attribution=service.settings.tile_attribution,
        is_demo=service.snapshot().is_demo, today=today(),
        outcomes=outcomes(service, viewer) if can(viewer, Action.SEE_NETWORK_OUTCOMES) else None)
