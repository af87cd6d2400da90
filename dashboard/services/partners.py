"""Run a partner query against the active dataset: resolve the origin, query the engine, build records.

Shared by the partner page and GET /api/v1/partners so both answer the same thing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from dashboard import territory
from dashboard.analytics.filters import SIZE_ORDER, Vocabulary, vocabulary_from
from dashboard.analytics.partner_context import context_capabilities
from dashboard.analytics.partner_query import MATCHES, PartnerQuery, parse_partner_query, partner_query_params
from dashboard.analytics.partners import (
    MEMBER_REASON,
    PartnerCatalog,
    PartnerQueryError,
    PartnerResult,
    partners_near,
)
from dashboard.analytics.purchasing import capabilities_bought
from dashboard.analytics.records import export_frame
from dashboard.analytics.text import rank, search_text
from dashboard.callback_inputs import as_number, as_text, as_texts
from dashboard.formatting import fr_date, short_text
from dashboard.policy import Action, Forbidden, Viewer, can, check_criteria, hidden_fields
from dashboard.reference import load_reference
from dashboard.services import DataService, Snapshot
from dashboard.services.cross_border import PAYLOADS as CONTEXT_PAYLOADS
from dashboard.services.cross_border import (
    context_urls,
    cross_border_catalog,
    foreign_site,
    foreign_sites,
    home_country_columns,
    near_border,
    records_across,
)
from dashboard.services.downloads import ExportFile
from dashboard.services.options import capability_options
from dashboard.services.payloads import EncodedPayload, PayloadBuilder, cached_payload
from dashboard.services.records import records_with


def _of_territory() -> str:
    active = territory.active()
    return "de Lorraine" if active.is_default else active.of_label


class OriginError(ValueError):
    """The origin cannot be resolved (unknown establishment or commune, no origin at all)."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class Origin:
    kind: str  # site, commune or point
    label: str  # French, for the page ("Atelier X, Metz" / "Metz (57)" / "point choisi sur la carte")
    lat: float
    lon: float
    establishment_id: int | None = None
    public_id: str | None = None
    abroad: bool = False  # a site abroad (issue 18): the search then includes the sites abroad by default


def _object_array(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):  # element by element: lists of equal length must not become a 2-D array
        out[i] = value
    return out


@dataclass(frozen=True)
class PartnerSearch:
    origin: Origin
    result: PartnerResult
    records: pd.DataFrame  # establishment records + distance_km, road_km_estimate, drive_min_estimate, score, why
    query: PartnerQuery = PartnerQuery()  # the query as run: a site context's capabilities filled in
    cross_border: bool = False  # whether sites abroad were candidates (the query's choice, else the default)
    cross_border_default: bool = False  # the default for this origin: near the border (services.cross_border)


def catalog_for(service: DataService, snap: Snapshot) -> PartnerCatalog:
    """The partner engine's catalog of the territory's sites for this dataset version, cached on the snapshot:
    the leading part of the cross-border catalog (`PartnerCatalog.territory_part`), not a second build."""
    return snap.cached("partner_catalog", lambda: cross_border_catalog(service, snap).territory_part())


def partner_vocabulary(service: DataService) -> Vocabulary:
    """The codes a partner query may name (the lookup tables'), built once per snapshot, not per request."""
    return service.snapshot().cached("partner_vocabulary", lambda: vocabulary_from(service.lookups))


def _first_position(index: pd.Index, key: str) -> int | None:
    try:
        found = index.get_loc(key)
    except KeyError:
        return None
    if isinstance(found, slice):
        return found.start
    if isinstance(found, np.ndarray):  # a repeated key: a boolean mask
        return int(np.flatnonzero(found)[0])
    return int(found)


def site_position(snap: Snapshot, site: str) -> int | None:
    """The position in `snap.establishments` of the first site whose public id or SIRET is `site`, or None.

    Hash lookups in two indexes built once per data version: comparing the strings of every row took tens of
    milliseconds per query at 1M establishments."""
    public_ids, sirets = snap.cached("site_keys", lambda: (pd.Index(snap.establishments["public_id"]),
                                                           pd.Index(snap.establishments["siret"])))
    found = [p for p in (_first_position(public_ids, site), _first_position(sirets, site)) if p is not None]
    return min(found) if found else None


