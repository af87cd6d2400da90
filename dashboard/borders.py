"""The Grande Région across the border: the Eurostat GISCO NUTS-3 regions around Lorraine (issue 18).

Read from `data/geo/nuts3.geojson` (built by `data/build_nuts.py`, 1:10 million, NUTS 2024): every region of the
neighbouring countries and French regions but Lorraine's own four. They are the map's context layer, tag a site
abroad with its NUTS-3 region (point in polygon) and say how far a point lies from the border.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import Transformer

from dashboard.paths import DATA_DIR

NUTS_ATTRIBUTION = "Régions NUTS : © EuroGeographics pour les limites administratives (Eurostat – GISCO)"
HOME_COUNTRY = "FR"
# ISO 3166-1 alpha-2 codes of the countries the bundled regions cover, with their French names.
COUNTRIES = {"FR": "France", "LU": "Luxembourg", "DE": "Allemagne", "BE": "Belgique", "CH": "Suisse",
             "NL": "Pays-Bas"}
# The part of a country named beside it in results ("Allemagne (Sarre)"), by NUTS code prefix, first match wins.
_AREAS = (("DEC", "Sarre"), ("DEB", "Rhénanie-Palatinat"), ("DE1", "Bade-Wurtemberg"), ("BE3", "Wallonie"),
          ("CH03", "Suisse du Nord-Ouest"), ("NL42", "Limbourg"))
# Cross-border suppliers are included by default when the origin lies within this distance of a region abroad
# (km): about an hour's drive, the range of everyday cross-border subcontracting (docs/indicators.md).
BORDER_KM = 50.0
_LAEA = "EPSG:3035"  # ETRS89 Lambert azimuthal equal-area (Europe): metres, distances within 0.1 % here


def country_label(country: str | None, nuts3: str | None = None) -> str:
    """A site's country in French, with its region for federal countries: "Luxembourg", "Allemagne (Sarre)"."""
    code = (country or HOME_COUNTRY).upper()
    name = COUNTRIES.get(code, code)
    area = next((label for prefix, label in _AREAS if nuts3 and nuts3.startswith(prefix)), None)
    return f"{name} ({area})" if area else name


@dataclass(frozen=True, eq=False)
class NutsRegions:
    """The bundled NUTS-3 regions: `frame` (code, nom, pays, label_lat, label_lon) and their geometries."""

    frame: pd.DataFrame
    geometries: NDArray[np.object_]  # shapely (Multi)Polygons in lon/lat degrees, aligned with `frame`
    collection: dict  # the GeoJSON as bundled

    @cached_property
    def _projected(self) -> NDArray[np.object_]:
        return shapely.transform(self.geometries, _to_laea)

    @cached_property
    def _tree(self) -> shapely.STRtree:
        return shapely.STRtree(self.geometries)

    @cached_property
    def _abroad(self) -> shapely.Geometry:
        return shapely.union_all(self._projected[(self.frame["pays"] != HOME_COUNTRY).to_numpy()])

    def region_codes(self, lat: ArrayLike, lon: ArrayLike) -> NDArray[np.object_]:
        """The code of the region holding each point (degrees), None outside every bundled region."""
        points = shapely.points(np.asarray(lon, float), np.asarray(lat, float))
        found = np.full(points.shape, None, dtype=object)
        inside, regions = self._tree.query(points, predicate="within")
        codes = self.frame["code"].to_numpy(object)
        found[inside[::-1]] = codes[regions[::-1]]  # the first region when two simplified outlines overlap
        return found

    def km_to_abroad(self, lat: ArrayLike, lon: ArrayLike) -> NDArray[np.float64]:
        """Great-circle-grade distance (km) from each point to the nearest region outside France, 0 inside one."""
        x, y = _TRANSFORMER.transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.asarray(shapely.distance(shapely.points(x, y), self._abroad), float) / 1000.0

    def names(self) -> dict[str, str]:
        return dict(zip(self.frame["code"], self.frame["nom"]))

    def context_layer(self) -> dict:
        """The regions abroad and in the neighbouring French regions as a GeoJSON FeatureCollection for the map,
        each with its code, name and French country label (the map's context layer)."""
        features = []
        for feature in self.collection["features"]:
            props = feature["properties"]
            features.append({"type": "Feature", "geometry": feature["geometry"], "properties": {
                "code": props["code"], "nom": props["nom"], "pays": props["pays"],
                "pays_label": country_label(props["pays"], props["code"])}})
        return {"type": "FeatureCollection", "features": features}

    def bounds(self) -> list[list[float]]:
        """[[south, west], [north, east]] of every bundled region (degrees)."""
        west, south, east, north = shapely.total_bounds(self.geometries)
        return [[float(south), float(west)], [float(north), float(east)]]


_TRANSFORMER = Transformer.from_crs("EPSG:4326", _LAEA, always_xy=True)


def _to_laea(coordinates: NDArray[np.float64]) -> NDArray[np.float64]:
    x, y = _TRANSFORMER.transform(coordinates[:, 0], coordinates[:, 1])
    return np.column_stack([x, y])


def nuts_path(data_dir: Path = DATA_DIR) -> Path:
    return data_dir / "geo" / "nuts3.geojson"


@lru_cache(maxsize=2)
def load_nuts(data_dir: Path = DATA_DIR) -> NutsRegions:
    """The bundled NUTS-3 regions (read once per process)."""
    collection = json.loads(nuts_path(data_dir).read_text(encoding="utf-8"))
    features = collection["features"]
    frame = pd.DataFrame({
        "code": [f["properties"]["code"] for f in features],
        "nom": [f["properties"]["nom"] for f in features],
        "pays": [f["properties"]["pays"] for f in features],
        "label_lon": [float(f["properties"]["label"][0]) for f in features],
        "label_lat": [float(f["properties"]["label"][1]) for f in features],
    })
    geometries = np.asarray([shapely.geometry.shape(f["geometry"]) for f in features], dtype=object)
    return NutsRegions(frame=frame, geometries=geometries, collection=collection)
