"""Nearby partners and suppliers: find, rank and explain establishments around an origin (issue 4).

A `PartnerCatalog` is built once per dataset version (`partner_catalog(...)`): a great-circle site
index over every establishment, one smaller index per capability (its suppliers), and boolean
matrices establishments × capabilities and establishments × certifications. `partners_near(...)`
then answers a query from the index of the rarest requested capability, never by scanning every row.
The score and every filter are defined in docs/indicators.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Required, TypedDict, Unpack

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pandas.api.extensions import ExtensionArray

from dashboard.analytics.geodesy import drive_min_estimate, road_km_estimate
from dashboard.analytics.id_positions import IdPositions
from dashboard.analytics.spatial import SiteIndex
from dashboard.formatting import NBSP, fr_number

# INSEE "tranche d'effectif salarié" codes, smallest first.
SIZE_BAND_ORDER: tuple[str, ...] = ("NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42",
                                    "51", "52", "53")
FRANCE_LAT_RANGE = (41.0, 51.5)  # metropolitan France, degrees (origin validation)
FRANCE_LON_RANGE = (-5.5, 10.0)
MAX_RADIUS_KM = 300.0
DEFAULT_RADIUS_KM = 40.0
CAPABILITY_MODES = ("all", "any")
SORTS = ("score", "distance", "road")
_NAF_PATTERN = re.compile(r"^\d{2}(\.\d{1,2}[A-Z]?)?$")  # 25, 25.6, 25.62, 25.62B

MEMBER_REASON = "adhérent UIMM"  # a reason the policy withholds from viewers who may not see membership


class PartnerQueryError(ValueError):
    """An invalid partner query; the message is French and meant for the user, `field` names the parameter."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, eq=False)
class PartnerCatalog:
    """Everything `partners_near` and the coverage engine read, built once per dataset version."""

    establishments: pd.DataFrame  # one row per establishment; row position = position in every array below
    index: SiteIndex  # all establishments
    ids: NDArray[np.int64]  # establishment id per position
    capability_codes: tuple[str, ...]  # column order of `capabilities`
    capabilities: NDArray[np.bool_]  # (establishments, capabilities): offered, declared or presumed
    declared_bits: NDArray[np.uint8]  # `capabilities`' shape, bit-packed per row: declared (not only presumed)
    supplier_index: Mapping[str, SiteIndex]  # capability code -> index of the establishments offering it
    certification_codes: tuple[str, ...]
    certifications: NDArray[np.bool_]  # (establishments, certifications)
    size_band_order: tuple[str, ...]  # smallest first
    size_rank: NDArray[np.int16]  # rank of each establishment's size band in `size_band_order`, -1 unknown
    is_member: NDArray[np.bool_]
    naf_codes: tuple[str, ...]  # distinct NAF codes present
    naf_index: NDArray[np.int32]  # position of each establishment's NAF code in `naf_codes`, -1 none
    capability_labels: Mapping[str, str] = field(default_factory=dict)
    certification_labels: Mapping[str, str] = field(default_factory=dict)
    size_band_labels: Mapping[str, str] = field(default_factory=dict)
    _id_index: IdPositions = field(default_factory=lambda: IdPositions([]), repr=False)
    _columns: Mapping[str, ExtensionArray] = field(default_factory=dict, repr=False)  # `establishments` columns
    home_size: int | None = None  # the first rows in the territory (demand for coverage); the rest: sites abroad

    @property
    def size(self) -> int:
        """Number of establishments."""
        return int(self.ids.size)

    @property
    def home_count(self) -> int:
        """Number of establishments in the territory (the leading rows): all of them unless sites abroad follow."""
        return self.size if self.home_size is None else int(self.home_size)

    def position_of(self, establishment_id: int) -> int | None:
        """Row position of an establishment id, or None when absent."""
        try:
            position = self._id_index.get_loc(int(establishment_id))
        except (KeyError, TypeError, ValueError):
            return None
        return int(position)

    def declared_rows(self, positions: NDArray, columns: list[int]) -> NDArray[np.bool_]:
        """(positions, columns) of the declared matrix, unpacked from its bits (8 times smaller than booleans)."""
        rows = np.unpackbits(self.declared_bits[positions], axis=1, count=len(self.capability_codes))
        return rows[:, columns].astype(bool)

    def territory_part(self) -> PartnerCatalog:
        """The catalog of the leading `home_count` rows alone (the territory's sites), on views of this one's
        arrays and frame: only the site indexes' trees are new, where a second catalog of every site cost
        0.2 GB at 1M. Itself when there is no site abroad."""
        n = self.home_count
        if n == self.size:
            return self
        abroad_only = [c for c in ("country", "country_label") if c in self.establishments.columns]
        return replace(
            self, establishments=self.establishments.iloc[:n].drop(columns=abroad_only), index=self.index.prefix(n),
            ids=self.ids[:n], capabilities=self.capabilities[:n], declared_bits=self.declared_bits[:n],
            supplier_index={code: index.prefix(n) for code, index in self.supplier_index.items()},
            certifications=self.certifications[:n], size_rank=self.size_rank[:n], is_member=self.is_member[:n],
            naf_index=self.naf_index[:n], _id_index=IdPositions(self.ids[:n]),
            _columns={name: values[:n] for name, values in self._columns.items() if name not in abroad_only},
            home_size=None)

    def capability_column(self, code: str) -> int:
        """Column of a capability code in `capabilities` (KeyError when unknown)."""
        return self.capability_codes.index(code)


