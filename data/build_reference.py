"""Build the compact reference data bundled with tissu (geography and nomenclatures of Lorraine).

Reads only the unchanged public sources in a sources folder (france-geojson contours,
INSEE COG 2026 via @etalab/decoupage-administratif, NAF rév. 2 via @socialgouv/codes-naf and
the INSEE tables in reference/; data/README.md says where each comes from and the folder layout)
and writes `geo/*.geojson` and `ref/*.csv` next to this script.
The output is deterministic: the same input gives byte-identical files.

    python data/build_reference.py --sources SOURCES_DIR [--out data]

Needs numpy, shapely >= 2.1 and pyproj (all runtime dependencies of the project).
See data/README.md for provenance, licences and the choices made here.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape

DEPARTEMENTS = ("54", "55", "57", "88")
SOURCES_ENV = "TISSU_REFERENCE_SOURCES"  # default of --sources
EXPECTED_COMMUNES = 2321
EXPECTED_EPCI = 67
EXPECTED_ZONES = 15
EXPECTED_NAF_SUBCLASSES = 291

# Douglas-Peucker tolerance applied once to every shared arc, in metres (Lambert-93).
SIMPLIFY_TOLERANCE_M = 75.0
# Input and output coordinates: decimal degrees with 5 decimals (about 1.1 m). The simplification
# only drops vertices, so every output vertex is an unchanged input vertex.
COORDINATE_DECIMALS = 5
COMMUNES_MAX_BYTES = 2_000_000
DISSOLVED_MAX_BYTES = 400_000

# 2018 commune codes of france-geojson that no longer exist in COG 2026 and are *not* listed
# in communes.json as delegated/associated communes (so they have no `chefLieu`).
# 57585 Ritzing merged with 57439 Manderen into the commune nouvelle "Manderen-Ritzing"
# (code 57439). Three independent clues agree, and the build checks the first two:
#   * communes.json lists 57585 in `anciensCodes` of 57439;
#   * the 2018 polygons of 57585 and 57439 share a border;
#   * the 2026 name "Manderen-Ritzing" joins both 2018 names.
# Ritzing has no delegated commune, hence no entry of its own in communes.json.
ABSORBED_WITHOUT_CHEF_LIEU = {"57585": "57439"}

SECTION_LABELS = {
    "B": "Industries extractives",
    "C": "Industrie manufacturière",
    "D": "Production et distribution d'électricité, de gaz, de vapeur et d'air conditionné",
    "E": "Production et distribution d'eau ; assainissement, gestion des déchets et dépollution",
}

# One row per filière of naf.csv, in NAF order: stable slug, French label as in the
# reference table, marker colour. Colours come from the Okabe-Ito and Paul Tol palettes
# (designed for colour-vision deficiencies), all dark or saturated enough to read on a
# light grey base map; adjacent rows never share a hue family.
FILIERES = (
    ("extraction", "Industries extractives", "#666666"),
    ("agro", "Agroalimentaire", "#117733"),
    ("textile", "Textile, habillement, cuir", "#EE3377"),
    ("bois", "Bois, papier, imprimerie", "#8C510A"),
    ("chimie", "Chimie, pharmacie, raffinage", "#AA4499"),
    ("plasturgie", "Plasturgie, caoutchouc", "#44AA99"),
    ("mineraux", "Minéraux non métalliques (verre, céramique, ciment, béton)", "#CC6677"),
    ("metal", "Métallurgie et travail des métaux", "#0072B2"),
    ("electro", "Électronique et équipements électriques", "#DDAA33"),
    ("meca", "Machines et équipements (mécanique)", "#332288"),
    ("auto", "Automobile", "#D55E00"),
    ("transport", "Autres matériels de transport (ferroviaire, aéronautique, naval, militaire)", "#56B4E9"),
    ("meubles", "Meubles et autres industries manufacturières", "#999933"),
    ("maintenance", "Réparation et installation de machines (maintenance industrielle)", "#000000"),
    ("energie", "Énergie", "#882255"),
    ("eau", "Eau, assainissement, déchets, dépollution", "#009E73"),
)

# metallurgie_uimm_approx of the reference table -> metallurgie column of naf.csv.
METALLURGIE = {"coeur": "coeur", "partiel": "partiel", "partiel_a_verifier": "partiel", "": ""}

# INSEE size bands: short label; the headcount estimate is the class midpoint, 12,000 for 53.
TRANCHE_SHORT_LABELS = {
    "NN": "non employeuse", "00": "0", "01": "1-2", "02": "3-5", "03": "6-9", "11": "10-19",
    "12": "20-49", "21": "50-99", "22": "100-199", "31": "200-249", "32": "250-499",
    "41": "500-999", "42": "1 000-1 999", "51": "2 000-4 999", "52": "5 000-9 999", "53": "10 000+",
}
TRANCHE_OPEN_ENDED_MID = {"NN": 0.0, "53": 12000.0}


class ReferenceBuildError(RuntimeError):
    """The sources do not match what the build expects (counts, codes, geometry)."""


# --------------------------------------------------------------------------------------------
# Small I/O helpers
# --------------------------------------------------------------------------------------------

def _read_json(path: Path):
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _number(value: float) -> str:
    """Format a number without a useless trailing '.0' (1.5 -> '1.5', 12000.0 -> '12000')."""
    return f"{value:g}"


def _round_coords(coords, decimals: int):
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(float(c), decimals) for c in coords]
    return [_round_coords(c, decimals) for c in coords]


def _geojson_text(features: Iterable[tuple[dict[str, str], Polygon | MultiPolygon]]) -> str:
    """A FeatureCollection, one feature per line (readable diffs)."""
    lines = []
    for properties, geometry in features:
        geo = mapping(geometry)
        feature = {
            "type": "Feature",
            "properties": properties,
            "geometry": {"type": geo["type"], "coordinates": _round_coords(geo["coordinates"], COORDINATE_DECIMALS)},
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def _clean_label(label: str) -> str:
    """Typographic apostrophes and non-breaking spaces to plain ones, single spaces."""
    return re.sub(r"\s+", " ", label.replace("\u2019", "'").replace("\u00a0", " ")).strip()


# --------------------------------------------------------------------------------------------
# Communes: COG 2026 and the 2018 -> 2026 code mapping
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Commune:
    code: str
    nom: str
    population: int
    departement: str


def _current_communes(cog: list[dict]) -> dict[str, Commune]:
    communes = {
        row["code"]: Commune(row["code"], row["nom"], int(row["population"]), row["departement"])
        for row in cog
        if row.get("departement") in DEPARTEMENTS and row["type"] == "commune-actuelle"
    }
    if len(communes) != EXPECTED_COMMUNES:
        raise ReferenceBuildError(f"{len(communes)} current communes in Lorraine, expected {EXPECTED_COMMUNES}")
    return dict(sorted(communes.items()))


def _old_to_current(cog: list[dict], current: dict[str, Commune]) -> dict[str, str]:
    """Map every former commune code (delegated, associated, merged) to its 2026 commune code.

    `chefLieu` of the delegated/associated communes first, then `anciensCodes` of the current
    communes for the codes merged without a delegated commune."""
    mapping_: dict[str, str] = {}
    for row in cog:
        if (row["type"] in ("commune-deleguee", "commune-associee") and row.get("chefLieu") in current
                and row["code"] not in current):
            mapping_[row["code"]] = row["chefLieu"]
    for code, commune_row in ((r["code"], r) for r in cog if r["type"] == "commune-actuelle"):
        if code not in current:
            continue
        for old in commune_row.get("anciensCodes", []):
            if old in current:
                continue
            # `chefLieu` is the current attachment and wins: `anciensCodes` keeps history, e.g.
            # 55273 Lamarche-en-Woëvre is listed under 55245 but now belongs to 55386.
            mapping_.setdefault(old, code)
    return mapping_


def _communes_2026_geometries(
    sources: Path, current: dict[str, Commune], old_to_current: dict[str, str]
) -> tuple[dict[str, Polygon | MultiPolygon], dict[str, str], int]:
    """2018 polygons dissolved by 2026 code; also returns the merges applied and the 2018 vertex count."""
    polygons_2018: dict[str, Polygon | MultiPolygon] = {}
    for path in sorted((sources / "upstream" / "france-geojson").glob("communes-*.geojson")):
        for feature in _read_json(path)["features"]:
            code = feature["properties"]["code"]
            if code in polygons_2018:
                raise ReferenceBuildError(f"commune {code} appears twice in france-geojson")
            polygons_2018[code] = shape(feature["geometry"])
    vertices_2018 = int(shapely.get_num_coordinates(list(polygons_2018.values())).sum())

    merges: dict[str, str] = {}
    parts: dict[str, list] = defaultdict(list)
    for code, geometry in sorted(polygons_2018.items()):
        if code in current:
            target = code
        elif code in ABSORBED_WITHOUT_CHEF_LIEU:
            target = ABSORBED_WITHOUT_CHEF_LIEU[code]
            if old_to_current.get(code) != target:
                raise ReferenceBuildError(f"{code}: expected in anciensCodes of {target}")
            if not polygons_2018[target].touches(geometry):
                raise ReferenceBuildError(f"{code}: its 2018 polygon does not touch that of {target}")
        elif code in old_to_current:
            target = old_to_current[code]
        else:
            raise ReferenceBuildError(f"2018 commune {code} has no 2026 commune")
        if target != code:
            merges[code] = target
        parts[target].append(geometry)

    missing = sorted(set(current) - set(parts))
    if missing:
        raise ReferenceBuildError(f"2026 communes without a polygon: {missing}")
    if len(polygons_2018) - len(merges) != EXPECTED_COMMUNES:
        raise ReferenceBuildError(f"{len(polygons_2018)} polygons and {len(merges)} merges")
    geometries = {code: shapely.union_all(parts[code]) if len(parts[code]) > 1 else parts[code][0] for code in current}
    return geometries, merges, vertices_2018


# --------------------------------------------------------------------------------------------
# Topology-preserving simplification: split the rings into arcs between junctions, simplify
# every arc once (Douglas-Peucker in Lambert-93), rebuild the rings from the shared arcs.
# Neighbours keep exactly the same border, so no gap or sliver can open between them.
# --------------------------------------------------------------------------------------------

@dataclass
class _Ring:
    feature: int
    part: int
    vertices: list[int]  # ids into the vertex table, not closed; exterior ring first


def _douglas_peucker(xy: np.ndarray, tolerance: float) -> np.ndarray:
    """Boolean mask of the points kept; both ends always kept (distances to the segment)."""
    keep = np.zeros(len(xy), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(xy) - 1)]
    while stack:
        first, last = stack.pop()
        if last <= first + 1:
            continue
        a, b = xy[first], xy[last]
        points = xy[first + 1:last]
        ab = b - a
        length2 = float(ab @ ab)
        if length2 == 0.0:
            distances = np.hypot(*(points - a).T)
        else:
            t = np.clip((points - a) @ ab / length2, 0.0, 1.0)
            distances = np.hypot(*(points - (a + t[:, None] * ab)).T)
        worst = int(np.argmax(distances))
        if distances[worst] > tolerance:
            split = first + 1 + worst
            keep[split] = True
            stack.append((first, split))
            stack.append((split, last))
    return keep


class _Topology:
    def __init__(self, geometries: Sequence[Polygon | MultiPolygon]):
        vertex_ids: dict[tuple[int, int], int] = {}
        self.rings: list[_Ring] = []
        self.features = len(geometries)
        scale = 10 ** COORDINATE_DECIMALS
        for feature, geometry in enumerate(geometries):
            polygons = list(geometry.geoms) if isinstance(geometry, MultiPolygon) else [geometry]
            for part, polygon in enumerate(polygons):
                for ring in [polygon.exterior, *polygon.interiors]:
                    ids: list[int] = []
                    for x, y in ring.coords[:-1]:
                        key = (round(x * scale), round(y * scale))
                        vid = vertex_ids.setdefault(key, len(vertex_ids))
                        if not ids or ids[-1] != vid:
                            ids.append(vid)
                    while len(ids) > 1 and ids[0] == ids[-1]:
                        ids.pop()
                    self.rings.append(_Ring(feature, part, ids))
        self.feature_rings: dict[int, list[int]] = defaultdict(list)
        for r, ring in enumerate(self.rings):
            self.feature_rings[ring.feature].append(r)
        keys = np.array(list(vertex_ids), dtype=np.int64).reshape(-1, 2)
        self.lonlat = keys / scale
        to_l93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
        self.xy = np.column_stack(to_l93.transform(self.lonlat[:, 0], self.lonlat[:, 1]))
        self._split_arcs()

    def _split_arcs(self) -> None:
        edge_rings: dict[tuple[int, int], set[int]] = defaultdict(set)
        vertex_rings: dict[int, set[int]] = defaultdict(set)
        for r, ring in enumerate(self.rings):
            ids = ring.vertices
            for i, a in enumerate(ids):
                b = ids[(i + 1) % len(ids)]
                edge_rings[(a, b) if a < b else (b, a)].add(r)
                vertex_rings[a].add(r)
        # A junction is a vertex where the set of rings sharing the border changes, or where
        # a ring touches another one (or itself) at a single point.
        self.ring_arcs: list[list[tuple[tuple[int, ...], bool]]] = []  # (arc key, reversed)
        self.arcs: dict[tuple[int, ...], None] = {}
        for ring in self.rings:
            ids = ring.vertices
            count = Counter(ids)
            n = len(ids)
            nodes = []
            for i, v in enumerate(ids):
                p, q = ids[i - 1], ids[(i + 1) % n]
                before = edge_rings[(p, v) if p < v else (v, p)]
                after = edge_rings[(v, q) if v < q else (q, v)]
                if before != after or vertex_rings[v] != before or count[v] > 1:
                    nodes.append(i)
            if not nodes:
                # Closed arc without junction: start at the smallest vertex id, canonical direction.
                start = ids.index(min(ids))
                rotated = ids[start:] + ids[:start]
                pieces = [tuple(rotated + [rotated[0]])]
            else:
                rotated = ids[nodes[0]:] + ids[:nodes[0]]
                cuts = [i - nodes[0] for i in nodes] + [n]
                pieces = [tuple(rotated[a:b + 1] if b < n else rotated[a:] + [rotated[0]])
                          for a, b in zip(cuts, cuts[1:])]
            arcs = []
            for piece in pieces:
                backward = piece[::-1]
                key = min(piece, backward)
                self.arcs[key] = None
                arcs.append((key, key != piece))
            self.ring_arcs.append(arcs)

    def simplify(self, tolerance: float, protected: set[tuple[int, ...]]) -> list[Polygon | MultiPolygon]:
        kept: dict[tuple[int, ...], list[int]] = {}
        for key in self.arcs:
            if key in protected or len(key) <= 2:
                kept[key] = list(key)
                continue
            mask = _douglas_peucker(self.xy[list(key)], tolerance)
            kept[key] = [v for v, keep in zip(key, mask) if keep]
        # A ring needs 4 coordinates: restore the arcs of any ring that collapsed below that.
        while True:
            short = {key for r in range(len(self.rings)) if len(self.ring_vertices(r, kept)) < 4
                     for key, _ in self.ring_arcs[r] if len(kept[key]) < len(key)}
            if not short:
                return self.geometries(kept)
            for key in short:
                kept[key] = list(key)

    def ring_vertices(self, r: int, kept: dict[tuple[int, ...], list[int]]) -> list[int]:
        ids: list[int] = []
        for key, reverse in self.ring_arcs[r]:
            arc = kept[key][::-1] if reverse else kept[key]
            ids.extend(arc if not ids else arc[1:])
        return ids  # closed: first == last

    def geometries(self, kept: dict[tuple[int, ...], list[int]]) -> list[Polygon | MultiPolygon]:
        by_feature: dict[int, dict[int, list[np.ndarray]]] = defaultdict(lambda: defaultdict(list))
        for r, ring in enumerate(self.rings):
            by_feature[ring.feature][ring.part].append(self.lonlat[self.ring_vertices(r, kept)])
        result = []
        for feature in range(self.features):
            polygons = [Polygon(rings[0], rings[1:]) for _, rings in sorted(by_feature[feature].items())]
            result.append(polygons[0] if len(polygons) == 1 else MultiPolygon(polygons))
        return result

    def arcs_of_feature(self, feature: int, part: int | None = None) -> set[tuple[int, ...]]:
        return {key for r in self.feature_rings[feature] if part is None or self.rings[r].part == part
                for key, _ in self.ring_arcs[r]}


def _simplify_preserving_topology(
    geometries: Sequence[Polygon | MultiPolygon], tolerance: float
) -> tuple[list[Polygon | MultiPolygon], int]:
    """Simplify shared arcs once; arcs of any part that would collapse, become invalid or overlap a
    neighbour are kept at full detail and the check repeats. Returns the geometries and the number
    of protected arcs."""
    topology = _Topology(geometries)
    protected: set[tuple[int, ...]] = set()
    while True:
        simplified = topology.simplify(tolerance, protected)
        before = len(protected)
        for feature, (original, new) in enumerate(zip(geometries, simplified)):
            original_parts = list(getattr(original, "geoms", [original]))
            new_parts = list(getattr(new, "geoms", [new]))
            for part, (old_part, new_part) in enumerate(zip(original_parts, new_parts)):
                rings = [new_part.exterior, *new_part.interiors]
                if (any(len(set(ring.coords)) < 3 for ring in rings) or not new_part.is_valid
                        or new_part.area < 0.5 * old_part.area):
                    protected |= topology.arcs_of_feature(feature, part)
            if not new.is_valid:
                protected |= topology.arcs_of_feature(feature)
        valid = shapely.is_valid(simplified)
        left, right = shapely.STRtree(simplified).query(simplified, predicate="intersects")
        for a, b in zip(left.tolist(), right.tolist()):
            # Invalid ones are already protected; neighbours share arcs, so any overlap means
            # that two simplified arcs cross.
            if a < b and valid[a] and valid[b] and simplified[a].intersection(simplified[b]).area > 1e-12:
                protected |= topology.arcs_of_feature(a) | topology.arcs_of_feature(b)
        if len(protected) == before:
            return simplified, len(protected)


def _normalized(geometry: Polygon | MultiPolygon) -> Polygon | MultiPolygon:
    """Canonical ring order and start points, exterior rings counter-clockwise (RFC 7946)."""
    geometry = shapely.orient_polygons(shapely.normalize(geometry), exterior_cw=False)
    if isinstance(geometry, MultiPolygon) and len(geometry.geoms) == 1:
        return geometry.geoms[0]
    return geometry


def _dissolve(
    geometries: dict[str, Polygon | MultiPolygon], groups: dict[str, str]
) -> dict[str, Polygon | MultiPolygon]:
    """Union of the member geometries of each group, sorted by group code."""
    members: dict[str, list] = defaultdict(list)
    for code, group in groups.items():
        members[group].append(geometries[code])
    dissolved = {}
    for group in sorted(members):
        geometry = shapely.union_all(members[group])
        polygons = [g for g in getattr(geometry, "geoms", [geometry]) if isinstance(g, Polygon)]
        if len(polygons) != len(getattr(geometry, "geoms", [geometry])):
            raise ReferenceBuildError(f"dissolving {group} gave non-polygon pieces")
        geometry = polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
        if not geometry.is_valid:
            raise ReferenceBuildError(f"dissolved geometry {group} is invalid")
        dissolved[group] = _normalized(geometry)
    return dissolved


def _inside_point(
    geometry: Polygon | MultiPolygon, to_l93: Transformer, to_wgs84: Transformer
) -> tuple[float, float, str]:
    """(lat, lon, method) with 5 decimals, strictly inside the polygon: the Lambert-93 centroid when
    inside, else shapely's representative point, else that of the largest part shrunk by ~10 m."""
    projected = shapely.transform(geometry, lambda xy: np.column_stack(to_l93.transform(xy[:, 0], xy[:, 1])))
    centroid = projected.centroid
    candidates = [("centroid", *to_wgs84.transform(centroid.x, centroid.y))]
    point = geometry.representative_point()
    candidates.append(("representative_point", point.x, point.y))
    largest = max(getattr(geometry, "geoms", [geometry]), key=lambda p: p.area)
    shrunk = largest.buffer(-1e-4)  # so that rounding to 5 decimals cannot push the point out
    if not shrunk.is_empty:
        point = shrunk.representative_point()
        candidates.append(("representative_point of the shrunk largest part", point.x, point.y))
    for method, lon, lat in candidates:
        lon, lat = round(lon, 5), round(lat, 5)
        if geometry.contains(Point(lon, lat)):
            return lat, lon, method
    raise ReferenceBuildError("no point with 5 decimals found inside a commune polygon")


