"""Tests for the booth layout generator, its bounds and the centreline it walks along.

Everything is in EPSG:32749 metres near Simpang Pajak (eastings ~315,000, northings ~9,994,000):
small coordinates would look like degrees and be refused, as they should. No app, no database.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import LineString, Point, Polygon, box
from shapely.geometry import MultiPolygon, shape
from shapely.geometry.base import BaseGeometry

from app.gis.bounds import booths_in_stretch, row_bound
from app.gis.centreline import derive_centreline
from app.gis.conflicts import ConflictChecker
from app.gis.crs import CRSError, to_metric, to_wgs84
from app.gis.layout import (
    LayoutResult,
    LayoutSpec,
    ReservedSlot,
    generate_layout,
    place_layout,
)
from app.gis.rules import DEFAULT_CLEARANCES_M
from app.gis.shapes import BoothShape, FacilityShape, ZoneShape
from app.messages import render

X0, Y0 = 315000.0, 9994000.0
EPSG = 32749
CLEARANCES = dict(DEFAULT_CLEARANCES_M)
DATA = Path(__file__).resolve().parents[2] / "data" / "geo"
#: The conflict engine's tolerances: 1 cm outside the corridor, 0.01 m² shared area.
AREA_TOLERANCE_M = 0.01
SHARED_M2 = 0.01


# -- named shapes ------------------------------------------------------------------------------


def pt(x: float, y: float) -> Point:
    return Point(X0 + x, Y0 + y)


def street(length_m: float = 120.0, width_m: float = 10.5) -> Polygon:
    """A straight west-east street with its south kerb on y = 0."""
    return box(X0, Y0, X0 + length_m, Y0 + width_m)


def axis(*xy: tuple[float, float]) -> LineString:
    return LineString([(X0 + x, Y0 + y) for x, y in xy])


def bent_street(width_m: float = 12.0) -> tuple[LineString, Polygon]:
    """A 12 m street with two bends (25° left, then 35° right)."""
    a = math.radians(25.0)
    b = a - math.radians(35.0)
    line = axis(
        (0, 0),
        (150, 0),
        (150 + 120 * math.cos(a), 120 * math.sin(a)),
        (150 + 120 * math.cos(a) + 130 * math.cos(b), 120 * math.sin(a) + 130 * math.sin(b)),
    )
    return line, line.buffer(width_m / 2.0, cap_style="flat")


SPEC_FIELDS = {f.name for f in dataclasses.fields(LayoutSpec)}


def layout(corridor: Polygon | MultiPolygon, **kw: object) -> LayoutResult:
    """The generator with the test's clearances; spec settings may be given as keywords."""
    kw.setdefault("facilities", [])
    kw.setdefault("clearances_m", CLEARANCES)
    settings = {k: kw.pop(k) for k in list(kw) if k in SPEC_FIELDS}
    return generate_layout(corridor, spec=LayoutSpec(**settings), **kw)  # type: ignore[arg-type]


# -- invariants --------------------------------------------------------------------------------


def assert_sound(
    result: LayoutResult, corridor: BaseGeometry, facilities: Sequence[FacilityShape]
) -> None:
    """No overlap, every clearance kept (exact distance), out of the lane, inside the corridor."""
    geoms = np.array([b.geometry for b in result.booths], dtype=object)
    if not len(geoms):
        return
    assert shapely.is_valid(geoms).all()
    np.testing.assert_allclose(shapely.area(geoms), geoms[0].area)
    # never overlapping
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pairs = left < right
    shared = shapely.area(shapely.intersection(geoms[left[pairs]], geoms[right[pairs]]))
    assert (shared < SHARED_M2).all(), f"booths overlap by {shared.max():.4f} m²"
    # never within a clearance: exact shapely distance, strict rule
    for f in facilities:
        need = CLEARANCES.get(f.kind, CLEARANCES["other"])
        gaps = shapely.distance(geoms, f.geometry)
        assert (gaps >= need).all(), f"{f.kind} at {gaps.min():.3f} m < {need} m"
    # never in the emergency lane
    if result.emergency_lane is not None:
        in_lane = shapely.area(shapely.intersection(geoms, result.emergency_lane))
        assert (in_lane < SHARED_M2).all()
    # always inside the corridor
    assert shapely.covers(corridor.buffer(AREA_TOLERANCE_M), geoms).all()


