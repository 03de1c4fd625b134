"""Crew print-outs of the Pontianak demo: every booth on the map exactly once, a vendor list."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.models import HOLDING_STATUSES, Assignment, Booth, Event, Vendor
from app.printing.booth_labels import LabelTexts
from app.printing.plan import plan_layout
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

    pdf, pages = _render(app, db, event, everyone=True)

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
    assert _codes(vendor_pages) == codes  # everyone: every booth on the list
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


def _placed_codes(db: Session, event: Event) -> Counter[str]:
    return Counter(
        db.scalars(
            select(Booth.code)
            .join(Assignment, Assignment.booth_id == Booth.id)
            .where(Assignment.event_id == event.id, Assignment.status.in_(HOLDING_STATUSES))
        )
    )


def test_the_list_has_the_placed_vendors_by_default(app: Flask, db: Session) -> None:
    event = get_event(db, SLUG)
    placed = _placed_codes(db, event)
    everyone = Counter(db.scalars(select(Booth.code).where(Booth.event_id == event.id)))
    assert 0 < len(placed) < len(everyone)
    with app.test_request_context("/"):
        pdf = printing.vendor_list_pdf(
            db, event, labels=print_labels(), when="", printed="", paper="A4"
        )
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert _codes(text) == placed
    assert "Layanan Sertifikasi Halal" not in text  # desks are no vendors


def test_labels_for_placed_vendors_or_every_booth(app: Flask, db: Session) -> None:
    event = get_event(db, SLUG)
    # 80 booths (placed, free and desks) keep the text extraction short
    held = select(Assignment.booth_id).where(
        Assignment.event_id == event.id, Assignment.status.in_(HOLDING_STATUSES)
    )
    placed_ids = db.scalars(held.order_by(Assignment.booth_id).limit(50)).all()
    free_ids = db.scalars(
        select(Booth.id)
        .where(Booth.event_id == event.id, Booth.id.not_in(held))
        .order_by(Booth.kind.desc(), Booth.id)
        .limit(30)
    ).all()
    keep = [*placed_ids, *free_ids]
    db.execute(delete(Booth).where(Booth.event_id == event.id, Booth.id.not_in(keep)))
    db.flush()
    placed = _placed_codes(db, event)
    every = Counter(db.scalars(select(Booth.code).where(Booth.event_id == event.id)))
    assert 0 < len(placed) < len(every) == 80
    texts = LabelTexts(event=event.name, when="", hint="pindai", page="{n}/{total}")

    def codes(everyone: bool) -> Counter[str]:
        pdf = printing.booth_labels_pdf(
            db,
            event,
            url_of=lambda ident: f"https://x.example/crew/b/{ident}",
            texts=texts,
            kind_captions={},
            everyone=everyone,
        )
        reader = PdfReader(io.BytesIO(pdf))
        found = _codes("\n".join(p.extract_text() for p in reader.pages))
        assert len(reader.pages) == -(-found.total() // 21)  # label count = booths selected
        return found

    assert codes(False) == placed
    assert codes(True) == every


def test_stall_names_at_1_500(app: Flask, db: Session) -> None:
    event = get_event(db, SLUG)
    vendor = db.scalars(
        select(Vendor)
        .join(Assignment, Assignment.vendor_id == Vendor.id)
        .where(Assignment.event_id == event.id, Assignment.status.in_(HOLDING_STATUSES))
        .order_by(Vendor.business_name)
    ).first()
    assert vendor is not None
    pdf, pages = _render(app, db, event, include_list=False, names=True)
    maps = "\n".join(pages[1:])
    assert "Skala 1:500 pada kertas A3" in maps
    assert vendor.business_name[:12] in maps
    codes = Counter(db.scalars(select(Booth.code).where(Booth.event_id == event.id)))
    assert _codes(maps) == codes


def test_layout_is_loaded_once(app: Flask, db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """One load of the event feeds both the drawing and the conflict check."""
    from app.services import context

    calls = []
    real = context.load_event

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(printing, "load_event", counting)
    monkeypatch.setattr(context, "load_event", counting)
    event = get_event(db, SLUG)
    with app.test_request_context("/"):
        printing.layout_data(db, event, when="", printed="")
    assert len(calls) == 1


def test_map_sheets_draw_the_streets_with_names_and_the_landmarks(app: Flask, db: Session) -> None:
    event = get_event(db, SLUG)
    with app.test_request_context("/"):
        data = printing.layout_data(db, event, when="", printed="")
    assert {r.name for r in data.basemap.roads} >= {"Jl. Ahmad Yani", "Jl. Perdana"}
    assert data.basemap.buildings and data.basemap.landmarks
    assert "ilustrasi" in data.basemap.attribution
    pdf, pages = _render(app, db, event)
    plan = plan_layout(data, "A3")
    maps = "\n".join(pages[1 : 1 + plan.map_pages])
    for name in ("Jl. Ahmad Yani", "Jl. Perdana", "Jl. Veteran", "Masjid Raya Mujahidin"):
        assert name in maps, name
    assert "Peta dasar ilustrasi" in maps  # the small print says what the basemap is