# --------------------------------------------------------------------------------------------
# Build steps
# --------------------------------------------------------------------------------------------

@dataclass
class _Report:
    lines: list[str]

    def add(self, message: str) -> None:
        self.lines.append(message)
        print(message)


def _epci_membership(sources: Path, current: dict[str, Commune]) -> tuple[dict[str, str], dict[str, dict]]:
    epci_rows = _read_json(sources / "upstream" / "decoupage-administratif" / "epci.json")
    commune_epci: dict[str, str] = {}
    epcis: dict[str, dict] = {}
    for epci in epci_rows:
        lorraine = [m["code"] for m in epci["membres"] if m["code"] in current]
        if not lorraine:
            continue
        epcis[epci["code"]] = epci
        for code in lorraine:
            if commune_epci.setdefault(code, epci["code"]) != epci["code"]:
                raise ReferenceBuildError(f"commune {code} is a member of two EPCI")
    missing = sorted(set(current) - set(commune_epci))
    if missing or len(epcis) != EXPECTED_EPCI:
        raise ReferenceBuildError(f"{len(epcis)} EPCI (expected {EXPECTED_EPCI}); communes without EPCI: {missing}")
    return commune_epci, dict(sorted(epcis.items()))


def _zone_emploi_membership(
    sources: Path, current: dict[str, Commune], old_to_current: dict[str, str], report: _Report
) -> tuple[dict[str, str], dict[str, str]]:
    rows = _read_csv(sources / "reference" / "insee_ze2020_communes_lorraine.csv")
    names: dict[str, str] = {}
    own: dict[str, str] = {}
    absorbed: list[tuple[str, str, str]] = []
    for row in rows:
        names[row["ZE2020"]] = row["LIBZE2020"]
        code = row["CODGEO"]
        if code in current:
            own[code] = row["ZE2020"]
        elif code in old_to_current:
            absorbed.append((code, old_to_current[code], row["ZE2020"]))
        else:
            raise ReferenceBuildError(f"zone d'emploi file: commune {code} unknown in COG 2026")
    for old, new, zone in absorbed:
        # The 2026 commune keeps its own row; a merged commune only decides when it is absent.
        if new not in own:
            own[new] = zone
        note = "same zone" if own[new] == zone else f"zone {zone} ignored, {new} is in {own[new]}"
        report.add(f"zones d'emploi: COG 2023 code {old} merged into {new} ({note})")
    missing = sorted(set(current) - set(own))
    if missing or len(set(own.values())) != EXPECTED_ZONES:
        raise ReferenceBuildError(f"{len(set(own.values()))} zones; communes without zone: {missing}")
    return {code: own[code] for code in current}, dict(sorted(names.items()))