def engine_conflicts(
    result: LayoutResult,
    corridor: BaseGeometry,
    facilities: Sequence[FacilityShape],
    zones: Sequence[ZoneShape] = (),
) -> list[str]:
    lane = (
        [ZoneShape("lane", "emergency_lane", result.emergency_lane)]
        if result.emergency_lane is not None
        else []
    )
    checker = ConflictChecker(
        booths=result.booths,
        facilities=facilities,
        zones=[*zones, *lane],
        clearances_m=CLEARANCES,
        areas=[corridor],
    )
    return [c.message_en for c in checker.check_all()]


# -- random bent streets -----------------------------------------------------------------------

KINDS = ("hydrant", "bus_stop", "crossing", "intersection", "tree", "pole", "building_entrance")


@st.composite
def bent_streets(draw: st.DrawFn) -> tuple[LineString, Polygon, list[FacilityShape]]:
    legs = draw(st.integers(1, 4))
    heading = draw(st.floats(0.0, 2.0 * math.pi))
    width = draw(st.sampled_from([10.5, 12.0, 14.0]))
    pts = [(X0, Y0)]
    for k in range(legs):
        if k:
            heading += draw(st.floats(-0.7, 0.7))
        leg = draw(st.floats(40.0, 150.0))
        x, y = pts[-1]
        pts.append((x + leg * math.cos(heading), y + leg * math.sin(heading)))
    line = LineString(pts)
    corridor = line.buffer(width / 2.0, cap_style="flat")
    facilities: list[FacilityShape] = []
    for i in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(KINDS))
        p = line.interpolate(draw(st.floats(0.0, 1.0)), normalized=True)
        offset = draw(st.floats(-width / 2.0 - 1.5, width / 2.0 + 1.5))
        geom: BaseGeometry = Point(p.x, p.y + offset) if kind != "crossing" else p.buffer(2.0)
        facilities.append(FacilityShape(i, kind, geom, f"{kind} {i}"))
    return line, corridor, facilities


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bent_streets())
def test_random_bent_streets_are_sound(
    case: tuple[LineString, Polygon, list[FacilityShape]],
) -> None:
    line, corridor, facilities = case
    result = layout(corridor, facilities=facilities)
    assert_sound(result, corridor, facilities)
    assert engine_conflicts(result, corridor, facilities) == []
    assert result.report.placed <= result.report.area_bound
    # a given centreline gives a sound layout too
    given_line = layout(corridor, facilities=facilities, centreline=line)
    assert_sound(given_line, corridor, facilities)


@settings(max_examples=10, deadline=None)
@given(bent_streets())
def test_regenerating_gives_identical_codes_and_geometries(
    case: tuple[LineString, Polygon, list[FacilityShape]],
) -> None:
    _, corridor, facilities = case
    first = layout(corridor, facilities=facilities)
    second = layout(corridor, facilities=list(facilities))
    assert [b.code for b in first.booths] == [b.code for b in second.booths]
    for a, b in zip(first.booths, second.booths, strict=True):
        assert shapely.equals_exact(a.geometry, b.geometry, tolerance=0.0)
        assert a.properties == b.properties
    assert first.report == second.report


@settings(max_examples=10, deadline=None)
@given(bent_streets())
def test_placing_then_finishing_is_the_whole_layout(
    case: tuple[LineString, Polygon, list[FacilityShape]],
) -> None:
    """A caller may store the placed booths before the report is measured: they are final."""
    _, corridor, facilities = case
    whole = layout(corridor, facilities=facilities)
    placed = place_layout(corridor, facilities=facilities, clearances_m=CLEARANCES)
    finished = placed.finish()
    assert finished.booths is placed.booths
    assert [b.code for b in placed.booths] == [b.code for b in whole.booths]
    for a, b in zip(placed.booths, whole.booths, strict=True):
        assert shapely.equals_exact(a.geometry, b.geometry, tolerance=0.0)
        assert a.properties == b.properties
    assert finished.report == whole.report


