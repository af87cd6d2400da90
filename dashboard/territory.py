"""The territory tissu covers: a French region, a list of departments or metropolitan France (`TISSU_TERRITORY`).

The setting is parsed once (`parse_territory`) against the bundled table of metropolitan departments
(`data/territory/departements.csv`, built by `data/build_reference.py`). The app activates it once at start
(`activate`, from `create_app` and the CLI) before any reference data is read: it is the process's one territory,
never changed by a request. Lorraine (54, 55, 57, 88) is the default and keeps its own, finer bundled files.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dashboard.paths import DATA_DIR

LORRAINE = ("54", "55", "57", "88")
DEFAULT_SPEC = "54,55,57,88"
FRANCE = "france"
# The default view of the map for Lorraine (unchanged since the first release).
LORRAINE_CENTER = (48.78, 6.15)
LORRAINE_ZOOM = 8.5
LORRAINE_MAX_BOUNDS = ((46.8, 3.5), (50.6, 9.0))


class TerritoryError(ValueError):
    """A `TISSU_TERRITORY` value that names no region, department list or `france`."""


@dataclass(frozen=True)
class Department:
    code: str
    nom: str
    region: str
    region_nom: str
    population: int
    communes: int
    bounds: tuple[float, float, float, float]  # west, south, east, north (degrees)


@dataclass(frozen=True)
class Territory:
    spec: str  # the normalised setting: "54,55,57,88", "44", "67,68" or "france"
    label: str  # shown in the UI: "Lorraine", "Grand Est", "France", "départements 67, 68"
    departments: tuple[str, ...]  # sorted codes

    @property
    def is_default(self) -> bool:
        """Lorraine, whose finer reference files ship in data/geo and data/ref."""
        return self.departments == LORRAINE

    @property
    def of_label(self) -> str:
        """'de la Lorraine', 'du Grand Est', 'de la France', 'des départements 67, 68', 'de Moselle (57)'."""
        return f"des {self.label}" if self.label.startswith("départements") else _of(self.label)

    @property
    def in_label(self) -> str:
        """'en Lorraine', 'dans le Grand Est', 'en France', 'dans les départements 67, 68'."""
        return f"dans les {self.label}" if self.label.startswith("départements") else _in(self.label)

    def commune_count(self, data_dir: Path = DATA_DIR) -> int:
        """Communes (COG 2026) of the territory's departments."""
        table = departments_table(data_dir)
        return sum(table[d].communes for d in self.departments)

    @property
    def tagline(self) -> str:
        """'le tissu industriel lorrain' (default), else 'le tissu industriel du Grand Est'…"""
        return "le tissu industriel lorrain" if self.is_default else f"le tissu industriel {self.of_label}"

    @property
    def whole_label(self) -> str:
        """'Toute la Lorraine' (default), else 'Tout le territoire (Grand Est)'."""
        return "Toute la Lorraine" if self.is_default else f"Tout le territoire ({self.label})"

    @property
    def departments_placeholder(self) -> str:
        """'Les 4 départements', 'Les 10 départements'."""
        return f"Les {len(self.departments)} départements" if len(self.departments) > 1 else self.label

    def bounds(self, data_dir: Path = DATA_DIR) -> tuple[float, float, float, float]:
        """(west, south, east, north) of the territory's departments, degrees."""
        deps = [departments_table(data_dir)[d] for d in self.departments]
        return (min(d.bounds[0] for d in deps), min(d.bounds[1] for d in deps),
                max(d.bounds[2] for d in deps), max(d.bounds[3] for d in deps))

    def view(self, data_dir: Path = DATA_DIR) -> tuple[tuple[float, float], float, tuple[tuple[float, float], ...]]:
        """(centre lat/lon, zoom, max bounds [[south, west], [north, east]]) of the map's initial view."""
        if self.is_default:
            return LORRAINE_CENTER, LORRAINE_ZOOM, LORRAINE_MAX_BOUNDS
        west, south, east, north = self.bounds(data_dir)
        # Lorraine spans 2.75° of longitude and 1.8° of latitude at zoom 8.5; each halving of the span adds one.
        span = max((east - west) / 2.75, (north - south) / 1.8, 1e-3)
        zoom = min(10.0, max(5.0, round((LORRAINE_ZOOM - math.log2(span)) * 4) / 4))
        pad_lat, pad_lon = max(1.0, (north - south) * 0.5), max(1.5, (east - west) * 0.5)
        return (((south + north) / 2, (west + east) / 2), zoom,
                ((south - pad_lat, west - pad_lon), (north + pad_lat, east + pad_lon)))


