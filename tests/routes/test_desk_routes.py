"""MikroDOTS desk pages (the demo city, Pontianak, and its coming CFD's desks): a desk officer
queues, calls the next and logs; the report page and PDF count the visits; the dashboard counts
them too; each role sees only what it should."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Booth, DeskVisit, Event, Vendor

EVENT = "cfd-2026-12-06"
NOW = datetime(2026, 12, 6, 7, 15, tzinfo=ZoneInfo("Asia/Pontianak"))


@pytest.fixture
def on_the_day(app: Flask) -> Flask:
    app.config["FIXED_NOW"] = NOW
    return app


@pytest.fixture
def nib_desk(db: Session) -> Booth:
    return db.scalars(
        select(Booth)
        .join(Event, Event.id == Booth.event_id)
        .where(Event.slug == EVENT, Booth.kind == "service_desk", Booth.service == "nib")
    ).one()


def _log_three(client: FlaskClient, db: Session, desk: Booth, make_vendor: Any) -> list[Vendor]:
    assert desk.event is not None
    vendors = [
        make_vendor(city=desk.event.city, business_name=f"Usaha Meja {n}", phone=f"08135550900{n}")
        for n in range(3)
    ]
    base = f"/layanan/{EVENT}/meja/{desk.id}"
    found = client.get(f"{base}/cari", query_string={"q": vendors[0].business_name})
    assert found.status_code == 200 and vendors[0].business_name.encode() in found.data
    for vendor in vendors:
        resp = client.post(f"{base}/antre", data={"vendor_id": str(vendor.id)})
        assert resp.status_code == 303
    outcomes = ["informasi", "diajukan", "terbit"]
    for i, _vendor in enumerate(vendors):
        assert client.post(f"{base}/berikutnya").status_code == 303
        serving = db.scalars(
            select(DeskVisit).where(DeskVisit.booth_id == desk.id, DeskVisit.status == "dilayani")
        ).one()
        data = {"service": "nib", "outcome": outcomes[i]}
        if outcomes[i] == "terbit":
            data["document_no"] = "8120000000077"
        if i == 1:
            data |= {"follow_up": "Lengkapi KTP", "follow_up_due": "2026-12-13"}
        resp = client.post(f"/layanan/kunjungan/{serving.id}/catat", data=data)
        assert resp.status_code == 303
    return vendors


def test_desk_officer_logs_three_visits_and_report_pdf_and_dashboard_count_them(
    on_the_day: Flask,
    client: FlaskClient,
    auth: Any,
    db: Session,
    nib_desk: Booth,
    make_vendor: Any,
) -> None:
    auth.login(role="petugas_layanan")
    page = client.get(f"/layanan/{EVENT}/meja/{nib_desk.id}")
    assert page.status_code == 200 and b"Berikutnya" in page.data
    vendors = _log_three(client, db, nib_desk, make_vendor)
    db.refresh(vendors[2])
    assert vendors[2].nib == "8120000000077"

    report = client.get(f"/layanan/{EVENT}/laporan")
    assert report.status_code == 200
    assert b"3 kunjungan tercatat, 3 pedagang/pengunjung dibantu, 0 menunggu." in report.data
    assert b"Lengkapi KTP" in report.data

    pdf = client.get(f"/layanan/{EVENT}/laporan.pdf", query_string={"desk": nib_desk.id})
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "3 kunjungan tercatat, 3 pedagang/pengunjung dibantu" in text
    assert "Dokumen terbit: 1" in text and "Permohonan diajukan: 1" in text
    assert "Lengkapi KTP" in text

    # the officer has no dashboard, no vendor record, no map editing
    for url in ("/dasbor", f"/planner/vendors/{vendors[0].id}", "/laporan", "/planner/"):
        assert client.get(url).status_code == 403, url

    auth.logout()
    auth.login(role="planner")
    dash = client.get("/dasbor", query_string={"from": "2026-11-01", "to": "2026-12-31"})
    assert dash.status_code == 200
    assert b'role="img"' in dash.data and b'id="desk-title"' in dash.data
    got = client.get(
        "/dasbor/desk.csv", query_string={"from": "2026-11-01", "to": "2026-12-31"}
    ).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(got)))
    header, nib_row = rows[0], next(r for r in rows if r[0].startswith("NIB"))
    counts = dict(zip(header[1:], nib_row[1:], strict=True))
    assert counts["Konsultasi/informasi diberikan"] == "1"
    assert counts["Permohonan diajukan"] == "1"
    assert counts["Dokumen terbit"] == "1"
    assert sum(int(v) for v in nib_row[1:]) == 3

    # the vendor's page shows the milestone reached at the desk
    detail = client.get(f"/planner/vendors/{vendors[2].id}")
    assert b"NIB terbit" in detail.data and b"8120000000077" in detail.data


def test_english_pages_and_errors_are_clear(
    on_the_day: Flask, client: FlaskClient, auth: Any, nib_desk: Booth
) -> None:
    auth.login(role="petugas_layanan")
    page = client.get(f"/layanan/{EVENT}/meja/{nib_desk.id}?lang=en")
    assert b"Next" in page.data and b"Add to the queue" in page.data
    resp = client.post(f"/layanan/{EVENT}/meja/{nib_desk.id}/berikutnya", follow_redirects=True)
    assert b"The queue is empty." in resp.data
    resp = client.post(
        f"/layanan/{EVENT}/meja/{nib_desk.id}/antre", data={"name": ""}, follow_redirects=True
    )
    assert b"enter the visitor&#39;s name" in resp.data
    assert client.get(f"/layanan/{EVENT}/meja/999999").status_code == 404
    assert client.get("/layanan/tidak-ada").status_code == 404


def test_walk_in_visitor_is_linked_from_the_visitors_page(
    on_the_day: Flask,
    client: FlaskClient,
    auth: Any,
    db: Session,
    nib_desk: Booth,
    make_vendor: Any,
) -> None:
    auth.login(role="petugas_layanan")
    base = f"/layanan/{EVENT}/meja/{nib_desk.id}"
    client.post(f"{base}/antre", data={"name": "<b>Bu Ani</b>", "phone": "0813 5555 0101"})
    visit = db.scalars(select(DeskVisit).where(DeskVisit.visitor_name == "<b>Bu Ani</b>")).one()
    page = client.get(base)
    assert b"&lt;b&gt;Bu Ani&lt;/b&gt;" in page.data and b"<b>Bu Ani</b>" not in page.data
    vendor = make_vendor(city=nib_desk.event.city, phone="081355550101", business_name="Warung Ani")
    visitors = client.get("/layanan/pengunjung")
    assert b"Tautkan ke Warung Ani" in visitors.data
    resp = client.post(f"/layanan/kunjungan/{visit.id}/tautkan", data={"vendor_id": str(vendor.id)})
    assert resp.status_code == 303
    db.refresh(visit)
    assert visit.vendor_id == vendor.id


def test_dashboard_range_errors_and_csv_formula_safety(
    client: FlaskClient, auth: Any, db: Session, make_event: Any
) -> None:
    auth.login(role="planner")
    assert client.get("/dasbor?from=2026-12-31&to=2026-01-01").status_code == 400
    assert client.get("/dasbor?from=abc").status_code == 400
    city = db.scalars(select(Event).where(Event.slug == EVENT)).one().city
    make_event(city=city, slug="=cmd|calc", date=datetime(2026, 12, 20).date())
    got = client.get("/dasbor/occupancy.csv?from=2026-12-01&to=2026-12-31").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(got)))
    assert any("=cmd|calc" in row[0] for row in rows)
    assert not [c for row in rows for c in row if c.startswith(("=", "+", "-", "@"))]
    page = client.get("/dasbor?from=2026-12-01&to=2026-12-31&lang=en")
    assert b"Booth occupancy per event" in page.data and b"Data table" in page.data


def test_a_log_taken_back_from_the_page_restores_the_document(
    on_the_day: Flask,
    client: FlaskClient,
    auth: Any,
    db: Session,
    nib_desk: Booth,
    make_vendor: Any,
) -> None:
    assert nib_desk.event is not None
    vendor = make_vendor(city=nib_desk.event.city, business_name="Usaha Batal Catat")
    auth.login(role="petugas_layanan")
    base = f"/layanan/{EVENT}/meja/{nib_desk.id}"
    client.post(f"{base}/antre", data={"vendor_id": str(vendor.id)})
    client.post(f"{base}/berikutnya")
    visit = db.scalars(select(DeskVisit).where(DeskVisit.vendor_id == vendor.id)).one()
    client.post(
        f"/layanan/kunjungan/{visit.id}/catat",
        data={"service": "nib", "outcome": "terbit", "document_no": "3333333333333"},
    )
    page = client.get(f"{base}?lang=en")
    assert b"Take back the log" in page.data
    resp = client.post(f"/layanan/kunjungan/{visit.id}/batalkan-catatan", follow_redirects=True)
    assert "The log of number 1 was taken back" in resp.get_data(as_text=True)
    db.refresh(vendor)
    db.refresh(visit)
    assert vendor.nib is None and visit.status == "dilayani"