@pytest.mark.parametrize(
    "corridor", [Polygon(), street(120.0, 8.0), street(2.0, 10.5)], ids=["empty", "narrow", "short"]
)
def test_an_unusable_corridor_is_placed_as_finished(corridor: Polygon) -> None:
    placed = place_layout(corridor, facilities=[], clearances_m=CLEARANCES)
    assert placed.booths == ()
    assert placed.finish().report == layout(corridor).report


def test_bent_street_reaches_its_bound_and_follows_the_bends() -> None:
    line, corridor = bent_street()
    hydrant = FacilityShape("h1", "hydrant", line.interpolate(200.0))
    result = layout(corridor, facilities=[hydrant])
    assert_sound(result, corridor, [hydrant])
    assert result.report.placed >= 0.95 * result.report.row_bound
    # booths turn with the street: their facing bearings differ on the three legs
    bearings = {round(float(b.properties["facing_deg"])) for b in result.booths}  # type: ignore[arg-type]
    assert len(bearings) >= 6


# -- rows, breaks, clearances ------------------------------------------------------------------


def test_straight_street_fills_both_kerbs_with_breaks() -> None:
    result = layout(street(120.0))
    left = [b for b in result.booths if b.properties["side"] == "left"]
    right = [b for b in result.booths if b.properties["side"] == "right"]
    assert len(left) == len(right) == 39  # 20 booths, a 3 m break, 19 booths
    assert result.report.placed == result.report.row_bound == 78
    assert result.report.rejected["break"] == 2
    xs = sorted(b.geometry.bounds[0] - X0 for b in left)
    gaps = [round(b - a - 3.0, 6) for a, b in zip(xs, xs[1:], strict=False)]
    assert sorted(set(gaps)) == [0.0, 3.0]
    # left of a west-east centreline is the north kerb; booths face the walkway
    assert all(b.geometry.bounds[3] <= Y0 + 10.5 + 1e-6 for b in left)
    assert all(b.properties["facing_deg"] == 180.0 for b in left)
    assert all(b.properties["facing_deg"] == 0.0 for b in right)


def test_rows_slide_past_a_hydrant_instead_of_dropping_the_stretch() -> None:
    hydrant = FacilityShape("h1", "hydrant", pt(30.0, 10.5), "Hidran")
    result = layout(street(60.0), facilities=[hydrant], break_m=0.0)
    assert_sound(result, street(60.0), [hydrant])
    left = [b for b in result.booths if b.properties["side"] == "left"]
    gaps = sorted(shapely.distance(np.array([b.geometry for b in left]), hydrant.geometry))
    assert gaps[0] == pytest.approx(3.0, abs=0.01)  # right up to the clearance, not beyond
    assert len(left) == 18  # 60 m less 6 m of clearance: 54 m
    assert result.report.rejected["clearance:hydrant"] == 2


def test_crossing_and_intersection_stay_open_across_both_rows() -> None:
    crossing = FacilityShape("c1", "crossing", box(X0 + 40, Y0, X0 + 44, Y0 + 10.5), "Zebra")
    result = layout(street(100.0), facilities=[crossing])
    assert_sound(result, street(100.0), [crossing])
    blocked = shapely.box(X0 + 37, Y0, X0 + 47, Y0 + 10.5)
    assert not any(b.geometry.intersects(blocked.buffer(-0.01)) for b in result.booths)
    assert {b.properties["side"] for b in result.booths if b.geometry.centroid.x > X0 + 47} == {
        "left",
        "right",
    }


def test_wide_street_takes_two_rows_a_side() -> None:
    line, corridor = bent_street(width_m=20.0)
    result = layout(corridor)
    assert_sound(result, corridor, [])
    assert {(b.properties["side"], b.properties["row"]) for b in result.booths} == {
        ("left", 0),
        ("left", 1),
        ("right", 0),
        ("right", 1),
    }


