"""The basemap in a real browser: streets, water and buildings drawn beneath the home page, the
workspace and the vendor page, with street names at street level and the attribution."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import Engine

from app.styles import BUILDING_STYLE, ROAD_STYLES
from tests.e2e.test_lapak_e2e import PHONE, _booked
from tests.e2e.test_lapak_e2e import live_server as live_server  # noqa: F401  (fixed clock)
from tests.e2e.test_workspace_e2e import _login

pytestmark = pytest.mark.e2e

#: Simpang Pajak: Jl. Ahmad Yani meets Jl. Veteran and Jl. Letjen Sutoyo in the demo basemap.
SIMPANG_PAJAK = (-0.0473, 109.3425)
#: The first folium map of the page (a global ``map_…``, inline or in the page's script).
MAP = "window[Object.keys(window).find(k => /^map_/.test(k) && window[k] instanceof L.Map)]"
BASEMAP_COLOURS = [
    ROAD_STYLES["primary"].fill,
    ROAD_STYLES["secondary"].fill,
    ROAD_STYLES["primary"].casing,
    BUILDING_STYLE.fill_color,
]


def _rgb(hex_colour: str | None) -> tuple[int, int, int]:
    assert hex_colour is not None
    return (int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16))


def _basemap_pixels(png: bytes) -> int:
    """Pixels of the screenshot in a basemap colour (road fills and casing, buildings)."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)
    found = np.zeros(pixels.shape[:2], dtype=bool)
    for colour in BASEMAP_COLOURS:
        found |= (np.abs(pixels - np.array(_rgb(colour))) <= 3).all(axis=2)
    return int(found.sum())


def _tiles_loaded(page: Any) -> None:
    page.wait_for_function(
        "() => { const grids = Object.values("
        + MAP
        + "._layers).filter(l => l instanceof L.VectorGrid);"
        " return grids.length > 0 && grids.every(l => !l.isLoading()); }",
        timeout=30000,
    )
    page.wait_for_timeout(300)  # the canvases of the last tiles


def _at_street_level(page: Any, zoom: int = 17) -> None:
    page.evaluate(
        f"{MAP}.setView([{SIMPANG_PAJAK[0]}, {SIMPANG_PAJAK[1]}], {zoom}, {{animate: false}}); 0"
    )
    # vector tiles painted into the basemap's pane, and the street names fetched and placed
    page.wait_for_function(
        "document.querySelectorAll('.leaflet-plBasemap-pane canvas').length > 0",
        timeout=30000,
    )
    page.wait_for_function(
        "Array.from(document.querySelectorAll('.pl-road-label')).some("
        "e => e.textContent === 'Jl. Veteran')",
        timeout=30000,
    )
    _tiles_loaded(page)


def _check(page: Any, name: str, tmp_path: Path, *, minimum: int) -> None:
    png = page.screenshot(path=str(tmp_path / f"{name}.png"))
    drawn = _basemap_pixels(png)
    assert drawn >= minimum, f"{name}: only {drawn} basemap pixels"
    assert "Peta dasar ilustrasi" in page.inner_text(".leaflet-control-attribution")


def test_home_page_draws_the_basemap_with_street_names(page: Any, tmp_path: Path) -> None:
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(page.base_url + "/")
    page.wait_for_selector(".leaflet-container")
    _at_street_level(page)
    landmarks = page.locator(".pl-landmark").all_inner_texts()
    assert "Bank Kalbar" in landmarks and "Simpang Pajak" in landmarks
    _check(page, "home", tmp_path, minimum=2000)


def test_workspace_draws_the_basemap(page: Any, staff_user: Any, tmp_path: Path) -> None:
    _login(page, staff_user)
    page.goto(page.base_url + "/planner/map?event=cfd-2026-12-06")
    page.wait_for_function("document.documentElement.dataset.boothsPainted > 0", timeout=30000)
    _at_street_level(page)
    _check(page, "workspace", tmp_path, minimum=2000)


def test_vendor_page_draws_the_basemap_on_a_phone(
    page: Any, engine: Engine, tmp_path: Path
) -> None:
    _aid, code, phone, _booth, _v = _booked(engine)
    page.set_viewport_size(PHONE)
    page.goto(page.base_url + "/lapak")
    page.fill("input[name=code]", code)
    page.fill("input[name=phone4]", phone[-4:])
    page.click("#lapak-form button[type=submit]")
    page.wait_for_selector("path.pl-own-booth", state="attached")
    page.wait_for_function(
        "document.querySelectorAll('.leaflet-plBasemap-pane canvas').length > 0",
        timeout=30000,
    )
    page.locator(".leaflet-container").first.scroll_into_view_if_needed()
    _tiles_loaded(page)
    _check(page, "lapak", tmp_path, minimum=300)


@pytest.mark.parametrize(("role", "path"), [("petugas", "/lapor"), ("planner", "/laporan")])
def test_street_report_maps_draw_the_basemap_on_a_phone(
    page: Any, staff_user: Any, tmp_path: Path, role: str, path: str
) -> None:
    """/lapor and /laporan build their map in their own script (js/basemap.js draws the basemap)."""
    email, password = staff_user(role)
    page.set_viewport_size(PHONE)
    page.goto(page.base_url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    page.goto(page.base_url + path)
    page.wait_for_function(
        "document.querySelectorAll('.leaflet-plBasemap-pane canvas').length > 0",
        timeout=30000,
    )
    page.locator(".leaflet-container").first.scroll_into_view_if_needed()
    # the map opens on the city's zones and facilities, where the streets are: no tap on "+"
    page.wait_for_timeout(1500)  # the vector tiles' canvases
    _check(page, path.strip("/"), tmp_path, minimum=50)  # thin roads at this zoom


def test_event_page_map_draws_the_basemap(page: Any, staff_user: Any, tmp_path: Path) -> None:
    _login(page, staff_user)
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(page.base_url + "/planner/events/cfd-2026-12-06")
    page.wait_for_selector(".leaflet-container")
    page.locator(".leaflet-container").first.scroll_into_view_if_needed()
    _at_street_level(page)
    _check(page, "event", tmp_path, minimum=2000)
