"""Booth labels: one card per booth with its code and a QR code, 21 to an A4 sheet.

The crew tape them to the booths when setting up; on the day anyone from the crew scans a label
and lands on the check-in list filtered to that booth, so checking a vendor in takes one tap
instead of a search on a small phone. The sheet has the common 3 × 7 grid of 63.5 × 38.1 mm
labels, so it prints on plain paper (cut along the grey lines) or on ready-cut label sheets.

Each QR code is encoded once per booth (zxing-cpp, a C++ encoder that picks the mask by the
standard's penalty rules: about 0.5 ms a code, where a pure Python encoder takes several) and
drawn as vector rectangles, one per horizontal run of dark modules, in a single path set in
module units under one transform, so it stays sharp at any zoom or printer resolution. Pure: no
Flask, no database; texts come from the caller.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import zxingcpp
from numpy.typing import NDArray

from app.printing.typeset import GREY, INK, PT_PER_MM, Pen, fit, text_width_mm, wrap

__all__ = [
    "COLS",
    "GAP_X",
    "LABEL_H",
    "LABEL_W",
    "PAGE_H",
    "PAGE_W",
    "QR_MM",
    "ROWS",
    "BoothLabel",
    "LabelTexts",
    "dark_runs",
    "qr_matrix",
    "render_booth_labels_pdf",
]

#: A4 portrait and the 21-up label grid (mm).
PAGE_W, PAGE_H = 210.0, 297.0
COLS, ROWS = 3, 7
LABEL_W, LABEL_H = 63.5, 38.1
#: Gap between columns of a ready-cut sheet (mm); rows touch.
GAP_X = 2.5
#: The QR code's side, quiet zone included (mm): about 0.65 mm per module for the short
#: ``/crew/b/<id>`` address (version 3-4), which a phone camera reads from arm's length.
QR_MM = 27.0
#: Quiet zone around the symbol, in modules (the standard asks for 4).
QUIET = 4
CUT_GREY = "#9e9e9e"


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


def _modules(url: str) -> NDArray[np.bool_]:
    """The QR code of ``url`` (error correction M) without its quiet zone, True = dark."""
    barcode = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    modules: NDArray[np.bool_] = np.asarray(barcode.to_image(scale=1, add_quiet_zones=False)) < 128
    return modules


def _symbol(url: str) -> NDArray[np.bool_]:
    """The QR code of ``url`` with its quiet zone, True = dark."""
    return np.pad(_modules(url), QUIET, constant_values=False)


def qr_matrix(url: str) -> list[list[int]]:
    """The QR code of ``url`` with its 4-module quiet zone, 1 = dark.

    >>> m = qr_matrix("https://petalapak.example/crew/b/1")
    >>> len(m) == len(m[0]), m[4][4:11], m[0][:4]
    (True, [1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 0])
    """
    return [[int(v) for v in row] for row in _symbol(url)]


def dark_runs(matrix: Sequence[Sequence[int]] | NDArray[np.bool_]) -> list[tuple[int, int, int]]:
    """``(row, first column, length)`` of every horizontal run of dark modules.

    >>> dark_runs([[1, 1, 0, 1], [0, 0, 0, 0], [0, 1, 1, 1]])
    [(0, 0, 2), (0, 3, 1), (2, 1, 3)]
    """
    runs = _runs(np.asarray(matrix, dtype=bool))
    return [(r, c, n) for r, c, n in runs.tolist()]


def _runs(dark: NDArray[np.bool_]) -> NDArray[np.int64]:
    """``(n, 3)`` rows of ``(row, first column, length)``, in reading order."""
    if dark.size == 0:
        return np.zeros((0, 3), dtype=np.int64)
    padded = np.zeros((dark.shape[0], dark.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = dark
    edges = np.diff(padded, axis=1)
    rows, starts = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)  # row-major order: pairs up with the starts
    return np.column_stack([rows, starts, ends - starts]).astype(np.int64)


def _qr_path(url: str) -> tuple[int, str]:
    """The symbol's side in modules (quiet zone included) and its dark runs as PDF rectangles
    in module units from the quiet zone's corner.

    The path is made once per booth; the page places it with one transform.
    """
    return _qr_paths([url])[0]


#: Paths already made, by address: a QR code is a pure function of its text, so a label sheet
#: drawn again (after vendors move, in another language) encodes nothing it encoded before.
#: Bounded (about 3 KB a code); the oldest go first.
_PATHS: dict[str, tuple[int, str]] = {}
_PATHS_MAX = 4096
_PATHS_LOCK = threading.Lock()


def _qr_paths(urls: Sequence[str]) -> list[tuple[int, str]]:
    """:func:`_qr_path` of each address, those not made before encoded now and their runs found
    together, one array operation per symbol size (a page's codes are mostly one size)."""
    with _PATHS_LOCK:
        found = [_PATHS.get(url) for url in urls]
    todo = [i for i, hit in enumerate(found) if hit is None]
    symbols = {i: _modules(urls[i]) for i in todo}
    by_shape: dict[tuple[int, ...], list[int]] = {}
    for i in todo:
        by_shape.setdefault(symbols[i].shape, []).append(i)
    made: dict[str, tuple[int, str]] = {}
    for shape, members in by_shape.items():
        stack = np.stack([symbols[i] for i in members])  # (codes, rows, columns)
        padded = np.zeros((len(members), shape[0], shape[1] + 2), dtype=np.int8)
        padded[:, :, 1:-1] = stack
        edges = np.diff(padded, axis=2)
        code, rows, starts = np.nonzero(edges == 1)
        ends = np.nonzero(edges == -1)[2]  # the same order: pairs up with the starts
        runs = np.column_stack([starts + QUIET, rows + QUIET, ends - starts])
        bounds = np.searchsorted(code, np.arange(len(members) + 1))
        side = shape[0] + 2 * QUIET
        for k, i in enumerate(members):
            mine = runs[bounds[k] : bounds[k + 1]]
            body = ("%d %d %d 1 re " * len(mine)) % tuple(mine.ravel().tolist())
            found[i] = made[urls[i]] = (side, body)
    if made:
        with _PATHS_LOCK:
            _PATHS.update(made)
            while len(_PATHS) > _PATHS_MAX:
                del _PATHS[next(iter(_PATHS))]
    return [hit for hit in found if hit is not None]


def _code_pt(code: str, width_mm: float) -> float:
    """The largest size up to 20 pt at which the booth code fits ``width_mm``."""
    size = 20.0
    while size > 8 and text_width_mm(code, size, bold=True) > width_mm:
        size -= 1
    return size


def render_booth_labels_pdf(
    labels: Sequence[BoothLabel],
    texts: LabelTexts,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """Every label in the given order, 21 to an A4 page, as PDF bytes.

    ``progress(done, total)`` is told the page count first, then after each page.
    """
    per_page = COLS * ROWS
    pages = [labels[i : i + per_page] for i in range(0, len(labels), per_page)] or [[]]
    left = (PAGE_W - COLS * LABEL_W - (COLS - 1) * GAP_X) / 2
    bottom = (PAGE_H - ROWS * LABEL_H) / 2
    pen = Pen(PAGE_W, PAGE_H, title=texts.event, subject=texts.when)
    c = pen.canvas
    ink = INK.lstrip("#")
    ink_rgb = " ".join(f"{int(ink[i : i + 2], 16) / 255:.3f}" for i in (0, 2, 4))
    qx, qy = LABEL_W - QR_MM - 1.5, (LABEL_H - QR_MM) / 2  # the QR code on the card
    tx = 3.0
    room = qx - tx - 1.5  # the text column left of the QR code
    if progress is not None:
        progress(0, len(pages))
    for n, page in enumerate(pages, start=1):
        pen.page()
        if n == 1:
            _card_form(pen, texts, tx, room)
        paths = _qr_paths([label.url for label in page])
        for i, label in enumerate(page):
            col, row = i % COLS, i // COLS
            x = left + col * (LABEL_W + GAP_X)
            y = bottom + (ROWS - 1 - row) * LABEL_H
            c.saveState()
            c.translate(x, y)
            c.doForm(_CARD)
            side, body = paths[i]
            module = QR_MM / side
            # module units: x right, y down from the symbol's top left corner
            c.addLiteral(
                f"{ink_rgb} rg {module:.5f} 0 0 {-module:.5f} {qx:.4f} {qy + QR_MM:.4f} cm {body} f"
            )
            c.restoreState()
            pen.text(
                x + tx,
                y + LABEL_H - 4.0,
                label.code,
                _code_pt(label.code, room),
                weight="bold",
                valign="top",
            )
            if label.caption:
                pen.text(
                    x + tx, y + LABEL_H - 14.5, fit(label.caption, room, 7.5), 7.5, valign="top"
                )
        pen.text(
            PAGE_W / 2,
            bottom - 5,
            texts.page.format(n=n, total=len(pages)),
            7,
            hex_colour=GREY,
            align="center",
            valign="top",
        )
        if progress is not None:
            progress(n, len(pages))
    return pen.close()


#: Name of the form holding what every card shares (cut line, hint, event and date).
_CARD = "PL-card"


def _card_form(pen: Pen, texts: LabelTexts, tx: float, room: float) -> None:
    """Draw the shared part of a card once, in card coordinates, as a reusable form."""
    c = pen.canvas
    c.beginForm(_CARD, lowerx=0, lowery=0, upperx=LABEL_W, uppery=LABEL_H)
    pen.rect(0, 0, LABEL_W, LABEL_H, stroke=CUT_GREY, width_pt=0.3, dash_mm=(0.7, 0.7))
    hint = wrap(texts.hint, room, 5.5)
    step = 5.5 * 1.15 / PT_PER_MM
    pen.lines(tx, 9.5 + step * len(hint), hint, 5.5, leading=1.15)
    small = [fit(texts.event, room, 5), fit(texts.when, room, 5)]
    pen.lines(tx, 3.0 + 2 * 5 * 1.2 / PT_PER_MM, small, 5, leading=1.2, hex_colour=GREY)
    c.endForm()