def _naf_table(sources: Path, report: _Report) -> list[list[str]]:
    labels = {row["id"]: _clean_label(row["label"])
              for row in _read_json(sources / "upstream" / "codes-naf" / "naf-rev2.json")}
    rows = _read_csv(sources / "reference" / "naf_rev2_industrie_sous_classes.csv")
    if len(rows) != EXPECTED_NAF_SUBCLASSES:
        raise ReferenceBuildError(f"{len(rows)} NAF sub-classes, expected {EXPECTED_NAF_SUBCLASSES}")
    table = []
    for row in sorted(rows, key=lambda r: r["code_naf"]):
        subclass = row["code_naf"]
        if not re.fullmatch(r"\d{2}\.\d{2}[A-Z]", subclass):
            raise ReferenceBuildError(f"NAF sub-class {subclass!r} is malformed")
        klass, group, division = subclass[:5], subclass[:4], subclass[:2]
        if division != row["division"] or row["section"] not in SECTION_LABELS:
            raise ReferenceBuildError(f"NAF sub-class {subclass}: division/section inconsistent")
        for code in (subclass, klass, group, division):
            if code not in labels:
                raise ReferenceBuildError(f"NAF code {code} missing from naf-rev2.json")
        label = _clean_label(row["libelle_sous_classe"])
        if label != labels[subclass]:
            # Only typos of the reference table (a stray comma in 28.23Z): naf-rev2.json wins.
            report.add(f"naf: {subclass} label {label!r} replaced by naf-rev2.json {labels[subclass]!r}")
        if _clean_label(row["libelle_division"]) != labels[division]:
            report.add(f"naf: division {division} label differs between sources, naf-rev2.json kept")
        metallurgie = row["metallurgie_uimm_approx"]
        if metallurgie not in METALLURGIE:
            raise ReferenceBuildError(f"NAF sub-class {subclass}: unknown metallurgie value {metallurgie!r}")
        table.append([
            subclass, labels[subclass], klass, labels[klass], group, labels[group], division, labels[division],
            row["section"], SECTION_LABELS[row["section"]], row["a38"], row["filiere_proposee"],
            METALLURGIE[metallurgie],
        ])
    if len({r[0] for r in table}) != len(table):
        raise ReferenceBuildError("duplicate NAF sub-classes")
    return table