def _site(service: DataService, snap: Snapshot, site: str) -> tuple[pd.Series, bool] | None:
    """The row of the site `site` names (public id or SIRET in the territory, else public id or registration
    number of a site abroad) and whether it lies abroad; None when unknown."""
    position = site_position(snap, site)
    if position is not None:
        return snap.establishments.iloc[position], False
    row = foreign_site(service, snap, site)
    return None if row is None else (row, True)


def resolve_origin(service: DataService, query: PartnerQuery, snap: Snapshot) -> Origin:
    communes = service.lookups.communes
    if query.site:
        found = _site(service, snap, query.site)
        if found is None:
            raise OriginError("site", f"Établissement inconnu dans le jeu de données actif : « {query.site} ».")
        r, abroad = found
        place = f"{r['commune_name']} ({r['country_label']})" if abroad else r["commune_name"]
        return Origin("site", f"{r['name']}, {place}", float(r["lat"]), float(r["lon"]), int(r["id"]),
                      r["public_id"], abroad=abroad)
    if query.commune:
        row = communes[communes["code"] == query.commune]
        if row.empty:
            raise OriginError("commune", f"Commune inconnue : « {query.commune} » (code INSEE {_of_territory()}).")
        r = row.iloc[0]
        return Origin("commune", f"{r['name']} ({r['department_code']})", float(r["lat"]), float(r["lon"]))
    if query.lat is not None and query.lon is not None:
        return Origin("point", "point choisi sur la carte", query.lat, query.lon)
    raise OriginError("origin", "Choisissez un point de départ : un établissement, une commune ou un point.")


MATCH_LABELS = {"peers": "Pairs : les mêmes savoir-faire que ce site",
                "complementary": "Fournisseurs complémentaires : ce que sa filière achète et qu'il ne fait pas"}
MATCH_SHORT = {"peers": "pairs", "complementary": "fournisseurs complémentaires"}


def site_capabilities(service: DataService, snap: Snapshot, site: str) -> tuple[str, ...] | None:
    """Capability codes a site offers (declared or presumed), taxonomy order; None when the site is unknown."""
    found = _site(service, snap, site)
    return None if found is None else _capabilities_of(service, snap, *found)


def _capabilities_of(service: DataService, snap: Snapshot, row: pd.Series, abroad: bool) -> tuple[str, ...] | None:
    catalog = catalog_for(service, snap)
    if abroad:
        catalog = cross_border_catalog(service, snap)
    position = catalog.position_of(int(row["id"]))
    if position is None:
        return None
    return tuple(c for c, offered in zip(catalog.capability_codes, catalog.capabilities[position]) if offered)


def context_for(service: DataService, snap: Snapshot, site: str | None, match: str | None) -> tuple[str, ...] | None:
    """The capabilities a site's context asks for (`match` peers or complementary), None without a known site.

    Complementary suppliers follow the bundled purchasing model of the site's filière (analytics.purchasing)."""
    if not site or match not in MATCHES:
        return None
    found = _site(service, snap, site)
    owned = None if found is None else _capabilities_of(service, snap, *found)
    if owned is None or found is None:
        return None
    filiere = found[0].get("filiere_code")
    bought = capabilities_bought(load_reference().purchases, None if pd.isna(filiere) else str(filiere))
    look = service.lookups.capabilities
    return context_capabilities(owned, match=str(match), families=dict(zip(look["code"], look["family_code"])),
                                bought=[str(c) for c in bought.index])


def with_context(service: DataService, snap: Snapshot, query: PartnerQuery) -> PartnerQuery:
    """The query with its site context's capabilities ("any" of them) when it names a context but no capability."""
    if query.capabilities:
        return query
    derived = context_for(service, snap, query.site, query.match)
    return replace(query, capabilities=derived, capability_mode="any") if derived else query


