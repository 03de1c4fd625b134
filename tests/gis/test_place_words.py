"""Tests for the place-in-words engine: sides, junctions, landmarks on straight and bent roads.

Coordinates are EPSG:32749 metres near Simpang Pajak (small coordinates would look like degrees
and be refused).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString, Point, box
from shapely.affinity import rotate
from shapely.geometry import Polygon

from app.gis.crs import CRSError
from app.gis.place_words import (
    FRONT_ALONG_M,
    JUNCTION_MAX_M,
    LANDMARK_MAX_M,
    Named,
    compass_point,
    describe_place,
    rounded_distance,
)
from app.messages import render

X0, Y0 = 315000.0, 9994000.0


def booth_at(x: float, y: float, size: float = 3.0) -> Polygon:
    h = size / 2
    return box(X0 + x - h, Y0 + y - h, X0 + x + h, Y0 + y + h)


def line(*xy: tuple[float, float]) -> LineString:
    return LineString([(X0 + x, Y0 + y) for x, y in xy])


def pt(x: float, y: float) -> Point:
    return Point(X0 + x, Y0 + y)


# A. Yani-like: runs from the south-east (Digulis) to the north-west, 400 m.
AYANI = line((0, 0), (-283, 283))
SUTOYO = Named("Jl. Sutoyo", line((-200, 0), (0, 200)))  # crosses A. Yani at (-100, 100)


def both(place_msg: object) -> tuple[str, str]:
    return render(place_msg, "id"), render(place_msg, "en")  # type: ignore[arg-type]


def test_both_sides_of_a_north_west_road_are_north_east_and_south_west() -> None:
    ne = describe_place(booth_at(-95, 105), AYANI, "Jl. Ahmad Yani")
    sw = describe_place(booth_at(-105, 95), AYANI, "Jl. Ahmad Yani")
    assert both(ne.msg) == (
        "Sisi timur laut Jl. Ahmad Yani",
        "On the north-east side of Jl. Ahmad Yani",
    )
    assert both(sw.msg)[0] == "Sisi barat daya Jl. Ahmad Yani"


def test_the_side_does_not_depend_on_the_way_the_road_was_drawn() -> None:
    booth = booth_at(-95, 105)
    reversed_road = LineString(list(AYANI.coords)[::-1])
    assert describe_place(booth, AYANI, "A").side == describe_place(booth, reversed_road, "A").side


def test_a_booth_on_the_line_is_on_the_road_not_on_a_side() -> None:
    place = describe_place(booth_at(-100, 100), AYANI, "Jl. Ahmad Yani")
    assert place.side is None
    assert both(place.msg) == ("Di Jl. Ahmad Yani", "On Jl. Ahmad Yani")


def test_nearest_cross_street_with_distance_along_the_road_and_heading() -> None:
    # 40 m north-west of the junction along the road, on the north-east side
    s = 100 * math.sqrt(2) + 40
    x, y = -s / math.sqrt(2), s / math.sqrt(2)
    place = describe_place(booth_at(x + 5, y + 5), AYANI, "Jl. Ahmad Yani", cross_streets=[SUTOYO])
    assert place.junction == "Jl. Sutoyo"
    assert place.junction_m == pytest.approx(40, abs=0.5)
    assert both(place.msg) == (
        "Sisi timur laut Jl. Ahmad Yani, 40 m dari simpang Jl. Sutoyo ke arah barat laut",
        "On the north-east side of Jl. Ahmad Yani, 40 m north-west of the Jl. Sutoyo junction",
    )
    # 40 m the other way: south-east of it
    s = 100 * math.sqrt(2) - 40
    x, y = -s / math.sqrt(2), s / math.sqrt(2)
    place = describe_place(booth_at(x - 5, y - 5), AYANI, "Jl. Ahmad Yani", cross_streets=[SUTOYO])
    assert "40 m dari simpang Jl. Sutoyo ke arah tenggara" in render(place.msg, "id")


def test_a_named_junction_is_said_as_it_is_named_and_at_it_when_close() -> None:
    pajak = Named("Simpang Pajak", pt(-100, 100).buffer(10))
    near = describe_place(booth_at(-98, 104), AYANI, "Jl. Ahmad Yani", cross_streets=[pajak])
    assert both(near.msg)[0].endswith(", di Simpang Pajak")
    assert both(near.msg)[1].endswith(", at Simpang Pajak")
    far = describe_place(booth_at(-170, 175), AYANI, "Jl. Ahmad Yani", cross_streets=[pajak])
    assert ", 100 m dari Simpang Pajak ke arah barat laut" in render(far.msg, "id")
    assert ", 100 m north-west of Simpang Pajak" in render(far.msg, "en")


def test_the_nearest_of_several_junctions_wins() -> None:
    a = Named("Simpang A", pt(-50, 50))
    b = Named("Simpang B", pt(-200, 200))
    place = describe_place(booth_at(-180, 185), AYANI, "X", cross_streets=[a, b])
    assert place.junction == "Simpang B"


def test_no_cross_street_says_side_and_landmark_only() -> None:
    bank = Named("Bank Kalbar", pt(-80, 130))
    place = describe_place(booth_at(-95, 105), AYANI, "Jl. Ahmad Yani", landmarks=[bank])
    assert place.junction is None
    assert both(place.msg)[0] == "Sisi timur laut Jl. Ahmad Yani, depan Bank Kalbar"
    assert both(place.msg)[1] == "On the north-east side of Jl. Ahmad Yani, in front of Bank Kalbar"


def test_no_landmark_and_no_junction_is_just_the_side() -> None:
    place = describe_place(booth_at(-95, 105), AYANI, "Jl. Ahmad Yani")
    assert place.landmark is None and place.junction is None
    assert render(place.msg, "id") == "Sisi timur laut Jl. Ahmad Yani"


def test_too_far_junctions_and_landmarks_are_not_named() -> None:
    far_junction = Named("Simpang Jauh", pt(-283 - 300, 283 + 300))  # off the road's end
    far_mark = Named("Mal", pt(-5 + LANDMARK_MAX_M + 20, 10))
    road = line((0, 0), (-1000, 1000))
    place = describe_place(
        booth_at(-5, 10), road, "X", cross_streets=[far_junction], landmarks=[far_mark]
    )
    assert place.junction is None  # its chainage is beyond JUNCTION_MAX_M
    assert JUNCTION_MAX_M < math.hypot(583, 583)
    assert place.landmark is None


def test_the_other_carriageway_and_parallel_roads_are_not_cross_streets() -> None:
    other = Named("Jl. Ahmad Yani", line((-10, -10), (-293, 273)))
    service_road = Named("Jl. Samping", line((15, 5), (-268, 288)))
    place = describe_place(
        booth_at(-95, 105), AYANI, "Jl. Ahmad Yani", cross_streets=[other, service_road]
    )
    assert place.junction is None


def test_a_landmark_along_the_road_is_near_with_its_distance() -> None:
    mall = Named("Ayani Megamall", pt(-45, 75))  # ~60 m back along the road, beside it
    place = describe_place(booth_at(-95, 105), AYANI, "Jl. Ahmad Yani", landmarks=[mall])
    assert not place.landmark_front
    assert render(place.msg, "id").endswith(", dekat Ayani Megamall (± 60 m)")
    assert render(place.msg, "en").endswith(", near Ayani Megamall (about 60 m)")


def test_a_landmark_across_the_road_is_in_front() -> None:
    bank = Named("Bank Kalbar", pt(-125, 75))  # south-west side, opposite a north-east booth
    place = describe_place(booth_at(-95, 105), AYANI, "Jl. Ahmad Yani", landmarks=[bank])
    assert place.landmark_front


# -- bends and ends ------------------------------------------------------------------------------

# An L-shaped road: east 200 m, then north 200 m.
BEND = line((0, 0), (200, 0), (200, 200))


def test_bend_sides_follow_the_road_on_each_leg() -> None:
    # the inside of the bend is north on the first leg and west on the second
    assert describe_place(booth_at(100, 6), BEND, "R").side == 0
    assert describe_place(booth_at(100, -6), BEND, "R").side == 4
    assert describe_place(booth_at(194, 100), BEND, "R").side == 6
    assert describe_place(booth_at(206, 100), BEND, "R").side == 2


def test_on_the_bend_the_side_is_the_diagonal_outward() -> None:
    # just outside the corner: the normal of the averaged tangent points south-east
    assert describe_place(booth_at(204, -4), BEND, "R").side == 3
    # inside it, the booth is as near one leg as the other: north, north-west or west
    assert describe_place(booth_at(196, 4), BEND, "R").side in (0, 6, 7)


def test_distance_along_a_bend_is_walked_not_straight() -> None:
    junction = Named("Simpang Tikungan", pt(100, 0))
    place = describe_place(booth_at(206, 100), BEND, "R", cross_streets=[junction])
    assert place.junction_m == pytest.approx(200, abs=0.5)  # 100 east + 100 north
    assert render(place.msg, "en") == "On the east side of R, 200 m north-east of Simpang Tikungan"


@pytest.mark.parametrize(
    ("x", "y", "side"),
    [(-5, 6, 0), (-5, -6, 4), (205, 100, 2), (195, 205, 6)],
    ids=["start-north", "start-south", "end-east", "past-end-west"],
)
def test_both_ends_and_past_them_use_the_end_segments_normal(x: float, y: float, side: int) -> None:
    assert describe_place(booth_at(x, y), BEND, "R").side == side


def test_junction_at_the_far_end_of_the_corridor() -> None:
    end = Named("Bundaran Digulis", pt(200, 205))
    place = describe_place(booth_at(195, 150), BEND, "R", cross_streets=[end])
    assert place.junction_m == pytest.approx(50, abs=0.5)
    assert render(place.msg, "id") == "Sisi barat R, 50 m dari Bundaran Digulis ke arah selatan"


def test_degrees_are_refused() -> None:
    with pytest.raises(CRSError):
        describe_place(
            box(109.34, -0.05, 109.341, -0.049), LineString([(109.3, -0.05), (109.4, -0.05)]), "R"
        )


def test_rounded_distance_is_never_zero() -> None:
    assert rounded_distance(0) == 5
    assert rounded_distance(1234) == 1230


# -- properties -----------------------------------------------------------------------------------

angles = st.integers(min_value=0, max_value=7)
offsets = st.floats(min_value=2.0, max_value=40.0)
along = st.floats(min_value=-300.0, max_value=300.0)


@settings(max_examples=60, deadline=None)
@given(angles, offsets, along)
def test_rotating_the_scene_by_45_degrees_turns_the_side_by_one_point(
    turn: int, offset: float, t: float
) -> None:
    """Rotating road and booth together by k × 45° moves the side's compass point by k."""
    road = line((-400, 0), (400, 0))
    booth = booth_at(t, offset)  # north of an east-west road
    origin = (X0, Y0)
    turned_road = rotate(road, -45 * turn, origin=origin)  # clockwise, as compass points turn
    turned_booth = rotate(booth, -45 * turn, origin=origin)
    assert describe_place(booth, road, "R").side == 0
    assert describe_place(turned_booth, turned_road, "R").side == turn % 8


