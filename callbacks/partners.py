"""Partner page adapters: controls -> a PartnerQuery -> the engine -> list, map layers, link and exports."""

from __future__ import annotations

from urllib.parse import urlencode

import dash_leaflet as dl
import pandas as pd
from dash import ClientsideFunction, Input, Output, State, ctx, html, no_update

from dashboard import exports, ids
from dashboard.analytics.filters import SIZE_ORDER, vocabulary_from
from dashboard.analytics.partner_query import PartnerQuery, parse_partner_query, partner_query_params
from dashboard.analytics.partners import PartnerQueryError
from dashboard.analytics.records import export_frame
from dashboard.analytics.text import matches
from dashboard.formatting import fr_date, fr_number
from dashboard.services.partners import OriginError, search_partners
from dashboard.services import DataService
from layouts.components import capability_options
from layouts.partners import PartnerPageView, partners_page, result_item

RESULT_LIMIT = 100
SEARCH_LIMIT = 30


def _site_option(row) -> dict:
    return {"label": f"{row['name']} – {row['commune_name']} ({row['department_code']})", "value": row["public_id"]}


def site_options(service: DataService, text: str | None, selected: str | None) -> list[dict]:
    """Autocomplete: establishments whose name, commune or identifier match `text` (largest first)."""
    frame = service.snapshot().establishments
    keep = frame.iloc[0:0]
    if selected:
        keep = frame[frame["public_id"] == selected]
    if text and len(text.strip()) >= 2:
        digits = text.replace(" ", "")
        by_id = frame["public_id"].str.startswith(digits.upper()) | frame["siret"].fillna("").str.startswith(digits)
        by_text = matches(frame["name"] + " " + frame["commune_name"], text)
        found = frame[by_id | by_text].sort_values("headcount_estimate", ascending=False).head(SEARCH_LIMIT)
        keep = pd.concat([keep, found]).drop_duplicates("public_id")
    return [_site_option(r) for r in keep.to_dict("records")]


def partner_view(service: DataService, query: dict[str, list[str]]) -> PartnerPageView:
    look = service.lookups
    parsed, notices = parse_partner_query(query, vocabulary_from(look), strict=False)
    snap = service.snapshot()
    if parsed.site and snap.establishments["public_id"].eq(parsed.site).sum() == 0:
        notices.append(f"Établissement inconnu ignoré : « {parsed.site} ».")
        parsed = PartnerQuery(**{**parsed.__dict__, "site": None})
    kind = parsed.origin_kind if parsed.origin_kind != "none" else "site"
    communes = look.communes
    naf_divisions = look.naf.drop_duplicates("division_code")
    ds = snap.dataset
    return PartnerPageView(
        query=parsed,
        notices=notices,
        site_options=site_options(service, None, parsed.site),
        commune_options=[{"label": f"{n} ({d})", "value": c, "search": f"{n} {c}"}
                         for c, n, d in zip(communes["code"], communes["name"], communes["department_code"])],
        capability_options=capability_options(look.capabilities),
        naf_options=[{"label": f"{c} – {lab}", "value": c} for c, lab in
                     zip(naf_divisions["division_code"], naf_divisions["division_label"])]
        + [{"label": f"{c} – {lab}", "value": c} for c, lab in zip(look.naf["code"], look.naf["label"])],
        certification_options=[{"label": lab, "value": c} for c, lab in
                               zip(look.certifications["code"], look.certifications["label"])],
        size_options=[{"label": f"{int(r['min_staff']):,} salariés ou plus".replace(",", "\u00a0"), "value": r["code"]}
                      for r in look.size_bands.to_dict("records") if r["code"] in SIZE_ORDER[2:]],
        origin_mode=kind,
        source_line=(f"Source : {ds.source_name} · {fr_date(ds.source_date)}" if ds else "Aucune donnée chargée"),
        tile_url=service.settings.tile_url,
        tile_attribution=service.settings.tile_attribution,
    )


def render(service: DataService, query: dict[str, list[str]]):
    return partners_page(partner_view(service, query))


def query_from_controls(mode, site, commune, point, capabilities, capability_mode, certifications, naf, size_min,
                        member, radius, sort) -> PartnerQuery:
    point = point or {}
    return PartnerQuery(
        site=site if mode == "site" else None,
        commune=commune if mode == "commune" else None,
        lat=point.get("lat") if mode == "point" else None,
        lon=point.get("lon") if mode == "point" else None,
        capabilities=tuple(c for c in (capabilities or []) if not c.startswith("famille:")),
        capability_mode=capability_mode or "all",
        certifications=tuple(certifications or []),
        naf=tuple(naf or []),
        size_min=size_min or None,
        members_only="oui" in (member or []),
        radius_km=float(radius or 40),
        sort=sort or "score",
    )