def search_partners(service: DataService, query: PartnerQuery, *, viewer: Viewer,
                    limit: int | None = 100) -> PartnerSearch:
    """Partners for `query` in the active dataset, cut to what `viewer` may see. Raises OriginError or
    PartnerQueryError (French messages), Forbidden for a member-only filter."""
    if query.members_only:
        check_criteria(viewer, ["member"])
    snap = service.snapshot()
    origin = resolve_origin(service, query, snap)
    query = with_context(service, snap, query)
    default = origin.abroad or near_border(origin.lat, origin.lon)
    abroad = default if query.cross_border is None else query.cross_border
    catalog = cross_border_catalog(service, snap) if abroad else catalog_for(service, snap)
    countries = "country" in catalog.establishments.columns
    result = partners_near(
        catalog, lat=origin.lat, lon=origin.lon, capabilities=query.capabilities,
        capability_mode=query.capability_mode, certifications=query.certifications,
        wished_certifications=query.wished_certifications, naf_codes=query.naf,
        size_min=query.size_min, members_only=query.members_only, radius_km=query.radius_km,
        exclude_id=origin.establishment_id, sort=query.sort, limit=limit,
        site_columns=("id", "country", "country_label") if countries else ("id",))  # records: records_with
    items = result.items
    why = items["why"].to_numpy()
    if not can(viewer, Action.SEE_MEMBERSHIP):  # the reasons name membership too
        why = _object_array([[w for w in reasons if w != MEMBER_REASON] for reasons in why])
    extra = {"distance_km": items["distance_km"].to_numpy(), "road_km_estimate": items["road_km_estimate"].to_numpy(),
             "drive_min_estimate": items["drive_min_estimate"].to_numpy(), "score": items["score"].to_numpy(),
             "why": why, "matched_capabilities": items["matched_capabilities"].to_numpy(),
             "rank": np.arange(1, len(items) + 1, dtype=np.int64)}
    extra.update({name: items[name].to_numpy(object) for name in ("country", "country_label")} if countries
                 else home_country_columns(len(items)))
    hidden = hidden_fields(viewer)
    records = (records_across(service, snap, items, extra, hidden=hidden) if countries
               else records_with(service, snap, items, extra, hidden=hidden))
    return PartnerSearch(origin, result, records, query, cross_border=abroad, cross_border_default=default)


# --- The partner page: its URL query, the autocomplete, one search's results, the export --------------

RESULT_LIMIT = 100
# Numbered markers on the map: the first ones only. Ten numbers stay legible and match what a reader scans in
# the list before refining; the rest of the shortlist is drawn as small points (issue 15: a pile of 100
# numbered discs hid the map).
NUMBERED_MARKERS = 10
SEARCH_LIMIT = 30
SIZE_CHOICES = SIZE_ORDER[2:]  # "11 salariés ou plus" and above: smaller minimums filter nothing useful
MAX_WIDEN_KM = 150  # the page's slider maximum: no "widen" button beyond


@dataclass(frozen=True)
class PartnerPageView:
    """The page's controls restored from the URL, their options and the notices."""

    query: PartnerQuery
    notices: list[str]
    site_options: list[dict]  # the selected origin establishment, if any (others come from the search callback)
    commune_options: list[dict]  # the selected origin commune, if any (all of them: the payload below)
    commune_options_url: str  # the payload of every commune's option, fetched by the browser
    capability_options: list[dict]
    naf_options: list[dict]
    certification_options: list[dict]
    size_options: list[dict]
    origin_mode: str
    source_line: str
    tile_url: str = ""
    tile_attribution: str = ""
    membership: bool = False  # whether the viewer may filter on UIMM membership
    match_options: tuple[dict, ...] = ()  # the site context choices (peers, complementary, none)
    context_urls: dict = field(default_factory=dict)  # the map's layer across the border (services.cross_border)


def _site_option(row, query: str = "") -> dict:
    where = row["country_label"] if isinstance(row.get("country_label"), str) else row["department_code"]
    label = f"{short_text(row['name'])} – {row['commune_name']} ({where})"
    return {"label": label, "value": row["public_id"], "search": _typed(query, label)}


def _typed(query: str, shown: str) -> str:
    """An option's `search` text once the server has matched and ranked it: the typed words lead, so the
    dropdown's own filter (case-sensitive to accents, substrings of words) keeps every server match."""
    return f"{' '.join(query.lower().split())} {search_text(shown)}".strip()


