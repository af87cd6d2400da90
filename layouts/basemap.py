"""The offline vector basemap shared by every map: communes, department borders, attribution.

Layers live in named panes so their order does not depend on which file downloads first:
base (communes) < choropleth < borders < points (hoverable points over a choropleth) < Leaflet's overlay pane
(circles, other points) < markers; the z-indexes are in assets/tissu.css.
"""

from __future__ import annotations

import dash_leaflet as dl

from dashboard import territory
from dashboard.borders import NUTS_ATTRIBUTION
from dashboard.reference import ATTRIBUTION
from dashboard.services.cross_border import map_bounds

BASE_PANE, CHORO_PANE, BORDERS_PANE = "tissu-base", "tissu-choro", "tissu-borders"
# Points whose tooltips must open over an interactive choropleth: an SVG pane above it, whose empty area lets
# the pointer through to the choropleth (assets/tissu.css), unlike a canvas in the overlay pane.
POINTS_PANE = "tissu-points"


def home_view() -> tuple[list[float], float, list[list[float]]]:
    """The maps' initial view of the territory (`TISSU_TERRITORY`): centre [lat, lon], zoom, max bounds."""
    center, zoom, bounds = territory.active().view()
    return list(center), zoom, [list(corner) for corner in bounds]


def home_center() -> list[float]:
    return home_view()[0]


def home_zoom() -> float:
    return home_view()[1]


def home_bounds() -> list[list[float]]:
    """How far the maps may be panned: the territory's box joined to the cross-border regions' (issue 18)."""
    (south, west), (north, east) = home_view()[2]
    (b_south, b_west), (b_north, b_east) = map_bounds()
    return [[min(south, b_south), min(west, b_west)], [max(north, b_north), max(east, b_east)]]


def geometry_url(layer: str) -> str:
    """URL of a bundled layer; another territory's layers get another URL (browsers cache them for a day)."""
    active = territory.active()
    return f"/geo/{layer}.pbf" if active.is_default else f"/geo/{layer}.pbf?territoire={active.spec}"


def basemap(*, tile_url: str = "", tile_attribution: str = "", communes_id: str | None = None,
            borders_id: str | None = None, choropleth=None) -> list:
    """Tiles (only when configured), communes, an optional choropleth layer, department borders."""
    layers = []
    if tile_url:
        layers.append(dl.TileLayer(url=tile_url, attribution=tile_attribution, opacity=0.6))
    communes = dict(url=geometry_url("communes"), format="geobuf", style={"variable": "tissu.map.communeStyle"},
                    hideout={"tiles": bool(tile_url)}, interactive=False)
    borders = dict(url=geometry_url("departements"), format="geobuf", style={"variable": "tissu.map.departmentStyle"},
                   interactive=False)
    layers.append(dl.Pane(dl.GeoJSON(**communes, **({"id": communes_id} if communes_id else {})), name=BASE_PANE))
    if choropleth is not None:
        layers.append(dl.Pane(choropleth, name=CHORO_PANE))
    layers.append(dl.Pane(dl.GeoJSON(**borders, **({"id": borders_id} if borders_id else {})), name=BORDERS_PANE))
    return layers


def map_controls(*, abroad: bool = False) -> list:
    """Scale and attribution; `abroad`: the map draws the NUTS-3 context layer, whose attribution is added."""
    sources = f"{ATTRIBUTION} · {NUTS_ATTRIBUTION}" if abroad else ATTRIBUTION
    return [
        dl.ScaleControl(position="bottomleft", imperial=False),
        # The default control drops GeoJSON attributions: state the sources as its prefix.
        dl.AttributionControl(position="bottomright", prefix=f"{sources} · Leaflet"),
    ]
