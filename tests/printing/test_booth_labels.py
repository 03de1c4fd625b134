"""Booth labels: every code once, 21 to a page, and QR codes printed module for module."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from app.printing.booth_labels import (
    COLS,
    GAP_X,
    LABEL_H,
    LABEL_W,
    PAGE_H,
    PAGE_W,
    QR_MM,
    ROWS,
    BoothLabel,
    LabelTexts,
    dark_runs,
    qr_matrix,
    render_booth_labels_pdf,
)

TEXTS = LabelTexts(
    event="CFD Jl. Ahmad Yani",
    when="Minggu, 6 Desember 2026 · 06.00–09.00",
    hint="Petugas: pindai untuk check-in lapak ini",
    page="Halaman {n} dari {total}",
)


def _labels(n: int) -> list[BoothLabel]:
    return [
        BoothLabel(
            f"A-{i}",
            f"https://petalapak.example/crew/b/{1000 + i}",
            "Meja layanan Halal" if i % 10 == 0 else "",
        )
        for i in range(1, n + 1)
    ]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 1), min_size=7, max_size=7), min_size=1, max_size=7))
def test_runs_cover_exactly_the_dark_modules(matrix: list[list[int]]) -> None:
    rebuilt = [[0] * len(row) for row in matrix]
    for r, c, n in dark_runs(matrix):
        assert n > 0
        for k in range(c, c + n):
            assert rebuilt[r][k] == 0  # runs never overlap
            rebuilt[r][k] = 1
    assert rebuilt == matrix


def test_every_code_once_and_21_to_a_page() -> None:
    pdf = render_booth_labels_pdf(_labels(45), TEXTS)
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == 3
    text = "\n".join(p.extract_text() for p in pages)
    codes = Counter(re.findall(r"(?<![\w-])A-\d+(?![\w-])", text))
    assert codes == Counter({f"A-{i}": 1 for i in range(1, 46)})
    assert "Halaman 3 dari 3" in text and text.count("Meja layanan Halal") == 4
    first = pages[0].extract_text()
    assert Counter(re.findall(r"(?<![\w-])A-\d+(?![\w-])", first)).total() == 21


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) missing")
def test_the_printed_qr_code_is_the_matrix_of_the_address(tmp_path: Path) -> None:
    """Rasterise the page and read every module's centre back: the QR code on paper is the one
    segno made for the label's address (what a phone decodes)."""
    labels = _labels(5)
    pdf = tmp_path / "labels.pdf"
    pdf.write_bytes(render_booth_labels_pdf(labels, TEXTS))
    dpi = 300
    subprocess.run(
        [
            "pdftoppm",
            "-gray",
            "-r",
            str(dpi),
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(tmp_path / "page"),
        ],
        check=True,
        timeout=60,
    )
    raw = next(tmp_path.glob("page*.pgm")).read_bytes()
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", raw)
    assert header
    width = int(header.group(1))
    pixels = raw[header.end() :]
    left = (PAGE_W - COLS * LABEL_W - (COLS - 1) * GAP_X) / 2
    bottom = (PAGE_H - ROWS * LABEL_H) / 2
    for i in (0, 4):  # first row, first label; second row, second label
        col, row = i % COLS, i // COLS
        x = left + col * (LABEL_W + GAP_X) + LABEL_W - QR_MM - 1.5
        y_top = bottom + (ROWS - 1 - row) * LABEL_H + (LABEL_H - QR_MM) / 2 + QR_MM
        matrix = qr_matrix(labels[i].url)
        module = QR_MM / len(matrix)
        read = [
            [
                1
                if pixels[
                    int((PAGE_H - (y_top - (r + 0.5) * module)) * dpi / 25.4) * width
                    + int((x + (c + 0.5) * module) * dpi / 25.4)
                ]
                < 128
                else 0
                for c in range(len(matrix))
            ]
            for r in range(len(matrix))
        ]
        assert read == matrix, labels[i].url


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) missing")
def test_a_phone_reads_the_address_off_the_printed_page(tmp_path: Path) -> None:
    """Decode the rasterised page with a QR reader: every card opens its own booth's address."""
    zxingcpp = pytest.importorskip("zxingcpp")
    np = pytest.importorskip("numpy")
    labels = _labels(21)
    pdf = tmp_path / "labels.pdf"
    pdf.write_bytes(render_booth_labels_pdf(labels, TEXTS))
    subprocess.run(
        ["pdftoppm", "-gray", "-r", "200", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
        check=True,
        timeout=60,
    )
    raw = next(tmp_path.glob("p*.pgm")).read_bytes()
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", raw)
    assert header
    width, height = int(header.group(1)), int(header.group(2))
    image = np.frombuffer(raw[header.end() :], dtype=np.uint8).reshape(height, width)
    read = {b.text for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)}
    assert read == {label.url for label in labels}


def test_paths_made_together_or_remembered_are_each_codes_own_runs() -> None:
    """Codes encoded a page at a time (runs found in one array operation per symbol size), and
    codes taken from the memory of earlier sheets, are exactly each address's dark runs."""
    from app.printing import booth_labels

    urls = [f"https://petalapak.example/crew/b/{n}" for n in (1, 22, 333, 4444, 55555, 7)]
    urls.append("https://petalapak.example/crew/b/1?" + "x" * 60)  # a bigger symbol among them
    booth_labels._PATHS.clear()
    fresh = booth_labels._qr_paths(urls)
    again = booth_labels._qr_paths(list(reversed(urls)))
    assert again == list(reversed(fresh))
    for url, (side, body) in zip(urls, fresh, strict=True):
        matrix = qr_matrix(url)
        assert side == len(matrix)
        expected = "".join(f"{c} {r} {n} 1 re " for r, c, n in dark_runs(matrix))
        assert body == expected
    assert len({side for side, _ in fresh}) == 2