@dataclass(frozen=True)
class PartnerResult:
    """Ranked candidates within the radius, and how many more lie up to `next_radius_km`."""

    items: pd.DataFrame  # establishment columns + distance_km, road_km_estimate, drive_min_estimate,
    #                      matched_capabilities (list), score (0-100), why (list of French reasons)
    total_in_radius: int  # candidates matching the need within radius_km (before `limit`)
    beyond_radius: int  # candidates matching the need with radius_km < distance ≤ next_radius_km
    radius_km: float
    next_radius_km: float | None  # min(2 × radius, 300 km); None when the radius is already 300 km


def _codes_and_labels(taxonomy: pd.DataFrame | None, present: Iterable[str]) -> tuple[tuple[str, ...], dict[str, str]]:
    """Taxonomy order first, then codes seen only in the data (sorted)."""
    codes: list[str] = []
    labels: dict[str, str] = {}
    if taxonomy is not None and len(taxonomy):
        codes = [str(c) for c in taxonomy["code"]]
        if "label" in taxonomy.columns:
            labels = dict(zip(codes, taxonomy["label"].astype(str)))
    known = set(codes)
    codes += sorted({str(c) for c in present} - known)
    return tuple(codes), labels


def _link_matrix(positions: NDArray, codes: pd.Series, code_order: tuple[str, ...], n: int) -> tuple[NDArray, NDArray]:
    columns = pd.Index(code_order).get_indexer(codes.astype(str))
    valid = (positions >= 0) & (columns >= 0)
    matrix = np.zeros((n, len(code_order)), dtype=bool)
    matrix[positions[valid], columns[valid]] = True
    return matrix, valid


