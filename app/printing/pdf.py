"""Crew print-outs drawn with matplotlib's PDF backend: no network, no tiles, DejaVu fonts.

One document per call:

1. an overview page: the whole corridor with the numbered segment frames and a segment table;
2. map pages: the corridor cut into segments along its centreline (:mod:`app.printing.sheets`),
   several turned strips per page, every booth labelled with its code on the one segment that owns
   its centroid (neighbours' booths drawn grey, unlabelled, past the dashed match lines);
3. optionally the vendor check-in list, sorted by booth code, with the segment of every booth.

Colours are the web map's (:data:`app.styles.BOOTH_STYLES`, ``FACILITY_STYLES``, ``ZONE_STYLES``).
Page furniture is laid out in millimetres on a full-page axes; each strip is an axes whose limits
in metres make the scale exact.
"""

from __future__ import annotations

import io
import math
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import matplotlib
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.collections import LineCollection, PatchCollection, PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.ft2font import LoadFlags
from matplotlib.patches import Circle, PathPatch, Rectangle
from matplotlib.patches import Polygon as MplPolygon
from matplotlib.path import Path
from numpy.typing import NDArray
from shapely.geometry import LineString, Polygon, box
from shapely.geometry.base import BaseGeometry

from app.gis.centreline import derive_centreline
from app.printing.model import PAPERS, LayoutData, Paper, PrintBooth, PrintLabels, VendorRow
from app.printing.sheets import Sheet, assign_to_sheets, split_corridor
from app.styles import BOOTH_STYLES, FACILITY_STYLES, ZONE_STYLES, MarkerStyle, PathStyle

__all__ = ["LABEL_PT", "LayoutPlan", "plan_layout", "render_layout_pdf", "render_vendor_list_pdf"]

#: Size of the booth codes on the map, in points.
LABEL_PT = 6.5
FONT = "DejaVu Sans"
PT_PER_MM = 72 / 25.4
#: Paper distance between a booth's outer edge and its code (room for kerb-side facilities).
LABEL_GAP_MM = 3.0
#: Height of the title row above each strip, gap between strips, extra height for bends.
STRIP_TITLE_MM = 5.0
STRIP_GAP_MM = 3.5
BEND_ALLOWANCE_MM = 10.0
#: Neighbouring ground shown past each end of a segment.
OVERLAP_MM = 15.0
INK = "#1f2a30"
GREY = "#78909c"
NEIGHBOUR_FILL = "#e4e7e9"
NEIGHBOUR_EDGE = "#a7b1b7"
FRAME_BLUE = "#1565c0"
NICE_SCALES = (
    500,
    750,
    1000,
    1250,
    1500,
    2000,
    2500,
    3000,
    4000,
    5000,
    6000,
    7500,
    10_000,
    12_500,
    15_000,
    20_000,
    25_000,
    50_000,
    100_000,
)

_RC: Any = {
    "pdf.fonttype": 42,  # TrueType subsets: searchable and extractable text
    "font.family": FONT,
    "hatch.linewidth": 0.35,
    "axes.unicode_minus": False,
    "path.simplify": False,
}
# rcParams are process-wide: one document at a time.
_LOCK = threading.Lock()


