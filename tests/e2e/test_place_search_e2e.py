"""Where the booth is, in words, with the navigation links on a phone (360×740); the staff map's
search box from the keyboard in the planner workspace."""

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
PHONE = {"width": 360, "height": 740}
#: Screenshots for a person to look at (kept out of the repository).
SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "/tmp/petalapak-e2e"))


@pytest.fixture(scope="module")
def live_server(engine: Engine, database_url: str) -> Iterator[str]:
    with serving({"SQLALCHEMY_DATABASE_URI": database_url, "FIXED_NOW": NOW}) as url:
        yield url


def _booked(engine: Engine) -> tuple[str, str, str, str]:
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
        return a.vendor.access_code, a.vendor.phone or "", a.booth.code, a.vendor.business_name


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_vendor_page_says_where_the_booth_is_and_links_to_directions(
    page: Any, engine: Engine
) -> None:
    code, phone, booth_code, _name = _booked(engine)
    page.set_viewport_size(PHONE)
    page.goto(page.base_url + "/lapak")
    page.fill("input[name=code]", code)
    page.fill("input[name=phone4]", phone[-4:])
    page.click("#lapak-form button[type=submit]")
    page.wait_for_selector("path.pl-own-booth", state="attached")
    place = page.inner_text("[data-place]")
    assert place.startswith("Letak lapak:") or "Sisi " in place
    assert "Sisi " in place and " m dari " in place  # side, then junction and distance
    geo = page.get_attribute("a[data-nav=geo]", "href")
    google = page.get_attribute("a[data-nav=google]", "href")
    osm = page.get_attribute("a[data-nav=osm]", "href")
    assert geo.startswith("geo:-0.") and ",109." in geo
    assert google.startswith("https://www.google.com/maps/dir/?api=1&destination=-0.")
    assert osm.startswith("https://www.openstreetmap.org/directions?")
    assert page.inner_text("a[data-nav=google]") == "Petunjuk arah di Google Maps"
    assert page.inner_text("a[data-nav=osm]") == "Petunjuk arah di OpenStreetMap"
    # big enough to tap and inside the phone's width
    for which in ("geo", "google", "osm"):
        box = page.locator(f"a[data-nav={which}]").bounding_box()
        assert box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator(".navigate").scroll_into_view_if_needed()
    _shot(page, "lapak-place-360.png")
    # the same in English
    page.goto(page.base_url + "/lapak?lang=en")
    page.wait_for_selector("[data-place]")
    english = page.inner_text("[data-place]")
    assert "side of " in english and " m " in english
    assert page.inner_text("a[data-nav=google]") == "Directions in Google Maps"


def _login(page: Any, staff_user: Any) -> None:
    email, password = staff_user("planner")
    page.goto(page.base_url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(page.base_url + "/planner/")  # planners land on their home


def test_workspace_search_from_the_keyboard(page: Any, engine: Engine, staff_user: Any) -> None:
    _code, _phone, booth_code, business = _booked(engine)
    _login(page, staff_user)
    page.goto(page.base_url + f"/planner/map?event={EVENT}")
    page.wait_for_function("document.documentElement.dataset.boothsPainted > 0", timeout=30000)
    box = page.get_by_role("combobox", name="Cari di peta")
    assert box.get_attribute("aria-expanded") == "false"
    zoom_before = page.evaluate("petalapakWorkspace.map.getZoom()")
    box.focus()
    page.keyboard.type(business[:12])
    page.wait_for_selector("#ws-search-list:not([hidden]) [role=option]")
    assert box.get_attribute("aria-expanded") == "true"
    options = page.locator("#ws-search-list [role=option]")
    texts = [options.nth(i).inner_text() for i in range(options.count())]
    assert any(business in t and booth_code in t for t in texts)
    wanted = next(i for i, t in enumerate(texts) if business in t and booth_code in t)
    for _ in range(wanted + 1):
        page.keyboard.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert active == f"ws-search-opt-{wanted}"
    assert page.get_attribute(f"#{active}", "aria-selected") == "true"
    page.keyboard.press("Enter")
    page.wait_for_function("document.documentElement.dataset.searchHighlight !== undefined")
    assert page.evaluate("document.documentElement.dataset.searchHighlight") == f"vendor:{business}"
    assert box.get_attribute("aria-expanded") == "false"
    assert page.evaluate("petalapakWorkspace.map.getZoom()") > zoom_before
    centre = page.evaluate("petalapakWorkspace.map.getCenter()")
    assert -0.06 < centre["lat"] < -0.03 and 109.33 < centre["lng"] < 109.35
    assert "Ditandai di peta" in page.inner_text(".staff-search-status")
    _shot(page, "workspace-search.png")
    # a street: type, Enter takes the first; Escape twice clears the mark
    box.fill("")
    page.keyboard.type("Simpang Pajak")
    page.wait_for_selector("#ws-search-list:not([hidden]) .kind-street")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(document.documentElement.dataset.searchHighlight || '').startsWith('street:')"
    )
    page.keyboard.press("Escape")
    page.wait_for_function("document.documentElement.dataset.searchHighlight === undefined")
    # nothing found says so
    box.fill("")
    page.keyboard.type("zzqqxx")
    page.wait_for_function(
        "document.querySelector('.staff-search-status').textContent.includes('Tidak ada')"
    )


def test_check_in_list_on_a_phone_says_where_each_booth_is(
    page: Any, engine: Engine, staff_user: Any
) -> None:
    _code, _phone, booth_code, business = _booked(engine)
    email, password = staff_user("crew")
    page.set_viewport_size(PHONE)
    page.goto(page.base_url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(page.base_url + "/crew/")  # crew land on their event list
    page.goto(page.base_url + f"/crew/events/{EVENT}/checkin?q={booth_code}")
    row = page.locator(".checkin-row", has_text=booth_code).first
    assert business in row.inner_text()
    place = row.locator("[data-place]").inner_text()
    assert place.startswith("Sisi ") and " m dari " in place
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(page, "checkin-place-360.png")
