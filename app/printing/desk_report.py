"""The MikroDOTS desk report as a PDF: services, outcomes and follow-ups due, on A4.

Pure: the caller hands over every text already in the reader's language
(:class:`DeskReportData`), and reportlab's platypus flows the tables across pages (a long
follow-up list continues on the next page with its header repeated). Text is escaped for
platypus' mini-markup, so a vendor's name such as ``<b>`` prints as typed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.printing.typeset import fonts

__all__ = ["DeskReportData", "ReportRow", "render_desk_report_pdf"]


@dataclass(frozen=True)
class ReportRow:
    """One table row: its cells as text, and whether it is marked (an overdue follow-up)."""

    cells: tuple[str, ...]
    highlight: bool = False


@dataclass(frozen=True)
class DeskReportData:
    """Everything the PDF prints, already in the reader's language."""

    title: str
    subtitle: str
    totals: str
    service_heading: tuple[str, ...]
    services: Sequence[ReportRow]
    follow_up_title: str
    follow_up_heading: tuple[str, ...]
    follow_ups: Sequence[ReportRow]
    none_text: str
    footer: str
    widths_mm: tuple[tuple[float, ...], tuple[float, ...]] = field(
        default=((48.0, 26.0, 24.0, 82.0), (32.0, 48.0, 36.0, 64.0))
    )


def _styles() -> dict[str, ParagraphStyle]:
    f = fonts()
    return {
        "title": ParagraphStyle("title", fontName=f.bold, fontSize=16, leading=20),
        "sub": ParagraphStyle("sub", fontName=f.normal, fontSize=10, leading=13),
        "h2": ParagraphStyle("h2", fontName=f.bold, fontSize=12, leading=16, spaceBefore=4),
        "cell": ParagraphStyle("cell", fontName=f.normal, fontSize=8.5, leading=10.5),
        "head": ParagraphStyle("head", fontName=f.bold, fontSize=8.5, leading=10.5),
        "foot": ParagraphStyle("foot", fontName=f.italic, fontSize=7.5, leading=9),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(fonts().clean(text)), style)


def _table(
    heading: tuple[str, ...],
    rows: Sequence[ReportRow],
    widths: tuple[float, ...],
    st: dict[str, ParagraphStyle],
) -> Table:
    data = [[_p(h, st["head"]) for h in heading]]
    data += [[_p(c, st["cell"]) for c in row.cells] for row in rows]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for i, row in enumerate(rows, start=1):
        if row.highlight:
            style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#fde2e1")))
    table.setStyle(TableStyle(style))
    return table


def render_desk_report_pdf(data: DeskReportData) -> bytes:
    """The report as PDF bytes (A4 portrait)."""
    st = _styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=fonts().clean(data.title),
        subject=fonts().clean(data.subtitle),
        creator="PetaLapak",
    )
    story: list[Any] = [
        _p(data.title, st["title"]),
        _p(data.subtitle, st["sub"]),
        Spacer(1, 3 * mm),
        _p(data.totals, st["sub"]),
        Spacer(1, 4 * mm),
        _table(data.service_heading, data.services, data.widths_mm[0], st),
        Spacer(1, 6 * mm),
        _p(data.follow_up_title, st["h2"]),
        Spacer(1, 2 * mm),
    ]
    if data.follow_ups:
        story.append(_table(data.follow_up_heading, data.follow_ups, data.widths_mm[1], st))
    else:
        story.append(_p(data.none_text, st["sub"]))
    story += [Spacer(1, 8 * mm), _p(data.footer, st["foot"])]
    doc.build(story)
    return out.getvalue()