def _check_filieres(used: Iterable[str]) -> None:
    used = set(used)
    labels = [label for _, label, _ in FILIERES]
    unknown = sorted(set(used) - set(labels))
    unused = sorted(set(labels) - set(used))
    if unknown or unused:
        raise ReferenceBuildError(f"filières without a slug: {unknown}; slugs without NAF code: {unused}")
    if len({c for c, _, _ in FILIERES}) != len(FILIERES) or len({c for _, _, c in FILIERES}) != len(FILIERES):
        raise ReferenceBuildError("filière slugs and colours must be unique")


def _tranches_table(sources: Path) -> tuple[list[str], list[list[str]]]:
    rows = _read_csv(sources / "reference" / "insee_tranches_effectifs.csv")
    table = []
    for row in rows:
        code = row["code"]
        if code in TRANCHE_OPEN_ENDED_MID:
            mid = TRANCHE_OPEN_ENDED_MID[code]
        else:
            mid = (float(row["borne_min"]) + float(row["borne_max"])) / 2
        table.append([code, row["libelle"], row["borne_min"], row["borne_max"], _number(mid),
                      TRANCHE_SHORT_LABELS[code]])
    return [*rows[0].keys(), "headcount_mid", "short_label"], table


def build(sources: Path, out: Path, *, tolerance: float = SIMPLIFY_TOLERANCE_M) -> list[str]:
    """Write every bundled reference file into `out`; returns the build report lines.

    Everything is computed and checked in memory first, so a failed build leaves `out` as it was."""
    report = _Report([])
    cog_dir = sources / "upstream" / "decoupage-administratif"
    cog = _read_json(cog_dir / "communes.json")
    current = _current_communes(cog)
    codes = list(current)
    old_to_current = _old_to_current(cog, current)

    # Geometry: 2018 polygons -> 2026 communes -> simplified -> dissolved layers.
    geometries, merges, vertices_2018 = _communes_2026_geometries(sources, current, old_to_current)
    for old, new in sorted(merges.items()):
        report.add(f"communes: 2018 polygon {old} dissolved into 2026 commune {new} {current[new].nom}")
    dissolved_vertices = int(shapely.get_num_coordinates([geometries[c] for c in codes]).sum())
    simplified, protected = _simplify_preserving_topology([geometries[c] for c in codes], tolerance)
    communes_geo = {code: _normalized(geometry) for code, geometry in zip(codes, simplified)}
    invalid = [code for code, geometry in communes_geo.items() if not geometry.is_valid]
    if invalid:
        raise ReferenceBuildError(f"invalid simplified communes: {invalid}")
    simplified_vertices = int(shapely.get_num_coordinates(list(communes_geo.values())).sum())
    report.add(f"communes: {vertices_2018} vertices in the 2018 polygons, {dissolved_vertices} after dissolving, "
               f"{simplified_vertices} after simplification (tolerance {tolerance:g} m, {protected} arcs kept whole)")

    commune_epci, epcis = _epci_membership(sources, current)
    commune_zone, zone_names = _zone_emploi_membership(sources, current, old_to_current, report)
    departements = {row["code"]: row["nom"] for row in _read_json(cog_dir / "departements.json")
                    if row["code"] in DEPARTEMENTS}

    files: dict[str, str] = {}
    files["geo/communes.geojson"] = _geojson_text(
        ({"code": code, "nom": current[code].nom}, communes_geo[code]) for code in codes)
    layers = {
        "departements": ({c: current[c].departement for c in codes}, departements),
        "epci": (commune_epci, {code: epci["nom"] for code, epci in epcis.items()}),
        "zones_emploi": (commune_zone, zone_names),
    }
    for layer, (groups, names) in layers.items():
        dissolved = _dissolve(communes_geo, groups)
        files[f"geo/{layer}.geojson"] = _geojson_text(
            ({"code": code, "nom": names[code]}, geometry) for code, geometry in dissolved.items())
    for name, text in files.items():
        limit = COMMUNES_MAX_BYTES if name == "geo/communes.geojson" else DISSOLVED_MAX_BYTES
        if len(text.encode("utf-8")) > limit:
            raise ReferenceBuildError(f"{name} is {len(text.encode('utf-8'))} bytes, over the {limit} bytes limit")

    # Tables.
    to_l93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
    to_wgs84 = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
    commune_rows, fallbacks = [], []
    for code in codes:
        commune = current[code]
        lat, lon, how = _inside_point(communes_geo[code], to_l93, to_wgs84)
        if how != "centroid":
            fallbacks.append(f"{code} ({how})")
        commune_rows.append([code, commune.nom, commune.population, commune.departement, commune_epci[code],
                             commune_zone[code], f"{lat:.5f}", f"{lon:.5f}"])
    report.add(f"communes: lat/lon is the Lambert-93 centroid except for {len(fallbacks)} communes: "
               + ", ".join(fallbacks))
    files["ref/communes.csv"] = _csv_text(
        ["code", "nom", "population", "departement", "epci", "zone_emploi", "lat", "lon"], commune_rows)

    files["ref/departements.csv"] = _csv_text(
        ["code", "nom", "population"],
        [[d, departements[d], sum(c.population for c in current.values() if c.departement == d)]
         for d in sorted(departements)])
    epci_rows = []
    for code, epci in epcis.items():
        members = [current[c] for c in codes if commune_epci[c] == code]
        epci_rows.append([code, epci["nom"], epci["type"], sum(m.population for m in members), len(members),
                          ";".join(sorted({m.departement for m in members}))])
        outside = sorted(m["code"] for m in epci["membres"] if m["code"] not in current)
        if outside:
            report.add(f"epci: {code} {epci['nom']} also has members outside Lorraine, counted out: "
                       + ", ".join(outside))
    files["ref/epci.csv"] = _csv_text(
        ["code", "nom", "type", "population_lorraine", "nb_communes_lorraine", "departements"], epci_rows)
    files["ref/zones_emploi.csv"] = _csv_text(
        ["code", "nom", "population_lorraine", "nb_communes_lorraine"],
        [[z, zone_names[z], sum(current[c].population for c in codes if commune_zone[c] == z),
          sum(1 for c in codes if commune_zone[c] == z)] for z in sorted(set(commune_zone.values()))])

    naf = _naf_table(sources, report)
    files["ref/naf.csv"] = _csv_text(
        ["subclass", "subclass_label", "class", "class_label", "group", "group_label", "division",
         "division_label", "section", "section_label", "a38", "filiere", "metallurgie"], naf)
    _check_filieres(row[11] for row in naf)
    files["ref/filieres.csv"] = _csv_text(["code", "label", "color"], FILIERES)
    files["ref/tranches_effectifs.csv"] = _csv_text(*_tranches_table(sources))

    for name, text in sorted(files.items()):
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        report.add(f"wrote {name}: {len(text.encode('utf-8'))} bytes")
    return report.lines