_REGION_ARTICLES = {"Grand Est": "le", "Centre-Val de Loire": "le", "Bourgogne-Franche-Comté": "la",
                    "Bretagne": "la", "Normandie": "la", "Corse": "la", "Nouvelle-Aquitaine": "la",
                    "Occitanie": "l'", "Île-de-France": "l'", "Auvergne-Rhône-Alpes": "l'",
                    "Hauts-de-France": "les", "Pays de la Loire": "les",
                    "Provence-Alpes-Côte d'Azur": "la", "Lorraine": "la", "France": "la"}


def of_label(label: str) -> str:
    """'de la Lorraine', 'du Grand Est', "de l'Occitanie": a region's name after "de"."""
    return _of(label)


def _of(label: str) -> str:
    article = _REGION_ARTICLES.get(label, "")
    return {"le": f"du {label}", "les": f"des {label}", "l'": f"de l'{label}"}.get(article, f"de la {label}"
                                                                                if article == "la" else f"de {label}")


def _in(label: str) -> str:
    article = _REGION_ARTICLES.get(label, "")
    return {"le": f"dans le {label}", "les": f"dans les {label}"}.get(article, f"en {label}")


@lru_cache(maxsize=4)
def departments_table(data_dir: Path = DATA_DIR) -> dict[str, Department]:
    """The 96 metropolitan departments, by code (bundled `territory/departements.csv`)."""
    with (data_dir / "territory" / "departements.csv").open(encoding="utf-8", newline="") as handle:
        return {row["code"]: Department(row["code"], row["nom"], row["region"], row["region_nom"],
                                        int(row["population"]), int(row["nb_communes"]),
                                        (float(row["west"]), float(row["south"]), float(row["east"]),
                                         float(row["north"])))
                for row in csv.DictReader(handle)}


def parse_territory(raw: str, data_dir: Path = DATA_DIR) -> Territory:
    """`44` (a region), `67,68` (departments; `44,` for the lone department 44), `france`; empty: Lorraine.

    Raises TerritoryError with a one-line message."""
    value = raw.strip().lower().replace(" ", "")
    table = departments_table(data_dir)
    regions = {d.region: d.region_nom for d in table.values()}
    if value in ("", DEFAULT_SPEC, "lorraine"):
        return Territory(DEFAULT_SPEC, "Lorraine", LORRAINE)
    if value in (FRANCE, "metropole", "fr"):
        return Territory(FRANCE, "France", tuple(sorted(table)))
    parts = [p.upper() for p in value.split(",") if p]
    if "," not in value and value.upper() in regions:  # a region; a lone department of the same code: "44,"
        code = value.upper()
        return _named(Territory(code, regions[code], tuple(sorted(d.code for d in table.values()
                                                                 if d.region == code))))
    unknown = [p for p in parts if p not in table]
    if not parts or unknown:
        regions_text = ", ".join(f"{code} {name}" for code, name in sorted(regions.items()))
        raise TerritoryError(f"TISSU_TERRITORY={raw!r}: {', '.join(unknown) or 'empty'} is not a metropolitan "
                             f"department; expected a region ({regions_text}), departments such as 54,55,57,88, "
                             f"or france")
    codes = tuple(sorted(set(parts)))
    return _named(Territory(",".join(codes), _departments_label(codes, table, regions), codes))


def _named(territory: Territory) -> Territory:
    if territory.departments == LORRAINE:
        return Territory(DEFAULT_SPEC, "Lorraine", LORRAINE)
    return territory


def _departments_label(codes: tuple[str, ...], table: dict[str, Department], regions: dict[str, str]) -> str:
    whole = {r for r in regions if set(codes) == {d.code for d in table.values() if d.region == r}}
    if whole:
        return regions[whole.pop()]
    if len(codes) == 1:
        return f"{table[codes[0]].nom} ({codes[0]})"
    return "départements " + ", ".join(codes)


_ACTIVE: list[Territory] = []  # set once at start by `activate` (never per request)


def activate(territory: Territory) -> None:
    """Make `territory` the process's territory (the app and CLI call it once, before reading reference data)."""
    _ACTIVE[:] = [territory]


def active() -> Territory:
    """The process's territory: the activated one, else Lorraine."""
    return _ACTIVE[0] if _ACTIVE else Territory(DEFAULT_SPEC, "Lorraine", LORRAINE)


def departments() -> tuple[str, ...]:
    """The active territory's department codes, sorted."""
    return active().departments
