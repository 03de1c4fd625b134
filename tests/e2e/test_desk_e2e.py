"""MikroDOTS desks on a phone-sized headless Chromium (360×740), in both languages: a desk
officer finds three registered vendors, queues them at the NIB desk of the demo's coming CFD,
calls each with "Berikutnya"/"Next" and logs the visit; the event's desk report and the Dinas
dashboard (as a planner) then count the three visits."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from app.models import AuditEntry, Booth, DeskVisit, Event, Vendor
from app.services.access_codes import new_access_code
from tests.e2e.conftest import log_out

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
EVENT = "cfd-2026-12-06"
SHOTS = os.environ.get("DESK_SCREENSHOT_DIR")

WORDS = {
    "id": {
        "next": "Berikutnya",
        "queue": "Antrekan",
        "save": "Simpan catatan",
        "totals": "3 kunjungan tercatat, 3 pedagang/pengunjung dibantu, 0 menunggu.",
        "nib": "NIB (Nomor Induk Berusaha)",
        "outcomes": ["Konsultasi/informasi diberikan", "Permohonan diajukan", "Dokumen terbit"],
        "header": ["Layanan", "Konsultasi/informasi diberikan", "Berkas belum lengkap"],
    },
    "en": {
        "next": "Next",
        "queue": "Queue",
        "save": "Save the log",
        "totals": "3 visits logged, 3 vendors/visitors helped, 0 waiting.",
        "nib": "NIB (business identification number)",
        "outcomes": ["Advice given", "Application submitted", "Document issued"],
        "header": ["Service", "Advice given", "Documents incomplete"],
    },
}
CODES = ["informasi", "diajukan", "terbit"]


@pytest.fixture
def desk_ground(engine: Engine) -> Iterator[dict[str, Any]]:
    """Three committed vendors of the demo city and the NIB desk; the visits, the vendors and
    their audit entries are removed afterwards."""
    with Session(engine) as s:
        desk = s.scalars(
            select(Booth)
            .join(Event, Event.id == Booth.event_id)
            .where(Event.slug == EVENT, Booth.kind == "service_desk", Booth.service == "nib")
        ).one()
        assert desk.event is not None
        vendors = [
            Vendor(
                city_id=desk.event.city_id,
                owner_name=f"Pemilik Meja E2E {n}",
                business_name=f"Usaha Meja E2E {n}",
                category="makanan",
                access_code=new_access_code(),
                phone=f"08135559100{n}",
            )
            for n in range(3)
        ]
        s.add_all(vendors)
        s.commit()
        ground = {
            "desk": desk.id,
            "event_id": desk.event_id,
            "vendors": [v.business_name for v in vendors],
            "ids": [v.id for v in vendors],
        }
    try:
        yield ground
    finally:
        with Session(engine) as s:
            visits = s.scalars(
                select(DeskVisit.id).where(DeskVisit.event_id == ground["event_id"])
            ).all()
            s.execute(delete(DeskVisit).where(DeskVisit.id.in_(visits)))
            s.execute(
                delete(AuditEntry).where(
                    (AuditEntry.entity == "desk_visit") & AuditEntry.entity_id.in_(visits)
                    | (AuditEntry.entity == "vendor") & AuditEntry.entity_id.in_(ground["ids"])
                )
            )
            s.execute(delete(Vendor).where(Vendor.id.in_(ground["ids"])))
            s.commit()


def _login(page: Any, email: str, password: str, lang: str) -> None:
    page.goto(page.base_url + f"/login?lang={lang}")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/t16b-{name}.png", full_page=True)


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_desk_officer_logs_three_visits_and_report_and_dashboard_count_them(
    page: Any, staff_user: Any, desk_ground: dict[str, Any], lang: str
) -> None:
    words = WORDS[lang]
    page.set_viewport_size(PHONE)
    _login(page, *staff_user("petugas_layanan"), lang)
    page.goto(page.base_url + f"/layanan/{EVENT}?lang={lang}")
    page.click(f"#desk-{desk_ground['desk']}")
    page.wait_for_selector("#next-button")
    assert words["next"] in page.inner_text("#next-button")
    _fits(page)

    for name in desk_ground["vendors"]:
        page.fill("input[name=q]", name)
        page.click("form[role=search] button[type=submit]")
        page.wait_for_selector("#found")
        page.click(f"#found li:has-text('{name}') button:has-text('{words['queue']}')")
        page.wait_for_selector(f"#waiting li:has-text('{name}')")
    _shot(page, f"{lang}-queue")
    _fits(page)

    for i, name in enumerate(desk_ground["vendors"]):
        page.click("#next-button")
        page.wait_for_selector("#serving")
        assert name in page.inner_text("#serving")
        page.select_option("#log-form select[name=outcome]", CODES[i])
        if CODES[i] == "terbit":
            page.fill(
                "#log-form input[name=document_no]", f"91200000000{i}{0 if lang == 'id' else 1}"
            )
        if i == 1:
            page.fill("#log-form textarea[name=follow_up]", "Lengkapi KTP")
            page.fill("#log-form input[name=follow_up_due]", "2099-01-31")
        if i == 0:
            _shot(page, f"{lang}-log-form")
            _fits(page)
        page.click(f"#log-form button:has-text('{words['save']}')")
        page.wait_for_selector(f"#done li:has-text('{name}')")
        assert words["outcomes"][i] in page.inner_text(f"#done li:has-text('{name}')")
    _shot(page, f"{lang}-done")

    page.goto(page.base_url + f"/layanan/{EVENT}/laporan?lang={lang}")
    assert page.inner_text("#totals") == words["totals"]
    row = page.inner_text(f"#services tr:has-text('{words['nib']}')")
    for outcome in words["outcomes"]:
        assert f"{outcome}: 1" in row
    assert "Lengkapi KTP" in page.inner_text("#follow-ups")
    _fits(page)
    _shot(page, f"{lang}-report")
    pdf = page.request.get(page.base_url + page.get_attribute("#report-pdf", "href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"

    log_out(page)
    _login(page, *staff_user("planner"), lang)
    page.goto(page.base_url + f"/dasbor?lang={lang}")
    page.wait_for_selector("#desk-svg")
    assert page.get_attribute("#desk-svg", "role") == "img"
    page.click("#chart-desk summary")
    header = page.locator("#table-desk thead th").all_inner_texts()
    assert header[:3] == words["header"]
    cells = page.locator(f"#table-desk tbody tr:has-text('{words['nib']}') td").all_inner_texts()
    counts = dict(zip(header[1:], cells, strict=True))
    assert [counts[o] for o in words["outcomes"]] == ["1", "1", "1"]
    assert sum(int(c) for c in cells) == 3
    _fits(page)
    page.locator("#chart-desk").screenshot(path=f"{SHOTS}/t16b-{lang}-dashboard-desk.png") if (
        SHOTS
    ) else None
    _shot(page, f"{lang}-dashboard")