def site_options(service: DataService, text: str | None, selected: str | None) -> list[dict]:
    """Autocomplete: establishments whose name, commune or identifier match `text`, ranked (exact names first,
    then larger headcounts: analytics.text.rank); the territory's sites, then those abroad."""
    snap = service.snapshot()
    frames = (snap.establishments, foreign_sites(service, snap))
    keep = [frame[frame["public_id"] == selected] for frame in frames] if selected else []
    if text and len(text.strip()) >= 2:
        digits = text.replace(" ", "")
        for frame in frames:
            by_id = frame["public_id"].str.startswith(digits.upper()) | frame["siret"].fillna("").str.startswith(digits)
            keep.append(frame[by_id].sort_values("headcount_estimate", ascending=False, kind="mergesort")
                        .head(SEARCH_LIMIT))  # "DE" matches every demo id: rows are made of the first ones only
        keep += [frame.loc[rank(frame["name"], text, frame["headcount_estimate"], context=frame["commune_name"])]
                 .head(SEARCH_LIMIT) for frame in frames]
    options: dict[str, dict] = {}  # by public id, first match kept: the selected site, then the ranked matches
    for row in (row for part in keep for row in part.to_dict("records")):
        if row["public_id"] not in options and len(options) < SEARCH_LIMIT + bool(selected):
            options[row["public_id"]] = _site_option(row, text or "")
    return list(options.values())


def commune_options(service: DataService, text: str | None, selected: str | None) -> list[dict]:
    """Origin communes matching `text` (name or INSEE code), ranked: exact name, then population, then name."""
    communes = service.lookups.communes
    keep = communes[communes["code"] == selected] if selected else communes.iloc[0:0]
    if text and text.strip():
        by_code = communes[communes["code"].str.startswith(text.strip().upper())]
        found = communes.loc[rank(communes["name"], text, communes["population"])]
        keep = pd.concat([keep, by_code, found]).drop_duplicates("code").head(SEARCH_LIMIT + len(keep))
    return [dict(option, search=_typed(text or "", option["search"])) for option in _commune_options(keep)]


COMMUNES_PAYLOAD = "partner_communes"


def _commune_options(communes: pd.DataFrame) -> list[dict]:
    return [{"label": f"{n} ({d})", "value": c, "search": search_text(n, c)}
            for c, n, d in zip(communes["code"], communes["name"], communes["department_code"])]


def communes_payload(service: DataService) -> EncodedPayload:
    """Every commune as an origin option (about 2,300, ~190 KB): a payload, not part of the page's answer."""
    return cached_payload(service.snapshot(), COMMUNES_PAYLOAD, lambda: _commune_options(service.lookups.communes))


# The page's payloads, served at /data/<name>-<etag>.json (declared in the page registry).
PAYLOADS: dict[str, PayloadBuilder] = {COMMUNES_PAYLOAD: communes_payload, **CONTEXT_PAYLOADS}  # + across the border