def test_corridor_cut_by_a_junction_is_laid_out_in_both_parts() -> None:
    parts = MultiPolygon([street(90.0), box(X0 + 110, Y0, X0 + 200, Y0 + 10.5)])
    result = layout(parts)
    assert_sound(result, parts, [])
    xs = [b.geometry.centroid.x - X0 for b in result.booths if b.properties["side"] == "left"]
    assert xs == sorted(xs)
    assert min(xs) < 90 < 110 < max(xs)
    assert not any(90 < x < 110 for x in xs)
    lane = result.emergency_lane
    assert isinstance(lane, MultiPolygon)
    assert lane.area == pytest.approx(180.0 * 4.3, rel=1e-6)


def test_emergency_lane_runs_end_to_end() -> None:
    result = layout(street(120.0))
    lane = result.emergency_lane
    assert lane is not None
    assert lane.area == pytest.approx(120.0 * 4.3, rel=1e-6)
    assert lane.bounds[0] == pytest.approx(X0)
    assert lane.bounds[2] == pytest.approx(X0 + 120.0)


# -- numbering and reserved slots --------------------------------------------------------------


def test_numbering_walks_the_left_side_then_the_right() -> None:
    result = layout(street(60.0), prefix="AY")
    codes = [b.code for b in result.booths]
    assert codes == [f"AY-{i:03d}" for i in range(1, len(codes) + 1)]
    sides = [str(b.properties["side"]) for b in result.booths]
    assert sides == sorted(sides)  # all "left" before all "right"
    for side in ("left", "right"):
        chain = [b.properties["chainage_m"] for b in result.booths if b.properties["side"] == side]
        assert chain == sorted(chain)  # type: ignore[type-var]


def test_a_service_desk_reserved_near_a_point_lands_there() -> None:
    desk_at = pt(47.0, 9.0)
    slots = [
        ReservedSlot("Layanan Sertifikasi Halal", near=desk_at),
        ReservedSlot("OJK", position_m=90.0, side="right"),
    ]
    result = layout(street(120.0), reserved_slots=slots)
    desks = [b for b in result.booths if b.kind == "service_desk"]
    assert [d.code for d in desks] == ["AY-D01", "AY-D02"]
    halal = next(d for d in desks if d.properties["label"] == "Layanan Sertifikasi Halal")
    assert halal.geometry.distance(desk_at) <= 3.0
    ojk = next(d for d in desks if d.properties["label"] == "OJK")
    assert ojk.properties["side"] == "right"
    assert abs(float(ojk.properties["chainage_m"]) - 90.0) <= 3.0  # type: ignore[arg-type]
    vendors = [b.code for b in result.booths if b.kind == "vendor"]
    assert vendors == [f"AY-{i:03d}" for i in range(1, 77)]  # desks are not numbered as vendors
    assert result.report.placed == 78


def test_mikrodots_desks_from_the_demo_data() -> None:
    corridor, facilities, _ = ahmad_yani()
    desks = json.loads((DATA / "service_desks.geojson").read_text(encoding="utf-8"))
    slots = [
        ReservedSlot(f["properties"]["name"], near=to_metric(shape(f["geometry"]), EPSG))
        for f in desks["features"]
    ]
    result = layout(corridor, facilities=facilities, reserved_slots=slots)
    placed = [b for b in result.booths if b.kind == "service_desk"]
    assert len(placed) == len(slots)
    for slot in slots:
        desk = next(b for b in placed if b.properties["label"] == slot.label)
        assert desk.geometry.centroid.distance(slot.near) <= 3.0


# -- degenerate corridors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("corridor", "start"),
    [
        pytest.param(Polygon(), "Koridor kosong", id="empty"),
        pytest.param(street(120.0, 8.0), "Koridor terlalu sempit", id="too-narrow"),
        pytest.param(street(2.0, 10.5), "Koridor terlalu", id="too-short"),
    ],
)
def test_unusable_corridor_gives_no_booths_and_a_reason(corridor: Polygon, start: str) -> None:
    result = layout(corridor)
    assert result.booths == ()
    assert result.report.placed == 0
    reason = result.report.reasons[-1]
    assert render(reason, "id").startswith(start)
    assert render(reason, "en") and render(reason, "en") != render(reason, "id")  # both languages
    json.dumps(result.report.to_dict())
    json.dumps(result.report.to_dict("en"))


