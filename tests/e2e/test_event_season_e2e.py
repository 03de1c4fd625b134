"""A planner's season in a real browser, once in Bahasa Indonesia and once in English: log in,
create an event on the map, lay it out (with the preview before a regeneration), publish refused
at 0 placed, allocate, publish, move a vendor by clicking on the map, undo and redo it, copy to
next week, and close (asked first). Every page on the way is read for tell-tale words of the
other language (the word lists and reader of :mod:`tests.routes.test_bilingual_pages`).
Screenshots go to /tmp/shots/t14b-<lang>-*.png.

The live server shares the committed test database: the events made here are deleted after.
"""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from babel.support import Translations
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from app.models import Assignment, Booth, Event
from tests.e2e.test_event_board_e2e import _click_booth
from tests.routes.test_bilingual_pages import ENGLISH, INDONESIAN, _data, _offending, readable_text

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("PETALAPAK_SHOTS", "/tmp/shots"))
#: One date per language, far apart, so that a walk left half-done cannot meet the other.
DAYS = {"id": date(2027, 3, 7), "en": date(2027, 4, 4)}
_CATALOGUE = Translations.load(
    str(Path(__file__).resolve().parents[2] / "app" / "translations"), ["en"]
)
_PARAM = re.compile(r"%\(\w+\)s")


def tr(lang: str, msgid: str) -> str:
    """``msgid`` as the interface shows it in ``lang`` (its longest part between parameters)."""
    text = _CATALOGUE.gettext(msgid) if lang == "en" else msgid
    return max(_PARAM.split(text), key=len).strip()


def _shot(page: Any, lang: str, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"t14b-{lang}-{name}.png"), full_page=True)


def _login(page: Any, staff_user: Any, lang: str = "id") -> None:
    email, password = staff_user("planner")
    page.goto(page.base_url + f"/login?lang={lang}")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_function("!location.pathname.startsWith('/login')")


def _body(page: Any) -> str:
    return str(page.inner_text("body"))


def _wait_text(page: Any, text: str, timeout: int = 60000) -> None:
    page.wait_for_function(
        "t => document.body && document.body.innerText.includes(t)", arg=text, timeout=timeout
    )


