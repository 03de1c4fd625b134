"""The event page in a real browser, on a desk screen and a phone: open it, move a vendor by
clicking on the map (panel, then the target booth), filter the booth table in place.

The live server shares the committed test database, so each test puts the assignment back.
Screenshots go to ``/tmp/shots/t14a-*.png`` for a person to look at.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from app.models import Assignment, Booth, Event

pytestmark = pytest.mark.e2e

EVENT = "cfd-2026-12-06"
SHOTS = Path("/tmp/shots")


def _login(page: Any, staff_user: Any) -> None:
    email, password = staff_user("planner")
    page.goto(page.base_url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(page.base_url + "/planner/")


def _click_booth(page: Any, code: str) -> None:
    """Zoom to a booth and click its middle, as a person would."""
    page.locator(".board-map").scroll_into_view_if_needed()
    page.evaluate(
        "code => { const l = window.plBoard.layers[code];"
        " l._map.setView(l.getBounds().getCenter(), 21, {animate: false}); return 1; }",
        code,
    )
    page.wait_for_timeout(300)
    x, y = page.evaluate(
        "code => { const l = window.plBoard.layers[code]; const m = l._map;"
        " const p = m.latLngToContainerPoint(l.getBounds().getCenter());"
        " const r = m.getContainer().getBoundingClientRect();"
        " return [r.left + p.x, r.top + p.y]; }",
        code,
    )
    page.mouse.click(x, y)


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"t14a-{name}.png"))


@pytest.mark.parametrize(("width", "height"), [(1366, 800), (390, 844)])
def test_move_a_vendor_by_clicking_on_the_map(
    page: Any, staff_user: Any, engine: Engine, width: int, height: int
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    _login(page, staff_user)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(page.base_url + f"/planner/events/{EVENT}")
    page.wait_for_function("window.plBoard && Object.keys(window.plBoard.layers).length > 100")
    _shot(page, f"event-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    board = page.evaluate("JSON.parse(document.getElementById('board-data').textContent).booths")
    placed = next(b for b in board if b["state"] == "assigned" and not b["pinned"])
    free = next(b for b in board if b["state"] == "free" and b["code"] > placed["code"])
    with Session(engine) as s:
        before = s.get(Assignment, placed["assignment_id"])
        assert before is not None
        original = (before.booth_id, before.pinned, before.explanation, before.version)
    try:
        _click_booth(page, placed["code"])
        page.wait_for_selector("#panel-body:not([hidden])")
        assert page.inner_text("#panel-code") == placed["code"]
        assert placed["vendor_name"] in page.inner_text("#panel-vendor")
        page.click('#panel-placed [data-act="pick"]')
        _click_booth(page, free["code"])
        page.wait_for_function(
            "code => document.getElementById('panel-status').textContent.includes(code)"
            " && document.getElementById('panel-code').textContent === code",
            free["code"],
        )
        status = page.inner_text("#panel-status")
        assert placed["code"] in status and free["code"] in status
        # the map says it too: the target is now placed, the old booth free
        assert "Ditempatkan" in page.evaluate(
            "code => window.plBoard.layers[code].getTooltip().getContent().textContent",
            free["code"],
        )
        _shot(page, f"moved-{width}")
        with Session(engine) as s:
            moved = s.get(Assignment, placed["assignment_id"])
            booth = s.scalars(
                select(Booth.code).where(Booth.id == moved.booth_id)  # type: ignore[union-attr]
            ).one()
            assert booth == free["code"] and moved.pinned  # type: ignore[union-attr]
    finally:
        with Session(engine) as s:
            s.execute(
                text(
                    "UPDATE assignment SET booth_id = :b, pinned = :p, "
                    "explanation = CAST(:e AS jsonb) WHERE id = :i"
                ),
                {
                    "b": original[0],
                    "p": original[1],
                    "e": json.dumps(original[2]),
                    "i": placed["assignment_id"],
                },
            )
            event_id = s.scalars(select(Event.id).where(Event.slug == EVENT)).one()
            s.execute(text("DELETE FROM history_step WHERE event_id = :e"), {"e": event_id})
            s.commit()


def test_the_table_filters_and_pages_in_place(page: Any, staff_user: Any) -> None:
    page.set_viewport_size({"width": 1366, "height": 800})
    _login(page, staff_user)
    page.goto(page.base_url + f"/planner/events/{EVENT}")
    page.wait_for_selector("#booths")
    page.evaluate("window.__sameDocument = true; 1")
    page.select_option("#booths select[name=state]", "free")
    page.click("#booths form.filters button[type=submit]")
    page.wait_for_function(
        "[...document.querySelectorAll('#booths tbody tr')]"
        ".every(r => r.classList.contains('bs-free'))"
    )
    assert page.evaluate("window.__sameDocument") is True  # no full reload
    assert "state=free" in page.url
    rows = page.locator("#booths tbody tr").count()
    assert rows == 50
    page.click("#booths th a:has-text('Kode lapak')")
    page.wait_for_function(
        "document.querySelector('#booths th[aria-sort]')"
        " && document.querySelector('#booths th[aria-sort]').textContent.includes('Kode lapak')"
    )
    codes = page.eval_on_selector_all("#booths tbody tr", "rows => rows.map(r => r.dataset.code)")
    assert codes == sorted(codes)
    page.click("#booths nav.pager a:has-text('2')")
    page.wait_for_selector("#booths nav.pager strong[aria-current=page]:has-text('2')")
    assert page.evaluate("window.__sameDocument") is True
    page.fill("#booths input[name=q]", "zzz-tidak-ada")
    page.click("#booths form.filters button[type=submit]")
    page.wait_for_selector("#booths tbody td:has-text('Tidak ada lapak yang cocok')")
    _shot(page, "table-filtered")
