"""The context layer across the border (issue 18), shared by the maps: NUTS-3 regions and the sites abroad.

Both layers read a per-dataset payload by URL (fetched once, cached: services.cross_border); their style and
tooltips are JavaScript functions of assets/border.js.
"""

from __future__ import annotations

import dash_leaflet as dl
from dash import html

CONTEXT_PANE = "tissu-context"  # below the communes (assets/tissu.css): the regions never hide Lorraine


def context_layers(urls: dict) -> list:
    """The regions (discreet outlines, name on hover) and, when given, the sites abroad (small squares)."""
    layers: list = []
    if urls.get("border_regions"):
        layers.append(dl.Pane(dl.GeoJSON(url=urls["border_regions"], style={"variable": "tissu.border.regionStyle"},
                                         onEachFeature={"variable": "tissu.border.regionTooltip"}),
                              name=CONTEXT_PANE))
    if urls.get("border_sites"):
        layers.append(dl.GeoJSON(url=urls["border_sites"], pointToLayer={"variable": "tissu.border.siteToLayer"}))
    return layers


def context_legend(urls: dict) -> list:
    """The legend's lines for the context layer (items of a legend list)."""
    lines = []
    if urls.get("border_sites"):
        lines.append(html.Li([html.Span(className="swatch border-site-swatch"),
                              "site à l'étranger (non filtré ; détails au survol)"]))
    if urls.get("border_regions"):
        lines.append(html.Li([html.Span(className="swatch border-region-swatch"), "région NUTS-3 voisine (Eurostat)"]))
    return lines
