"""A planner's season in a real browser: create an event on the map, lay it out (with the
preview before a regeneration), publish refused at 0 placed, allocate, publish, move a vendor
and undo and redo it, copy to next week. Screenshots go to /tmp/shots/t14b-*.png.

The live server shares the committed test database: the events made here are deleted after.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from app.models import Event

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("PETALAPAK_SHOTS", "/tmp/shots"))
DAY = date(2027, 3, 7)
SLUG = f"cfd-{DAY.isoformat()}"
NEXT = f"cfd-{(DAY + timedelta(days=7)).isoformat()}"


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"t14b-{name}.png"), full_page=True)


def _login(page: Any, staff_user: Any) -> None:
    email, password = staff_user("planner")
    page.goto(page.base_url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_function("!location.pathname.startsWith('/login')")


def _flash(page: Any) -> str:
    return str(page.inner_text("body"))


def test_a_season_in_the_app(page: Any, staff_user: Any, engine: Engine) -> None:
    _login(page, staff_user)
    try:
        # -- create the event, picking the corridor by a click on the map
        page.goto(page.base_url + "/planner/events/new")
        page.fill("input[name=name]", "CFD Uji Musim")
        page.fill("input[name=date]", DAY.isoformat())
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
        _shot(page, "1-create-on-map")
        page.click("#event-form button[type=submit]")
        page.wait_for_url(f"**/planner/events/{SLUG}")

        # -- publish is refused with nobody placed: the button is off and says why
        assert page.is_disabled("form.publish button[type=submit]")
        assert "Belum ada pedagang yang ditempatkan" in _flash(page)

        # -- lay out (no booths yet: it runs), then regenerate: the preview comes first
        page.click("button:has-text('Buat ulang tata letak')")
        page.wait_for_function(
            "document.body && document.body.innerText.includes('lapak dibuat')", timeout=60000
        )
        page.click("button:has-text('Buat ulang tata letak')")
        page.wait_for_function(
            "document.body && document.body.innerText.includes('pedagang kehilangan lapak')",
            timeout=60000,
        )
        assert "lapak terkunci tetap" in _flash(page)
        _shot(page, "2-layout-preview")
        page.click("text=Ya, buat ulang tata letak")
        page.wait_for_function(
            "document.body && document.body.innerText.includes('lapak dibuat')", timeout=60000
        )

        # -- allocate, then publish (with a written reason when blocking conflicts remain)
        page.fill("input[name=seed]", "20270307")
        page.click("button:has-text('Jalankan alokasi')")
        page.wait_for_function(
            "document.body && document.body.innerText.includes('pedagang ditempatkan')"
            " || document.querySelector('.flash-error')",
            timeout=60000,
        )
        assert "pedagang ditempatkan" in _flash(page), _flash(page)[:600]
        if page.locator("input[name=override_reason]").count():
            page.fill("input[name=override_reason]", "Diperiksa di lapangan bersama Dishub")
            page.click("button:has-text('Tetap umumkan')")
        else:
            page.click("button:has-text('Umumkan ke pedagang')")
        page.wait_for_function(
            "document.body && document.body.innerText.includes('Status acara diperbarui')"
        )
        assert "Diumumkan" in _flash(page)
        _shot(page, "3-published")

        # -- move a vendor to a free booth, undo (the allocation is next, not a redo), redo
        rows = page.locator("table.data tbody tr")
        first_code = rows.nth(0).locator("td").nth(0).inner_text().split()[0]
        with Session(engine) as s:
            from app.models import Assignment, Booth

            event = s.scalars(select(Event).where(Event.slug == SLUG)).one()
            taken = set(
                s.scalars(select(Assignment.booth_id).where(Assignment.event_id == event.id))
            )
            free = s.scalars(
                select(Booth.code)
                .where(Booth.event_id == event.id, Booth.kind == "vendor", Booth.id.not_in(taken))
                .order_by(Booth.code)
            ).first()
        assert free is not None
        row = rows.nth(0)
        row.locator("input[name=booth_code]").fill(free)
        row.locator("form.move button").click()
        page.wait_for_function("document.body && document.body.innerText.includes('dipindahkan')")
        step = f"Pindah {first_code} ke {free}"
        assert step in page.inner_text("#event-history")
        page.click("#event-history >> text=Urungkan")
        page.wait_for_function(
            f"document.body && document.body.innerText.includes('Dibatalkan: {step}')"
        )
        # undo never redoes: the step next in line is the allocation run below the move
        steps = page.locator("#event-history ol.steps li").all_inner_texts()
        assert steps[0].startswith(step) and "(dibatalkan)" in steps[0]
        assert steps[1].startswith("Alokasi (seed 20270307)") and "(dibatalkan)" not in steps[1]
        _shot(page, "4-undone")
        page.click("#event-history >> text=Ulangi")
        page.wait_for_function(
            f"document.body && document.body.innerText.includes('Diulangi: {step}')"
        )

        # -- copy to next week: the date a week on is already filled in
        assert (
            page.input_value("form.row input[name=date]") == (DAY + timedelta(days=7)).isoformat()
        )
        page.click("button:has-text('Salin ke minggu depan')")
        page.wait_for_url(f"**/planner/events/{NEXT}")
        _shot(page, "5-copied")
        page.goto(page.base_url + f"/planner/events/{SLUG}?lang=en")
        assert "Step history" in _flash(page) and f"Move {first_code} to {free}" in _flash(page)
        _shot(page, "6-event-en")
        # the form on a phone: the map and the zone list fit the width
        page.set_viewport_size({"width": 360, "height": 740})
        page.goto(page.base_url + f"/planner/events/{SLUG}/edit")
        width = page.evaluate("document.documentElement.scrollWidth")
        _shot(page, "8-edit-phone")
        assert width <= 360
    except Exception:
        _shot(page, "failed")
        raise
    finally:
        with Session(engine) as s:
            s.execute(delete(Event).where(Event.slug.in_([NEXT, SLUG])))
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
        _shot(page, "7-workspace-history")
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
