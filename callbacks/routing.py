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
    """An empty stand-in for every component with an id on every page, for Dash's callback validation.

    Dash sends the validation layout inside the page's HTML: stand-ins keep it small (the rendered pages,
    with their data, weighed 2 MB).
    """
    from layouts.explorer import table_grid

    # Components that pages create later (the grid appears with the table tab) are listed too.
    pages = [render(service, {}) for render in PAGES.values()] + [table_grid([])]
    return [_stand_in(component) for component in _with_ids(pages)]


def _with_ids(tree) -> list:
    found, stack, seen = [], [tree], set()
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):
            stack.extend(node)
            continue
        component_id = getattr(node, "id", None)
        if isinstance(component_id, str) and component_id not in seen:
            seen.add(component_id)
            found.append(node)
        children = getattr(node, "children", None)
        if children is not None and not isinstance(children, (str, int, float)):
            stack.append(children)
    return found


def _stand_in(component):
    try:
        return type(component)(id=component.id)
    except TypeError:  # a component with other required props keeps them
        return component


def register(app, service: DataService) -> None:
    app.callback(
        Output(ids.PAGE, "children"),
        Output(ids.DATASET_BADGE, "children"),
        Output(ids.NAV, "children"),
        Input(ids.URL, "pathname"),
        State(ids.URL, "search"),
    )(lambda pathname, search: render_page(service, pathname, search))
