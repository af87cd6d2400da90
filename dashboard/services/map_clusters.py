"""Server-side clusters of the explorer's map, for datasets above `Settings.client_points_max` establishments.

Below the threshold the browser receives every point (the point store) and filters and clusters them itself
(assets/tissu.js, assets/clusters.js). Above it, the page carries no point store: the browser sends its view
(bounds, zoom) and filters, and gets here the clusters of that view, computed with the same filter definition
(`filter_mask`, through `services/filtering.py`) and the same grid (`analytics/clusters.py`, cells of
`CLUSTERS["radius"]` pixels) on the same rounded coordinates as the point store, so every count equals the one
the browser would have drawn.

Caching: the projected coordinates and each zoom's cells once per data version (`Snapshot.cached`); the
selection of one set of filters (indices, totals) and its per-cell totals at one zoom in the bounded LRU
(`Snapshot.lru`), keyed by the data version, the normalised criteria and the integer zoom.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard.analytics.clusters import (
    CellTotals,
    Grid,
    ViewBox,
    cell_totals,
    grid_cells,
    mercator_x,
    mercator_y,
    totals_in_view,
)
from dashboard.analytics.filters import Criteria
from dashboard.analytics.points import code_index
from dashboard.analytics.text import normalize
from dashboard.policy import MEMBER_ONLY_METRICS, Viewer, check_criteria
from dashboard.services.base import DataService, Lookups, Snapshot
from dashboard.services.filtering import matching_mask

# Grid cells of `radius` screen pixels per integer zoom up to `maxZoom`; beyond it every point is a marker.
# Sent to assets/clusters.js in the point layer's hideout: one definition for both sides.
CLUSTERS = {"radius": 60, "maxZoom": 12}
API_PREFIX, CLUSTERS_ROUTE, UNITS_ROUTE = "/api/v1", "/map/clusters", "/map/units"  # dashboard/api/map_view.py
DEFAULT_BOUNDS, DEFAULT_ZOOM = (47.4, 3.9, 50.1, 8.4), 8.5  # the explorer's first view at 1600 px (warm-up)
MAX_ZOOM = 20  # the map's own maximum is 17; beyond this a request is refused
MAX_POINTS = 20_000  # single markers in one answer beyond `maxZoom` (a view at zoom 13 holds a few thousand)
UNIT_COLUMNS = {"communes": "commune_code", "epci": "epci_code", "zones_emploi": "zone_code",
                "departements": "department_code"}
_UNIT_VOCABULARY = {"communes": "communes", "epci": "epci", "zones_emploi": "zones", "departements": "departements"}


def server_side(service: DataService, snap: Snapshot | None = None) -> bool:
    """Whether the map of this dataset is clustered on the server (more establishments than the setting)."""
    snap = snap or service.snapshot()
    return len(snap.establishments) > service.settings.client_points_max


@dataclass(frozen=True)
class MapColumns:
    """Per data version: the point store's coordinates (rounded to 5 decimals), projected, and its codes."""

    lat: np.ndarray
    lon: np.ndarray
    x: np.ndarray
    y: np.ndarray
    filiere: np.ndarray  # index into the filière vocabulary, -1 when none
    jobs: np.ndarray  # headcount estimate, 0 when unknown
    member: np.ndarray  # 1 for UIMM members
    units: dict[str, np.ndarray]  # level -> index into that level's vocabulary (-1 when none)


@dataclass(frozen=True)
class Selection:
    """The establishments matching one set of filters (indices into the snapshot's frame, ascending)."""

    indices: np.ndarray
    jobs: int
    communes: int


@dataclass(frozen=True)
class MapView:
    """What the map and the KPI strip show for one view: GeoJSON features and the exact totals of the filters."""

    features: list[dict]
    count: int  # establishments matching the filters, whole territory
    total: int  # active establishments of the dataset
    jobs: int
    communes: int


def vocabularies(look: Lookups) -> dict[str, list[str]]:
    """Code lists the point store's integer columns index into."""
    return {
        "filieres": look.filieres["code"].tolist(),
        "departements": look.departments["code"].tolist(),
        "epci": look.epci["code"].tolist(),
        "zones": look.zones["code"].tolist(),
        "communes": look.communes["code"].tolist(),
        "naf": look.naf["code"].tolist(),
        "capabilities": look.capabilities["code"].tolist(),
        "certifications": look.certifications["code"].tolist(),
    }


def unit_population(look: Lookups, level: str) -> tuple[list[str], list[int]]:
    """The codes of a choropleth level (as the vocabulary orders them) and each unit's population."""
    if level == "communes":
        return look.communes["code"].tolist(), look.communes["population"].astype(int).tolist()
    column, frame = UNIT_COLUMNS[level], {"epci": look.epci, "zones_emploi": look.zones,
                                          "departements": look.departments}[level]
    population = look.communes.groupby(column)["population"].sum()
    codes = frame["code"].tolist()
    return codes, [int(population.get(c, 0)) for c in codes]


def map_columns(service: DataService, snap: Snapshot) -> MapColumns:
    def build() -> MapColumns:
        frame, vocab = snap.establishments, vocabularies(service.lookups)
        lat = np.round(frame["lat"].to_numpy(float), 5)
        lon = np.round(frame["lon"].to_numpy(float), 5)
        return MapColumns(lat=lat, lon=lon, x=mercator_x(lon), y=mercator_y(lat),
                          filiere=code_index(frame["filiere_code"], vocab["filieres"]),
                          jobs=frame["headcount_estimate"].fillna(0).astype(np.int64).to_numpy(),
                          member=frame["is_member"].astype(bool).to_numpy().astype(np.int64),
                          units={level: code_index(frame[column], vocab[_UNIT_VOCABULARY[level]])
                                 for level, column in UNIT_COLUMNS.items()})
    return snap.cached("map_columns", build)