# --------------------------------------------------------------------------------------------
# Territories (TISSU_TERRITORY): every metropolitan department, one compact geobuf per department.
# Kept apart from the Lorraine build above: the app reads these only for another territory.
# --------------------------------------------------------------------------------------------

NATIONAL_DIR = ("upstream", "france-geojson", "national", "departements")
# Outside the default territory the contours are simplified more (the package stays small).
TERRITORY_TOLERANCE_M = 200.0
# Geobuf precision of the territory files: 4 decimals is at most 11 m, well below the tolerance.
TERRITORY_DECIMALS = 4
EXPECTED_METRO_DEPARTMENTS = 96
EXPECTED_METRO_COMMUNES = 34746
TERRITORY_MAX_BYTES = 6_000_000
# Communes re-established after 2018 (a commune nouvelle split again): france-geojson's COG 2018 has
# only the contour of the merged commune, which stays with the code that kept it. The re-established
# commune has no contour of its own; its point is that of its former commune nouvelle, and its feature
# a Point (data/README.md).
RE_ESTABLISHED = {
    "14666": "14712",  # Sannerville left Saline (now Troarn)
    "15031": "15141", "15035": "15141", "15047": "15141", "15171": "15141",  # left Neussargues en Pinatelle
    "85165": "85084", "85212": "85084",  # L'Oie, Sainte-Florence left Essarts en Bocage
}


