"""The /reseau map: the listed needs and offers as one layer sent with the page, and a selected need's radius
around its buyer with the suppliers and offers it matches. Tooltips are plain text escaped in the browser
(`tissu.network.postToLayer`, assets/network.js)."""

from __future__ import annotations

import dash_leaflet as dl

from dashboard import ids
from dashboard.formatting import fr_date, fr_number
from dashboard.services.partners import PartnerSearch, bounds_around

POINT_TO_LAYER = {"variable": "tissu.network.postToLayer"}


def _feature(lat: float, lon: float, kind: str, tip: str, **extra) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
            "properties": {"kind": kind, "tip": tip, **extra}}


def _need_tip(item: dict) -> str:
    what = " · ".join(item.get("capability_labels", []))
    title = item.get("title") or what
    who = item.get("buyer_name")
    return " – ".join(t for t in (f"Besoin : {title}", who, f"jusqu'au {fr_date(item['deadline'])}") if t)


def posts_geojson(needs: list[dict], offers: list[dict]) -> dict:
    """Needs and offers as points: members' needs at the buyer's site with its name; anonymised (public) needs
    grouped at their commune's centre, never at a site; offers (members only) at the owner's site."""
    features = []
    by_commune: dict[tuple[float, float], list[dict]] = {}
    for item in needs:
        if item.get("lat") is not None:
            features.append(_feature(item["lat"], item["lon"], "need", _need_tip(item), id=item["id"]))
        elif item.get("commune_lat") is not None:
            by_commune.setdefault((item["commune_lat"], item["commune_lon"]), []).append(item)
    for (lat, lon), group in by_commune.items():
        asked = sorted({lab for i in group for lab in i.get("capability_labels", [])})
        count = f"{fr_number(len(group))} besoin" + ("s" if len(group) > 1 else "")
        features.append(_feature(lat, lon, "need", f"{count} à {group[0].get('commune', '')} : {', '.join(asked)}"))
    for o in offers:
        if o.get("lat") is None:
            continue
        what = o.get("capability_label") or o.get("material") or ""
        tip = " – ".join(t for t in (f"Offre : {o['title']}", what, o.get("owner_name"), o.get("quantity")) if t)
        features.append(_feature(o["lat"], o["lon"], "offer", tip, id=o["id"]))
    return {"type": "FeatureCollection", "features": features}


def posts_layer(needs: list[dict], offers: list[dict]) -> dl.GeoJSON:
    return dl.GeoJSON(id=ids.NET_MAP_POSTS, data=posts_geojson(needs, offers), pointToLayer=POINT_TO_LAYER)


def need_focus(item: dict, search: PartnerSearch, offers: list[dict]) -> tuple[list, dict]:
    """A selected need on the map: its radius (a circle around the buyer), its suppliers and the capacity offers
    within reach, and the viewport framing the circle."""
    origin = search.origin
    points = [_feature(r["lat"], r["lon"], "supplier", f"{r['name']} · {fr_number(r['distance_km'], 1)} km · "
                       f"score {fr_number(r['score'])}") for r in search.records.to_dict("records")]
    points += [_feature(o["lat"], o["lon"], "offer", f"Offre : {o['title']} – {o.get('owner_name', '')}")
               for o in offers if o.get("lat") is not None]
    chosen = " – ".join(t for t in (f"Besoin choisi : {item.get('title', '')}", item.get("buyer_name")) if t)
    points.append(_feature(origin.lat, origin.lon, "buyer", chosen, id=item.get("id")))
    layers = [dl.Circle(center=[origin.lat, origin.lon], radius=float(item["radius_km"]) * 1000, interactive=False,
                        color="#c0392b", weight=2, fillOpacity=0.05, dashArray="6 6"),
              dl.GeoJSON(data={"type": "FeatureCollection", "features": points}, pointToLayer=POINT_TO_LAYER)]
    viewport = {"bounds": bounds_around(origin.lat, origin.lon, float(item["radius_km"])),
                "transition": "flyToBounds"}
    return layers, viewport
