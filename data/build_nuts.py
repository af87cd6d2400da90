"""Write data/geo/nuts3.geojson: the Eurostat GISCO NUTS-3 regions around Lorraine (context layer, cross-border sites).

From the two files of the `nuts/` upstream folder (Nuts2json 2024, 1:10 million, see data/README.md): every
region but the four of Lorraine (FRF31-FRF34, drawn from IGN's communes instead), with its label point.
Deterministic: features sorted by code, one per line, coordinates as published (3 decimals).

    python data/build_nuts.py --sources SOURCES_DIR   # the folder holding upstream/nuts/
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
UPSTREAM = Path("upstream/nuts")
POLYGONS = "nuts3_grande_region_2024_10M.geojson"
POINTS = "nuts3_points_grande_region_2024_10M.geojson"
SKIPPED_PREFIX = "FRF3"  # Lorraine: the app draws its own communes and departments


def nuts_features(sources: Path) -> list[dict]:
    """The kept regions as GeoJSON features with exactly `code`, `nom`, `pays` (ISO alpha-2) and `label` [lon, lat]."""
    folder = sources / UPSTREAM
    polygons = json.loads((folder / POLYGONS).read_text(encoding="utf-8"))["features"]
    labels = {f["properties"]["id"]: f["geometry"]["coordinates"]
              for f in json.loads((folder / POINTS).read_text(encoding="utf-8"))["features"]}
    kept = []
    for feature in sorted(polygons, key=lambda f: f["properties"]["id"]):
        code = feature["properties"]["id"]
        if code.startswith(SKIPPED_PREFIX):
            continue
        country = "GR" if code[:2] == "EL" else code[:2]  # Eurostat's EL is ISO GR (none here, kept for reuse)
        kept.append({"type": "Feature", "properties": {
            "code": code, "nom": feature["properties"]["na"].strip(), "pays": country, "label": labels[code]},
            "geometry": feature["geometry"]})
    return kept


def write(features: list[dict], out: Path) -> None:
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    out.write_text('{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=HERE / "geo" / "nuts3.geojson")
    args = parser.parse_args()
    write(nuts_features(args.sources), args.out)


if __name__ == "__main__":
    main()
