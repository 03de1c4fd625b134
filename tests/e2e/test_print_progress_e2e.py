"""The event page's print buttons in a real browser: the PDF is made in the background while the
page shows its pages on a progress bar, then offers it; asked again, it is ready at once.

Runs on a desk screen in Indonesian and on a phone in English. The live server shares the
committed test database, so the test removes the print jobs it made. Screenshots go to
``/tmp/shots/print-*.png`` for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from app.models import Event, PrintJob

pytestmark = pytest.mark.e2e

EVENT = "cfd-2026-12-06"
SHOTS = Path("/tmp/shots")

#: Every text the progress line shows, recorded as it changes (installed before the click).
WATCH = """() => {
  window.seenPrint = [];
  const say = document.querySelector('#print-progress .print-progress-text');
  new MutationObserver(() => {
    const last = window.seenPrint[window.seenPrint.length - 1];
    if (say.textContent !== last) { window.seenPrint.push(say.textContent); }
  })
    .observe(say, {childList: true, characterData: true, subtree: true});
  return 1;
}"""


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"print-{name}.png"))


@pytest.mark.parametrize(
    ("lang", "width", "height", "ready", "reading"),
    [
        ("id", 1366, 800, "PDF siap", "Menyiapkan PDF"),
        ("en", 360, 740, "PDF ready", "Preparing the PDF"),
    ],
)
def test_a_print_shows_its_progress_then_opens(
    page: Any,
    staff_user: Any,
    engine: Engine,
    lang: str,
    width: int,
    height: int,
    ready: str,
    reading: str,
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    email, password = staff_user("planner")
    page.goto(page.base_url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(page.base_url + "/planner/")
    with Session(engine) as s:  # a new change counter: no earlier test's PDF is reused
        event = s.scalars(select(Event).where(Event.slug == EVENT)).one()
        event_id, name = event.id, event.name
        event.name = f"{name} ({lang})"
        s.commit()
    try:
        page.goto(page.base_url + f"/planner/events/{EVENT}?lang={lang}")
        assert page.is_hidden("#print-progress")
        page.evaluate(WATCH)
        page.click("#print-menu summary")  # the prints are one menu, after the map
        link = page.locator("a[data-print-job*='labels?booths=all']")
        link.click()
        page.wait_for_function(
            "['done', 'failed'].includes(document.getElementById('print-progress').dataset.state)",
            timeout=120_000,
        )
        _shot(page, f"done-{lang}-{width}")
        region = page.locator("#print-progress")
        assert region.get_attribute("data-state") == "done", region.inner_text()
        assert page.url.endswith(f"/planner/events/{EVENT}?lang={lang}")  # the page stayed
        said = page.evaluate("window.seenPrint")
        assert said[0].startswith(reading) and reading not in said[-1]  # reading the data first
        assert ready in said[-1] and "label-lapak-semua.pdf" in said[-1]  # ready last
        drawn = [[int(n) for n in re.findall(r"\d+", t)] for t in said[1:-1]]
        assert all(len(d) == 2 and d[0] <= d[1] for d in drawn), said  # "page 3 of 65 done"
        assert [d[0] for d in drawn] == sorted(d[0] for d in drawn)  # only ever forward
        assert page.evaluate(
            "(() => { const b = document.querySelector('#print-progress progress');"
            " return b.max > 1 && b.value === b.max; })()"
        )
        opener = page.locator("#print-progress a.print-open")
        assert opener.is_visible()
        assert page.evaluate("document.activeElement.classList.contains('print-open')")
        pdf = page.request.get(page.base_url + opener.get_attribute("href"))
        assert pdf.status == 200 and pdf.body()[:5] == b"%PDF-"
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        # the same print again: made already, so ready at the first answer
        page.evaluate(WATCH)
        link.click()
        page.wait_for_function(
            "document.getElementById('print-progress').dataset.state === 'done'"
            " && window.seenPrint.some(t => t.includes('.pdf'))"
        )
        again = page.evaluate("window.seenPrint")
        assert again == [said[0], said[-1]]  # no page drawn this time
    finally:
        with Session(engine) as s:
            s.execute(delete(PrintJob).where(PrintJob.event_id == event_id))
            back = s.get(Event, event_id)
            assert back is not None
            back.name = name
            s.commit()
