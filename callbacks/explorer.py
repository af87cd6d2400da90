"""Home page adapters: build the view from the service and the URL; filtering runs in the browser.

Server callbacks here only do what needs the full records: the card, the table and the exports.
"""

from __future__ import annotations

import pandas as pd
from dash import ClientsideFunction, Input, Output, State, no_update

from dashboard import exports, ids
from dashboard.analytics.filters import SIZE_ORDER, Criteria, filter_mask, parse_criteria, vocabulary_from
from dashboard.analytics.points import point_store
from dashboard.analytics.records import establishment_records, export_frame
from dashboard.analytics.text import TEXT_RULES
from dashboard.formatting import fr_number
from dashboard.services import DataService, Snapshot
from layouts.card import establishment_card
from layouts.components import capability_options
from layouts.explorer import (CHORO_LEGEND, CHORO_LEVELS, CHORO_METRICS, CHORO_PALETTE, DEFAULT_ZOOM, LORRAINE_CENTER,
                              ExplorerView, FilterOptions, explorer_page, table_grid)

TABLE_LIMIT = 10_000
FILTER_INPUTS = [ids.FILTER_Q, ids.FILTER_DEPARTEMENT, ids.FILTER_EPCI, ids.FILTER_ZONE, ids.FILTER_FILIERE,
                 ids.FILTER_DIVISION, ids.FILTER_NAF, ids.FILTER_SIZE, ids.FILTER_CAPABILITY,
                 ids.FILTER_CAPABILITY_MODE, ids.FILTER_CERTIFICATION, ids.FILTER_MEMBER]


def vocabularies(look) -> dict[str, list[str]]:
    """Code lists the point store's integer columns index into."""
    return {
        "filieres": look.filieres["code"].tolist(),
        "departements": look.departments["code"].tolist(),
        "epci": look.epci["code"].tolist(),
        "zones": look.zones["code"].tolist(),
        "communes": look.communes["code"].tolist(),
        "naf": look.naf["code"].tolist(),
        "capabilities": look.capabilities["code"].tolist(),
        "certifications": look.certifications["code"].tolist(),
    }


def lookup_store(look) -> dict:
    """What the browser filter and choropleth need besides the points: territory codes, names and populations
    aligned with the vocabularies, and the constants shared with Python (size order, text rules, legend)."""
    def unit(frame: pd.DataFrame, code_column: str) -> dict:
        population = look.communes.groupby(code_column)["population"].sum()
        return {"codes": frame["code"].tolist(), "pop": [int(population.get(c, 0)) for c in frame["code"]]}
    return {
        "vocabularies": vocabularies(look),
        "communes": {"codes": look.communes["code"].tolist(), "pop": look.communes["population"].astype(int).tolist(),
                     "names": look.communes["name"].tolist()},
        "epci": unit(look.epci, "epci_code"),
        "zones": unit(look.zones, "zone_code"),
        "departements": unit(look.departments, "department_code"),
        "size_order": list(SIZE_ORDER),
        "text": TEXT_RULES,
        "choropleth": {"metrics": CHORO_LEGEND, "palette": CHORO_PALETTE},
    }


def data_key(snap: Snapshot) -> list[int]:
    return [snap.dataset.id, snap.dataset.version] if snap.dataset else [0, 0]


def filter_options(service: DataService, snap: Snapshot) -> FilterOptions:
    """Dropdown options with the number of establishments next to each (computed once per dataset)."""
    look, frame = service.lookups, snap.establishments

    def counted(codes, labels, counts) -> list[dict]:
        return [{"label": f"{label} ({fr_number(counts.get(code, 0))})", "value": code, "search": f"{code} {label}"}
                for code, label in zip(codes, labels)]

    by = lambda column: frame[column].value_counts().to_dict()  # noqa: E731
    caps_count = snap.capability_links["capability_code"].value_counts().to_dict()
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
        sizes=[{"label": f"{r['min_staff']:,} salariés ou plus".replace(",", "\u00a0"), "value": r["code"]}
               for r in sizes.to_dict("records")],
        capabilities=capability_options(look.capabilities, caps_count),
        certifications=counted(look.certifications["code"], look.certifications["label"], certs_count),
    )


