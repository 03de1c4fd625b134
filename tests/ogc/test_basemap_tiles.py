"""The basemap as vector tiles and label tiles, cached under the city's change counter."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import BasemapRoad, City
from tests.ogc.test_tiles import tile_of

mvt = pytest.importorskip("mapbox_vector_tile")

#: Simpang Pajak, where Jl. Ahmad Yani meets Jl. Veteran and Jl. Letjen Sutoyo (demo basemap)
SIMPANG_PAJAK = (109.3425, -0.0473)


def _get(client: FlaskClient, what: str, z: int, x: int, y: int, city: str = "pontianak") -> object:
    suffix = "mvt" if what == "basemap" else "json"
    return client.get(f"/tiles/{what}/{z}/{x}/{y}.{suffix}?city={city}")


def test_a_basemap_tile_holds_roads_by_class_water_and_buildings(client: FlaskClient) -> None:
    resp = _get(client, "basemap", *tile_of(*SIMPANG_PAJAK, 16))
    assert resp.status_code == 200  # type: ignore[attr-defined]
    assert resp.mimetype == "application/vnd.mapbox-vector-tile"  # type: ignore[attr-defined]
    assert resp.headers["Cache-Control"] == "public, max-age=300"  # type: ignore[attr-defined]
    layers = mvt.decode(resp.data)  # type: ignore[attr-defined]
    assert {"road", "building", "water_line"} <= set(layers)
    roads = {
        (f["properties"]["name"], f["properties"]["class"]) for f in layers["road"]["features"]
    }
    assert ("Jl. Ahmad Yani", "primary") in roads and ("Jl. Veteran", "secondary") in roads
    assert {f["properties"]["class"] for f in layers["water_line"]["features"]} == {"drain"}


def test_a_low_zoom_tile_leaves_the_buildings_out(client: FlaskClient) -> None:
    resp = _get(client, "basemap", *tile_of(*SIMPANG_PAJAK, 12))
    layers = mvt.decode(resp.data)  # type: ignore[attr-defined]
    assert "road" in layers and "building" not in layers


def test_label_tiles_name_the_streets_and_landmarks(client: FlaskClient) -> None:
    resp = _get(client, "basemap-labels", *tile_of(*SIMPANG_PAJAK, 16))
    assert resp.status_code == 200  # type: ignore[attr-defined]
    body = json.loads(resp.data)  # type: ignore[attr-defined]
    names = {r[3] for r in body["roads"]}
    assert {"Jl. Ahmad Yani", "Jl. Veteran", "Jl. Letjen Sutoyo"} <= names
    assert all(-90 <= r[2] <= 90 for r in body["roads"])  # upright text
    assert ["place", "Simpang Pajak"] in [m[2:] for m in body["landmarks"]]


def test_bad_requests_are_4xx(client: FlaskClient) -> None:
    assert _get(client, "basemap", 16, 0, 0, city="tidak-ada").status_code == 404  # type: ignore[attr-defined]
    assert client.get("/tiles/basemap/16/x/0.mvt?city=pontianak").status_code == 400
    assert client.get("/tiles/basemap-labels/3/9/0.json?city=pontianak").status_code == 400
    assert _get(client, "basemap", 3, 0, 0).status_code == 204  # type: ignore[attr-defined]


def test_a_basemap_change_replaces_the_cached_tile(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    app.config["CACHE_TTL"] = 60
    zxy = tile_of(*SIMPANG_PAJAK, 16)
    first = _get(client, "basemap", *zxy)
    again = _get(client, "basemap", *zxy)
    assert again.headers["X-Cache"] == "hit"  # type: ignore[attr-defined]
    city = db.scalars(select(City).where(City.slug == "pontianak")).one()
    db.execute(
        update(BasemapRoad)
        .where(BasemapRoad.city_id == city.id, BasemapRoad.name == "Jl. Veteran")
        .values(name="Jl. Veteran Baru")
    )
    db.commit()
    changed = _get(client, "basemap", *zxy)
    assert changed.headers["X-Cache"] == "miss"  # type: ignore[attr-defined]
    assert changed.data != first.data  # type: ignore[attr-defined]
    names = {f["properties"].get("name") for f in mvt.decode(changed.data)["road"]["features"]}  # type: ignore[attr-defined]
    assert "Jl. Veteran Baru" in names
