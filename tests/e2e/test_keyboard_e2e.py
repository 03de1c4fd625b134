"""The staff maps with the keyboard alone (issue #13, "Maps everyone can read"): Tab, Enter, the
arrow keys and Escape, never the mouse.

- A skip link is the first tab stop of a page and moves the focus to the main content; another
  leads past each map.
- In the planner's workspace a booth is found in the feature list, chosen with Enter, moved with
  the arrow keys (Shift: the big step) and saved with Enter; the booth's geometry in the
  database moved by as much, and the save's answer (its conflicts) is read out in the status
  region. Escape leaves the booth and gives the focus back to the list.
- Each conflict is a button that brings its booth up on the map (so does the event page's link
  to it); the drawing tools have names in the reader's language; arrowing through the event
  picker does not leave the page.
- On the event page a vendor is moved to a free booth through the booth list.
- A busy map (more than a thousand booths) is a handful of tab stops, and axe still finds no
  serious or critical violation with the list filled and a booth chosen.

The live server shares the committed test database, so each test puts back what it changed.
Screenshots go to ``/tmp/shots/kbd-*.png`` for a person to look at.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from app.models import Assignment, Booth, Event
from app.routes.workspace import KEY_STEP_M
from tests.e2e.test_accessibility_e2e import _axe

pytestmark = pytest.mark.e2e

EVENT = "cfd-2026-12-06"
SHOTS = Path("/tmp/shots")
#: Tab presses allowed to reach a control before the test gives up (the page is short).
MAX_TABS = 60


def _login(page: Any, staff_user: Any, lang: str = "id") -> None:
    email, password = staff_user("planner")
    page.goto(page.base_url + f"/login?lang={lang}")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(page.base_url + "/planner/")


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"kbd-{name}.png"))


def _active(page: Any, expression: str) -> Any:
    return page.evaluate(f"(() => {{ const el = document.activeElement; return {expression}; }})()")


def _tab_to(page: Any, predicate: str, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focused element satisfies ``predicate`` (JS of ``el``)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if _active(page, predicate):
            return
    raise AssertionError(f"Tab never reached {predicate}")


def _open_workspace(page: Any, query: str = f"?event={EVENT}") -> None:
    page.goto(page.base_url + "/planner/map" + query)
    page.wait_for_function("document.documentElement.dataset.boothsPainted > 0", timeout=30000)


def _status(page: Any) -> str:
    return str(page.inner_text("#ws-status"))


def _centroid(engine: Engine, booth_id: int) -> tuple[float, float, bytes, int]:
    with Session(engine) as s:
        x, y, geom, version = s.execute(
            text(
                "SELECT ST_X(ST_Centroid(geom)), ST_Y(ST_Centroid(geom)), ST_AsEWKB(geom), version"
                " FROM booth WHERE id = :i"
            ),
            {"i": booth_id},
        ).one()
    return x, y, bytes(geom), version


def _ring_centroid(geometry: dict[str, Any]) -> tuple[float, float]:
    """The area centroid of a polygon's outer ring (lon, lat), planar: a booth is 3 m wide."""
    ring = (
        geometry["coordinates"][0]
        if geometry["type"] == "Polygon"
        else geometry["coordinates"][0][0]
    )
    ox, oy = ring[0]  # about the first vertex: degrees near 109 would cancel out
    pts = [(x - ox, y - oy) for x, y in ring]
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return ox + cx / (3 * a), oy + cy / (3 * a)


def _put_back(engine: Engine, booth_id: int, geom: bytes) -> None:
    with Session(engine) as s:
        s.execute(
            text(
                "UPDATE booth SET geom = ST_GeomFromEWKB(:g), version = version + 1 WHERE id = :i"
            ),
            {"g": geom, "i": booth_id},
        )
        s.commit()


