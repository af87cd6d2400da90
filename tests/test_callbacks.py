"""Callbacks called as plain functions (no browser)."""

from dash import html

from callbacks.explorer import explorer_view
from callbacks.routing import render_page
from dashboard import ids


def _ids(component) -> set[str]:
    found = set()
    stack = [component]
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):
            stack.extend(node)
            continue
        if getattr(node, "id", None):
            found.add(node.id)
        children = getattr(node, "children", None)
        if children is not None:
            stack.append(children)
    return found


def test_home_page_has_the_map_and_the_point_store(service):
    page, badge = render_page(service, "/", "")
    assert {ids.MAP, ids.POINTS, ids.POINT_STORE, ids.KPI_STRIP, ids.COMMUNES_LAYER} <= _ids(page)
    assert "fictives" in badge.children


def test_unknown_path_renders_a_french_404_page(service):
    page, _ = render_page(service, "/nulle-part", "?x=1")
    assert isinstance(page, html.Div)
    assert page.children[0].children == "Page introuvable"


def test_explorer_view_counts_match_the_dataset(service):
    view = explorer_view(service)
    snap = service.snapshot()
    assert view.summary.establishments == len(snap.establishments)
    assert view.summary.jobs == int(snap.establishments["headcount_estimate"].sum())
    store = view.point_store
    assert len(store["lat"]) == len(store["lon"]) == len(store["n"]) == len(snap.establishments)
    assert min(store["f"]) >= 0 and max(store["f"]) < len(service.lookups.filieres)
    assert 47.8 < min(store["lat"]) and max(store["lat"]) < 49.7
    assert sum(int(r[2].replace("\u00a0", "")) for r in view.filiere_rows) == view.summary.establishments
