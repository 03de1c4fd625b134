"""Attendance before allocation on the pages: /lapak's big yes/no and standing attendance, the
crew's list, the planner's deadline, the vendor page's absences, and the event page's section."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import create_app
from app.models import AttendanceAnswer, City, Event, StandingAttendance, VendorAbsence
from app.services import attendance_plan as plan

NOW = datetime(2026, 11, 29, 10, 0)  # a Sunday morning, city time
SUNDAY = date(2026, 12, 6)


@pytest.fixture
def pontianak(db: Session) -> City:
    return db.scalars(select(City).where(City.slug == "pontianak")).one()


@pytest.fixture
def app(db: Session, database_url: str) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "test-secret-key-0123456789",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "FIXED_NOW": NOW,
        },
        session=db,
    )


@pytest.fixture
def draft(make_event: Any, pontianak: City) -> Event:
    # the demo already has a CFD on 6 Dec; this one is a draft a week later
    return make_event(
        city=pontianak, date=SUNDAY + timedelta(days=7), start_time=time(6), end_time=time(9)
    )


@pytest.fixture
def vendor(make_vendor: Any, pontianak: City) -> Any:
    return make_vendor(city=pontianak, phone="081234560001")


def _login_vendor(client: FlaskClient, vendor: Any) -> None:
    resp = client.post("/lapak", data={"code": vendor.access_code, "phone4": "0001"})
    assert resp.status_code == 303, resp.data


def test_lapak_asks_about_the_next_events_and_records_the_answer(
    client: FlaskClient, db: Session, draft: Event, vendor: Any
) -> None:
    _login_vendor(client, vendor)
    assert 'href="/lapak/kehadiran"' in client.get("/lapak").get_data(as_text=True)
    page = client.get("/lapak/kehadiran").get_data(as_text=True)
    assert f'id="acara-{draft.id}"' in page and "Apakah Anda datang?" in page
    resp = client.post(f"/lapak/kehadiran/{draft.id}", data={"attending": "ya"})
    assert resp.status_code == 303
    answer = db.scalars(
        select(AttendanceAnswer).where(
            AttendanceAnswer.vendor_id == vendor.id, AttendanceAnswer.event_id == draft.id
        )
    ).one()
    assert answer.attending and answer.source == "vendor"
    assert vendor.id in plan.attending_vendor_ids(db, draft)
    assert "Anda tercatat akan datang." in client.get("/lapak/kehadiran").get_data(as_text=True)
    client.post(f"/lapak/kehadiran/{draft.id}", data={"attending": "tidak"})
    assert vendor.id not in plan.attending_vendor_ids(db, draft)


def test_lapak_refuses_after_the_deadline(
    client: FlaskClient, db: Session, draft: Event, vendor: Any
) -> None:
    draft.registration_deadline = datetime(2026, 11, 29, 9, 0, tzinfo=plan_tz())
    db.flush()
    _login_vendor(client, vendor)
    page = client.get("/lapak/kehadiran").get_data(as_text=True)
    assert "Batas pendaftaran sudah lewat" in page
    assert f"/lapak/kehadiran/{draft.id}" not in page
    resp = client.post(
        f"/lapak/kehadiran/{draft.id}", data={"attending": "ya"}, follow_redirects=True
    )
    assert "Batas waktu pendaftaran kehadiran sudah lewat" in resp.get_data(as_text=True)
    assert vendor.id not in plan.attending_vendor_ids(db, draft)


def plan_tz() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Pontianak")


def test_lapak_answers_need_the_vendor_session(
    client: FlaskClient, db: Session, draft: Event
) -> None:
    assert client.get("/lapak/kehadiran").status_code == 303
    assert client.post(f"/lapak/kehadiran/{draft.id}", data={"attending": "ya"}).status_code == 303
    assert (
        db.scalar(select(AttendanceAnswer.id).where(AttendanceAnswer.event_id == draft.id)) is None
    )


def test_lapak_cannot_answer_for_another_citys_event(
    client: FlaskClient, db: Session, vendor: Any, make_event: Any
) -> None:
    elsewhere = make_event(date=SUNDAY)
    _login_vendor(client, vendor)
    client.post(f"/lapak/kehadiran/{elsewhere.id}", data={"attending": "ya"})
    assert (
        db.scalar(select(AttendanceAnswer.id).where(AttendanceAnswer.event_id == elsewhere.id))
        is None
    )


def test_lapak_standing_attendance(
    client: FlaskClient, db: Session, draft: Event, vendor: Any
) -> None:
    _login_vendor(client, vendor)
    client.post("/lapak/rutin", data={"on": "1"})
    assert db.scalars(
        select(StandingAttendance.weekday).where(StandingAttendance.vendor_id == vendor.id)
    ).all() == [6]
    assert vendor.id in plan.attending_vendor_ids(db, draft)
    assert "Anda pedagang rutin" in client.get("/lapak/kehadiran").get_data(as_text=True)
    client.post("/lapak/rutin", data={"on": "0"})
    assert vendor.id not in plan.attending_vendor_ids(db, draft)


def test_crew_answers_on_a_vendors_behalf_even_after_the_deadline(
    client: FlaskClient, auth: Any, db: Session, draft: Event, vendor: Any
) -> None:
    draft.registration_deadline = datetime(2026, 11, 29, 9, 0, tzinfo=plan_tz())
    db.flush()
    crew = auth.login("crew")
    page = client.get(f"/crew/events/{draft.slug}/kehadiran")
    assert page.status_code == 200 and f'id="v-{vendor.id}"' in page.get_data(as_text=True)
    found = client.get(
        f"/crew/events/{draft.slug}/kehadiran", query_string={"q": vendor.business_name.upper()}
    ).get_data(as_text=True)
    assert f'id="v-{vendor.id}"' in found and found.count('class="checkin-row') == 1
    resp = client.post(f"/crew/events/{draft.slug}/kehadiran/{vendor.id}", data={"attending": "ya"})
    assert resp.status_code == 303
    answer = db.scalars(
        select(AttendanceAnswer).where(AttendanceAnswer.vendor_id == vendor.id)
    ).one()
    assert answer.source == "crew" and answer.user_id == crew.id and answer.attending


def test_planner_sets_and_clears_the_deadline_and_sees_the_section(
    client: FlaskClient, auth: Any, db: Session, draft: Event, vendor: Any
) -> None:
    auth.login("planner")
    plan.set_standing(db, vendor, weekday=6, on=True, user_id=None)
    page = client.get(f"/planner/events/{draft.slug}").get_data(as_text=True)
    assert 'id="kehadiran"' in page and "Hadir rutin" in page and vendor.business_name in page
    client.post(
        f"/planner/events/{draft.slug}/batas-pendaftaran", data={"deadline": "2026-12-10T18:00"}
    )
    db.refresh(draft)
    assert draft.registration_deadline == datetime(2026, 12, 10, 18, 0, tzinfo=plan_tz())
    late = client.post(
        f"/planner/events/{draft.slug}/batas-pendaftaran",
        data={"deadline": "2026-12-31T18:00"},
        follow_redirects=True,
    )
    assert "tidak boleh sesudah acara dimulai" in late.get_data(as_text=True)
    bad = client.post(
        f"/planner/events/{draft.slug}/batas-pendaftaran",
        data={"deadline": "besok"},
        follow_redirects=True,
    )
    assert bad.status_code == 200 and "tidak sah" in bad.get_data(as_text=True)
    client.post(f"/planner/events/{draft.slug}/batas-pendaftaran", data={"default": "1"})
    db.refresh(draft)
    assert draft.registration_deadline is None


def test_crew_may_not_set_the_deadline(client: FlaskClient, auth: Any, draft: Event) -> None:
    auth.login("crew")
    resp = client.post(
        f"/planner/events/{draft.slug}/batas-pendaftaran", data={"deadline": "2026-12-10T18:00"}
    )
    assert resp.status_code == 403


def test_planner_records_standing_and_absence_on_the_vendor_page(
    client: FlaskClient, auth: Any, db: Session, draft: Event, vendor: Any
) -> None:
    auth.login("planner")
    client.post(f"/planner/vendors/{vendor.id}/kehadiran-rutin", data={"on": "1"})
    assert vendor.id in plan.attending_vendor_ids(db, draft)
    client.post(
        f"/planner/vendors/{vendor.id}/absen",
        data={"starts_on": "2026-12-10", "ends_on": "2026-12-20", "reason": "pulang kampung"},
    )
    assert vendor.id not in plan.attending_vendor_ids(db, draft)
    page = client.get(f"/planner/vendors/{vendor.id}").get_data(as_text=True)
    assert "2026-12-10 – 2026-12-20: pulang kampung" in page
    bad = client.post(
        f"/planner/vendors/{vendor.id}/absen",
        data={"starts_on": "2026-12-20", "ends_on": "2026-12-10"},
        follow_redirects=True,
    )
    assert "tidak boleh sebelum" in bad.get_data(as_text=True)
    absence = db.scalars(select(VendorAbsence).where(VendorAbsence.vendor_id == vendor.id)).one()
    client.post(f"/planner/vendors/{vendor.id}/absen/{absence.id}/hapus")
    assert vendor.id in plan.attending_vendor_ids(db, draft)


@pytest.mark.parametrize("role", ["petugas"])
def test_officers_cannot_answer_for_vendors(
    client: FlaskClient, auth: Any, draft: Event, vendor: Any, role: str
) -> None:
    auth.login(role)
    assert client.get(f"/crew/events/{draft.slug}/kehadiran").status_code == 403
    assert (
        client.post(
            f"/crew/events/{draft.slug}/kehadiran/{vendor.id}", data={"attending": "ya"}
        ).status_code
        == 403
    )
