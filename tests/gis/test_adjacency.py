"""Booths side by side, from the layout's geometry: same row, consecutive, a small gap, and
nothing in between (no break, crossing, obstacle or clearance gap)."""

from __future__ import annotations

import pytest
import shapely
from shapely import box

from app.gis.adjacency import NEIGHBOUR_GAP_M, booth_adjacency
from app.gis.layout import LayoutSpec, generate_layout
from app.gis.rules import DEFAULT_CLEARANCES_M
from app.gis.shapes import FacilityShape

X0, Y0 = 310_000.0, 9_990_000.0  # UTM 49S, near Pontianak


def _street_layout(facilities: list[FacilityShape]):  # type: ignore[no-untyped-def]
    corridor = box(X0, Y0, X0 + 100.0, Y0 + 10.5)
    return generate_layout(
        corridor,
        facilities=facilities,
        clearances_m=DEFAULT_CLEARANCES_M,
        spec=LayoutSpec(break_every_m=30.0, break_m=3.0),
    )


def _adjacency(result, barriers=()):  # type: ignore[no-untyped-def]
    booths = result.booths
    return booths, booth_adjacency(
        [b.geometry for b in booths],
        [(b.properties["side"], b.properties["row"]) for b in booths],
        order=[b.properties["chainage_m"] for b in booths],
        barriers=barriers,
    )


def test_neighbours_in_a_generated_row_never_reach_across_a_break_or_crossing() -> None:
    crossing = FacilityShape("c1", "crossing", box(X0 + 60, Y0, X0 + 64, Y0 + 10.5), "Zebra")
    result = _street_layout([crossing])
    booths, pairs = _adjacency(result)
    assert pairs, "a generated row has booths side by side"
    zebra_x = (X0 + 60, X0 + 64)
    for i, j in pairs:
        a, b = booths[i], booths[j]
        assert a.properties["side"] == b.properties["side"]
        assert a.geometry.distance(b.geometry) <= NEIGHBOUR_GAP_M
        left, right = sorted((a.geometry.centroid.x, b.geometry.centroid.x))
        assert not (left < zebra_x[0] and right > zebra_x[1])  # not across the crossing
    # every break in a row (a gap wider than the tolerance) separates two runs
    for side in ("left", "right"):
        row = sorted(
            (k for k, b in enumerate(booths) if b.properties["side"] == side),
            key=lambda k: booths[k].properties["chainage_m"],
        )
        for a, b in zip(row, row[1:], strict=False):
            gap = booths[a].geometry.distance(booths[b].geometry)
            assert ((min(a, b), max(a, b)) in pairs) == (gap <= NEIGHBOUR_GAP_M)
        assert any(
            booths[a].geometry.distance(booths[b].geometry) > NEIGHBOUR_GAP_M
            for a, b in zip(row, row[1:], strict=False)
        ), "the layout's breaks show up as gaps"


def test_a_barrier_between_touching_booths_cuts_them_apart() -> None:
    row = [box(0, 0, 3, 3), box(3, 0, 6, 3), box(6, 0, 9, 3)]
    assert booth_adjacency(row, ["n"] * 3) == [(0, 1), (1, 2)]
    pole = shapely.Point(6.0, 1.5).buffer(0.3)  # an obstacle drawn where two booths meet
    assert booth_adjacency(row, ["n"] * 3, barriers=[pole]) == [(0, 1)]
    lane = box(-1, 1.4, 10, 1.6)  # along the row, through every booth: cuts every link
    assert booth_adjacency(row, ["n"] * 3, barriers=[lane]) == []


def test_only_consecutive_booths_of_one_row_and_a_small_gap() -> None:
    row = [box(0, 0, 3, 3), box(3.5, 0, 6.5, 3), box(7.2, 0, 10.2, 3)]  # gaps 0.5 and 0.7 m
    assert booth_adjacency(row, ["n"] * 3) == [(0, 1)]
    assert booth_adjacency(row, ["n"] * 3, tolerance_m=1.0) == [(0, 1), (1, 2)]
    # a booth across the street is in another row even when close
    across = [box(0, 0, 3, 3), box(0, 3.2, 3, 6.2)]
    assert booth_adjacency(across, ["south", "north"]) == []
    # without chainage, the order follows the row's own direction (a diagonal row)
    diag = [box(i * 3, i * 3, i * 3 + 3, i * 3 + 3) for i in (2, 0, 1)]
    assert booth_adjacency(diag, [None] * 3) == [(0, 2), (1, 2)]


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="tolerance_m"):
        booth_adjacency([box(0, 0, 1, 1)], ["n"], tolerance_m=-1)
    with pytest.raises(ValueError, match="same length"):
        booth_adjacency([box(0, 0, 1, 1)], ["n", "s"])