def _metro_departments(cog_dir: Path) -> dict[str, dict]:
    rows = {row["code"]: row for row in _read_json(cog_dir / "departements.json") if row["zone"] == "metro"}
    if len(rows) != EXPECTED_METRO_DEPARTMENTS:
        raise ReferenceBuildError(f"{len(rows)} metropolitan departments, expected {EXPECTED_METRO_DEPARTMENTS}")
    return dict(sorted(rows.items()))


def _national_geometries(
    sources: Path, current: dict[str, Commune], old_to_current: dict[str, str]
) -> tuple[dict[str, Polygon | MultiPolygon], int]:
    """The 2018 polygons of every metropolitan department dissolved by 2026 code; also the merges count."""
    parts: dict[str, list] = defaultdict(list)
    seen: set[str] = set()
    merges = 0
    for path in sorted(sources.joinpath(*NATIONAL_DIR).glob("communes-*.geojson")):
        for feature in _read_json(path)["features"]:
            code = feature["properties"]["code"]
            if code[:2] == "97":
                continue
            if code in seen:
                raise ReferenceBuildError(f"commune {code} appears twice in france-geojson/national")
            seen.add(code)
            target = code if code in current else old_to_current.get(code)
            if target is None:
                raise ReferenceBuildError(f"2018 commune {code} has no 2026 commune")
            merges += target != code
            parts[target].append(shape(feature["geometry"]))
    missing = sorted(set(current) - set(parts) - set(RE_ESTABLISHED))
    if missing:
        raise ReferenceBuildError(f"2026 communes without a polygon: {missing}")
    geometries = {code: shapely.union_all(group) if len(group) > 1 else group[0] for code, group in parts.items()}
    return dict(sorted(geometries.items())), merges


