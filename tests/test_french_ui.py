"""French and accessible by construction: the page shell, the graph config, every dropdown, every CSV's numbers."""

from __future__ import annotations

import re

from dash import dcc

from dashboard.figures import GRAPH_CONFIG
from layouts.components import DROPDOWN_LABELS


def _walk(node):
    if isinstance(node, (list, tuple)):
        for item in node:
            yield from _walk(item)
        return
    yield node
    children = getattr(node, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and not isinstance(child, (str, int, float)):
            yield from _walk(child)


def test_every_page_is_served_in_french_with_a_skip_link(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="fr">' in html


def test_shell_has_a_skip_link_to_main_and_a_labelled_nav(app):
    from dashboard import ids

    nodes = list(_walk(app.layout))
    skip = [n for n in nodes if getattr(n, "className", None) == "skip-link"]
    assert len(skip) == 1 and skip[0].href == f"#{ids.PAGE}" and skip[0].children == "Aller au contenu"
    assert nodes.index(skip[0]) < next(i for i, n in enumerate(nodes) if type(n).__name__ == "Header")
    main = next(n for n in nodes if type(n).__name__ == "Main")
    assert main.id == ids.PAGE and main.tabIndex == "-1"
    nav = next(n for n in nodes if type(n).__name__ == "Nav")
    assert nav.to_plotly_json()["props"]["aria-label"] == "Navigation principale"


def _rendered_pages(service) -> list:
    """Every public page rendered with its data (reserved pages need a viewer: the browser tests open them)."""
    from dashboard import pages

    reserved = pages.requirements()
    return [render(service, {}) for path, render in pages.renderers().items() if path not in reserved]


def test_every_dropdown_of_every_page_speaks_french(service):
    dropdowns = [n for n in _walk(_rendered_pages(service)) if isinstance(n, dcc.Dropdown)]
    assert len(dropdowns) >= 10  # the explorer's filters alone are more
    for dropdown in dropdowns:
        assert getattr(dropdown, "labels", None) == DROPDOWN_LABELS, getattr(dropdown, "id", None)
    assert DROPDOWN_LABELS["no_options_found"] == "Aucun résultat"
    assert set(DROPDOWN_LABELS) == {"select_all", "deselect_all", "selected_count", "search", "clear_search",
                                    "clear_selection", "no_options_found"}


def test_graph_toolbar_is_french_and_offline():
    assert GRAPH_CONFIG["locale"] == "fr"
    french = GRAPH_CONFIG["locales"]["fr"]
    assert french["dictionary"]["Download plot as a PNG"] == "Télécharger le graphique en PNG"
    assert french["dictionary"]["Reset axes"] == "Réinitialiser les axes"
    assert french["format"]["decimal"] == "," and french["format"]["date"] == "%d/%m/%Y"
    # The cloud buttons upload to plotly's servers: never on a fair's network.
    assert GRAPH_CONFIG["showSendToCloud"] is False and GRAPH_CONFIG["showEditInChartStudio"] is False
    assert {"sendChartToCloud", "editInChartStudio"} <= set(GRAPH_CONFIG["modeBarButtonsToRemove"])
    assert GRAPH_CONFIG["displaylogo"] is False


def test_every_graph_of_every_page_uses_the_one_config(service):
    graphs = [n for n in _walk(_rendered_pages(service)) if isinstance(n, dcc.Graph)]
    interactive = [g for g in graphs if not (getattr(g, "config", None) or {}).get("staticPlot")]
    assert interactive and all(g.config is GRAPH_CONFIG for g in interactive), [g.id for g in interactive]


NUMBER = re.compile(r"[-\u2212]?\d+[.,]\d+")


def test_csv_numbers_are_spreadsheet_numbers(client_as):
    """Every `;` CSV route writes decimal commas and the hyphen-minus a spreadsheet parses."""
    checked = 0
    for route in ("/api/v1/establishments.csv?departement=55", "/api/v1/event/meetings.csv"):
        response = client_as("staff").get(route)
        assert response.status_code == 200, route
        for line in response.get_data(as_text=True).splitlines()[1:]:
            for cell in line.split(";"):
                if NUMBER.fullmatch(cell):
                    assert "." not in cell and "\u2212" not in cell, (route, cell)
                    checked += 1
    assert checked > 0