def partner_view(service: DataService, query: dict[str, list[str]], viewer: Viewer) -> PartnerPageView:
    """The page state from the URL for this viewer; unknown or reserved values are dropped with a notice."""
    look = service.lookups
    parsed, notices = parse_partner_query(query, partner_vocabulary(service), strict=False)
    membership = can(viewer, Action.SEE_MEMBERSHIP)
    if parsed.members_only and not membership:
        parsed = replace(parsed, members_only=False)
        notices.append("Le filtre « adhérents UIMM » est réservé aux comptes adhérents et à l'équipe UIMM.")
    snap = service.snapshot()
    found = _site(service, snap, parsed.site) if parsed.site else None  # in the territory or abroad
    if parsed.site and found is None:
        notices.append(f"Établissement inconnu ignoré : « {parsed.site} ».")
        parsed = replace(parsed, site=None)
    elif found is not None:  # a SIRET (or registration number) in the link: the dropdown's options hold public ids
        parsed = replace(parsed, site=str(found[0]["public_id"]))
    if parsed.match and not parsed.site:
        notices.append(f"Le contexte « {MATCH_SHORT[parsed.match]} » part d'un établissement : choisissez-en un "
                       "comme point de départ.")
        parsed = replace(parsed, match=None)
    parsed = with_context(service, snap, parsed)  # the dropdown shows the capabilities the context asks for
    kind = parsed.origin_kind if parsed.origin_kind != "none" else "site"
    communes = look.communes
    naf_divisions = look.naf.drop_duplicates("division_code")
    ds = snap.dataset
    return PartnerPageView(
        query=parsed,
        notices=notices,
        membership=membership,
        site_options=site_options(service, None, parsed.site),
        commune_options=_commune_options(communes[communes["code"] == parsed.commune]) if parsed.commune else [],
        commune_options_url=communes_payload(service).url,
        capability_options=capability_options(look.capabilities),
        naf_options=[{"label": f"{c} – {lab}", "value": c} for c, lab in
                     zip(naf_divisions["division_code"], naf_divisions["division_label"])]
        + [{"label": f"{c} – {lab}", "value": c} for c, lab in zip(look.naf["code"], look.naf["label"])],
        certification_options=[{"label": lab, "value": c} for c, lab in
                               zip(look.certifications["code"], look.certifications["label"])],
        size_options=[{"label": f"{int(r['min_staff']):,} salariés ou plus".replace(",", "\u00a0"), "value": r["code"]}
                      for r in look.size_bands.to_dict("records") if r["code"] in SIZE_CHOICES],
        origin_mode=kind,
        source_line=(f"Source : {ds.source_name} · {fr_date(ds.source_date)}" if ds else "Aucune donnée chargée"),
        tile_url=service.settings.tile_url,
        tile_attribution=service.settings.tile_attribution,
        match_options=tuple([{"label": label, "value": value} for value, label in MATCH_LABELS.items()]
                            + [{"label": "Besoin libre : je choisis les savoir-faire", "value": ""}]),
        context_urls=context_urls(service),
    )


def context_choice(service: DataService, match: str | None, site: str | None, mode: str | None):
    """The capabilities and mode a newly chosen site context asks for, or None (nothing to change)."""
    if mode != "site":
        return None
    derived = context_for(service, service.snapshot(), as_text(site), as_text(match))
    return None if derived is None else (list(derived), "any")


def query_from_controls(mode, site, commune, point, capabilities, capability_mode, certifications, naf, size_min,
                        member, radius, sort, wished=None, match=None, cross_border=None) -> PartnerQuery:
    """The query from the page's control values (only the chosen origin mode's origin counts).

    Values arrive as the browser sent them: anything that is not what the control holds counts as unset,
    and the search itself checks codes, ranges and the origin (French messages)."""
    point = point if isinstance(point, dict) else {}
    return PartnerQuery(
        site=as_text(site) if mode == "site" else None,
        commune=as_text(commune) if mode == "commune" else None,
        lat=as_number(point.get("lat")) if mode == "point" else None,
        lon=as_number(point.get("lon")) if mode == "point" else None,
        capabilities=tuple(c for c in as_texts(capabilities) if not c.startswith("famille:")),
        capability_mode=str(capability_mode or "all"),
        certifications=tuple(as_texts(certifications)),
        wished_certifications=tuple(c for c in as_texts(wished) if c not in as_texts(certifications)),
        naf=tuple(as_texts(naf)),
        size_min=str(size_min) if size_min else None,
        members_only="oui" in as_texts(member),
        radius_km=as_number(radius) or 40.0,
        sort=str(sort or "score"),
        match=as_text(match) if mode == "site" and as_text(match) in MATCHES else None,
        cross_border={"1": True, "0": False}.get(as_text(cross_border) or ""),
    )


def bounds_around(lat: float, lon: float, radius_km: float) -> list[list[float]]:
    """[[south, west], [north, east]] of the square circumscribing a circle (degrees; radius in km)."""
    dlat = radius_km / 111.2
    dlon = radius_km / (111.2 * math.cos(math.radians(lat)))
    return [[lat - dlat, lon - dlon], [lat + dlat, lon + dlon]]


@dataclass(frozen=True)
class PartnerResults:
    """One search as the page shows it: the ranked records, the origin, counts in and beyond the radius."""

    search: PartnerSearch
    records: list[dict]  # the first RESULT_LIMIT, ranked
    capability_labels: dict[str, str]
    certification_labels: dict[str, str]
    context: str | None  # French: which site context is applied (None without one)
    bounds: list[list[float]]  # the search circle's box, for the map viewport
    widen_km: float | None  # the next radius worth offering (partners exist beyond), None when none
    params: dict[str, str]


