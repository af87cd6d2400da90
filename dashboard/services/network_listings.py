"""The network's listed needs and offers, read once per version of their tables and matched with numpy.

The version is `repository.network_version` (rows, highest id and last change of each table), read on every
call: a write made by any worker changes it, so the next read of every worker sees it (no wait for the
snapshot's periodic check). The tables, and the listed needs and offers of a day (expiry is by calendar day),
are built once per (dataset snapshot, network version, day) and kept in a small bounded LRU in the snapshot
(`services/cache.py`), shared by every viewer; the viewer's cut (`mine`, the public's anonymisation) is applied
per call on the shared items. Offers near a need and needs an offer reaches are one numpy pass over the
positions of the rows holding the capability (`analytics.network.nearest_within`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard import repository
from dashboard.analytics import network as rules
from dashboard.policy import Viewer, may_act_for, may_see_offers, visible_needs
from dashboard.services import DataService, Snapshot
from dashboard.services.cache import BoundedCache, normalised_key

VERSIONS_KEPT = 6  # network tables / listings kept per snapshot (the current version, its day, a few before)


def today() -> dt.date:
    return dt.date.today()


def _sites(snap: Snapshot) -> pd.DataFrame:
    """Active establishments by key (public id, and SIRET when it differs): name, commune, territory, point."""
    def build() -> pd.DataFrame:
        e = snap.establishments
        cols = ["public_id", "siret", "name", "commune_code", "commune_name", "department_code", "zone_code",
                "filiere_code", "address", "lat", "lon"]
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


def _commune_point(towns: pd.DataFrame, site: dict | None) -> dict:
    """The centre of the site's commune: where the public sees an anonymised need (never the site's own point)."""
    if site is None or site["commune_code"] not in towns.index:
        return {"commune_lat": None, "commune_lon": None}
    town = towns.loc[site["commune_code"]]
    return {"commune_lat": float(town["lat"]), "commune_lon": float(town["lon"])}


def _territory(zones: dict[str, str], site: dict | None) -> str:
    return f"{zones.get(site['zone_code'], '')} ({site['department_code']})" if site is not None else ""


def need_rows(service: DataService, frame: pd.DataFrame) -> list[dict]:
    """Needs as the page and the API show them, before the viewer's cut (`mine` is set by `for_viewer`)."""
    caps, certs, zones = _labels(service)
    towns = service.lookups.communes.set_index("code")
    items = []
    for r, site in zip(frame.to_dict("records"), _sites_of(service, frame["buyer_siret"]) if len(frame) else []):
        codes = rules.codes(r["capabilities"])
        items.append({
            "id": int(r["id"]), "title": r["title"], "description": r["description"],
            "buyer_id": r["buyer_siret"], "buyer_name": site["name"] if site is not None else "",
            "commune": site["commune_name"] if site is not None else "",
            "department_code": site["department_code"] if site is not None else "",
            "territory": _territory(zones, site),
            "lat": float(site["lat"]) if site is not None else None,
            "lon": float(site["lon"]) if site is not None else None,
            **_commune_point(towns, site),
            "capabilities": list(codes), "capability_labels": [caps.get(c, c) for c in codes],
            "certifications_required": list(rules.codes(r["certifications_required"])),
            "certifications_wished": list(rules.codes(r["certifications_wished"])),
            "certification_labels": [certs.get(c, c) for c in rules.codes(r["certifications_required"])],
            "quantity": r["quantity"], "radius_km": float(r["radius_km"]), "deadline": r["deadline"],
            "visibility": r["visibility"], "status": r["status"], "is_demo": bool(r["is_demo"]),
            "updated_at": r["updated_at"], "mine": False,
        })
    return items


def offer_rows(service: DataService, frame: pd.DataFrame) -> list[dict]:
    """Offers as the page and the API show them, before the viewer's cut (`mine` is set by `for_viewer`)."""
    caps, _, zones = _labels(service)
    items = []
    for r, site in zip(frame.to_dict("records"), _sites_of(service, frame["owner_siret"]) if len(frame) else []):
        items.append({
            "id": int(r["id"]), "kind": r["kind"], "title": r["title"], "description": r["description"],
            "owner_id": r["owner_siret"], "owner_name": site["name"] if site is not None else "",
            "commune": site["commune_name"] if site is not None else "",
            "territory": _territory(zones, site),
            "lat": float(site["lat"]) if site is not None else None,
            "lon": float(site["lon"]) if site is not None else None,
            "capability": r["capability_code"], "capability_label": caps.get(r["capability_code"] or "", ""),
            "material": r["material"], "quantity": r["quantity"], "available_from": r["available_from"],
            "available_until": r["available_until"], "status": r["status"], "is_demo": bool(r["is_demo"]),
            "mine": False,
        })
    return items


def for_viewer(viewer: Viewer, items: list[dict], owner: str) -> list[dict]:
    """Copies of shared items with `mine` set for this viewer (the establishment in `owner` is one of theirs)."""
    if not viewer.signed_in:
        return [dict(i) for i in items]
    return [{**i, "mine": may_act_for(viewer, i[owner])} for i in items]


# --- Cached per network version ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Tables:
    """Every need and offer (newest first), as stored."""

    needs: pd.DataFrame
    offers: pd.DataFrame


