"""The context layer across the border (issue 18), shared by the maps: NUTS-3 regions and the sites abroad.

Both layers read a per-dataset payload by URL (fetched once, cached: services.cross_border); their style and
tooltips are JavaScript functions of assets/border.js.
"""

from __future__ import annotations

import dash_leaflet as dl

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
