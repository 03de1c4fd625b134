"""Split a long corridor into map sheets along its centreline.

A 2.6 km street does not fit one sheet at a scale where 3 m booths can carry their codes. Each sheet
here is a window turned so that its own stretch of street runs across it, left to right in the
centreline's direction; consecutive sheets own consecutive stretches (``[start_m, end_m)`` of
chainage) and show ``overlap_m`` of their neighbours' ground past each end, where the match lines
are drawn.

Every feature belongs to exactly one sheet: the one whose stretch holds the chainage of its
centroid (:func:`assign_to_sheets`). Everything in metres, in a metric CRS.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

__all__ = ["Sheet", "assign_to_sheets", "chainages", "split_corridor"]

G = TypeVar("G", bound=BaseGeometry)


@dataclass(frozen=True)
class Sheet:
    """One map window along the corridor, in the metric CRS.

    ``angle_rad`` is the direction of the sheet's x axis on the ground (counter-clockwise from
    east): the chord of its stretch of centreline. Sheet coordinates are metres from the window's
    centre, x across the page and y up the page.
    """

    number: int
    start_m: float
    end_m: float
    centre: tuple[float, float]
    angle_rad: float
    width_m: float
    height_m: float

    @property
    def frame(self) -> Polygon:
        """The window on the ground.

        >>> s = Sheet(1, 0, 10, (5.0, 0.0), math.pi / 2, 20.0, 4.0)
        >>> [tuple(round(v, 6) for v in xy) for xy in s.frame.exterior.coords][:2]
        [(7.0, -10.0), (7.0, 10.0)]
        """
        w, h = self.width_m / 2, self.height_m / 2
        corners = np.array([[-w, -h], [w, -h], [w, h], [-w, h], [-w, -h]])
        return Polygon(self.from_sheet_xy(corners))

    def to_sheet_xy(self, xy: NDArray[np.float64]) -> NDArray[np.float64]:
        """Ground coordinates ``(n, 2)`` to sheet coordinates.

        >>> s = Sheet(1, 0, 10, (100.0, 50.0), math.pi / 2, 20.0, 4.0)
        >>> s.to_sheet_xy(np.array([[100.0, 60.0]])).round(6).tolist()
        [[10.0, 0.0]]
        """
        c, s = math.cos(self.angle_rad), math.sin(self.angle_rad)
        d = np.asarray(xy, dtype=float)[:, :2] - np.asarray(self.centre)
        out: NDArray[np.float64] = np.column_stack(
            [d[:, 0] * c + d[:, 1] * s, -d[:, 0] * s + d[:, 1] * c]
        )
        return out

    def from_sheet_xy(self, xy: NDArray[np.float64]) -> NDArray[np.float64]:
        """Sheet coordinates ``(n, 2)`` back to the ground."""
        c, s = math.cos(self.angle_rad), math.sin(self.angle_rad)
        d = np.asarray(xy, dtype=float)
        out: NDArray[np.float64] = np.column_stack(
            [d[:, 0] * c - d[:, 1] * s + self.centre[0], d[:, 0] * s + d[:, 1] * c + self.centre[1]]
        )
        return out

    def to_sheet(self, geom: G) -> G:
        """A shapely geometry in sheet coordinates."""
        fn: Callable[[NDArray[np.float64]], NDArray[np.float64]] = self.to_sheet_xy
        out: G = shapely.transform(geom, fn)
        return out

    @property
    def north_rad(self) -> float:
        """Direction of grid north on the sheet (counter-clockwise from the page's x axis).

        >>> round(math.degrees(Sheet(1, 0, 1, (0.0, 0.0), 0.0, 1.0, 1.0).north_rad))
        90
        """
        return math.pi / 2 - self.angle_rad


def chainages(centreline: LineString, points_xy: NDArray[np.float64]) -> NDArray[np.float64]:
    """Distance along ``centreline`` of the point nearest to each of ``points_xy`` ``(n, 2)``.

    >>> chainages(LineString([(0, 0), (100, 0)]), np.array([[30.0, 4.0], [-5.0, 0.0]])).tolist()
    [30.0, 0.0]
    """
    pts = shapely.points(np.asarray(points_xy, dtype=float).reshape(-1, 2))
    out: NDArray[np.float64] = np.asarray(shapely.line_locate_point(centreline, pts), dtype=float)
    return out


def split_corridor(
    centreline: LineString,
    *,
    frame_width_m: float,
    frame_height_m: float,
    half_width_m: float,
    overlap_m: float,
    step_m: float = 5.0,
) -> list[Sheet]:
    """Cut ``centreline`` into consecutive stretches, each fitting one turned window.

    A stretch fits when, turned so its chord runs along x, its centreline plus ``half_width_m`` on
    either side fits the window's height, and its length plus ``overlap_m`` at each end fits the
    width. Stretches are grown greedily in ``step_m`` steps; when the same number of equal
    stretches also fits (the usual case on a gently bending street) those are used instead, so the
    sheets share one length.

    Parameters
    ----------
    centreline : LineString
        The corridor's centreline in a metric CRS, in walking direction.
    frame_width_m, frame_height_m : float
        The map window on the ground (paper size times the scale).
    half_width_m : float
        How far the content (booths and their labels) reaches from the centreline.
    overlap_m : float
        Ground shown past each end of a sheet's own stretch. Features whose centroid is within
        ``min(half_width_m, overlap_m)`` of the centreline always lie in their own sheet.
    step_m : float, default 5
        Resolution of the cut positions.

    Returns
    -------
    list of Sheet
        Numbered from 1, covering chainage 0 to ``centreline.length``.

    Raises
    ------
    ValueError
        When the window cannot hold even a ``step_m`` stretch.

    Examples
    --------
    >>> line = LineString([(0, 0), (1000, 0)])
    >>> sheets = split_corridor(line, frame_width_m=300, frame_height_m=40, half_width_m=15,
    ...                         overlap_m=10)
    >>> [(s.number, s.start_m, s.end_m) for s in sheets]
    [(1, 0.0, 250.0), (2, 250.0, 500.0), (3, 500.0, 750.0), (4, 750.0, 1000.0)]
    """
    for name, value in (
        ("frame_width_m", frame_width_m),
        ("frame_height_m", frame_height_m),
        ("step_m", step_m),
    ):
        if not value > 0:
            raise ValueError(f"{name} must be positive, not {value}")
    if half_width_m < 0 or overlap_m < 0:
        raise ValueError("half_width_m and overlap_m must not be negative")
    length = float(centreline.length)
    if centreline.is_empty or length == 0:
        raise ValueError("the centreline is empty")

    def fit(a: float, b: float) -> tuple[float, tuple[float, float]] | None:
        """Angle and window centre for stretch ``[a, b]``, or None when it does not fit."""
        piece = substring(centreline, a, b)
        xy = np.asarray(piece.coords, dtype=float)[:, :2]
        dx, dy = xy[-1] - xy[0]
        if math.hypot(dx, dy) < 1e-9:
            dx, dy = xy[1] - xy[0] if len(xy) > 1 else (1.0, 0.0)
        angle = math.atan2(dy, dx)
        c, s = math.cos(angle), math.sin(angle)
        rx = xy[:, 0] * c + xy[:, 1] * s
        ry = -xy[:, 0] * s + xy[:, 1] * c
        if rx.max() - rx.min() + 2 * overlap_m > frame_width_m + 1e-9:
            return None
        if ry.max() - ry.min() + 2 * half_width_m > frame_height_m + 1e-9:
            return None
        mx, my = (rx.max() + rx.min()) / 2, (ry.max() + ry.min()) / 2
        return angle, (mx * c - my * s, mx * s + my * c)

    cuts = [0.0]
    while cuts[-1] < length:
        a = cuts[-1]
        if fit(a, min(a + step_m, length)) is None:
            raise ValueError(
                f"a {step_m:g} m stretch at {a:.0f} m does not fit a "
                f"{frame_width_m:g} × {frame_height_m:g} m window"
            )
        b = min(a + step_m, length)
        while b < length and fit(a, min(b + step_m, length)) is not None:
            b = min(b + step_m, length)
        cuts.append(b)

    count = len(cuts) - 1
    equal = [length * i / count for i in range(count + 1)]
    if all(fit(a, b) is not None for a, b in zip(equal[:-1], equal[1:], strict=True)):
        cuts = equal

    sheets = []
    for number, (a, b) in enumerate(zip(cuts[:-1], cuts[1:], strict=True), start=1):
        fitted = fit(a, b)
        assert fitted is not None
        angle, centre = fitted
        sheets.append(
            Sheet(
                number,
                float(a),
                float(b),
                (float(centre[0]), float(centre[1])),
                angle,
                float(frame_width_m),
                float(frame_height_m),
            )
        )
    return sheets


def assign_to_sheets(
    sheets: list[Sheet], centreline: LineString, points_xy: NDArray[np.float64]
) -> NDArray[np.int64]:
    """Index (into ``sheets``) of the one sheet owning each point, by its chainage.

    >>> line = LineString([(0, 0), (1000, 0)])
    >>> sheets = split_corridor(line, frame_width_m=300, frame_height_m=40, half_width_m=15,
    ...                         overlap_m=10)
    >>> assign_to_sheets(sheets, line, np.array([[0.0, 3], [250.0, -3], [999.0, 0]])).tolist()
    [0, 1, 3]
    """
    if not sheets:
        raise ValueError("no sheets")
    starts = np.array([s.start_m for s in sheets[1:]])
    out: NDArray[np.int64] = np.searchsorted(
        starts, chainages(centreline, points_xy), side="right"
    ).astype(np.int64)
    return out
