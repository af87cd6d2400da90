"""URL -> page. Each page module exposes render(service, query) -> component tree."""

from __future__ import annotations

from urllib.parse import parse_qs

from dash import Input, Output, State

from callbacks import coverage, event, explorer, indicators, partners, skills
from dashboard import ids
from dashboard.service import DataService
from layouts.components import demo_badge
from layouts.shell import nav_links, not_found

PAGES = {
    "/": explorer.render,
    "/partenaires": partners.render,
    "/couverture": coverage.render,
    "/reindustrialisation": indicators.render,
    "/fiche": indicators.render_fiche,
    "/competences": skills.render,
    "/evenement": event.render,
    "/evenement/agenda": event.render_agenda,
    "/evenement/kiosque": event.render_kiosk,
}


def render_page(service: DataService, pathname: str | None, search: str | None):
    """The page for `pathname` (404 page when unknown) and the dataset badge of the header."""
    path = (pathname or "/").rstrip("/") or "/"
    query = parse_qs((search or "").lstrip("?"), keep_blank_values=False)
    page = PAGES.get(path)
    snap = service.snapshot()
    badge = demo_badge(snap.is_demo, snap.dataset.label if snap.dataset else "Aucune donnée")
    return (page(service, query) if page else not_found(pathname or "/")), badge, nav_links(path)


def validation_pages(service: DataService) -> list:
    """One rendered instance of every page, for Dash's callback validation."""
    from layouts.explorer import table_grid

    # Components that pages create later (the grid appears with the table tab).
    return [render(service, {}) for render in PAGES.values()] + [table_grid([])]


def register(app, service: DataService) -> None:
    app.callback(
        Output(ids.PAGE, "children"),
        Output(ids.DATASET_BADGE, "children"),
        Output(ids.NAV, "children"),
        Input(ids.URL, "pathname"),
        State(ids.URL, "search"),
    )(lambda pathname, search: render_page(service, pathname, search))
