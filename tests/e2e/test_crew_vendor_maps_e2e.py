"""The vendor's map legend and the crew's check-in map in headless Chromium, phone first.

* ``/lapak``: the legend is the one collapsible control of every map, closed on a phone, opened
  with one tap, listing only what is in view.
* ``/crew/events/<slug>/checkin``: the list comes first on a phone and the event map opens with
  one tap; the search highlights the booth it finds on the map, a mark recolours it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from app.styles import CHECKIN_STYLES
from tests.e2e.test_lapak_e2e import EVENT, PHONE, _booked
from tests.e2e.test_lapak_e2e import live_server as live_server  # noqa: F401  (fixed clock)

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/shots")
DESKTOP = {"width": 1366, "height": 800}


def _open_lapak(page: Any, engine: Engine) -> str:
    _aid, code, phone, booth_code, _v = _booked(engine)
    page.goto(page.base_url + "/lapak")
    page.fill("input[name=code]", code)
    page.fill("input[name=phone4]", phone[-4:])
    page.click("#lapak-form button[type=submit]")
    page.wait_for_selector("path.pl-own-booth", state="attached")
    return booth_code


def test_vendor_map_legend_is_the_collapsible_control(page: Any, engine: Engine) -> None:
    page.set_viewport_size(PHONE)
    _open_lapak(page, engine)
    assert page.locator("ul.legend").count() == 0  # the old list under the map is gone
    toggle = page.locator(".lapak-map .pl-legend-toggle").first
    assert toggle.get_attribute("aria-expanded") == "false"  # closed on a phone
    assert page.locator(".lapak-map .pl-legend-body").first.is_hidden()
    page.locator(".lapak-map").first.scroll_into_view_if_needed()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "zones-lapak-legend-closed-phone.png"))
    toggle.click()  # one tap opens it
    assert toggle.get_attribute("aria-expanded") == "true"
    shown = page.eval_on_selector_all(
        ".lapak-map .pl-legend-body .pl-row:not([hidden])", "els => els.map(e => e.textContent)"
    )
    assert "Lapak Anda" in shown
    page.screenshot(path=str(SHOTS / "zones-lapak-legend-open-phone.png"))
    # only what is in view: far from the booth, no booth row is listed
    page.evaluate(
        """() => { const map = Object.values(window).find(v => v instanceof L.Map);
                   map.setView([0.5, 109.0], 19, {animate: false}); }"""
    )
    page.wait_for_function(
        "Array.from(document.querySelectorAll('.lapak-map .pl-legend-body .pl-row'))"
        ".every(r => r.hidden)",
        timeout=10000,
    )
    # on a wide screen it opens at once
    page.set_viewport_size(DESKTOP)
    page.reload()
    page.wait_for_selector("path.pl-own-booth", state="attached")
    assert page.get_attribute(".lapak-map .pl-legend-toggle", "aria-expanded") == "true"


def _crew_checkin(page: Any, staff_user: Any) -> None:
    email, password = staff_user("crew")
    page.goto(page.base_url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    page.goto(page.base_url + f"/crew/events/{EVENT}/checkin")
    page.wait_for_selector("#checkin-list .checkin-row")


def _booth_colour(page: Any, code: str) -> str:
    return page.evaluate(f"window.plCheckin.layers[{code!r}].options.color")


def test_checkin_map_finds_and_recolours_a_booth_on_a_phone(
    page: Any, engine: Engine, staff_user: Any
) -> None:
    _aid, _code, _phone, booth_code, _v = _booked(engine)
    page.set_viewport_size(PHONE)
    _crew_checkin(page, staff_user)
    box = page.locator("#checkin-map-box")
    assert box.get_attribute("open") is None  # closed: the list comes first on a phone
    first_row = page.locator("#checkin-list .checkin-row").first.bounding_box()
    assert first_row["y"] < PHONE["height"]  # a row to tap without scrolling
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "zones-checkin-phone-list.png"))

    page.fill("#checkin-q", booth_code.lower())
    page.click("#checkin-map-box > summary")  # one tap opens the map
    page.wait_for_function(
        "document.querySelectorAll('#checkin-map-box .leaflet-plBasemap-pane canvas').length > 0",
        timeout=30000,
    )
    assert box.get_attribute("data-highlighted") == "1"
    assert _booth_colour(page, booth_code) == "#000000"  # highlighted
    assert page.evaluate("window.plCheckin.map.getZoom()") >= 18  # zoomed to it
    page.wait_for_timeout(800)
    page.locator("#checkin-map-box").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "zones-checkin-phone-map.png"))

    # marked present from its row: the booth takes the checked-in style at once
    row = page.locator("#checkin-list .checkin-row:not([hidden]) button[data-target=checked_in]")
    row.click()
    page.wait_for_function(
        f"window.plCheckin.layers[{booth_code!r}].feature.properties.state === 'checked_in'",
        timeout=10000,
    )
    page.fill("#checkin-q", "")
    page.dispatch_event("#checkin-q", "input")
    assert _booth_colour(page, booth_code) == CHECKIN_STYLES["checked_in"].color
    # and back to "not yet seen", as a crew member undoes a mistaken tap
    page.fill("#checkin-q", booth_code)
    page.dispatch_event("#checkin-q", "input")
    page.locator("#checkin-list .checkin-row:not([hidden]) button[data-target=checked_in]").click()
    page.wait_for_function(
        f"window.plCheckin.layers[{booth_code!r}].feature.properties.state === 'assigned'",
        timeout=10000,
    )

    # a tap on a booth on the map finds its row
    page.fill("#checkin-q", "")
    page.dispatch_event("#checkin-q", "input")
    page.evaluate(f"window.plCheckin.layers[{booth_code!r}].fire('click'); 0")
    assert page.input_value("#checkin-q") == booth_code
    visible = page.locator("#checkin-list .checkin-row:not([hidden]) .code").all_inner_texts()
    assert visible == [booth_code]


def test_checkin_map_is_open_beside_the_list_on_a_wide_screen(page: Any, staff_user: Any) -> None:
    page.set_viewport_size(DESKTOP)
    _crew_checkin(page, staff_user)
    assert page.get_attribute("#checkin-map-box", "open") is not None
    page.wait_for_function(
        "document.querySelectorAll('#checkin-map-box .leaflet-plBasemap-pane canvas').length > 0",
        timeout=30000,
    )
    page.wait_for_timeout(1000)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "zones-checkin-desktop.png"))
    # the legend lists the states present in view, in words
    rows = page.eval_on_selector_all(
        "#checkin-map-box .pl-legend-body .pl-row:not([hidden])",
        "els => els.map(e => e.textContent)",
    )
    assert "Belum datang" in rows
