"""Typesetting shared by the crew print-outs: fonts, text widths, and a canvas in millimetres.

Fonts are registered once per process: DejaVu Sans (Debian's ``fonts-dejavu-core``) when it is
installed, because the texts need glyphs beyond Latin-1 (``→``, ``←``, ``✓``); otherwise the PDF
base font Helvetica, with those few glyphs spelled in ASCII. Text widths come from the same font
metrics the PDF is set with, so fitted texts fit.

:class:`Pen` is a reportlab canvas addressed in millimetres with y up (the page's lower left
corner is the origin), line widths and font sizes in points as printers speak of them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
from reportlab.lib.colors import Color, HexColor
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

__all__ = [
    "GREY",
    "INK",
    "PT_PER_MM",
    "Fonts",
    "Pen",
    "colour",
    "fit",
    "fonts",
    "natural_key",
    "path_ops",
    "text_width_mm",
    "wrap",
]

PT_PER_MM = 72 / 25.4
INK = "#1f2a30"
GREY = "#78909c"
#: Where Debian, Fedora and Arch keep DejaVu Sans.
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
)
#: Glyphs Helvetica (WinAnsi) lacks, spelled out when DejaVu is missing.
_ASCII = str.maketrans({"→": "->", "←": "<-", "✓": "x", "×": "x"})
#: Vertical placement, as a fraction of the font size from the baseline (DejaVu's metrics:
#: cap height 0.73, descent 0.24).
_VALIGN = {"baseline": 0.0, "center": -0.36, "top": -0.76, "bottom": 0.24}

Weight = Literal["normal", "bold", "italic"]
Align = Literal["left", "center", "right"]
VAlign = Literal["baseline", "center", "top", "bottom"]


@dataclass(frozen=True)
class Fonts:
    """Registered font names per weight; ``unicode`` is False for the Helvetica fallback."""

    normal: str
    bold: str
    italic: str
    unicode: bool

    def name(self, weight: Weight) -> str:
        """The font name of ``weight``."""
        return self.bold if weight == "bold" else self.italic if weight == "italic" else self.normal

    def clean(self, text: str) -> str:
        """``text`` as the font can set it."""
        return text if self.unicode else text.translate(_ASCII)


@lru_cache(maxsize=1)
def fonts() -> Fonts:
    """Register DejaVu Sans (regular, bold, oblique) once, or fall back to Helvetica."""
    files = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf")
    for folder in FONT_DIRS:
        paths = [folder / f for f in files]
        if all(p.is_file() for p in paths):
            names = ("PL-DejaVuSans", "PL-DejaVuSans-Bold", "PL-DejaVuSans-Oblique")
            for name, path in zip(names, paths, strict=True):
                pdfmetrics.registerFont(TTFont(name, str(path)))
            return Fonts(*names, unicode=True)
    return Fonts("Helvetica", "Helvetica-Bold", "Helvetica-Oblique", unicode=False)


def text_width_mm(text: str, size_pt: float, bold: bool = False) -> float:
    """Advance width of ``text`` in the print font, in millimetres.

    >>> 10 < text_width_mm("AY-1234", 7) < 14
    True
    """
    f = fonts()
    width: float = pdfmetrics.stringWidth(f.clean(text), f.bold if bold else f.normal, size_pt)
    return width / PT_PER_MM


def fit(text: str, width_mm: float, size_pt: float, bold: bool = False) -> str:
    """Shorten ``text`` with an ellipsis to fit ``width_mm``.

    >>> fit("Layanan Sertifikasi Halal", 15, 7)
    'Layanan…'
    >>> fit("Halal", 15, 7)
    'Halal'
    """
    if text_width_mm(text, size_pt, bold) <= width_mm:
        return text
    cut = len(text)
    while cut > 1 and text_width_mm(text[:cut] + "…", size_pt, bold) > width_mm:
        cut -= max(1, cut // 8)
    return text[:cut].rstrip() + "…"


def wrap(text: str, width_mm: float, size_pt: float, lines: int = 2) -> list[str]:
    """``text`` broken at spaces into at most ``lines`` lines of ``width_mm``; the last one is
    shortened with an ellipsis when the words do not fit.

    >>> wrap("Pindai untuk check-in lapak ini", 40, 5.5)
    ['Pindai untuk check-in lapak ini']
    >>> wrap("Pindai untuk check-in lapak ini", 20, 5.5)
    ['Pindai untuk', 'check-in lapak ini']
    """
    out: list[str] = []
    words = text.split()
    while words and len(out) < lines:
        line = words.pop(0)
        while words and text_width_mm(f"{line} {words[0]}", size_pt) <= width_mm:
            line = f"{line} {words.pop(0)}"
        out.append(line)
    if words:
        out[-1] = fit(f"{out[-1]} {' '.join(words)}", width_mm, size_pt)
    return [fit(line, width_mm, size_pt) for line in out]


def natural_key(code: str) -> list[Any]:
    """Sort key that puts ``A-9`` before ``A-10``, as booths stand along the street.

    >>> sorted(["A-10", "A-9", "B-1"], key=natural_key)
    ['A-9', 'A-10', 'B-1']
    """
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", code)]


@lru_cache(maxsize=256)
def colour(hex_colour: str, alpha: float = 1.0) -> Color:
    """``hex_colour`` laid over white paper at ``alpha`` (an opaque colour: prints the same).

    >>> colour("#000000", 0.5).hexval()
    '0x7f7f7f'
    """
    base = HexColor(hex_colour)
    mix = [1 - alpha + alpha * v for v in (base.red, base.green, base.blue)]
    return Color(*mix)


def path_ops(rings: Iterable[Any], *, close: bool, least: int) -> str:
    """PDF path operators (``m``, ``l``, ``h`` when ``close``) of every ring or polyline with at
    least ``least`` points, coordinates in mm to the micrometre.

    One format per ring over its numbers, instead of an object call per point (a layout sheet
    has some 30,000 points).

    >>> path_ops([[(0, 0), (1, 0), (1, 2.5)], [(5, 5)]], close=True, least=3)
    '0.000 0.000 m 1.000 0.000 l 1.000 2.500 l h '
    """
    parts = []
    for ring in rings:
        pts = np.asarray(ring, dtype=float)
        if pts.ndim != 2 or len(pts) < least:
            continue
        head = "%.3f %.3f m " + "%.3f %.3f l " * (len(pts) - 1)
        parts.append((head + "h " if close else head) % tuple(pts[:, :2].ravel().tolist()))
    return "".join(parts)


class Pen:
    """A reportlab canvas addressed in millimetres, y up, with sizes in points.

    Call :meth:`page` before drawing on each page and :meth:`close` for the PDF bytes.
    """

    def __init__(self, width_mm: float, height_mm: float, *, title: str, subject: str = "") -> None:
        self.fonts = fonts()
        self.width_mm, self.height_mm = width_mm, height_mm
        self.buffer = io.BytesIO()
        self.canvas = Canvas(
            self.buffer,
            pagesize=(width_mm * PT_PER_MM, height_mm * PT_PER_MM),
            invariant=True,
            pageCompression=1,
        )
        self.canvas.setTitle(title)
        self.canvas.setAuthor("PetaLapak")
        self.canvas.setSubject(subject)
        self.canvas.setCreator("PetaLapak")
        self._open = False

    # ------------------------------------------------------------------------------ pages
    def page(self) -> None:
        """Start a page (ending the previous one)."""
        if self._open:
            self.canvas.showPage()
        self.canvas.scale(PT_PER_MM, PT_PER_MM)
        self.canvas.setLineJoin(1)
        self._open = True

    def close(self) -> bytes:
        """The finished document."""
        if self._open:
            self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()

    # ------------------------------------------------------------------------------ style
    def fill(self, hex_colour: str, alpha: float = 1.0) -> None:
        """Fill colour, laid over white at ``alpha``."""
        self.canvas.setFillColor(colour(hex_colour, alpha))

    def stroke(
        self, hex_colour: str, width_pt: float, dash_mm: Sequence[float] | None = None
    ) -> None:
        """Stroke colour, width and dash pattern (``None``: solid)."""
        c = self.canvas
        c.setStrokeColor(colour(hex_colour))
        c.setLineWidth(width_pt / PT_PER_MM)
        c.setDash(list(dash_mm) if dash_mm else [])

    # ------------------------------------------------------------------------------ text
    def text(
        self,
        x: float,
        y: float,
        text: str,
        size_pt: float,
        *,
        weight: Weight = "normal",
        hex_colour: str = INK,
        align: Align = "left",
        valign: VAlign = "baseline",
        angle_deg: float = 0.0,
        box_fill: str | None = None,
        box_stroke: str | None = None,
    ) -> None:
        """One line of text at ``(x, y)`` mm, turned by ``angle_deg`` about that point, on an
        optional box (``box_fill``, ``box_stroke``) padded by a fifth of the size."""
        if not text:
            return
        c = self.canvas
        size = size_pt / PT_PER_MM
        font = self.fonts.name(weight)
        s = self.fonts.clean(text)
        turned = bool(angle_deg) or box_fill is not None or box_stroke is not None
        if turned:
            c.saveState()
            c.translate(x, y)
            if angle_deg:
                c.rotate(angle_deg)
            x = y = 0.0
        if box_fill is not None or box_stroke is not None:
            width: float = pdfmetrics.stringWidth(s, font, size)
            left = x - (0 if align == "left" else width if align == "right" else width / 2)
            pad = size * 0.2
            mid = y + (_VALIGN[valign] + 0.36) * size
            self.rect(
                left - pad,
                mid - 0.5 * size - pad,
                width + 2 * pad,
                size + 2 * pad,
                fill=box_fill,
                stroke=box_stroke,
                width_pt=0.4,
            )
        if c._fontname != font or c._fontsize != size:  # the state restoreState brings back
            c.setFont(font, size)
        ink = colour(hex_colour)
        if c._fillColorObj is not ink:  # colours are shared objects (lru_cache)
            c.setFillColor(ink)
        y += _VALIGN[valign] * size
        if align == "left":
            c.drawString(x, y, s)
        elif align == "right":
            c.drawRightString(x, y, s)
        else:
            c.drawCentredString(x, y, s)
        if turned:
            c.restoreState()

    def lines(
        self,
        x: float,
        y_top: float,
        lines: Iterable[str],
        size_pt: float,
        *,
        leading: float = 1.25,
        weight: Weight = "normal",
        hex_colour: str = INK,
        align: Align = "left",
    ) -> float:
        """Lines of text from ``y_top`` down; returns the y below the last line."""
        step = size_pt * leading / PT_PER_MM
        y = y_top
        for line in lines:
            self.text(
                x, y, line, size_pt, weight=weight, hex_colour=hex_colour, align=align, valign="top"
            )
            y -= step
        return y

    # ------------------------------------------------------------------------------ shapes
    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        fill: str | None = None,
        stroke: str | None = None,
        width_pt: float = 0.5,
        dash_mm: Sequence[float] | None = None,
        alpha: float = 1.0,
    ) -> None:
        """A rectangle from its lower left corner."""
        if fill:
            self.fill(fill, alpha)
        if stroke:
            self.stroke(stroke, width_pt, dash_mm)
        self.canvas.rect(x, y, w, h, stroke=1 if stroke else 0, fill=1 if fill else 0)

    def line(
        self,
        xy: Sequence[tuple[float, float]] | Any,
        *,
        stroke: str = INK,
        width_pt: float = 0.5,
        dash_mm: Sequence[float] | None = None,
    ) -> None:
        """An open polyline through ``xy`` (mm)."""
        ops = path_ops([xy], close=False, least=2)
        if not ops:
            return
        self.stroke(stroke, width_pt, dash_mm)
        path = self.canvas.beginPath()
        path._code.extend(("n", ops))  # as reportlab starts a path
        self.canvas.drawPath(path, stroke=1, fill=0)

    def polygons(
        self,
        rings: Iterable[Any],
        *,
        fill: str | None = None,
        stroke: str | None = None,
        width_pt: float = 0.5,
        dash_mm: Sequence[float] | None = None,
        alpha: float = 1.0,
        see_through: bool = False,
    ) -> None:
        """Closed rings (each an ``(n, 2)`` array in mm) as one path, filled even-odd.

        The fill is ``alpha`` laid over white, or with ``see_through`` truly transparent (what is
        below shows through).
        """
        ops = path_ops(rings, close=True, least=3)
        if not ops:
            return
        path = self.canvas.beginPath()
        path._code.extend(("n", ops))  # as reportlab starts a path
        c = self.canvas
        if see_through:
            c.saveState()
        if fill:
            self.fill(fill, 1.0 if see_through else alpha)
            if see_through:
                c.setFillAlpha(alpha)  # after the colour, which brings an alpha of its own
        if stroke:
            self.stroke(stroke, width_pt, dash_mm)
        c.drawPath(path, stroke=1 if stroke else 0, fill=1 if fill else 0, fillMode=0)
        if see_through:
            c.restoreState()

    def clip_rings(self, rings: Iterable[Any]) -> None:
        """Clip what follows to closed rings (inside :meth:`save`)."""
        path = self.canvas.beginPath()
        path._code.extend(("n", path_ops(rings, close=True, least=3)))
        self.canvas.clipPath(path, stroke=0, fill=0, fillMode=0)

    def segments(self, pairs: Iterable[Any], *, stroke: str = INK, width_pt: float = 0.25) -> None:
        """Many straight segments ``((x0, y0), (x1, y1))`` as one stroked path."""
        ops = path_ops(pairs, close=False, least=2)
        if ops:
            path = self.canvas.beginPath()
            path._code.extend(("n", ops))  # as reportlab starts a path
            self.stroke(stroke, width_pt)
            self.canvas.drawPath(path, stroke=1, fill=0)

    def circle(
        self,
        x: float,
        y: float,
        r: float,
        *,
        fill: str | None = None,
        stroke: str | None = None,
        width_pt: float = 0.5,
    ) -> None:
        """A circle of radius ``r`` mm."""
        if fill:
            self.fill(fill)
        if stroke:
            self.stroke(stroke, width_pt)
        self.canvas.circle(x, y, r, stroke=1 if stroke else 0, fill=1 if fill else 0)

    def clip_rect(self, x: float, y: float, w: float, h: float) -> None:
        """Clip what follows to a rectangle (inside :meth:`saved`)."""
        path = self.canvas.beginPath()
        path.rect(x, y, w, h)
        self.canvas.clipPath(path, stroke=0, fill=0)

    def save(self) -> None:
        """Save the graphics state (clips end at :meth:`restore`)."""
        self.canvas.saveState()

    def restore(self) -> None:
        """Restore the graphics state."""
        self.canvas.restoreState()
