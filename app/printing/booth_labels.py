"""Booth labels: one card per booth with its code and a QR code, 21 to an A4 sheet.

The crew tape them to the booths when setting up; on the day anyone from the crew scans a label
and lands on the check-in list filtered to that booth, so checking a vendor in takes one tap
instead of a search on a small phone. The sheet has the common 3 × 7 grid of 63.5 × 38.1 mm
labels, so it prints on plain paper (cut along the grey lines) or on ready-cut label sheets.

QR modules are drawn as vector rectangles (one per horizontal run of dark modules), so they
stay sharp at any zoom or printer resolution. Pure: no Flask, no database; texts come from the
caller.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib
import segno
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path

from app.printing.pdf import _LOCK, _RC, INK, _fit, _text_width_mm

#: A4 portrait and the 21-up label grid (mm).
PAGE_W, PAGE_H = 210.0, 297.0
COLS, ROWS = 3, 7
LABEL_W, LABEL_H = 63.5, 38.1
#: Gap between columns of a ready-cut sheet (mm); rows touch.
GAP_X = 2.5
#: The QR code's side, quiet zone included (mm): about 0.65 mm per module for the short
#: ``/crew/b/<id>`` address (version 3-4), which a phone camera reads from arm's length.
QR_MM = 27.0
GREY = "#9e9e9e"


@dataclass(frozen=True)
class BoothLabel:
    """What one card says: the booth code, a short caption (e.g. a service desk's name), and
    the address its QR code opens."""

    code: str
    url: str
    caption: str = ""


@dataclass(frozen=True)
class LabelTexts:
    """The sheet's texts, translated by the caller."""

    event: str
    when: str
    hint: str
    page: str  # str.format fields {n} and {total}


def dark_runs(matrix: Sequence[Sequence[int]]) -> list[tuple[int, int, int]]:
    """``(row, first column, length)`` of every horizontal run of dark modules.

    >>> dark_runs([[1, 1, 0, 1], [0, 0, 0, 0], [0, 1, 1, 1]])
    [(0, 0, 2), (0, 3, 1), (2, 1, 3)]
    """
    runs: list[tuple[int, int, int]] = []
    for r, row in enumerate(matrix):
        start = None
        for c, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = c
            elif not dark and start is not None:
                runs.append((r, start, c - start))
                start = None
    return runs


def qr_matrix(url: str) -> list[list[int]]:
    """The QR code of ``url`` (error correction M) with its 4-module quiet zone, 1 = dark."""
    qr = segno.make(url, error="m")
    return [[1 if dark else 0 for dark in row] for row in qr.matrix_iter(scale=1, border=4)]


def _qr_cells(url: str, x: float, y: float, side: float) -> list[list[tuple[float, float]]]:
    matrix = qr_matrix(url)
    module = side / len(matrix)
    top = y + side
    cells = []
    for r, c, n in dark_runs(matrix):
        x0, x1 = x + c * module, x + (c + n) * module
        y1 = top - r * module
        y0 = y1 - module
        cells.append([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
    return cells


def _compound(cells: list[list[tuple[float, float]]]) -> Path:
    verts: list[tuple[float, float]] = []
    for quad in cells:
        verts.extend([*quad, quad[0]])
    square = [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY]
    return Path(verts, square * len(cells))


def _wrap(text: str, width_mm: float, size_pt: float, lines: int = 2) -> list[str]:
    """``text`` broken at spaces into at most ``lines`` lines of ``width_mm``; the last one is
    shortened with an ellipsis when the words do not fit.

    >>> _wrap("Pindai untuk check-in lapak ini", 40, 5.5)
    ['Pindai untuk check-in lapak ini']
    >>> _wrap("Pindai untuk check-in lapak ini", 20, 5.5)
    ['Pindai untuk', 'check-in lapak ini']
    """
    out: list[str] = []
    words = text.split()
    while words and len(out) < lines:
        line = words.pop(0)
        while words and _text_width_mm(f"{line} {words[0]}", size_pt) <= width_mm:
            line = f"{line} {words.pop(0)}"
        out.append(line)
    if words:
        out[-1] = _fit(f"{out[-1]} {' '.join(words)}", width_mm, size_pt)
    return [_fit(line, width_mm, size_pt) for line in out]


def _code_pt(code: str, width_mm: float) -> float:
    """The largest size up to 20 pt at which the booth code fits ``width_mm``."""
    size = 20.0
    while size > 8 and _text_width_mm(code, size, bold=True) > width_mm:
        size -= 1
    return size


def render_booth_labels_pdf(labels: Sequence[BoothLabel], texts: LabelTexts) -> bytes:
    """Every label in the given order, 21 to an A4 page, as PDF bytes."""
    per_page = COLS * ROWS
    pages = [labels[i : i + per_page] for i in range(0, len(labels), per_page)] or [[]]
    left = (PAGE_W - COLS * LABEL_W - (COLS - 1) * GAP_X) / 2
    bottom = (PAGE_H - ROWS * LABEL_H) / 2
    buffer = io.BytesIO()
    with _LOCK, matplotlib.rc_context(_RC):
        pdf = PdfPages(buffer)
        for n, page in enumerate(pages, start=1):
            fig = Figure(figsize=(PAGE_W / 25.4, PAGE_H / 25.4))
            ax = fig.add_axes((0, 0, 1, 1))
            ax.set_xlim(0, PAGE_W)
            ax.set_ylim(0, PAGE_H)
            ax.set_axis_off()
            cells: list[list[tuple[float, float]]] = []
            for i, label in enumerate(page):
                col, row = i % COLS, i // COLS
                x = left + col * (LABEL_W + GAP_X)
                y = bottom + (ROWS - 1 - row) * LABEL_H
                ax.add_artist(
                    Rectangle(
                        (x, y),
                        LABEL_W,
                        LABEL_H,
                        fill=False,
                        edgecolor=GREY,
                        lw=0.3,
                        linestyle=(0, (2, 2)),
                        transform=ax.transData,
                    )
                )
                qx = x + LABEL_W - QR_MM - 1.5
                qy = y + (LABEL_H - QR_MM) / 2
                cells.extend(_qr_cells(label.url, qx, qy, QR_MM))
                tx = x + 3.0
                room = qx - tx - 1.5  # the text column left of the QR code
                ax.text(
                    tx,
                    y + LABEL_H - 4.0,
                    label.code,
                    fontsize=_code_pt(label.code, room),
                    fontweight="bold",
                    va="top",
                    color=INK,
                )
                if label.caption:
                    ax.text(
                        tx,
                        y + LABEL_H - 14.5,
                        _fit(label.caption, room, 7.5),
                        fontsize=7.5,
                        va="top",
                        color=INK,
                    )
                ax.text(
                    tx,
                    y + 9.5,
                    "\n".join(_wrap(texts.hint, room, 5.5)),
                    fontsize=5.5,
                    va="bottom",
                    color=INK,
                    linespacing=1.15,
                )
                ax.text(
                    tx,
                    y + 3.0,
                    f"{_fit(texts.event, room, 5)}\n{_fit(texts.when, room, 5)}",
                    fontsize=5,
                    va="bottom",
                    color=GREY,
                    linespacing=1.2,
                )
            if cells:
                # one compound path for every module of the page: the PDF gets one fill
                # operation instead of thousands of separate paths (added as an artist: the
                # limits are fixed, and measuring 6,000 squares for autoscaling is slow)
                ax.add_artist(
                    PathPatch(
                        _compound(cells),
                        facecolor=INK,
                        edgecolor="none",
                        antialiased=False,
                        transform=ax.transData,
                    )
                )
            ax.text(
                PAGE_W / 2,
                bottom - 5,
                texts.page.format(n=n, total=len(pages)),
                fontsize=7,
                ha="center",
                va="top",
                color=GREY,
            )
            pdf.savefig(fig)  # type: ignore[no-untyped-call,unused-ignore]
        pdf.close()  # type: ignore[no-untyped-call,unused-ignore]
    return buffer.getvalue()