def _view_params(query: dict[str, list[str]]) -> tuple[dict, list[str]]:
    """Map centre/zoom, choropleth and selected card from the URL; bad values become notices."""
    out: dict = {}
    notices: list[str] = []
    first = {k: v[0] for k, v in query.items() if v}
    try:
        if "lat" in first or "lon" in first:
            lat, lon = float(first["lat"]), float(first["lon"])
            if not (46.8 <= lat <= 50.6 and 3.5 <= lon <= 9.0):
                raise ValueError
            out["center"] = (lat, lon)
    except (KeyError, ValueError):
        notices.append("Position de carte invalide ignorée (lat/lon).")
    if "zoom" in first:
        try:
            zoom = float(first["zoom"])
            if not 7 <= zoom <= 17:
                raise ValueError
            out["zoom"] = zoom
        except ValueError:
            notices.append(f"Niveau de zoom invalide ignoré : « {first['zoom']} ».")
    if "carte" in first:
        if first["carte"] in dict(CHORO_LEVELS):
            out["choro_level"] = first["carte"]
        else:
            notices.append(f"Découpage de carte inconnu ignoré : « {first['carte']} ».")
    if "indicateur" in first:
        if first["indicateur"] in dict(CHORO_METRICS):
            out["choro_metric"] = first["indicateur"]
        else:
            notices.append(f"Indicateur inconnu ignoré : « {first['indicateur']} ».")
    if "etab" in first:
        out["selected"] = first["etab"][:40]
    return out, notices


def _labels(look) -> tuple[dict, dict, dict]:
    return (dict(zip(look.capabilities["code"], look.capabilities["label"])),
            dict(zip(look.certifications["code"], look.certifications["label"])),
            dict(zip(look.filieres["code"], look.filieres["color"])))


def card_for(service: DataService, public_id: str | None):
    """The card of one establishment of the active dataset, or None when unknown."""
    if not public_id:
        return None
    snap = service.snapshot()
    row = snap.establishments[snap.establishments["public_id"] == public_id]
    if row.empty:
        return None
    record = establishment_records(row, capability_links=snap.capability_links,
                                   certification_links=snap.certification_links, lookups=service.lookups)
    caps, certs, colors = _labels(service.lookups)
    rec = record.iloc[0].to_dict()
    return establishment_card(rec, capability_labels=caps, certification_labels=certs,
                              filiere_color=colors.get(rec["filiere"], "#6b7280"))


def explorer_view(service: DataService, query: dict[str, list[str]] | None = None) -> ExplorerView:
    query = query or {}
    snap = service.snapshot()
    look = service.lookups
    criteria, notices = parse_criteria(query, vocabulary_from(look), strict=False)
    view_params, view_notices = _view_params(query)
    card = card_for(service, view_params.get("selected"))
    if view_params.get("selected") and card is None:
        view_notices.append(f"Établissement introuvable : « {view_params.pop('selected')} ».")
    elif card is not None and "center" not in view_params:  # a link to a card shows its site
        site = snap.establishments[snap.establishments["public_id"] == view_params["selected"]].iloc[0]
        view_params["center"] = (float(site["lat"]), float(site["lon"]))
        view_params.setdefault("zoom", 12.0)
    store = snap.cached("point_store", lambda: point_store(
        snap.establishments, capability_links=snap.capability_links, certification_links=snap.certification_links,
        vocabularies=vocabularies(look), version=data_key(snap)))
    options = snap.cached("filter_options", lambda: filter_options(service, snap))
    ds = snap.dataset
    present = set(snap.establishments["filiere_code"].dropna())
    return ExplorerView(
        options=options,
        criteria=criteria,
        notices=notices + view_notices,
        point_store=store,
        lookup_store=snap.cached("lookup_store", lambda: lookup_store(look)),
        data_version=data_key(snap),
        filiere_legend=[(c, lab) for code, c, lab in zip(look.filieres["code"], look.filieres["color"],
                                                        look.filieres["label"]) if code in present],
        filiere_colors=look.filieres["color"].tolist(),
        source_name=ds.source_name if ds else "aucune donnée chargée",
        source_date=ds.source_date if ds else None,
        is_demo=snap.is_demo,
        total=len(snap.establishments),
        center=view_params.get("center", LORRAINE_CENTER),
        zoom=view_params.get("zoom", DEFAULT_ZOOM),
        choro_level=view_params.get("choro_level", "none"),
        choro_metric=view_params.get("choro_metric", "count"),
        selected=view_params.get("selected"),
        tile_url=service.settings.tile_url,
        tile_attribution=service.settings.tile_attribution,
        card=card,
    )


