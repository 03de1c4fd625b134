"""A vendor's season on a phone (360×740) in headless Chromium: apply at /daftar with a stall
photo → a planner approves in the review queue and opens the printable card → the applicant
reads the decision with their status code, opens their vendor page and says they will come to
the next CFD → the planner's notice list. Screenshots go to ``E2E_SCREENSHOTS`` (default
/tmp/shots) as ``t15a-*.png`` for a person to look at."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from app.models import (
    AttendanceAnswer,
    AuditEntry,
    City,
    Event,
    Vendor,
    VendorApplication,
    Zone,
)
from tests.e2e.conftest import serving

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 12, 5, 19, 0)  # the Saturday before the demo's CFD
NEXT_CFD = date(2026, 12, 13)
PHONE = {"width": 360, "height": 740}
SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "/tmp/shots"))
APPLICANT_PHONE = "0813 4567 1234"


@pytest.fixture(scope="module")
def live_server(engine: Engine, database_url: str) -> Iterator[str]:
    with serving({"SQLALCHEMY_DATABASE_URI": database_url, "FIXED_NOW": NOW}) as url:
        yield url


@pytest.fixture
def next_cfd(engine: Engine) -> Iterator[Event]:
    """A draft CFD a week after the demo's (committed: the server runs in its own process)."""
    with Session(engine, expire_on_commit=False) as s:
        city = s.scalars(select(City).where(City.slug == "pontianak")).one()
        corridor = s.scalars(
            select(Zone).where(Zone.city_id == city.id, Zone.kind == "cfd_corridor").limit(1)
        ).one()
        event = Event(
            city_id=city.id,
            slug="e2e-cfd-2026-12-13",
            name="CFD Jl. Ahmad Yani — 13 Desember 2026",
            date=NEXT_CFD,
            start_time=time(6),
            end_time=time(9),
            status="draft",
            corridors=[corridor],
        )
        s.add(event)
        s.commit()
    try:
        yield event
    finally:
        with Session(engine) as s:
            s.execute(delete(Event).where(Event.id == event.id))
            s.commit()


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"t15a-{name}.png"), full_page=True)


def _jpeg() -> bytes:
    from PIL import Image

    raw = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Merek HP"
    Image.new("RGB", (64, 48), "orange").save(raw, format="JPEG", exif=exif)
    return raw.getvalue()


def test_apply_approve_and_register_attendance(
    page: Any, engine: Engine, staff_user: Any, next_cfd: Event
) -> None:
    page.set_viewport_size(PHONE)
    made: dict[str, int] = {}
    try:
        # 1. the applicant, on a phone, without an account
        page.goto(page.base_url + "/daftar")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.fill("input[name=phone]", APPLICANT_PHONE)
        page.fill("input[name=owner_name]", "Rina Wulandari")
        page.fill("input[name=business_name]", "Es Lidah Buaya Rina")
        page.select_option("select[name=category]", "minuman")
        page.fill("input[name=halal_cert_no]", "ID61110000999990925")
        page.fill("input[name=halal_cert_expiry]", "2027-09-30")
        page.set_input_files(
            "input[name=photo]",
            files=[{"name": "lapak.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}],
        )
        _shot(page, "01-daftar-form")
        page.click("#apply-form button[type=submit]")
        page.wait_for_selector("#status-code")
        status_code = page.inner_text("#status-code").strip()
        assert len(status_code) >= 8
        _shot(page, "02-daftar-received")
        with Session(engine) as s:
            application = s.scalars(
                select(VendorApplication).where(VendorApplication.status_code == status_code)
            ).one()
            made["application"] = application.id
            assert application.photo_path

        # 2. a planner reviews and approves, then opens the card to print
        email, password = staff_user("planner")
        page.goto(page.base_url + "/planner/applications")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_selector("#applications")
        _shot(page, "03-queue")
        page.click(f"a[href='/planner/applications/{made['application']}'] >> nth=0")
        page.wait_for_selector("#approve")
        page.wait_for_function("document.querySelector('img.app-photo')?.naturalWidth > 0")
        _shot(page, "04-review")
        page.click("#approve")
        page.wait_for_selector("#print-card")
        _shot(page, "05-approved")
        page.click("#print-card")
        page.wait_for_selector(".vcard .code")
        access_code = page.inner_text(".vcard .code").strip()
        with Session(engine) as s:
            vendor = s.scalars(select(Vendor).where(Vendor.access_code == access_code)).one()
            made["vendor"] = vendor.id
            assert vendor.phone == "081345671234" and vendor.business_name == "Es Lidah Buaya Rina"
        if page.locator(".topbar .nav-toggle").is_visible():  # the phone header's menu
            page.click(".topbar .nav-toggle")
        page.click("form[action='/logout'] button")

        # 3. the applicant reads the decision and opens their vendor page
        page.goto(page.base_url + "/daftar/status")
        page.fill("input[name=code]", status_code.lower())
        page.click("form[action='/daftar/status'] button[type=submit]")
        page.wait_for_selector("#app-status")
        assert page.inner_text("#app-status") == "Disetujui"
        _shot(page, "06-status-approved")
        page.click("#lapak-link")
        page.wait_for_selector("#attendance-link")
        page.click("#attendance-link")
        page.wait_for_selector(f"#acara-{next_cfd.id}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        _shot(page, "07-kehadiran-ask")
        page.click(f"#acara-{next_cfd.id} .big-yes")
        page.wait_for_selector(f"#acara-{next_cfd.id} .answer-now .yes")
        _shot(page, "08-kehadiran-yes")
        with Session(engine) as s:
            answer = s.scalars(
                select(AttendanceAnswer).where(AttendanceAnswer.vendor_id == made["vendor"])
            ).one()
            assert answer.attending and answer.source == "vendor"
            assert answer.event_id == next_cfd.id
            from app.services.attendance_plan import attending_vendor_ids

            event = s.get(Event, next_cfd.id)
            assert event is not None and made["vendor"] in attending_vendor_ids(s, event)
    finally:
        with Session(engine) as s:
            application = s.get(VendorApplication, made.get("application", 0))
            if application is not None and application.photo_path:
                from app import create_app

                folder = Path(create_app({"TESTING": True}).instance_path)
                (folder / "application_photos" / application.photo_path).unlink(missing_ok=True)
            s.execute(
                delete(AuditEntry).where(
                    AuditEntry.entity.in_(("vendor_application", "vendor", "attendance_answer")),
                    AuditEntry.entity_id.in_([made.get("application", 0), made.get("vendor", 0)])
                    | AuditEntry.after["vendor_id"].as_integer().in_([made.get("vendor", 0)]),
                )
            )
            s.execute(
                delete(VendorApplication).where(VendorApplication.id == made.get("application", 0))
            )
            s.execute(delete(Vendor).where(Vendor.id == made.get("vendor", 0)))
            s.commit()


def test_notice_list_on_a_phone(page: Any, staff_user: Any) -> None:
    page.set_viewport_size(PHONE)
    email, password = staff_user("planner")
    page.goto(page.base_url + "/planner/events/cfd-2026-12-06/pemberitahuan")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("#notices")
    href = page.get_attribute("#notices a.wa >> nth=0", "href")
    assert href and href.startswith("https://wa.me/62")
    _shot(page, "09-notices")
