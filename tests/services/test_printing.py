"""Crew print-outs of the Pontianak demo: every booth on the map exactly once, a vendor list."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Assignment, Booth, Event
from app.printing.pdf import plan_layout
from app.services import printing
from app.services.errors import ServiceError
from app.services.events import get_event
from app.views.print_labels import event_when, print_labels, printed_now

SLUG = "cfd-2026-12-06"


def _codes(text: str) -> Counter[str]:
    return Counter(re.findall(r"(?<![\w-])AY-D?\d+(?![\w-])", text))


def _render(app: Flask, db: Session, event: Event, **kwargs) -> tuple[bytes, list[str]]:  # type: ignore[no-untyped-def]
    with app.test_request_context("/"):
        pdf = printing.layout_pdf(
            db,
            event,
            labels=print_labels(),
            when=event_when(event),
            printed=printed_now(),
            **kwargs,
        )
        pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    return pdf, pages


def test_demo_layout_prints_every_booth_once(app: Flask, db: Session, tmp_path: Path) -> None:
    event = get_event(db, SLUG)
    assigned = db.scalars(
        select(Assignment).where(Assignment.event_id == event.id).order_by(Assignment.id)
    ).first()  # the demo allocation's first
    assert assigned is not None
    assigned.status = "checked_in"
    vendor = assigned.vendor
    db.flush()

    started = time.perf_counter()
    pdf, pages = _render(app, db, event)
    elapsed = time.perf_counter() - started
    assert elapsed < 30  # about 5 s on an idle 2-core machine; generous for a busy CI

    codes = Counter(db.scalars(select(Booth.code).where(Booth.event_id == event.id)))
    assert len(codes) > 1300
    assert {f"AY-D0{i}" for i in range(1, 6)} <= set(codes)
    with app.test_request_context("/"):
        data = printing.layout_data(db, event, when="", printed="")
    plan = plan_layout(data, "A3")
    maps = pages[1 : 1 + plan.map_pages]
    assert _codes(pages[0]) == Counter()
    assert _codes("\n".join(maps)) == codes  # every code exactly once across the map sheets
    vendor_pages = "\n".join(pages[1 + plan.map_pages :])
    assert _codes(vendor_pages) == codes
    assert vendor.business_name in vendor_pages
    if vendor.phone:
        assert vendor.phone in vendor_pages
    assert "Layanan Sertifikasi Halal" in vendor_pages  # the MikroDOTS desks keep their names

    overview = pages[0]
    assert "Ikhtisar koridor".upper() in overview
    assert event.name in overview
    assert re.search(r"Dicetak .* (WIB|\+07)", overview)
    assert "Keterangan".upper() in maps[0]
    assert "lanjut ke segmen 2 →" in maps[0]
    assert "Skala 1:750 pada kertas A3" in maps[0]

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) missing")
    path = tmp_path / "layout.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "30", "-f", "2", "-l", "2", str(path), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    png = next(tmp_path.glob("page*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a4_sheets_are_smaller_and_more(app: Flask, db: Session) -> None:
    event = get_event(db, SLUG)
    pdf, pages = _render(app, db, event, paper="a4", include_list=False)
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (842, 595)
    codes = Counter(db.scalars(select(Booth.code).where(Booth.event_id == event.id)))
    assert _codes("\n".join(pages[1:])) == codes
    assert len(pages) > 6  # overview + more map pages than on A3


def test_unknown_paper_and_empty_event_are_refused(app: Flask, db: Session) -> None:
    with pytest.raises(ServiceError):
        printing.paper_size("letter")
    event = get_event(db, SLUG)
    for booth in list(event.booths):
        db.delete(booth)
    db.flush()
    with app.test_request_context("/"), pytest.raises(ServiceError, match="tata letak"):
        printing.layout_data(db, event, when="", printed="")