# --------------------------------------------------------------------------------------------------
# Planning
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LayoutPlan:
    """How the corridor is cut and laid out on a paper size.

    ``owner[i]`` is the index in ``sheets`` of the segment owning ``data.booths[i]``.
    """

    paper: Paper
    centreline: LineString
    sheets: list[Sheet]
    owner: NDArray[np.int64]
    strips_per_page: int
    strip_map_h_mm: float
    map_w_mm: float
    reach_m: float
    half_width_m: float

    @property
    def map_pages(self) -> int:
        """Pages of map strips (the overview not counted)."""
        return -(-len(self.sheets) // self.strips_per_page)

    def page_of(self, sheet_index: int) -> int:
        """Document page (1-based, overview = 1) carrying the segment at ``sheet_index``."""
        return 2 + sheet_index // self.strips_per_page

    def segment_of(self, booths: Sequence[PrintBooth]) -> dict[str, int]:
        """Segment number of each booth code."""
        return {b.code: self.sheets[int(i)].number for b, i in zip(booths, self.owner, strict=True)}


@lru_cache(maxsize=8)
def _advances(bold: bool) -> dict[str, float]:
    """Glyph advance widths of the font at 1 pt, filled lazily by :func:`_text_width_mm`."""
    return {}


def _text_width_mm(text: str, size_pt: float, bold: bool = False) -> float:
    """Advance width of ``text`` set in DejaVu Sans (no kerning: a close, cheap estimate)."""
    table = _advances(bold)
    missing = {c for c in text if c not in table}
    if missing:
        prop = FontProperties(family=FONT, weight="bold" if bold else "normal")
        font = get_font(findfont(prop))
        font.set_size(100, 72)
        for char in missing:
            glyph = font.load_char(ord(char), flags=LoadFlags.NO_HINTING)
            table[char] = glyph.linearHoriAdvance / 65536 / 100
    return sum(table[c] for c in text) * size_pt / PT_PER_MM


def _label_width_mm(booths: Sequence[PrintBooth]) -> float:
    longest = sorted(booths, key=lambda b: len(b.code), reverse=True)[:12]
    return max(
        (_text_width_mm(b.code, LABEL_PT, b.kind == "service_desk") for b in longest), default=0.0
    )


def plan_layout(data: LayoutData, paper: Paper | str = "A3") -> LayoutPlan:
    """Cut the corridor into segments for ``paper`` and give every booth its segment.

    Raises
    ------
    ValueError
        When the corridor is empty or the paper cannot hold a strip.
    """
    paper = PAPERS[paper] if isinstance(paper, str) else paper
    centreline = data.centreline if data.centreline is not None else _centreline(data.corridor)
    if centreline.is_empty or centreline.length == 0:
        raise ValueError("the corridor has no centreline")
    m_per_mm = paper.scale / 1000
    if data.booths:
        verts = shapely.points(shapely.get_coordinates([b.geometry for b in data.booths]))
    else:
        verts = shapely.points(shapely.get_coordinates(data.corridor))
    reach_m = float(np.max(shapely.distance(centreline, verts))) if len(verts) else 0.0
    half_width_m = reach_m + (LABEL_GAP_MM + _label_width_mm(data.booths) + 1.5) * m_per_mm

    map_w_mm = paper.width_mm - 2 * paper.margin_mm
    avail_mm = paper.height_mm - 2 * paper.margin_mm - paper.header_mm - paper.footer_mm
    need_mm = 2 * half_width_m / m_per_mm + BEND_ALLOWANCE_MM
    per_page = max(1, int((avail_mm + STRIP_GAP_MM) // (need_mm + STRIP_TITLE_MM + STRIP_GAP_MM)))
    strip_h_mm = (avail_mm - (per_page - 1) * STRIP_GAP_MM) / per_page - STRIP_TITLE_MM
    sheets = split_corridor(
        centreline,
        frame_width_m=map_w_mm * m_per_mm,
        frame_height_m=strip_h_mm * m_per_mm,
        half_width_m=half_width_m,
        overlap_m=max(OVERLAP_MM * m_per_mm, reach_m),
    )
    if data.booths:
        centroids = shapely.get_coordinates(shapely.centroid([b.geometry for b in data.booths]))
        owner = assign_to_sheets(sheets, centreline, centroids)
    else:
        owner = np.zeros(0, dtype=np.int64)
    return LayoutPlan(
        paper, centreline, sheets, owner, per_page, strip_h_mm, map_w_mm, reach_m, half_width_m
    )


def _centreline(corridor: BaseGeometry) -> LineString:
    polys = [g for g in getattr(corridor, "geoms", [corridor]) if g.geom_type == "Polygon"]
    if not polys:
        return LineString()
    merged = shapely.union_all(polys)
    return derive_centreline(merged)  # type: ignore[arg-type,unused-ignore]


# --------------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------------


def render_layout_pdf(
    data: LayoutData,
    labels: PrintLabels,
    *,
    paper: Paper | str = "A3",
    include_list: bool = True,
    plan: LayoutPlan | None = None,
) -> bytes:
    """The overview, the map strips and (``include_list``) the vendor list, as PDF bytes."""
    plan = plan or plan_layout(data, paper)
    with _LOCK, matplotlib.rc_context(_RC):
        doc = _Document(data, labels, plan)
        list_pages = doc.list_pages() if include_list else []
        doc.total = 1 + plan.map_pages + len(list_pages)
        doc.overview_page()
        for page in range(plan.map_pages):
            doc.map_page(page)
        for rows in list_pages:
            doc.list_page(rows)
        return doc.close()


def render_vendor_list_pdf(
    data: LayoutData,
    labels: PrintLabels,
    *,
    paper: Paper | str = "A3",
    plan: LayoutPlan | None = None,
) -> bytes:
    """Only the vendor check-in list (segment numbers as on the map of the same ``paper``)."""
    plan = plan or plan_layout(data, paper)
    with _LOCK, matplotlib.rc_context(_RC):
        doc = _Document(data, labels, plan)
        pages = doc.list_pages()
        doc.total = len(pages)
        for rows in pages:
            doc.list_page(rows)
        return doc.close()


# --------------------------------------------------------------------------------------------------
# Drawing helpers
# --------------------------------------------------------------------------------------------------


def _polygons(geom: BaseGeometry) -> Iterator[Polygon]:
    if geom.is_empty:
        return
    if geom.geom_type == "Polygon":
        yield geom  # type: ignore[misc,unused-ignore]
    elif hasattr(geom, "geoms"):
        for part in geom.geoms:
            yield from _polygons(part)


def _lines(geom: BaseGeometry) -> Iterator[LineString]:
    if geom.is_empty:
        return
    if geom.geom_type == "LineString":
        yield geom  # type: ignore[misc,unused-ignore]
    elif hasattr(geom, "geoms"):
        for part in geom.geoms:
            yield from _lines(part)


def _path(geom: BaseGeometry) -> Path | None:
    """A compound path (holes included) of the polygonal parts of ``geom``."""
    verts: list[NDArray[np.float64]] = []
    codes: list[int] = []
    for poly in _polygons(geom):
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords, dtype=float)[:, :2]
            if len(xy) < 4:
                continue
            verts.append(xy)
            codes += [int(Path.MOVETO)] + [int(Path.LINETO)] * (len(xy) - 2)
            codes.append(int(Path.CLOSEPOLY))
    if not verts:
        return None
    return Path(np.concatenate(verts), codes)


def _dashes(style: PathStyle) -> Any:
    if not style.dash_array:
        return "solid"
    on_off = [float(v) * 0.45 for v in style.dash_array.split()]
    return (0, on_off)


def _path_kwargs(style: PathStyle, *, weight: float = 0.35) -> dict[str, Any]:
    lw = max(style.weight * weight, 0.3)
    return {
        "facecolor": to_rgba(style.fill_color, style.fill_opacity),
        "edgecolor": to_rgba(style.color, style.opacity),
        "linewidth": lw,
        "linestyle": _dashes(style),
    }


_MARKERS = {"circle": "o", "square": "s", "diamond": "D"}


def _marker_pt(style: MarkerStyle) -> float:
    return max(style.size_px * 0.4, 3.0)


def _reading(deg: float) -> tuple[float, str]:
    """Rotation and alignment for text running out along ``deg``, kept readable.

    Vertical text reads from the bottom up (readable from the sheet's right edge), so the range
    kept is (-80°, 100°]; outside it the text is turned round and aligned to its end.

    >>> _reading(90.5), _reading(-89.5), _reading(180.0)
    ((90.5, 'left'), (90.5, 'right'), (0.0, 'right'))
    """
    deg = (deg + 180) % 360 - 180
    if -80 < deg <= 100:
        return deg, "left"
    turned = deg - 180 if deg > 100 else deg + 180
    return round(turned, 6), "right"


def natural_key(code: str) -> list[Any]:
    """Sort key that puts ``A-9`` before ``A-10``, as booths stand along the street."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", code)]


def _fmt_m(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".")


def _nice_scale(needed: float) -> int:
    return next((s for s in NICE_SCALES if s >= needed), int(math.ceil(needed / 1000) * 1000))


def _scale_bar_m(scale: int, max_mm: float) -> float:
    for metres in (1000, 500, 250, 200, 100, 50, 25, 20, 10, 5):
        if metres * 1000 / scale <= max_mm:
            return float(metres)
    return 5.0


# --------------------------------------------------------------------------------------------------
# The document
# --------------------------------------------------------------------------------------------------


class _Document:
    """Pages of one PDF; every page gets the same header and footer."""

    def __init__(self, data: LayoutData, labels: PrintLabels, plan: LayoutPlan) -> None:
        self.data, self.labels, self.plan, self.paper = data, labels, plan, plan.paper
        self.buffer = io.BytesIO()
        self.pdf = PdfPages(
            self.buffer,
            metadata={
                "Title": f"{data.title} — {labels.map_title}",
                "Author": "PetaLapak",
                "Subject": data.place,
            },
        )
        self.page_no = 0
        self.total = 0
        booths = list(data.booths)
        self.booth_geoms = [b.geometry for b in booths]
        self.booth_tree = shapely.STRtree(self.booth_geoms) if booths else None
        self.centroids = (
            shapely.get_coordinates(shapely.centroid(self.booth_geoms))
            if booths
            else np.zeros((0, 2))
        )
        self.facilities = list(data.facilities)
        self.fac_tree = (
            shapely.STRtree([f.geometry for f in self.facilities]) if self.facilities else None
        )
        self.zones = list(data.zones)
        self.states_present = sorted(
            {b.state for b in booths},
            key=lambda s: list(BOOTH_STYLES).index(s) if s in BOOTH_STYLES else 99,
        )

    # ---------------------------------------------------------------------------------- pages
    def _page(self, heading: str) -> tuple[Figure, Axes]:
        p = self.paper
        fig = Figure(figsize=(p.width_mm / 25.4, p.height_mm / 25.4))
        pax = fig.add_axes((0, 0, 1, 1))
        pax.set_xlim(0, p.width_mm)
        pax.set_ylim(0, p.height_mm)
        pax.set_axis_off()
        self.page_no += 1
        self._header(pax, heading)
        self._footer(pax)
        return fig, pax

    def _finish(self, fig: Figure) -> None:
        self.pdf.savefig(fig)  # type: ignore[no-untyped-call,unused-ignore]

    def close(self) -> bytes:
        self.pdf.close()  # type: ignore[no-untyped-call,unused-ignore]
        return self.buffer.getvalue()

    def _header(self, pax: Axes, heading: str) -> None:
        p, d = self.paper, self.data
        top = p.height_mm - p.margin_mm
        left, right = p.margin_mm, p.width_mm - p.margin_mm
        pax.add_patch(
            Rectangle((left, top - 1.6), 2.2, 1.6 - p.header_mm + 4, color=FRAME_BLUE, lw=0)
        )
        pax.text(
            left + 4,
            top - 0.5,
            d.title,
            fontsize=p.title_pt,
            fontweight="bold",
            va="top",
            color=INK,
        )
        pax.text(
            left + 4,
            top - p.header_mm + 4.2,
            f"{d.when}  ·  {d.place}",
            fontsize=p.text_pt,
            va="bottom",
            color=INK,
        )
        pax.text(
            right,
            top - 0.5,
            heading.upper(),
            fontsize=p.text_pt + 2,
            fontweight="bold",
            va="top",
            ha="right",
            color=FRAME_BLUE,
        )
        pax.text(
            right,
            top - p.header_mm + 4.2,
            d.printed,
            fontsize=p.text_pt,
            va="bottom",
            ha="right",
            color=INK,
        )
        pax.plot([left, right], [top - p.header_mm + 2.2] * 2, color=INK, lw=0.8)

    def _footer(self, pax: Axes) -> None:
        p = self.paper
        y = p.margin_mm - 1.5
        pax.plot([p.margin_mm, p.width_mm - p.margin_mm], [y + 4] * 2, color=GREY, lw=0.4)
        pax.text(
            p.margin_mm,
            y,
            f"PetaLapak  ·  {self.data.note}",
            fontsize=p.text_pt - 1.5,
            color=GREY,
            va="bottom",
        )
        pax.text(
            p.width_mm - p.margin_mm,
            y,
            self.labels.page.format(n=self.page_no, total=self.total),
            fontsize=p.text_pt - 0.5,
            color=INK,
            va="bottom",
            ha="right",
        )

    # ------------------------------------------------------------------------------- overview
    def overview_page(self) -> None:
        p, plan, lab = self.paper, self.plan, self.labels
        fig, pax = self._page(lab.overview_title)
        line = plan.centreline
        count = len(plan.sheets)
        rows = [list(r) for r in np.array_split(np.arange(count), 2 if count >= 4 else 1)]
        views = []
        for idx in rows:
            first, last = plan.sheets[idx[0]], plan.sheets[idx[-1]]
            a = np.asarray(line.interpolate(first.start_m).coords[0])
            b = np.asarray(line.interpolate(last.end_m).coords[0])
            angle = math.atan2(b[1] - a[1], b[0] - a[0])
            frames = shapely.union_all([plan.sheets[i].frame for i in idx])
            probe = Sheet(0, 0.0, 0.0, (0.0, 0.0), angle, 1.0, 1.0)
            minx, miny, maxx, maxy = probe.to_sheet(frames).bounds
            centre = probe.from_sheet_xy(np.array([[(minx + maxx) / 2, (miny + maxy) / 2]]))[0]
            views.append(
                (idx, angle, (float(centre[0]), float(centre[1])), maxx - minx, maxy - miny)
            )

        top = p.height_mm - p.margin_mm - p.header_mm
        bottom = p.margin_mm + p.footer_mm
        max_row_h = (top - bottom) * 0.55 / len(rows)
        box_w = plan.map_w_mm
        scale = _nice_scale(
            max(
                max((w + 30) / (box_w - 10) * 1000 for _, _, _, w, _ in views),
                max((h + 30) / (max_row_h - 12) * 1000 for _, _, _, _, h in views),
            )
        )
        y = top - 2
        for k, (idx, angle, centre, _w, ext_h) in enumerate(views):
            row_h = min(max_row_h, max(30.0, (ext_h + 30) * 1000 / scale + 12))
            y -= row_h
            view = Sheet(0, 0.0, 0.0, centre, angle, box_w * scale / 1000, row_h * scale / 1000)
            self._overview_row(fig, pax, (p.margin_mm, y, box_w, row_h), view, scale, idx)
            if k == 0:
                pax.text(
                    p.margin_mm + 2,
                    y + 2,
                    lab.scale.format(scale=_fmt_m(scale), paper=p.name),
                    fontsize=p.text_pt - 1,
                    color=INK,
                    va="bottom",
                )
            y -= 4
        self._segment_table(pax, p.margin_mm, y - 3, bottom + 2)
        self._legend(pax, scale=scale, strips=False)
        self._finish(fig)

    def _overview_row(
        self,
        fig: Figure,
        pax: Axes,
        rect: tuple[float, float, float, float],
        view: Sheet,
        scale: int,
        idx: Sequence[int],
    ) -> None:
        p, plan = self.paper, self.plan
        ax = self._map_axes(fig, rect, view)
        self._draw_ground(ax, view, overview=True)
        near = (
            self.booth_tree.query(view.frame)
            if self.booth_tree is not None
            else np.zeros(0, dtype=int)
        )
        booths = [self.data.booths[int(j)] for j in near]
        polys = [np.asarray(view.to_sheet(b.geometry).exterior.coords) for b in booths]
        colours = [BOOTH_STYLES.get(b.state, BOOTH_STYLES["ok"]) for b in booths]
        ax.add_collection(
            PolyCollection(
                polys,
                facecolors=[c.fill_color for c in colours],
                edgecolors=[c.color for c in colours],
                linewidths=0.15,
                zorder=5,
            )
        )
        self._intersection_names(ax, view, plan.centreline, size=5.5, rotate=True)
        for i in idx:
            sheet = plan.sheets[i]
            xy = np.asarray(view.to_sheet(sheet.frame).exterior.coords)
            colour = FRAME_BLUE if i % 2 == 0 else "#ad1457"
            ax.add_patch(
                MplPolygon(
                    xy,
                    closed=True,
                    fill=False,
                    edgecolor=colour,
                    lw=1.0,
                    linestyle="solid" if i % 2 == 0 else (0, (3, 1.5)),
                    zorder=8,
                )
            )
            cx = float(view.to_sheet_xy(np.array([sheet.centre]))[0, 0])
            cy = float(xy[:, 1].max()) + 4.0 * scale / 1000
            ax.add_patch(
                Circle(
                    (cx, cy),
                    2.8 * scale / 1000,
                    facecolor="white",
                    edgecolor=colour,
                    lw=1.0,
                    zorder=9,
                )
            )
            ax.text(
                cx,
                cy,
                str(sheet.number),
                ha="center",
                va="center",
                fontsize=p.text_pt,
                fontweight="bold",
                color=colour,
                zorder=10,
            )
        x, y, w, h = rect
        self._frame(pax, rect)
        self._north_arrow(pax, x + w - 7, y + h - 8, view.north_rad, length=7.0)

    def _segment_table(self, pax: Axes, x: float, y_top: float, y_bottom: float) -> None:
        p, plan, lab = self.paper, self.plan, self.labels
        counts = np.zeros(len(plan.sheets), dtype=int)
        desks = np.zeros(len(plan.sheets), dtype=int)
        for booth, owner in zip(self.data.booths, plan.owner, strict=True):
            if booth.kind == "service_desk":
                desks[owner] += 1
            else:
                counts[owner] += 1
        heads = [
            lab.table_segment,
            lab.table_page,
            lab.table_chainage,
            lab.table_booths,
            lab.table_desks,
        ]
        widths = [20.0, 20.0, 44.0, 18.0, 26.0]
        row_h = min(4.6, (y_top - y_bottom) / (len(plan.sheets) + 1.5))
        cols = np.cumsum([0.0, *widths])
        fs = min(p.text_pt, row_h * PT_PER_MM * 0.62)
        pax.add_patch(Rectangle((x, y_top - row_h), cols[-1], row_h, color="#eceff1", lw=0))
        for j, head in enumerate(heads):
            pax.text(
                x + cols[j] + 1.5,
                y_top - row_h / 2,
                head,
                fontsize=fs,
                fontweight="bold",
                va="center",
                color=INK,
            )
        for i, sheet in enumerate(plan.sheets):
            y = y_top - row_h * (i + 1.5)
            values = [
                str(sheet.number),
                str(plan.page_of(i)),
                lab.chainage.format(a=_fmt_m(sheet.start_m), b=_fmt_m(sheet.end_m)),
                str(int(counts[i])),
                str(int(desks[i])) if desks[i] else "–",
            ]
            for j, value in enumerate(values):
                pax.text(
                    x + cols[j] + 1.5,
                    y,
                    value,
                    fontsize=fs,
                    va="center",
                    color=INK,
                    fontweight="bold" if j == 0 else "normal",
                )
            pax.plot([x, x + cols[-1]], [y - row_h / 2] * 2, color="#cfd8dc", lw=0.3)
        hint_x = x + cols[-1] + 12
        pax.text(
            hint_x,
            y_top,
            lab.overview_hint,
            fontsize=p.text_pt,
            va="top",
            color=INK,
            linespacing=1.6,
        )
        desk_rows = [
            (b.label or b.code, plan.sheets[int(o)].number)
            for b, o in zip(self.data.booths, plan.owner, strict=True)
            if b.kind == "service_desk"
        ]
        if desk_rows:
            lines = lab.overview_hint.splitlines()
            hint_w = max(_text_width_mm(t, p.text_pt) for t in lines)
            dx = p.width_mm - p.margin_mm - 110
            if dx < hint_x + hint_w + 8:  # no room beside the hint: below it
                dx = hint_x
                y_top -= (len(lines) * 1.6 + 1.5) * p.text_pt / PT_PER_MM
            style = BOOTH_STYLES["service_desk"]
            pax.text(
                dx,
                y_top,
                lab.booth_states.get("service_desk", ""),
                fontsize=p.text_pt,
                fontweight="bold",
                va="top",
                color=style.color,
            )
            for k, (name, number) in enumerate(desk_rows):
                yy = y_top - 6 - k * 4.2
                pax.add_patch(Rectangle((dx, yy - 1.2), 3.5, 2.4, **_path_kwargs(style)))
                pax.text(dx + 5.5, yy, name, fontsize=p.text_pt - 0.5, va="center", color=INK)
                pax.text(
                    dx + 108,
                    yy,
                    lab.segment.format(n=number),
                    fontsize=p.text_pt - 0.5,
                    va="center",
                    ha="right",
                    color=INK,
                    fontweight="bold",
                )

    # ------------------------------------------------------------------------------ map pages
    def map_page(self, page: int) -> None:
        p, plan = self.paper, self.plan
        fig, pax = self._page(self.labels.map_title)
        top = p.height_mm - p.margin_mm - p.header_mm
        first = page * plan.strips_per_page
        for k, i in enumerate(range(first, min(first + plan.strips_per_page, len(plan.sheets)))):
            y_top = top - k * (plan.strip_map_h_mm + STRIP_TITLE_MM + STRIP_GAP_MM)
            rect = (
                p.margin_mm,
                y_top - STRIP_TITLE_MM - plan.strip_map_h_mm,
                plan.map_w_mm,
                plan.strip_map_h_mm,
            )
            self._strip(fig, pax, i, rect)
        self._legend(pax, scale=p.scale, strips=True)
        self._finish(fig)

    def _map_axes(self, fig: Figure, rect: tuple[float, float, float, float], sheet: Sheet) -> Axes:
        p = self.paper
        x, y, w, h = rect
        ax = fig.add_axes((x / p.width_mm, y / p.height_mm, w / p.width_mm, h / p.height_mm))
        ax.set_xlim(-sheet.width_m / 2, sheet.width_m / 2)
        ax.set_ylim(-sheet.height_m / 2, sheet.height_m / 2)
        ax.set_axis_off()
        ax.set_facecolor("white")
        return ax

    def _frame(self, pax: Axes, rect: tuple[float, float, float, float]) -> None:
        x, y, w, h = rect
        pax.add_patch(Rectangle((x, y), w, h, fill=False, edgecolor=INK, lw=0.7, zorder=20))

    def _strip(
        self, fig: Figure, pax: Axes, index: int, rect: tuple[float, float, float, float]
    ) -> None:
        p, plan, lab, data = self.paper, self.plan, self.labels, self.data
        sheet = plan.sheets[index]
        x, y, w, h = rect
        ax = self._map_axes(fig, rect, sheet)
        self._draw_ground(ax, sheet, overview=False)
        line_s = sheet.to_sheet(plan.centreline)

        # booths: owned ones in their state's colours, neighbours grey
        near = (
            self.booth_tree.query(sheet.frame)
            if self.booth_tree is not None
            else np.zeros(0, dtype=int)
        )
        owned = sorted(int(j) for j in near if plan.owner[j] == index)
        others = [int(j) for j in near if plan.owner[j] != index]
        if others:
            ax.add_collection(
                PolyCollection(
                    [
                        np.asarray(sheet.to_sheet(self.booth_geoms[j]).exterior.coords)
                        for j in others
                    ],
                    facecolors=NEIGHBOUR_FILL,
                    edgecolors=NEIGHBOUR_EDGE,
                    linewidths=0.3,
                    zorder=5,
                )
            )
        by_state: dict[str, list[NDArray[np.float64]]] = {}
        shapes: dict[int, NDArray[np.float64]] = {}
        for j in owned:
            xy = np.asarray(sheet.to_sheet(self.booth_geoms[j]).exterior.coords)
            shapes[j] = xy
            by_state.setdefault(data.booths[j].state, []).append(xy)
        for state, polys in by_state.items():
            style = BOOTH_STYLES.get(state, BOOTH_STYLES["ok"])
            kw = _path_kwargs(style, weight=0.4)
            ax.add_collection(
                PolyCollection(
                    polys,
                    facecolors=kw["facecolor"],
                    edgecolors=kw["edgecolor"],
                    linewidths=kw["linewidth"],
                    linestyles=kw["linestyle"],
                    zorder=6,
                )
            )
        self._facility_symbols(ax, sheet)
        self._booth_labels(ax, sheet, line_s, owned, shapes)
        self._match_lines(ax, sheet, index)
        self._intersection_names(
            ax,
            sheet,
            plan.centreline,
            size=6.0,
            rotate=True,
            owned_range=(sheet.start_m, sheet.end_m),
        )
        self._frame(pax, rect)

        # title row: ← previous · SEGMENT n · next →
        ty = y + h + STRIP_TITLE_MM / 2 - 0.2
        n_desks = sum(1 for j in owned if data.booths[j].kind == "service_desk")
        n_owned = len(owned) - n_desks
        title = lab.segment.format(n=sheet.number).upper()
        detail = "  ·  ".join(
            filter(
                None,
                [
                    lab.chainage.format(a=_fmt_m(sheet.start_m), b=_fmt_m(sheet.end_m)),
                    lab.booth_count.format(n=n_owned),
                    f"{n_desks} {lab.desks}" if n_desks else "",
                ],
            )
        )
        cx = x + w / 2
        title_w = _text_width_mm(title, p.text_pt + 1, True)
        detail_w = _text_width_mm(detail, p.text_pt - 0.5)
        start = cx - (title_w + 3 + detail_w) / 2
        pax.text(
            start,
            ty,
            title,
            fontsize=p.text_pt + 1,
            fontweight="bold",
            va="center",
            color=FRAME_BLUE,
        )
        pax.text(start + title_w + 3, ty, detail, fontsize=p.text_pt - 0.5, va="center", color=INK)
        self._north_arrow(
            pax, start + title_w + 3 + detail_w + 8, ty, sheet.north_rad, length=3.6, letter=False
        )
        if index > 0:
            pax.text(
                x,
                ty,
                lab.continued_from.format(n=plan.sheets[index - 1].number),
                fontsize=p.text_pt,
                fontweight="bold",
                va="center",
                color=INK,
            )
        if index < len(plan.sheets) - 1:
            pax.text(
                x + w,
                ty,
                lab.continue_to.format(n=plan.sheets[index + 1].number),
                fontsize=p.text_pt,
                fontweight="bold",
                va="center",
                ha="right",
                color=INK,
            )

    def _draw_ground(self, ax: Axes, sheet: Sheet, *, overview: bool) -> None:
        """Corridor, zones and facility areas/lines clipped to the window."""
        window = sheet.frame.buffer(sheet.width_m * 0.02)
        corridor = shapely.intersection(self.data.corridor, window)
        style = ZONE_STYLES["cfd_corridor"]
        path = _path(sheet.to_sheet(corridor))
        if path is not None:
            ax.add_patch(
                PathPatch(path, facecolor="#eef1f3", edgecolor=style.color, lw=0.5, zorder=1)
            )
        order = {
            "no_vending": 2,
            "pkl_timed": 2,
            "pkl_legal": 2,
            "service_area": 2,
            "emergency_lane": 3,
        }
        for zone in self.zones:
            if not zone.geometry.intersects(window):
                continue
            path = _path(sheet.to_sheet(shapely.intersection(zone.geometry, window)))
            if path is None:
                continue
            zstyle = ZONE_STYLES.get(zone.kind, ZONE_STYLES["cfd_corridor"])
            kw = _path_kwargs(zstyle, weight=0.3)
            if zone.kind == "emergency_lane":
                kw.update(
                    facecolor=to_rgba(zstyle.fill_color, 0.22), hatch=None if overview else "////"
                )
            elif zone.kind == "no_vending":
                kw.update(facecolor=to_rgba(zstyle.fill_color, 0.10))
            ax.add_patch(PathPatch(path, zorder=order.get(zone.kind, 2), **kw))
        # facility areas (junctions, bus stops) and lines (zebra crossings)
        if self.fac_tree is None:
            return
        scale = self.plan.paper.scale if not overview else 5000
        for j in self.fac_tree.query(window):
            fac = self.facilities[int(j)]
            geom = sheet.to_sheet(fac.geometry)
            fstyle = FACILITY_STYLES.get(fac.kind, FACILITY_STYLES["other"])
            path = _path(geom)
            if path is not None:
                alpha = 0.28 if fac.kind == "intersection" else 0.45
                ax.add_patch(
                    PathPatch(
                        path,
                        facecolor=to_rgba(fstyle.fill, alpha),
                        edgecolor=fstyle.stroke,
                        lw=0.4,
                        zorder=4,
                    )
                )
            for ln in _lines(geom):
                xy = np.asarray(ln.coords)[:, :2]
                if fac.kind == "crossing" and not overview:
                    width_pt = 2.4 * 1000 / scale * PT_PER_MM
                    ax.plot(
                        xy[:, 0],
                        xy[:, 1],
                        color="#263238",
                        lw=width_pt,
                        solid_capstyle="butt",
                        zorder=4,
                    )
                    ax.plot(
                        xy[:, 0],
                        xy[:, 1],
                        color="white",
                        lw=width_pt * 0.92,
                        linestyle=(0, (0.22, 0.22)),
                        solid_capstyle="butt",
                        dash_capstyle="butt",
                        zorder=4,
                    )
                else:
                    ax.plot(xy[:, 0], xy[:, 1], color=fstyle.stroke, lw=0.6, zorder=4)

    def _facility_symbols(self, ax: Axes, sheet: Sheet) -> None:
        if self.fac_tree is None:
            return
        groups: dict[str, list[NDArray[np.float64]]] = {}
        for j in self.fac_tree.query(sheet.frame):
            fac = self.facilities[int(j)]
            if fac.geometry.geom_type not in ("Point", "MultiPoint"):
                continue
            groups.setdefault(fac.kind, []).append(
                sheet.to_sheet_xy(shapely.get_coordinates(fac.geometry))
            )
        for kind, pts in groups.items():
            style = FACILITY_STYLES.get(kind, FACILITY_STYLES["other"])
            xy = np.concatenate(pts)
            size = _marker_pt(style)
            ax.scatter(
                xy[:, 0],
                xy[:, 1],
                s=size**2,
                marker=_MARKERS[style.shape],
                facecolors=style.fill,
                edgecolors=style.stroke,
                linewidths=0.45,
                zorder=9,
            )
            if style.glyph:
                for px, py in xy:
                    ax.text(
                        px,
                        py,
                        style.glyph,
                        fontsize=size * 0.6,
                        fontweight="bold",
                        color=style.glyph_colour,
                        ha="center",
                        va="center_baseline",
                        zorder=10,
                        clip_on=True,
                    )

    def _booth_labels(
        self,
        ax: Axes,
        sheet: Sheet,
        line_s: LineString,
        owned: list[int],
        shapes: Mapping[int, NDArray[np.float64]],
    ) -> None:
        if not owned:
            return
        m_per_mm = self.paper.scale / 1000
        cen = sheet.to_sheet_xy(self.centroids[owned])
        along = shapely.line_locate_point(line_s, shapely.points(cen))
        foot = shapely.get_coordinates(shapely.line_interpolate_point(line_s, along))
        leaders = []
        for k, j in enumerate(owned):
            booth = self.data.booths[j]
            u = cen[k] - foot[k]
            norm = float(np.hypot(*u))
            if norm < 1e-6:  # on the centreline: label above it
                u, norm = np.array([0.0, 1.0]), 1.0
            u = u / norm
            outer = float(np.max((shapes[j] - foot[k]) @ u))
            start = foot[k] + u * (outer + 0.35 * m_per_mm)
            anchor = foot[k] + u * (outer + LABEL_GAP_MM * m_per_mm)
            leaders.append([start, anchor - u * 0.4 * m_per_mm])
            rotation, ha = _reading(math.degrees(math.atan2(u[1], u[0])))
            desk = booth.kind == "service_desk"
            # the space at the far end keeps the codes apart as words in extracted text
            text = f"{booth.code} " if ha == "left" else f" {booth.code}"
            ax.text(
                anchor[0],
                anchor[1],
                text,
                fontsize=LABEL_PT,
                rotation=rotation,
                rotation_mode="anchor",
                ha=ha,
                va="center",
                fontweight="bold" if desk or booth.state == "blocking" else "normal",
                color=(
                    BOOTH_STYLES["service_desk"].color
                    if desk
                    else BOOTH_STYLES["blocking"].color
                    if booth.state == "blocking"
                    else INK
                ),
                zorder=12,
            )
        ax.add_collection(LineCollection(leaders, colors="#90a4ae", linewidths=0.25, zorder=7))

    def _match_lines(self, ax: Axes, sheet: Sheet, index: int) -> None:
        plan = self.plan
        line = plan.centreline
        reach = plan.half_width_m
        cuts = []
        if index > 0:
            cuts.append((sheet.start_m, -1, plan.sheets[index - 1].number, sheet.number))
        if index < len(plan.sheets) - 1:
            cuts.append((sheet.end_m, 1, sheet.number, plan.sheets[index + 1].number))
        frame = box(-sheet.width_m / 2, -sheet.height_m / 2, sheet.width_m / 2, sheet.height_m / 2)
        for at, side, a, b in cuts:
            p0 = np.asarray(line.interpolate(max(at - 1.0, 0)).coords[0])
            p1 = np.asarray(line.interpolate(min(at + 1.0, line.length)).coords[0])
            centre = np.asarray(line.interpolate(at).coords[0])
            t = (p1 - p0) / max(float(np.hypot(*(p1 - p0))), 1e-9)
            n = np.array([-t[1], t[0]])
            ends = sheet.to_sheet_xy(np.array([centre - n * reach, centre + n * reach]))
            # veil over the neighbour's side
            big = 10 * sheet.width_m
            ahead = side * t * big
            ground = np.array(
                [
                    centre + n * big,
                    centre - n * big,
                    centre - n * big + ahead,
                    centre + n * big + ahead,
                ]
            )
            veil = Polygon(sheet.to_sheet_xy(ground)).intersection(frame)
            path = _path(veil)
            if path is not None:
                ax.add_patch(PathPatch(path, facecolor=(1, 1, 1, 0.45), lw=0, zorder=8))
            ax.plot(
                ends[:, 0], ends[:, 1], color="#c62828", lw=0.9, linestyle=(0, (4, 2)), zorder=11
            )
            top = ends[np.argmax(ends[:, 1])]
            ax.text(
                top[0],
                top[1],
                f"{a} | {b}",
                fontsize=6,
                fontweight="bold",
                color="#c62828",
                ha="center",
                va="bottom",
                zorder=12,
                clip_on=True,
                bbox={
                    "boxstyle": "round,pad=0.2",
                    "facecolor": "white",
                    "edgecolor": "#c62828",
                    "linewidth": 0.4,
                },
            )

    def _intersection_names(
        self,
        ax: Axes,
        sheet: Sheet,
        line: LineString,
        *,
        size: float,
        rotate: bool,
        owned_range: tuple[float, float] | None = None,
    ) -> None:
        window = sheet.frame
        for fac in self.facilities:
            if fac.kind != "intersection" or not fac.name or not fac.geometry.intersects(window):
                continue
            c = fac.geometry.centroid
            if owned_range is not None:
                at = line.project(c)
                if not owned_range[0] <= at < owned_range[1]:
                    continue
            xy = sheet.to_sheet_xy(np.array([[c.x, c.y]]))[0]
            t0 = np.asarray(line.interpolate(max(line.project(c) - 1, 0)).coords[0])
            t1 = np.asarray(line.interpolate(min(line.project(c) + 1, line.length)).coords[0])
            t = sheet.to_sheet_xy(np.array([t0, t1]))
            deg = math.degrees(math.atan2(*(t[1] - t[0])[::-1])) + (90 if rotate else 0)
            deg = (deg + 90) % 180 - 90
            ax.text(
                xy[0],
                xy[1],
                fac.name,
                fontsize=size,
                fontstyle="italic",
                color="#37474f",
                rotation=deg,
                rotation_mode="anchor",
                ha="center",
                va="center",
                zorder=13,
                clip_on=True,
                bbox={
                    "boxstyle": "round,pad=0.15",
                    "facecolor": (1, 1, 1, 0.8),
                    "edgecolor": "none",
                },
            )

    def _north_arrow(
        self,
        pax: Axes,
        x: float,
        y: float,
        north_rad: float,
        *,
        length: float = 9.0,
        letter: bool = True,
    ) -> None:
        d = np.array([math.cos(north_rad), math.sin(north_rad)])
        n = np.array([-d[1], d[0]])
        c = np.array([x, y])
        tip, tail = c + d * length / 2, c - d * length / 2
        half = length * 0.28
        pax.add_patch(
            MplPolygon(
                [tip, tail + n * half, c - d * length * 0.25],
                closed=True,
                facecolor="white",
                edgecolor=INK,
                lw=0.5,
                zorder=30,
            )
        )
        pax.add_patch(
            MplPolygon(
                [tip, tail - n * half, c - d * length * 0.25],
                closed=True,
                facecolor=INK,
                edgecolor=INK,
                lw=0.5,
                zorder=30,
            )
        )
        pos = tip + d * (2.2 if letter else 1.6)
        pax.text(
            pos[0],
            pos[1],
            self.labels.north,
            fontsize=7 if letter else 5.5,
            fontweight="bold",
            ha="center",
            va="center",
            color=INK,
            zorder=30,
        )

    # --------------------------------------------------------------------------------- legend
    def _legend(self, pax: Axes, *, scale: int, strips: bool) -> None:
        p, lab = self.paper, self.labels
        y_top = p.margin_mm + p.footer_mm - 2.5
        x0 = p.margin_mm
        pax.plot([x0, p.width_mm - p.margin_mm], [y_top + 1.2] * 2, color=INK, lw=0.5)
        pax.text(
            x0,
            y_top - 0.8,
            lab.legend.upper(),
            fontsize=p.text_pt - 0.5,
            fontweight="bold",
            va="top",
            color=INK,
        )
        entries: list[tuple[str, Any]] = []
        for state in self.states_present or ["ok"]:
            entries.append((lab.booth_states.get(state, state), ("booth", state)))
        if strips:
            entries.append((lab.neighbour, ("neighbour", None)))
        zone_kinds = [k for k in ZONE_STYLES if any(z.kind == k for z in self.zones)]
        entries.append((lab.corridor, ("corridor", None)))
        for zk in zone_kinds:
            entries.append((lab.zones.get(zk, zk), ("zone", zk)))
        if strips:
            entries.append((lab.match_line.format(a="n", b="n+1"), ("match", None)))
        kinds = [k for k in FACILITY_STYLES if any(f.kind == k for f in self.facilities)]
        for fk in kinds:
            entries.append((lab.facilities.get(fk, fk), ("facility", fk)))

        row_h = 3.6
        rows = max(1, int((p.footer_mm - 9.5) // row_h))
        scale_w = 78.0
        room = p.width_mm - 2 * p.margin_mm - scale_w
        fs = p.text_pt - 1.2
        columns = [entries[i : i + rows] for i in range(0, len(entries), rows)]
        while True:
            widths = [9.0 + max(_text_width_mm(t, fs) for t, _ in col) for col in columns]
            if sum(widths) + 4 * (len(widths) - 1) <= room or fs <= 4.5:
                break
            fs -= 0.3
        ex = x0
        for col, width in zip(columns, widths, strict=True):
            for row, (text, (what, key)) in enumerate(col):
                ey = y_top - 6.2 - row * row_h
                self._swatch(pax, ex, ey, what, key)
                pax.text(ex + 7, ey, text, fontsize=fs, va="center", color=INK)
            ex += width + 4

        # scale bar and scale
        bar_m = _scale_bar_m(scale, scale_w - 16)
        bar_mm = bar_m * 1000 / scale
        bx = p.width_mm - p.margin_mm - scale_w + 4
        by = y_top - 10
        for k in range(5):
            seg = bar_mm / 5
            pax.add_patch(
                Rectangle(
                    (bx + k * seg, by),
                    seg,
                    1.4,
                    facecolor=INK if k % 2 == 0 else "white",
                    edgecolor=INK,
                    lw=0.4,
                )
            )
        fs = p.text_pt - 1.2
        for k, frac in enumerate((0.0, 0.4, 1.0)):
            label = _fmt_m(bar_m * frac) + (" m" if k == 2 else "")
            pax.text(
                bx + bar_mm * frac, by - 1.2, label, fontsize=fs, ha="center", va="top", color=INK
            )
        pax.text(
            bx,
            by + 3.2,
            lab.scale.format(scale=_fmt_m(scale), paper=p.name),
            fontsize=fs + 0.3,
            fontweight="bold",
            va="bottom",
            color=INK,
        )

    def _swatch(self, pax: Axes, x: float, y: float, what: str, key: Any) -> None:
        w, h = 5.0, 2.6
        if what == "booth":
            kw = _path_kwargs(BOOTH_STYLES.get(key, BOOTH_STYLES["ok"]), weight=0.4)
            pax.add_patch(Rectangle((x, y - h / 2), w, h, **kw))
        elif what == "neighbour":
            pax.add_patch(
                Rectangle(
                    (x, y - h / 2), w, h, facecolor=NEIGHBOUR_FILL, edgecolor=NEIGHBOUR_EDGE, lw=0.3
                )
            )
        elif what == "corridor":
            pax.add_patch(
                Rectangle(
                    (x, y - h / 2),
                    w,
                    h,
                    facecolor="#eef1f3",
                    edgecolor=ZONE_STYLES["cfd_corridor"].color,
                    lw=0.5,
                )
            )
        elif what == "zone":
            zstyle = ZONE_STYLES[key]
            kw = _path_kwargs(zstyle, weight=0.3)
            if key == "emergency_lane":
                kw.update(facecolor=to_rgba(zstyle.fill_color, 0.22), hatch="////")
            elif key == "no_vending":
                kw.update(facecolor=to_rgba(zstyle.fill_color, 0.10))
            pax.add_patch(Rectangle((x, y - h / 2), w, h, **kw))
        elif what == "match":
            pax.plot(
                [x + w / 2, x + w / 2],
                [y - h / 2 - 0.3, y + h / 2 + 0.3],
                color="#c62828",
                lw=0.9,
                linestyle=(0, (4, 2)),
            )
        elif what == "facility":
            style = FACILITY_STYLES[key]
            if key == "intersection":
                pax.add_patch(
                    Rectangle(
                        (x, y - h / 2),
                        w,
                        h,
                        facecolor=to_rgba(style.fill, 0.28),
                        edgecolor=style.stroke,
                        lw=0.4,
                    )
                )
                return
            size = _marker_pt(style)
            pax.scatter(
                [x + w / 2],
                [y],
                s=size**2,
                marker=_MARKERS[style.shape],
                facecolors=style.fill,
                edgecolors=style.stroke,
                linewidths=0.45,
                zorder=5,
            )
            if style.glyph:
                pax.text(
                    x + w / 2,
                    y,
                    style.glyph,
                    fontsize=size * 0.6,
                    fontweight="bold",
                    color=style.glyph_colour,
                    ha="center",
                    va="center_baseline",
                    zorder=6,
                )

    # ---------------------------------------------------------------------------- vendor list
    def _list_geometry(self) -> dict[str, Any]:
        p = self.paper
        big = p.name == "A3"
        fs = 7.0 if big else 6.3
        row_h = 4.9 if big else 4.3
        cols = [
            ("booth", 17.0 if big else 15.0),
            ("segment", 11.0 if big else 9.0),
            ("business", 64.0 if big else 50.0),
            ("category", 27.0 if big else 22.0),
            ("phone", 26.0 if big else 23.0),
            ("check_in", 12.0 if big else 11.0),
        ]
        gap = 8.0 if big else 6.0
        block_w = (p.width_mm - 2 * p.margin_mm - gap) / 2
        rest = block_w - sum(w for _, w in cols)
        if rest >= 14:
            cols.append(("notes", rest))
        top = p.height_mm - p.margin_mm - p.header_mm - 6
        bottom = p.margin_mm + 6
        per_block = int((top - bottom) // row_h) - 1
        return {
            "fs": fs,
            "row_h": row_h,
            "cols": cols,
            "gap": gap,
            "block_w": block_w,
            "top": top,
            "per_block": per_block,
        }

    def list_pages(self) -> list[list[tuple[VendorRow, int | None]]]:
        segments = self.plan.segment_of(self.data.booths)
        rows = sorted(self.data.vendors, key=lambda r: natural_key(r.booth_code))
        g = self._list_geometry()
        per_page = 2 * g["per_block"]
        items = [(r, segments.get(r.booth_code)) for r in rows]
        return [items[i : i + per_page] for i in range(0, len(items), per_page)] or [[]]

    def list_page(self, items: Sequence[tuple[VendorRow, int | None]]) -> None:
        p, lab = self.paper, self.labels
        fig, pax = self._page(lab.list_title)
        g = self._list_geometry()
        pax.text(
            p.margin_mm,
            g["top"] + 2.2,
            lab.list_hint,
            fontsize=p.text_pt - 0.5,
            va="bottom",
            color=INK,
        )
        heads = {
            "booth": lab.col_booth,
            "segment": lab.col_segment,
            "business": lab.col_business,
            "category": lab.col_category,
            "phone": lab.col_phone,
            "check_in": lab.col_check_in,
            "notes": lab.col_notes,
        }
        per = g["per_block"]
        boxes: list[Rectangle] = []
        for block in range(2):
            chunk = items[block * per : (block + 1) * per]
            if not chunk and block:
                break
            bx = p.margin_mm + block * (g["block_w"] + g["gap"])
            self._table(pax, bx, g, heads, chunk, boxes)
        pax.add_collection(
            PatchCollection(boxes, facecolor="white", edgecolor=INK, linewidth=0.5, zorder=4)
        )
        self._finish(fig)

    def _table(
        self,
        pax: Axes,
        x: float,
        g: Mapping[str, Any],
        heads: Mapping[str, str],
        chunk: Sequence[tuple[VendorRow, int | None]],
        boxes: list[Rectangle],
    ) -> None:
        fs, row_h, top = g["fs"], g["row_h"], g["top"]
        cols = g["cols"]
        edges = np.cumsum([0.0, *[w for _, w in cols]])
        width = float(edges[-1])
        pax.add_patch(Rectangle((x, top - row_h), width, row_h, facecolor="#37474f", lw=0))
        for (key, _w), left in zip(cols, edges[:-1], strict=False):
            pax.text(
                x + left + 1.2,
                top - row_h / 2,
                heads[key],
                fontsize=fs,
                fontweight="bold",
                color="white",
                va="center",
            )
        stripes = []
        for r, (row, segment) in enumerate(chunk):
            y = top - row_h * (r + 1.5)
            if r % 2 == 1:
                stripes.append(Rectangle((x, y - row_h / 2), width, row_h))
            desk = row.kind == "service_desk"
            name = row.business_name
            if row.owner_name and not desk:
                name = f"{name} ({row.owner_name})" if name else row.owner_name
            values = {
                "booth": row.booth_code,
                "segment": str(segment) if segment is not None else "",
                "business": name,
                "category": (
                    self.labels.booth_states.get("service_desk", "")
                    if desk
                    else self.labels.categories.get(row.category, row.category)
                ),
                "phone": row.phone,
            }
            for (key, w), left in zip(cols, edges[:-1], strict=False):
                if key == "check_in":
                    s = min(row_h * 0.62, 3.0)
                    cx = x + left + w / 2
                    boxes.append(Rectangle((cx - s / 2, y - s / 2), s, s))
                    if row.checked_in:
                        pax.text(
                            cx,
                            y,
                            "✓",
                            fontsize=fs + 1,
                            ha="center",
                            va="center",
                            color=INK,
                            zorder=5,
                            fontweight="bold",
                        )
                    continue
                text = values.get(key, "")
                if not text:
                    continue
                pax.text(
                    x + left + 1.2,
                    y,
                    _fit(text, w - 2.2, fs),
                    fontsize=fs,
                    va="center",
                    color=BOOTH_STYLES["service_desk"].color if desk else INK,
                    fontweight="bold" if key == "booth" else "normal",
                )
        if stripes:
            pax.add_collection(
                PatchCollection(stripes, facecolor="#f1f3f4", edgecolor="none", zorder=0)
            )
        bottom = top - row_h * (len(chunk) + 1)
        for left in edges[1:-1]:
            pax.plot([x + left] * 2, [top - row_h, bottom], color="#cfd8dc", lw=0.3)
        pax.add_patch(
            Rectangle((x, bottom), width, top - bottom, fill=False, edgecolor=INK, lw=0.6)
        )


def _fit(text: str, width_mm: float, size_pt: float) -> str:
    """Shorten ``text`` with an ellipsis to fit ``width_mm`` (estimated from glyph widths)."""
    if _text_width_mm(text, size_pt) <= width_mm:
        return text
    cut = len(text)
    while cut > 1 and _text_width_mm(text[:cut] + "…", size_pt) > width_mm:
        cut -= max(1, (cut // 8))
    return text[:cut].rstrip() + "…"