def _one_language(page: Any, lang: str, engine: Engine, where: str) -> None:
    """The page as the browser holds it now (script-made text included) has no word of the
    other language; typed data (names, notes) is taken out first, as the page test does."""
    with Session(engine) as s:
        data = _data(s)
    forbidden = ENGLISH if lang == "id" else INDONESIAN
    found = _offending(readable_text(page.content()), forbidden, data)
    assert not found, f"{where} [{lang}]: " + "; ".join(found[:8])


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_season_in_the_app(page: Any, staff_user: Any, engine: Engine, lang: str) -> None:
    day = DAYS[lang]
    slug, next_slug = f"cfd-{day.isoformat()}", f"cfd-{(day + timedelta(days=7)).isoformat()}"
    _login(page, staff_user, lang)
    try:
        # -- the planner's home: the figures per event and "new event"
        assert page.url.endswith("/planner/")
        _one_language(page, lang, engine, "home")
        page.click("a.new-event")
        page.wait_for_url("**/planner/events/new")
        _one_language(page, lang, engine, "new event")
        # -- create the event, picking the corridor by a click on the map
        page.fill("input[name=name]", "CFD Uji Musim")
        page.fill("input[name=date]", day.isoformat())
        page.fill("input[name=booth_width_m]", "3")
        # a point inside the corridor (a long, thin street polygon: its box's centre may be off)
        target = page.evaluate("""() => {
            const inside = (x, y, ring) => { let c = false;
                for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
                    const [xi, yi] = ring[i], [xj, yj] = ring[j];
                    const cross = (xj - xi) * (y - yi) / (yj - yi) + xi;
                    if ((yi > y) !== (yj > y) && x < cross) c = !c; }
                return c; };
            let hit = null;
            window.petalapakCorridorLayer.eachLayer(l => {
                if (hit || l.feature.properties.kind !== 'cfd_corridor') return;
                const ring = l.feature.geometry.coordinates[0];
                for (let i = 0; i < ring.length && !hit; i++)
                  for (let j = i + 2; j < ring.length && !hit; j++) {
                    const x = (ring[i][0] + ring[j][0]) / 2, y = (ring[i][1] + ring[j][1]) / 2;
                    if (inside(x, y, ring)) hit = {id: l.feature.properties.id, lat: y, lon: x};
                }
                if (hit) {
                    l._map.setView([hit.lat, hit.lon], 18, {animate: false});
                    const p = l._map.latLngToContainerPoint([hit.lat, hit.lon]);
                    hit.x = p.x; hit.y = p.y;
                }
            });
            return hit; }""")
        assert target is not None
        page.wait_for_timeout(300)
        box = page.locator(".picker-map .folium-map").bounding_box()
        page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
        assert page.is_checked(f"input[name=corridor][value='{target['id']}']")
        _shot(page, lang, "1-create-on-map")
        page.click("#event-form button[type=submit]")
        page.wait_for_url(f"**/planner/events/{slug}")

        # -- publish is refused with nobody placed: the button is off and says why
        assert page.is_disabled("form.publish button[type=submit]")
        assert tr(lang, "Belum ada pedagang yang ditempatkan; jalankan alokasi dulu.") in _body(
            page
        )
        _one_language(page, lang, engine, "new event's page")

        # -- lay out (no booths yet: it runs), then regenerate: the preview comes first
        made = tr(
            lang,
            "%(placed)s lapak dibuat (batas per baris %(bound)s, batas aman %(margin)s m); "
            "%(kept)s lapak terkunci dipertahankan; %(conflicts)s konflik.",
        )
        regenerate = f"button:has-text('{tr(lang, 'Buat ulang tata letak')}')"
        page.click(regenerate)
        _wait_text(page, made)
        page.click(regenerate)
        _wait_text(
            page, tr(lang, "%(lost)s pedagang kehilangan lapak; %(locked)s lapak terkunci tetap.")
        )
        _one_language(page, lang, engine, "layout preview")
        _shot(page, lang, "2-layout-preview")
        page.click(f"text={tr(lang, 'Ya, buat ulang tata letak')}")
        _wait_text(page, made)

        # -- allocate, then publish (with a written reason when blocking conflicts remain)
        page.fill("input[name=seed]", day.strftime("%Y%m%d"))
        page.click(f"button:has-text('{tr(lang, 'Jalankan alokasi')}')")
        placed = tr(
            lang, "%(placed)s pedagang ditempatkan, %(unplaced)s tidak (daftar tunggu %(wait)s)."
        )
        page.wait_for_function(
            "t => document.body && document.body.innerText.includes(t)"
            " || document.querySelector('.flash-error')",
            arg=placed,
            timeout=60000,
        )
        assert placed in _body(page), _body(page)[:600]
        _one_language(page, lang, engine, "allocated")
        if page.locator("input[name=override_reason]").count():
            page.fill("input[name=override_reason]", "Diperiksa di lapangan bersama Dishub")
            page.click(f"button:has-text('{tr(lang, 'Tetap umumkan')}')")
        else:
            page.click(f"button:has-text('{tr(lang, 'Umumkan ke pedagang')}')")
        _wait_text(page, tr(lang, "Status acara diperbarui."))
        assert tr(lang, "Diumumkan") in _body(page)
        _shot(page, lang, "3-published")

        # -- move a vendor by clicking on the map: the panel, then a free booth
        page.wait_for_function("window.plBoard && Object.keys(window.plBoard.layers).length > 10")
        board = page.evaluate(
            "JSON.parse(document.getElementById('board-data').textContent).booths"
        )
        mover = next(b for b in board if b["assignment_id"])
        free = next(b for b in board if b["state"] == "free" and b["code"] != mover["code"])
        _click_booth(page, mover["code"])
        page.wait_for_selector("#panel-body:not([hidden])")
        page.click('#panel-placed [data-act="pick"]')
        _click_booth(page, free["code"])
        page.wait_for_function(
            "code => document.getElementById('panel-status').textContent.includes(code)"
            " && document.getElementById('panel-code').textContent === code",
            arg=free["code"],
        )
        with Session(engine) as s:
            moved = s.get(Assignment, mover["assignment_id"])
            assert moved is not None
            assert s.get(Booth, moved.booth_id).code == free["code"]  # type: ignore[union-attr]
        step = (
            f"Pindah {mover['code']} ke {free['code']}"
            if lang == "id"
            else f"Move {mover['code']} to {free['code']}"
        )
        page.wait_for_function(
            "t => document.getElementById('event-history').innerText.includes(t)", arg=step
        )
        _one_language(page, lang, engine, "after the move")
        _shot(page, lang, "4-moved")

        # -- undo it, then redo; undo never redoes: next in line is the allocation run below
        page.click(f"#event-history >> text={tr(lang, 'Urungkan')}")
        _wait_text(page, f"{tr(lang, 'Dibatalkan: %(step)s').rstrip(':')}: {step}")
        steps = page.locator("#event-history ol.steps li").all_inner_texts()
        undone = f"({tr(lang, 'dibatalkan')})"
        assert steps[0].startswith(step) and undone in steps[0]
        allocation = "Alokasi" if lang == "id" else "Allocation"
        assert steps[1].startswith(f"{allocation} (seed {day.strftime('%Y%m%d')})")
        assert undone not in steps[1]
        _one_language(page, lang, engine, "undone")
        page.click(f"#event-history >> text={tr(lang, 'Ulangi')}")
        _wait_text(page, f"{tr(lang, 'Diulangi: %(step)s').rstrip(':')}: {step}")
        _shot(page, lang, "5-redone")

        # -- copy to next week: the date a week on is already filled in
        assert (
            page.input_value("form.row input[name=date]") == (day + timedelta(days=7)).isoformat()
        )
        page.click(f"button:has-text('{tr(lang, 'Salin ke minggu depan')}')")
        page.wait_for_url(f"**/planner/events/{next_slug}")
        _one_language(page, lang, engine, "copy")
        _shot(page, lang, "6-copied")

        # -- close the first event: asked first, "cannot be undone"
        page.goto(page.base_url + f"/planner/events/{slug}")
        page.click(f"button:has-text('{tr(lang, 'Tutup acara…')}')")
        _wait_text(page, tr(lang, "Tindakan ini tidak dapat dibatalkan."))
        _one_language(page, lang, engine, "close confirmation")
        page.click(f"button:has-text('{tr(lang, 'Ya, tutup acara')}')")
        _wait_text(page, tr(lang, "Status acara diperbarui."))
        assert tr(lang, "Ditutup") in _body(page)
        with Session(engine) as s:
            assert s.scalars(select(Event.status).where(Event.slug == slug)).one() == "closed"
        _one_language(page, lang, engine, "closed")
        _shot(page, lang, "7-closed")
        page.goto(page.base_url + "/planner/")
        _one_language(page, lang, engine, "home after the season")

        # the form on a phone: the map and the zone list fit the width
        page.set_viewport_size({"width": 360, "height": 740})
        page.goto(page.base_url + f"/planner/events/{next_slug}/edit")
        width = page.evaluate("document.documentElement.scrollWidth")
        _shot(page, lang, "8-edit-phone")
        assert width <= 360
    except Exception:
        _shot(page, lang, "failed")
        raise
    finally:
        with Session(engine) as s:
            s.execute(delete(Event).where(Event.slug.in_([next_slug, slug])))
            s.commit()


