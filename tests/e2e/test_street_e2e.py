"""Street reports on a phone-sized headless Chromium (360×740), in both languages: an officer
reports a cart at a hydrant in a red zone of the demo and reads the rule, the distance and the
nearest green zone with free spots; a planner finds it on the office's list and map and takes it
through to "direlokasi" into a booth of Pasar Tengah."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from geoalchemy2.shape import from_shape, to_shape
from shapely import box
from shapely.geometry import Point
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from app.models import AuditEntry, Booth, Facility, StreetReport, StreetReportStep, Zone
from tests.e2e.conftest import log_out

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
M = 1 / 111_320
HYDRANT = "Hidran Uji E2E"
BOOTH = "PT-E2E"


@pytest.fixture
def ground(engine: Engine) -> Iterator[dict[str, Any]]:
    """A hydrant 1.2 m from a spot inside the demo's red zone Jl. Gajah Mada, and one permanent
    booth in Pasar Tengah (the demo draws none there); removed afterwards with the reports."""
    with Session(engine) as s:
        red = s.scalars(select(Zone).where(Zone.name == "Jl. Gajah Mada")).one()
        green = s.scalars(select(Zone).where(Zone.kind == "pkl_legal")).first()
        assert green is not None
        spot = to_shape(s.scalar(select(red.geom.ST_PointOnSurface())))
        hydrant = Facility(
            city_id=red.city_id,
            kind="hydrant",
            name=HYDRANT,
            geom=from_shape(Point(spot.x + 1.2 * M, spot.y), 4326),
        )
        inner = to_shape(s.scalar(select(green.geom.ST_PointOnSurface())))
        booth = Booth(
            zone_id=green.id,
            code=BOOTH,
            kind="vendor",
            geom=from_shape(box(inner.x, inner.y, inner.x + 3 * M, inner.y + 3 * M), 4326),
        )
        s.add_all([hydrant, booth])
        s.commit()
        ids = {"facility": hydrant.id, "booth": booth.id}
        ground = {"lon": spot.x, "lat": spot.y, "green": green.name, **ids}
    try:
        yield ground
    finally:
        with Session(engine) as s:
            reports = s.scalars(
                select(StreetReport.id).where(StreetReport.relocation_booth_id == ids["booth"])
            ).all()
            mine = s.scalars(
                select(StreetReport.id).where(
                    StreetReport.facility_kinds.contains(["hydrant"]),
                    StreetReport.note == "e2e",
                )
            ).all()
            every = set(reports) | set(mine)
            s.execute(delete(StreetReportStep).where(StreetReportStep.report_id.in_(every)))
            s.execute(delete(StreetReport).where(StreetReport.id.in_(every)))
            s.execute(delete(Booth).where(Booth.id == ids["booth"]))
            s.execute(delete(Facility).where(Facility.id == ids["facility"]))
            s.execute(
                delete(AuditEntry).where(
                    AuditEntry.entity.in_(("street_report", "report_step")),
                    AuditEntry.entity_id.in_(every) | AuditEntry.entity.in_(("report_step",)),
                )
            )
            s.commit()


def _login(page: Any, email: str, password: str, lang: str) -> None:
    page.goto(page.base_url + f"/login?lang={lang}")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


WORDS = {
    "id": {
        "zone": "Zona merah: Jl. Gajah Mada. Berjualan di sini dilarang.",
        "hydrant": f"m dari hidran '{HYDRANT}' — minimal 3 m",
        "free": "1 lapak kosong",
        "relocated": "Direlokasi",
    },
    "en": {
        "zone": "Red zone: Jl. Gajah Mada. Vending is not allowed here.",
        "hydrant": f"m from hydrant '{HYDRANT}' — at least 3 m",
        "free": "1 free spot",
        "relocated": "Relocated",
    },
}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_officer_reports_at_a_hydrant_and_the_office_relocates_into_a_booth(
    page: Any, staff_user: Any, ground: dict[str, Any], lang: str
) -> None:
    words = WORDS[lang]
    page.set_viewport_size(PHONE)
    page.context.grant_permissions(["geolocation"], origin=page.base_url)
    page.context.set_geolocation({"latitude": ground["lat"], "longitude": ground["lon"]})
    _login(page, *staff_user("petugas"), lang)

    page.goto(page.base_url + f"/lapor?lang={lang}")
    page.wait_for_selector("#lapor-map.leaflet-container")
    # a tap on the map sets the spot; GPS then moves it to where the officer stands
    page.click("#lapor-map", position={"x": 150, "y": 120})
    tapped = page.input_value("#lapor-lon")
    assert tapped != "" and page.input_value("#lapor-lat") != ""
    page.click("#lapor-gps")
    page.wait_for_function(f"document.getElementById('lapor-lon').value !== '{tapped}'")
    page.check("input[name=kind][value=cart]")
    page.fill("input[name=count]", "2")
    page.fill("textarea[name=note]", "e2e")
    shot = os.environ.get("STREET_SCREENSHOT_DIR")
    if shot:
        page.screenshot(path=f"{shot}/lapor-{lang}-form.png", full_page=True)
    page.click("#lapor-submit")
    page.wait_for_selector("#lapor-result:not([hidden])")
    assert page.inner_text("#lapor-zone") == words["zone"]
    clearances = page.inner_text("#lapor-clearances")
    # 1.2 m, give or take the centimetre the coordinates are rounded to
    sep = "," if lang == "id" else "."
    assert re.match(rf"1{sep}[12] {re.escape(words['hydrant'])}$", clearances), clearances
    green = page.inner_text("#lapor-green")
    assert green.startswith(ground["green"] + ", ") and green.endswith(words["free"])
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    if shot:
        page.screenshot(path=f"{shot}/lapor-{lang}-answer.png", full_page=True)
    report_url = page.get_attribute("#lapor-link", "href")
    assert report_url and report_url.startswith("/laporan/")

    log_out(page)
    _login(page, *staff_user("planner"), lang)
    page.goto(page.base_url + f"/laporan?status=baru&colour=red&facility=hydrant&lang={lang}")
    page.wait_for_selector(f"#report-list a[href='{report_url}']")
    page.wait_for_selector("#office-map path.leaflet-interactive, #office-map canvas")
    page.click(f"#report-list a[href='{report_url}']")
    page.click("#step-ditinjau button[type=submit]")
    page.wait_for_selector("#step-direlokasi")
    page.select_option("#step-direlokasi select[name=zone_id]", label=ground["green"])
    page.select_option(
        "#step-direlokasi select[name=booth_id]", label=f"{ground['green']} · {BOOTH}"
    )
    page.fill("#step-direlokasi textarea[name=note]", "e2e")
    page.click("#step-direlokasi button[type=submit]")
    page.wait_for_selector("#step-selesai")
    assert page.inner_text("#report-status") == words["relocated"]
    assert f"{ground['green']} · {BOOTH}" in page.inner_text("main")
