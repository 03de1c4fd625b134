"""The public home map on a phone: the map first, the legend one tap away, stalls found by goods."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("PETALAPAK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def _painted(page: Any) -> None:
    page.wait_for_function("document.documentElement.dataset.mapPaintedMs", timeout=30_000)


def test_on_a_phone_the_legend_starts_closed_and_opens_with_one_tap(page: Any) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(page.base_url + "/")
    _painted(page)
    toggle = page.locator(".pl-legend-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator(".pl-legend-body").is_visible()
    box = page.locator(".pl-legend").bounding_box()
    assert box["width"] * box["height"] < 0.1 * 360 * 740  # the map, not the legend
    _shot(page, "home-phone-legend-closed")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator(".pl-legend-body").is_visible()
    # only what is in view: some of the registered rows are hidden, the booths' are listed
    rows = page.locator(".pl-legend .pl-row")
    shown = [r for r in rows.all() if r.is_visible()]
    assert 0 < len(shown) < rows.count()
    assert page.locator(".pl-legend").get_by_text("Lapak tanpa konflik").is_visible()
    _shot(page, "home-phone-legend-open")
    # the keyboard closes it again, and a checkbox hides a layer
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "false"


def test_on_a_desk_the_legend_is_open_and_toggles_layers(page: Any) -> None:
    page.goto(page.base_url + "/")
    _painted(page)
    assert page.locator(".pl-legend-toggle").get_attribute("aria-expanded") == "true"
    booths = page.locator(".pl-legend .pl-group-title input").first
    assert booths.is_checked()
    booths.press("Space")
    assert not booths.is_checked()


def test_visitors_find_stalls_by_what_they_sell(page: Any) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(page.base_url + "/")
    _painted(page)
    page.fill("#map-search-q", "kuliner halal")
    page.press("#map-search-q", "Enter")
    page.wait_for_selector("#search-results li button")
    first = page.locator("#search-results li button").first
    assert "Makanan" in first.inner_text() or "Minuman" in first.inner_text()
    first.click()
    page.wait_for_selector(".leaflet-popup-content .pl-popup")
    assert "Bersertifikat halal" in page.inner_text(".leaflet-popup-content")
    _shot(page, "home-phone-search")