def test_workspace_ctrl_z_undoes_two_steps_and_ctrl_shift_z_redoes(
    page: Any, staff_user: Any, engine: Engine
) -> None:
    from app.models import Zone

    _login(page, staff_user)
    page.goto(page.base_url + "/planner/map?event=cfd-2026-12-06")
    page.wait_for_function("document.documentElement.dataset.boothsPainted > 0", timeout=30000)
    api = page.evaluate("JSON.parse(document.getElementById('workspace-config').textContent).api")
    square = [[109.3380, -0.0300], [109.3382, -0.0300], [109.3382, -0.0302],
              [109.3380, -0.0302], [109.3380, -0.0300]]  # fmt: skip
    feature = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [square]},
               "properties": {"name": "Zona Undo E2E", "kind": "pkl_legal"}}  # fmt: skip
    try:
        made = page.evaluate(
            """([api, f]) => { const cfg = JSON.parse(
                document.getElementById('workspace-config').textContent);
              const post = (url, method, body) => fetch(url, {method, credentials: 'same-origin',
                headers: {'Content-Type': 'application/json', 'X-CSRFToken': cfg.csrf},
                body: JSON.stringify(body)}).then(r => r.json());
              return post(api + '/zones', 'POST', {feature: f}).then(d =>
                post(api + '/zones/' + d.feature.id, 'PUT', {feature: {properties: {capacity: 7}},
                  version: d.feature.properties.version}).then(() => d.feature.id)); }""",
            [api, feature],
        )
        page.reload()
        page.wait_for_function("document.documentElement.dataset.boothsPainted > 0")
        page.wait_for_function("document.getElementById('ws-history').children.length > 1")
        assert "Ubah zona Zona Undo E2E" in page.inner_text("#ws-history")
        page.click(".ws-map")  # the keys go to the page, not a form field
        page.keyboard.press("Control+z")
        page.wait_for_function(
            "document.getElementById('ws-status').textContent.includes('Dibatalkan')"
        )
        page.keyboard.press("Control+z")
        page.wait_for_function(
            "document.getElementById('ws-status').textContent.includes('Gambar zona')"
        )
        with Session(engine) as s:
            assert s.get(Zone, made) is None  # two undos: the edit, then the drawing
        page.keyboard.press("Control+Shift+z")
        page.wait_for_function(
            "document.getElementById('ws-status').textContent.includes('Diulangi')"
        )
        _shot(page, "id", "7-workspace-history")
        # the drawing tools speak Indonesian (Geoman's texts come from the app's catalogue)
        page.click("#ws-edit-tools")
        page.wait_for_function("document.documentElement.dataset.editTools === '1'")
        title = page.evaluate(
            "document.querySelector('.leaflet-pm-icon-polygon').closest('[title]').title"
        )
        assert title == "Gambar poligon"
        with Session(engine) as s:
            zone = s.get(Zone, made)
            assert zone is not None and zone.capacity is None
    finally:
        with Session(engine) as s:
            s.execute(delete(Zone).where(Zone.name == "Zona Undo E2E"))
            s.commit()
