"""MikroDOTS desks: the queue and "Berikutnya", the visit log, documents written to the registry
with audit, walk-in visitors linked later, the vendor's progress, and the report per desk."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEntry, DeskVisit
from app.services import desk as svc
from app.services.errors import Conflict, ServiceError

WIB = ZoneInfo("Asia/Pontianak")
NOW = datetime(2026, 12, 6, 7, 30, tzinfo=WIB)


@pytest.fixture
def desk(make_event: Any, make_booth: Any) -> Any:
    event = make_event(date=NOW.date(), status="published")
    return make_booth(event=event, kind="service_desk", service="nib", code="MD-NIB", label="NIB")


@pytest.fixture
def officer(make_user: Any) -> Any:
    return make_user(role="petugas_layanan")


def test_queue_numbers_next_and_log(db: Session, desk: Any, officer: Any, make_vendor: Any) -> None:
    vendor = make_vendor(city=desk.event.city, phone="081234560001")
    first = svc.enqueue(db, desk, vendor=vendor, name=None, phone=None, now=NOW)
    second = svc.enqueue(db, desk, vendor=None, name="Bu Sari", phone="+62 812-3456-0002", now=NOW)
    assert (first.queue_no, second.queue_no) == (1, 2)
    assert second.visitor_phone == "081234560002"
    with pytest.raises(Conflict, match="sudah di antrean"):
        svc.enqueue(db, desk, vendor=vendor, name=None, phone=None, now=NOW)

    called = svc.call_next(db, desk, now=NOW, officer=officer)
    assert called.id == first.id and called.status == "dilayani"
    with pytest.raises(Conflict, match="Catat dulu kunjungan nomor 1"):
        svc.call_next(db, desk, now=NOW, officer=officer)
    svc.log_visit(
        db,
        called,
        service="nib",
        outcome="terbit",
        document_no="1234567890123",
        follow_up="Ambil salinan NIB",
        follow_up_due=NOW.date() + timedelta(days=7),
        officer=officer,
        now=NOW,
    )
    assert called.status == "selesai" and vendor.nib == "1234567890123"
    queue = svc.queue_of(db, desk)
    assert queue.serving is None
    assert [v.queue_no for v in queue.waiting] == [2]
    assert [v.queue_no for v in queue.done] == [1]
    # the registry's document change is audited with the visit that made it
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.entity == "vendor", AuditEntry.entity_id == vendor.id)
    ).one()
    assert entry.before == {"nib": None}
    assert entry.after == {"nib": "1234567890123", "desk_visit_id": called.id}
    # and the visit itself by the audit listener
    assert db.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "desk_visit", AuditEntry.entity_id == called.id
        )
    ).first()


def test_empty_queue_and_bad_input_are_clear(db: Session, desk: Any, officer: Any) -> None:
    with pytest.raises(ServiceError, match="Antrean kosong"):
        svc.call_next(db, desk, now=NOW, officer=officer)
    with pytest.raises(ServiceError, match="isi nama pengunjung"):
        svc.enqueue(db, desk, vendor=None, name="  ", phone=None, now=NOW)
    with pytest.raises(ServiceError, match="Nomor HP"):
        svc.enqueue(db, desk, vendor=None, name="Pak Budi", phone="12ab", now=NOW)
    visit = svc.enqueue(db, desk, vendor=None, name="Pak Budi", phone=None, now=NOW)
    with pytest.raises(ServiceError, match="tidak berlaku"):
        svc.log_visit(db, visit, service="nib", outcome="cair", officer=officer, now=NOW)
    with pytest.raises(ServiceError, match="13 digit"):
        svc.log_visit(
            db, visit, service="nib", outcome="terbit", document_no="12", officer=officer, now=NOW
        )
    with pytest.raises(ServiceError, match="sebelum hari ini"):
        svc.log_visit(
            db,
            visit,
            service="nib",
            outcome="informasi",
            follow_up="telepon",
            follow_up_due=NOW.date() - timedelta(days=1),
            officer=officer,
            now=NOW,
        )
    with pytest.raises(ServiceError, match="Isi tindak lanjutnya"):
        svc.log_visit(
            db,
            visit,
            service="nib",
            outcome="informasi",
            follow_up_due=NOW.date().isoformat(),
            officer=officer,
            now=NOW,
        )
    db.refresh(visit)
    assert visit.status == "menunggu"  # nothing was written by the refused logs


def test_duplicate_nib_is_refused_and_nothing_written(
    db: Session, desk: Any, officer: Any, make_vendor: Any
) -> None:
    make_vendor(city=desk.event.city, nib="9999999999999")
    vendor = make_vendor(city=desk.event.city)
    visit = svc.enqueue(db, desk, vendor=vendor, name=None, phone=None, now=NOW)
    with pytest.raises(Conflict, match="sudah terdaftar"):
        svc.log_visit(
            db,
            visit,
            service="nib",
            outcome="terbit",
            document_no="9999999999999",
            officer=officer,
            now=NOW,
        )
    db.refresh(visit)
    db.refresh(vendor)
    assert visit.status == "menunggu" and vendor.nib is None


def test_walk_in_visitor_linked_later_gets_documents_and_progress(
    db: Session, desk: Any, officer: Any, make_vendor: Any, make_booth: Any
) -> None:
    halal = make_booth(event=desk.event, kind="service_desk", service="halal", code="MD-HAL")
    kur = make_booth(event=desk.event, kind="service_desk", service="kur", code="MD-KUR")
    a = svc.enqueue(db, halal, vendor=None, name="Ibu Rina", phone="0812 7777 1234", now=NOW)
    svc.log_visit(
        db,
        a,
        service="halal",
        outcome="terbit",
        document_no="ID61110000123",
        document_expiry=date(2030, 12, 1),
        officer=officer,
        now=NOW,
    )
    b = svc.enqueue(db, kur, vendor=None, name="Rina", phone="081277771234", now=NOW)
    svc.log_visit(db, b, service="kur", outcome="dirujuk", officer=officer, now=NOW)

    vendor = make_vendor(city=desk.event.city, phone="081277771234", business_name="Kue Rina")
    (row,) = svc.unlinked_visitors(db, desk.event.city)
    assert row.visits == 2 and [v.id for v in row.suggestions] == [vendor.id]

    assert svc.link_visitor(db, a, vendor) == 2
    assert {a.vendor_id, b.vendor_id} == {vendor.id}
    assert vendor.halal_cert_no == "ID61110000123"
    assert vendor.halal_cert_expiry == date(2030, 12, 1)
    assert svc.unlinked_visitors(db, desk.event.city) == []

    steps = svc.vendor_progress(db, vendor, timezone="Asia/Pontianak")
    assert [(s.service, s.milestone) for s in steps] == [
        ("halal", "halal_certified"),
        ("kur", "kur_applied"),
    ]


def test_desk_report_counts_services_outcomes_and_follow_ups(
    db: Session, desk: Any, officer: Any, make_vendor: Any
) -> None:
    vendors = [make_vendor(city=desk.event.city) for _ in range(3)]
    for i, vendor in enumerate(vendors):
        visit = svc.enqueue(db, desk, vendor=vendor, name=None, phone=None, now=NOW)
        svc.call_next(db, desk, now=NOW, officer=officer)
        svc.log_visit(
            db,
            visit,
            service="nib",
            outcome="diajukan" if i else "informasi",
            follow_up="Cek status OSS" if i == 2 else None,
            follow_up_due=NOW.date() + timedelta(days=3) if i == 2 else None,
            officer=officer,
            now=NOW,
        )
    svc.enqueue(db, desk, vendor=None, name="Menunggu", phone=None, now=NOW)
    report = svc.desk_report(db, desk.event, desk=desk, today=NOW.date())
    assert (report.visits, report.vendors, report.waiting) == (3, 3, 1)
    (line,) = [x for x in report.lines if x.service == "nib"]
    assert (line.visits, line.vendors) == (3, 3)
    assert dict(line.outcomes) == {"informasi": 1, "diajukan": 2}
    (follow,) = report.follow_ups
    assert follow.who == vendors[2].business_name and not follow.overdue
    late = svc.desk_report(db, desk.event, desk=None, today=NOW.date() + timedelta(days=10))
    assert late.follow_ups[0].overdue


def test_cancel_and_queue_are_per_desk(
    db: Session, desk: Any, officer: Any, make_booth: Any
) -> None:
    other = make_booth(event=desk.event, kind="service_desk", service="ojk", code="MD-OJK")
    visit = svc.enqueue(db, desk, vendor=None, name="A", phone=None, now=NOW)
    assert svc.enqueue(db, other, vendor=None, name="B", phone=None, now=NOW).queue_no == 1
    svc.cancel_visit(db, visit, officer=officer)
    assert visit.status == "batal"
    with pytest.raises(ServiceError):
        svc.cancel_visit(db, visit, officer=officer)
    assert db.scalar(select(DeskVisit.status).where(DeskVisit.id == visit.id)) == "batal"


def test_undo_log_restores_the_vendor_document_and_puts_the_visit_back_at_the_desk(
    db: Session, desk: Any, officer: Any, make_vendor: Any
) -> None:
    vendor = make_vendor(city=desk.event.city)
    visit = svc.enqueue(db, desk, vendor=vendor, name=None, phone=None, now=NOW)
    svc.log_visit(
        db,
        visit,
        service="nib",
        outcome="terbit",
        document_no="5555555555555",
        officer=officer,
        now=NOW,
    )
    assert vendor.nib == "5555555555555"
    with pytest.raises(ServiceError, match="hari ini"):
        svc.undo_log(db, visit, today=NOW.date() + timedelta(days=1), timezone="Asia/Pontianak")
    svc.undo_log(db, visit, today=NOW.date(), timezone="Asia/Pontianak")
    assert vendor.nib is None
    assert (visit.status, visit.service, visit.outcome, visit.logged_at) == (
        "dilayani",
        None,
        None,
        None,
    )
    entries = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == "vendor", AuditEntry.entity_id == vendor.id)
        .order_by(AuditEntry.id)
    ).all()
    assert [e.after for e in entries] == [
        {"nib": "5555555555555", "desk_visit_id": visit.id},
        {"nib": None, "desk_visit_undone": visit.id},
    ]
    # logged again, then the record is edited elsewhere: the desk no longer takes it back
    svc.log_visit(
        db,
        visit,
        service="nib",
        outcome="terbit",
        document_no="5555555555556",
        officer=officer,
        now=NOW,
    )
    vendor.nib = "7777777777777"
    db.commit()
    with pytest.raises(Conflict, match="sudah diubah"):
        svc.undo_log(db, visit, today=NOW.date(), timezone="Asia/Pontianak")
