"""The bundled MCPP outlines: shape, provenance, and agreement with the data's own areas."""

from __future__ import annotations

import csv

import pytest

from dashboard import boundaries
from etl.indicators.incidents import GRID_DEGREES
from etl.settings import SAMPLE_DATA_DIR

BELLTOWN_SAMPLE = SAMPLE_DATA_DIR / "seattle" / "spd_crime_nibrs_robbery_belltown_2008-2021.csv"


def test_the_three_areas_the_dashboard_counts_by_are_bundled_as_closed_rings() -> None:
    shapes = boundaries.outlines()
    assert sorted(shapes) == ["BELLTOWN", "CAPITOL HILL", "DOWNTOWN COMMERCIAL"]
    for shape in shapes.values():
        assert shape.ring[0] == shape.ring[-1]
        assert len(shape.ring) > 50
    assert boundaries.outline(" belltown ") is shapes["BELLTOWN"]
    assert boundaries.outline("MAGNOLIA") is None


@pytest.mark.parametrize(
    ("point", "inside"),
    [
        ((0.5, 0.5), True),
        ((1.5, 0.5), False),
        ((0.5, -0.1), False),
        ((0.9, 0.9), True),
    ],
)
def test_contains_on_a_unit_square(point: tuple[float, float], inside: bool) -> None:
    square = boundaries.Outline("SQUARE", ((0, 0), (1, 0), (1, 1), (0, 1), (0, 0)))
    assert boundaries.contains(square, *point) is inside


def test_belltown_outline_holds_the_belltown_sample_and_not_capitol_hill() -> None:
    belltown = boundaries.outline("BELLTOWN")
    capitol_hill = boundaries.outline("CAPITOL HILL")
    assert belltown is not None and capitol_hill is not None
    points = []
    with BELLTOWN_SAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                lat, lon = float(row["Latitude"]), float(row["Longitude"])
            except ValueError:
                continue
            if lat > 0 and lon < 0:
                points.append((lon, lat))
    assert len(points) > 100
    # A point is "near" the outline if it or a neighbour half a grid cell away is inside:
    # SPD offsets points to the block, so some sit on the boundary streets.
    half = GRID_DEGREES / 2
    near = [
        any(
            boundaries.contains(belltown, lon + dx, lat + dy)
            for dx in (-half, 0, half)
            for dy in (-half, 0, half)
        )
        for lon, lat in points
    ]
    assert sum(near) / len(points) >= 0.98
    assert not any(boundaries.contains(capitol_hill, lon, lat) for lon, lat in points)


def test_provenance_names_the_source_commit_and_licence() -> None:
    text = (boundaries.BOUNDARY_FILE.parent / "PROVENANCE.md").read_text(encoding="utf-8")
    assert "seattleio/seattle-boundaries-data" in text
    assert "ccc5e2f04bd6e2a91380224f973fbd0812a8a748" in text
    assert "CC0" in text