def render(service: DataService, query: dict[str, list[str]]):
    return explorer_page(explorer_view(service, query))


def selected_records(service: DataService, criteria_params: dict | None) -> tuple[pd.DataFrame, Criteria]:
    """Full records of the establishments matching the browser's criteria (same filters as the map)."""
    snap = service.snapshot()
    params = {k: v if isinstance(v, list) else [v] for k, v in (criteria_params or {}).items() if v not in (None, "")}
    criteria, _ = parse_criteria(params, vocabulary_from(service.lookups), strict=False)
    mask = filter_mask(snap.establishments, criteria, capability_links=snap.capability_links,
                       certification_links=snap.certification_links)
    selected = snap.establishments[mask]
    records = establishment_records(selected, capability_links=snap.capability_links,
                                    certification_links=snap.certification_links, lookups=service.lookups)
    return records, criteria


def table_rows(service: DataService, criteria_params: dict | None) -> tuple[list[dict], str]:
    """Rows for the grid (largest employers first, at most TABLE_LIMIT) and the note above it."""
    records, _ = selected_records(service, criteria_params)
    total = len(records)
    shown = records.sort_values(["headcount_estimate", "name"], ascending=[False, True]).head(TABLE_LIMIT)
    caps, certs, _ = _labels(service.lookups)
    rows = pd.DataFrame({
        "id": shown["id"], "name": shown["name"], "commune_name": shown["commune_name"],
        "departement": shown["departement"], "filiere_label": shown["filiere_label"], "naf": shown["naf"],
        "size_band_label": shown["size_band_label"], "headcount_estimate": shown["headcount_estimate"],
        "capabilities_text": shown["capabilities"].apply(lambda c: ", ".join(caps.get(x, x) for x in c)),
        "certifications_text": shown["certifications"].apply(lambda c: ", ".join(certs.get(x, x) for x in c)),
        "member_text": shown["member"].map({True: "oui", False: "non"}),
    })
    note = f"{fr_number(total)} établissement(s)"
    if total > TABLE_LIMIT:
        note += f" · les {fr_number(TABLE_LIMIT)} plus grands sont affichés, l'export contient tout"
    return rows.to_dict("records"), note


def table_view(service: DataService, criteria_params: dict | None):
    rows, note = table_rows(service, criteria_params)
    return table_grid(rows), note


def export_file(service: DataService, criteria_params: dict | None, kind: str) -> dict:
    """dcc.Download payload of exactly the filtered establishments, as CSV or XLSX (dashboard.exports)."""
    records, _ = selected_records(service, criteria_params)
    caps, certs, _ = _labels(service.lookups)
    frame = export_frame(records, capability_labels=caps, certification_labels=certs)
    stamp = pd.Timestamp.now().strftime("%Y%m%d")
    warning = {"Avertissement": pd.DataFrame(
        {"Avertissement": ["Données de démonstration (fictives) : établissements synthétiques."]})} \
        if service.snapshot().is_demo else {}
    return exports.download(frame, f"tissu-etablissements-{stamp}", kind, sheet="Établissements",
                            extra_sheets=warning)


def on_point_click(service: DataService, click: dict | None, version: list[int] | None):
    """Card of the clicked marker (clusters are ignored: clicking them zooms in)."""
    props = (click or {}).get("properties") or {}
    if props.get("cluster") or "i" not in props:
        return no_update, no_update, no_update
    snap = service.snapshot()
    if version != data_key(snap):
        return "Les données ont changé depuis l'ouverture de la page : rechargez-la.", "card-drawer open", None
    public_id = snap.establishments["public_id"].iloc[int(props["i"])]
    return card_for(service, public_id), "card-drawer open", public_id


