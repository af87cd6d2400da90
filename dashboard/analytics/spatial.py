"""Great-circle neighbour queries over fixed sites: a k-d tree built once per dataset version.

The tree (scipy `cKDTree`) holds the sites as 3-D points on the unit sphere. The straight-line
(chord) distance c between two such points and their great-circle distance d are tied by
d = 2R·asin(c/2), a strictly increasing function, so a ball or k-nearest query on chords selects
exactly the sites a great-circle query would: the projection error is provably zero, anywhere on the
globe and at any radius. Why not Lambert-93 (EPSG:2154)? Its Euclidean distance differs from the
haversine distance by a latitude-dependent factor (≈ +0.3 % in Lorraine, more towards the edges of
France and beyond), so it needs a margin and a bound to prove; the chord needs neither and measured
about as fast (see docs/indicators.md). Queries run with a relative slack of 1e-9 (float rounding)
and then keep what the haversine formula says is inside, so the distance reported for a site and the
decision to include it are the same number.

Positions returned are row positions in the lat/lon arrays the index was built from (for a
`subset`, positions in the parent's arrays), so they index the caller's DataFrame with `iloc`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from dashboard.analytics.geodesy import EARTH_RADIUS_KM, _haversine_rad

_REL_SLACK = 1e-9  # relative slack on chord radii: float rounding only, then exact haversine refinement
_ABS_SLACK = 1e-12  # absolute slack on unit-sphere chords (≈ 6 µm)
_BRUTE_FORCE_MAX = 4096  # masked k-nearest below this many eligible sites: a direct haversine scan

Positions = NDArray[np.int64]
Distances = NDArray[np.float64]


def _unit_vectors(phi: NDArray, lam: NDArray) -> NDArray[np.float64]:
    cos_phi = np.cos(phi)
    return np.column_stack([cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)])


def _chord(radius_km: float) -> float:
    """Unit-sphere chord length of a great-circle distance in km (capped at the antipode)."""
    angle = min(radius_km / EARTH_RADIUS_KM, math.pi)
    return 2.0 * math.sin(angle / 2.0)


def _check_coordinates(lat: NDArray, lon: NDArray) -> None:
    if not (np.all(np.isfinite(lat)) and np.all(np.isfinite(lon))):
        raise ValueError("coordinates must be finite")
    if lat.size and (np.abs(lat).max() > 90.0):
        raise ValueError("latitudes must lie in [-90, 90] degrees")


def _check_radius(radius_km: float) -> float:
    radius_km = float(radius_km)
    if not math.isfinite(radius_km) or radius_km < 0:
        raise ValueError(f"radius must be a finite, non-negative number of km (got {radius_km})")
    return radius_km


@dataclass(frozen=True)
class QueryPoints:
    """Query points converted once (radians, cosines, unit vectors), for many indexes."""

    phi: NDArray[np.float64]  # latitudes, radians
    lam: NDArray[np.float64]  # longitudes, radians
    cos: NDArray[np.float64]  # cos(phi)
    xyz: NDArray[np.float64]  # (m, 3) unit vectors

    @property
    def size(self) -> int:
        return int(self.phi.size)


def query_points(lat: ArrayLike, lon: ArrayLike) -> QueryPoints:
    """Query points from latitudes and longitudes in degrees (broadcast together, flattened)."""
    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    lat, lon = np.broadcast_arrays(lat, lon)
    _check_coordinates(lat, lon)
    phi, lam = np.radians(lat.ravel()), np.radians(lon.ravel())
    return QueryPoints(phi=phi, lam=lam, cos=np.cos(phi), xyz=_unit_vectors(phi, lam))


class SiteIndex:
    """Exact great-circle `within` / `nearest` / `count_within` queries over fixed sites (km)."""

    def __init__(self, lat: ArrayLike, lon: ArrayLike) -> None:
        lat = np.asarray(lat, dtype=float).ravel()
        lon = np.asarray(lon, dtype=float).ravel()
        if lat.shape != lon.shape:
            raise ValueError("lat and lon must have the same length")
        _check_coordinates(lat, lon)
        self._init(np.radians(lat), np.radians(lon), keys=None, space=lat.size, xyz=None)

    def _init(self, phi: NDArray, lam: NDArray, *, keys: NDArray | None, space: int, xyz: NDArray | None,
              cos: NDArray | None = None) -> None:
        self._phi, self._lam, self._cos = phi, lam, np.cos(phi) if cos is None else cos
        self._keys = keys  # local row -> position in the caller's arrays (None: identity)
        self._space = space  # length of the position space (the parent's arrays)
        self._xyz = _unit_vectors(phi, lam) if xyz is None else xyz
        self._tree = cKDTree(self._xyz, balanced_tree=False) if phi.size else None

    @property
    def size(self) -> int:
        """Number of indexed sites."""
        return int(self._phi.size)

    @property
    def space(self) -> int:
        """Length of the position space (rows of the arrays positions refer to)."""
        return self._space

    def __len__(self) -> int:
        return self.size

    def subset(self, positions: ArrayLike) -> SiteIndex:
        """An index over some of these sites, returning positions of this index's arrays (no re-projection)."""
        if self._keys is not None:
            raise ValueError("subset() is only available on an index built from lat/lon arrays")
        positions = np.unique(np.asarray(positions, dtype=np.int64))
        if positions.size and (positions[0] < 0 or positions[-1] >= self._space):
            raise IndexError("positions out of range")
        child = SiteIndex.__new__(SiteIndex)
        child._init(self._phi[positions], self._lam[positions], keys=positions, space=self._space,
                    xyz=self._xyz[positions])
        return child

    def prefix(self, n: int) -> SiteIndex:
        """An index over the sites at positions below `n` (position space `n`), on views of this index's arrays:
        only its tree is new. The territory's part of an index whose last positions are the sites abroad."""
        rows = n if self._keys is None else int(np.searchsorted(self._keys, n))  # a subset's keys are sorted
        child = SiteIndex.__new__(SiteIndex)
        child._init(self._phi[:rows], self._lam[:rows], keys=None if self._keys is None else self._keys[:rows],
                    space=n, xyz=self._xyz[:rows], cos=self._cos[:rows])
        return child

    # --- helpers -----------------------------------------------------------------------------

    def _positions(self, local: NDArray) -> Positions:
        return local.astype(np.int64, copy=False) if self._keys is None else self._keys[local]

    def _local_distances(self, phi0: float, lam0: float, local: NDArray) -> Distances:
        return _haversine_rad(phi0, lam0, self._phi[local], self._lam[local], np.cos(phi0), self._cos[local])

    @staticmethod
    def _query_point(lat: float, lon: float) -> tuple[float, float, NDArray]:
        lat, lon = float(lat), float(lon)
        _check_coordinates(np.array([lat]), np.array([lon]))
        phi, lam = np.radians(lat), np.radians(lon)
        return phi, lam, _unit_vectors(np.array([phi]), np.array([lam]))[0]

    @staticmethod
    def _sorted(positions: Positions, distances: Distances) -> tuple[Positions, Distances]:
        order = np.lexsort((positions, distances))  # by distance, then position: deterministic ties
        return positions[order], distances[order]

    def _ball_local(self, xyz: NDArray, radius_km: float) -> NDArray[np.intp]:
        chord = _chord(radius_km) * (1 + _REL_SLACK) + _ABS_SLACK
        assert self._tree is not None, "callers check for an empty index first"
        return np.asarray(self._tree.query_ball_point(xyz, chord, return_sorted=False), dtype=np.intp)

    # --- queries -----------------------------------------------------------------------------

    def within(self, lat: float, lon: float, radius_km: float, *, sort: bool = True) -> tuple[Positions, Distances]:
        """Sites within radius_km great-circle km of (lat, lon): positions and distances in km, nearest first."""
        radius_km = _check_radius(radius_km)
        phi, lam, xyz = self._query_point(lat, lon)
        if self._tree is None:
            return np.empty(0, np.int64), np.empty(0, float)
        local = self._ball_local(xyz, radius_km)
        distances = self._local_distances(phi, lam, local)
        keep = distances <= radius_km
        positions, distances = self._positions(local[keep]), distances[keep]
        return self._sorted(positions, distances) if sort else (positions, distances)

    def nearest(self, lat: float, lon: float, k: int, *, mask: ArrayLike | None = None) -> tuple[Positions, Distances]:
        """The k nearest sites (among `mask`, a boolean array over positions, if given): positions, km, nearest first.

        Ties at the k-th distance go to the lowest positions. Fewer than k sites: all of them.
        """
        k = int(k)
        if k < 0:
            raise ValueError("k must be non-negative")
        phi, lam, xyz = self._query_point(lat, lon)
        if self._tree is None or k == 0:
            return np.empty(0, np.int64), np.empty(0, float)
        n = self.size
        eligible, count = None, n
        if mask is not None:
            mask = np.asarray(mask, dtype=bool)
            if mask.shape != (self._space,):
                raise ValueError(f"mask must be a boolean array of length {self._space}")
            eligible = mask if self._keys is None else mask[self._keys]
            count = int(eligible.sum())
            if count == 0:
                return np.empty(0, np.int64), np.empty(0, float)
            if count <= _BRUTE_FORCE_MAX:
                local = np.flatnonzero(eligible)
                positions, distances = self._sorted(self._positions(local), self._local_distances(phi, lam, local))
                return positions[:k], distances[:k]
        want = min(k, count)
        # Enough neighbours that `want` eligible ones are likely among them (twice the expected need).
        fetch = want if eligible is None else min(n, max(want, 2 * want * n // count + 8))
        while True:
            _, local = self._tree.query(xyz, k=fetch)
            local = np.atleast_1d(local)
            local = local[local < n]
            if eligible is not None:
                local = local[eligible[local]]
            if local.size >= want or fetch >= n:
                break
            fetch = min(n, fetch * 4)
        # The want-th smallest distance found bounds the answer; one ball query then settles ties exactly.
        bound = float(np.partition(self._local_distances(phi, lam, local), want - 1)[want - 1])
        local = self._ball_local(xyz, bound)
        if eligible is not None:
            local = local[eligible[local]]
        distances = self._local_distances(phi, lam, local)
        keep = distances <= bound
        positions, distances = self._sorted(self._positions(local[keep]), distances[keep])
        return positions[:k], distances[:k]

    def nearest_many(
        self, lat: ArrayLike | QueryPoints, lon: ArrayLike | None = None, k: int = 1, *, max_km: float | None = None
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """For each query point, the k nearest sites: (m, k) positions (-1 when missing) and km (inf), nearest first.

        Pass lat and lon arrays in degrees, or `QueryPoints` (lon=None) to reuse their conversion
        across indexes. `max_km` ignores sites farther than that (km), which also speeds up the
        search. Ties between sites at exactly the same distance are broken arbitrarily.
        """
        if isinstance(lat, QueryPoints):
            points = lat
        elif lon is None:
            raise TypeError("lon is required with lat arrays")
        else:
            points = query_points(lat, lon)
        m, k = points.size, int(k)
        positions = np.full((m, k), -1, dtype=np.int64)
        distances = np.full((m, k), np.inf)
        if self._tree is None or k <= 0 or m == 0:
            return positions, distances
        upper = np.inf if max_km is None else _chord(_check_radius(max_km)) * (1 + _REL_SLACK) + _ABS_SLACK
        fetch = min(k, self.size)
        _, local = self._tree.query(points.xyz, k=fetch, distance_upper_bound=upper)
        local = local.reshape(m, fetch)
        found = local < self.size
        safe = np.where(found, local, 0)
        dist = _haversine_rad(points.phi[:, None], points.lam[:, None], self._phi[safe], self._lam[safe],
                              points.cos[:, None], self._cos[safe])
        if max_km is not None:
            found &= dist <= max_km
        dist = np.where(found, dist, np.inf)
        # Chord order is haversine order up to float rounding: re-sort only the rows where it shows.
        unsorted = np.flatnonzero(np.any(dist[:, 1:] < dist[:, :-1], axis=1)) if fetch > 1 else np.empty(0, int)
        if unsorted.size:
            order = np.argsort(dist[unsorted], axis=1, kind="stable")
            dist[unsorted] = np.take_along_axis(dist[unsorted], order, axis=1)
            safe[unsorted] = np.take_along_axis(safe[unsorted], order, axis=1)
            found[unsorted] = np.take_along_axis(found[unsorted], order, axis=1)
        positions[:, :fetch] = np.where(found, self._positions(safe), -1)
        distances[:, :fetch] = dist
        return positions, distances

    def counts_within(self, lat: float, lon: float, radii_km: ArrayLike) -> NDArray[np.int64]:
        """Number of sites at great-circle distance ≤ each radius (km) of one point, without listing them."""
        radii = np.atleast_1d(np.asarray(radii_km, dtype=float))
        for radius in radii:
            _check_radius(radius)
        _, _, xyz = self._query_point(lat, lon)
        if self._tree is None or radii.size == 0:
            return np.zeros(radii.size, dtype=np.int64)
        chords = np.array([_chord(r) for r in radii])
        # Counts just inside and just outside each radius; they differ only when a site lies within float
        # rounding of the edge, and then the exact haversine decides.
        bounds = np.concatenate([np.maximum(chords * (1 - _REL_SLACK) - _ABS_SLACK, 0.0),
                                 chords * (1 + _REL_SLACK) + _ABS_SLACK])
        order = np.argsort(bounds)
        counted = np.empty(bounds.size, dtype=np.int64)
        counted[order] = cKDTree(xyz[None, :]).count_neighbors(self._tree, bounds[order], cumulative=True)
        inner, outer = counted[:radii.size], counted[radii.size:]
        for i in np.flatnonzero(inner != outer):
            outer[i] = self.within(lat, lon, radii[i], sort=False)[0].size
        return outer

    def count_within(self, lat: ArrayLike, lon: ArrayLike, radius_km: float) -> NDArray[np.int64] | int:
        """Number of sites within radius_km great-circle km of each query point (an int for a scalar query)."""
        radius_km = _check_radius(radius_km)
        scalar = np.ndim(lat) == 0 and np.ndim(lon) == 0
        if scalar:
            return int(self.counts_within(float(np.asarray(lat)), float(np.asarray(lon)), [radius_km])[0])
        lat = np.atleast_1d(np.asarray(lat, dtype=float))
        lon = np.atleast_1d(np.asarray(lon, dtype=float))
        lat, lon = np.broadcast_arrays(lat, lon)
        _check_coordinates(lat, lon)
        shape = lat.shape
        if self._tree is None:
            return np.zeros(shape, dtype=np.int64)
        xyz = _unit_vectors(np.radians(lat.ravel()), np.radians(lon.ravel()))
        chord = _chord(radius_km)
        # One thread: this runs inside web requests, which the server already runs side by side.
        outer = self._tree.query_ball_point(xyz, chord * (1 + _REL_SLACK) + _ABS_SLACK, return_length=True)
        inner = self._tree.query_ball_point(xyz, max(chord * (1 - _REL_SLACK) - _ABS_SLACK, 0.0), return_length=True)
        counts = np.asarray(outer, dtype=np.int64)
        for row in np.flatnonzero(np.asarray(inner) != counts):  # a site within float rounding of the edge
            counts[row] = self.within(lat.ravel()[row], lon.ravel()[row], radius_km, sort=False)[0].size
        return counts.reshape(shape)

    def distances_km(self, lat: float, lon: float, positions: ArrayLike) -> Distances:
        """Great-circle km from (lat, lon) to the sites at `positions` (only on an index built from lat/lon arrays)."""
        if self._keys is not None:
            raise ValueError("distances_km() is only available on an index built from lat/lon arrays")
        phi, lam, _ = self._query_point(lat, lon)
        return self._local_distances(phi, lam, np.asarray(positions, dtype=np.intp))
