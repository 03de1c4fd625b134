"""Benchmark ``print-1351``: the demo event's crew prints through the printing service, uncached.

What it measures
----------------
* ``layout_s``: :func:`app.services.printing.layout_pdf` on A3 for the demo's coming CFD event
  (the latest published one, 1,351 booths): loading the event once, the conflict check, the plan and
  every page (overview, map columns, the check-in list of the placed vendors).
* ``labels_s``: :func:`app.services.printing.booth_labels_pdf` for every booth of the event
  (``everyone``: 1,351 labels, 65 A4 pages, one QR code each), as a worker draws the sheet again
  (after vendors move): the QR paths it made before are remembered by address.
* ``labels_cold_s``: the same with that memory emptied first (a worker's first sheet of these
  booths, every QR code encoded); ``ratio_cold`` is the ratio with it.
* ``baseline_s``: plain reportlab in the same process drawing the same booth polygons and codes
  (Helvetica, no styling, no data loading) on the same number of pages as the two documents
  together: the floor of a Python PDF writer.
* ``ratio``: ``(layout_s + labels_s) / baseline_s``; ``ours_s`` is ``layout_s + labels_s``.

Each is the best of ``repeats`` runs after one warm-up (font registration, imports). The PDF
cache is not involved: the service is called directly. ``DATABASE_URL`` (``make bench`` sets
it) is migrated and gets the Pontianak demo when it is empty.

Run ``python -m bench print-1351``: prints one JSON line.
"""

from __future__ import annotations

import io
import json
import os
from datetime import date
from typing import Any

from bench.timing import timed


def _prepare(url: str) -> None:
    from sqlalchemy import create_engine, func, select
    from sqlalchemy.orm import Session

    from app.config import normalise_database_url
    from app.migrate import upgrade
    from app.models import City
    from app.services.audit import acting_as
    from app.services.demo import seed_demo

    upgrade(url)
    engine = create_engine(normalise_database_url(url))
    with Session(engine) as s:
        if s.scalar(select(func.count()).select_from(City)) == 0:
            with acting_as(None, "bench"):
                seed_demo(s, today=date.today(), log=lambda *_: None)
                s.commit()
    engine.dispose()


def baseline_pdf(polygons: list[list[tuple[float, float]]], codes: list[str], pages: int) -> bytes:
    """The booths' outlines and codes, spread over ``pages`` A3 pages, with plain reportlab."""
    from reportlab.pdfgen.canvas import Canvas

    width, height = 420 * 72 / 25.4, 297 * 72 / 25.4
    xs = [x for poly in polygons for x, _ in poly]
    ys = [y for poly in polygons for _, y in poly]
    x0, y0 = min(xs), min(ys)
    span = max(max(xs) - x0, max(ys) - y0) or 1.0
    scale = min(width, height) * 0.9 / span
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), pageCompression=1)
    per_page = -(-len(polygons) // pages)
    for page in range(pages):
        canvas.setFont("Helvetica", 7)
        for poly, code in list(zip(polygons, codes, strict=True))[
            page * per_page : (page + 1) * per_page
        ]:
            path = canvas.beginPath()
            px = [((x - x0) * scale + 20, (y - y0) * scale + 20) for x, y in poly]
            path.moveTo(*px[0])
            for p in px[1:]:
                path.lineTo(*p)
            path.close()
            canvas.drawPath(path, stroke=1, fill=0)
            canvas.drawString(px[0][0], px[0][1], code)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def run(*, repeats: int = 3) -> dict[str, Any]:
    """Run the benchmark and return its JSON-ready summary."""
    url = os.environ.get("DATABASE_URL")
    result: dict[str, Any] = {"workload": "print-1351", "baseline": "reportlab-polygons-codes"}
    if not url:
        return {**result, "skipped": "DATABASE_URL is not set (make bench sets it)"}
    _prepare(url)

    from pypdf import PdfReader
    from shapely import get_coordinates
    from sqlalchemy import select

    from app import create_app
    from app.db import get_session
    from app.models import Event
    from app.routes.crew import booth_url
    from app.services import printing
    from app.services.context import load_event
    from app.views.labels import BOOTH_LABELS, as_text
    from app.views.print_labels import event_when, print_labels, printed_now

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": "127.0.0.1:5000"})
    with app.test_request_context("/"):
        session = get_session()
        event = session.scalars(
            select(Event).where(Event.status == "published").order_by(Event.date.desc())
        ).first()
        if event is None:
            raise RuntimeError("no published event in the database")
        labels = print_labels()
        when = event_when(event)

        def layout() -> bytes:
            return printing.layout_pdf(
                session, event, labels=labels, when=when, printed=printed_now(), paper="A3"
            )

        def booth_labels() -> bytes:
            from app.printing.booth_labels import LabelTexts

            texts = LabelTexts(event.name, when, "Petugas: pindai untuk check-in lapak ini", "{n}")
            return printing.booth_labels_pdf(
                session,
                event,
                url_of=booth_url(),
                texts=texts,
                kind_captions=as_text(BOOTH_LABELS),
                everyone=True,
            )

        slug = event.slug
        ctx = load_event(session, event)
        polygons = [
            [(float(x), float(y)) for x, y in get_coordinates(b.geometry.exterior)]
            for b in ctx.booths
        ]
        codes = [b.code for b in ctx.booths]
        layout_doc, labels_doc = layout(), booth_labels()  # warm-up
        pages = len(PdfReader(io.BytesIO(layout_doc)).pages) + len(
            PdfReader(io.BytesIO(labels_doc)).pages
        )
        baseline_pdf(polygons, codes, pages)
        from app.printing import booth_labels as label_engine

        def booth_labels_cold() -> bytes:
            label_engine._PATHS.clear()
            return booth_labels()

        t_layout: list[float] = []
        t_labels: list[float] = []
        t_cold: list[float] = []
        t_base: list[float] = []
        for _ in range(repeats):
            timed(layout, t_layout)
            timed(booth_labels, t_labels)
            timed(booth_labels_cold, t_cold)
            booth_labels()  # the memory filled again for the next warm run
            timed(lambda: baseline_pdf(polygons, codes, pages), t_base)
        session.rollback()
    layout_s, labels_s, base_s = min(t_layout), min(t_labels), min(t_base)
    cold_s = min(t_cold)
    return {
        **result,
        "layout_s": round(layout_s, 3),
        "labels_s": round(labels_s, 3),
        "ours_s": round(layout_s + labels_s, 3),
        "baseline_s": round(base_s, 3),
        "ratio": round((layout_s + labels_s) / base_s, 2),
        "labels_cold_s": round(cold_s, 3),
        "ratio_cold": round((layout_s + cold_s) / base_s, 2),
        "event": slug,
        "booths": len(codes),
        "pages": pages,
        "layout_pages": len(PdfReader(io.BytesIO(layout_doc)).pages),
        "layout_bytes": len(layout_doc),
        "labels_bytes": len(labels_doc),
    }


if __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False))
