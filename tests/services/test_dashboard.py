"""The dashboard's numbers for one city and range: occupancy, no-shows and waitlist use,
street reports per week by colour and status, desk outcomes, documents over time."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from app.allocation.explain import OFFERED_FROM_WAITLIST
from app.messages import to_json
from app.services import dashboard as svc
from app.services import desk
from app.services.errors import ServiceError

WIB = ZoneInfo("Asia/Pontianak")
TZ = "Asia/Pontianak"


def test_parse_range_defaults_and_refusals() -> None:
    today = date(2026, 12, 7)
    span = svc.parse_range(None, "", today=today)
    assert (span.start, span.end) == (date(2026, 6, 10), date(2027, 1, 6))
    with pytest.raises(ServiceError, match="sesudah"):
        svc.parse_range("2026-12-31", "2026-01-01", today=today)
    with pytest.raises(ServiceError, match="tidak sah"):
        svc.parse_range("31/12/2026", None, today=today)
    with pytest.raises(ServiceError, match="paling panjang"):
        svc.parse_range("2020-01-01", "2026-01-01", today=today)


def test_events_count_booths_held_no_shows_and_waitlist(
    db: Session, make_city: Any, make_event: Any, make_booth: Any, make_assignment: Any
) -> None:
    city = make_city()
    event = make_event(city=city, date=date(2026, 12, 6))
    make_event(city=city, date=date(2027, 3, 1))  # outside the range
    booths = [make_booth(event=event) for _ in range(4)]
    make_booth(event=event, kind="service_desk", service="nib")  # not a vendor booth
    make_assignment(booth=booths[0], status="checked_in")
    make_assignment(booth=booths[1], status="no_show")
    make_assignment(
        booth=booths[1],
        status="assigned",
        explanation=to_json(OFFERED_FROM_WAITLIST(position=1)),
    )
    make_assignment(booth=booths[2], status="cancelled")
    (row,) = svc.events_in_range(db, city, svc.DateRange(date(2026, 12, 1), date(2026, 12, 31)))
    assert (row.booths, row.held, row.no_shows, row.cancelled, row.from_waitlist) == (4, 2, 1, 1, 1)


def test_street_reports_per_week_by_colour_and_status(
    db: Session, make_city: Any, make_user: Any, tmp_path: Path
) -> None:
    from app.services.street_reports import file_report, move_report

    city = make_city()
    officer = make_user(role="petugas")
    filed = []
    for day in (date(2026, 11, 30), date(2026, 12, 2), date(2026, 12, 9)):
        report, _ = file_report(
            db,
            city=city,
            lon=109.33,
            lat=-0.03,
            kind="cart",
            count=1,
            note=None,
            photo=None,
            photo_dir=tmp_path,
            reporter=officer,
            now=datetime(day.year, day.month, day.day, 9, tzinfo=WIB),
        )
        filed.append(report)
    move_report(db, filed[0], to="ditinjau", note=None, user=officer, on=date(2026, 12, 1))
    span = svc.DateRange(date(2026, 11, 30), date(2026, 12, 13))
    weeks, by_colour, by_status = svc.street_reports_per_week(db, city, span, timezone=TZ)
    assert weeks == [date(2026, 11, 30), date(2026, 12, 7)]
    assert by_colour[(date(2026, 11, 30), "none")] == 2
    assert by_colour[(date(2026, 12, 7), "none")] == 1
    assert by_status[(date(2026, 11, 30), "ditinjau")] == 1
    assert by_status[(date(2026, 11, 30), "baru")] == 1


def test_desk_outcomes_and_documents_over_time(
    db: Session, make_event: Any, make_booth: Any, make_vendor: Any, make_user: Any
) -> None:
    event = make_event(date=date(2026, 12, 6))
    city = event.city
    nib_desk = make_booth(event=event, kind="service_desk", service="nib")
    officer = make_user(role="petugas_layanan")
    had = make_vendor(city=city, nib="1111111111111", registered_on=date(2026, 1, 5))
    make_vendor(city=city, halal_cert_no="HAL-1", registered_on=date(2026, 11, 20))
    new = make_vendor(city=city, registered_on=date(2025, 6, 1))
    when = datetime(2026, 12, 6, 8, tzinfo=WIB)
    for vendor, outcome, number in ((new, "terbit", "2222222222222"), (had, "informasi", None)):
        visit = desk.enqueue(db, nib_desk, vendor=vendor, name=None, phone=None, now=when)
        desk.log_visit(
            db, visit, service="nib", outcome=outcome, document_no=number, officer=officer, now=when
        )
    span = svc.DateRange(date(2026, 10, 15), date(2026, 12, 20))
    outcomes = svc.desk_outcomes(db, city, span, timezone=TZ)
    assert outcomes == {("nib", "terbit"): 1, ("nib", "informasi"): 1}
    points = svc.documents_over_time(db, city, span, timezone=TZ)
    # the new NIB counts from the desk's day, not the vendor's registration in 2025
    assert points == [
        (date(2026, 10, 31), 1, 0),
        (date(2026, 11, 30), 1, 1),
        (date(2026, 12, 20), 2, 1),
    ]
