"""The corridor is cut into map sheets along its centreline: pure geometry, no app, no database.

Coordinates are EPSG:32749 metres near Simpang Pajak.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString, Point
from shapely.ops import substring

from app.printing.sheets import Sheet, assign_to_sheets, chainages, split_corridor

X0, Y0 = 315000.0, 9994000.0
FRAME = {"frame_width_m": 300.0, "frame_height_m": 39.0, "half_width_m": 16.0, "overlap_m": 11.0}

#: Named centrelines: Jl. Ahmad Yani's 2.6 km, a bend, an S-curve, a street shorter than a sheet.
STRAIGHT = LineString([(X0, Y0), (X0 + 1650, Y0 - 1967)])
BENT = LineString([(X0, Y0), (X0 + 600, Y0), (X0 + 1000, Y0 + 400), (X0 + 1000, Y0 + 900)])
S_CURVE = LineString([(X0 + 40 * t, Y0 + 60 * math.sin(t / 4)) for t in range(60)])
SHORT = LineString([(X0, Y0), (X0 + 120, Y0 + 10)])
LINES = {"straight": STRAIGHT, "bent": BENT, "s_curve": S_CURVE, "short": SHORT}


def _points_along(
    line: LineString, *, spacing_m: float, offsets_m: tuple[float, ...]
) -> np.ndarray:
    """Booth centroids: both sides of ``line`` every ``spacing_m``, at the given offsets."""
    pts = []
    for d in np.arange(0.0, line.length, spacing_m):
        p = line.interpolate(d)
        q = line.interpolate(min(d + 0.5, line.length))
        r = line.interpolate(max(d - 0.5, 0.0))
        tx, ty = q.x - r.x, q.y - r.y
        norm = math.hypot(tx, ty) or 1.0
        nx, ny = -ty / norm, tx / norm
        pts.extend((p.x + nx * o, p.y + ny * o) for o in offsets_m)
    return np.array(pts)


def _check_partition(line: LineString, sheets: list[Sheet], points: np.ndarray) -> None:
    assert sheets[0].start_m == 0.0
    assert sheets[-1].end_m == pytest.approx(line.length)
    for a, b in zip(sheets[:-1], sheets[1:], strict=True):
        assert a.end_m == b.start_m
    assert [s.number for s in sheets] == list(range(1, len(sheets) + 1))
    owner = assign_to_sheets(sheets, line, points)
    # exactly one sheet per point, whose stretch holds its chainage and whose window holds it
    assert owner.shape == (len(points),)
    at = chainages(line, points)
    frames = [s.frame for s in sheets]
    for xy, i, c in zip(points, owner, at, strict=True):
        sheet = sheets[i]
        assert sheet.start_m <= c <= sheet.end_m
        assert frames[i].buffer(1e-6).contains(Point(xy))


@pytest.mark.parametrize("name", list(LINES))
def test_every_centroid_is_in_exactly_one_sheet(name: str) -> None:
    line = LINES[name]
    sheets = split_corridor(line, **FRAME)
    _check_partition(line, sheets, _points_along(line, spacing_m=3.0, offsets_m=(-3.73, 3.73)))


@pytest.mark.parametrize("name", list(LINES))
def test_sheets_cover_the_corridor(name: str) -> None:
    line = LINES[name]
    sheets = split_corridor(line, **FRAME)
    corridor = line.buffer(5.25, cap_style="flat")
    covered = shapely.union_all([s.frame for s in sheets])
    assert covered.buffer(1e-6).contains(corridor)
    # and each sheet holds its own stretch of centreline with the content's half width
    for s in sheets:
        own = substring(line, s.start_m, s.end_m)
        assert s.frame.buffer(1e-6).contains(own.buffer(FRAME["half_width_m"], cap_style="flat"))


def test_a_straight_street_gets_equal_sheets() -> None:
    sheets = split_corridor(STRAIGHT, **FRAME)
    lengths = [s.end_m - s.start_m for s in sheets]
    assert max(lengths) - min(lengths) < 1e-6
    assert len(sheets) == math.ceil(
        STRAIGHT.length / (FRAME["frame_width_m"] - 2 * FRAME["overlap_m"])
    )
    # the street runs across every sheet: its chord is the sheet's x axis
    direction = math.atan2(-1967, 1650)
    assert all(s.angle_rad == pytest.approx(direction) for s in sheets)
    assert sheets[0].north_rad == pytest.approx(math.pi / 2 - direction)


def test_a_bend_shortens_the_sheet_around_it() -> None:
    sheets = split_corridor(BENT, **FRAME)
    for s in sheets:
        piece = s.to_sheet(substring(BENT, s.start_m, s.end_m))
        _, miny, _, maxy = piece.bounds
        assert maxy - miny + 2 * FRAME["half_width_m"] <= FRAME["frame_height_m"] + 1e-6


def test_a_short_street_is_one_sheet() -> None:
    sheets = split_corridor(SHORT, **FRAME)
    assert len(sheets) == 1
    assert (sheets[0].start_m, sheets[0].end_m) == (0.0, pytest.approx(SHORT.length))


def test_sheet_coordinates_round_trip() -> None:
    sheet = split_corridor(BENT, **FRAME)[1]
    xy = np.array([[X0 + 10.0, Y0 + 20.0], [X0 + 700.0, Y0 + 50.0]])
    np.testing.assert_allclose(sheet.from_sheet_xy(sheet.to_sheet_xy(xy)), xy, atol=1e-6)
    centre = sheet.to_sheet_xy(np.array([sheet.centre]))
    np.testing.assert_allclose(centre, [[0.0, 0.0]], atol=1e-6)


def test_a_window_too_low_for_the_content_is_refused() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        split_corridor(
            STRAIGHT, frame_width_m=300, frame_height_m=20, half_width_m=16, overlap_m=11
        )
    with pytest.raises(ValueError, match="empty"):
        split_corridor(LineString(), **FRAME)


@settings(max_examples=25, deadline=None)
@given(
    turns=st.lists(st.floats(-0.6, 0.6), min_size=1, max_size=6),
    leg_m=st.floats(60, 500),
    offset_m=st.floats(0.0, 9.0),
)
def test_random_streets_partition_their_centroids(
    turns: list[float], leg_m: float, offset_m: float
) -> None:
    heading, x, y = 0.3, X0, Y0
    coords = [(x, y)]
    for turn in turns:
        heading += turn
        x, y = x + leg_m * math.cos(heading), y + leg_m * math.sin(heading)
        coords.append((x, y))
    line = LineString(coords)
    sheets = split_corridor(
        line, frame_width_m=300, frame_height_m=60, half_width_m=16, overlap_m=11
    )
    _check_partition(
        line, sheets, _points_along(line, spacing_m=7.0, offsets_m=(-offset_m, offset_m))
    )


def test_docstring_examples() -> None:
    """The examples in ``app/printing`` run here (the doctest run covers ``app/gis`` only)."""
    import doctest

    import app.printing.booth_labels
    import app.printing.map_layers
    import app.printing.sheets
    import app.printing.typeset

    for module in (
        app.printing.sheets,
        app.printing.map_layers,
        app.printing.typeset,
        app.printing.booth_labels,
    ):
        result = doctest.testmod(module)
        assert result.attempted > 0
        assert result.failed == 0
