"""The city map in a real browser: Leaflet draws the zones, no external request, login works."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def test_home_map_renders_zones(page: Any) -> None:
    page.goto(page.base_url + "/")
    page.wait_for_selector(".leaflet-container")
    # zones are drawn as vector paths (canvas or SVG); the legend lists the red zone
    page.wait_for_function(
        "document.querySelectorAll('.leaflet-interactive').length > 10 "
        "|| document.querySelector('canvas.leaflet-zoom-animated') !== null"
    )
    assert "Zona merah" in page.inner_text("body")


def test_planner_logs_in_and_sees_events(page: Any, staff_user: Any) -> None:
    email, password = staff_user("planner")
    page.goto(page.base_url + "/planner/")
    assert "/login" in page.url
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/planner/")
    assert "CFD MikroDOTS" in page.inner_text("main")
