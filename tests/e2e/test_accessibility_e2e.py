"""axe-core on every page people use, at 1366×800 and on a 360×740 phone: no serious or critical
violation of WCAG 2 A/AA.

axe-core (npm, MPL-2.0) is kept in ``tests/e2e/assets/`` (refreshed by
``scripts/vendor_test_assets.sh``), so the test needs no network. It is run through the debugger
protocol (``page.evaluate``), which the page's Content-Security-Policy does not govern: the pages
keep their real policy.
"""

from __future__ import annotations

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

AXE = (Path(__file__).parent / "assets" / "axe.min.js").read_text(encoding="utf-8")
EVENT = "cfd-2026-12-06"
SIZES = {"desktop": {"width": 1366, "height": 800}, "phone": {"width": 360, "height": 740}}
#: The evening before the demo's next CFD Sunday: its pages show the coming event.
NOW = datetime(2026, 12, 5, 19, 0)
#: Impacts that fail the test.
FAILING = ("serious", "critical")

#: The pages of each role (paths after logging in).
PAGES: dict[str, tuple[str, ...]] = {
    "anonymous": ("/", "/login", "/lapak", "/?lang=en"),
    "planner": (
        "/planner/",
        f"/planner/events/{EVENT}",
        "/planner/map",
        "/planner/vendors/",
        "/planner/vendors/new",
        "/account/password",
        f"/crew/events/{EVENT}/checkin",
        "/dasbor",
    ),
    "admin": ("/planner/users",),
    "petugas": ("/lapor", "/laporan"),
    "petugas_layanan": (
        "/layanan",
        f"/layanan/{EVENT}",
        f"/layanan/{EVENT}/laporan",
        "/layanan/pengunjung",
    ),
}


@pytest.fixture(scope="module")
def live_server(engine: Engine, database_url: str) -> Iterator[str]:
    """The app with a fixed clock (this module's own server; the page fixture uses it)."""
    with serving({"SQLALCHEMY_DATABASE_URI": database_url, "FIXED_NOW": NOW}) as url:
        yield url


def _axe(page: Any) -> list[str]:
    """Run axe on the page as it is; the serious and critical violations, one line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                resultTypes: ['violations'],
            });
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
                count: v.nodes.length,
            }));
        }"""
    )
    return [
        f"{v['id']} ({v['impact']}, {v['count']}×): {v['help']} — {', '.join(v['nodes'])}"
        for v in result
        if v["impact"] in FAILING
    ]


def _settle(page: Any) -> None:
    page.wait_for_load_state("load")
    if page.locator(".leaflet-container").count():
        page.wait_for_selector(".leaflet-container .leaflet-pane", state="attached")
    page.wait_for_timeout(400)  # a map's late layers and controls


def _login(page: Any, email: str, password: str) -> None:
    page.goto(page.base_url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")


def _check(page: Any, paths: tuple[str, ...], found: list[str]) -> None:
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        for path in paths:
            page.goto(page.base_url + path)
            _settle(page)
            found += [f"{path} [{size}] {line}" for line in _axe(page)]


@pytest.mark.parametrize("role", sorted(PAGES))
def test_pages_have_no_serious_accessibility_violations(
    page: Any, staff_user: Any, role: str
) -> None:
    if role != "anonymous":
        _login(page, *staff_user(role))
    found: list[str] = []
    paths = PAGES[role]
    if role == "petugas_layanan":  # a desk's queue: its id is the demo's
        page.goto(page.base_url + f"/layanan/{EVENT}")
        paths += (page.get_attribute(".desk-list a[id^=desk-]", "href"),)
    _check(page, paths, found)
    assert not found, f"{len(found)} serious or critical violations:\n" + "\n".join(found)


def test_the_vendor_page_has_no_serious_accessibility_violations(page: Any, engine: Engine) -> None:
    with Session(engine) as s:
        event_id = s.scalars(select(Event.id).where(Event.slug == EVENT)).one()
        vendor = s.scalars(
            select(Vendor)
            .join(Assignment, Assignment.vendor_id == Vendor.id)
            .where(
                Assignment.event_id == event_id,
                Assignment.status == "assigned",
                Vendor.phone.is_not(None),
            )
            .order_by(Assignment.id)
            .limit(1)
        ).one()
        code, phone = vendor.access_code, vendor.phone or ""
    found: list[str] = []
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.goto(page.base_url + "/lapak")
        if page.locator("input[name=phone4]").count():
            page.fill("input[name=code]", code)
            page.fill("input[name=phone4]", phone[-4:])
            page.click("#lapak-form button[type=submit]")
        page.wait_for_selector(".booth-code")
        _settle(page)
        found += [f"/lapak (vendor) [{size}] {line}" for line in _axe(page)]
    assert not found, f"{len(found)} serious or critical violations:\n" + "\n".join(found)


def test_axe_finds_a_known_violation(page: Any) -> None:
    """The harness works: a page with an image without alt text and an unlabelled field fails."""
    page.goto(page.base_url + "/login")
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend',"
        ' \'<img src="/static/favicon.svg"><input type="text">\')'
    )
    found = _axe(page)
    assert any(line.startswith("image-alt") for line in found)
    assert any(line.startswith("label") for line in found)
