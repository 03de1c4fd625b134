"""Tests for the conflict engine: named cases per rule, and properties against brute force.

Everything is in EPSG:32749 metres near Simpang Pajak (eastings ~315,000, northings ~9,994,000):
small coordinates would look like degrees and be refused, as they should.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from datetime import time
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import LineString, Point, Polygon, box
from shapely.affinity import rotate
from shapely.geometry.base import BaseGeometry

from app.gis.conflicts import (
    BLOCKING_FACILITY_KINDS,
    OVERLAP_TOLERANCE_M2,
    Conflict,
    ConflictChecker,
    clearance_pairs,
    facility_clearances_m,
    find_conflicts,
    may_share_area,
    window_within,
)
from app.gis.crs import CRSError
from app.gis.rules import DEFAULT_CLEARANCES_M
from app.gis.shapes import BoothShape, FacilityShape, ZoneShape

X0, Y0 = 315000.0, 9994000.0
CLEARANCES = dict(DEFAULT_CLEARANCES_M)
CFD_MORNING = (time(6), time(9))


def sq(x: float, y: float, *, size_m: float = 3.0, angle_deg: float = 0.0) -> Polygon:
    """A booth square with its lower-left corner at (X0 + x, Y0 + y), rotated about its centre."""
    square = box(X0 + x, Y0 + y, X0 + x + size_m, Y0 + y + size_m)
    return rotate(square, angle_deg, origin="centroid") if angle_deg else square


def pt(x: float, y: float) -> Point:
    return Point(X0 + x, Y0 + y)


def booth(code: str, geometry: Polygon) -> BoothShape:
    return BoothShape(code, geometry)


def check(
    booths: Sequence[BoothShape],
    *,
    facilities: Sequence[FacilityShape] = (),
    zones: Sequence[ZoneShape] = (),
    areas: Sequence[BaseGeometry] = (),
    event_window: tuple[time, time] | None = None,
) -> list[Conflict]:
    return find_conflicts(
        booths=booths,
        facilities=facilities,
        zones=zones,
        clearances_m=CLEARANCES,
        areas=areas,
        event_window=event_window,
    )


# --- named shapes, reused below ------------------------------------------------------------

hydrant_gubernur = FacilityShape(11, "hydrant", pt(4.8, 1.5), "Hidran depan Kantor Gubernur")
emergency_lane = ZoneShape(1, "emergency_lane", box(X0 - 50, Y0 + 10, X0 + 50, Y0 + 14.3), "Tengah")
no_vending_masjid = ZoneShape(2, "no_vending", box(X0 + 20, Y0, X0 + 30, Y0 + 10), "Depan Masjid")
corridor = box(X0 - 50, Y0 - 5, X0 + 50, Y0 + 10)
timed_gajah_mada = ZoneShape(
    3, "pkl_timed", box(X0 - 10, Y0 - 10, X0 + 10, Y0 + 10), "Gajah Mada", (time(16), time(22))
)
bowtie = Polygon([(X0, Y0), (X0 + 3, Y0 + 3), (X0 + 3, Y0), (X0, Y0 + 3)])


# --- one small case per rule ---------------------------------------------------------------


def test_booth_near_hydrant_is_blocking_with_indonesian_message() -> None:
    (c,) = check([booth("AY-014", sq(0, 0))], facilities=[hydrant_gubernur])
    assert (c.rule, c.severity, c.other_kind, c.other_id) == (
        "facility_clearance",
        "blocking",
        "hydrant",
        11,
    )
    assert c.distance_m == pytest.approx(1.8)
    assert c.required_m == 3.0
    assert c.message_id == (
        "Lapak AY-014 berjarak 1,8 m dari hidran 'Hidran depan Kantor Gubernur'; minimal 3 m."
    )
    assert c.message_en == (
        "Booth AY-014 is 1.8 m from hydrant 'Hidran depan Kantor Gubernur'; at least 3 m required."
    )


def test_booth_on_hydrant_has_distance_zero() -> None:
    on_it = FacilityShape(12, "hydrant", pt(1.5, 1.5), "")
    (c,) = check([booth("AY-001", sq(0, 0))], facilities=[on_it])
    assert c.distance_m == 0.0
    assert c.message_id == "Lapak AY-001 menutupi atau menyentuh hidran #12; jarak minimal 3 m."


def test_exactly_at_the_clearance_is_allowed() -> None:
    at_limit = FacilityShape(13, "hydrant", pt(6, 1), "")
    assert check([booth("A", sq(0, 0))], facilities=[at_limit]) == []
    just_inside = FacilityShape(14, "hydrant", pt(5.999, 1), "")
    assert [c.rule for c in check([booth("A", sq(0, 0))], facilities=[just_inside])] == [
        "facility_clearance"
    ]


def test_distance_shown_never_rounds_up_to_the_limit() -> None:
    close = FacilityShape(15, "hydrant", pt(5.97, 1), "")
    (c,) = check([booth("A", sq(0, 0))], facilities=[close])
    assert "2,9 m" in c.message_id
    assert "2.9 m" in c.message_en


def test_tree_and_unknown_kind_only_warn() -> None:
    tree = FacilityShape(21, "tree", pt(3.5, 1), "Pohon ketapang")
    kiosk = FacilityShape(22, "kiosk", pt(-0.5, 1), "")  # unknown kind: the "other" rule (1 m)
    conflicts = check([booth("A", sq(0, 0))], facilities=[tree, kiosk])
    assert [(c.other_id, c.severity, c.required_m) for c in conflicts] == [
        (21, "warning", 1.0),
        (22, "warning", 1.0),
    ]
    assert "tree" not in BLOCKING_FACILITY_KINDS


def test_bus_stop_area_polygon_blocks_a_booth_inside_it() -> None:
    halte = FacilityShape(31, "bus_stop", box(X0 - 1, Y0 - 1, X0 + 8, Y0 + 2), "Halte Untan")
    (c,) = check([booth("A", sq(0, 0))], facilities=[halte])
    assert (c.severity, c.distance_m) == ("blocking", 0.0)


def test_booth_in_emergency_lane_is_blocking() -> None:
    (c,) = check([booth("B-7", sq(0, 9))], zones=[emergency_lane])
    assert (c.rule, c.severity, c.other_kind, c.other_name) == (
        "emergency_lane",
        "blocking",
        "emergency_lane",
        "Tengah",
    )
    assert c.message_id == "Lapak B-7 masuk 6 m² ke jalur darurat 'Tengah'; jalur ini harus kosong."


def test_booth_touching_emergency_lane_is_fine() -> None:
    assert check([booth("B-7", sq(0, 7))], zones=[emergency_lane]) == []


def test_booth_in_no_vending_zone_is_blocking() -> None:
    (c,) = check([booth("C-1", sq(19, 0))], zones=[no_vending_masjid])
    assert (c.rule, c.severity, c.other_id) == ("no_vending_zone", "blocking", 2)
    assert "zona larangan berjualan 'Depan Masjid'" in c.message_id


def test_two_overlapping_booths_each_name_the_other() -> None:
    conflicts = check([booth("A-2", sq(2, 0)), booth("A-1", sq(0, 0))])
    assert [(c.booth_code, c.rule, c.other_id) for c in conflicts] == [
        ("A-1", "booth_overlap", "A-2"),
        ("A-2", "booth_overlap", "A-1"),
    ]
    assert conflicts[0].message_id == "Lapak A-1 bertumpang tindih 3 m² dengan lapak A-2."


def test_booths_sharing_a_wall_do_not_overlap() -> None:
    assert check([booth("A-1", sq(0, 0)), booth("A-2", sq(3, 0))]) == []


def test_booth_outside_corridor_is_blocking() -> None:
    (c,) = check([booth("D-1", sq(0, -6))], areas=[corridor])
    assert (c.rule, c.severity, c.other_kind) == ("outside_area", "blocking", "area")
    assert c.message_id == "Lapak D-1 berada di luar area yang diizinkan (3 m² di luar)."


def test_booth_flush_with_corridor_edge_within_one_centimetre_is_inside() -> None:
    assert check([booth("D-2", sq(0, -5.005))], areas=[corridor]) == []
    assert len(check([booth("D-3", sq(0, -5.02))], areas=[corridor])) == 1


def test_areas_are_united() -> None:
    left, right = box(X0 - 10, Y0, X0 + 1.5, Y0 + 3), box(X0 + 1.5, Y0, X0 + 10, Y0 + 3)
    assert check([booth("D-4", sq(0, 0))], areas=[left, right]) == []


def test_timed_zone_out_of_hours_warns() -> None:
    (c,) = check([booth("E-1", sq(0, 0))], zones=[timed_gajah_mada], event_window=CFD_MORNING)
    assert (c.rule, c.severity, c.other_id) == ("timed_zone_hours", "warning", 3)
    assert c.message_id == (
        "Lapak E-1 berada di zona PKL berjam 'Gajah Mada' yang hanya berlaku pukul 16.00–22.00, "
        "sedangkan acara berlangsung pukul 06.00–09.00."
    )


def test_timed_zone_in_hours_or_without_window_is_fine() -> None:
    evening = (time(17), time(21))
    assert check([booth("E-1", sq(0, 0))], zones=[timed_gajah_mada], event_window=evening) == []
    assert check([booth("E-1", sq(0, 0))], zones=[timed_gajah_mada]) == []


def test_window_within_midnight() -> None:
    assert window_within((time(23), time(1)), (time(18), time(2)))
    assert window_within((time(0, 30), time(1)), (time(18), time(2)))
    assert not window_within((time(1), time(3)), (time(18), time(2)))
    assert window_within((time(1), time(3)), (time(0), time(0)))  # all day


def test_degrees_are_refused() -> None:
    in_degrees = box(109.3425, -0.0473, 109.34253, -0.04727)
    with pytest.raises(CRSError):
        check([booth("F-1", in_degrees)])
    with pytest.raises(CRSError):
        check(
            [booth("F-1", sq(0, 0))], facilities=[FacilityShape(1, "hydrant", Point(109.3, -0.04))]
        )
    with pytest.raises(CRSError):
        clearance_pairs([in_degrees], [pt(0, 0)], [3.0])
    checker = ConflictChecker(booths=[], facilities=[], zones=[], clearances_m=CLEARANCES)
    with pytest.raises(CRSError):
        checker.move_booth(booth("F-1", in_degrees))


def test_invalid_geometry_is_reported_not_raised() -> None:
    conflicts = check(
        [booth("G-1", bowtie), booth("G-2", sq(2, 0)), booth("G-3", Polygon())],
        facilities=[FacilityShape(1, "hydrant", pt(1.5, 1.5))],
    )
    by_code = {c.booth_code: c for c in conflicts}
    assert by_code["G-1"].rule == "invalid_geometry"
    assert by_code["G-1"].severity == "blocking"
    assert by_code["G-1"].message_en.startswith("Booth G-1 has invalid geometry: Self-intersection")
    assert "sisi-sisi poligon saling berpotongan di titik (315001,50; 9994001,50)" in (
        by_code["G-1"].message_id
    )
    assert by_code["G-3"].message_en == "Booth G-3 has invalid geometry: Empty geometry."
    assert by_code["G-3"].message_id == "Geometri lapak G-3 tidak sah: geometrinya kosong."
    checker = ConflictChecker(booths=[], facilities=[], zones=[], clearances_m=CLEARANCES)
    missing = BoothShape("G-4", None)  # a row without a footprint
    assert [c.message_id for c in checker.move_booth(missing)] == [
        "Geometri lapak G-4 tidak sah: geometrinya tidak ada."
    ]
    # the valid booth is still checked, and not against the invalid one
    assert [c.rule for c in conflicts if c.booth_code == "G-2"] == ["facility_clearance"]


def test_moving_a_booth_to_invalid_geometry_and_back() -> None:
    checker = ConflictChecker(
        booths=[booth("H-1", sq(0, 0)), booth("H-2", sq(10, 0))],
        facilities=[],
        zones=[],
        clearances_m=CLEARANCES,
    )
    assert [c.rule for c in checker.move_booth(booth("H-1", bowtie))] == ["invalid_geometry"]
    assert [c.rule for c in checker.check_all()] == ["invalid_geometry"]
    assert checker.move_booth(booth("H-1", sq(9, 0)))[0].other_id == "H-2"


def test_new_booth_is_added_by_move() -> None:
    checker = ConflictChecker(
        booths=[booth("H-1", sq(0, 0))], facilities=[], zones=[], clearances_m=CLEARANCES
    )
    assert [c.other_id for c in checker.check_booth(booth("H-9", sq(1, 0)))] == ["H-1"]
    assert checker.check_all() == []  # check_booth leaves the layout alone
    checker.move_booth(booth("H-9", sq(1, 0)))
    assert [c.booth_code for c in checker.check_all()] == ["H-1", "H-9"]


def test_duplicate_codes_and_bad_clearances_are_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        check([booth("A", sq(0, 0)), booth("A", sq(5, 0))])
    with pytest.raises(ValueError, match="clearance"):
        find_conflicts(booths=[], facilities=[], zones=[], clearances_m={"hydrant": -1.0})


def test_zero_clearance_means_no_rule() -> None:
    booth_idx, facility_idx = clearance_pairs([sq(0, 0)], [pt(1, 1), pt(2, 2)], [0.0, 1.0])
    assert booth_idx.tolist() == [0]
    assert facility_idx.tolist() == [1]


def test_order_is_by_booth_then_rule_then_other_id() -> None:
    conflicts = check(
        [booth("B", sq(0, 0)), booth("A", sq(2, 0)), booth("C", sq(1, 2))],
        facilities=[FacilityShape(9, "pole", pt(1.5, 1)), FacilityShape(2, "pole", pt(1.2, 1))],
        zones=[no_vending_masjid],
    )
    keys = [(c.booth_code, c.rule, c.other_id) for c in conflicts]
    assert keys[:4] == [
        ("A", "booth_overlap", "B"),
        ("A", "booth_overlap", "C"),
        ("A", "facility_clearance", 2),
        ("A", "facility_clearance", 9),
    ]
    assert [k[0] for k in keys] == sorted(k[0] for k in keys)


def test_to_dict_has_every_field() -> None:
    (c,) = check([booth("AY-014", sq(0, 0))], facilities=[hydrant_gubernur])
    d = c.to_dict()
    assert set(d) == {
        "booth_code",
        "rule",
        "severity",
        "other_kind",
        "other_id",
        "other_name",
        "distance_m",
        "required_m",
        "message_id",
        "message_en",
    }


def test_facility_clearances_fall_back_to_other() -> None:
    got = facility_clearances_m(["hydrant", "mystery"], clearances_m={"hydrant": 3.0})
    assert got.tolist() == [3.0, 0.0]


def test_engine_module_stays_pure() -> None:
    source = Path(__file__).parents[2] / "app" / "gis" / "conflicts.py"
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    forbidden = ("flask", "sqlalchemy", "geoalchemy2", "app.models", "app.routes", "app.services")
    assert not [m for m in imported if m.startswith(forbidden)]


# --- properties against a brute-force reference ----------------------------------------------

FACILITY_KINDS = ("hydrant", "building_entrance", "tree", "manhole", "kiosk")
# integers give exact ties (distance == clearance); floats give everything else
coord = st.one_of(
    st.integers(-20, 20).map(float),
    st.floats(-20, 20, allow_nan=False, allow_infinity=False),
)
angle = st.one_of(st.sampled_from([0.0, 90.0, 45.0]), st.floats(0, 90))
size = st.sampled_from([1.0, 2.0, 3.0, 2.5])


@st.composite
def booth_geoms(draw: st.DrawFn) -> Polygon:
    return sq(draw(coord), draw(coord), size_m=draw(size), angle_deg=draw(angle))


@st.composite
def facility_geoms(draw: st.DrawFn) -> BaseGeometry:
    x, y = draw(coord), draw(coord)
    shape = draw(st.sampled_from(["point", "point", "line", "polygon"]))
    if shape == "point":
        return pt(x, y)
    if shape == "line":
        return LineString([pt(x, y), pt(x + draw(st.integers(1, 6)), y)])
    return sq(x, y, size_m=2.0)


@st.composite
def layouts(draw: st.DrawFn) -> tuple[list[BoothShape], list[FacilityShape]]:
    geoms = draw(st.lists(booth_geoms(), min_size=0, max_size=12))
    booths = [BoothShape(f"L-{i:03d}", g) for i, g in enumerate(geoms)]
    facilities = [
        FacilityShape(i, draw(st.sampled_from(FACILITY_KINDS)), g)
        for i, g in enumerate(draw(st.lists(facility_geoms(), min_size=0, max_size=10)))
    ]
    return booths, facilities


clearance_values = st.one_of(
    st.sampled_from([0.0, 1.0, 3.0, 5.0, 10.0]), st.floats(0.1, 12, allow_nan=False)
)
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def brute_force_pairs(
    booths: Sequence[BaseGeometry], facilities: Sequence[BaseGeometry], clearance_m: Sequence[float]
) -> set[tuple[int, int]]:
    """Every booth × every facility, with the documented predicate ``distance < clearance``."""
    return {
        (b, f)
        for b, booth_geom in enumerate(booths)
        for f, facility_geom in enumerate(facilities)
        if shapely.distance(booth_geom, facility_geom) < clearance_m[f]
    }


def brute_force_keys(
    booths: Sequence[BoothShape], facilities: Sequence[FacilityShape], zones: Sequence[ZoneShape]
) -> set[tuple[str, str, object]]:
    table = facility_clearances_m([f.kind for f in facilities], clearances_m=CLEARANCES)
    keys: set[tuple[str, str, object]] = set()
    for b in booths:
        for f, facility in enumerate(facilities):
            if shapely.distance(b.geometry, facility.geometry) < table[f]:
                keys.add((b.code, "facility_clearance", facility.id))
        for other in booths:
            shared = b.geometry.intersection(other.geometry).area
            if other.code != b.code and shared > OVERLAP_TOLERANCE_M2:
                keys.add((b.code, "booth_overlap", other.code))
        for zone in zones:
            if b.geometry.intersection(zone.geometry).area > OVERLAP_TOLERANCE_M2:
                rule = "emergency_lane" if zone.kind == "emergency_lane" else "no_vending_zone"
                keys.add((b.code, rule, zone.id))
    return keys


@PROPERTY_SETTINGS
@given(
    booths=st.lists(booth_geoms(), max_size=15),
    data=st.data(),
)
def test_clearance_pairs_equal_brute_force(booths: list[Polygon], data: st.DataObject) -> None:
    facilities = data.draw(st.lists(facility_geoms(), max_size=12))
    clearance = data.draw(
        st.lists(clearance_values, min_size=len(facilities), max_size=len(facilities))
    )
    b, f = clearance_pairs(booths, facilities, np.array(clearance, dtype=float))
    got = set(zip(b.tolist(), f.tolist(), strict=True))
    assert len(got) == len(b)  # no duplicates
    assert got == brute_force_pairs(booths, facilities, clearance)


@PROPERTY_SETTINGS
@given(layout=layouts())
def test_check_all_equals_brute_force(layout: tuple[list[BoothShape], list[FacilityShape]]) -> None:
    booths, facilities = layout
    zones = [emergency_lane, no_vending_masjid]
    conflicts = check(booths, facilities=facilities, zones=zones)
    assert {(c.booth_code, c.rule, c.other_id) for c in conflicts} == brute_force_keys(
        booths, facilities, zones
    )
    assert len(conflicts) == len({(c.booth_code, c.rule, c.other_id) for c in conflicts})
    booth_by_code = {b.code: b.geometry for b in booths}
    facility_by_id = {f.id: f.geometry for f in facilities}
    for c in conflicts:
        if c.rule == "facility_clearance":
            assert c.other_id is not None
            exact = shapely.distance(booth_by_code[c.booth_code], facility_by_id[c.other_id])
            assert c.distance_m == exact
            assert c.required_m is not None
            assert exact < c.required_m
            assert c.severity == (
                "blocking" if c.other_kind in BLOCKING_FACILITY_KINDS else "warning"
            )


@PROPERTY_SETTINGS
@given(layout=layouts(), moves=st.lists(st.tuples(st.integers(0, 20), booth_geoms()), max_size=6))
def test_moves_equal_a_full_check_of_the_moved_layout(
    layout: tuple[list[BoothShape], list[FacilityShape]], moves: list[tuple[int, Polygon]]
) -> None:
    booths, facilities = layout

    def checker_for(layout_booths: Sequence[BoothShape]) -> ConflictChecker:
        return ConflictChecker(
            booths=layout_booths,
            facilities=facilities,
            zones=[emergency_lane, no_vending_masjid, timed_gajah_mada],
            clearances_m=CLEARANCES,
            areas=[corridor],
            event_window=CFD_MORNING,
        )

    checker = checker_for(booths)
    current = {b.code: b for b in booths}
    for which, geom in moves:
        code = f"L-{which:03d}"  # an existing code, or a new booth when which >= len(booths)
        moved = BoothShape(code, geom)
        preview = checker.check_booth(moved)
        got = checker.move_booth(moved)
        current[code] = moved
        full = checker_for(list(current.values())).check_all()
        assert got == preview == [c for c in full if c.booth_code == code]
    assert checker.check_all() == checker_for(list(current.values())).check_all()


def test_clearance_pairs_on_a_large_set_equal_brute_force() -> None:
    # enough facilities to take the Z-ordered path, with gaps: no geometry, empty, no rule
    rng = np.random.default_rng(11)
    booths = shapely.polygons(
        np.stack(
            [
                X0 + rng.uniform(0, 200, (60, 1)) + np.array([0, 3, 3, 0, 0]),
                Y0 + rng.uniform(0, 200, (60, 1)) + np.array([0, 0, 3, 3, 0]),
            ],
            axis=-1,
        )
    )
    facilities = shapely.points(X0 + rng.uniform(0, 200, 3000), Y0 + rng.uniform(0, 200, 3000))
    facilities[[5, 17]] = None
    facilities[23] = Point()
    clearance = rng.choice(np.array([0.0, 1.0, 3.0, 10.0]), 3000)
    booth_idx, facility_idx = clearance_pairs(booths, facilities, clearance)
    distance = shapely.distance(booths[:, None], facilities[None, :])
    want_b, want_f = np.nonzero(distance < clearance[None, :])
    got = sorted(zip(booth_idx.tolist(), facility_idx.tolist(), strict=True))
    assert got == sorted(zip(want_b.tolist(), want_f.tolist(), strict=True))
    assert len(got) > 50


def test_many_moves_rebuild_the_index_and_stay_consistent() -> None:
    rng = np.random.default_rng(7)
    booths = [BoothShape(f"M-{i:03d}", sq(3.0 * (i % 20), 3.0 * (i // 20))) for i in range(200)]
    facilities = [FacilityShape(i, "hydrant", pt(*rng.uniform(0, 60, 2))) for i in range(30)]
    checker = ConflictChecker(
        booths=booths, facilities=facilities, zones=[], clearances_m=CLEARANCES
    )
    current = {b.code: b for b in booths}
    for _ in range(150):  # more than the brute-force limit: the tree is rebuilt on the way
        code = f"M-{int(rng.integers(0, 200)):03d}"
        x, y = rng.uniform(0, 60, 2)
        moved = BoothShape(code, sq(x, y, angle_deg=float(rng.uniform(0, 90))))
        checker.move_booth(moved)
        current[code] = moved
    fresh = ConflictChecker(
        booths=list(current.values()), facilities=facilities, zones=[], clearances_m=CLEARANCES
    )
    assert checker.check_all() == fresh.check_all()


@st.composite
def neighbour_pairs(draw: st.DrawFn) -> tuple[Polygon, Polygon]:
    """A turned booth and a neighbour: beside it (touching, a sliver apart or over it by a
    sliver or more), or anywhere near it, turned alike or not."""
    width, depth = draw(st.sampled_from([2.0, 3.0, 2.5])), draw(st.sampled_from([2.0, 3.0]))
    turn = draw(angle)
    first = rotate(box(X0, Y0, X0 + width, Y0 + depth), turn, origin=(X0, Y0))
    shift = draw(
        st.one_of(
            st.sampled_from([0.0, 1e-9, -1e-9, 1e-6, -1e-6, -1e-3, -0.01, -0.5]),
            st.floats(-width, 0.01),
        )
    )
    beside = box(X0 + width + shift, Y0, X0 + 2 * width + shift, Y0 + depth)
    if draw(st.booleans()):
        beside = rotate(beside, draw(st.floats(-3, 3)), origin=(X0 + width, Y0))
    second = rotate(beside, turn, origin=(X0, Y0))
    if draw(st.booleans()):
        second = sq(draw(coord) / 10, draw(coord) / 10, size_m=draw(size), angle_deg=draw(angle))
    return first, second


@settings(max_examples=400, deadline=None)
@given(pairs=st.lists(neighbour_pairs(), min_size=1, max_size=8))
def test_a_pair_is_skipped_only_when_it_cannot_share_the_tolerance(
    pairs: list[tuple[Polygon, Polygon]],
) -> None:
    a = np.array([p[0] for p in pairs], dtype=object)
    b = np.array([p[1] for p in pairs], dtype=object)
    keep = may_share_area(a, b, OVERLAP_TOLERANCE_M2)
    shared = shapely.area(shapely.intersection(a, b))
    assert np.all(shared[~keep] <= 0.5 * OVERLAP_TOLERANCE_M2)
    assert np.all(keep[shared > OVERLAP_TOLERANCE_M2])


def test_booths_side_by_side_in_a_turned_row_are_not_measured_pair_by_pair() -> None:
    """A generated row: rectangles sharing their sides, turned along the street. None overlaps,
    and the full check reports none, with the pairs left out before any intersection."""
    row = [
        rotate(box(X0 + 3 * i, Y0, X0 + 3 * i + 3, Y0 + 2.5), 37.0, origin=(X0, Y0))
        for i in range(40)
    ]
    left = np.array(row[:-1], dtype=object)
    right = np.array(row[1:], dtype=object)
    assert not may_share_area(left, right, OVERLAP_TOLERANCE_M2).any()
    over = np.array([rotate(box(X0 + 2.8, Y0, X0 + 5.8, Y0 + 2.5), 37.0, origin=(X0, Y0))])
    assert may_share_area(left[:1], over, OVERLAP_TOLERANCE_M2).all()
    booths = [booth(f"R-{i:03d}", g) for i, g in enumerate(row)]
    assert check(booths) == []
    moved = [*booths[:5], booth("R-005", over[0]), *booths[6:]]
    found = {(c.booth_code, c.other_id) for c in check(moved) if c.rule == "booth_overlap"}
    assert ("R-005", "R-000") in found or ("R-000", "R-005") in found


def test_other_shapes_are_always_measured() -> None:
    hexagon = Point(X0, Y0).buffer(2.0, quad_segs=2)
    bent = Polygon([(X0, Y0), (X0 + 3, Y0), (X0 + 3, Y0 + 3), (X0 + 1.5, Y0 + 1), (X0, Y0 + 3)])
    far = sq(100, 100)
    a = np.array([hexagon, bent], dtype=object)
    b = np.array([far, far], dtype=object)
    assert may_share_area(a, b, OVERLAP_TOLERANCE_M2).all()