@dataclass(frozen=True)
class Listed:
    """The needs or offers listed on one day, shared by every viewer, with what matching needs."""

    items: list[dict]  # need_rows / offer_rows, `mine` False
    points: rules.PointSet  # each item's site
    by_capability: dict[str, np.ndarray]  # capability -> positions (needs: asked; offers: capacity offered)
    radius_km: np.ndarray  # needs: each need's radius; offers: empty


def _cache(service: DataService) -> tuple[BoundedCache, tuple]:
    snap = service.snapshot()
    holder = snap.cached("network_reads", lambda: BoundedCache(VERSIONS_KEPT))
    return holder, repository.network_version(service.engine)


def tables(service: DataService) -> Tables:
    holder, version = _cache(service)
    return holder.get_or_build(normalised_key("tables", repr(version)), lambda: Tables(
        repository.needs_frame(service.engine), repository.offers_frame(service.engine)))


def _listed(frame: pd.DataFrame, until: str, on: dt.date) -> pd.DataFrame:
    if frame.empty:
        return frame
    return frame[rules.listed_mask(frame["status"], frame[until], today=on)]


def listed_frames(service: DataService, on: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The open needs and offers of day `on` (not expired), as stored."""
    t = tables(service)
    return _listed(t.needs, "deadline", on), _listed(t.offers, "available_until", on)


def _build_listed(service: DataService, kind: str, on: dt.date) -> Listed:
    needs, offers = listed_frames(service, on)
    if kind == "needs":
        items = need_rows(service, needs)
        asked = [i["capabilities"] for i in items]
        radius = np.array([i["radius_km"] for i in items], dtype=float)
    else:
        items = offer_rows(service, offers)
        asked = [[i["capability"]] if i["kind"] == "capacity" and i["capability"] else [] for i in items]
        radius = np.array([], dtype=float)
    lat = [np.nan if i["lat"] is None else i["lat"] for i in items]
    lon = [np.nan if i["lon"] is None else i["lon"] for i in items]
    return Listed(items, rules.PointSet(lat, lon), rules.positions_by_code(asked), radius)


def listed(service: DataService, kind: str, on: dt.date) -> Listed:
    """The listed needs (`kind` needs) or offers (offers) of day `on`, built once per network version."""
    holder, version = _cache(service)
    return holder.get_or_build(normalised_key(kind, repr(version), on.isoformat()),
                               lambda: _build_listed(service, kind, on))


# --- What the services expose -------------------------------------------------------------------------------

def listed_needs(service: DataService, viewer: Viewer, *, on: dt.date | None = None) -> list[dict]:
    """Open needs whose deadline has not passed, cut to the viewer (the public: public needs, anonymised)."""
    return visible_needs(viewer, for_viewer(viewer, listed(service, "needs", on or today()).items, "buyer_id"))


def my_needs(service: DataService, viewer: Viewer) -> list[dict]:
    """Every need (open, closed or expired) of the establishments the viewer speaks for."""
    if not viewer.sirets:
        return []
    needs = tables(service).needs
    return for_viewer(viewer, need_rows(service, needs[needs["buyer_siret"].isin(viewer.sirets)]), "buyer_id")


def listed_offers(service: DataService, viewer: Viewer, *, on: dt.date | None = None) -> list[dict]:
    """Open offers still available (members and staff; the public gets counts only: summary)."""
    if not may_see_offers(viewer):
        return []
    return for_viewer(viewer, listed(service, "offers", on or today()).items, "owner_id")


def _positions(found: Listed, codes: list[str]) -> np.ndarray:
    parts = [found.by_capability[c] for c in dict.fromkeys(codes) if c in found.by_capability]
    return np.unique(np.concatenate(parts)) if parts else np.array([], dtype=np.intp)


def offers_for_need(service: DataService, item: dict, viewer: Viewer, *, on: dt.date | None = None) -> pd.DataFrame:
    """Listed capacity offers within a need's radius that offer one of its capabilities, nearest first, with
    `distance_km`."""
    if not may_see_offers(viewer) or item.get("lat") is None:
        return pd.DataFrame()
    found = listed(service, "offers", on or today())
    near, km = rules.nearest_within(found.points, _positions(found, item["capabilities"]), lat=item["lat"],
                                    lon=item["lon"], radius_km=float(item["radius_km"]))
    rows = for_viewer(viewer, [found.items[p] for p in near], "owner_id")
    return pd.DataFrame([{**r, "distance_km": float(d)} for r, d in zip(rows, km)])


def needs_for_offer(service: DataService, item: dict, viewer: Viewer, *, on: dt.date | None = None) -> list[dict]:
    """Listed needs (as the viewer sees them) asking for a capacity offer's capability within their radius,
    nearest first, with `distance_km`."""
    if not may_see_offers(viewer) or item.get("lat") is None or item.get("kind") != "capacity":
        return []  # the public never sees the site of a need (nor offers): nothing to match
    found = listed(service, "needs", on or today())
    near, km = rules.nearest_within(found.points, _positions(found, [item["capability"]]), lat=item["lat"],
                                    lon=item["lon"], radius_km=found.radius_km)
    rows = visible_needs(viewer, for_viewer(viewer, [found.items[p] for p in near], "buyer_id"))
    return [{**r, "distance_km": float(d)} for r, d in zip(rows, km)]
