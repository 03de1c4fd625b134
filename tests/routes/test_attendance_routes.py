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


# -- a regular's own absence periods on /lapak/kehadiran ----------------------------------------


def _absences(db: Session, vendor: Any) -> list[tuple[date, date]]:
    return [
        (a.starts_on, a.ends_on)
        for a in db.scalars(
            select(VendorAbsence)
            .where(VendorAbsence.vendor_id == vendor.id)
            .order_by(VendorAbsence.starts_on)
        )
    ]


def test_a_regular_adds_and_removes_an_absence_period_on_lapak(
    client: FlaskClient, db: Session, draft: Event, vendor: Any
) -> None:
    _login_vendor(client, vendor)
    page = client.get("/lapak/kehadiran").get_data(as_text=True)
    assert 'action="/lapak/absen"' not in page  # not a regular: they answer per event
    refused = client.post(
        "/lapak/absen",
        data={"starts_on": "2026-12-10", "ends_on": "2026-12-20"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "hanya untuk pedagang rutin" in refused and _absences(db, vendor) == []
    client.post("/lapak/rutin", data={"on": "1"})
    assert vendor.id in plan.attending_vendor_ids(db, draft)
    page = client.get("/lapak/kehadiran").get_data(as_text=True)
    assert 'action="/lapak/absen"' in page and "Belum ada masa absen." in page
    done = client.post(
        "/lapak/absen",
        data={
            "starts_on": "2026-12-10",
            "ends_on": "2026-12-20",
            "reason": "Pulang <b>kampung</b>",
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "dicatat" in done and "Pulang &lt;b&gt;kampung&lt;/b&gt;" in done
    assert _absences(db, vendor) == [(date(2026, 12, 10), date(2026, 12, 20))]
    assert vendor.id not in plan.attending_vendor_ids(db, draft)  # the 13 Dec CFD is inside
    [absence] = db.scalars(select(VendorAbsence).where(VendorAbsence.vendor_id == vendor.id))
    # "Hapus" first shows what changes and asks; nothing is removed until confirmed
    asked = client.get(f"/lapak/kehadiran?hapus={absence.id}").get_data(as_text=True)
    assert "Anda akan kembali tercatat datang (rutin) ke:" in asked and draft.name in asked
    assert f'action="/lapak/absen/{absence.id}/hapus"' in asked
    assert len(_absences(db, vendor)) == 1
    gone = client.post(f"/lapak/absen/{absence.id}/hapus", follow_redirects=True)
    assert "dihapus" in gone.get_data(as_text=True)
    assert _absences(db, vendor) == []
    assert vendor.id in plan.attending_vendor_ids(db, draft)


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "says"),
    [
        ("2026-12-20", "2026-12-10", "sebelum tanggal mulai"),
        ("2026-11-20", "2026-12-10", "sebelum hari ini (2026-11-29)"),
        ("2026-12-01", "2027-12-01", "paling lama 180 hari"),
        ("kemarin", "2026-12-10", "Mulai: tanggal tidak sah"),
        ("2026-12-01", "", "Sampai: tanggal tidak sah"),
        ("2026-12-03", "2026-12-12", "bertumpang tindih dengan masa absen 2026-12-01 – 2026-12-05"),
    ],
)
def test_a_vendors_absence_period_is_checked_and_nothing_partial_saved(
    client: FlaskClient, db: Session, vendor: Any, starts_on: str, ends_on: str, says: str
) -> None:
    _login_vendor(client, vendor)
    client.post("/lapak/rutin", data={"on": "1"})
    client.post("/lapak/absen", data={"starts_on": "2026-12-01", "ends_on": "2026-12-05"})
    resp = client.post(
        "/lapak/absen", data={"starts_on": starts_on, "ends_on": ends_on}, follow_redirects=True
    )
    assert resp.status_code == 200
    assert says in resp.get_data(as_text=True)
    assert _absences(db, vendor) == [(date(2026, 12, 1), date(2026, 12, 5))]


def test_an_absence_cannot_change_an_event_past_its_deadline(
    client: FlaskClient, db: Session, vendor: Any, pontianak: City
) -> None:
    """The demo's CFD of 6 December: its registration deadline (4 Dec by default) is ahead of
    NOW, so set one that has passed; then neither adding nor removing a period over it works."""
    event = db.scalars(
        select(Event).where(Event.city_id == pontianak.id, Event.date == SUNDAY)
    ).first()
    assert event is not None
    event.registration_deadline = datetime(2026, 11, 29, 9, 0, tzinfo=plan_tz())
    db.flush()
    _login_vendor(client, vendor)
    client.post("/lapak/rutin", data={"on": "1"})
    refused = client.post(
        "/lapak/absen", data={"starts_on": "2026-12-05", "ends_on": "2026-12-07"},
        follow_redirects=True,
    ).get_data(as_text=True)  # fmt: skip
    assert "batas pendaftarannya sudah lewat" in refused and _absences(db, vendor) == []
    planner_made = plan.add_absence(
        db, vendor, starts_on=date(2026, 12, 5), ends_on=date(2026, 12, 7), reason=None,
        user_id=None,
    )  # fmt: skip
    kept = client.post(f"/lapak/absen/{planner_made.id}/hapus", follow_redirects=True)
    assert "batas pendaftarannya sudah lewat" in kept.get_data(as_text=True)
    assert _absences(db, vendor) == [(date(2026, 12, 5), date(2026, 12, 7))]


def test_a_vendor_cannot_remove_another_vendors_absence(
    client: FlaskClient, db: Session, vendor: Any, make_vendor: Any, pontianak: City
) -> None:
    other = make_vendor(city=pontianak)
    theirs = plan.add_absence(
        db, other, starts_on=date(2026, 12, 10), ends_on=date(2026, 12, 11), reason=None,
        user_id=None,
    )  # fmt: skip
    _login_vendor(client, vendor)
    resp = client.post(f"/lapak/absen/{theirs.id}/hapus", follow_redirects=True)
    assert "tidak ditemukan" in resp.get_data(as_text=True)
    assert _absences(db, other) == [(date(2026, 12, 10), date(2026, 12, 11))]
    assert client.get(f"/lapak/kehadiran?hapus={theirs.id}").status_code == 200
