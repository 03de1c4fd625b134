"""A vendor who needs two booths, from the planner's allocation to their phone, in headless
Chromium: the planner runs the allocation of an event on its page and publishes it → the vendor
logs in on /lapak at 360×740 and sees both booth codes, and both booths drawn as theirs on the
map. Screenshots go to ``E2E_SCREENSHOTS`` (default /tmp/shots) as ``season-*.png``.

The live server shares the committed test database: what is made here is removed after.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from app.models import AttendanceAnswer, Event, Vendor
from app.services.events import copy_event
from tests.e2e.conftest import log_out, serving

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 12, 16, 19, 0)  # the week before the event
DAY = date(2026, 12, 20)
SLUG = "e2e-dua-lapak-2026-12-20"
PHONE = {"width": 360, "height": 740}
SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "/tmp/shots"))


@pytest.fixture(scope="module")
def live_server(engine: Engine, database_url: str) -> Iterator[str]:
    with serving({"SQLALCHEMY_DATABASE_URI": database_url, "FIXED_NOW": NOW}) as url:
        yield url


@pytest.fixture
def two_booth_vendor(engine: Engine) -> Iterator[tuple[str, Vendor]]:
    """A copy of the demo's CFD (same booths) on DAY, and a vendor with a phone who needs two
    booths side by side and said they will come (committed; undone after)."""
    with Session(engine, expire_on_commit=False) as s:
        demo = s.scalars(select(Event).where(Event.slug == "cfd-2026-12-06")).one()
        event = copy_event(s, demo, on=DAY, slug=SLUG, name="CFD Dua Lapak")
        vendor = s.scalars(
            select(Vendor)
            .where(Vendor.city_id == demo.city_id, Vendor.active, Vendor.phone.is_not(None))
            .order_by(Vendor.id)
            .limit(1)
        ).one()
        before = (vendor.min_booths, vendor.max_booths)
        vendor.min_booths, vendor.max_booths = 2, 2
        s.add(
            AttendanceAnswer(
                event_id=event.id, vendor_id=vendor.id, attending=True, source="vendor"
            )
        )
        s.commit()
    try:
        yield event.slug, vendor
    finally:
        with Session(engine) as s:
            s.execute(delete(Event).where(Event.id == event.id))
            back = s.get(Vendor, vendor.id)
            assert back is not None
            back.min_booths, back.max_booths = before
            s.commit()


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"season-{name}.png"), full_page=True)


def _text(page: Any) -> str:
    return str(page.inner_text("body"))


def test_a_planner_allocates_two_booths_and_the_vendor_sees_both(
    page: Any, staff_user: Any, two_booth_vendor: tuple[str, Vendor]
) -> None:
    slug, vendor = two_booth_vendor
    email, password = staff_user("planner")
    page.goto(page.base_url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()

    # -- the planner allocates on the event page and publishes
    page.goto(page.base_url + f"/planner/events/{slug}")
    page.fill("input[name=seed]", "20261220")
    page.click("button:has-text('Jalankan alokasi')")
    page.wait_for_function(
        "document.body && document.body.innerText.includes('pedagang ditempatkan')"
        " || document.querySelector('.flash-error')",
        timeout=90000,
    )
    assert "pedagang ditempatkan" in _text(page), _text(page)[:600]
    if page.locator("input[name=override_reason]").count():
        page.fill("input[name=override_reason]", "Diperiksa di lapangan")
        page.click("button:has-text('Tetap umumkan')")
    else:
        page.click("button:has-text('Umumkan ke pedagang')")
    page.wait_for_function(
        "document.body && document.body.innerText.includes('Status acara diperbarui')"
    )
    log_out(page)

    # -- the vendor on a phone: one card, both codes, both booths theirs on the map
    page.set_viewport_size(PHONE)
    page.goto(page.base_url + "/lapak")
    page.fill("input[name=code]", vendor.access_code)
    page.fill("input[name=phone4]", (vendor.phone or "")[-4:])
    page.click("#lapak-form button[type=submit]")
    card = page.locator("article.booking", has_text="CFD Dua Lapak")
    card.locator("path.pl-own-booth").first.wait_for(state="attached")
    codes = card.locator(".booth-code").all_inner_texts()
    assert len(codes) == 2 and len(set(codes)) == 2, codes
    assert "2 berdampingan" in card.locator(".booth").inner_text()
    assert card.locator("path.pl-own-booth").count() == 2
    labels = sorted(card.locator(".pl-own-label").all_inner_texts())
    assert labels == sorted(codes)  # each booth labelled with its code on the map
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    card.scroll_into_view_if_needed()
    _shot(page, "lapak-two-booths-360")