def _origin_layers(origin, radius_km: float) -> list:
    return [
        dl.Circle(center=[origin.lat, origin.lon], radius=radius_km * 1000, interactive=False,
                  color="#d9731c", weight=2, fillOpacity=0.05, dashArray="6 6"),
        dl.CircleMarker(center=[origin.lat, origin.lon], radius=9, color="#ffffff", weight=3, fillColor="#d9731c",
                        fillOpacity=1, children=dl.Tooltip(f"Départ : {origin.label}")),
    ]


def _bounds(lat: float, lon: float, radius_km: float) -> list[list[float]]:
    import math

    dlat = radius_km / 111.2
    dlon = radius_km / (111.2 * math.cos(math.radians(lat)))
    return [[lat - dlat, lon - dlon], [lat + dlat, lon + dlon]]


def partner_results(service: DataService, query: PartnerQuery):
    """Summary, ranked list, origin layers, result points, map viewport and link parameters for a query."""
    params = dict(partner_query_params(query))
    look = service.lookups
    labels = dict(zip(look.capabilities["code"], look.capabilities["label"]))
    try:
        found = search_partners(service, query, limit=RESULT_LIMIT)
    except (OriginError, PartnerQueryError) as err:
        hint = html.Div(str(err), className="partner-empty")
        return hint, [], [], None, no_update, params, {"display": "none"}, ""
    result, origin = found.result, found.origin
    records = found.records.to_dict("records")
    radius = fr_number(result.radius_km)
    summary = [html.Strong(f"{fr_number(result.total_in_radius)} partenaire(s)"),
               f" dans un rayon de {radius}\u00a0km autour de {origin.label}"]
    if result.total_in_radius > len(records):
        summary.append(f" · les {len(records)} premiers affichés")
    widen_style, widen_label = {"display": "none"}, ""
    if result.next_radius_km:
        summary.append(f" · {fr_number(result.beyond_radius)} autre(s) entre {radius} et "
                       f"{fr_number(result.next_radius_km)}\u00a0km")
        if result.beyond_radius and result.next_radius_km <= 150:
            widen_style, widen_label = {}, f"Élargir à {fr_number(result.next_radius_km)} km"
    items = [result_item(r, capability_labels=labels) for r in records]
    if not items:
        items = [html.Li("Aucun partenaire ne répond à ce besoin dans ce rayon : élargissez le rayon ou "
                         "choisissez « au moins un » savoir-faire.", className="partner-empty")]
    points = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
         "properties": {"rank": r["rank"], "name": r["name"], "km": fr_number(r["distance_km"], 1)}}
        for r in records]}
    viewport = {"bounds": _bounds(origin.lat, origin.lon, result.radius_km), "transition": "flyToBounds"}
    return (html.Span(summary), items, _origin_layers(origin, result.radius_km), points, viewport, params,
            widen_style, widen_label)


def export_partners(service: DataService, params: dict | None, kind: str) -> dict:
    """The shortlist as CSV or XLSX (dashboard.exports), with distances, estimates, score and reasons."""
    query, _ = parse_partner_query({k: [v] for k, v in (params or {}).items()}, vocabulary_from(service.lookups),
                                   strict=False)
    found = search_partners(service, query, limit=None)
    look = service.lookups
    frame = export_frame(found.records, capability_labels=dict(zip(look.capabilities["code"], look.capabilities["label"])),
                         certification_labels=dict(zip(look.certifications["code"], look.certifications["label"])))
    frame.insert(0, "Rang", found.records["rank"].to_numpy())
    frame.insert(3, "Distance (km, vol d'oiseau)", found.records["distance_km"].round(1).to_numpy())
    frame.insert(4, "Distance routière estimée (km)", found.records["road_km_estimate"].round(0).to_numpy())
    frame.insert(5, "Temps de trajet estimé (min)", found.records["drive_min_estimate"].round(0).to_numpy())
    frame.insert(6, "Score", found.records["score"].to_numpy())
    frame.insert(7, "Pourquoi", [" · ".join(w) for w in found.records["why"]])
    stamp = pd.Timestamp.now().strftime("%Y%m%d")
    search = pd.DataFrame({"Recherche": [f"Départ : {found.origin.label}", f"Rayon : {query.radius_km:g} km",
                                         "Lien : /partenaires?" + urlencode(partner_query_params(query))]})
    return exports.download(frame, f"tissu-partenaires-{stamp}", kind, sheet="Partenaires",
                            extra_sheets={"Recherche": search})


