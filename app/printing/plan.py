"""How an event's corridor is cut into map columns on a sheet of paper.

Each map page carries several columns side by side; in each column the street runs down the page
(chainage growing downwards, columns read left to right), so the booths stand in two vertical
rows and their codes are set horizontally beside them, one line per booth, readable without
turning the sheet. The column's window on the ground is a :class:`~app.printing.sheets.Sheet`
whose x axis (the street's direction) points down the page.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from app.gis.centreline import derive_centreline
from app.printing.model import PAPERS, LayoutData, Paper, PrintBooth
from app.printing.sheets import Sheet, assign_to_sheets, split_corridor
from app.printing.typeset import text_width_mm

__all__ = [
    "LABEL_PT",
    "NAME_PT",
    "NAMES_SCALE",
    "LayoutPlan",
    "plan_layout",
]

#: Size of the booth codes on the map, in points (horizontal, beside the booth).
LABEL_PT = 7.0
#: Size and longest width of the stall name under the code (the ``names`` option).
NAME_PT = 6.0
NAME_MM = 26.0
#: The scale of the ``names`` option: 3 m booths 6 mm apart hold a code and a name line each.
NAMES_SCALE = 500
#: Paper distance between a booth's outer edge and its code (room for kerb-side facilities).
LABEL_GAP_MM = 3.0
#: Head of each column (segment, chainage, counts), its foot (the next segment), the gap between
#: columns and the extra width kept for bends.
COLUMN_HEAD_MM = 9.0
COLUMN_FOOT_MM = 4.5
COLUMN_GAP_MM = 4.0
BEND_ALLOWANCE_MM = 8.0
#: Neighbouring ground shown past each end of a segment.
OVERLAP_MM = 12.0


@dataclass(frozen=True)
class LayoutPlan:
    """How the corridor is cut and laid out on a paper size.

    ``owner[i]`` is the index in ``sheets`` of the segment owning ``data.booths[i]``;
    ``column_w_mm`` and ``column_h_mm`` are the size of each map column on paper (across and
    along the street).
    """

    paper: Paper
    centreline: LineString
    sheets: list[Sheet]
    owner: NDArray[np.int64]
    columns_per_page: int
    column_w_mm: float
    column_h_mm: float
    reach_m: float
    half_width_m: float
    names: bool = False

    @property
    def map_pages(self) -> int:
        """Pages of map columns (the overview not counted)."""
        return -(-len(self.sheets) // self.columns_per_page)

    @property
    def map_w_mm(self) -> float:
        """Width of the map area of a page."""
        return self.paper.width_mm - 2 * self.paper.margin_mm

    def page_of(self, sheet_index: int) -> int:
        """Document page (1-based, overview = 1) carrying the segment at ``sheet_index``."""
        return 2 + sheet_index // self.columns_per_page

    def segment_of(self, booths: Sequence[PrintBooth]) -> dict[str, int]:
        """Segment number of each booth code."""
        return {b.code: self.sheets[int(i)].number for b, i in zip(booths, self.owner, strict=True)}


def label_width_mm(booths: Sequence[PrintBooth], *, names: bool = False) -> float:
    """Width of the widest booth label (its code; with ``names``, the name line too)."""
    longest = sorted(booths, key=lambda b: len(b.code), reverse=True)[:12]
    width = max(
        (text_width_mm(b.code, LABEL_PT, b.kind == "service_desk") for b in longest), default=0.0
    )
    return max(width, NAME_MM) if names else width


def plan_layout(data: LayoutData, paper: Paper | str = "A3", *, names: bool = False) -> LayoutPlan:
    """Cut the corridor into segments for ``paper`` and give every booth its segment.

    ``names`` prints each booth's stall name under its code, at 1:500.

    Raises
    ------
    ValueError
        When the corridor is empty or the paper cannot hold a column.
    """
    paper = PAPERS[paper] if isinstance(paper, str) else paper
    if names:
        paper = dataclasses.replace(paper, scale=NAMES_SCALE)
    centreline = data.centreline if data.centreline is not None else _centreline(data.corridor)
    if centreline.is_empty or centreline.length == 0:
        raise ValueError("the corridor has no centreline")
    m_per_mm = paper.scale / 1000
    if data.booths:
        verts = shapely.points(shapely.get_coordinates([b.geometry for b in data.booths]))
    else:
        verts = shapely.points(shapely.get_coordinates(data.corridor))
    reach_m = float(np.max(shapely.distance(centreline, verts))) if len(verts) else 0.0
    label_mm = label_width_mm(data.booths, names=names)
    half_width_m = reach_m + (LABEL_GAP_MM + label_mm + 1.5) * m_per_mm

    map_w_mm = paper.width_mm - 2 * paper.margin_mm
    avail_mm = paper.height_mm - 2 * paper.margin_mm - paper.header_mm - paper.footer_mm
    column_h_mm = avail_mm - COLUMN_HEAD_MM - COLUMN_FOOT_MM
    need_mm = 2 * half_width_m / m_per_mm + BEND_ALLOWANCE_MM
    per_page = max(1, int((map_w_mm + COLUMN_GAP_MM) // (need_mm + COLUMN_GAP_MM)))
    column_w_mm = (map_w_mm - (per_page - 1) * COLUMN_GAP_MM) / per_page
    sheets = split_corridor(
        centreline,
        frame_width_m=column_h_mm * m_per_mm,
        frame_height_m=column_w_mm * m_per_mm,
        half_width_m=half_width_m,
        overlap_m=max(OVERLAP_MM * m_per_mm, reach_m),
    )
    if data.booths:
        centroids = shapely.get_coordinates(shapely.centroid([b.geometry for b in data.booths]))
        owner = assign_to_sheets(sheets, centreline, centroids)
    else:
        owner = np.zeros(0, dtype=np.int64)
    return LayoutPlan(
        paper,
        centreline,
        sheets,
        owner,
        per_page,
        column_w_mm,
        column_h_mm,
        reach_m,
        half_width_m,
        names,
    )


def _centreline(corridor: BaseGeometry) -> LineString:
    polys = [g for g in getattr(corridor, "geoms", [corridor]) if g.geom_type == "Polygon"]
    if not polys:
        return LineString()
    merged = shapely.union_all(polys)
    return derive_centreline(merged)  # type: ignore[arg-type,unused-ignore]
