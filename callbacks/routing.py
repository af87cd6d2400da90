"""URL -> page. Each page module exposes render(service, query) -> component tree."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qs

from dash import Input, Output, State

from dashboard import ids, pages
from dashboard.policy import Viewer, can
from dashboard.services import DataService
from dashboard.sessions import current_viewer
from layouts.accounts import account_area, restricted_page
from layouts.components import demo_badge
from layouts.shell import nav_links, not_found


def render_page(service: DataService, pathname: str | None, search: str | None,
                registry: Sequence[pages.Page] = pages.PAGES, viewer: Viewer | None = None):
    """The page for `pathname` (404 page when unknown; an invitation to sign in when it is reserved), the
    dataset badge of the header, the navigation and the account corner, all for this request's viewer."""
    viewer = viewer or current_viewer()
    path = (pathname or "/").rstrip("/") or "/"
    query = parse_qs((search or "").lstrip("?"), keep_blank_values=False)
    page = pages.renderers(registry).get(path)
    required = pages.requirements(registry).get(path)
    snap = service.snapshot()
    badge = demo_badge(snap.is_demo, snap.dataset.label if snap.dataset else "Aucune donnée")
    if page is None:
        body = not_found(pathname or "/")
    elif required is not None and not can(viewer, required):
        body = restricted_page(viewer, path)
    else:
        body = page(service, query)
    return body, badge, nav_links(path, pages.nav_entries(registry, viewer)), account_area(viewer)


def page_components(service: DataService, registry: Sequence[pages.Page] = pages.PAGES) -> list:
    """Every component with an id on every page and those pages create later.

    Pages are rendered over a specimen of the data (a few hundred establishments): the same components as with
    the whole dataset (tests/test_validation_layout.py compares them), in well under a second at any scale.
    Pages rendered for some viewers only are not rendered here: their `late_components` stand in."""
    reserved = pages.requirements(registry)
    specimen = service.specimen()
    rendered = [render(specimen, {}) for path, render in pages.renderers(registry).items() if path not in reserved]
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
        Output(ids.ACCOUNT_AREA, "children"),
        Input(ids.URL, "pathname"),
        State(ids.URL, "search"),
    )(lambda pathname, search: render_page(service, pathname, search, registry))