def partner_catalog(
    establishments: pd.DataFrame,
    capability_links: pd.DataFrame,
    certification_links: pd.DataFrame,
    *,
    capability_taxonomy: pd.DataFrame | None = None,
    certification_taxonomy: pd.DataFrame | None = None,
    size_bands: pd.DataFrame | None = None,
    home_size: int | None = None,
) -> PartnerCatalog:
    """Build the catalog (site indexes in km, capability and certification matrices) of one dataset version.

    `establishments` needs id, lat, lon (plus naf_code, size_band_code, is_member when present);
    links to ids absent from `establishments` (closed establishments) are ignored. The taxonomies
    (code, label) fix the column order and labels; `size_bands` (code, short_label[, sort_order])
    the size order, INSEE order by default. `home_size`: how many leading rows lie in the territory (the
    demand of coverage), the others being suppliers abroad; all rows when None.
    """
    frame = establishments.reset_index(drop=True)
    n = len(frame)
    ids = frame["id"].to_numpy(dtype=np.int64) if n else np.empty(0, np.int64)
    id_index = IdPositions(ids)  # raises on a repeated id
    index = SiteIndex(frame["lat"].to_numpy(float), frame["lon"].to_numpy(float))

    cap_codes, cap_labels = _codes_and_labels(capability_taxonomy, capability_links["capability_code"].unique())
    cap_positions = id_index.get_indexer(capability_links["establishment_id"].to_numpy())
    capabilities, valid = _link_matrix(cap_positions, capability_links["capability_code"], cap_codes, n)
    if "origin" in capability_links.columns:
        declared_links = valid & (capability_links["origin"].fillna("declared").to_numpy() != "presumed")
    else:
        declared_links = valid
    declared = np.zeros_like(capabilities)
    columns = pd.Index(cap_codes).get_indexer(capability_links["capability_code"].astype(str))
    declared[cap_positions[declared_links], columns[declared_links]] = True

    supplier_index = {}
    for column, code in enumerate(cap_codes):
        supplier_index[code] = index.subset(np.flatnonzero(capabilities[:, column]))

    cert_codes, cert_labels = _codes_and_labels(certification_taxonomy,
                                                certification_links["certification_code"].unique())
    cert_positions = id_index.get_indexer(certification_links["establishment_id"].to_numpy())
    certifications, _ = _link_matrix(cert_positions, certification_links["certification_code"], cert_codes, n)

    if size_bands is not None and len(size_bands):
        bands = size_bands.sort_values("sort_order") if "sort_order" in size_bands.columns else size_bands
        band_order = tuple(str(c) for c in bands["code"])
        label_column = "short_label" if "short_label" in bands.columns else "label"
        band_labels = dict(zip(band_order, bands[label_column].astype(str))) if label_column in bands.columns else {}
    else:
        band_order, band_labels = SIZE_BAND_ORDER, {}
    if "size_band_code" in frame.columns and n:
        size_rank = pd.Index(band_order).get_indexer(frame["size_band_code"].astype(object).where(
            frame["size_band_code"].notna(), None)).astype(np.int16)
    else:
        size_rank = np.full(n, -1, dtype=np.int16)

    is_member = (frame["is_member"].fillna(False).to_numpy(dtype=bool) if "is_member" in frame.columns
                 else np.zeros(n, dtype=bool))
    if "naf_code" in frame.columns and n:
        naf_index, naf_uniques = pd.factorize(frame["naf_code"], use_na_sentinel=True)
        naf_codes = tuple(str(c) for c in naf_uniques)
    else:
        naf_index, naf_codes = np.full(n, -1), ()

    return PartnerCatalog(
        establishments=frame, index=index, ids=ids, capability_codes=cap_codes, capabilities=capabilities,
        declared_bits=np.packbits(declared, axis=1), supplier_index=supplier_index, certification_codes=cert_codes,
        certifications=certifications, size_band_order=band_order, size_rank=size_rank, is_member=is_member,
        naf_codes=naf_codes, naf_index=np.asarray(naf_index, dtype=np.int32), capability_labels=cap_labels,
        certification_labels=cert_labels, size_band_labels=band_labels,
        _id_index=id_index, _columns={name: frame[name].array for name in frame.columns}, home_size=home_size,
    )


# --- validation ----------------------------------------------------------------------------------

