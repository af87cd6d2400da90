"""The explorer's read model: filter options, the point and lookup stores, cards and export rows.

The table's blocks of rows are `explorer_table.py`.

The point store and the lookup store depend only on the data: they are payloads (`services/payloads.py`), encoded
once per data version and fetched by the browser from a versioned URL; the page carries only their URLs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import pandas as pd

from dashboard.analytics.filters import SIZE_ORDER, Criteria, parse_criteria
from dashboard.analytics.geodesy import territory_bounds
from dashboard.analytics.points import member_flags, point_store
from dashboard.analytics.text import TEXT_RULES, search_text
from dashboard.callback_inputs import as_number, as_text
from dashboard.formatting import fr_number, short_text
from dashboard.policy import Action, Viewer, can, check_criteria, redact_record, visible_columns
from dashboard.services.base import DataService, Lookups, Snapshot
from dashboard.services.cross_border import context_urls, foreign_record, foreign_site
from dashboard.services.filtering import matching_mask
from dashboard.services.industry_territories import (
    IMPORT_HINT,
    IndustryTerritories,
    filter_vocabulary,
    industry_territories,
)
from dashboard.services.map_clusters import (
    API_PREFIX,
    CLUSTERS_ROUTE,
    UNIT_COLUMNS,
    UNITS_ROUTE,
    server_side,
    unit_population,
    vocabularies,
)
from dashboard.services.options import capability_options
from dashboard.services.partners import site_position
from dashboard.services.payloads import EncodedPayload, PayloadBuilder, cached_payload, restricted
from dashboard.services.records import records_of

# What the choropleth legend and tooltips write for each metric (assets/tissu.js reads them from the lookup store).
CHORO_LEGEND = {
    "count": {"label": "établissements", "decimals": 0, "suffix": ""},
    "jobs": {"label": "emplois estimés", "decimals": 0, "suffix": ""},
    "jobs_per_1000": {"label": "emplois pour 1 000 habitants", "decimals": 1, "suffix": ""},
    "member_share": {"label": "d'adhérents UIMM", "decimals": 0, "suffix": "\u00a0%"},
}
CHORO_PALETTE = ["#eef4f9", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]  # zero, then 5 quantile classes
POINTS_PAYLOAD = "explorer_points"
LOOKUPS_PAYLOAD = "explorer_lookups"
MEMBERS_PAYLOAD = "explorer_members"  # the member flags, only for viewers allowed to see membership
CLIENT_MAP_PAYLOADS = (POINTS_PAYLOAD, MEMBERS_PAYLOAD)  # not sent above the threshold (`map_clusters.server_side`)


@dataclass(frozen=True)
class FilterOptions:
    """Dropdown options (value/label dicts), counts included where cheap."""

    departements: list[dict]
    epci: list[dict]
    zones: list[dict]
    filieres: list[dict]
    divisions: list[dict]
    naf: list[dict]
    sizes: list[dict]
    capabilities: list[dict]
    certifications: list[dict]
    territoires: list[dict] = field(default_factory=list)  # Territoires d'industrie, once the ANCT list is imported
    territoires_hint: str = ""  # how to get them when they are not imported


@dataclass(frozen=True)
class ExplorerData:
    """The data part of the explorer page for one URL query (the layout adds the map view and the card)."""

    options: FilterOptions
    criteria: Criteria
    notices: list[str]
    # "points", "lookups" (, "members") -> the versioned URL the browser fetches; above the client threshold,
    # "clusters" and "units" (the API routes of the view's clusters and choropleth values) instead of "points".
    payload_urls: dict[str, str]
    membership: bool  # whether this viewer may see and filter on UIMM membership
    data_version: list[int]
    filiere_legend: list[tuple[str, str]]  # colour, label
    filiere_colors: list[str]
    source_name: str
    source_date: dt.date | None
    is_demo: bool
    total: int
    context_urls: dict[str, str] = field(default_factory=dict)  # the layer across the border (services.cross_border)


@dataclass(frozen=True)
class CardRecord:
    """One establishment as its card shows it."""

    record: dict
    capability_labels: dict[str, str]
    certification_labels: dict[str, str]
    filiere_color: str
    lat: float
    lon: float


def criteria_bounds(look: Lookups, criteria: Criteria) -> list[list[float]] | None:
    """[[south, west], [north, east]] of the most precise territory the criteria choose (EPCI, then employment
    zone, then department), as assets/tissu.js `fitTerritory` fits the map to it; None when none is chosen."""
    for level, codes in (("epci", criteria.epci), ("zones_emploi", criteria.zones),
                         ("departements", criteria.departements)):
        if codes:
            boxes = [box for box in territory_bounds(look.communes, UNIT_COLUMNS[level], list(codes)) if box]
            if not boxes:
                return None
            return [[min(b[0][0] for b in boxes), min(b[0][1] for b in boxes)],
                    [max(b[1][0] for b in boxes), max(b[1][1] for b in boxes)]]
    return None


def lookup_store(look: Lookups, territories: IndustryTerritories | None = None) -> dict:
    """What the browser filter and choropleth need besides the points: territory codes, names and populations
    aligned with the vocabularies, and the constants shared with Python (size order, text rules, legend)."""
    def unit(level: str) -> dict:
        codes, population = unit_population(look, level)
        return {"codes": codes, "pop": population,  # and the bounds: the map fits a chosen territory
                "bounds": territory_bounds(look.communes, UNIT_COLUMNS[level], codes)}
    return {
        "vocabularies": vocabularies(look),
        "communes": {"codes": look.communes["code"].tolist(), "pop": look.communes["population"].astype(int).tolist(),
                     "names": look.communes["name"].tolist()},
        "epci": unit("epci"),
        "zones": unit("zones_emploi"),
        "departements": unit("departements"),
        "size_order": list(SIZE_ORDER),
        "text": TEXT_RULES,
        "choropleth": {"metrics": CHORO_LEGEND, "palette": CHORO_PALETTE},
        # Territoire d'industrie code -> indices of its communes in vocabularies.communes (the browser filter).
        "territoires": _territory_communes(look, territories),
    }


def _territory_communes(look: Lookups, territories: IndustryTerritories | None) -> dict[str, list[int]]:
    if territories is None:
        return {}
    index = {code: i for i, code in enumerate(look.communes["code"])}
    return {code: sorted(index[c] for c in communes if c in index) for code, communes in territories.communes.items()}


def data_key(snap: Snapshot) -> list[int]:
    return [snap.dataset.id, snap.dataset.version] if snap.dataset else [0, 0]


def point_store_value(service: DataService) -> dict:
    """The compact column store of every active establishment (`analytics/points.py`), once per data version."""
    snap = service.snapshot()
    return snap.cached("point_store", lambda: point_store(
        snap.establishments, capability_links=snap.capability_links, certification_links=snap.certification_links,
        vocabularies=vocabularies(service.lookups), version=data_key(snap)))


def points_payload(service: DataService) -> EncodedPayload:
    return cached_payload(service.snapshot(), POINTS_PAYLOAD, lambda: point_store_value(service))


def lookups_payload(service: DataService) -> EncodedPayload:
    return cached_payload(service.snapshot(), LOOKUPS_PAYLOAD,
                          lambda: lookup_store(service.lookups, industry_territories(service)))


@restricted(Action.SEE_MEMBERSHIP)
def members_payload(service: DataService) -> EncodedPayload:
    snap = service.snapshot()
    return cached_payload(snap, MEMBERS_PAYLOAD, lambda: member_flags(snap.establishments))


# The explorer's payloads, served by the app at /data/<name>-<etag>.json (declared in the page registry).
PAYLOADS: dict[str, PayloadBuilder] = {POINTS_PAYLOAD: points_payload, LOOKUPS_PAYLOAD: lookups_payload,
                                       MEMBERS_PAYLOAD: members_payload}


def filter_options(service: DataService, snap: Snapshot) -> FilterOptions:
    """Dropdown options with the number of establishments next to each (computed once per dataset)."""
    look, frame = service.lookups, snap.establishments
    ti = industry_territories(service)

    def counted(codes, labels, counts) -> list[dict]:
        return [{"label": f"{short_text(label)} ({fr_number(counts.get(code, 0))})", "value": code,
                 "search": search_text(code, short_text(label))} for code, label in zip(codes, labels)]

    by = lambda column: frame[column].value_counts().to_dict()  # noqa: E731
    caps_count = {str(code): int(n) for code, n in snap.capability_links["capability_code"].value_counts().items()}
    certs_count = snap.certification_links["certification_code"].value_counts().to_dict()
    divisions = look.naf.drop_duplicates("division_code")
    division_counts = frame["naf_code"].dropna().str[:2].value_counts().to_dict()
    sizes = look.size_bands[look.size_bands["code"].isin(SIZE_ORDER[2:])]
    return FilterOptions(
        departements=counted(look.departments["code"], [f"{c} {n}" for c, n in zip(look.departments["code"],
                                                                                    look.departments["name"])],
                             by("department_code")),
        epci=counted(look.epci["code"], look.epci["name"], by("epci_code")),
        zones=counted(look.zones["code"], look.zones["name"], by("zone_code")),
        filieres=counted(look.filieres["code"], look.filieres["label"], by("filiere_code")),
        divisions=counted(divisions["division_code"], [f"{c} – {lab}" for c, lab in
                                                       zip(divisions["division_code"], divisions["division_label"])],
                          division_counts),
        naf=counted(look.naf["code"], [f"{c} – {lab}" for c, lab in zip(look.naf["code"], look.naf["label"])],
                    by("naf_code")),
        sizes=[{"label": f"{fr_number(r['min_staff'])} salariés ou plus", "value": r["code"]}
               for r in sizes.to_dict("records")],
        capabilities=capability_options(look.capabilities, caps_count),
        certifications=counted(look.certifications["code"], look.certifications["label"], certs_count),
        territoires=counted(ti.frame["code"], ti.frame["name"], {
            code: int(frame["commune_code"].isin(communes).sum()) for code, communes in ti.communes.items()}),
        territoires_hint="" if ti.imported else IMPORT_HINT,
    )


def explorer_data(service: DataService, query: dict[str, list[str]], viewer: Viewer) -> ExplorerData:
    """Options, criteria parsed from the URL (bad values become notices) and the payload URLs, for this viewer."""
    snap = service.snapshot()
    look = service.lookups
    criteria, notices = parse_criteria(query, filter_vocabulary(service), strict=False)
    membership = can(viewer, Action.SEE_MEMBERSHIP)
    urls = {"lookups": lookups_payload(service).url}
    if server_side(service, snap):  # too many points to send: the map asks the server for its view's clusters
        urls.update(clusters=f"{API_PREFIX}{CLUSTERS_ROUTE}", units=f"{API_PREFIX}{UNITS_ROUTE}")
    else:
        urls["points"] = points_payload(service).url
        if membership:
            urls["members"] = members_payload(service).url
    if not membership and criteria.member is not None:
        criteria = replace(criteria, member=None)
        notices = [*notices, "Le filtre d'adhésion est réservé aux comptes adhérents et à l'équipe UIMM."]
    ds = snap.dataset
    return ExplorerData(
        options=cached_filter_options(service, snap),
        criteria=criteria,
        notices=notices,
        payload_urls=urls,
        context_urls=context_urls(service),
        membership=membership,
        data_version=data_key(snap),
        filiere_legend=cached_filiere_legend(service, snap),
        filiere_colors=look.filieres["color"].tolist(),
        source_name=ds.source_name if ds else "aucune donnée chargée",
        source_date=ds.source_date if ds else None,
        is_demo=snap.is_demo,
        total=len(snap.establishments),
    )


def cached_filter_options(service: DataService, snap: Snapshot) -> FilterOptions:
    return snap.cached("filter_options", lambda: filter_options(service, snap))


def cached_filiere_legend(service: DataService, snap: Snapshot) -> list[tuple[str, str]]:
    return snap.cached("filiere_legend", lambda: _filiere_legend(service.lookups, snap))


def _filiere_legend(look: Lookups, snap: Snapshot) -> list[tuple[str, str]]:
    """(colour, label) of the filières present in the data, in reference order."""
    present = set(snap.establishments["filiere_code"].dropna().unique())
    return [(c, lab) for code, c, lab in zip(look.filieres["code"], look.filieres["color"], look.filieres["label"])
            if code in present]


def labels(look: Lookups) -> tuple[dict, dict, dict]:
    """Capability labels, certification labels and filière colours by code."""
    return (dict(zip(look.capabilities["code"], look.capabilities["label"])),
            dict(zip(look.certifications["code"], look.certifications["label"])),
            dict(zip(look.filieres["code"], look.filieres["color"])))


def card_record(service: DataService, public_id: str | None, viewer: Viewer) -> CardRecord | None:
    """The card data of one establishment of the active dataset (cut to the viewer), in the territory or abroad
    (then with its country, region and registration number), or None when unknown."""
    if not public_id:
        return None
    snap = service.snapshot()
    position = site_position(snap, public_id)  # a hash lookup, not a scan of every site's id
    if position is not None:
        row = snap.establishments.iloc[[position]]
        record = records_of(service, snap, row).iloc[0].to_dict()
        lat, lon = float(row["lat"].iloc[0]), float(row["lon"].iloc[0])
    else:
        site = foreign_site(service, snap, public_id)
        if site is None:
            return None
        record, lat, lon = foreign_record(service, snap, site), float(site["lat"]), float(site["lon"])
    caps, certs, colors = labels(service.lookups)
    rec = redact_record(viewer, record)
    return CardRecord(rec, caps, certs, colors.get(rec["filiere"], "#6b7280"), lat, lon)


def clicked_point(click) -> int | None:
    """The point-store index of a clicked marker (a map click's `clickData`), None for a cluster or anything else."""
    props = click.get("properties") if isinstance(click, dict) else None
    if not isinstance(props, dict) or props.get("cluster"):
        return None
    index = as_number(props.get("i"))
    return int(index) if index is not None and index.is_integer() else None


def selected_row_id(rows) -> str | None:
    """The public id of the first selected table row (the grid's `selectedRows`), None when there is none."""
    first = rows[0] if isinstance(rows, list) and rows else None
    return as_text(first.get("id")) if isinstance(first, dict) else None


def public_id_at(service: DataService, index: int, version: list[int] | None) -> str | None:
    """The establishment at position `index` of the point store of data `version`; None when the data changed."""
    snap = service.snapshot()
    if version != data_key(snap) or not 0 <= index < len(snap.establishments):
        return None
    return str(snap.establishments["public_id"].iloc[index])


def selected_records(service: DataService, criteria_params: dict | None,
                     viewer: Viewer) -> tuple[pd.DataFrame, Criteria]:
    """Records of the establishments matching the browser's criteria (same filters as the map), with only the
    fields this viewer may see; Forbidden when a criterion is reserved (the member filter)."""
    snap = service.snapshot()
    params = {k: v if isinstance(v, list) else [v] for k, v in (criteria_params or {}).items() if v not in (None, "")}
    criteria, _ = parse_criteria(params, filter_vocabulary(service), strict=False)
    if criteria.member is not None:
        check_criteria(viewer, ["member"])
    mask = matching_mask(service, snap, criteria)
    selected = snap.establishments[mask]
    records = records_of(service, snap, selected)
    return records[visible_columns(viewer, records.columns)], criteria


def establishment_names(service: DataService, keys: tuple[str, ...]) -> dict[str, str]:
    """Names of the active dataset's establishments by SIRET or public id (an account's establishments)."""
    frame = service.snapshot().establishments
    found = frame[frame["public_id"].isin(keys) | frame["siret"].isin(keys)]
    names = dict(zip(found["public_id"], found["name"]))
    names.update({s: n for s, n in zip(found["siret"], found["name"]) if s})
    return {k: names[k] for k in keys if k in names}
