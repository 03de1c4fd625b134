"""Zone patterns in a real browser: hatched red zones on the home map's canvas, the cross-hatched
emergency lane in the vendor page's SVG map, and the legend swatches that match them."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.models import City, Zone
from app.styles import ZONE_STYLES
from tests.e2e.test_lapak_e2e import PHONE, _booked
from tests.e2e.test_lapak_e2e import live_server as live_server  # noqa: F401  (fixed clock)

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/shots")
HOME = "window.map_home"


def _exact(png: bytes, hex_colour: str, tolerance: int = 40) -> np.ndarray:
    """Which pixels of the screenshot are ``hex_colour`` (within ``tolerance`` per channel)."""
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)
    return (np.abs(pixels - rgb) <= tolerance).all(axis=2)


#: Half the side of the square looked at, in CSS pixels, around a point inside the zone.
HALF = 120


def _inside(page: Any, engine: Engine, kind: str) -> tuple[dict[str, float], list[list[int]]]:
    """Centre the home map on a point inside the first zone of ``kind`` at street level; return
    the square around it and the pixels (x, y in the square) at least 3 px inside that zone."""
    with Session(engine) as s:
        lat, lon = s.execute(
            select(
                func.ST_Y(func.ST_PointOnSurface(Zone.geom)),
                func.ST_X(func.ST_PointOnSurface(Zone.geom)),
            )
            .join(City, City.id == Zone.city_id)
            .where(Zone.kind == kind, City.slug == "pontianak")
            .order_by(Zone.id)
            .limit(1)
        ).one()
    page.evaluate(f"{HOME}.setView([{lat}, {lon}], 21, {{animate: false}}); 0")
    # the zone's layer projected for the new view (its centre is inside it), then painted
    page.wait_for_function(
        """([kind]) => { const map = window.map_home, c = map.getSize().divideBy(2).round();
            const p = map.containerPointToLayerPoint(c);
            let hit = false;
            map.eachLayer(l => { if (l.feature && l.feature.properties.k === kind
                                     && l._containsPoint && l._containsPoint(p)) { hit = true; } });
            return hit; }""",
        arg=[kind],
        timeout=30000,
    )
    page.wait_for_timeout(500)
    return page.evaluate(
        """([kind, half]) => {
            const map = window.map_home, zones = [];
            map.eachLayer(l => { if (l.feature && l.feature.properties.k === kind
                                     && l._containsPoint) { zones.push(l); } });
            const c = map.getSize().divideBy(2).round();
            const r = map.getContainer().getBoundingClientRect();
            const inside = (x, y) => zones.some(
                z => z._containsPoint(map.containerPointToLayerPoint(L.point(x, y))));
            const mask = [];
            for (let y = -half; y < half; y++) {
                for (let x = -half; x < half; x++) {
                    const px = c.x + x, py = c.y + y;
                    if (inside(px, py) && inside(px - 3, py) && inside(px + 3, py)
                        && inside(px, py - 3) && inside(px, py + 3)) {
                        mask.push([x + half, y + half]);
                    }
                }
            }
            return [{x: r.left + c.x - half, y: r.top + c.y - half,
                     width: 2 * half, height: 2 * half}, mask];
        }""",
        [kind, HALF],
    )


def test_home_map_hatches_red_zones_and_dots_timed_ones(
    page: Any, engine: Engine, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(page.base_url + "/")
    page.wait_for_function("document.documentElement.dataset.mapPainted > 0", timeout=30000)
    assert page.evaluate("L.PetaLapakPatterns.kinds.length") == 3
    share = {}
    for kind in ("no_vending", "pkl_timed", "pkl_legal"):
        clip, mask = _inside(page, engine, kind)
        assert len(mask) > 500, (kind, len(mask))
        png = page.screenshot(clip=clip, path=str(tmp_path / f"{kind}.png"))
        exact = _exact(png, ZONE_STYLES[kind].color)
        share[kind] = sum(bool(exact[y, x]) for x, y in mask) / len(mask)
    # inside a zone, the pattern is drawn opaque in the outline colour: that colour covers
    # a good part of a hatched or dotted zone, and none of a plain one
    assert share["no_vending"] > 0.08, share
    assert share["pkl_timed"] > 0.02, share
    assert share["pkl_legal"] < 0.005, share
    # the legend shows the same patterns
    if page.get_attribute(".pl-legend-toggle", "aria-expanded") != "true":
        page.click(".pl-legend-toggle")
    swatches = page.eval_on_selector_all(
        ".pl-legend .pl-swatch", "els => els.map(e => e.getAttribute('style'))"
    )
    assert any("repeating-linear-gradient" in s for s in swatches)
    assert any("radial-gradient" in s for s in swatches)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "zones-home-patterns-desktop.png"))


def test_vendor_map_cross_hatches_the_emergency_lane_in_svg(page: Any, engine: Engine) -> None:
    _aid, code, phone, _booth, _v = _booked(engine)
    page.set_viewport_size(PHONE)
    page.goto(page.base_url + "/lapak")
    page.fill("input[name=code]", code)
    page.fill("input[name=phone4]", phone[-4:])
    page.click("#lapak-form button[type=submit]")
    page.wait_for_selector("path.pl-own-booth", state="attached")
    patterned = page.eval_on_selector_all(
        ".lapak-map path[fill^='url(#pl-pattern-']",
        """els => els.map(e => {
            const id = e.getAttribute('fill').slice(5, -1);
            return document.getElementById(id).getAttribute('data-pattern');
        })""",
    )
    assert patterned and set(patterned) == {"crosshatch"}, patterned
    SHOTS.mkdir(exist_ok=True)
    page.locator(".lapak-map").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "zones-lapak-patterns-phone.png"))