def _as_codes(values: str | Iterable[str] | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        value = str(value).strip()
        if value and value not in out:
            out.append(value)
    return out


def _quoted(codes: list[str]) -> str:
    return ", ".join(f"« {c} »" for c in codes)


def _validate_origin(lat: float, lon: float) -> tuple[float, float]:
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        raise PartnerQueryError("Coordonnées invalides : la latitude et la longitude doivent être des nombres.",
                                field="lat") from None
    lat_min, lat_max = FRANCE_LAT_RANGE
    lon_min, lon_max = FRANCE_LON_RANGE
    if not (math.isfinite(lat) and math.isfinite(lon) and lat_min <= lat <= lat_max and lon_min <= lon <= lon_max):
        raise PartnerQueryError(
            f"Coordonnées hors de la France métropolitaine (latitude {fr_number(lat_min)} à "
            f"{fr_number(lat_max, 1)}, longitude {fr_number(lon_min, 1)} à {fr_number(lon_max)}) : "
            f"reçu {lat}, {lon}.", field="lat")
    return lat, lon


def _validate_radius(radius_km: float) -> float:
    try:
        radius_km = float(radius_km)
    except (TypeError, ValueError):
        raise PartnerQueryError("Le rayon doit être un nombre de kilomètres.", field="radius_km") from None
    if not (math.isfinite(radius_km) and 0 < radius_km <= MAX_RADIUS_KM):
        raise PartnerQueryError(
            f"Le rayon doit être supérieur à 0 et au plus {fr_number(MAX_RADIUS_KM)} km (reçu : {radius_km}).",
            field="radius_km")
    return radius_km


def _validate_naf(codes: list[str]) -> list[str]:
    bad = [c for c in codes if not _NAF_PATTERN.match(c)]
    if bad:
        raise PartnerQueryError(f"Code NAF invalide : {_quoted(bad)} (formats acceptés : 25, 25.6, 25.62, 25.62B).",
                                field="naf_codes")
    return codes


# --- the query -----------------------------------------------------------------------------------

def _candidates(catalog: PartnerCatalog, lat: float, lon: float, radius_km: float, columns: list[int],
                mode: str) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Positions and km of establishments within radius_km offering the requested capabilities (all/any)."""
    if not columns:
        return catalog.index.within(lat, lon, radius_km, sort=False)
    indexes = [catalog.supplier_index[catalog.capability_codes[c]] for c in columns]
    if mode == "all":
        smallest = min(range(len(columns)), key=lambda i: indexes[i].size)
        positions, distances = indexes[smallest].within(lat, lon, radius_km, sort=False)
        if len(columns) > 1:
            keep = catalog.capabilities[positions][:, columns].all(axis=1)
            positions, distances = positions[keep], distances[keep]
        return positions, distances
    if sum(ix.size for ix in indexes) > catalog.size // 2:
        positions, distances = catalog.index.within(lat, lon, radius_km, sort=False)
        keep = catalog.capabilities[positions][:, columns].any(axis=1)
        return positions[keep], distances[keep]
    parts = [ix.within(lat, lon, radius_km, sort=False) for ix in indexes]
    positions = np.concatenate([p for p, _ in parts])
    distances = np.concatenate([d for _, d in parts])
    positions, first = np.unique(positions, return_index=True)
    return positions, distances[first]


def _single_capability(catalog: PartnerCatalog, lat: float, lon: float, column: int, *, radius_km: float,
                       next_radius: float | None, exclude_id: int | None,
                       limit: int | None) -> tuple[NDArray[np.int64], NDArray[np.float64], int, int]:
    """Fast path for one capability and no other filter: counts without listing, top `limit` by k-nearest.

    Returns positions and km ordered by (distance, id), the count within radius_km and the count
    beyond it up to next_radius; the same answer as the general path, which the tests check.
    """
    index = catalog.supplier_index[catalog.capability_codes[column]]
    counts = index.counts_within(lat, lon, [radius_km] if next_radius is None else [radius_km, next_radius])
    total = int(counts[0])
    beyond = int(counts[1] - counts[0]) if next_radius is not None else 0
    excluded = -1
    position = catalog.position_of(exclude_id) if exclude_id is not None else None
    if position is not None and catalog.capabilities[position, column]:
        excluded = position
        distance = float(catalog.index.distances_km(lat, lon, [position])[0])
        if distance <= radius_km:
            total -= 1
        elif next_radius is not None and distance <= next_radius:
            beyond -= 1
    bound = radius_km
    if limit is not None and total > limit:
        # The limit-th nearest supplier other than the excluded one bounds the list; ties there are kept.
        near_positions, near_distances = index.nearest(lat, lon, limit + 1)
        bound = float(near_distances[near_positions != excluded][limit - 1])
    positions, distances = index.within(lat, lon, bound, sort=False)
    keep = positions != excluded
    positions, distances = positions[keep], distances[keep]
    order = np.lexsort((catalog.ids[positions], distances))[:limit]
    return positions[order], distances[order], total, beyond


def _object_array(values: list) -> NDArray[np.object_]:
    out = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):  # element by element: lists of equal length must not become a 2-D array
        out[i] = value
    return out


NEAR_RADIUS_KM = 1.0  # within this of the radius, whole km would read as "at the radius": keep one decimal


def distance_reason(distance_km: float, *, radius_km: float | None = None) -> str:
    """A distance (km) as the "pourquoi" line writes it: one decimal under 10 km and near the radius, else whole km.

    Near the radius the decimal is cut, not rounded, so a partner inside a 40 km radius never reads "40 km"
    (39.5 -> "39,5 km", 39.96 -> "39,9 km"); elsewhere whole km are enough.
    """
    if distance_km < 10:
        return f"{fr_number(distance_km, 1)}{NBSP}km"
    if radius_km is not None and radius_km - NEAR_RADIUS_KM <= distance_km <= radius_km:
        return f"{fr_number(math.floor(distance_km * 10 + 1e-9) / 10, 1)}{NBSP}km"
    return f"{fr_number(distance_km, 0)}{NBSP}km"


def _why(catalog: PartnerCatalog, position: int, distance_km: float, matched: list[str], *, requested: int,
         presumed: list[str], certifications: list[str], wished_held: list[str], naf_filtered: bool,
         size_filtered: bool, radius_km: float) -> list[str]:
    reasons = []
    label = catalog.capability_labels
    if requested:
        plural = "s" if len(matched) > 1 else ""
        text = f"{len(matched)} savoir-faire demandé{plural} sur {requested}"
        if len(matched) < requested:
            text += " : " + ", ".join(label.get(c, c) for c in matched)
        reasons.append(text)
        if presumed:
            plural = "s" if len(presumed) > 1 else ""
            reasons.append(f"savoir-faire présumé{plural} d'après le code NAF : "
                           + ", ".join(label.get(c, c) for c in presumed))
    reasons += [catalog.certification_labels.get(c, c) for c in certifications]
    if wished_held:
        plural = "s" if len(wished_held) > 1 else ""
        reasons.append(f"certification{plural} souhaitée{plural} : "
                       + ", ".join(catalog.certification_labels.get(c, c) for c in wished_held))
    if naf_filtered:
        reasons.append(f"NAF {catalog.naf_codes[catalog.naf_index[position]]}")
    if size_filtered:
        band = catalog.size_band_order[catalog.size_rank[position]]
        reasons.append(f"effectif : {catalog.size_band_labels.get(band, band)}")
    reasons.append(distance_reason(distance_km, radius_km=radius_km))
    if catalog.is_member[position]:
        reasons.append(MEMBER_REASON)
    return reasons


@dataclass(frozen=True)
class PartnerRanking:
    """The search part of a partner query: ranked positions in the catalog, without presentation."""

    positions: NDArray[np.int64]  # catalog row positions, best first (at most `limit`)
    distances_km: NDArray[np.float64]  # great-circle km, same order
    matched_counts: NDArray[np.int64]  # requested capabilities each one offers
    requested: tuple[str, ...]  # requested capability codes, deduplicated, in request order
    certifications: tuple[str, ...]  # required certification codes
    naf_codes: tuple[str, ...]
    size_min: str | None
    total_in_radius: int
    beyond_radius: int
    radius_km: float
    next_radius_km: float | None
    wished: tuple[str, ...] = ()  # wished certification codes (rank up, never filter)
    wished_counts: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # held, per row


class RankingQuery(TypedDict, total=False):
    """The query of `partner_ranking`, as `partners_near` passes it on (lat and lon required)."""

    lat: Required[float]
    lon: Required[float]
    capabilities: str | Iterable[str]
    capability_mode: str
    certifications: str | Iterable[str]
    wished_certifications: str | Iterable[str]
    naf_codes: str | Iterable[str]
    size_min: str | None
    members_only: bool
    radius_km: float
    exclude_id: int | None
    sort: str
    limit: int | None


def partner_ranking(
    catalog: PartnerCatalog,
    *,
    lat: float,
    lon: float,
    capabilities: str | Iterable[str] = (),
    capability_mode: str = "all",
    certifications: str | Iterable[str] = (),
    wished_certifications: str | Iterable[str] = (),
    naf_codes: str | Iterable[str] = (),
    size_min: str | None = None,
    members_only: bool = False,
    radius_km: float = DEFAULT_RADIUS_KM,
    exclude_id: int | None = None,
    sort: str = "score",
    limit: int | None = None,
) -> PartnerRanking:
    """The ranked positions and great-circle km of `partners_near` (same arguments), without building rows."""
    lat, lon = _validate_origin(lat, lon)
    radius_km = _validate_radius(radius_km)
    if capability_mode not in CAPABILITY_MODES:
        raise PartnerQueryError(f"Mode de recherche des savoir-faire inconnu : « {capability_mode} » "
                                "(valeurs possibles : all, any).", field="capability_mode")
    if sort not in SORTS:
        raise PartnerQueryError(f"Tri inconnu : « {sort} » (valeurs possibles : score, distance, road).",
                                field="sort")
    requested = _as_codes(capabilities)
    unknown = [c for c in requested if c not in catalog.capability_codes]
    if unknown:
        raise PartnerQueryError(f"Savoir-faire inconnu : {_quoted(unknown)}.", field="capabilities")
    certs = _as_codes(certifications)
    unknown = [c for c in certs if c not in catalog.certification_codes]
    if unknown:
        raise PartnerQueryError(f"Certification inconnue : {_quoted(unknown)}.", field="certifications")
    wished = [c for c in _as_codes(wished_certifications) if c not in certs]  # a required one is already held
    unknown = [c for c in wished if c not in catalog.certification_codes]
    if unknown:
        raise PartnerQueryError(f"Certification souhaitée inconnue : {_quoted(unknown)}.",
                                field="wished_certifications")
    nafs = _validate_naf(_as_codes(naf_codes))
    if size_min is not None and str(size_min) not in catalog.size_band_order:
        raise PartnerQueryError(f"Tranche d'effectif inconnue : « {size_min} ».", field="size_min")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1):
        raise PartnerQueryError("La limite doit être un entier strictement positif.", field="limit")

    next_radius = min(2.0 * radius_km, MAX_RADIUS_KM) if radius_km < MAX_RADIUS_KM else None
    columns = [catalog.capability_column(c) for c in requested]
    if len(columns) == 1 and not (certs or wished or nafs or members_only) and size_min is None:
        positions, distances, total, beyond = _single_capability(catalog, lat, lon, columns[0], radius_km=radius_km,
                                                                 next_radius=next_radius, exclude_id=exclude_id,
                                                                 limit=limit)
        return PartnerRanking(
            positions=positions, distances_km=distances, matched_counts=np.ones(positions.size, dtype=np.int64),
            requested=tuple(requested), certifications=(), naf_codes=(), size_min=None, total_in_radius=total,
            beyond_radius=beyond, radius_km=radius_km, next_radius_km=next_radius)
    positions, distances = _candidates(catalog, lat, lon, next_radius or radius_km, columns, capability_mode)

    keep = np.ones(positions.size, dtype=bool)
    if certs:
        cert_columns = [catalog.certification_codes.index(c) for c in certs]
        keep &= catalog.certifications[positions][:, cert_columns].all(axis=1)
    if nafs:
        allowed = np.array([code.startswith(tuple(nafs)) for code in catalog.naf_codes] + [False])
        keep &= allowed[catalog.naf_index[positions]]  # index -1 (no NAF code) reads the trailing False
    if size_min is not None:
        keep &= catalog.size_rank[positions] >= catalog.size_band_order.index(str(size_min))
    if members_only:
        keep &= catalog.is_member[positions]
    if exclude_id is not None:
        keep &= catalog.ids[positions] != int(exclude_id)
    positions, distances = positions[keep], distances[keep]

    inside = distances <= radius_km
    beyond = int(positions.size - inside.sum())
    positions, distances = positions[inside], distances[inside]
    total = int(positions.size)

    n_requested = len(columns)
    matched_counts = (catalog.capabilities[positions][:, columns].sum(axis=1) if n_requested
                      else np.zeros(total, dtype=np.int64))
    n_wished = len(wished)
    wished_counts = (catalog.certifications[positions][:, [catalog.certification_codes.index(c) for c in wished]]
                     .sum(axis=1) if n_wished else np.zeros(total, dtype=np.int64))
    ids = catalog.ids[positions]
    if sort == "score":
        # (capabilities missing, wished certifications missing, km) lexicographic in one key: km ≤ radius.
        missing = (n_requested - matched_counts) * (n_wished + 1) + (n_wished - wished_counts)
        primary = missing * (4.0 * radius_km + 1.0) + distances
    else:
        primary = distances  # road km = detour factor × distance: the same order
    if limit is not None and total > limit:
        threshold = np.partition(primary, limit - 1)[limit - 1]
        pre = np.flatnonzero(primary <= threshold)  # keeps every tie at the cut
        positions, distances, matched_counts, ids = positions[pre], distances[pre], matched_counts[pre], ids[pre]
        wished_counts = wished_counts[pre]
    if sort == "score":
        order = np.lexsort((ids, distances, -wished_counts, -matched_counts))
    else:
        order = np.lexsort((ids, distances))
    if limit is not None:
        order = order[:limit]
    return PartnerRanking(
        positions=positions[order], distances_km=distances[order],
        matched_counts=matched_counts[order].astype(np.int64),
        requested=tuple(requested), certifications=tuple(certs), naf_codes=tuple(nafs),
        size_min=None if size_min is None else str(size_min), total_in_radius=total, beyond_radius=beyond,
        radius_km=radius_km, next_radius_km=next_radius, wished=tuple(wished),
        wished_counts=wished_counts[order].astype(np.int64))


def partners_near(
    catalog: PartnerCatalog, *, site_columns: Iterable[str] | None = None, **query: Unpack[RankingQuery],
) -> PartnerResult:
    """Establishments within radius_km (great-circle km) of (lat, lon) meeting the need, ranked and explained.

    Filters: capabilities (all or any of them, `capability_mode`), every required certification,
    NAF codes by prefix (25, 25.6, 25.62, 25.62B), size band at least `size_min`, UIMM members;
    `exclude_id` (the origin establishment) never appears. Wished certifications never exclude: under
    "score" they rank holders up (after the capabilities matched, before distance). `sort`: "score"
    (capabilities matched, wished certifications held, then distance), "distance" or "road" (estimated
    road km). `site_columns`: the establishment columns the rows carry (default: all of the catalog's). Raises
    `PartnerQueryError` (French message) on an invalid query.
    """
    ranking = partner_ranking(catalog, **query)
    return PartnerResult(items=partner_items(catalog, ranking, site_columns=site_columns),
                         total_in_radius=ranking.total_in_radius, beyond_radius=ranking.beyond_radius,
                         radius_km=ranking.radius_km, next_radius_km=ranking.next_radius_km)


def partner_items(catalog: PartnerCatalog, ranking: PartnerRanking, *,
                  site_columns: Iterable[str] | None = None) -> pd.DataFrame:
    """The rows of a ranking: establishment columns (all, or `site_columns`) + km, estimates (km, min), matched
    capabilities, score, why."""
    positions, distances = ranking.positions, ranking.distances_km
    requested = list(ranking.requested)
    n_requested = len(requested)
    columns = [catalog.capability_column(c) for c in requested]
    proximity = 1.0 - distances / ranking.radius_km
    n_wished = len(ranking.wished)
    wished_counts = ranking.wished_counts if ranking.wished_counts.size == positions.size \
        else np.zeros(positions.size, dtype=np.int64)
    # Wished certifications share the last unit with proximity: the score keeps the ranking's order.
    scores = np.round(100.0 * (ranking.matched_counts + (wished_counts + proximity) / (n_wished + 1))
                      / (n_requested + 1), 1)
    wished_rows = (catalog.certifications[positions][:, [catalog.certification_codes.index(c) for c in ranking.wished]]
                   if n_wished else None)
    matched_lists, whys = [], []
    cap_rows = catalog.capabilities[positions][:, columns] if n_requested else None
    declared_rows = catalog.declared_rows(positions, columns) if n_requested else None
    for row, (position, distance) in enumerate(zip(positions.tolist(), distances.tolist())):
        matched: list[str] = []
        presumed: list[str] = []
        if cap_rows is not None and declared_rows is not None:
            matched = [requested[j] for j in range(n_requested) if cap_rows[row, j]]
            presumed = [requested[j] for j in range(n_requested) if cap_rows[row, j] and not declared_rows[row, j]]
        matched_lists.append(matched)
        held = ([ranking.wished[j] for j in range(n_wished) if wished_rows[row, j]]
                if wished_rows is not None else [])
        whys.append(_why(catalog, position, distance, matched, requested=n_requested, presumed=presumed,
                         certifications=list(ranking.certifications), wished_held=held,
                         naf_filtered=bool(ranking.naf_codes), size_filtered=ranking.size_min is not None,
                         radius_km=ranking.radius_km))
    extra = {
        "distance_km": distances,
        "road_km_estimate": road_km_estimate(distances),
        "drive_min_estimate": drive_min_estimate(distances),
        "matched_capabilities": _object_array(matched_lists),
        "score": scores,
        "why": _object_array(whys),
    }
    # One DataFrame built from column arrays: several times faster than iloc + assign on wide frames. The take
    # is the array's own (Arrow strings stay Arrow): np.asarray would convert the whole column on every call.
    wanted = catalog._columns.keys() if site_columns is None else set(site_columns)
    data = {name: array.take(positions) for name, array in catalog._columns.items()
            if name in wanted and name not in extra}
    return pd.DataFrame({**data, **extra}, copy=False)