def test_degrees_are_refused() -> None:
    lonlat = box(109.3425, -0.0473, 109.3435, -0.0472)
    with pytest.raises(CRSError):
        layout(lonlat)
    with pytest.raises(CRSError):
        layout(street(), facilities=[FacilityShape(1, "hydrant", Point(109.34, -0.04))])
    with pytest.raises(CRSError):
        derive_centreline(lonlat)


def test_invalid_corridor_is_repaired_and_reported() -> None:
    spiked = Polygon(
        [
            (X0, Y0),
            (X0 + 100, Y0),
            (X0 + 100, Y0 + 10.5),
            (X0 + 60, Y0 + 10.5),
            (X0 + 60, Y0 + 13),
            (X0 + 60, Y0 + 10.5),
            (X0, Y0 + 10.5),
        ]
    )
    assert not spiked.is_valid
    result = layout(spiked)
    assert result.report.repaired_geometry
    assert result.report.placed == 64
    assert_sound(result, shapely.make_valid(spiked), [])


# -- sidewalk mode -----------------------------------------------------------------------------


def test_sidewalk_strip_of_three_metres_keeps_the_walkway() -> None:
    strip = street(90.0, 3.0)
    result = layout(strip, mode="sidewalk", walkway_m=2.0, prefix="PT")
    assert result.emergency_lane is None
    assert result.walkway is not None
    assert result.report.booth_depth_m == pytest.approx(1.0)
    assert render(result.report.reasons[0], "id").startswith("Kedalaman lapak dikurangi")
    assert render(result.report.reasons[0], "en").startswith("Booth depth reduced to 1 m")
    assert result.report.placed == result.report.row_bound == 29  # 20, a break, 9
    assert {b.properties["side"] for b in result.booths} == {"left"}
    walkway = result.walkway
    assert walkway.area == pytest.approx(90.0 * 2.0, rel=1e-3)
    assert all(b.geometry.intersection(walkway).area < SHARED_M2 for b in result.booths)
    assert result.booths[0].code == "PT-001"
    assert_sound(result, strip, [])


def test_sidewalk_too_narrow_for_the_walkway_says_so() -> None:
    result = layout(street(90.0, 2.4), mode="sidewalk", walkway_m=2.0)
    assert result.booths == ()
    assert render(result.report.reasons[-1], "id").startswith("Lajur terlalu sempit")


# -- CRS and the demo corridor -----------------------------------------------------------------


def ahmad_yani() -> tuple[Polygon, list[FacilityShape], list[ZoneShape]]:
    zones_fc = json.loads((DATA / "zones.geojson").read_text(encoding="utf-8"))
    zones = [
        ZoneShape(i, f["properties"]["kind"], to_metric(shape(f["geometry"]), EPSG))
        for i, f in enumerate(zones_fc["features"])
    ]
    corridor = next(z.geometry for z in zones if z.kind == "cfd_corridor")
    fac_fc = json.loads((DATA / "facilities.geojson").read_text(encoding="utf-8"))
    facilities = [
        FacilityShape(i, f["properties"]["kind"], to_metric(shape(f["geometry"]), EPSG))
        for i, f in enumerate(fac_fc["features"])
    ]
    assert isinstance(corridor, Polygon)
    return corridor, facilities, zones


def test_ahmad_yani_corridor_has_no_conflicts_and_a_good_score() -> None:
    corridor, facilities, zones = ahmad_yani()
    result = layout(corridor, facilities=facilities)
    assert_sound(result, corridor, facilities)
    # the data's own 4.3 m lane zone and no-vending zones are respected too
    assert engine_conflicts(result, corridor, facilities, zones) == []
    assert result.report.placed >= 0.95 * result.report.row_bound
    assert len(result.booths[0].code) == len("AY-0001")  # four digits past 999 booths


