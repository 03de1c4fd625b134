"""Centrelines of street-shaped polygons.

A closed street drawn by a planner is a long thin polygon; the layout walks along its centreline,
so the centreline must follow the street's bends and stay in the middle of the carriageway. When the
planner did not draw one, :func:`derive_centreline` approximates the medial axis with the *chordal
axis* of a constrained Delaunay triangulation: on a strip with parallel kerbs the midpoint of every
chord joining the two kerbs lies exactly on the centreline, whatever the triangle's shape, so the
result is centred to within floating-point noise on straight stretches and within centimetres on
bends (where a Voronoi skeleton of sampled kerbs zigzags by ``spacing² / (16 * half_width)``).
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from app.gis.crs import refuse_degrees

__all__ = ["LineMeasure", "derive_centreline", "interpolate_xy", "orient_west_to_east"]

#: Douglas-Peucker tolerance applied to the chordal axis (metres): removes the collinear midpoints
#: of straight stretches while keeping bends to within a centimetre.
SIMPLIFY_TOLERANCE_M = 0.01


def derive_centreline(corridor: Polygon | MultiPolygon) -> LineString:
    """Approximate the centreline of a street-shaped polygon in a metric CRS.

    The kerbs are densified, the polygon is triangulated with its boundary as constraint, and the
    longest path through the midpoints of the interior chords is kept (spurs into corners and side
    streets are shorter, so they drop out). Both ends are then extended along their direction to the
    polygon's boundary, so that rows of booths can run the street's full length. For a
    ``MultiPolygon`` (a corridor cut by a junction) each part gets its own centreline and the
    parts are joined, in order along the corridor, by straight connectors that the layout later
    clips away.

    The line runs west to east (south to north when the street is closer to north-south), so that
    "the start of the centreline" and booth numbering do not depend on how the polygon was drawn.

    Parameters
    ----------
    corridor : Polygon or MultiPolygon
        The street in a metric CRS. Geometry in degrees is refused.

    Returns
    -------
    LineString
        The centreline; empty when the corridor is empty.

    Raises
    ------
    app.gis.crs.CRSError
        When the corridor looks like it is still in EPSG:4326 degrees.

    Examples
    --------
    A 100 m × 10 m street gives the line along its middle:

    >>> from shapely import box
    >>> line = derive_centreline(box(500_000, 9_000_000, 500_100, 9_000_010))
    >>> [(round(x - 500_000, 3), round(y - 9_000_000, 3)) for x, y in line.coords]
    [(0.0, 5.0), (100.0, 5.0)]

    A bent 12 m street keeps its bend:

    >>> bent = LineString([(500_000, 9_000_000), (500_200, 9_000_000), (500_350, 9_000_100)])
    >>> line = derive_centreline(bent.buffer(6, cap_style="flat"))
    >>> round(line.length), line.hausdorff_distance(bent) < 0.3
    (380, True)
    """
    refuse_degrees(corridor, "corridor")
    if corridor.is_empty:
        return LineString()
    parts = [p for p in getattr(corridor, "geoms", [corridor]) if not p.is_empty and p.area > 0]
    if not parts:
        return LineString()
    lines = [_polygon_centreline(p) for p in parts]
    lines = [ln for ln in lines if not ln.is_empty]
    if not lines:
        return LineString()
    if len(lines) == 1:
        return orient_west_to_east(lines[0])
    return _join_in_order(lines)


def orient_west_to_east(line: LineString) -> LineString:
    """Return ``line`` running west to east, or south to north when it is mostly north-south.

    >>> orient_west_to_east(LineString([(10, 0), (0, 1)])).coords[0]
    (0.0, 1.0)
    >>> orient_west_to_east(LineString([(0, 10), (1, 0)])).coords[0]
    (1.0, 0.0)
    """
    if line.is_empty:
        return line
    (x0, y0), (x1, y1) = line.coords[0], line.coords[-1]
    dx, dy = x1 - x0, y1 - y0
    forwards = dx > 0 if abs(dx) >= abs(dy) else dy > 0
    if forwards or (dx == 0 and dy == 0):
        return line
    return line.reverse()


class LineMeasure:
    """Linear referencing on one line, set up once and then vectorised.

    ``shapely.line_interpolate_point`` walks the line from its start for every point, which costs
    a noticeable share of a layout on a long street with hundreds of vertices; this keeps the
    cumulative vertex distances and bisects them.

    >>> LineMeasure(LineString([(0, 0), (10, 0), (10, 10)])).xy(np.array([5.0, 15.0, 99.0]))
    array([[ 5.,  0.],
           [10.,  5.],
           [10., 10.]])
    """

    def __init__(self, line: LineString) -> None:
        self.coords = np.asarray(line.coords, dtype=float)[:, :2]
        self.seg = np.hypot(*np.diff(self.coords, axis=0).T)
        self.cum = np.concatenate([[0.0], np.cumsum(self.seg)])
        self.length = float(self.cum[-1])

    def xy(self, distances_m: NDArray[np.float64]) -> NDArray[np.float64]:
        """Points at ``distances_m`` along the line, ``(n, 2)``, clamped to the line's ends."""
        d = np.clip(np.asarray(distances_m, dtype=float), 0.0, self.length)
        i = np.clip(np.searchsorted(self.cum, d, side="right") - 1, 0, len(self.seg) - 1)
        seg = self.seg[i]
        frac = np.divide(d - self.cum[i], seg, out=np.zeros_like(d), where=seg > 0)
        out: NDArray[np.float64] = (
            self.coords[i] + (self.coords[i + 1] - self.coords[i]) * frac[:, None]
        )
        return out


