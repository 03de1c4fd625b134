"""The crew's layout PDF, drawn with reportlab: no network, no tiles, vector throughout.

One document per call:

1. an overview page: the whole corridor with the numbered segment frames and a segment table;
2. map pages: the corridor cut into segments along its centreline (:mod:`app.printing.plan`),
   several columns per page with the street running down each column; every booth carries its
   code, horizontally beside it, on the one segment that owns its centroid (neighbours' booths
   drawn grey, unlabelled, past the dashed match lines);
3. optionally the vendor check-in list (:mod:`app.printing.checkin_list`).

Colours are the web map's (:mod:`app.styles`). Everything is
laid out in millimetres on the page (:class:`~app.printing.typeset.Pen`); a map window maps
metres on the ground to millimetres on paper at the plan's scale.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import shapely

from app.printing.checkin_list import draw_list_page, has_places, list_pages
from app.printing.map_layers import (
    FRAME_BLUE,
    NEIGHBOUR_EDGE,
    NEIGHBOUR_FILL,
    MapLayers,
    View,
    dash_mm,
    fmt_m,
    nice_scale,
    stroke_pt,
)
from app.printing.model import LayoutData, Paper, PrintLabels
from app.printing.plan import (
    COLUMN_FOOT_MM,
    COLUMN_GAP_MM,
    COLUMN_HEAD_MM,
    LABEL_PT,
    LayoutPlan,
    plan_layout,
)
from app.printing.sheets import Sheet
from app.printing.typeset import GREY, INK, PT_PER_MM, fit, text_width_mm
from app.styles import BOOTH_STYLES

__all__ = ["LABEL_PT", "LayoutPlan", "plan_layout", "render_layout_pdf", "render_vendor_list_pdf"]

# --------------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------------


def render_layout_pdf(
    data: LayoutData,
    labels: PrintLabels,
    *,
    paper: Paper | str = "A3",
    include_list: bool = True,
    names: bool = False,
    plan: LayoutPlan | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The overview, the map columns and (``include_list``) the vendor list, as PDF bytes.

    ``names`` sets each booth's stall name under its code, at 1:500. ``progress(done, total)``
    is told the page count once it is known, then after each page.
    """
    plan = plan or plan_layout(data, paper, names=names)
    doc = _Document(data, labels, plan)
    pages = list_pages(data.vendors, plan.segment_of(data.booths), plan.paper)
    doc.total = 1 + plan.map_pages + (len(pages) if include_list else 0)
    tick = _ticker(doc.total, progress)
    doc.overview_page()
    tick()
    for page in range(plan.map_pages):
        doc.map_page(page)
        tick()
    if include_list:
        for items in pages:
            doc.start(labels.list_title)
            draw_list_page(doc.pen, plan.paper, labels, items, places=has_places(data.vendors))
            tick()
    return doc.pen.close()


