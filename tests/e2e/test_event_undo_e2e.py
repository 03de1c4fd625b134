"""Undo on the event page in a real browser: swap two vendors by clicking the map, press Ctrl+Z,
both are back on their own booths; the history list names the step ("Tukar AY-… ⇄ AY-…") and
marks it undone; Ctrl+Shift+Z swaps them again, and the workspace lists the same step.

The live server shares the committed test database, so the test puts both assignments back and
drops the steps it made. Screenshots go to ``/tmp/shots/undo-*.png``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from app.models import Assignment, Event, HistoryStep
from tests.e2e.test_event_board_e2e import _click_booth, _login

pytestmark = pytest.mark.e2e

EVENT = "cfd-2026-12-06"
SHOTS = Path("/tmp/shots")


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"undo-{name}.png"), full_page=False)


def _rows(engine: Engine, ids: list[int]) -> dict[int, tuple[Any, ...]]:
    with Session(engine) as s:
        return {
            a.id: (a.booth_id, a.status, a.pinned, a.explanation)
            for a in s.scalars(select(Assignment).where(Assignment.id.in_(ids)))
        }


def test_swap_then_ctrl_z_puts_both_vendors_back(
    page: Any, staff_user: Any, engine: Engine
) -> None:
    page.set_viewport_size({"width": 1366, "height": 800})
    _login(page, staff_user)
    page.on("dialog", lambda dialog: dialog.accept())  # "swap A and B?"
    page.goto(page.base_url + f"/planner/events/{EVENT}")
    page.wait_for_function("window.plBoard && Object.keys(window.plBoard.layers).length > 100")
    board = page.evaluate("JSON.parse(document.getElementById('board-data').textContent).booths")
    placed = [b for b in board if b["state"] == "assigned" and b.get("assignment_id")]
    a, b = placed[0], placed[5]
    ids = [a["assignment_id"], b["assignment_id"]]
    original = _rows(engine, ids)
    with Session(engine) as s:
        event_id = s.scalars(select(Event.id).where(Event.slug == EVENT)).one()
        last_step = s.scalar(select(func.max(HistoryStep.id))) or 0
    step_id = f"Tukar {a['code']} \u21c4 {b['code']}"
    try:
        _click_booth(page, a["code"])
        page.wait_for_selector("#panel-body:not([hidden])")
        page.click('#panel-placed [data-act="pick"]')
        _click_booth(page, b["code"])
        page.wait_for_function(
            "step => document.getElementById('event-history').textContent.includes(step)",
            step_id,
        )
        swapped = _rows(engine, ids)
        assert swapped[ids[0]][0] == original[ids[1]][0]
        assert swapped[ids[1]][0] == original[ids[0]][0]
        _shot(page, "swapped-1366")

        page.locator("#event-history h2").click()  # the keys go to the page, not a field
        with page.expect_navigation():  # the history's form is posted, the page comes back
            page.keyboard.press("Control+z")
        page.wait_for_function(
            "step => document.body && document.body.innerText.includes('Dibatalkan: ' + step)",
            step_id,
        )
        assert _rows(engine, ids) == original  # both back: booth, status, pin, reason
        history = page.inner_text("#event-history")
        assert step_id in history and "(dibatalkan)" in history
        page.locator("#event-history").scroll_into_view_if_needed()
        _shot(page, "undone-1366")

        page.locator("#event-history h2").click()
        with page.expect_navigation():  # the history's form is posted, the page comes back
            page.keyboard.press("Control+Shift+z")
        page.wait_for_function(
            "step => document.body && document.body.innerText.includes('Diulangi: ' + step)",
            step_id,
        )
        assert _rows(engine, ids) == swapped

        # the workspace, with the event open, lists the same step
        page.goto(page.base_url + f"/planner/map?event={EVENT}")
        page.wait_for_function(
            "step => document.getElementById('ws-history').textContent.includes(step)",
            step_id,
        )
        _shot(page, "workspace-1366")

        # the same history in English, on a phone
        page.set_viewport_size({"width": 360, "height": 740})
        page.goto(page.base_url + f"/planner/events/{EVENT}?lang=en")
        step_en = f"Swap {a['code']} \u21c4 {b['code']}"
        assert step_en in page.inner_text("#event-history")
        page.locator("#event-history").scroll_into_view_if_needed()
        _shot(page, "history-en-360")
        page.locator("#event-history h2").click()
        with page.expect_navigation():  # the history's form is posted, the page comes back
            page.keyboard.press("Control+z")
        page.wait_for_function(
            "step => document.body && document.body.innerText.includes('Undone: ' + step)",
            step_en,
        )
        assert _rows(engine, ids) == original
    except Exception:
        _shot(page, "failed")
        raise
    finally:
        with Session(engine) as s:
            if _rows(engine, ids) != original:  # let go of both booths first (unique index)
                s.execute(
                    text("UPDATE assignment SET status = 'cancelled' WHERE id = ANY(:ids)"),
                    {"ids": ids},
                )
                for ident, (booth_id, status, pinned, explanation) in original.items():
                    s.execute(
                        text(
                            "UPDATE assignment SET booth_id = :b, status = :s, pinned = :p,"
                            " explanation = :e WHERE id = :i"
                        ).bindparams(bindparam("e", type_=JSONB(none_as_null=True))),
                        {"b": booth_id, "s": status, "p": pinned, "e": explanation, "i": ident},
                    )
            s.execute(
                text("DELETE FROM history_step WHERE event_id = :e AND id > :last"),
                {"e": event_id, "last": last_step},
            )
            s.commit()
