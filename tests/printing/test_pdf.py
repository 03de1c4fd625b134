"""The PDF renderer on a small synthetic street: no app, no database.

A 900 m street in EPSG:32749 metres with booths on both kerbs, two service desks, a booth in
conflict, a hydrant, a crossing and an emergency lane.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import fields
from pathlib import Path

import pytest
from pypdf import PdfReader
from shapely import LineString, Point, box
from shapely.affinity import rotate

from app.printing.model import LayoutData, PrintBooth, PrintFeature, PrintLabels, VendorRow
from app.printing.pdf import render_layout_pdf, render_vendor_list_pdf
from app.printing.plan import plan_layout

X0, Y0 = 315000.0, 9994000.0
LENGTH_M = 900.0
ANGLE = 25.0  # degrees: the street is not aligned with the grid


def _turn(geom):  # type: ignore[no-untyped-def]
    return rotate(geom, ANGLE, origin=(X0, Y0))


def _labels() -> PrintLabels:
    templates = {
        "segment": "Segment {n}",
        "page": "Page {n} of {total}",
        "continue_to": "to segment {n} →",
        "continued_from": "← from segment {n}",
        "match_line": "match {a} | {b}",
        "chainage": "{a}–{b} m",
        "booth_count": "{n} booths",
        "scale": "Scale 1:{scale} on {paper}",
    }
    values = {
        f.name: templates.get(f.name, f.name.replace("_", " ").title())
        for f in fields(PrintLabels)
        if f.type == "str"
    }
    return PrintLabels(
        **values,
        booth_states={"ok": "No conflict", "blocking": "Conflict", "service_desk": "Service desk"},
    )


def _street() -> LayoutData:
    corridor = _turn(box(X0, Y0 - 5.25, X0 + LENGTH_M, Y0 + 5.25))
    booths = []
    n = 0
    for _side, y in (("L", 2.15), ("R", -5.15)):
        x = 1.0
        while x + 3 <= LENGTH_M - 1:
            n += 1
            kind = "service_desk" if n in (40, 41) else "vendor"
            code = f"T-D{n:02d}" if kind == "service_desk" else f"T-{n:04d}"
            booths.append(
                PrintBooth(
                    code,
                    _turn(box(X0 + x, Y0 + y, X0 + x + 3, Y0 + y + 3)),
                    kind,
                    "blocking" if n == 7 else "service_desk" if kind == "service_desk" else "ok",
                    "Halal" if kind == "service_desk" else "",
                )
            )
            x += 3.0 if n % 20 else 6.0
    vendors = [VendorRow(b.code, b.kind) for b in booths]
    vendors[2] = VendorRow(
        booths[2].code,
        "vendor",
        "Es Teh Bu Ani",
        "Ani",
        "minuman",
        "0812-0000-1111",
        checked_in=True,
    )
    return LayoutData(
        title="Synthetic CFD",
        when="Sunday",
        place="Test city",
        printed="Printed now",
        corridor=corridor,
        booths=booths,
        facilities=[
            PrintFeature("hydrant", _turn(Point(X0 + 100, Y0 + 6)), "Hydrant 1"),
            PrintFeature(
                "crossing", _turn(LineString([(X0 + 300, Y0 - 5), (X0 + 300, Y0 + 5)])), "Zebra"
            ),
            PrintFeature("bus_stop", _turn(Point(X0 + 500, Y0 - 6.5)), "Halte"),
        ],
        zones=[
            PrintFeature(
                "emergency_lane", _turn(box(X0, Y0 - 2.15, X0 + LENGTH_M, Y0 + 2.15)), "Lane"
            )
        ],
        vendors=vendors,
        note="EPSG:32749",
    )


def _texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _codes(text: str) -> Counter[str]:
    return Counter(re.findall(r"(?<![\w-])T-D?\d+(?![\w-])", text))


@pytest.mark.parametrize("paper", ["A3", "A4"])
def test_every_booth_code_is_printed_once_on_the_map_sheets(paper: str) -> None:
    data = _street()
    plan = plan_layout(data, paper)
    pdf = render_layout_pdf(data, _labels(), paper=paper, plan=plan)
    pages = _texts(pdf)
    maps = pages[1 : 1 + plan.map_pages]
    codes = [b.code for b in data.booths]
    assert _codes(pages[0]) == Counter()  # the overview names segments, not booths
    assert _codes("\n".join(maps)) == Counter(codes)
    listed = _codes("\n".join(pages[1 + plan.map_pages :]))
    assert listed == Counter(codes)
    assert len(pages) > 1 + plan.map_pages
    assert "Es Teh Bu Ani (Ani)" in "\n".join(pages)
    assert "0812-0000-1111" in "\n".join(pages)
    assert f"Page 1 of {len(pages)}" in pages[0]
    # segments follow each other with matching marks
    assert len(plan.sheets) >= 2
    assert "to segment 2 →" in maps[0]
    assert "← from segment 1" in "\n".join(maps)


def test_a4_needs_more_segments_than_a3() -> None:
    data = _street()
    assert len(plan_layout(data, "A4").sheets) > len(plan_layout(data, "A3").sheets)


def test_codes_are_set_large_enough_to_read() -> None:
    from app.printing.plan import LABEL_PT

    assert LABEL_PT >= 7


def test_codes_are_horizontal_and_at_least_7_pt_on_a3() -> None:
    """Read the map pages' text operations back: every booth code upright, 7 pt or more."""
    data = _street()
    plan = plan_layout(data, "A3")
    pdf = render_layout_pdf(data, _labels(), paper="A3", plan=plan, include_list=False)
    seen: list[tuple[float, float, float]] = []

    def visit(text, cm, tm, font, size) -> None:  # type: ignore[no-untyped-def]
        if re.fullmatch(r"\s*T-D?\d+\s*", text or ""):
            a, b, c, d = (
                cm[0] * tm[0] + cm[2] * tm[1],
                cm[1] * tm[0] + cm[3] * tm[1],
                cm[0] * tm[2] + cm[2] * tm[3],
                cm[1] * tm[2] + cm[3] * tm[3],
            )
            seen.append((b, c, size * (a * d - b * c) ** 0.5))

    for page in PdfReader(io.BytesIO(pdf)).pages[1 : 1 + plan.map_pages]:
        page.extract_text(visitor_text=visit)
    assert len(seen) == len(data.booths)
    assert all(abs(b) < 1e-9 and abs(c) < 1e-9 for b, c, _ in seen)  # not turned
    assert min(pt for _, _, pt in seen) >= 7 - 1e-6