@dataclass(frozen=True)
class PartnerFailure:
    message: str  # French: no origin yet, unknown origin, bad query
    params: dict[str, str]


def partner_results(service: DataService, query: PartnerQuery,
                    viewer: Viewer) -> PartnerResults | PartnerFailure:
    """The ranked partners of a query, or why it cannot run (a French message, never an exception)."""
    params = dict(partner_query_params(query))
    try:
        found = search_partners(service, query, viewer=viewer, limit=RESULT_LIMIT)
    except (OriginError, PartnerQueryError) as err:
        return PartnerFailure(str(err), params)
    except Forbidden as refusal:
        return PartnerFailure(refusal.message, params)
    result, origin = found.result, found.origin
    widen = result.next_radius_km if (result.next_radius_km and result.beyond_radius
                                      and result.next_radius_km <= MAX_WIDEN_KM) else None
    look = service.lookups
    return PartnerResults(search=found, records=found.records.to_dict("records"),
                          capability_labels=dict(zip(look.capabilities["code"], look.capabilities["label"])),
                          certification_labels=dict(zip(look.certifications["code"], look.certifications["label"])),
                          context=context_line(service, query, origin),
                          bounds=bounds_around(origin.lat, origin.lon, result.radius_km), widen_km=widen,
                          params=params)


def context_line(service: DataService, query: PartnerQuery, origin: Origin) -> str | None:
    """Which site context the results follow, in French, or None when the query has none."""
    derived = context_for(service, service.snapshot(), query.site, query.match)
    if derived is None or query.match is None:
        return None
    head = f"Contexte : {MATCH_SHORT[query.match]} de {origin.label}"
    if not derived:
        return f"{head}. Ce site n'a aucun savoir-faire renseigné : aucun savoir-faire n'est filtré."
    if query.capabilities and set(query.capabilities) != set(derived):
        return f"{head}, savoir-faire modifiés à la main ({len(query.capabilities)} choisis)."
    plural = "s" if len(derived) > 1 else ""
    return f"{head} : {len(derived)} savoir-faire recherché{plural}, au moins un par partenaire."


def export_file(service: DataService, params: dict | None, viewer: Viewer) -> ExportFile:
    """The whole shortlist (distances, estimates, score, reasons) and the search. Raises OriginError or
    PartnerQueryError (French messages) when the query cannot run, Forbidden for a member-only filter."""
    query, _ = parse_partner_query({k: [v] for k, v in (params or {}).items()}, partner_vocabulary(service),
                                   strict=False)
    found = search_partners(service, query, viewer=viewer, limit=None)
    look = service.lookups
    records = found.records
    frame = export_frame(records, capability_labels=dict(zip(look.capabilities["code"], look.capabilities["label"])),
                         certification_labels=dict(zip(look.certifications["code"], look.certifications["label"])))
    frame.insert(0, "Rang", records["rank"].to_numpy())
    frame.insert(3, "Distance (km, vol d'oiseau)", records["distance_km"].round(1).to_numpy())
    frame.insert(4, "Distance routière estimée (km)", records["road_km_estimate"].round(0).to_numpy())
    frame.insert(5, "Temps de trajet estimé (min)", records["drive_min_estimate"].round(0).to_numpy())
    frame.insert(6, "Score", records["score"].to_numpy())
    frame.insert(7, "Pourquoi", [" · ".join(w) for w in records["why"]])
    frame["Pays"] = records["country_label"].to_numpy()  # "France", "Luxembourg", "Allemagne (Sarre)"…
    stamp = pd.Timestamp.now().strftime("%Y%m%d")
    search = pd.DataFrame({"Recherche": [f"Départ : {found.origin.label}", f"Rayon : {query.radius_km:g} km",
                                         "Lien : /partenaires?" + urlencode(partner_query_params(query))]})
    return ExportFile(frame, f"tissu-partenaires-{stamp}", sheet="Partenaires", extra_sheets={"Recherche": search})
