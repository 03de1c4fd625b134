"""The planner's map in a real browser: draw and save a zone, move a booth onto a hydrant,
import a GeoPackage. The live server shares the committed test database, so each test puts back
what it changed."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, text
from sqlalchemy.orm import Session

from app.models import Facility, Zone

pytestmark = pytest.mark.e2e


def _login(page: Any, staff_user: Any) -> None:
    email, password = staff_user("planner")
    page.goto(page.base_url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(page.base_url + "/planner/")  # planners land on their home


def _open_workspace(page: Any) -> None:
    page.goto(page.base_url + "/planner/map?event=cfd-2026-12-06")
    page.wait_for_function("document.documentElement.dataset.boothsPainted > 0", timeout=30000)


def _point(page: Any, lat: float, lon: float) -> tuple[float, float]:
    box = page.locator(".folium-map").bounding_box()
    xy = page.evaluate(
        "([lat, lon]) => { const p = petalapakWorkspace.map.latLngToContainerPoint([lat, lon]);"
        " return [p.x, p.y]; }",
        [lat, lon],
    )
    return box["x"] + xy[0], box["y"] + xy[1]


def test_planner_draws_a_zone_and_sees_it_after_reload(
    page: Any, staff_user: Any, engine: Engine
) -> None:
    _login(page, staff_user)
    _open_workspace(page)
    page.evaluate("petalapakWorkspace.map.setView([-0.0300, 109.3380], 19); 1")
    page.wait_for_timeout(400)
    page.click("#ws-edit-tools")  # the drawing tools load on demand
    page.click(".leaflet-pm-icon-polygon")
    corners = [
        (-0.02990, 109.33790),
        (-0.02990, 109.33810),
        (-0.03010, 109.33810),
        (-0.03010, 109.33790),
    ]
    for lat, lon in corners:
        page.mouse.click(*_point(page, lat, lon))
    page.mouse.click(*_point(page, *corners[0]))
    page.wait_for_selector("#ws-form:not([hidden])")
    page.fill("#ws-attr [data-for=zones] input[name=name]", "Zona Uji E2E")
    page.select_option("#ws-attr [data-for=zones] select[name=kind]", "pkl_legal")
    page.click("#ws-save")
    page.wait_for_function("document.getElementById('ws-status').textContent.includes('Tersimpan')")
    try:
        page.reload()
        page.wait_for_function("document.documentElement.dataset.boothsPainted > 0")
        names = page.evaluate(
            "Object.values(petalapakWorkspace.index.zones).map(l => l.feature.properties.name)"
        )
        assert "Zona Uji E2E" in names
    finally:
        with Session(engine) as s:
            s.execute(delete(Zone).where(Zone.name == "Zona Uji E2E"))
            s.commit()


def test_moving_a_booth_onto_a_hydrant_shows_the_conflict(
    page: Any, staff_user: Any, engine: Engine
) -> None:
    _login(page, staff_user)
    _open_workspace(page)
    # the vendor booth nearest to a hydrant, found in the page's own layers
    pick = page.evaluate("""() => {
        const W = petalapakWorkspace; let best = null;
        const hydrants = Object.values(W.index.facilities)
            .filter(l => l.feature.properties.kind === 'hydrant' && l.getLatLng);
        for (const b of Object.values(W.index.booths)) {
            if (b.feature.properties.kind !== 'vendor') continue;
            const c = b.getBounds().getCenter();
            for (const h of hydrants) {
                const d = W.map.distance(c, h.getLatLng());
                if (d > 6 && (!best || d < best.d)) best = {d, id: b.feature.id,
                    code: b.feature.properties.code, lat: c.lat, lon: c.lng,
                    hlat: h.getLatLng().lat, hlon: h.getLatLng().lng};
            }
        }
        return best; }""")
    assert pick is not None and pick["d"] < 40
    with Session(engine) as s:
        original = s.execute(
            text("SELECT ST_AsEWKB(geom), version FROM booth WHERE id = :i"), {"i": pick["id"]}
        ).one()
    try:
        page.evaluate(f"petalapakWorkspace.map.setView([{pick['lat']}, {pick['lon']}], 20); 1")
        page.wait_for_timeout(500)
        page.mouse.click(*_point(page, pick["lat"], pick["lon"]))
        page.wait_for_selector("#ws-form:not([hidden])")
        assert page.input_value("#ws-attr [data-for=booths] input[name=code]") == pick["code"]
        page.wait_for_function("document.documentElement.dataset.editTools === '1'")
        page.wait_for_timeout(200)
        start = _point(page, pick["lat"], pick["lon"])
        end = _point(page, pick["hlat"], pick["hlon"])
        page.mouse.move(*start)
        page.mouse.down()
        page.mouse.move((start[0] + end[0]) / 2, (start[1] + end[1]) / 2, steps=5)
        page.mouse.move(*end, steps=5)
        page.mouse.up()
        page.click("#ws-save")
        page.wait_for_function(
            "document.getElementById('ws-status').textContent.includes('hidran')", timeout=15000
        )
        page.wait_for_function(
            "document.getElementById('ws-conflicts').textContent.includes('hidran')"
        )
        state = page.evaluate(
            f"petalapakWorkspace.index.booths[{pick['id']}].feature.properties.state"
        )
        assert state == "blocking"
    finally:
        with Session(engine) as s:
            s.execute(
                text(
                    "UPDATE booth SET geom = ST_GeomFromEWKB(:g), version = version + 1"
                    " WHERE id = :i"
                ),
                {"g": original[0], "i": pick["id"]},
            )
            s.commit()


def test_importing_a_geopackage_shows_it_on_the_map(
    page: Any, staff_user: Any, engine: Engine, tmp_path: Path
) -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    from app.gis.crs import to_metric

    gpkg = tmp_path / "hidran_baru.gpkg"
    where = to_metric(Point(109.3400, -0.0420), 32749)  # delivered in UTM 49S, as a city would
    gpd.GeoDataFrame(
        {"jenis": ["hydrant"], "nama": ["Hidran Impor E2E"]}, geometry=[where], crs="EPSG:32749"
    ).to_file(gpkg, driver="GPKG")
    _login(page, staff_user)
    _open_workspace(page)
    page.click("text=Impor lapisan")
    page.set_input_files("#ws-import input[type=file]", str(gpkg))
    page.select_option("#ws-import select[name=layer]", "facilities")
    page.click("#ws-import-check")
    page.wait_for_selector("#ws-import-commit:not([disabled])", timeout=15000)
    try:
        page.click("#ws-import-commit")
        page.wait_for_function(
            "document.getElementById('ws-status').textContent.includes('diimpor')"
            " || document.getElementById('ws-status').textContent.includes('tidak ada')",
            timeout=15000,
        )
        assert "diimpor" in page.inner_text("#ws-status"), page.inner_text("#ws-import-report")
        page.evaluate("petalapakWorkspace.map.setView([-0.0420, 109.3400], 18); 1")
        page.wait_for_timeout(300)
        found = page.evaluate("""() => Object.values(petalapakWorkspace.index.facilities)
            .filter(l => l.feature.properties.name === 'Hidran Impor E2E')
            .map(l => [l.getLatLng().lat, l.getLatLng().lng])""")
        assert len(found) == 1
        assert found[0] == pytest.approx([-0.0420, 109.3400], abs=1e-6)
    finally:
        with Session(engine) as s:
            s.execute(delete(Facility).where(Facility.name == "Hidran Impor E2E"))
            s.commit()


@contextlib.contextmanager
def _planner_on_own_server(
    browser: Any, staff_user: Any, database_url: str, **config: Any
) -> Iterator[tuple[Any, list[tuple[str, int]]]]:
    """A logged-in planner's page on a server of its own ``config``, and the responses it got;
    no request may leave the machine and no script may fail."""
    from tests.e2e.conftest import serving, under_csp

    with serving({"SQLALCHEMY_DATABASE_URI": database_url, **config}) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
        seen: list[tuple[str, int]] = []
        external: list[str] = []
        errors: list[str] = []

        def _guard(route: Any) -> None:
            if route.request.url.startswith(base):
                route.continue_()
            else:
                external.append(route.request.url)
                route.abort()

        context.route("**/*", _guard)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("response", lambda r: seen.append((r.url, r.status)))
        blocked = under_csp(page)
        page.base_url = base
        try:
            _login(page, staff_user)
            yield page, seen
            # no request may still be running in the server when it stops
            page.wait_for_load_state("networkidle")
        finally:
            context.close()
        assert external == [] and errors == [] and blocked == [], (external, errors, blocked)


def test_a_big_event_is_drawn_from_vector_tiles_until_the_editing_zoom(
    browser: Any, staff_user: Any, database_url: str, engine: Engine
) -> None:
    """Above the booth threshold the map shows the event from /tiles at city scale (no GeoJSON
    of every booth), and switches to editable features from the editing zoom on."""
    with _planner_on_own_server(
        browser, staff_user, database_url, WORKSPACE_TILE_MIN_BOOTHS=100
    ) as (page, seen):
        page.goto(page.base_url + "/planner/map?event=cfd-2026-12-06")
        page.wait_for_function(
            "document.documentElement.dataset.boothTilesLoaded === '1'", timeout=30000
        )
        assert page.evaluate("document.documentElement.dataset.boothMode") == "tiles"
        assert page.evaluate("petalapakWorkspace.map.getZoom()") < 17
        tiles = [(u, s) for u, s in seen if "/tiles/booths/" in u]
        assert tiles and {s for _, s in tiles} <= {200, 204} and 200 in {s for _, s in tiles}
        assert not [u for u, _ in seen if "/layers/booths" in u]
        assert page.evaluate("Object.keys(petalapakWorkspace.index.booths).length") == 0
        # the tiles are painted: some tile canvas holds booth-coloured pixels (tiles are drawn
        # again once the conflict states arrive, so wait for it)
        page.wait_for_function(
            """() => [...document.querySelectorAll(
            '.leaflet-tile-container canvas')].some(c => {
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) return true; }
                return false; })""",
            timeout=30000,
        )
        # street level: the booths in view become features to select and edit
        with Session(engine) as s:
            lat, lon = s.execute(
                text(
                    "SELECT ST_Y(ST_Centroid(b.geom)), ST_X(ST_Centroid(b.geom)) FROM booth b "
                    "JOIN event e ON e.id = b.event_id WHERE e.slug = 'cfd-2026-12-06' "
                    "ORDER BY b.id LIMIT 1"
                )
            ).one()
        page.evaluate(f"petalapakWorkspace.map.setView([{lat}, {lon}], 18); 1")
        page.wait_for_function(
            "document.documentElement.dataset.boothMode === 'features'"
            " && Object.keys(petalapakWorkspace.index.booths).length > 0",
            timeout=30000,
        )
        assert [u for u, _ in seen if "/layers/booths" in u and "bbox=" in u]
        # and back out: features dropped, tiles again
        page.evaluate("petalapakWorkspace.map.setZoom(15); 1")
        page.wait_for_function("document.documentElement.dataset.boothMode === 'tiles'")
        assert page.evaluate("Object.keys(petalapakWorkspace.index.booths).length") == 0


def test_many_facilities_are_fetched_for_the_view_from_street_level(
    browser: Any, staff_user: Any, database_url: str, engine: Engine
) -> None:
    with _planner_on_own_server(
        browser, staff_user, database_url, WORKSPACE_VIEW_MIN_FACILITIES=10
    ) as (page, seen):
        page.goto(page.base_url + "/planner/map?event=cfd-2026-12-06")
        page.wait_for_function("document.documentElement.dataset.boothsPainted > 0", timeout=30000)
        if page.evaluate("petalapakWorkspace.map.getZoom()") < 16:
            assert not [u for u, _ in seen if "/layers/facilities" in u]
        with Session(engine) as s:
            lat, lon, total = s.execute(
                text(
                    "SELECT ST_Y(geom), ST_X(geom), (SELECT count(*) FROM facility) "
                    "FROM facility WHERE kind = 'hydrant' ORDER BY id LIMIT 1"
                )
            ).one()
        page.evaluate(f"petalapakWorkspace.map.setView([{lat}, {lon}], 18); 1")
        page.wait_for_function(
            "document.documentElement.dataset.facilitiesLoaded > 0", timeout=30000
        )
        loaded = page.evaluate("Object.keys(petalapakWorkspace.index.facilities).length")
        assert 0 < loaded < total
        assert [u for u, _ in seen if "/layers/facilities" in u and "bbox=" in u]