def _geobuf_bytes(features: Iterable[tuple[dict[str, object], Polygon | MultiPolygon | Point]]) -> bytes:
    import geobuf  # a runtime dependency of the app; only this step needs it

    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": properties, "geometry": mapping(geometry)}
        for properties, geometry in features]}
    return bytes(geobuf.encode(collection, TERRITORY_DECIMALS))


def build_territories(sources: Path, *, tolerance: float = TERRITORY_TOLERANCE_M) -> tuple[dict[str, bytes], list[str]]:
    """Every metropolitan department's communes (COG 2026, with population, EPCI, zone d'emploi where the
    sources have one, an inside point) as `territory/communes-<dep>.pbf`, plus national tables.

    Returns the files (name -> bytes) and the report lines; nothing is written here."""
    report = _Report([])
    cog_dir = sources / "upstream" / "decoupage-administratif"
    cog = _read_json(cog_dir / "communes.json")
    departments = _metro_departments(cog_dir)
    current = {row["code"]: Commune(row["code"], row["nom"], int(row.get("population") or 0), row["departement"])
               for row in cog if row["type"] == "commune-actuelle" and row.get("departement") in departments}
    current = dict(sorted(current.items()))
    if len(current) != EXPECTED_METRO_COMMUNES:
        raise ReferenceBuildError(f"{len(current)} metropolitan communes, expected {EXPECTED_METRO_COMMUNES}")
    old_to_current = _old_to_current(cog, current)
    geometries, merges = _national_geometries(sources, current, old_to_current)
    codes = list(geometries)
    simplified, protected = _simplify_preserving_topology([geometries[c] for c in codes], tolerance)
    contours = {code: _normalized(g) for code, g in zip(codes, simplified)}
    vertices = int(shapely.get_num_coordinates(list(contours.values())).sum())
    report.add(f"territories: {len(current)} communes, {merges} 2018 polygons merged, {vertices} vertices "
               f"(tolerance {tolerance:g} m, {protected} arcs kept whole)")

    commune_epci: dict[str, str] = {}
    epci_rows = []
    for epci in sorted(_read_json(cog_dir / "epci.json"), key=lambda e: e["code"]):
        members = [m["code"] for m in epci["membres"] if m["code"] in current]
        if members:
            epci_rows.append([epci["code"], epci["nom"], epci["type"]])
            commune_epci.update(dict.fromkeys(members, epci["code"]))
    lorraine = {code: c for code, c in current.items() if c.departement in DEPARTEMENTS}
    commune_zone, zone_names = _zone_emploi_membership(sources, lorraine, old_to_current, _Report([]))

    to_l93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
    to_wgs84 = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
    points = {code: _inside_point(contours[code], to_l93, to_wgs84)[:2] for code in codes}
    files: dict[str, bytes | str] = {}
    for dep in departments:
        features = []
        for code, commune in current.items():
            if commune.departement != dep:
                continue
            lat, lon = points[RE_ESTABLISHED.get(code, code)]
            features.append(({"code": code, "nom": commune.nom, "population": commune.population,
                              "epci": commune_epci.get(code, ""), "zone_emploi": commune_zone.get(code, ""),
                              "lat": lat, "lon": lon}, contours.get(code) or Point(lon, lat)))
        files[f"territory/communes-{dep}.pbf"] = _geobuf_bytes(features)
    outlines = _dissolve(contours, {code: current[code].departement for code in codes})
    files["territory/departements.pbf"] = _geobuf_bytes(
        ({"code": dep, "nom": departments[dep]["nom"]}, outlines[dep]) for dep in departments)
    regions = {row["code"]: row["nom"] for row in _read_json(cog_dir / "regions.json")}
    files["territory/departements.csv"] = _csv_text(
        ["code", "nom", "region", "region_nom", "population", "nb_communes", "west", "south", "east", "north"],
        [[dep, row["nom"], row["region"], regions[row["region"]],
          sum(c.population for c in current.values() if c.departement == dep),
          sum(1 for c in current.values() if c.departement == dep),
          *(f"{v:.3f}" for v in outlines[dep].bounds)] for dep, row in departments.items()])
    files["territory/epci.csv"] = _csv_text(["code", "nom", "type"], epci_rows)
    files["territory/zones_emploi.csv"] = _csv_text(["code", "nom"], sorted(zone_names.items()))
    encoded = {name: data.encode("utf-8") if isinstance(data, str) else data for name, data in files.items()}
    without_epci = sorted(code for code in current if code not in commune_epci)
    report.add(f"territories: {len(epci_rows)} EPCI; communes without EPCI: {', '.join(without_epci) or 'none'}")
    total = sum(len(data) for data in encoded.values())
    if total > TERRITORY_MAX_BYTES:
        raise ReferenceBuildError(f"territory files are {total} bytes, over the {TERRITORY_MAX_BYTES} bytes limit")
    report.add(f"territories: {len(encoded)} files, {total} bytes")
    return encoded, report.lines


