"""The map layers of the crew's layout PDF: ground, booths, symbols, codes, match lines, legend.

:class:`View` maps a window on the ground (a :class:`~app.printing.sheets.Sheet`) into a
rectangle of the page; :class:`MapLayers` holds an event's features, indexed once per document,
and draws them into views with a :class:`~app.printing.typeset.Pen`. The pages themselves (header,
overview, columns) are :mod:`app.printing.pdf`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

from app.kinds import FACILITY_STYLES, LANDMARK_STYLES
from app.printing.model import LayoutData, PrintLabels
from app.printing.plan import (
    LABEL_GAP_MM,
    LABEL_PT,
    NAME_MM,
    NAME_PT,
    LayoutPlan,
)
from app.printing.sheets import Sheet
from app.printing.typeset import INK, PT_PER_MM, Pen, fit, text_width_mm
from app.styles import (
    BOOTH_STYLES,
    BUILDING_STYLE,
    ROAD_STYLES,
    WATER_FILL,
    WATER_LINE,
    WATER_LINE_WIDTH_PX,
    ZONE_STYLES,
    MarkerStyle,
    PathStyle,
)

__all__ = ["MapLayers", "View", "dash_mm", "fmt_m", "nice_scale", "stroke_pt"]

NEIGHBOUR_FILL = "#e4e7e9"
NEIGHBOUR_EDGE = "#a7b1b7"
FRAME_BLUE = "#1565c0"
MATCH_RED = "#c62828"
LEADER = "#90a4ae"
CORRIDOR_FILL = "#eef1f3"
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


# --------------------------------------------------------------------------------------------------
# Geometry on paper
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """A window on the ground drawn into a rectangle of the page, at ``mm_per_m``.

    ``turned``: the sheet's x axis (the street's direction) runs down the page, as in the map
    columns; otherwise across it, as in the overview.
    """

    sheet: Sheet
    x: float
    y: float
    w: float
    h: float
    mm_per_m: float
    turned: bool

    def xy(self, ground: NDArray[np.float64]) -> NDArray[np.float64]:
        """Ground coordinates ``(n, 2)`` to page millimetres."""
        s = self.sheet.to_sheet_xy(np.asarray(ground, dtype=float).reshape(-1, 2)) * self.mm_per_m
        cx, cy = self.x + self.w / 2, self.y + self.h / 2
        if self.turned:
            return np.column_stack([cx + s[:, 1], cy - s[:, 0]])
        return np.column_stack([cx + s[:, 0], cy + s[:, 1]])

    def page_rad(self, sheet_rad: float) -> float:
        """A direction on the sheet (counter-clockwise from its x axis) as one on the page."""
        return sheet_rad - math.pi / 2 if self.turned else sheet_rad

    def rings(self, geom: BaseGeometry) -> list[NDArray[np.float64]]:
        """The rings of the polygonal parts of ``geom`` on the page."""
        return [
            self.xy(np.asarray(ring.coords, dtype=float)[:, :2])
            for poly in _polygons(geom)
            for ring in (poly.exterior, *poly.interiors)
            if len(ring.coords) >= 4
        ]

    def window(self, margin: float = 0.02) -> Polygon:
        """The window on the ground, a little larger (what is clipped to it)."""
        frame: Polygon = self.sheet.frame.buffer(self.sheet.width_m * margin)
        return frame


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


def _paler(hex_colour: str, white: float) -> str:
    """``hex_colour`` mixed with ``white`` parts of white (paper stays quiet under the booths).

    >>> _paler("#000000", 0.5)
    '#808080'
    """
    rgb = [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * white):02x}" for c in rgb)


def dash_mm(style: PathStyle) -> list[float] | None:
    if not style.dash_array:
        return None
    return [float(v) * 0.25 for v in style.dash_array.split()]


def stroke_pt(style: PathStyle, weight: float) -> float:
    return max(style.weight * weight, 0.3)


def _marker_mm(style: MarkerStyle) -> float:
    return max(style.size_px * 0.4, 3.0) / PT_PER_MM


def fmt_m(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".")


def nice_scale(needed: float) -> int:
    return next((s for s in NICE_SCALES if s >= needed), int(math.ceil(needed / 1000) * 1000))


def _scale_bar_m(scale: int, max_mm: float) -> float:
    for metres in (1000, 500, 250, 200, 100, 50, 25, 20, 10, 5):
        if metres * 1000 / scale <= max_mm:
            return float(metres)
    return 5.0


def _spread(
    desired: NDArray[np.float64], height: float, lo: float, hi: float
) -> NDArray[np.float64]:
    """Label centres as near as can be to ``desired`` but ``height`` apart, within [lo, hi].

    Overlapping labels are gathered into runs centred on their wishes (the classic
    one-dimensional label placement).

    >>> _spread(np.array([10.0, 10.5, 30.0]), 3.0, 0.0, 100.0).tolist()
    [8.75, 11.75, 30.0]
    """
    out = np.zeros(len(desired))
    if not len(desired):
        return out
    order = np.argsort(-desired, kind="stable")
    runs: list[list[Any]] = []  # [sum of wishes lifted to the run's first place, members]

    def first(run: list[Any]) -> float:
        n = len(run[1])
        value: float = min(hi, max(lo + (n - 1) * height, run[0] / n))
        return value

    for i in order:
        runs.append([float(desired[i]), [int(i)]])
        while len(runs) > 1:
            a, b = runs[-2], runs[-1]
            if first(a) - (len(a[1]) - 1) * height - first(b) >= height - 1e-9:
                break
            a[0] += b[0] + len(b[1]) * len(a[1]) * height
            a[1].extend(b[1])
            runs.pop()
    for run in runs:
        top = first(run)
        for k, i in enumerate(run[1]):
            out[i] = top - k * height
    return out


# --------------------------------------------------------------------------------------------------
# The layers
# --------------------------------------------------------------------------------------------------


class MapLayers:
    """An event's features, indexed for drawing, and the pen they are drawn with."""

    def __init__(self, data: LayoutData, labels: PrintLabels, plan: LayoutPlan) -> None:
        self.data, self.labels, self.plan, self.paper = data, labels, plan, plan.paper
        self.pen = Pen(
            self.paper.width_mm,
            self.paper.height_mm,
            title=f"{data.title} — {labels.map_title}",
            subject=data.place,
        )
        self.page_no = 0
        self.total = 0
        booths = list(data.booths)
        self.booth_geoms = np.array([b.geometry for b in booths], dtype=object)
        self.exteriors = shapely.get_exterior_ring(self.booth_geoms)
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
        #: the basemap's buildings and a tree over them: a column finds its few in one query and
        #: clips them in one call (a city's buildings run to thousands)
        self.buildings = np.array(list(data.basemap.buildings), dtype=object)
        self.building_tree = shapely.STRtree(self.buildings) if len(self.buildings) else None
        self.zones = list(data.zones)
        self.states_present = sorted(
            {b.state for b in booths},
            key=lambda s: list(BOOTH_STYLES).index(s) if s in BOOTH_STYLES else 99,
        )
        self.stall_names: dict[str, str] = {}
        if plan.names:
            for row in data.vendors:
                name = row.business_name or labels.categories.get(row.category, row.category)
                if name:
                    self.stall_names[row.booth_code] = name
            for b in booths:
                if b.kind != "vendor" and b.label:
                    self.stall_names.setdefault(b.code, b.label)

    def _booths_near(self, view: View) -> list[int]:
        if self.booth_tree is None:
            return []
        return sorted(int(j) for j in self.booth_tree.query(view.sheet.frame))

    def _booth_rings(self, view: View, members: Sequence[int]) -> dict[int, NDArray[np.float64]]:
        """The booths' outlines on the page, by booth index (one projection for all)."""
        if not members:
            return {}
        coords, index = shapely.get_coordinates(self.exteriors[list(members)], return_index=True)
        page = view.xy(coords)
        cuts = np.flatnonzero(np.diff(index)) + 1
        return dict(zip(members, np.split(page, cuts), strict=True))

    def _draw_basemap(self, view: View, window: Polygon, *, overview: bool) -> None:
        """The city's water, buildings and streets beneath everything (streets to scale)."""
        pen, base = self.pen, self.data.basemap
        areas = [g for _c, g in base.water if g.geom_type != "LineString"]
        for geom in areas:
            if geom.intersects(window):
                pen.polygons(view.rings(shapely.intersection(geom, window)), fill=WATER_FILL)
        if not overview and self.building_tree is not None:
            near = np.sort(self.building_tree.query(window, predicate="intersects"))
            rings = [
                ring
                for geom in shapely.intersection(self.buildings[near], window)
                for ring in view.rings(geom)
            ]
            pen.polygons(
                rings,
                fill=BUILDING_STYLE.color,
                alpha=0.45,
                stroke=BUILDING_STYLE.color,
                width_pt=0.2,
            )
        for water_class, geom in base.water:
            if geom.geom_type == "LineString" and geom.intersects(window):
                for ln in _lines(shapely.intersection(geom, window)):
                    pen.line(
                        view.xy(np.asarray(ln.coords)[:, :2]),
                        stroke=WATER_LINE,
                        width_pt=WATER_LINE_WIDTH_PX.get(water_class, 2.0) * 0.5,
                    )
        roads = [r for r in base.roads if r.geometry.intersects(window)]
        order = list(ROAD_STYLES)
        roads.sort(key=lambda r: -order.index(r.road_class) if r.road_class in order else 0)
        for casing in (True, False):
            for road in roads:
                style = ROAD_STYLES.get(road.road_class, ROAD_STYLES["residential"])
                if casing and style.casing is None:
                    continue
                width_pt = max(style.width_m * view.mm_per_m * PT_PER_MM, 0.6)
                for ln in _lines(shapely.intersection(road.geometry, window)):
                    xy = view.xy(np.asarray(ln.coords)[:, :2])
                    if casing:
                        casing_colour = _paler(style.casing or INK, 0.4)
                        pen.line(xy, stroke=casing_colour, width_pt=width_pt + 1.2)
                    else:
                        dash = (
                            [float(v) * 0.25 for v in style.dash_array.split()]
                            if (style.dash_array)
                            else None
                        )
                        fill = _paler(style.fill, 0.45)
                        pen.line(xy, stroke=fill, width_pt=width_pt, dash_mm=dash)

    def _street_names(self, view: View) -> None:
        """Each street's name once per view, along its longest piece, and the landmarks."""
        pen, base = self.pen, self.data.basemap
        frame = view.sheet.frame
        size = max(self.paper.text_pt - 1.0, 5.5)
        longest: dict[str, LineString] = {}
        for road in base.roads:
            if not road.name or not road.geometry.intersects(frame):
                continue
            for ln in _lines(shapely.intersection(road.geometry, frame)):
                if road.name not in longest or ln.length > longest[road.name].length:
                    longest[road.name] = ln
        for name, ln in sorted(longest.items()):
            xy = view.xy(np.asarray(ln.coords)[:, :2])
            length_mm = float(np.sum(np.hypot(*np.diff(xy, axis=0).T)))
            if length_mm < text_width_mm(name, size) + 4:
                continue
            mid = ln.interpolate(0.5, normalized=True)
            a = view.xy(np.asarray(ln.interpolate(0.45, normalized=True).coords)[:, :2])[0]
            b = view.xy(np.asarray(ln.interpolate(0.55, normalized=True).coords)[:, :2])[0]
            angle = math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))
            if angle > 90:
                angle -= 180
            elif angle < -90:
                angle += 180
            (px, py) = view.xy(np.asarray(mid.coords)[:, :2])[0]
            pen.text(
                float(px),
                float(py),
                name,
                size,
                weight="bold",
                hex_colour="#424242",
                align="center",
                valign="center",
                angle_deg=angle,
            )
        for mark in base.landmarks:
            if not frame.contains(mark.geometry):
                continue
            style = LANDMARK_STYLES.get(mark.kind, LANDMARK_STYLES["other"])
            (px, py) = view.xy(np.asarray(mark.geometry.coords)[:, :2])[0]
            self._marker(float(px), float(py), style)
            pen.text(
                float(px) + _marker_mm(style) / 2 + 0.8,
                float(py),
                mark.name,
                size,
                hex_colour=INK,
                valign="center",
                box_fill="#ffffff",
            )

    def _draw_ground(self, view: View, *, overview: bool) -> None:
        """Basemap, corridor, zones and facility areas/lines in the window."""
        pen = self.pen
        window = view.window()
        self._draw_basemap(view, window, overview=overview)
        corridor = shapely.intersection(self.data.corridor, window)
        pen.polygons(
            view.rings(corridor),
            fill=CORRIDOR_FILL,
            stroke=ZONE_STYLES["cfd_corridor"].color,
            width_pt=0.5,
        )
        order = {"emergency_lane": 1}
        for zone in sorted(self.zones, key=lambda z: order.get(z.kind, 0)):
            if not zone.geometry.intersects(window):
                continue
            rings = view.rings(shapely.intersection(zone.geometry, window))
            if not rings:
                continue
            zstyle = ZONE_STYLES.get(zone.kind, ZONE_STYLES["cfd_corridor"])
            alpha = {"emergency_lane": 0.22, "no_vending": 0.10}.get(zone.kind, zstyle.fill_opacity)
            pen.polygons(
                rings,
                fill=zstyle.fill_color,
                alpha=alpha,
                see_through=True,
                stroke=zstyle.color,
                width_pt=stroke_pt(zstyle, 0.3),
                dash_mm=dash_mm(zstyle),
            )
            if zstyle.pattern and not overview:
                self._pattern(rings, zstyle.pattern, zstyle.color)
        if not overview:
            self._street_names(view)
        if self.fac_tree is None:
            return
        mm_per_m = view.mm_per_m
        for j in self.fac_tree.query(window):
            fac = self.facilities[int(j)]
            fstyle = FACILITY_STYLES.get(fac.kind, FACILITY_STYLES["other"])
            rings = view.rings(fac.geometry)
            if rings:
                pen.polygons(
                    rings,
                    fill=fstyle.fill,
                    alpha=0.28 if fac.kind == "intersection" else 0.45,
                    see_through=True,
                    stroke=fstyle.stroke,
                    width_pt=0.4,
                )
            for ln in _lines(fac.geometry):
                xy = view.xy(np.asarray(ln.coords)[:, :2])
                if fac.kind == "crossing" and not overview:
                    width_pt = 2.4 * mm_per_m * PT_PER_MM
                    pen.line(xy, stroke="#263238", width_pt=width_pt)
                    stripe = 0.22 * mm_per_m
                    pen.line(xy, stroke="#ffffff", width_pt=width_pt * 0.92, dash_mm=[stripe] * 2)
                else:
                    pen.line(xy, stroke=fstyle.stroke, width_pt=0.6)

    def _pattern(self, rings: list[NDArray[np.float64]], pattern: str, hex_colour: str) -> None:
        """A zone's fill pattern inside ``rings`` (:data:`app.styles.PATTERNS`), as on the web
        maps: ``hatch`` diagonal lines (no vending), ``crosshatch`` both diagonals (the emergency
        lane: keep clear), ``dots`` a grid of dots (timed)."""
        pen = self.pen
        pts = np.concatenate(rings)
        (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
        h = y1 - y0
        span = (x1 - x0) + h
        pen.save()
        pen.clip_rings(rings)
        if pattern == "dots":
            step, tick = 1.6, 0.12
            xs = np.arange(x0 + step / 2, x1, step)
            ys = np.arange(y0 + step / 2, y1, step)
            pen.segments(
                (((x - tick, y), (x + tick, y)) for y in ys for x in xs),
                stroke=hex_colour,
                width_pt=1.1,
            )
        else:
            offsets = np.arange(0.0, span, 1.6)
            pairs = [((x0 + d - h, y0), (x0 + d, y1)) for d in offsets]
            if pattern == "crosshatch":
                pairs += [((x0 + d - h, y1), (x0 + d, y0)) for d in offsets]
            pen.segments(pairs, stroke=hex_colour, width_pt=0.35)
        pen.restore()

    def _facility_symbols(self, view: View) -> None:
        if self.fac_tree is None:
            return
        for j in self.fac_tree.query(view.sheet.frame):
            fac = self.facilities[int(j)]
            if fac.geometry.geom_type not in ("Point", "MultiPoint"):
                continue
            style = FACILITY_STYLES.get(fac.kind, FACILITY_STYLES["other"])
            for px, py in view.xy(shapely.get_coordinates(fac.geometry)):
                self._marker(float(px), float(py), style)

    def _marker(self, x: float, y: float, style: MarkerStyle) -> None:
        pen = self.pen
        size = _marker_mm(style)
        if style.shape == "circle":
            pen.circle(x, y, size / 2, fill=style.fill, stroke=style.stroke, width_pt=0.45)
        elif style.shape == "square":
            s = size * 0.9
            pen.rect(
                x - s / 2, y - s / 2, s, s, fill=style.fill, stroke=style.stroke, width_pt=0.45
            )
        else:
            r = size * 0.6
            diamond = np.array([[x, y + r], [x + r, y], [x, y - r], [x - r, y]])
            pen.polygons([diamond], fill=style.fill, stroke=style.stroke, width_pt=0.45)
        if style.glyph:
            pen.text(
                x,
                y,
                style.glyph,
                size * PT_PER_MM * 0.6,
                weight="bold",
                hex_colour=style.glyph_colour,
                align="center",
                valign="center",
            )

    def _booth_labels(
        self, view: View, owned: list[int], shapes: dict[int, NDArray[np.float64]]
    ) -> None:
        """Every owned booth's code, horizontal, beside the booth on its kerb side.

        The street runs down the column, so each row of booths gets a column of codes outside
        it, one line per booth; where codes would overlap (bends, short booths) they are spread
        apart and joined to their booths by thin leaders.
        """
        if not owned:
            return
        pen, data = self.pen, self.data
        sheet = view.sheet
        cen_s = sheet.to_sheet_xy(self.centroids[owned])
        line_s = sheet.to_sheet(self.plan.centreline)
        along = shapely.line_locate_point(line_s, shapely.points(cen_s))
        foot = shapely.get_coordinates(shapely.line_interpolate_point(line_s, along))
        right = (cen_s - foot)[:, 1] >= 0  # left of the walking direction: the page's right
        cen_page = view.xy(self.centroids[owned])
        names = self.plan.names
        height = (LABEL_PT + (NAME_PT if names else 0)) * 1.18 / PT_PER_MM
        lo, hi = view.y + height / 2 + 0.3, view.y + view.h - height / 2 - 0.3
        leaders = []
        for side in (True, False):
            members = np.flatnonzero(right == side)
            if not len(members):
                continue
            ys = _spread(cen_page[members, 1], height, lo, hi)
            for k, y in zip(members, ys, strict=True):
                j = owned[int(k)]
                booth = data.booths[j]
                ring = shapes[j]
                edge = float(ring[:, 0].max() if side else ring[:, 0].min())
                sign = 1.0 if side else -1.0
                x = edge + sign * LABEL_GAP_MM
                leaders.append(((edge + sign * 0.35, cen_page[k, 1]), (x - sign * 0.4, y)))
                desk = booth.kind == "service_desk"
                blocking = booth.state == "blocking"
                colour = (
                    BOOTH_STYLES["service_desk"].color
                    if desk
                    else BOOTH_STYLES["blocking"].color
                    if blocking
                    else INK
                )
                name = self.stall_names.get(booth.code, "") if names else ""
                code_y = y + (NAME_PT * 0.55 / PT_PER_MM if name else 0.0)
                # the space at the far end keeps the codes apart as words in extracted text
                pen.text(
                    x,
                    code_y,
                    f"{booth.code} " if side else f" {booth.code}",
                    LABEL_PT,
                    weight="bold" if desk or blocking else "normal",
                    hex_colour=colour,
                    align="left" if side else "right",
                    valign="center",
                )
                if name:
                    pen.text(
                        x,
                        code_y - LABEL_PT * 1.1 / PT_PER_MM,
                        fit(name, NAME_MM, NAME_PT),
                        NAME_PT,
                        hex_colour="#455a64",
                        align="left" if side else "right",
                        valign="center",
                    )
        pen.segments(leaders, stroke=LEADER, width_pt=0.25)

    def _match_lines(self, view: View, index: int) -> None:
        pen, plan = self.pen, self.plan
        sheet = view.sheet
        line = plan.centreline
        reach = plan.half_width_m
        cuts = []
        if index > 0:
            cuts.append((sheet.start_m, -1, plan.sheets[index - 1].number, sheet.number))
        if index < len(plan.sheets) - 1:
            cuts.append((sheet.end_m, 1, sheet.number, plan.sheets[index + 1].number))
        frame = sheet.frame
        for at, side, a, b in cuts:
            p0 = np.asarray(line.interpolate(max(at - 1.0, 0)).coords[0])
            p1 = np.asarray(line.interpolate(min(at + 1.0, line.length)).coords[0])
            centre = np.asarray(line.interpolate(at).coords[0])
            t = (p1 - p0) / max(float(np.hypot(*(p1 - p0))), 1e-9)
            n = np.array([-t[1], t[0]])
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
            veil = Polygon(ground).intersection(frame)
            pen.polygons(view.rings(veil), fill="#ffffff", alpha=0.45, see_through=True)
            ends = view.xy(np.array([centre - n * reach, centre + n * reach]))
            pen.line(ends, stroke=MATCH_RED, width_pt=0.9, dash_mm=[1.4, 0.7])
            end = ends[np.argmax(ends[:, 0])]
            pen.text(
                float(min(end[0], view.x + view.w - 1.5)),
                float(end[1]) + 0.8,
                f"{a} | {b}",
                6,
                weight="bold",
                hex_colour=MATCH_RED,
                align="right",
                valign="bottom",
                box_fill="#ffffff",
                box_stroke=MATCH_RED,
            )

    def _intersection_names(
        self, view: View, *, size: float, owned_range: tuple[float, float] | None = None
    ) -> None:
        sheet, line = view.sheet, self.plan.centreline
        window = sheet.frame
        for fac in self.facilities:
            if fac.kind != "intersection" or not fac.name or not fac.geometry.intersects(window):
                continue
            c = fac.geometry.centroid
            at = line.project(c)
            if owned_range is not None and not owned_range[0] <= at < owned_range[1]:
                continue
            t0 = np.asarray(line.interpolate(max(at - 1, 0)).coords[0])
            t1 = np.asarray(line.interpolate(min(at + 1, line.length)).coords[0])
            t = view.xy(np.array([t0, t1]))
            deg = math.degrees(math.atan2(*(t[1] - t[0])[::-1])) + 90
            deg = (deg + 90) % 180 - 90
            xy = view.xy(np.array([[c.x, c.y]]))[0]
            self.pen.text(
                float(xy[0]),
                float(xy[1]),
                fac.name,
                size,
                weight="italic",
                hex_colour="#37474f",
                align="center",
                valign="center",
                angle_deg=deg,
                box_fill="#f7f8f9",
            )

    def _north_arrow(
        self, x: float, y: float, north_rad: float, length: float, *, letter: bool = True
    ) -> None:
        d = np.array([math.cos(north_rad), math.sin(north_rad)])
        n = np.array([-d[1], d[0]])
        c = np.array([x, y])
        tip, tail = c + d * length / 2, c - d * length / 2
        half = length * 0.28
        notch = c - d * length * 0.25
        self.pen.polygons([np.array([tip, tail + n * half, notch])], fill="#ffffff", stroke=INK)
        self.pen.polygons([np.array([tip, tail - n * half, notch])], fill=INK, stroke=INK)
        pos = tip + d * (2.2 if letter else 1.6)
        self.pen.text(
            float(pos[0]),
            float(pos[1]),
            self.labels.north,
            7 if letter else 5.5,
            weight="bold",
            align="center",
            valign="center",
        )

    # --------------------------------------------------------------------------------- legend
    def _legend(self, *, scale: int, columns: bool) -> None:
        p, lab, pen = self.paper, self.labels, self.pen
        y_top = p.margin_mm + p.footer_mm - 2.5
        x0 = p.margin_mm
        pen.line([(x0, y_top + 1.2), (p.width_mm - p.margin_mm, y_top + 1.2)], width_pt=0.5)
        pen.text(x0, y_top - 0.8, lab.legend.upper(), p.text_pt - 0.5, weight="bold", valign="top")
        entries: list[tuple[str, tuple[str, str | None]]] = []
        for state in self.states_present or ["ok"]:
            entries.append((lab.booth_states.get(state, state), ("booth", state)))
        if columns:
            entries.append((lab.neighbour, ("neighbour", None)))
        entries.append((lab.corridor, ("corridor", None)))
        for zk in [k for k in ZONE_STYLES if any(z.kind == k for z in self.zones)]:
            entries.append((lab.zones.get(zk, zk), ("zone", zk)))
        if columns:
            entries.append((lab.match_line.format(a="n", b="n+1"), ("match", None)))
        for fk in [k for k in FACILITY_STYLES if any(f.kind == k for f in self.facilities)]:
            entries.append((lab.facilities.get(fk, fk), ("facility", fk)))

        row_h = 3.6
        rows = max(1, int((p.footer_mm - 9.5) // row_h))
        scale_w = 78.0
        room = p.width_mm - 2 * p.margin_mm - scale_w
        fs = p.text_pt - 1.2
        chunks = [entries[i : i + rows] for i in range(0, len(entries), rows)]
        while True:
            widths = [9.0 + max(text_width_mm(t, fs) for t, _ in col) for col in chunks]
            if sum(widths) + 4 * (len(widths) - 1) <= room or fs <= 4.5:
                break
            fs -= 0.3
        ex = x0
        for col, width in zip(chunks, widths, strict=True):
            for row, (text, (what, key)) in enumerate(col):
                ey = y_top - 6.2 - row * row_h
                self._swatch(ex, ey, what, key)
                pen.text(ex + 7, ey, text, fs, valign="center")
            ex += width + 4

        bar_m = _scale_bar_m(scale, scale_w - 16)
        bar_mm = bar_m * 1000 / scale
        bx = p.width_mm - p.margin_mm - scale_w + 4
        by = y_top - 10
        for k in range(5):
            seg = bar_mm / 5
            pen.rect(
                bx + k * seg,
                by,
                seg,
                1.4,
                fill=INK if k % 2 == 0 else "#ffffff",
                stroke=INK,
                width_pt=0.4,
            )
        fs = p.text_pt - 1.2
        for k, frac in enumerate((0.0, 0.4, 1.0)):
            label = fmt_m(bar_m * frac) + (" m" if k == 2 else "")
            pen.text(bx + bar_mm * frac, by - 1.2, label, fs, align="center", valign="top")
        pen.text(
            bx,
            by + 3.2,
            lab.scale.format(scale=fmt_m(scale), paper=p.name),
            fs + 0.3,
            weight="bold",
        )

    def _swatch(self, x: float, y: float, what: str, key: str | None) -> None:
        pen = self.pen
        w, h = 5.0, 2.6
        if what == "booth":
            style = BOOTH_STYLES.get(key or "ok", BOOTH_STYLES["ok"])
            pen.rect(
                x,
                y - h / 2,
                w,
                h,
                fill=style.fill_color,
                alpha=style.fill_opacity,
                stroke=style.color,
                width_pt=stroke_pt(style, 0.4),
                dash_mm=dash_mm(style),
            )
        elif what == "neighbour":
            pen.rect(x, y - h / 2, w, h, fill=NEIGHBOUR_FILL, stroke=NEIGHBOUR_EDGE, width_pt=0.3)
        elif what == "corridor":
            style = ZONE_STYLES["cfd_corridor"]
            pen.rect(x, y - h / 2, w, h, fill=CORRIDOR_FILL, stroke=style.color, width_pt=0.5)
        elif what == "zone" and key is not None:
            zstyle = ZONE_STYLES[key]
            alpha = {"emergency_lane": 0.22, "no_vending": 0.10}.get(key, zstyle.fill_opacity)
            ring = np.array(
                [[x, y - h / 2], [x + w, y - h / 2], [x + w, y + h / 2], [x, y + h / 2]]
            )
            pen.polygons(
                [ring],
                fill=zstyle.fill_color,
                alpha=alpha,
                stroke=zstyle.color,
                width_pt=stroke_pt(zstyle, 0.3),
                dash_mm=dash_mm(zstyle),
            )
            if zstyle.pattern:
                self._pattern([ring], zstyle.pattern, zstyle.color)
        elif what == "match":
            pen.line(
                [(x + w / 2, y - h / 2 - 0.3), (x + w / 2, y + h / 2 + 0.3)],
                stroke=MATCH_RED,
                width_pt=0.9,
                dash_mm=[1.4, 0.7],
            )
        elif what == "facility" and key is not None:
            marker = FACILITY_STYLES[key]
            if key == "intersection":
                pen.rect(
                    x,
                    y - h / 2,
                    w,
                    h,
                    fill=marker.fill,
                    alpha=0.28,
                    stroke=marker.stroke,
                    width_pt=0.4,
                )
                return
            self._marker(x + w / 2, y, marker)
