"""MCPP area outlines for the maps (``dashboard/content/boundaries/``, CC0; see PROVENANCE.md).

Context for the reader only: records are placed in areas by the MCPP name SPD gives them,
never by these polygons.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

BOUNDARY_FILE = (
    Path(__file__).resolve().parent / "content" / "boundaries" / "spd_mcpp_areas.geojson"
)
SOURCE_NOTE = (
    "SPD Micro-Community Policing Plan area, via Code for Seattle's "
    "seattle-boundaries-data (CC0); vintage not stated (beats were redrawn in 2015 and 2018)."
)


@dataclass(frozen=True)
class Outline:
    mcpp: str
    ring: tuple[tuple[float, float], ...]  # (longitude, latitude), closed

    @property
    def longitudes(self) -> list[float]:
        return [lon for lon, _ in self.ring]

    @property
    def latitudes(self) -> list[float]:
        return [lat for _, lat in self.ring]


@cache
def outlines() -> dict[str, Outline]:
    """Every bundled outline by MCPP name (upper case, SPD's spelling)."""
    document = json.loads(BOUNDARY_FILE.read_text(encoding="utf-8"))
    found: dict[str, Outline] = {}
    for feature in document["features"]:
        geometry = feature["geometry"]
        if geometry["type"] != "Polygon":
            raise ValueError(f"{BOUNDARY_FILE.name}: expected Polygon, got {geometry['type']}")
        exterior = tuple((float(lon), float(lat)) for lon, lat in geometry["coordinates"][0])
        found[feature["properties"]["mcpp"]] = Outline(feature["properties"]["mcpp"], exterior)
    return found


def outline(mcpp: str) -> Outline | None:
    """The outline of one MCPP area, or None when none is bundled for it."""
    return outlines().get(mcpp.strip().upper())


def contains(shape: Outline, longitude: float, latitude: float) -> bool:
    """Whether a point is inside the outline (even-odd ray casting)."""
    inside = False
    ring = shape.ring
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > latitude) != (y2 > latitude):
            crossing = x1 + (latitude - y1) * (x2 - x1) / (y2 - y1)
            if longitude < crossing:
                inside = not inside
    return inside