def on_row_click(service: DataService, rows: list[dict] | None):
    if not rows:
        return no_update, no_update, no_update
    public_id = rows[0]["id"]
    return card_for(service, public_id), "card-drawer open", public_id


def late_components() -> list:
    """Components the page creates after its first render (the grid appears with the table tab)."""
    return [table_grid([])]


def register(app, service: DataService) -> None:
    fn = lambda name: ClientsideFunction(namespace="tissu", function_name=name)  # noqa: E731
    app.clientside_callback(
        fn("applyFilters"),
        Output(ids.POINTS, "data"), Output(ids.KPI_ESTABLISHMENTS, "children"), Output(ids.KPI_JOBS, "children"),
        Output(ids.KPI_SHARE, "children"), Output(ids.KPI_COMMUNES, "children"), Output(ids.EMPTY_STATE, "style"),
        Output(ids.CRITERIA, "data"),
        *[Input(i, "value") for i in FILTER_INPUTS],
        Input(ids.POINT_STORE, "data"), State(ids.LOOKUP_STORE, "data"),
    )
    app.clientside_callback(
        fn("choropleth"),
        Output(ids.CHORO_LAYER, "url"), Output(ids.CHORO_LAYER, "hideout"), Output(ids.CHORO_LEGEND, "children"),
        Input(ids.CRITERIA, "data"), Input(ids.CHORO_LEVEL, "value"), Input(ids.CHORO_METRIC, "value"),
        State(ids.POINT_STORE, "data"), State(ids.LOOKUP_STORE, "data"),
    )
    app.clientside_callback(
        fn("syncUrl"),
        Output(ids.URL_SYNC, "data"),
        Input(ids.CRITERIA, "data"), Input(ids.MAP, "center"), Input(ids.MAP, "zoom"),
        Input(ids.CHORO_LEVEL, "value"), Input(ids.CHORO_METRIC, "value"), Input(ids.SELECTED, "data"),
    )
    app.clientside_callback(
        fn("resetFilters"),
        *[Output(i, "value", allow_duplicate=True) for i in FILTER_INPUTS],
        Input(ids.RESET, "n_clicks"), prevent_initial_call=True,
    )
    app.clientside_callback(
        fn("switchView"),
        Output(ids.MAP_AREA, "style"), Output(ids.TABLE_AREA, "style"), Output(ids.MAP, "invalidateSize"),
        Input(ids.VIEW_TABS, "value"),
    )
    app.callback(
        Output(ids.CARD_BODY, "children"), Output(ids.CARD, "className"), Output(ids.SELECTED, "data"),
        Input(ids.POINTS, "clickData"), State(ids.DATA_VERSION, "data"), prevent_initial_call=True,
    )(lambda click, version: on_point_click(service, click, version))
    app.callback(
        Output(ids.CARD_BODY, "children", allow_duplicate=True), Output(ids.CARD, "className", allow_duplicate=True),
        Output(ids.SELECTED, "data", allow_duplicate=True),
        Input(ids.TABLE, "selectedRows"), prevent_initial_call=True,
    )(lambda rows: on_row_click(service, rows))
    app.callback(
        Output(ids.CARD, "className", allow_duplicate=True), Output(ids.SELECTED, "data", allow_duplicate=True),
        Input(ids.CARD_CLOSE, "n_clicks"), prevent_initial_call=True,
    )(lambda _: ("card-drawer", None))
    app.callback(
        Output(ids.TABLE_BODY, "children"), Output(ids.TABLE_NOTE, "children"),
        Input(ids.CRITERIA, "data"), Input(ids.VIEW_TABS, "value"),
    )(lambda criteria, tab: table_view(service, criteria) if tab == "tableau" else (no_update, no_update))
    app.callback(
        Output(ids.DOWNLOAD, "data"),
        Input(ids.EXPORT_CSV, "n_clicks"), Input(ids.EXPORT_XLSX, "n_clicks"), State(ids.CRITERIA, "data"),
        prevent_initial_call=True,
    )(lambda _csv, _xlsx, criteria: export_file(service, criteria, _trigger_kind()))


def _trigger_kind() -> str:
    from dash import ctx

    return "csv" if ctx.triggered_id == ids.EXPORT_CSV else "xlsx"

