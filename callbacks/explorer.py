"""Home page: builds the page's view model; the points are built in the browser from the store."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output

from dashboard import ids
from dashboard.analytics.points import point_store
from dashboard.analytics.summary import count_by, summarize
from dashboard.formatting import fr_number
from dashboard.service import DataService
from layouts.explorer import ExplorerView, explorer_page


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


def service_key(snap) -> tuple[int, int]:
    return (snap.dataset.id, snap.dataset.version) if snap.dataset else (0, 0)


def explorer_view(service: DataService) -> ExplorerView:
    snap = service.snapshot()
    look = service.lookups
    frame = snap.establishments
    filieres = look.filieres
    counts = count_by(frame, "filiere_code", order=filieres["code"].tolist())
    rows = [(color, label, fr_number(n)) for color, label, n in
            zip(filieres["color"], filieres["label"], counts["establishments"]) if n > 0]
    store = snap.cached("point_store", lambda: point_store(
        frame, capability_links=snap.capability_links, certification_links=snap.certification_links,
        vocabularies=vocabularies(look), version=list(service_key(snap))))
    ds = snap.dataset
    return ExplorerView(
        summary=summarize(frame, total=len(frame)),
        filiere_rows=rows,
        point_store=store,
        filiere_colors=filieres["color"].tolist(),
        source_name=ds.source_name if ds else "aucune donnée chargée",
        source_date=ds.source_date if ds else None,
        is_demo=snap.is_demo,
        tile_url=service.settings.tile_url,
        tile_attribution=service.settings.tile_attribution,
    )


def render(service: DataService, query: dict[str, str]):
    return explorer_page(explorer_view(service))


def register(app, service: DataService) -> None:
    app.clientside_callback(
        ClientsideFunction(namespace="tissu", function_name="buildPoints"),
        Output(ids.POINTS, "data"),
        Input(ids.POINT_STORE, "data"),
    )
