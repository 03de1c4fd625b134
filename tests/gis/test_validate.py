"""Geometry checks: the vertex limit, simplification only when asked, open rings reported."""

from __future__ import annotations

import shapely
from shapely import Point, Polygon

from app.gis.validate import check_geometry, close_rings, simplify_to_limit, unclosed_rings

#: A round zone near Jalan Ahmad Yani with 12,001 coordinates (a surveyed or generated outline).
DETAILED = Point(109.3400, -0.0400).buffer(0.0005, quad_segs=3000)
POLYGON = {"Polygon"}


def test_over_the_vertex_limit_is_refused_with_the_count() -> None:
    assert shapely.get_num_coordinates(DETAILED) == 12_001
    result = check_geometry(DETAILED, allowed_types=POLYGON, max_vertices=10_000)
    assert not result.ok
    assert "12001" in result.problems[0][1] and "10000" in result.problems[0][1]
    assert "12001" in result.problems[0][0]


def test_at_the_limit_passes_unchanged() -> None:
    result = check_geometry(DETAILED, allowed_types=POLYGON, max_vertices=12_001)
    assert result.ok and result.simplified is None
    assert shapely.equals_exact(result.geometry, DETAILED, 0)


def test_simplify_only_when_asked_and_said() -> None:
    result = check_geometry(DETAILED, allowed_types=POLYGON, max_vertices=1_000, simplify=True)
    assert result.ok
    assert result.geometry is not None
    assert shapely.get_num_coordinates(result.geometry) <= 1_000
    assert result.simplified is not None and "12001" in result.simplified[1]
    # The outline moves by less than the tolerance said (centimetres here, not metres).
    assert result.geometry.symmetric_difference(DETAILED).area < 0.01 * DETAILED.area


def test_simplify_cannot_go_below_a_ring() -> None:
    assert simplify_to_limit(DETAILED, max_vertices=3) is None
    result = check_geometry(DETAILED, allowed_types=POLYGON, max_vertices=3, simplify=True)
    assert not result.ok


def test_polygon_with_hole_keeps_its_hole_when_simplified() -> None:
    hole = Point(109.3400, -0.0400).buffer(0.0002, quad_segs=500).exterior
    with_hole = Polygon(DETAILED.exterior, [hole])
    result = check_geometry(with_hole, allowed_types=POLYGON, max_vertices=500, simplify=True)
    assert result.ok and result.geometry is not None
    assert len(result.geometry.interiors) == 1 and result.geometry.is_valid


def test_open_rings_are_counted_and_closed_only_on_request() -> None:
    open_square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}
    assert unclosed_rings(open_square) == 1
    closed = close_rings(open_square)
    assert unclosed_rings(closed) == 0
    assert closed["coordinates"][0][-1] == [0, 0]
    multi = {"type": "MultiPolygon", "coordinates": [open_square["coordinates"]] * 2}
    assert unclosed_rings(multi) == 2
    assert unclosed_rings({"type": "Point", "coordinates": [0, 0]}) == 0
    assert unclosed_rings({"type": "Polygon", "coordinates": "rusak"}) == 0
