"""Notices without a gateway: phone normalisation, the wa.me link and text, changes since the
last notice (moved, from the waitlist), the notice log, and the formula-safe CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, time
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AllocationRun, NoticeLog
from app.services import notices as svc
from app.services.errors import ServiceError

TZ = "Asia/Pontianak"


def _link(vendor: Any) -> str:
    return f"https://petalapak.test/lapak/v/token-{vendor.id}"


@pytest.mark.parametrize(
    ("raw", "intl"),
    [
        ("081234567890", "6281234567890"),
        ("0812-3456-7890", "6281234567890"),
        ("+62 812 3456 7890", "6281234567890"),
        ("6281234567890", "6281234567890"),
        ("81234567890", "6281234567890"),
        ("(0812) 345.678", "62812345678"),
        ("0561-123456", None),  # a landline: no WhatsApp link
        ("12", None),
        ("", None),
        (None, None),
    ],
)
def test_phone_normalisation_to_62(raw: str | None, intl: str | None) -> None:
    assert svc.intl_phone(raw) == intl


@pytest.fixture
def published(make_event: Any) -> Any:
    return make_event(
        date=date(2026, 12, 6),
        start_time=time(6),
        end_time=time(9),
        status="published",
        name="CFD Jl. Ahmad Yani — 6 Desember 2026",
    )


def test_text_link_and_sms(
    db: Session, published: Any, make_booth: Any, make_vendor: Any, make_assignment: Any
) -> None:
    vendor = make_vendor(
        city=published.city,
        owner_name="Bu Siti",
        business_name="Pisang Goreng",
        phone="0812 1111 2222",
    )
    # one booth per vendor and event for now (the schema's uq_assignment_event_vendor)
    make_assignment(
        event=published, vendor=vendor, booth=make_booth(event=published, code="AY-012")
    )
    (row,) = svc.notice_rows(db, published, link_for=_link, tz_name=TZ)
    assert row.booth_codes == ("AY-012",) and row.change == "new"
    assert row.phone == "6281211112222"
    assert row.text.startswith("Halo Bu Siti (Pisang Goreng). Lapak Anda di CFD Jl. Ahmad Yani")
    assert ": AY-012" in row.text
    assert "6 Desember 2026, pukul 06.00–09.00 WIB" in row.text
    assert row.text.endswith(_link(vendor))
    url = urlparse(row.wa_url or "")
    assert (url.scheme, url.netloc, url.path) == ("https", "wa.me", "/6281211112222")
    assert parse_qs(url.query)["text"] == [row.text]
    assert row.sms == (
        "PetaLapak: Pisang Goreng, lapak AY-012, 6 Desember 2026, pukul 06.00–09.00 WIB. "
        f"Cek: {_link(vendor)}"
    )


def test_only_published_events(db: Session, make_event: Any) -> None:
    with pytest.raises(ServiceError):
        svc.notice_rows(db, make_event(status="draft"), link_for=_link, tz_name=TZ)


def test_changes_since_the_last_notice(
    db: Session, published: Any, make_booth: Any, make_vendor: Any, make_assignment: Any
) -> None:
    city = published.city
    stays = make_assignment(
        event=published,
        vendor=make_vendor(city=city, phone="081200000001"),
        booth=make_booth(event=published, code="A-1"),
    )
    moves = make_assignment(
        event=published,
        vendor=make_vendor(city=city, phone="081200000002"),
        booth=make_booth(event=published, code="A-2"),
    )
    rows = svc.notice_rows(db, published, link_for=_link, tz_name=TZ)
    assert {r.change for r in rows} == {"new"}
    batch = svc.record_notices(db, published, rows, channel="csv", user_id=None)
    assert batch == 1
    assert svc.notice_rows(db, published, link_for=_link, tz_name=TZ, only_changes=True) == []

    # one vendor moves; a waitlisted vendor gets the freed booth
    free = make_booth(event=published, code="A-9")
    moves.booth = free
    db.flush()
    waiting = make_vendor(city=city, phone="081200000003")
    db.add(
        AllocationRun(event_id=published.id, seed=1, settings={}, result={"waitlist": [waiting.id]})
    )
    make_assignment(event=published, vendor=waiting, booth=make_booth(event=published, code="A-2b"))
    newcomer = make_assignment(
        event=published,
        vendor=make_vendor(city=city),
        booth=make_booth(event=published, code="A-3"),
    )
    changed = {
        r.vendor_id: r
        for r in svc.notice_rows(db, published, link_for=_link, tz_name=TZ, only_changes=True)
    }
    assert stays.vendor_id not in changed
    assert changed[moves.vendor_id].change == "moved"
    assert changed[moves.vendor_id].previous_codes == ("A-2",)
    assert changed[waiting.id].change == "from_waitlist"
    assert (
        changed[newcomer.vendor_id].change == "new" and changed[newcomer.vendor_id].wa_url is None
    )
    everyone = svc.notice_rows(db, published, link_for=_link, tz_name=TZ)
    assert len(everyone) == 4
    assert (
        svc.record_notices(db, published, list(changed.values()), channel="wa", user_id=None) == 2
    )
    assert svc.notice_rows(db, published, link_for=_link, tz_name=TZ, only_changes=True) == []
    logged = db.scalars(
        select(NoticeLog).where(NoticeLog.vendor_id == moves.vendor_id).order_by(NoticeLog.id)
    ).all()
    assert [(n.booth_codes, n.channel, n.batch) for n in logged] == [
        (["A-2"], "csv", 1),
        (["A-9"], "wa", 2),
    ]


def test_record_refuses_nothing_and_unknown_channels(db: Session, published: Any) -> None:
    with pytest.raises(ServiceError):
        svc.record_notices(db, published, [], channel="wa", user_id=None)


def test_csv_is_formula_safe_and_skips_missing_phones(
    db: Session, published: Any, make_booth: Any, make_vendor: Any, make_assignment: Any
) -> None:
    evil = make_vendor(city=published.city, business_name='=HYPERLINK("x")', phone="081233334444")
    make_assignment(event=published, vendor=evil, booth=make_booth(event=published, code="B-1"))
    make_assignment(
        event=published,
        vendor=make_vendor(city=published.city),
        booth=make_booth(event=published, code="B-2"),
    )
    rows = svc.notice_rows(db, published, link_for=_link, tz_name=TZ)
    table = list(csv.reader(io.StringIO(svc.notices_csv(rows))))
    assert table[0] == list(svc.CSV_COLUMNS)
    assert len(table) == 2
    phone, message, vendor_id, name, codes, change = table[1]
    assert phone == "6281233334444" and vendor_id == str(evil.id)
    assert name == '\'=HYPERLINK("x")' and codes == "B-1" and change == "new"
    assert message.startswith("PetaLapak: =HYPERLINK")  # starts with P: nothing to escape