def test_stall_names_under_the_codes_at_1_500() -> None:
    data = _street()
    plan = plan_layout(data, "A3", names=True)
    assert plan.paper.scale == 500
    pdf = render_layout_pdf(data, _labels(), paper="A3", names=True, include_list=False)
    maps = "\n".join(_texts(pdf)[1 : 1 + plan.map_pages])
    assert "Es Teh Bu Ani" in maps  # the one stall with a vendor
    assert "Halal" in maps  # service desks carry their desk's name
    assert _codes(maps) == Counter(b.code for b in data.booths)


def test_vendor_list_alone_uses_the_segments_of_the_map() -> None:
    data = _street()
    plan = plan_layout(data, "A3")
    pdf = render_vendor_list_pdf(data, _labels(), paper="A3", plan=plan)
    text = "\n".join(_texts(pdf))
    assert _codes(text) == Counter(b.code for b in data.booths)
    segment = plan.segment_of(data.booths)
    last = data.booths[-1].code
    assert re.search(rf"{re.escape(last)}\s+{segment[last]}\b", text)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) missing")
def test_a_map_page_renders_to_png(tmp_path: Path) -> None:
    pdf = tmp_path / "layout.pdf"
    pdf.write_bytes(render_layout_pdf(_street(), _labels(), paper="A4", include_list=False))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "2", "-l", "2", str(pdf), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    png = next(tmp_path.glob("page*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 5_000


@pytest.mark.parametrize(
    "name",
    [
        "__init__.py",
        "model.py",
        "sheets.py",
        "plan.py",
        "typeset.py",
        "map_layers.py",
        "checkin_list.py",
        "pdf.py",
        "booth_labels.py",
    ],
)
def test_printing_modules_stay_pure(name: str) -> None:
    """No web framework or database in the renderer: the service layer feeds it plain data."""
    import ast

    path = Path(__file__).resolve().parents[2] / "app" / "printing" / name
    forbidden = (
        "flask",
        "sqlalchemy",
        "geoalchemy2",
        "app.models",
        "app.services",
        "app.routes",
        "app.db",
        "werkzeug",
        "folium",
        "matplotlib",
        "app.maps",
        "app.views",
    )
    for node in ast.walk(ast.parse(path.read_text())):
        names = (
            [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else [node.module]
            if isinstance(node, ast.ImportFrom) and node.module
            else []
        )
        assert not any(n.startswith(forbidden) for n in names), f"{name} imports {names}"


class _RecordingPen:
    """Keeps the segments a pattern draws (and ignores clipping)."""

    def __init__(self) -> None:
        self.segments_drawn: list[tuple[tuple[float, float], tuple[float, float]]] = []
        self.colours: set[str] = set()

    def save(self) -> None: ...

    def restore(self) -> None: ...

    def clip_rings(self, rings: object) -> None: ...

    def segments(self, pairs: object, *, stroke: str, width_pt: float) -> None:
        self.segments_drawn.extend(pairs)  # type: ignore[arg-type]
        self.colours.add(stroke)


def _slopes(pen: _RecordingPen) -> set[float]:
    return {
        round((y1 - y0) / (x1 - x0), 6) if x1 != x0 else float("inf")
        for (x0, y0), (x1, y1) in pen.segments_drawn
    }


def test_zone_patterns_in_the_pdf_are_those_of_the_web_maps() -> None:
    """Hatched (no vending), cross-hatched (keep clear) and dotted (timed), as on screen."""
    import numpy as np

    from app.printing.map_layers import MapLayers
    from app.styles import ZONE_STYLES

    ring = np.array([[0.0, 0.0], [20.0, 0.0], [20.0, 10.0], [0.0, 10.0]])
    drawn = {}
    for kind in ("no_vending", "emergency_lane", "pkl_timed"):
        style = ZONE_STYLES[kind]
        assert style.pattern is not None
        pen = _RecordingPen()
        holder = type("Layers", (), {"pen": pen})()
        MapLayers._pattern(holder, [ring], style.pattern, style.color)  # type: ignore[arg-type]
        assert pen.colours == {style.color} and pen.segments_drawn, kind
        drawn[kind] = pen
    assert _slopes(drawn["no_vending"]) == {1.0}  # one diagonal
    assert _slopes(drawn["emergency_lane"]) == {1.0, -1.0}  # both
    dots = drawn["pkl_timed"].segments_drawn
    assert _slopes(drawn["pkl_timed"]) == {0.0}  # short ticks on a grid
    assert all(abs(x1 - x0) < 0.5 for (x0, _y0), (x1, _y1) in dots)
    assert len(dots) == len({(round(x0, 3), round(y0, 3)) for (x0, y0), _ in dots}) >= 50


def test_every_patterned_zone_kind_is_drawn_with_its_pattern_on_the_map_and_legend(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.printing.map_layers import MapLayers
    from app.styles import ZONE_STYLES

    seen: list[tuple[str, str]] = []
    original = MapLayers._pattern

    def record(self: MapLayers, rings: object, pattern: str, colour: str) -> None:
        seen.append((pattern, colour))
        original(self, rings, pattern, colour)  # type: ignore[arg-type]

    monkeypatch.setattr(MapLayers, "_pattern", record)
    data = _street()
    data.zones.extend(
        [
            PrintFeature("no_vending", _turn(box(X0 + 50, Y0 + 2.2, X0 + 90, Y0 + 5.2)), "Red"),
            PrintFeature("pkl_timed", _turn(box(X0 + 120, Y0 + 2.2, X0 + 160, Y0 + 5.2)), "Timed"),
        ]
    )
    pdf = render_layout_pdf(data, _labels(), paper="A4", include_list=False)
    assert pdf[:5] == b"%PDF-"
    for kind in ("no_vending", "pkl_timed", "emergency_lane"):
        style = ZONE_STYLES[kind]
        # at least twice: on a map sheet and in the legend's swatch
        assert seen.count((str(style.pattern), style.color)) >= 2, kind
