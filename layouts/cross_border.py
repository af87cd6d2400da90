"""The context layer across the border (issue 18), shared by the maps: NUTS-3 regions and the sites abroad.

Both layers read a per-dataset payload by URL (fetched once, cached: services.cross_border); their style and
tooltips are JavaScript functions of assets/border.js.
"""

from __future__ import annotations

import dash_leaflet as dl
from dash import html

CONTEXT_PANE = "tissu-context"  # below the communes (assets/tissu.css): the regions never hide Lorraine


def context_layers(urls: dict, *, sites_id: str | None = None) -> list:
    """The regions (discreet outlines, name on hover) and, when given, the sites abroad (small squares);
    `sites_id` names the sites' layer where a click on one opens its card (the explorer)."""
    layers: list = []
    if urls.get("border_regions"):
        layers.append(dl.Pane(dl.GeoJSON(url=urls["border_regions"], style={"variable": "tissu.border.regionStyle"},
                                         onEachFeature={"variable": "tissu.border.regionTooltip"}),
                              name=CONTEXT_PANE))
    # A named layer is always there (empty without sites abroad): its click callback must find it.
    if urls.get("border_sites") or sites_id:
        given = {"id": sites_id} if sites_id else {}
        if urls.get("border_sites"):
            given["url"] = urls["border_sites"]
        layers.append(dl.GeoJSON(pointToLayer={"variable": "tissu.border.siteToLayer"}, **given))
    return layers


def context_legend(urls: dict) -> list:
    """The legend's lines for the context layer (items of a legend list)."""
    lines = []
    if urls.get("border_sites"):
        lines.append(html.Li([html.Span(className="swatch border-site-swatch"),
                              "site à l'étranger (non filtré ; détails au survol, fiche au clic)"]))
    if urls.get("border_regions"):
        lines.append(html.Li([html.Span(className="swatch border-region-swatch"), "région NUTS-3 voisine (Eurostat)"]))
    return lines