def _grid(service: DataService, snap: Snapshot, zoom: int) -> Grid:
    cols = map_columns(service, snap)
    return snap.cached(f"map_grid:{zoom}", lambda: grid_cells(cols.x, cols.y, zoom=zoom, radius=CLUSTERS["radius"]))


def criteria_key(criteria: Criteria) -> tuple:
    """The criteria as a normalised cache key: code lists sorted, the search text normalised, defaults kept."""
    def part(name: str, value):
        if name == "q":
            return normalize(value)
        return tuple(sorted(value)) if isinstance(value, tuple) else value
    return tuple((name, part(name, value)) for name, value in sorted(vars(criteria).items()))


def selection(service: DataService, snap: Snapshot, criteria: Criteria) -> Selection:
    """The indices matching `criteria` (the one definition, `filter_mask`) and their totals, in the LRU."""
    def build() -> Selection:
        mask = matching_mask(service, snap, criteria)
        indices = np.flatnonzero(mask)
        cols = map_columns(service, snap)
        communes = cols.units["communes"][indices]
        # Distinct communes by counting per commune index (a bincount, not a sort); -1 (none) is no commune.
        present = np.count_nonzero(np.bincount(communes[communes >= 0])) + bool((communes < 0).any())
        return Selection(indices, int(cols.jobs[indices].sum()), int(present))
    return snap.lru(("map_selection", snap.versions.dataset, criteria_key(criteria)), build)


def _totals(service: DataService, snap: Snapshot, criteria: Criteria, zoom: int) -> CellTotals:
    def build() -> CellTotals:
        cols = map_columns(service, snap)
        grid = _grid(service, snap, zoom)
        return cell_totals(selection(service, snap, criteria).indices, grid.cells, cols.lat, cols.lon,
                           by_cell=grid.by_cell)
    return snap.lru(("map_cells", snap.versions.dataset, criteria_key(criteria), zoom), build)


def map_view(service: DataService, criteria: Criteria, viewer: Viewer, *, bounds: tuple[float, float, float, float],
             zoom: float) -> MapView:
    """Clusters and single points of the establishments matching `criteria` inside `bounds` (south, west, north,
    east) at `zoom`, as assets/clusters.js would draw them, with the filters' exact totals."""
    if criteria.member is not None:
        check_criteria(viewer, ["member"])
    snap = service.snapshot()
    cols, chosen = map_columns(service, snap), selection(service, snap, criteria)
    box = ViewBox.from_bounds(*bounds)
    z = max(0, int(np.floor(zoom)))
    if z > CLUSTERS["maxZoom"]:
        inside = chosen.indices[box.contains(cols.x[chosen.indices], cols.y[chosen.indices])][:MAX_POINTS]
        features = [_point(snap, cols, int(i)) for i in inside]
    else:
        grid = _grid(service, snap, z)
        seen = totals_in_view(_totals(service, snap, criteria, z), grid, box, indices=chosen.indices, x=cols.x,
                              y=cols.y, lat=cols.lat, lon=cols.lon)
        features = [_point(snap, cols, int(seen.first[k])) if seen.count[k] == 1 else _cluster(seen, k)
                    for k in range(len(seen))]
    return MapView(features, int(len(chosen.indices)), len(snap.establishments), chosen.jobs, chosen.communes)


def _point(snap: Snapshot, cols: MapColumns, i: int) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [float(cols.lon[i]), float(cols.lat[i])]},
            "properties": {"i": i, "f": int(cols.filiere[i]), "n": str(snap.establishments["name"].iat[i])}}


def _cluster(t: CellTotals, k: int) -> dict:
    n = int(t.count[k])
    return {"type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(t.lon_sum[k] / n), float(t.lat_sum[k] / n)]},
            "properties": {"cluster": True, "point_count": n,
                           "bounds": [[float(t.south[k]), float(t.west[k])], [float(t.north[k]), float(t.east[k])]]}}


def unit_values(service: DataService, criteria: Criteria, viewer: Viewer, *, level: str,
                metric: str) -> dict[str, float | None]:
    """The choropleth's value per unit of `level` for the selection (assets/tissu.js `unitValues`)."""
    if criteria.member is not None or metric in MEMBER_ONLY_METRICS:
        check_criteria(viewer, ["member"])
    snap = service.snapshot()
    cols, chosen = map_columns(service, snap), selection(service, snap, criteria)
    codes, population = unit_population(service.lookups, level)
    unit = cols.units[level][chosen.indices]
    valid = unit >= 0
    count = np.bincount(unit[valid], minlength=len(codes)).astype(float)
    jobs = np.bincount(unit[valid], weights=cols.jobs[chosen.indices][valid], minlength=len(codes))
    members = np.bincount(unit[valid], weights=cols.member[chosen.indices][valid], minlength=len(codes))
    out: dict[str, float | None] = {}
    for u, code in enumerate(codes):
        if metric == "count":
            out[code] = float(count[u])
        elif metric == "jobs":
            out[code] = float(jobs[u])
        elif metric == "jobs_per_1000":
            out[code] = 1000 * float(jobs[u]) / population[u] if population[u] > 0 else None
        else:
            out[code] = 100 * float(members[u]) / float(count[u]) if count[u] > 0 else None
    return out