def test_crs_round_trip_keeps_booths_within_a_centimetre() -> None:
    result = layout(street(60.0))
    for booth in result.booths:
        back = to_metric(to_wgs84(booth.geometry, EPSG), EPSG)
        assert booth.geometry.hausdorff_distance(back) < 0.01


# -- centreline and bounds ---------------------------------------------------------------------


def test_derived_centreline_follows_a_bent_street() -> None:
    line, corridor = bent_street()
    derived = derive_centreline(corridor)
    assert derived.hausdorff_distance(line) < 0.3
    assert derived.length == pytest.approx(line.length, abs=1.0)
    assert derived.coords[0][0] < derived.coords[-1][0]  # west to east


def test_derived_centreline_of_the_demo_corridor() -> None:
    corridor, _, _ = ahmad_yani()
    derived = derive_centreline(corridor)
    assert derived.length == pytest.approx(2557.6, abs=3.0)
    assert corridor.buffer(-5.0).intersection(derived).length > 0.99 * (derived.length - 11.0)


def test_row_bound_counts_breaks_and_clearances() -> None:
    kw = dict(booth_width_m=3.0, gap_m=0.0, break_m=3.0, break_every_m=60.0)
    assert booths_in_stretch(126.0, **kw) == 40
    assert booths_in_stretch(0.0, **kw) == 0
    hydrant = FacilityShape(1, "hydrant", pt(30.0, 10.5))
    common = dict(
        clearances_m=CLEARANCES,
        centreline=None,
        booth_width_m=3.0,
        booth_depth_m=3.0,
        gap_m=0.0,
        break_m=0.0,
        break_every_m=0.0,
        emergency_lane_m=4.3,
        kerb_setback_m=0.0,
    )
    assert row_bound(street(60.0), facilities=[], **common) == 40  # type: ignore[arg-type]
    assert row_bound(street(60.0), facilities=[hydrant], **common) == 38  # type: ignore[arg-type]
    assert row_bound(street(60.0, 8.0), facilities=[], **common) == 0  # type: ignore[arg-type]


def test_report_to_dict_is_plain_json() -> None:
    result = layout(street(60.0), facilities=[FacilityShape(1, "tree", pt(10.0, 10.0))])
    data = result.report.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert set(data) >= {"placed", "area_bound", "row_bound", "rejected", "reasons"}
    assert data["area_bound"] >= data["row_bound"] >= data["placed"]  # type: ignore[operator]


def test_booths_are_booth_shapes_with_the_requested_size() -> None:
    result = layout(street(60.0, 12.0), booth_width_m=2.0, booth_depth_m=2.5, gap_m=0.5)
    assert all(isinstance(b, BoothShape) for b in result.booths)
    assert all(b.geometry.area == pytest.approx(5.0) for b in result.booths)
    left = sorted(b.geometry.bounds[0] for b in result.booths if b.properties["side"] == "left")
    assert left[1] - left[0] == pytest.approx(2.5)


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="booth_width_m"):
        layout(street(), booth_width_m=0.0)
    with pytest.raises(ValueError, match="gap_m"):
        layout(street(), gap_m=-1.0)
    with pytest.raises(ValueError, match="mode"):
        layout(street(), mode="grid")


def test_long_straight_corridor_is_filled_end_to_end() -> None:
    """Regression: rows longer than one batch of candidates (256 booths), and the centreline of
    a long rectangle (a degenerate triangulation), once stopped short."""
    from shapely.geometry import LineString as _Line

    street = _Line([(300_000, 9_990_000), (304_000, 9_990_000)]).buffer(5.25, cap_style="flat")
    result = generate_layout(street, facilities=[], clearances_m={})
    per_side = {
        side: [b for b in result.booths if b.properties["side"] == side]
        for side in ("left", "right")
    }
    assert result.report.placed == result.report.row_bound
    for booths in per_side.values():
        xs = sorted(b.geometry.centroid.x for b in booths)
        assert xs[0] - 300_000 < 3.0 and 304_000 - xs[-1] < 3.0  # from one end to the other
        assert len(booths) >= 0.94 * 4000 / 3.0  # only the 3 m breaks every 60 m are lost
