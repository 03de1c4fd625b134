"""Which booths stand side by side: adjacency from the layout's geometry (metric CRS, pure).

A vendor on two or three booths needs them side by side on the same kerb. Two booths are
adjacent when

* they are in the same row (the same side of the street, ``rows``),
* they are consecutive along it (nothing in between: ``order``, the chainage),
* the gap between their footprints is at most ``tolerance_m`` (a layout break, a crossing or a
  clearance gap left by the layout is wider), and
* the segment between their centres crosses no barrier: a crossing, an obstacle, a facility's
  clearance area or an emergency lane (``barriers``), even where the booths nearly touch.

Nothing here knows the database or Flask; the allocation service projects the event's booths and
facilities and calls :func:`booth_adjacency`.

Examples
--------
>>> from shapely.geometry import box
>>> booths = [box(0, 0, 3, 3), box(3, 0, 6, 3), box(9, 0, 12, 3)]
>>> booth_adjacency(booths, ["north"] * 3)
[(0, 1)]
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from typing import Final

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

__all__ = ["NEIGHBOUR_GAP_M", "booth_adjacency", "runs_through"]

#: Largest gap between two booths' edges that still counts as one stall front (metres): the
#: layout's own gap between booths is 0, a surveyed or hand-drawn layout is rarely exact.
NEIGHBOUR_GAP_M: Final = 0.6


def booth_adjacency(
    footprints: Sequence[Polygon],
    rows: Sequence[Hashable | None],
    *,
    order: Sequence[float | None] | None = None,
    barriers: Sequence[BaseGeometry] = (),
    tolerance_m: float = NEIGHBOUR_GAP_M,
) -> list[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, of booths that stand side by side (see the module's rules).

    Parameters
    ----------
    footprints
        Booth polygons in a metric CRS.
    rows
        The row of each booth (the side of the street); booths of different rows are never
        adjacent. ``None`` is a row of its own.
    order
        Position along the row (the chainage, metres); when missing, booths are ordered along the
        row's own direction (first to last centre).
    barriers
        Geometries nothing may reach across (crossings, obstacles, clearance areas, lanes).
    tolerance_m
        Largest gap between neighbouring footprints.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> row = [box(0, 0, 3, 3), box(3, 0, 6, 3), box(6, 0, 9, 3), box(9.4, 0, 12.4, 3)]
    >>> booth_adjacency(row, ["n"] * 4)
    [(0, 1), (1, 2), (2, 3)]
    >>> zebra = box(5.9, -2, 6.1, 5)  # a crossing line between the 2nd and 3rd booth
    >>> booth_adjacency(row, ["n"] * 4, barriers=[zebra])
    [(0, 1), (2, 3)]
    >>> booth_adjacency(row, ["n", "n", "s", "s"])  # other side of the street
    [(0, 1), (2, 3)]
    """
    if tolerance_m < 0 or not np.isfinite(tolerance_m):
        raise ValueError(f"tolerance_m must be a finite non-negative number, got {tolerance_m!r}")
    if len(rows) != len(footprints) or (order is not None and len(order) != len(footprints)):
        raise ValueError("footprints, rows and order must have the same length")
    centres = np.array([(p.centroid.x, p.centroid.y) for p in footprints], dtype=np.float64)
    by_row: dict[Hashable | None, list[int]] = {}
    for i, row in enumerate(rows):
        by_row.setdefault(row, []).append(i)
    pairs: list[tuple[int, int]] = []
    for members in by_row.values():
        if len(members) < 2:
            continue
        ordered = sorted(members, key=_position(members, centres, order))
        for a, b in zip(ordered, ordered[1:], strict=False):
            if footprints[a].distance(footprints[b]) <= tolerance_m:
                pairs.append((min(a, b), max(a, b)))
    if barriers and pairs:
        wall = shapely.union_all([g for g in barriers if g is not None and not g.is_empty])
        if not wall.is_empty:
            shapely.prepare(wall)
            links = [LineString([centres[a], centres[b]]) for a, b in pairs]
            crossed = shapely.intersects(np.array(links, dtype=object), wall)
            pairs = [p for p, hit in zip(pairs, crossed, strict=True) if not hit]
    return sorted(pairs)


def _position(
    members: list[int], centres: NDArray[np.float64], order: Sequence[float | None] | None
) -> Callable[[int], tuple[float, int]]:
    """Sort key of a booth along its row: the chainage when every booth has one, else the
    projection of its centre on the row's longest extent."""
    if order is not None and all(order[i] is not None for i in members):
        return lambda i: (float(order[i] or 0.0), i)
    pts = centres[members]
    spread = pts.max(axis=0) - pts.min(axis=0)
    axis = np.array([1.0, 0.0]) if spread[0] >= spread[1] else np.array([0.0, 1.0])
    if len(pts) >= 2:
        centred = pts - pts.mean(axis=0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        axis = vt[0]
    return lambda i: (float(centres[i] @ axis), i)


def runs_through(
    links: Mapping[str, Collection[str]],
    k: int,
    through: str,
    usable: Collection[str],
    order: Callable[[str], float],
) -> list[tuple[str, ...]]:
    """Every run of ``k`` booths side by side that holds ``through``, using only ``usable``
    booths; each run once, in row order (by ``order``), the runs sorted by their first booth.

    ``links`` is the adjacency (each booth's neighbours, as :func:`booth_adjacency` gives
    them); a booth not in ``usable`` (taken, blocked) breaks a run like a gap does.

    Examples
    --------
    >>> links = {"A1": ["A2"], "A2": ["A1", "A3"], "A3": ["A2"], "B1": []}
    >>> pos = {"A1": 1, "A2": 2, "A3": 3, "B1": 9}.__getitem__
    >>> runs_through(links, 2, "A2", {"A1", "A2", "A3"}, pos)
    [('A1', 'A2'), ('A2', 'A3')]
    >>> runs_through(links, 2, "A3", {"A2", "A3"}, pos), runs_through(links, 2, "B1", {"B1"}, pos)
    ([('A2', 'A3')], [])
    """
    if through not in usable or k < 1:
        return []
    found: set[tuple[str, ...]] = set()

    def walk(path: list[str]) -> None:
        if len(path) == k:
            if through in path:
                found.add(tuple(sorted(path, key=order)))
            return
        for n in links.get(path[-1], ()):
            if n in usable and n not in path:
                path.append(n)
                walk(path)
                path.pop()

    # a run holding ``through`` starts within k - 1 steps of it
    starts, frontier = {through}, {through}
    for _ in range(k - 1):
        frontier = {n for c in frontier for n in links.get(c, ()) if n in usable} - starts
        starts |= frontier
    for start in starts:
        walk([start])
    return sorted(found, key=lambda run: [order(c) for c in run])