def export_or_notice(service: DataService, params: dict | None, kind: str):
    """The download, or no download and a French hint when the query cannot run (no origin chosen yet...)."""
    try:
        return export_partners(service, params, kind), no_update
    except (OriginError, PartnerQueryError) as err:
        return no_update, html.Div(f"Export impossible : {err}", className="partner-empty")


def origin_from_click(mode: str, click: dict | None):
    if mode != "point" or not click or "latlng" not in click:
        return no_update
    lat, lon = click["latlng"]["lat"], click["latlng"]["lng"]
    return {"lat": round(lat, 5), "lon": round(lon, 5)}


CONTROL_INPUTS = [ids.PARTNER_ORIGIN_MODE, ids.PARTNER_ORIGIN_SITE, ids.PARTNER_ORIGIN_COMMUNE]
NEED_INPUTS = [ids.PARTNER_CAPABILITY, ids.PARTNER_CAPABILITY_MODE, ids.PARTNER_CERTIFICATION, ids.PARTNER_NAF,
               ids.PARTNER_SIZE, ids.PARTNER_MEMBER, ids.PARTNER_RADIUS, ids.PARTNER_SORT]


def register(app, service: DataService) -> None:
    app.callback(
        Output(ids.PARTNER_ORIGIN_SITE, "options"),
        Input(ids.PARTNER_ORIGIN_SITE, "search_value"), State(ids.PARTNER_ORIGIN_SITE, "value"),
        prevent_initial_call=True,
    )(lambda text, selected: site_options(service, text, selected) if text else no_update)
    app.callback(
        Output(ids.PARTNER_ORIGIN_POINT, "data"),
        Input(ids.PARTNER_MAP, "clickData"), State(ids.PARTNER_ORIGIN_MODE, "value"), prevent_initial_call=True,
    )(lambda click, mode: origin_from_click(mode, click))
    app.clientside_callback(
        ClientsideFunction(namespace="tissu", function_name="partnerOriginMode"),
        Output("partner-site-box", "style"), Output("partner-commune-box", "style"),
        Output("partner-point-box", "style"), Input(ids.PARTNER_ORIGIN_MODE, "value"),
    )
    app.callback(
        Output(ids.PARTNER_SUMMARY, "children"), Output(ids.PARTNER_LIST, "children"),
        Output(ids.PARTNER_ORIGIN_LAYER, "children"), Output(ids.PARTNER_RESULTS_LAYER, "data"),
        Output(ids.PARTNER_MAP, "viewport"), Output(ids.PARTNER_QUERY, "data"),
        Output(ids.PARTNER_WIDEN, "style"), Output(ids.PARTNER_WIDEN, "children"),
        *[Input(i, "value") for i in CONTROL_INPUTS], Input(ids.PARTNER_ORIGIN_POINT, "data"),
        *[Input(i, "value") for i in NEED_INPUTS],
    )(lambda mode, site, commune, point, *need: partner_results(
        service, query_from_controls(mode, site, commune, point, *need)))
    app.callback(
        Output(ids.PARTNER_RADIUS, "value"), Input(ids.PARTNER_WIDEN, "n_clicks"), State(ids.PARTNER_RADIUS, "value"),
        prevent_initial_call=True,
    )(lambda _n, radius: min(150, 2 * float(radius or 40)))
    app.clientside_callback(
        ClientsideFunction(namespace="tissu", function_name="syncQueryUrl"),
        Output(ids.PARTNER_URL_SYNC, "data"), Input(ids.PARTNER_QUERY, "data"),
    )
    app.callback(
        Output(ids.PARTNER_DOWNLOAD, "data"), Output(ids.PARTNER_SUMMARY, "children", allow_duplicate=True),
        Input(ids.PARTNER_EXPORT_CSV, "n_clicks"), Input(ids.PARTNER_EXPORT_XLSX, "n_clicks"),
        State(ids.PARTNER_QUERY, "data"), prevent_initial_call=True,
    )(lambda _c, _x, params: export_or_notice(service, params,
                                              "csv" if ctx.triggered_id == ids.PARTNER_EXPORT_CSV else "xlsx"))