def write_territories(files: dict[str, bytes], out: Path) -> None:
    """Write the territory files (built and checked in memory first)."""
    for name, data in sorted(files.items()):
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def main(argv: Sequence[str] | None = None) -> int:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_sources = os.environ.get(SOURCES_ENV)
    parser.add_argument("--sources", type=Path, default=Path(default_sources) if default_sources else None,
                        required=not default_sources,
                        help=f"the read-only folder of upstream sources, laid out as data/README.md says "
                             f"(default: ${SOURCES_ENV})")
    parser.add_argument("--out", type=Path, default=here, help="output folder (default: the folder of this script)")
    parser.add_argument("--tolerance", type=float, default=SIMPLIFY_TOLERANCE_M,
                        help=f"simplification tolerance in metres (default {SIMPLIFY_TOLERANCE_M:g})")
    parser.add_argument("--territories", action=argparse.BooleanOptionalAction, default=True,
                        help="also build every metropolitan department's files in territory/ (about 3 minutes)")
    args = parser.parse_args(argv)
    sources, out = args.sources.resolve(), args.out.resolve()
    if out == sources or sources in out.parents:
        parser.error("--out must not be inside the sources folder")
    try:
        build(sources, out, tolerance=args.tolerance)
        if args.territories:
            files, _ = build_territories(sources)
            write_territories(files, out)
    except ReferenceBuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
