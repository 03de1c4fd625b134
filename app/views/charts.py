"""Small server-side SVG charts: grouped bars, stacked bars and lines, with a data table each.

Written here rather than taken from a chart library on purpose: the dashboard needs three plain
chart kinds, drawn on the server (no JavaScript, so they work under the page's strict
Content-Security-Policy and print as they show). matplotlib would bring a large dependency with
process-wide state (not safe under gunicorn's threads) and emits unlabelled paths; pygal's SVG
needs its own scripts for tooltips and is thinly maintained. This module is about two hundred
lines of pure code (no Flask, no database) and its output is accessible: ``role="img"``, a
``<title>`` and ``<desc>`` the page references with ``aria-labelledby``, every value in a
``<title>`` of its mark, and the same numbers as a table (:func:`chart_table`) for the page's
data table alternative and the CSV download. Every text is XML-escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

__all__ = ["PALETTE", "Chart", "Series", "chart_table", "nice_ticks", "render_svg"]

#: Colour-blind-safe colours (Okabe & Ito), in the order series take them.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")

ChartKind = Literal["bars", "stacked", "line"]

WIDTH, HEIGHT = 720, 360
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 40, 120


@dataclass(frozen=True)
class Series:
    """One named row of values, one per category, and its colour."""

    name: str
    values: tuple[float, ...]
    colour: str


@dataclass(frozen=True)
class Chart:
    """A chart: its key (ids, CSV file name), texts, categories along x, and series."""

    key: str
    title: str
    description: str
    category_label: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    kind: ChartKind = "bars"
    empty_text: str = ""

    @property
    def empty(self) -> bool:
        """Nothing to draw: no category (all-zero values still draw their axes and labels)."""
        return not self.categories


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``top``.

    >>> nice_ticks(7)
    [0, 2, 4, 6, 8]
    >>> nice_ticks(0)
    [0, 1]
    >>> nice_ticks(230)
    [0, 50, 100, 150, 200, 250]
    """
    if top <= 0:
        return [0, 1]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if step < 1:
        step = 1
    n = math.ceil(top / step)
    return [int(i * step) if float(i * step).is_integer() else i * step for i in range(n + 1)]


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _short(text: str, limit: int = 16) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _legend(series: Sequence[Series]) -> tuple[list[str], int]:
    """The legend's marks, wrapped into rows across the chart's width, and where the plot
    starts below it."""
    out: list[str] = []
    x: float = LEFT
    row = 0
    for s in series:
        name = _short(s.name, 30)
        width = 26 + 7.2 * len(name)
        if x + width > WIDTH - RIGHT and x > LEFT:
            x, row = float(LEFT), row + 1
        top = 8 + row * 18
        out.append(f'<rect x="{x:.0f}" y="{top}" width="12" height="12" fill="{s.colour}"/>')
        out.append(f'<text x="{x + 16:.0f}" y="{top + 10}" font-size="12">{escape(name)}</text>')
        x += width
    return out, max(TOP, 8 + (row + 1) * 18 + 12)


def render_svg(chart: Chart) -> str:
    """The chart as an inline ``<svg>`` element (escaped text, no script, no style sheet)."""
    tid, did = f"{chart.key}-title", f"{chart.key}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{tid} {did}" class="chart" id="{chart.key}-svg">',
        f'<title id="{tid}">{escape(chart.title)}</title>',
        f'<desc id="{did}">{escape(chart.description)}</desc>',
    ]
    legend, top_px = _legend(chart.series)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - top_px - BOTTOM
    if chart.empty:
        out.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" font-size="14" '
            f'fill="#555">{escape(chart.empty_text)}</text></svg>'
        )
        return "".join(out)
    n = len(chart.categories)
    if chart.kind == "stacked":
        top = max(sum(s.values[i] for s in chart.series) for i in range(n))
    else:
        top = max((max(s.values) for s in chart.series), default=0)
    ticks = nice_ticks(top)
    scale = plot_h / ticks[-1]

    def y(value: float) -> float:
        return top_px + plot_h - value * scale

    out.extend(legend)
    # axes and grid
    for t in ticks:
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(t):.1f}" y2="{y(t):.1f}" '
            f'stroke="#ddd"/><text x="{LEFT - 6}" y="{y(t) + 4:.1f}" font-size="11" '
            f'text-anchor="end">{_fmt(t)}</text>'
        )
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(0)}" y2="{y(0)}" stroke="#333"/>')
    slot = plot_w / n
    rotate = n > 8 or any(len(c) > 12 for c in chart.categories)
    every = max(1, math.ceil(n / 24))
    for i, cat in enumerate(chart.categories):
        if i % every:
            continue
        cx = LEFT + slot * (i + 0.5)
        label = escape(_short(cat, 24))
        if rotate:
            out.append(
                f'<text x="{cx:.1f}" y="{y(0) + 14:.1f}" font-size="11" text-anchor="end" '
                f'transform="rotate(-40 {cx:.1f} {y(0) + 14:.1f})">{label}</text>'
            )
        else:
            out.append(
                f'<text x="{cx:.1f}" y="{y(0) + 16:.1f}" font-size="11" '
                f'text-anchor="middle">{label}</text>'
            )
    if chart.kind == "line":
        for s in chart.series:
            points = " ".join(
                f"{LEFT + slot * (i + 0.5):.1f},{y(v):.1f}" for i, v in enumerate(s.values)
            )
            out.append(
                f'<polyline points="{points}" fill="none" stroke="{s.colour}" stroke-width="2.5"/>'
            )
            for i, v in enumerate(s.values):
                tip = quoteattr(f"{s.name}, {chart.categories[i]}: {_fmt(v)}")[1:-1]
                out.append(
                    f'<circle cx="{LEFT + slot * (i + 0.5):.1f}" cy="{y(v):.1f}" r="3.5" '
                    f'fill="{s.colour}"><title>{tip}</title></circle>'
                )
    else:
        inner = slot * 0.8
        for i in range(n):
            x0 = LEFT + slot * i + slot * 0.1
            base = 0.0
            for k, s in enumerate(chart.series):
                v = s.values[i]
                tip = escape(f"{s.name}, {chart.categories[i]}: {_fmt(v)}")
                if chart.kind == "stacked":
                    bx, bw, top_v, bottom_v = x0, inner, base + v, base
                    base += v
                else:
                    bw = inner / len(chart.series)
                    bx, top_v, bottom_v = x0 + k * bw, v, 0.0
                if v <= 0:
                    continue
                out.append(
                    f'<rect x="{bx:.1f}" y="{y(top_v):.1f}" width="{max(bw - 1, 1):.1f}" '
                    f'height="{(top_v - bottom_v) * scale:.1f}" fill="{s.colour}">'
                    f"<title>{tip}</title></rect>"
                )
    out.append("</svg>")
    return "".join(out)


def chart_table(chart: Chart) -> tuple[list[str], list[list[str]]]:
    """The chart's numbers as a table: a header (the category label, then each series) and one
    row per category.

    >>> chart_table(Chart("c", "t", "d", "Acara", ("A",), (Series("Terisi", (3.0,), "#000"),)))
    (['Acara', 'Terisi'], [['A', '3']])
    """
    header = [chart.category_label, *(s.name for s in chart.series)]
    rows = [
        [cat, *(_fmt(s.values[i]) for s in chart.series)] for i, cat in enumerate(chart.categories)
    ]
    return header, rows


def palette(count: int) -> Sequence[str]:
    """``count`` colours from :data:`PALETTE`, repeating past its end."""
    return [PALETTE[i % len(PALETTE)] for i in range(count)]
