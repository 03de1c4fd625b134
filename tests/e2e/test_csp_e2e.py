"""The pages work under the Content-Security-Policy: maps paint, scripts run, nothing is blocked
(the ``page`` fixture fails a test on any CSP report on the console). Screenshots of each page
go to ``PETALAPAK_SCREENSHOTS`` when set, for a person to look at."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.models import Assignment, Event, Vendor
from tests.e2e.conftest import serving

pytestmark = pytest.mark.e2e

EVENT = "cfd-2026-12-06"
NOW = datetime(2026, 12, 5, 19, 0)


@pytest.fixture(scope="module")
def live_server(engine: Engine, database_url: str) -> Iterator[str]:
    with serving({"SQLALCHEMY_DATABASE_URI": database_url, "FIXED_NOW": NOW}) as url:
        yield url


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("PETALAPAK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def _csp_of(page: Any, path: str) -> str:
    resp = page.goto(page.base_url + path)
    policy = resp.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    return policy


def test_home_map_paints_under_the_policy(page: Any) -> None:
    _csp_of(page, "/")
    page.wait_for_selector(".leaflet-container")
    page.wait_for_function(  # the folium script (inline, with the nonce) drew the layers
        "document.querySelectorAll('.leaflet-interactive').length > 10 "
        "|| document.querySelector('canvas.leaflet-zoom-animated') !== null"
    )
    assert "Zona merah" in page.inner_text("body")  # the legend, folium's inline HTML
    _shot(page, "home")


def test_staff_pages_work_under_the_policy(page: Any, staff_user: Any) -> None:
    staff_user("crew")  # someone for the users page to act on
    email, password = staff_user("admin")
    page.goto(page.base_url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(page.base_url + "/planner/")  # planners land on their home

    _csp_of(page, f"/planner/map?event={EVENT}")
    page.wait_for_function("document.documentElement.dataset.boothsPainted > 0", timeout=30000)
    assert page.evaluate("typeof petalapakWorkspace") == "object"
    _shot(page, "planner-map")

    _csp_of(page, f"/planner/events/{EVENT}")
    page.wait_for_selector("h1")
    _shot(page, "event")

    _csp_of(page, f"/crew/events/{EVENT}/checkin")
    page.wait_for_selector("h1")
    _shot(page, "checkin")

    # The confirm question comes from page.js (no inline handlers): dismissing it sends nothing.
    _csp_of(page, "/planner/users")
    asked: list[str] = []

    def _dismiss(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", _dismiss)
    page.locator("form[action$='/reset-password'] button").first.click()
    assert asked and "kata sandi" in asked[0]
    assert page.url.endswith("/planner/users")
    _shot(page, "users")


def test_vendor_page_map_paints_under_the_policy(page: Any, engine: Engine) -> None:
    with Session(engine) as s:
        event_id = s.scalars(select(Event.id).where(Event.slug == EVENT)).one()
        vendor = s.scalars(
            select(Vendor)
            .join(Assignment, Assignment.vendor_id == Vendor.id)
            .where(Assignment.event_id == event_id, Vendor.phone.is_not(None))
            .order_by(Vendor.id)
            .limit(1)
        ).one()
        code, phone = vendor.access_code, vendor.phone or ""
    page.set_viewport_size({"width": 360, "height": 740})
    _csp_of(page, "/lapak")
    page.fill("input[name=code]", code)
    page.fill("input[name=phone4]", phone[-4:])
    page.click("#lapak-form button[type=submit]")
    page.wait_for_selector("path.pl-own-booth", state="attached")
    _shot(page, "lapak")
