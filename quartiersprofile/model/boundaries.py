"""Optional real Ortsteil boundaries (`ortsteile.geojson`): read and checked like every other input."""

from __future__ import annotations

import json
from pathlib import Path

from .contract import Problem
from .reading import Table

BOUNDARIES_FILE = "ortsteile.geojson"


def read_boundaries(data_dir: Path, districts: Table | None) -> tuple[dict | None, list[Problem]]:
    """Optional real Ortsteil boundaries: a GeoJSON FeatureCollection whose features carry the Ortsteil code
    in the property `code`. Without the file the report draws the schematic tile map."""
    path = data_dir / BOUNDARIES_FILE
    if not path.exists():
        return None, []
    try:
        collection = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError, RecursionError) as err:  # ValueError: not UTF-8 or not JSON
        return None, [Problem(BOUNDARIES_FILE, None, None, None, f"gültiges GeoJSON in UTF-8 ({err})")]
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list):
        return None, [Problem(BOUNDARIES_FILE, None, None, None, "eine FeatureCollection mit 'features'")]
    register = None if districts is None else districts.typed
    known = set() if register is None else set(register.loc[register["level"] == "ortsteil", "code"].astype(str))
    problems, first = [], {}
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        code = str(properties.get("code", "")) if isinstance(properties, dict) else ""
        if known and code not in known:
            problems.append(Problem(BOUNDARIES_FILE, number, "properties.code", code or None,
                                    "der Code eines Ortsteils aus districts.csv"))
        elif code in first:
            problems.append(Problem(BOUNDARIES_FILE, number, "properties.code", code,
                                    f"jeden Code nur einmal (schon in Feature {first[code]})"))
        elif not _is_area(feature.get("geometry") if isinstance(feature, dict) else None):
            problems.append(Problem(BOUNDARIES_FILE, number, "geometry", None,
                                    "ein Polygon oder MultiPolygon aus Punkten [Länge, Breite] in Grad (WGS 84)"))
        first.setdefault(code, number)
    return (None if problems else collection), problems


def _is_ring(ring: object) -> bool:
    """A GeoJSON linear ring: at least 4 points [longitude, latitude] in degrees (NaN and infinity fail)."""
    return (
        isinstance(ring, list)
        and len(ring) >= 4
        and all(
            isinstance(point, list)
            and len(point) == 2
            and all(isinstance(x, int | float) and not isinstance(x, bool) for x in point)
            and abs(point[0]) <= 180
            and abs(point[1]) <= 90
            for point in ring
        )
    )


def _is_polygon(rings: object) -> bool:
    return isinstance(rings, list) and bool(rings) and all(map(_is_ring, rings))


def _is_area(geometry: object) -> bool:
    """A GeoJSON Polygon or MultiPolygon geometry with valid rings."""
    if not isinstance(geometry, dict):
        return False
    coordinates = geometry.get("coordinates")
    if geometry.get("type") == "Polygon":
        return _is_polygon(coordinates)
    if geometry.get("type") == "MultiPolygon":
        return isinstance(coordinates, list) and bool(coordinates) and all(map(_is_polygon, coordinates))
    return False