def render_vendor_list_pdf(
    data: LayoutData,
    labels: PrintLabels,
    *,
    paper: Paper | str = "A3",
    plan: LayoutPlan | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """Only the vendor check-in list (segment numbers as on the map of the same ``paper``)."""
    plan = plan or plan_layout(data, paper)
    doc = _Document(data, labels, plan)
    pages = list_pages(data.vendors, plan.segment_of(data.booths), plan.paper)
    doc.total = len(pages)
    tick = _ticker(doc.total, progress)
    for items in pages:
        doc.start(labels.list_title)
        draw_list_page(doc.pen, plan.paper, labels, items, places=has_places(data.vendors))
        tick()
    return doc.pen.close()


def _ticker(total: int, progress: Callable[[int, int], None] | None) -> Callable[[], None]:
    """Tell ``progress`` the page count now, and one more page done at each call."""
    done = [0]
    if progress is not None:
        progress(0, total)

    def tick() -> None:
        done[0] += 1
        if progress is not None:
            progress(min(done[0], total), total)

    return tick


# --------------------------------------------------------------------------------------------------
# The document
# --------------------------------------------------------------------------------------------------


class _Document(MapLayers):
    """Pages of one PDF; every page gets the same header and footer."""

    # ---------------------------------------------------------------------------------- pages
    def start(self, heading: str) -> None:
        """A new page with the header and footer."""
        self.pen.page()
        self.page_no += 1
        self._header(heading)
        self._footer()

    def _header(self, heading: str) -> None:
        p, d, pen = self.paper, self.data, self.pen
        top = p.height_mm - p.margin_mm
        left, right = p.margin_mm, p.width_mm - p.margin_mm
        pen.rect(left, top - p.header_mm + 2.4, 2.2, p.header_mm - 4, fill=FRAME_BLUE)
        pen.text(left + 4, top - 0.5, d.title, p.title_pt, weight="bold", valign="top")
        pen.text(left + 4, top - p.header_mm + 4.2, f"{d.when}  ·  {d.place}", p.text_pt)
        pen.text(
            right,
            top - 0.5,
            heading.upper(),
            p.text_pt + 2,
            weight="bold",
            align="right",
            valign="top",
            hex_colour=FRAME_BLUE,
        )
        pen.text(right, top - p.header_mm + 4.2, d.printed, p.text_pt, align="right")
        pen.line([(left, top - p.header_mm + 2.2), (right, top - p.header_mm + 2.2)], width_pt=0.8)

    def _footer(self) -> None:
        p, pen = self.paper, self.pen
        y = p.margin_mm - 1.5
        pen.line(
            [(p.margin_mm, y + 4), (p.width_mm - p.margin_mm, y + 4)], stroke=GREY, width_pt=0.4
        )
        pen.text(
            p.margin_mm,
            y,
            "  ·  ".join(
                t for t in ("PetaLapak", self.data.note, self.data.basemap.attribution) if t
            ),
            p.text_pt - 1.5,
            hex_colour=GREY,
        )
        pen.text(
            p.width_mm - p.margin_mm,
            y,
            self.labels.page.format(n=self.page_no, total=self.total),
            p.text_pt - 0.5,
            align="right",
        )

    # ------------------------------------------------------------------------------- overview
    def overview_page(self) -> None:
        """The corridor in one or two rows with the numbered segments, their table, the legend."""
        p, plan, lab = self.paper, self.plan, self.labels
        self.start(lab.overview_title)
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
        scale = nice_scale(
            max(
                max((w + 30) / (box_w - 10) * 1000 for _, _, _, w, _ in views),
                max((h + 30) / (max_row_h - 12) * 1000 for _, _, _, _, h in views),
            )
        )
        y = top - 2
        for k, (idx, angle, centre, _w, ext_h) in enumerate(views):
            row_h = min(max_row_h, max(30.0, (ext_h + 30) * 1000 / scale + 12))
            y -= row_h
            sheet = Sheet(0, 0.0, 0.0, centre, angle, box_w * scale / 1000, row_h * scale / 1000)
            view = View(sheet, p.margin_mm, y, box_w, row_h, 1000 / scale, turned=False)
            self._overview_row(view, scale, idx)
            if k == 0:
                self.pen.text(
                    p.margin_mm + 2,
                    y + 2,
                    lab.scale.format(scale=fmt_m(scale), paper=p.name),
                    p.text_pt - 1,
                )
            y -= 4
        self._segment_table(p.margin_mm, y - 3, bottom + 2)
        self._legend(scale=scale, columns=False)

    def _overview_row(self, view: View, scale: int, idx: Sequence[int]) -> None:
        pen, plan = self.pen, self.plan
        pen.save()
        pen.clip_rect(view.x, view.y, view.w, view.h)
        self._draw_ground(view, overview=True)
        near = self._booths_near(view)
        by_state: dict[str, list[int]] = {}
        for j in near:
            by_state.setdefault(self.data.booths[j].state, []).append(j)
        for state, members in by_state.items():
            style = BOOTH_STYLES.get(state, BOOTH_STYLES["ok"])
            pen.polygons(
                self._booth_rings(view, members).values(),
                fill=style.fill_color,
                alpha=max(style.fill_opacity, 0.35),
                stroke=style.color,
                width_pt=0.15,
            )
        self._intersection_names(view, size=5.5)
        for i in idx:
            sheet = plan.sheets[i]
            ring = view.xy(np.asarray(sheet.frame.exterior.coords))
            colour = FRAME_BLUE if i % 2 == 0 else "#ad1457"
            pen.polygons(
                [ring], stroke=colour, width_pt=1.0, dash_mm=None if i % 2 == 0 else [1.0, 0.5]
            )
            cx = float(view.xy(np.array([sheet.centre]))[0, 0])
            cy = float(ring[:, 1].max()) + 4.0
            pen.circle(cx, cy, 2.8, fill="#ffffff", stroke=colour, width_pt=1.0)
            pen.text(
                cx,
                cy,
                str(sheet.number),
                self.paper.text_pt,
                weight="bold",
                hex_colour=colour,
                align="center",
                valign="center",
            )
        pen.restore()
        pen.rect(view.x, view.y, view.w, view.h, stroke=INK, width_pt=0.7)
        self._north_arrow(view.x + view.w - 7, view.y + view.h - 8, view.sheet.north_rad, 7.0)

    def _segment_table(self, x: float, y_top: float, y_bottom: float) -> None:
        p, plan, lab, pen = self.paper, self.plan, self.labels, self.pen
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
        pen.rect(x, y_top - row_h, float(cols[-1]), row_h, fill="#eceff1")
        for j, head in enumerate(heads):
            pen.text(x + cols[j] + 1.5, y_top - row_h / 2, head, fs, weight="bold", valign="center")
        for i, sheet in enumerate(plan.sheets):
            y = y_top - row_h * (i + 1.5)
            values = [
                str(sheet.number),
                str(plan.page_of(i)),
                lab.chainage.format(a=fmt_m(sheet.start_m), b=fmt_m(sheet.end_m)),
                str(int(counts[i])),
                str(int(desks[i])) if desks[i] else "–",
            ]
            for j, value in enumerate(values):
                pen.text(
                    x + cols[j] + 1.5,
                    y,
                    value,
                    fs,
                    weight="bold" if j == 0 else "normal",
                    valign="center",
                )
            pen.line(
                [(x, y - row_h / 2), (x + cols[-1], y - row_h / 2)], stroke="#cfd8dc", width_pt=0.3
            )
        hint_x = x + float(cols[-1]) + 12
        hint = lab.overview_hint.splitlines()
        pen.lines(hint_x, y_top, hint, p.text_pt, leading=1.6)
        desk_rows = [
            (b.label or b.code, plan.sheets[int(o)].number)
            for b, o in zip(self.data.booths, plan.owner, strict=True)
            if b.kind == "service_desk"
        ]
        if not desk_rows:
            return
        hint_w = max(text_width_mm(t, p.text_pt) for t in hint)
        dx = p.width_mm - p.margin_mm - 110
        if dx < hint_x + hint_w + 8:  # no room beside the hint: below it
            dx = hint_x
            y_top -= (len(hint) * 1.6 + 1.5) * p.text_pt / PT_PER_MM
        style = BOOTH_STYLES["service_desk"]
        pen.text(
            dx,
            y_top,
            lab.booth_states.get("service_desk", ""),
            p.text_pt,
            weight="bold",
            hex_colour=style.color,
            valign="top",
        )
        for k, (name, number) in enumerate(desk_rows):
            yy = y_top - 6 - k * 4.2
            pen.rect(
                dx,
                yy - 1.2,
                3.5,
                2.4,
                fill=style.fill_color,
                alpha=style.fill_opacity,
                stroke=style.color,
                width_pt=stroke_pt(style, 0.35),
            )
            pen.text(dx + 5.5, yy, fit(name, 80, p.text_pt - 0.5), p.text_pt - 0.5, valign="center")
            pen.text(
                dx + 108,
                yy,
                lab.segment.format(n=number),
                p.text_pt - 0.5,
                weight="bold",
                align="right",
                valign="center",
            )

    # ------------------------------------------------------------------------------ map pages
    def map_page(self, page: int) -> None:
        """One page of map columns with the legend."""
        p, plan = self.paper, self.plan
        self.start(self.labels.map_title)
        top = p.height_mm - p.margin_mm - p.header_mm
        first = page * plan.columns_per_page
        m_per_mm = p.scale / 1000
        for k, i in enumerate(range(first, min(first + plan.columns_per_page, len(plan.sheets)))):
            x = p.margin_mm + k * (plan.column_w_mm + COLUMN_GAP_MM)
            y = top - COLUMN_HEAD_MM - plan.column_h_mm
            view = View(
                plan.sheets[i], x, y, plan.column_w_mm, plan.column_h_mm, 1 / m_per_mm, True
            )
            self._column(i, view)
        self._legend(scale=p.scale, columns=True)

    def _column(self, index: int, view: View) -> None:
        pen, plan, lab, data, p = self.pen, self.plan, self.labels, self.data, self.paper
        sheet = view.sheet
        near = self._booths_near(view)
        owned = [j for j in near if plan.owner[j] == index]
        others = [j for j in near if plan.owner[j] != index]
        pen.save()
        pen.clip_rect(view.x, view.y, view.w, view.h)
        self._draw_ground(view, overview=False)
        pen.polygons(
            self._booth_rings(view, others).values(),
            fill=NEIGHBOUR_FILL,
            stroke=NEIGHBOUR_EDGE,
            width_pt=0.3,
        )
        shapes = self._booth_rings(view, owned)
        by_state: dict[str, list[int]] = {}
        for j in owned:
            by_state.setdefault(data.booths[j].state, []).append(j)
        for state, members in by_state.items():
            style = BOOTH_STYLES.get(state, BOOTH_STYLES["ok"])
            pen.polygons(
                [shapes[j] for j in members],
                fill=style.fill_color,
                alpha=style.fill_opacity,
                stroke=style.color,
                width_pt=stroke_pt(style, 0.4),
                dash_mm=dash_mm(style),
            )
        self._facility_symbols(view)
        self._match_lines(view, index)
        self._intersection_names(view, size=6.0, owned_range=(sheet.start_m, sheet.end_m))
        self._booth_labels(view, owned, shapes)
        pen.restore()
        pen.rect(view.x, view.y, view.w, view.h, stroke=INK, width_pt=0.7)

        # head: SEGMENT n, ← from n-1, north arrow; then chainage and counts; foot: to n+1 →
        n_desks = sum(1 for j in owned if data.booths[j].kind == "service_desk")
        title = lab.segment.format(n=sheet.number).upper()
        ty = view.y + view.h + COLUMN_HEAD_MM - 2.6
        pen.text(
            view.x, ty, title, p.text_pt + 1, weight="bold", hex_colour=FRAME_BLUE, valign="center"
        )
        self._north_arrow(
            view.x + view.w - 2.5, ty - 0.4, view.page_rad(sheet.north_rad), 3.6, letter=False
        )
        if index > 0:
            back = lab.continued_from.format(n=plan.sheets[index - 1].number)
            pen.text(view.x + view.w - 6, ty, back, p.text_pt - 0.5, align="right", valign="center")
        detail = "  ·  ".join(
            filter(
                None,
                [
                    lab.chainage.format(a=fmt_m(sheet.start_m), b=fmt_m(sheet.end_m)),
                    lab.booth_count.format(n=len(owned) - n_desks),
                    f"{n_desks} {lab.desks}" if n_desks else "",
                ],
            )
        )
        pen.text(
            view.x,
            view.y + view.h + 2.2,
            fit(detail, view.w, p.text_pt - 1),
            p.text_pt - 1,
        )
        if index < len(plan.sheets) - 1:
            pen.text(
                view.x + view.w,
                view.y - COLUMN_FOOT_MM / 2,
                lab.continue_to.format(n=plan.sheets[index + 1].number),
                p.text_pt - 0.5,
                weight="bold",
                align="right",
                valign="center",
            )