def test_skip_links_move_the_focus(page: Any, staff_user: Any) -> None:
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(page.base_url + "/login")
    page.keyboard.press("Tab")
    assert _active(page, "el.className") == "skip-link"
    assert _active(page, "el.textContent") == "Lewati ke konten utama"
    assert page.locator(".skip-link").first.is_visible()  # shown once it has the focus
    page.keyboard.press("Enter")
    assert _active(page, "el.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside the main content, past the header
    assert _active(page, "!!el.closest('main')")

    _login(page, staff_user, lang="en")
    page.goto(page.base_url + f"/planner/events/{EVENT}")
    page.wait_for_function("window.plBoard && Object.keys(window.plBoard.layers).length > 100")
    page.keyboard.press("Tab")
    assert _active(page, "el.textContent") == "Skip to main content"
    _tab_to(page, "el.classList.contains('skip-map')")
    assert _active(page, "el.textContent") == "Skip the map"
    _shot(page, "skip-map-link")
    page.keyboard.press("Enter")
    assert _active(page, "el.id.startsWith('past-map-')")
    page.keyboard.press("Tab")  # past the map: the booth list's filter beside it
    assert _active(page, "el.id") == "board-list-filter"


def test_a_busy_map_is_a_handful_of_tab_stops(page: Any, staff_user: Any) -> None:
    page.set_viewport_size({"width": 1366, "height": 800})
    _login(page, staff_user)
    for path in (f"/planner/events/{EVENT}", f"/planner/map?event={EVENT}"):
        page.goto(page.base_url + path)
        page.wait_for_function(
            "(window.plBoard && Object.keys(window.plBoard.layers).length > 1000)"
            " || document.documentElement.dataset.boothsPainted > 1000",
            timeout=30000,
        )
        page.wait_for_timeout(300)
        _tab_to(page, "el.classList.contains('skip-map')")
        stops = []
        for _ in range(MAX_TABS):
            page.keyboard.press("Tab")
            if not _active(page, "!!el.closest('.leaflet-container')"):
                break
            stops.append(_active(page, "el.tagName + '.' + el.className"))
        # the map itself, two zoom buttons, the legend's button and body, the attribution link
        assert len(stops) <= 8, (path, stops)


def test_a_booth_is_chosen_moved_and_saved_with_the_keyboard(
    page: Any, staff_user: Any, engine: Engine
) -> None:
    page.set_viewport_size({"width": 1366, "height": 800})
    with Session(engine) as s:
        booth_id, code = s.execute(
            select(Booth.id, Booth.code)
            .join(Event, Event.id == Booth.event_id)
            .where(Event.slug == EVENT, Booth.kind == "vendor")
            .order_by(Booth.code)
            .offset(40)
            .limit(1)
        ).one()
    x0, y0, original, version0 = _centroid(engine, booth_id)
    _login(page, staff_user)
    _open_workspace(page)
    try:
        _tab_to(page, "el.id === 'ws-features-filter'")
        page.keyboard.type(code)
        page.keyboard.press("ArrowDown")  # into the list: its first option is active
        assert _active(page, "el.id") == "ws-features-list"
        option = page.evaluate(
            "document.getElementById(document.activeElement.getAttribute('aria-activedescendant'))"
            ".querySelector('.fl-label').textContent"
        )
        assert option == code
        # where the map has it (the layer is sent rounded to 6 decimals, about 11 cm)
        x_map, y_map = _ring_centroid(
            page.evaluate(f"petalapakWorkspace.index.booths[{booth_id}].feature.geometry")
        )
        page.keyboard.press("Enter")
        # the map has the focus and the booth is chosen: its form is open, its name read out
        assert _active(page, "el.classList.contains('leaflet-container')")
        assert page.input_value("#ws-attr [data-for=booths] input[name=code]") == code
        assert code in _status(page)
        page.wait_for_function("document.documentElement.dataset.editTools === '1'")
        assert page.evaluate("petalapakWorkspace.map.getZoom()") >= 20
        # the list is the keyboard's way: axe finds nothing serious with it filled and in use
        found = _axe(page)
        assert not found, found

        small, big = KEY_STEP_M["small"], KEY_STEP_M["big"]
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("Shift+ArrowUp")
        page.keyboard.press("ArrowDown")
        east, north = 2 * small, big - small
        assert "Belum disimpan" in _status(page) and "timur" in _status(page)
        _shot(page, "workspace-moved")
        with page.expect_response(
            lambda r: r.request.method == "PUT" and f"/booths/{booth_id}" in r.url
        ) as answer:
            page.keyboard.press("Enter")
        body = answer.value.json()
        assert answer.value.status == 200, body
        conflicts = [c["message"] for c in body["conflicts"]]
        expected = " ".join(conflicts) if conflicts else "Tersimpan."
        page.wait_for_function(
            "text => document.getElementById('ws-status').textContent === text", arg=expected
        )
        assert page.get_attribute("#ws-status", "role") == "status"  # read out when it changes

        x1, y1, _geom, version1 = _centroid(engine, booth_id)
        metres_per_degree = 6378137 * math.pi / 180

        def metres(x_a: float, y_a: float, x_b: float, y_b: float) -> tuple[float, float]:
            return (
                (x_b - x_a) * metres_per_degree * math.cos(math.radians(y_a)),
                (y_b - y_a) * metres_per_degree,
            )

        # exactly the keys' steps from where the map drew it (saved with 9 decimals) ...
        assert metres(x_map, y_map, x1, y1) == pytest.approx((east, north), abs=0.005)
        # ... and so, within the map's rounding, from where the database had it
        assert metres(x0, y0, x1, y1) == pytest.approx((east, north), abs=0.08)
        assert version1 == version0 + 1

        # still chosen after the save, for the next move; Escape leaves it and returns the focus
        assert _active(page, "el.classList.contains('leaflet-container')")
        assert page.is_visible("#ws-form")
        page.keyboard.press("Escape")
        assert page.is_hidden("#ws-form")
        assert _active(page, "el.id") == "ws-features-list"
        assert _status(page) == "Pilihan dibatalkan."
    finally:
        _put_back(engine, booth_id, original)


def test_a_conflict_is_a_button_that_brings_up_its_booth(
    page: Any, staff_user: Any, engine: Engine
) -> None:
    page.set_viewport_size({"width": 1366, "height": 800})
    with Session(engine) as s:  # a conflict to find: one booth laid over its neighbour
        (a_id, a_code), (b_id, _b) = s.execute(
            select(Booth.id, Booth.code)
            .join(Event, Event.id == Booth.event_id)
            .where(Event.slug == EVENT, Booth.kind == "vendor")
            .order_by(Booth.code)
            .offset(60)
            .limit(2)
        ).all()
    *_, original, _v = _centroid(engine, a_id)
    with Session(engine) as s:
        s.execute(
            text(
                "UPDATE booth SET geom = (SELECT geom FROM booth WHERE id = :b),"
                " version = version + 1 WHERE id = :a"
            ),
            {"a": a_id, "b": b_id},
        )
        s.commit()
    try:
        _login(page, staff_user)
        _open_workspace(page)
        page.wait_for_selector(f"#ws-conflicts button[data-code='{a_code}']")
        _tab_to(page, f"el.getAttribute('data-code') === {a_code!r}")
        assert _active(page, "el.tagName") == "BUTTON"
        page.keyboard.press("Enter")
        page.wait_for_function("document.activeElement.classList.contains('leaflet-container')")
        assert page.input_value("#ws-attr [data-for=booths] input[name=code]") == a_code
        assert a_code in _status(page)
        _shot(page, "workspace-conflict")
        page.keyboard.press("Escape")
        assert _active(page, "el.getAttribute('data-code')") == a_code
        assert page.is_hidden("#ws-form")
        # the event page's conflict links open the workspace on the booth, chosen and in focus
        _open_workspace(page, f"?event={EVENT}&focus={a_code}")
        page.wait_for_function("document.documentElement.dataset.highlight")
        assert page.input_value("#ws-attr [data-for=booths] input[name=code]") == a_code
        assert _active(page, "el.classList.contains('leaflet-container')")
    finally:
        _put_back(engine, a_id, original)


@pytest.mark.parametrize(
    ("lang", "names", "polygon"),
    [
        (
            "id",
            {"Gambar titik (fasilitas)", "Gambar poligon", "Gambar persegi panjang"},
            "Gambar poligon",
        ),
        ("en", {"Draw a point (facility)", "Draw a polygon", "Draw a rectangle"}, "Draw a polygon"),
    ],
)
def test_the_drawing_tools_have_names_in_the_readers_language(
    page: Any, staff_user: Any, lang: str, names: set[str], polygon: str
) -> None:
    page.set_viewport_size({"width": 1366, "height": 800})
    _login(page, staff_user, lang=lang)
    _open_workspace(page)
    _tab_to(page, "el.id === 'ws-edit-tools'")
    page.keyboard.press("Enter")
    page.wait_for_function("document.documentElement.dataset.editTools === '1'")
    labels = page.eval_on_selector_all(
        ".leaflet-pm-toolbar a.leaflet-buttons-control-button",
        "els => els.map(a => a.getAttribute('aria-label'))",
    )
    assert set(labels) == names
    # and they are tab stops that Enter presses: the polygon tool starts drawing
    _tab_to(page, "el.classList.contains('leaflet-buttons-control-button')")
    _tab_to(page, f"el.getAttribute('aria-label') === {polygon!r}")
    page.keyboard.press("Enter")
    page.wait_for_function("petalapakWorkspace.map.pm.globalDrawModeEnabled()")


def test_arrowing_through_the_event_picker_stays_on_the_page(page: Any, staff_user: Any) -> None:
    page.set_viewport_size({"width": 1366, "height": 800})
    _login(page, staff_user)
    _open_workspace(page)
    page.evaluate("window.__samePage = true")
    _tab_to(page, "el.id === 'ws-event'")
    before = page.input_value("#ws-event")
    first = page.evaluate("document.getElementById('ws-event').selectedIndex === 0")
    page.keyboard.press("ArrowDown" if first else "ArrowUp")  # as a change event would, once
    page.wait_for_timeout(500)
    chosen = page.input_value("#ws-event")
    assert chosen != before  # the choice moved ...
    assert page.evaluate("window.__samePage") is True  # ... and the page stayed
    assert f"event={EVENT}" in page.url
    page.keyboard.press("Tab")
    assert _active(page, "el.textContent") == "Buka"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"event={chosen}" in page.url


def test_a_vendor_is_moved_on_the_event_page_with_the_keyboard(
    page: Any, staff_user: Any, engine: Engine
) -> None:
    page.set_viewport_size({"width": 1366, "height": 800})
    _login(page, staff_user)
    page.goto(page.base_url + f"/planner/events/{EVENT}")
    page.wait_for_function("window.plBoard && Object.keys(window.plBoard.layers).length > 100")
    board = page.evaluate("JSON.parse(document.getElementById('board-data').textContent).booths")
    placed = next(b for b in board if b["state"] == "assigned" and not b["pinned"])
    free = next(b for b in board if b["state"] == "free" and b["code"] > placed["code"])
    with Session(engine) as s:
        before = s.get(Assignment, placed["assignment_id"])
        assert before is not None
        original = (before.booth_id, before.pinned, before.explanation)
    try:
        _tab_to(page, "el.id === 'board-list-filter'")
        page.keyboard.type(placed["code"])
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.wait_for_selector("#panel-body:not([hidden])")
        assert page.inner_text("#panel-code") == placed["code"]
        page.wait_for_function(
            "code => document.getElementById('panel-status').textContent.includes(code)",
            arg=placed["code"],
        )
        _tab_to(page, "el.getAttribute('data-act') === 'pick'")
        page.keyboard.press("Enter")  # on to the list, to choose the target
        assert _active(page, "el.id") == "board-list"
        _tab_to(page, "el.id === 'board-list-filter'", backwards=True)
        page.keyboard.press("Control+a")
        page.keyboard.type(free["code"])
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.wait_for_function(
            "code => document.getElementById('panel-status').textContent.includes(code)"
            " && document.getElementById('panel-code').textContent === code",
            arg=free["code"],
        )
        _shot(page, "event-moved")
        with Session(engine) as s:
            moved = s.get(Assignment, placed["assignment_id"])
            assert moved is not None
            assert (
                s.scalars(select(Booth.code).where(Booth.id == moved.booth_id)).one()
                == (free["code"])
            )
        page.keyboard.press("Escape")
        assert page.is_visible("#panel-empty")
    finally:
        with Session(engine) as s:
            s.execute(
                text(
                    "UPDATE assignment SET booth_id = :b, pinned = :p, explanation = :e "
                    "WHERE id = :i"
                ).bindparams(bindparam("e", type_=JSONB(none_as_null=True))),
                {
                    "b": original[0],
                    "p": original[1],
                    "e": original[2],
                    "i": placed["assignment_id"],
                },
            )
            event_id = s.scalars(select(Event.id).where(Event.slug == EVENT)).one()
            s.execute(text("DELETE FROM history_step WHERE event_id = :e"), {"e": event_id})
            s.commit()
