"""The dashboard's SVG charts: accessible (role, title, description), escaped, and drawing the
numbers they are given; the data table carries the same numbers."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from app.views.charts import Chart, Series, chart_table, nice_ticks, render_svg

NS = {"svg": "http://www.w3.org/2000/svg"}


def _chart(**kwargs: object) -> Chart:
    base: dict[str, object] = {
        "key": "demo",
        "title": 'Konflik <b>"per"</b> acara',
        "description": "Menghalangi & peringatan",
        "category_label": "Acara",
        "categories": ("6 Des · <script>", "13 Des"),
        "series": (
            Series("Menghalangi", (3.0, 0.0), "#c62828"),
            Series("Peringatan", (2.0, 5.0), "#f9a825"),
        ),
        "kind": "stacked",
        "empty_text": "Tidak ada acara.",
    }
    base.update(kwargs)
    return Chart(**base)  # type: ignore[arg-type]


def test_svg_is_well_formed_accessible_and_escaped() -> None:
    svg = render_svg(_chart())
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "demo-title demo-desc"
    assert root.find("svg:title", NS).text == 'Konflik <b>"per"</b> acara'  # type: ignore[union-attr]
    assert root.find("svg:desc", NS).text == "Menghalangi & peringatan"  # type: ignore[union-attr]
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_stacked_bars_draw_each_non_zero_value_with_its_title() -> None:
    root = ET.fromstring(render_svg(_chart()))  # noqa: S314
    bars = [
        r
        for r in root.iter("{http://www.w3.org/2000/svg}rect")
        if r.find("svg:title", NS) is not None
    ]
    titles = sorted(r.find("svg:title", NS).text for r in bars)  # type: ignore[union-attr]
    assert titles == [
        "Menghalangi, 6 Des · <script>: 3",
        "Peringatan, 13 Des: 5",
        "Peringatan, 6 Des · <script>: 2",
    ]
    # stacked: the first category's two bars are as tall as 5 units together, the second's 5
    heights = {r.find("svg:title", NS).text: float(r.get("height")) for r in bars}  # type: ignore[union-attr,arg-type]
    first = heights["Menghalangi, 6 Des · <script>: 3"] + heights["Peringatan, 6 Des · <script>: 2"]
    assert abs(first - heights["Peringatan, 13 Des: 5"]) < 0.2


def test_lines_and_empty_charts() -> None:
    line = render_svg(_chart(kind="line"))
    assert line.count("<polyline") == 2 and line.count("<circle") == 4
    empty = render_svg(_chart(categories=(), series=(Series("A", (), "#000"),)))
    assert "Tidak ada acara." in empty and "<rect" not in empty


def test_table_and_ticks() -> None:
    header, rows = chart_table(_chart())
    assert header == ["Acara", "Menghalangi", "Peringatan"]
    assert rows == [["6 Des · <script>", "3", "2"], ["13 Des", "0", "5"]]
    assert nice_ticks(5) == [0, 1, 2, 3, 4, 5]
    assert nice_ticks(1340)[-1] >= 1340