def interpolate_xy(line: LineString, distances_m: NDArray[np.float64]) -> NDArray[np.float64]:
    """Points at ``distances_m`` along ``line`` (see :class:`LineMeasure`).

    >>> interpolate_xy(LineString([(0, 0), (10, 0)]), np.array([2.5]))
    array([[2.5, 0. ]])
    """
    return LineMeasure(line).xy(distances_m)


def _join_in_order(lines: list[LineString]) -> LineString:
    """Join per-part centrelines along the principal direction of their ends."""
    ends = np.array([[ln.coords[0], ln.coords[-1]] for ln in lines], dtype=float).reshape(-1, 2)
    centre = ends.mean(axis=0)
    _, _, vt = np.linalg.svd(ends - centre, full_matrices=False)
    axis = vt[0]
    if abs(axis[0]) >= abs(axis[1]):
        axis = axis if axis[0] > 0 else -axis
    else:
        axis = axis if axis[1] > 0 else -axis
    oriented: list[tuple[float, LineString]] = []
    for ln in lines:
        a, b = np.asarray(ln.coords[0]), np.asarray(ln.coords[-1])
        if float(np.dot(b - a, axis)) < 0:
            ln, a, b = ln.reverse(), b, a
        oriented.append((float(np.dot((a + b) / 2 - centre, axis)), ln))
    oriented.sort(key=lambda item: item[0])
    coords: list[tuple[float, float]] = []
    for _, ln in oriented:
        coords.extend((float(x), float(y)) for x, y in ln.coords)
    return LineString(coords)


#: A polygon filling this share of its minimum rotated rectangle is a straight street.
STRAIGHT_FILL = 0.995


def _polygon_centreline(polygon: Polygon) -> LineString:
    """Chordal-axis centreline of one polygon, extended to its boundary."""
    if not polygon.is_valid:
        polygon = _largest_polygon(shapely.make_valid(polygon))
    perimeter = polygon.length
    width = 2.0 * polygon.area / perimeter if perimeter > 0 else 0.0
    if width <= 0:
        return LineString()
    rect = polygon.minimum_rotated_rectangle
    if rect.area > 0 and polygon.area / rect.area >= STRAIGHT_FILL:
        # A straight street: its axis is exact, and the triangulation of a long rectangle is
        # degenerate (cocircular vertices), which would bend the chordal path.
        return _rectangle_axis(polygon)
    dense = shapely.segmentize(polygon, max(width / 2.0, 0.05))
    path = _longest_chordal_path(dense)
    if path is None or len(path) < 2:
        return _rectangle_axis(polygon)
    path = _trim_corner_spurs(path, polygon)
    line = LineString(path) if len(path) >= 2 else LineString()
    if line.is_empty or line.length < 1e-9:
        return _rectangle_axis(polygon)
    extended = _extend_to_boundary(line, polygon, reach_m=2.0 * width + 1.0)
    simplified = extended.simplify(SIMPLIFY_TOLERANCE_M, preserve_topology=False)
    return simplified if isinstance(simplified, LineString) else extended


