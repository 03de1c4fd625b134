"""Vector tiles from ST_AsMVT: decoded with mapbox-vector-tile, checked for the right features."""

from __future__ import annotations

import math
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Booth, Event

mvt = pytest.importorskip("mapbox_vector_tile")

PUBLISHED, CLOSED = "cfd-2026-12-06", "cfd-mikrodots-2025-11-23"
#: a point on Jl. Ahmad Yani, inside the CFD corridor and among the booths
AHMAD_YANI = (109.3460, -0.0510)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    """The XYZ (slippy map) tile holding a point."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def _url(layer: str, z: int, x: int, y: int, **query: str) -> str:
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/tiles/{layer}/{z}/{x}/{y}.mvt" + (f"?{qs}" if qs else "")


def _decode(data: bytes) -> dict[str, Any]:
    return mvt.decode(data)  # type: ignore[no-any-return]


def test_zone_tile_holds_the_corridor(client: FlaskClient) -> None:
    resp = client.get(_url("zones", *tile_of(*AHMAD_YANI, 15)))
    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.mapbox-vector-tile"
    assert resp.headers["Cache-Control"] == "public, max-age=300"
    assert resp.headers["ETag"]
    layer = _decode(resp.data)["zones"]
    kinds = {f["properties"]["kind"] for f in layer["features"]}
    assert "cfd_corridor" in kinds
    assert all(f["properties"]["name"] for f in layer["features"])
    assert layer["extent"] == 4096


def test_booth_tile_of_a_published_event(client: FlaskClient) -> None:
    resp = client.get(_url("booths", *tile_of(*AHMAD_YANI, 18), event=PUBLISHED))
    assert resp.status_code == 200
    feats = _decode(resp.data)["booths"]["features"]
    assert feats
    assert all(f["properties"]["code"].startswith("AY-") for f in feats)
    assert {f["properties"]["status"] for f in feats} <= {
        "free",
        "assigned",
        "checked_in",
        "no_show",
        "unavailable",
    }
    assert all("phone" not in f["properties"] for f in feats)
    assert all(f["geometry"]["type"] == "Polygon" for f in feats)


def test_facility_tile_and_empty_tiles(client: FlaskClient) -> None:
    resp = client.get(_url("facilities", *tile_of(*AHMAD_YANI, 14)))
    assert resp.status_code == 200
    assert _decode(resp.data)["facilities"]["features"]
    far = client.get(_url("zones", *tile_of(-70.0, 40.0, 12)))  # the Atlantic
    assert far.status_code == 204
    assert far.data == b""


def test_unpublished_event_tiles_are_for_staff(client: FlaskClient, auth: Any) -> None:
    url = _url("booths", *tile_of(*AHMAD_YANI, 16), event=CLOSED)
    assert client.get(url).status_code == 404
    auth.login("crew")
    resp = client.get(url)
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "private, no-store"
    assert _decode(resp.data)["booths"]["features"]


def test_event_tiles_become_public_when_published(client: FlaskClient, db: Session) -> None:
    event = db.scalars(select(Event).where(Event.slug == CLOSED)).one()
    event.status = "published"
    db.flush()
    assert client.get(_url("booths", *tile_of(*AHMAD_YANI, 16), event=CLOSED)).status_code == 200


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/tiles/zones/23/0/0.mvt", 400),
        ("/tiles/zones/3/8/0.mvt", 400),
        ("/tiles/zones/3/0/8.mvt", 400),
        ("/tiles/zones/a/0/0.mvt", 400),
        ("/tiles/zones/-1/0/0.mvt", 400),
        ("/tiles/zones/99999999999/0/0.mvt", 400),
        ("/tiles/roads/10/0/0.mvt", 404),
        ("/tiles/booths/10/0/0.mvt", 400),
        ("/tiles/booths/10/0/0.mvt?event=nope", 404),
    ],
)
def test_bad_tile_requests(client: FlaskClient, url: str, status: int) -> None:
    assert client.get(url).status_code == status


def test_tile_etag_and_cache(app: Flask, client: FlaskClient) -> None:
    app.config["CACHE_TTL"] = 60
    url = _url("zones", *tile_of(*AHMAD_YANI, 15))
    first, second = client.get(url), client.get(url)
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_staff_get_published_tiles_from_the_cache_and_unpublished_never(
    app: Flask, client: FlaskClient, auth: Any, db: Session
) -> None:
    """The planner map draws big events from tiles: published ones are cached (under the data's
    change counter), tiles only staff may see are never stored."""
    app.config["CACHE_TTL"] = 60
    auth.login("planner")
    published = _url("booths", *tile_of(*AHMAD_YANI, 16), event=PUBLISHED)
    first, second = client.get(published), client.get(published)
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    assert second.data == first.data
    closed = _url("booths", *tile_of(*AHMAD_YANI, 16), event=CLOSED)
    for resp in (client.get(closed), client.get(closed)):
        assert resp.status_code == 200 and "X-Cache" not in resp.headers
        assert resp.headers["Cache-Control"] == "private, no-store"
    # a committed change is drawn at once
    event = db.scalars(select(Event).where(Event.slug == PUBLISHED)).one()
    codes = {f["properties"]["code"] for f in _decode(first.data)["booths"]["features"]}
    booth = db.scalars(
        select(Booth).where(Booth.event_id == event.id, Booth.code.in_(codes)).limit(1)
    ).one()
    booth.code = "ZZ-777"
    db.commit()
    after = client.get(published)
    assert after.headers["X-Cache"] == "miss"
    assert "ZZ-777" in {f["properties"]["code"] for f in _decode(after.data)["booths"]["features"]}