@settings(max_examples=60, deadline=None)
@given(offsets, along, st.booleans())
def test_mirror_booths_are_on_opposite_sides_and_equally_far_from_the_junction(
    offset: float, t: float, reverse: bool
) -> None:
    coords = [(-400, 0), (0, 0), (300, 300)]
    road = line(*(coords[::-1] if reverse else coords))
    junction = Named("Simpang Nol", pt(0, 0))
    left = describe_place(booth_at(-100 + t / 4, offset), road, "R", cross_streets=[junction])
    right = describe_place(booth_at(-100 + t / 4, -offset), road, "R", cross_streets=[junction])
    assert left.side is not None and right.side is not None
    assert (left.side - right.side) % 8 == 4
    assert left.junction_m == pytest.approx(right.junction_m, abs=1e-6)
    assert render(left.msg, "id").startswith("Sisi utara R")


@settings(max_examples=40, deadline=None)
@given(st.floats(min_value=-FRONT_ALONG_M + 0.5, max_value=FRONT_ALONG_M - 0.5))
def test_a_landmark_beside_the_booth_is_always_in_front(shift: float) -> None:
    road = line((-400, 0), (400, 0))
    mark = Named("Kantor Pos", pt(shift, -25))
    place = describe_place(booth_at(0, 6), road, "R", landmarks=[mark])
    assert place.landmark_front


def test_compass_point_boundaries() -> None:
    assert [
        compass_point(math.sin(math.radians(b)), math.cos(math.radians(b)))
        for b in range(0, 360, 45)
    ] == list(range(8))


def test_a_landmark_named_like_the_junction_is_not_said_twice() -> None:
    pajak = Named("Simpang Pajak", pt(-100, 100))
    place = describe_place(
        booth_at(-110, 115),
        AYANI,
        "Jl. Ahmad Yani",
        cross_streets=[pajak],
        landmarks=[Named("simpang pajak", pt(-98, 102)), Named("Bank Kalbar", pt(-60, 80))],
    )
    assert place.landmark == "Bank Kalbar"
    assert render(place.msg, "id").count("impang Pajak") == 1