def _longest_chordal_path(polygon: Polygon) -> NDArray[np.float64] | None:
    """Longest path through the midpoints of interior triangle edges (the chordal axis)."""
    # scipy.sparse costs a quarter of a second to import: loaded when a centreline is derived
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components, dijkstra

    triangles = shapely.get_parts(shapely.constrained_delaunay_triangles(polygon))
    if len(triangles) < 2:
        return None
    corners = shapely.get_coordinates(triangles).reshape(-1, 4, 2)[:, :3, :]
    flat = corners.reshape(-1, 2)
    vertices, vertex_id = np.unique(flat, axis=0, return_inverse=True)
    vertex_id = vertex_id.reshape(-1, 3)
    edges = np.stack(
        [vertex_id[:, [0, 1]], vertex_id[:, [1, 2]], vertex_id[:, [2, 0]]], axis=1
    )  # (n, 3, 2)
    edges.sort(axis=2)
    keys = edges[:, :, 0].astype(np.int64) * len(vertices) + edges[:, :, 1]
    unique_keys, edge_id, counts = np.unique(keys.ravel(), return_inverse=True, return_counts=True)
    edge_id = edge_id.reshape(-1, 3)
    interior = counts[edge_id] == 2  # (n, 3): an edge shared by two triangles is a chord
    mids = (vertices[unique_keys // len(vertices)] + vertices[unique_keys % len(vertices)]) / 2.0
    n_edges = len(unique_keys)

    rows: list[NDArray[np.int64]] = []
    cols: list[NDArray[np.int64]] = []
    extra: list[NDArray[np.float64]] = []
    n_interior = interior.sum(axis=1)
    two = np.flatnonzero(n_interior == 2)
    if len(two):
        pick = edge_id[two][interior[two]].reshape(-1, 2)
        rows.append(pick[:, 0])
        cols.append(pick[:, 1])
    three = np.flatnonzero(n_interior == 3)
    if len(three):
        # junction triangles: every chord midpoint joins the triangle's centroid (a new node)
        centre_ids = n_edges + np.arange(len(three))
        extra.append(corners[three].mean(axis=1))
        for k in range(3):
            rows.append(edge_id[three, k])
            cols.append(centre_ids)
    if not rows:
        return None
    nodes = np.vstack([mids, *extra]) if extra else mids
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    weights = np.hypot(*(nodes[r] - nodes[c]).T) + 1e-12
    graph = coo_matrix((weights, (r, c)), shape=(len(nodes), len(nodes))).tocsr()
    _, labels = connected_components(graph, directed=False)
    used = np.unique(np.concatenate([r, c]))
    comp_sizes = np.bincount(labels[used])
    biggest = int(np.argmax(comp_sizes))
    start = int(used[labels[used] == biggest][0])
    dist = dijkstra(graph, directed=False, indices=start)
    a = int(np.argmax(np.where(np.isfinite(dist), dist, -1.0)))
    dist_a, pred = dijkstra(graph, directed=False, indices=a, return_predecessors=True)
    b = int(np.argmax(np.where(np.isfinite(dist_a), dist_a, -1.0)))
    order = [b]
    while order[-1] != a:
        order.append(int(pred[order[-1]]))
    return nodes[order[::-1]]


def _trim_corner_spurs(path: NDArray[np.float64], polygon: Polygon) -> NDArray[np.float64]:
    """Drop the path's ends that wander into the corners of a street's end.

    Near a flat end the triangles fan out from the end's own vertices, so the last chords' midpoints
    leave the middle of the street. Points on the true centreline are a half-width from the kerbs;
    points in a corner are nearer to the boundary, so the ends are trimmed (at most a third of the
    path each) while their distance to the boundary is below 95 % of the median half-width.
    """
    radius = shapely.distance(shapely.points(path), polygon.boundary)
    path, radius = _drop_detours(path, radius)
    threshold = 0.95 * float(np.median(radius))
    # at most a third of the path, and never more than two street widths at either end: a long
    # straight stretch must not be trimmed away with the corner
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(path, axis=0).T))])
    reach = 4.0 * float(np.median(radius))
    cap = min(
        len(path) // 3,
        int(np.searchsorted(along, reach)),
        len(path) - 1 - int(np.searchsorted(along, along[-1] - reach)),
    )
    lo = 0
    while lo < cap and radius[lo] < threshold:
        lo += 1
    hi = len(path)
    while hi - 1 > len(path) - 1 - cap and radius[hi - 1] < threshold:
        hi -= 1
    return path[lo:hi] if hi - lo >= 2 else path


