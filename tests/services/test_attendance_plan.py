"""Who will attend an event: explicit answers, standing attendance, absence periods, deadline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AttendanceAnswer, AuditEntry, StandingAttendance
from app.services import attendance_plan as plan
from app.services.errors import ServiceError

WIB = ZoneInfo("Asia/Pontianak")
SUNDAY = date(2026, 12, 6)  # a CFD Sunday
SUNDAY_WD = SUNDAY.weekday()


@pytest.fixture
def sunday_event(make_event: Callable[..., Any]) -> Any:
    return make_event(date=SUNDAY, start_time=time(6), end_time=time(9), status="published")


def _now(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=WIB)


def _answer(db: Session, event: Any, vendor: Any, attending: bool, **kw: Any) -> None:
    kw.setdefault("source", "vendor")
    plan.set_answer(
        db,
        event,
        vendor,
        attending=attending,
        user_id=None,
        now=kw.pop("now", _now(SUNDAY - timedelta(days=5))),
        default_days=2,
        tz=WIB,
        **kw,
    )


def test_nobody_attends_without_an_answer_or_standing(
    db: Session, sunday_event: Any, make_vendor: Callable[..., Any]
) -> None:
    make_vendor(city=sunday_event.city)
    assert plan.attending_vendor_ids(db, sunday_event) == set()


def test_explicit_yes_standing_absence_and_explicit_no(
    db: Session, sunday_event: Any, make_vendor: Callable[..., Any]
) -> None:
    city = sunday_event.city
    said_yes, regular, regular_away, regular_said_no, away_said_yes, weekday_only = (
        make_vendor(city=city) for _ in range(6)
    )
    inactive = make_vendor(city=city, active=False)
    other_city = make_vendor()
    for v in (regular, regular_away, regular_said_no, away_said_yes, inactive, other_city):
        plan.set_standing(db, v, weekday=SUNDAY_WD, on=True, user_id=None)
    plan.set_standing(db, weekday_only, weekday=2, on=True, user_id=None)  # Wednesdays only
    for v in (regular_away, away_said_yes):
        plan.add_absence(
            db,
            v,
            starts_on=SUNDAY - timedelta(days=3),
            ends_on=SUNDAY,
            reason="mudik",
            user_id=None,
        )
    _answer(db, sunday_event, said_yes, True)
    _answer(db, sunday_event, regular_said_no, False)
    _answer(db, sunday_event, away_said_yes, True, source="crew")

    assert plan.attending_vendor_ids(db, sunday_event) == {
        said_yes.id,
        regular.id,
        away_said_yes.id,
    }

    states = {r.vendor_id: r.state for r in plan.attendance_overview(db, sunday_event)}
    assert states[said_yes.id] == "registered"
    assert states[regular.id] == "standing"
    assert states[regular_away.id] == "absent"
    assert states[regular_said_no.id] == "declined"
    assert states[away_said_yes.id] == "registered"
    assert states[weekday_only.id] == "unanswered"
    assert inactive.id not in states and other_city.id not in states


def test_an_absence_ending_the_day_before_does_not_cover(
    db: Session, sunday_event: Any, make_vendor: Callable[..., Any]
) -> None:
    v = make_vendor(city=sunday_event.city)
    plan.set_standing(db, v, weekday=SUNDAY_WD, on=True, user_id=None)
    plan.add_absence(
        db,
        v,
        starts_on=SUNDAY - timedelta(days=7),
        ends_on=SUNDAY - timedelta(days=1),
        reason=None,
        user_id=None,
    )
    assert plan.attending_vendor_ids(db, sunday_event) == {v.id}


def test_a_second_answer_replaces_the_first(
    db: Session, sunday_event: Any, make_vendor: Callable[..., Any]
) -> None:
    v = make_vendor(city=sunday_event.city)
    _answer(db, sunday_event, v, True)
    _answer(db, sunday_event, v, False)
    rows = db.scalars(select(AttendanceAnswer).where(AttendanceAnswer.vendor_id == v.id)).all()
    assert [r.attending for r in rows] == [False]
    assert plan.attending_vendor_ids(db, sunday_event) == set()


def test_vendor_cannot_answer_after_the_deadline_but_crew_can(
    db: Session, sunday_event: Any, make_vendor: Callable[..., Any]
) -> None:
    v = make_vendor(city=sunday_event.city)
    deadline = plan.registration_deadline(sunday_event, default_days=2, tz=WIB)
    assert deadline == datetime.combine(SUNDAY - timedelta(days=2), time(6), tzinfo=WIB)
    _answer(db, sunday_event, v, True, now=deadline - timedelta(minutes=1))
    with pytest.raises(ServiceError, match="Batas waktu"):
        _answer(db, sunday_event, v, False, now=deadline)
    _answer(db, sunday_event, v, False, now=deadline, source="crew")
    assert plan.attending_vendor_ids(db, sunday_event) == set()


def test_planner_deadline_overrides_the_default(
    db: Session, sunday_event: Any, make_vendor: Callable[..., Any]
) -> None:
    v = make_vendor(city=sunday_event.city)
    sunday_event.registration_deadline = _now(SUNDAY - timedelta(days=6), 8)
    db.flush()
    with pytest.raises(ServiceError):
        _answer(db, sunday_event, v, True, now=_now(SUNDAY - timedelta(days=5)))


def test_no_answer_for_a_past_or_closed_event(
    db: Session, sunday_event: Any, make_vendor: Callable[..., Any]
) -> None:
    v = make_vendor(city=sunday_event.city)
    with pytest.raises(ServiceError):
        _answer(db, sunday_event, v, True, source="planner", now=_now(SUNDAY + timedelta(days=1)))
    sunday_event.status = "closed"
    db.flush()
    with pytest.raises(ServiceError):
        _answer(db, sunday_event, v, True, source="planner")


def test_a_vendor_of_another_city_cannot_answer(
    db: Session, sunday_event: Any, make_vendor: Callable[..., Any]
) -> None:
    with pytest.raises(ServiceError):
        _answer(db, sunday_event, make_vendor(), True)


def test_standing_is_idempotent_and_can_be_turned_off(
    db: Session, sunday_event: Any, make_vendor: Callable[..., Any]
) -> None:
    v = make_vendor(city=sunday_event.city)
    plan.set_standing(db, v, weekday=SUNDAY_WD, on=True, user_id=None)
    plan.set_standing(db, v, weekday=SUNDAY_WD, on=True, user_id=None)
    assert (
        len(
            db.scalars(select(StandingAttendance).where(StandingAttendance.vendor_id == v.id)).all()
        )
        == 1
    )
    plan.set_standing(db, v, weekday=SUNDAY_WD, on=False, user_id=None)
    assert plan.attending_vendor_ids(db, sunday_event) == set()
    with pytest.raises(ServiceError):
        plan.set_standing(db, v, weekday=7, on=True, user_id=None)


def test_absence_period_must_not_end_before_it_starts(
    db: Session, make_vendor: Callable[..., Any]
) -> None:
    with pytest.raises(ServiceError):
        plan.add_absence(
            db,
            make_vendor(),
            starts_on=SUNDAY,
            ends_on=SUNDAY - timedelta(days=1),
            reason=None,
            user_id=None,
        )


def test_answers_are_audited(
    db: Session, sunday_event: Any, make_vendor: Callable[..., Any]
) -> None:
    v = make_vendor(city=sunday_event.city)
    _answer(db, sunday_event, v, True)
    entries = db.scalars(select(AuditEntry).where(AuditEntry.entity == "attendance_answer")).all()
    assert any(e.after and e.after["vendor_id"] == v.id for e in entries)


def _layout_version(db: Session, city_id: int) -> int:
    from app.models import DataVersion

    return int(
        db.scalar(select(DataVersion.layout_version).where(DataVersion.city_id == city_id)) or 0
    )


def test_every_attendance_write_bumps_the_change_counter_not_the_layout(
    db: Session, sunday_event: Any, make_vendor: Callable[..., Any]
) -> None:
    """Answers, standing attendance and absence periods invalidate what is cached under the
    city's counter (pages, tiles, PDFs); they move nobody's booth, so the layout counter that the
    public map and other vendors' pages key on stays."""
    from app.services.data_version import city_version

    vendor = make_vendor(city=sunday_event.city)
    db.commit()
    city_id = sunday_event.city_id
    absence: list[Any] = []
    steps = [
        lambda: _answer(db, sunday_event, vendor, True),
        lambda: _answer(db, sunday_event, vendor, False),  # changed answer
        lambda: plan.set_standing(db, vendor, weekday=SUNDAY_WD, on=True, user_id=None),
        lambda: plan.set_standing(db, vendor, weekday=SUNDAY_WD, on=False, user_id=None),
        lambda: absence.append(
            plan.add_absence(
                db, vendor, starts_on=SUNDAY, ends_on=SUNDAY, reason=None, user_id=None
            )
        ),
        lambda: plan.remove_absence(db, vendor, absence[0].id),
    ]
    for i, step in enumerate(steps):
        version, layout = city_version(db, city_id), _layout_version(db, city_id)
        step()
        assert city_version(db, city_id) == version + 1, i
        assert _layout_version(db, city_id) == layout, i
