"""URL -> page. Each page module exposes render(service, query) -> component tree."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qs

from dash import Input, Output, State

from dashboard import ids, pages
from dashboard.services import DataService
from layouts.components import demo_badge
from layouts.shell import nav_links, not_found


def render_page(service: DataService, pathname: str | None, search: str | None,
                registry: Sequence[pages.Page] = pages.PAGES):
    """The page for `pathname` (404 page when unknown), the dataset badge of the header and the navigation."""
    path = (pathname or "/").rstrip("/") or "/"
    query = parse_qs((search or "").lstrip("?"), keep_blank_values=False)
    page = pages.renderers(registry).get(path)
    snap = service.snapshot()
    badge = demo_badge(snap.is_demo, snap.dataset.label if snap.dataset else "Aucune donnée")
    body = page(service, query) if page else not_found(pathname or "/")
    return body, badge, nav_links(path, pages.nav_entries(registry))


def page_components(service: DataService, registry: Sequence[pages.Page] = pages.PAGES) -> list:
    """Every component with an id on every page (rendered with its data) and those pages create later."""
    rendered = [render(service, {}) for render in pages.renderers(registry).values()]
    rendered += pages.late_components(registry)
    return _with_ids(rendered)


def identified(tree) -> list:
    """The components of `tree` that have an id, each id once."""
    return _with_ids(tree)


def validation_pages(service: DataService, registry: Sequence[pages.Page] = pages.PAGES,
                     components: list | None = None) -> list:
    """An empty stand-in for every component with an id on every page, for Dash's callback validation.

    Dash sends the validation layout inside the page's HTML: stand-ins keep it small (the rendered pages,
    with their data, weighed 2 MB).
    """
    return [_stand_in(component) for component in components or page_components(service, registry)]


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


def register(app, service: DataService, registry: Sequence[pages.Page] = pages.PAGES) -> None:
    app.callback(
        Output(ids.PAGE, "children"),
        Output(ids.DATASET_BADGE, "children"),
        Output(ids.NAV, "children"),
        Input(ids.URL, "pathname"),
        State(ids.URL, "search"),
    )(lambda pathname, search: render_page(service, pathname, search, registry))