def _drop_detours(
    path: NDArray[np.float64], radius: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Drop chord midpoints that sit much nearer a kerb than their neighbours along the path.

    At a bend the triangles fan out from the inner corner and some chords join two points of the
    same kerb; their midpoints lie off the centreline and nearer the boundary than the centreline
    points around them. A point is dropped when its distance to the boundary is below 90 % of the
    median over the path points within one street width of it (ends are handled separately).
    """
    if len(path) < 5:
        return path, radius
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(path, axis=0).T))])
    window = 2.0 * float(np.median(radius))
    lo = np.searchsorted(along, along - window, side="left")
    hi = np.searchsorted(along, along + window, side="right")
    local = np.array([np.median(radius[a:b]) for a, b in zip(lo, hi, strict=True)])
    keep = radius >= 0.9 * local
    keep[0] = keep[-1] = True
    return path[keep], radius[keep]


def _extend_to_boundary(line: LineString, polygon: Polygon, *, reach_m: float) -> LineString:
    """Extend both ends of ``line`` straight on until they meet the polygon's boundary."""
    coords = np.asarray(line.coords, dtype=float)
    look = min(line.length / 2.0, max(reach_m / 4.0, 0.5))
    head = np.asarray(line.interpolate(look).coords[0])
    tail = np.asarray(line.interpolate(line.length - look).coords[0])
    start_dir = _unit(coords[0] - head)
    end_dir = _unit(coords[-1] - tail)
    if start_dir is None or end_dir is None:
        return line
    longer = np.vstack([coords[0] + start_dir * reach_m, coords, coords[-1] + end_dir * reach_m])
    clipped = shapely.intersection(LineString(longer), polygon)
    middle = line.interpolate(0.5, normalized=True)
    pieces = [g for g in shapely.get_parts(clipped) if isinstance(g, LineString)]
    merged = shapely.line_merge(shapely.MultiLineString(pieces)) if len(pieces) > 1 else None
    if merged is not None:
        pieces = [g for g in shapely.get_parts(merged) if isinstance(g, LineString)]
    for piece in pieces:
        if piece.distance(middle) < 1e-6:
            return _same_direction(piece, line)
    return line


def _same_direction(piece: LineString, reference: LineString) -> LineString:
    start = Point(reference.coords[0])
    if Point(piece.coords[-1]).distance(start) < Point(piece.coords[0]).distance(start):
        return piece.reverse()
    return piece


def _unit(v: NDArray[np.float64]) -> NDArray[np.float64] | None:
    n = float(math.hypot(float(v[0]), float(v[1])))
    return None if n < 1e-12 else v / n


def _rectangle_axis(polygon: Polygon) -> LineString:
    """Fallback: the long axis of the minimum rotated rectangle, clipped to the polygon."""
    rect = polygon.minimum_rotated_rectangle
    if not isinstance(rect, Polygon) or rect.is_empty:
        return LineString()
    c = np.asarray(rect.exterior.coords[:4], dtype=float)
    e1, e2 = c[1] - c[0], c[2] - c[1]
    if np.hypot(*e1) >= np.hypot(*e2):
        a, b = (c[0] + c[3]) / 2.0, (c[1] + c[2]) / 2.0
    else:
        a, b = (c[0] + c[1]) / 2.0, (c[2] + c[3]) / 2.0
    axis = LineString([tuple(a), tuple(b)])
    clipped = shapely.intersection(axis, polygon)
    pieces = sorted(
        (g for g in shapely.get_parts(clipped) if isinstance(g, LineString)),
        key=lambda g: -g.length,
    )
    return pieces[0] if pieces else LineString()


def _largest_polygon(geom: shapely.Geometry) -> Polygon:
    polys = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon)]
    return max(polys, key=lambda g: g.area) if polys else Polygon()
