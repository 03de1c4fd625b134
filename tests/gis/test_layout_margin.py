"""The layout's safety margin: beyond every facility clearance always, off the kerb where the row
has room, and the corridor's edge checked to the millimetre."""

from __future__ import annotations

import shapely
from shapely import Point, box

from app.gis.layout import LayoutSpec, generate_layout
from app.gis.shapes import FacilityShape

#: A straight 120 m × 10.5 m street (EPSG:32749 metres): one 3 m row a side of a 4.3 m lane.
STREET = box(315_000, 9_994_000, 315_120, 9_994_010.5)
HYDRANT = FacilityShape("h1", "hydrant", Point(315_050, 9_994_000.2), "Hidran")
CLEARANCES = {"hydrant": 3.0}


def _layout(margin_m: float):  # type: ignore[no-untyped-def]
    return generate_layout(
        STREET,
        facilities=[HYDRANT],
        clearances_m=CLEARANCES,
        spec=LayoutSpec(safety_margin_m=margin_m),
    )


def _nearest_to_hydrant(result) -> float:  # type: ignore[no-untyped-def]
    return min(b.geometry.distance(HYDRANT.geometry) for b in result.booths)


def test_without_a_margin_booths_sit_on_the_clearance_edge() -> None:
    assert abs(_nearest_to_hydrant(_layout(0.0)) - 3.0) < 1e-4


def test_the_margin_is_kept_beyond_every_clearance_and_reported() -> None:
    result = _layout(0.05)
    assert _nearest_to_hydrant(result) >= 3.05
    assert _nearest_to_hydrant(result) < 3.06  # no more than it asked for
    assert result.report.safety_margin_m == 0.05
    assert result.report.to_dict()["safety_margin_m"] == 0.05
    assert result.report.placed == result.report.row_bound  # the bound counts the margin too


def test_the_margin_is_kept_off_the_kerb_and_the_corridor_edge_strictly() -> None:
    result = _layout(0.05)
    minx, miny, maxx, maxy = STREET.bounds
    for booth in result.booths:
        bx0, by0, bx1, by1 = booth.geometry.bounds
        # the 10 cm of slack per side is shared: 5 cm off the kerb, 5 cm off the lane
        assert min(by0 - miny, maxy - by1) >= 0.05 - 1e-6
        assert shapely.covers(STREET.buffer(0.001), booth.geometry)
    lane = result.emergency_lane
    assert lane is not None
    assert min(lane.distance(b.geometry) for b in result.booths) >= 0.05 - 1e-6


def test_a_negative_margin_is_refused() -> None:
    import pytest

    with pytest.raises(ValueError, match="safety_margin_m"):
        LayoutSpec(safety_margin_m=-0.01)
