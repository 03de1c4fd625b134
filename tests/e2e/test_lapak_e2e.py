"""The vendor page and crew check-in on a phone-sized headless Chromium (360×740)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy.orm import Session

from app.models import Assignment, AuditEntry, Event, Vendor
from tests.e2e.conftest import serving

pytestmark = pytest.mark.e2e

EVENT = "cfd-2026-12-06"
#: The Saturday before the demo CFD: the event is "coming" whatever the real date.
NOW = datetime(2026, 12, 5, 19, 0)
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def live_server(engine: Engine, database_url: str) -> Iterator[str]:
    """The app with a fixed clock (this module's own server; the page fixture uses it)."""
    with serving({"SQLALCHEMY_DATABASE_URI": database_url, "FIXED_NOW": NOW}) as url:
        yield url


def _booked(engine: Engine) -> tuple[int, str, str, str, int]:
    with Session(engine) as s:
        event_id = s.scalars(select(Event.id).where(Event.slug == EVENT)).one()
        a = s.scalars(
            select(Assignment)
            .join(Vendor, Vendor.id == Assignment.vendor_id)
            .where(
                Assignment.event_id == event_id,
                Assignment.status == "assigned",
                Vendor.phone.is_not(None),
            )
            .order_by(Assignment.id)
            .limit(1)
        ).one()
        return a.id, a.vendor.access_code, a.vendor.phone or "", a.booth.code, a.version


def test_vendor_sees_their_booth_highlighted(page: Any, engine: Engine) -> None:
    _aid, code, phone, booth_code, _v = _booked(engine)
    page.set_viewport_size(PHONE)
    page.goto(page.base_url + "/lapak")
    viewport = page.get_attribute("meta[name=viewport]", "content")
    assert "user-scalable" not in viewport
    assert "maximum-scale" not in viewport
    page.fill("input[name=code]", code.lower())
    page.fill("input[name=phone4]", "0000" if phone[-4:] != "0000" else "1111")
    page.click("#lapak-form button[type=submit]")
    page.wait_for_selector("#lapak-msg:not([hidden])")
    assert "tidak cocok" in page.inner_text("#lapak-msg")
    assert page.input_value("input[name=code]") == code.lower()  # kept for a retry
    page.fill("input[name=phone4]", phone[-4:])
    page.click("#lapak-form button[type=submit]")
    page.wait_for_selector("path.pl-own-booth", state="attached")
    assert page.inner_text(".booth-code") == booth_code
    assert page.inner_text(".pl-own-label") == booth_code  # the label on the map
    assert page.locator("path.pl-own-booth").count() == 1
    assert page.locator("path.pl-booth-occupied").count() > 10
    assert page.evaluate("typeof window.jQuery") == "undefined"
    # fits the phone's width: no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # a reload does not ask again; "Keluar" does
    page.reload()
    page.wait_for_selector("path.pl-own-booth", state="attached")
    page.click("form.logout button")
    page.wait_for_selector("input[name=phone4]")


def test_crew_marks_a_booth_with_one_tap(page: Any, engine: Engine, staff_user: Any) -> None:
    aid, _code, _phone, booth_code, version = _booked(engine)
    with Session(engine) as s:
        audit_before = s.scalar(select(func.max(AuditEntry.id))) or 0
    email, password = staff_user("crew")
    page.set_viewport_size(PHONE)
    try:
        page.goto(page.base_url + f"/crew/events/{EVENT}/checkin")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_selector("#checkin-list")
        page.fill("#checkin-q", booth_code.lower())
        assert page.locator(".checkin-row:visible").count() == 1
        row = page.locator(f"#a-{aid}")
        row.locator("button[data-target=checked_in]").click()
        page.wait_for_selector(f"#a-{aid}.st-checked_in:not(.pending)")
        assert row.locator(".st-label").inner_text() == "Hadir"
        with Session(engine) as s:
            assert s.get(Assignment, aid).status == "checked_in"  # type: ignore[union-attr]
        # tapping the pressed button again undoes the mark
        row.locator("button[data-target=checked_in]").click()
        page.wait_for_selector(f"#a-{aid}.st-assigned:not(.pending)")
        with Session(engine) as s:
            assert s.get(Assignment, aid).status == "assigned"  # type: ignore[union-attr]
    finally:
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE assignment SET status = 'assigned', version = :v WHERE id = :id"),
                {"v": version, "id": aid},
            )
            conn.execute(
                delete(AuditEntry).where(
                    AuditEntry.id > audit_before,
                    AuditEntry.entity == "assignment",
                    AuditEntry.entity_id == aid,
                )
            )
