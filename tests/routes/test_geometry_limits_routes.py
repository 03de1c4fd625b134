"""The web import and the planner's map keep the vertex limit and report open rings."""

from __future__ import annotations

import io
import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from shapely import Point
from shapely.geometry import mapping
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Zone

DETAILED = Point(109.3400, -0.0400).buffer(0.0005, quad_segs=3000)  # 12,001 coordinates
ROUND = Point(109.3400, -0.0400).buffer(0.0005, quad_segs=400)  # 1,601: a small upload
OPEN_SQUARE = [[109.3380, -0.0300], [109.3382, -0.0300], [109.3382, -0.0302], [109.3380, -0.0302]]
API = "/api/workspace/pontianak"


def _zone(geometry: dict[str, Any], name: str) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {"name": name, "kind": "pkl_legal"},
    }


def _upload(client: FlaskClient, feature: dict[str, Any], query: str) -> Any:
    body = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    return client.post(
        f"/api/layers/pontianak/zones/import{query}",
        data={"file": (io.BytesIO(body), "zona.geojson")},
        content_type="multipart/form-data",
    )


def _names(db: Session, name: str) -> int:
    return len(list(db.scalars(select(Zone).where(Zone.name == name))))


def test_web_import_refuses_then_simplifies_on_request(
    app: Flask, client: FlaskClient, auth: Any, db: Session
) -> None:
    app.config["MAX_VERTICES"] = 1_000
    auth.login("planner")
    feature = _zone(dict(mapping(ROUND)), "Zona rinci web")
    resp = _upload(client, feature, "?dry_run=0")
    assert resp.status_code == 422
    assert resp.json["problems"][0]["index"] == 0
    assert "Too many vertices: 1601 (at most 1000)" in resp.json["problems"][0]["message_en"]
    assert _names(db, "Zona rinci web") == 0
    resp = _upload(client, feature, "?dry_run=0&simplify=1")
    assert resp.status_code == 200, resp.json
    assert resp.json["simplified"][0]["index"] == 0
    assert _names(db, "Zona rinci web") == 1


def test_web_import_reports_an_open_ring(client: FlaskClient, auth: Any, db: Session) -> None:
    auth.login("planner")
    feature = _zone({"type": "Polygon", "coordinates": [OPEN_SQUARE]}, "Zona terbuka web")
    resp = _upload(client, feature, "?dry_run=1")
    assert resp.status_code == 422 and "Unclosed" in resp.json["problems"][0]["message_en"]
    resp = _upload(client, feature, "?dry_run=0&repair=1")
    assert resp.status_code == 200, resp.json
    assert "closed 1 unclosed ring" in resp.json["repaired"][0]["message_en"]
    assert _names(db, "Zona terbuka web") == 1


def test_workspace_save_keeps_the_configured_limit(
    app: Flask, client: FlaskClient, auth: Any, db: Session
) -> None:
    app.config["MAX_VERTICES"] = 100
    auth.login("planner")
    resp = client.post(
        f"{API}/layers/zones", json={"feature": _zone(dict(mapping(DETAILED)), "Zona peta")}
    )
    assert resp.status_code == 400
    assert resp.json["problems"][0]["field"] == "geometry"
    assert "at most 100" in resp.json["problems"][0]["message_en"]
    small = Point(109.3381, -0.0301).buffer(0.0001, quad_segs=8)  # 33 coordinates
    resp = client.post(
        f"{API}/layers/zones", json={"feature": _zone(dict(mapping(small)), "Zona peta")}
    )
    assert resp.status_code == 201, resp.json
    feat = resp.json["feature"]
    resp = client.put(
        f"{API}/layers/zones/{feat['id']}",
        json={
            "feature": {"geometry": dict(mapping(DETAILED))},
            "version": feat["properties"]["version"],
        },
    )
    assert resp.status_code == 400 and "at most 100" in resp.json["problems"][0]["message_en"]


def test_workspace_refuses_an_open_ring(client: FlaskClient, auth: Any, db: Session) -> None:
    auth.login("planner")
    resp = client.post(
        f"{API}/layers/zones",
        json={"feature": _zone({"type": "Polygon", "coordinates": [OPEN_SQUARE]}, "Zona buka")},
    )
    assert resp.status_code == 400 and "Unclosed" in resp.json["problems"][0]["message_en"]
    assert _names(db, "Zona buka") == 0


def test_import_form_offers_simplify(client: FlaskClient, auth: Any) -> None:
    auth.login("planner")
    page = client.get("/planner/map").get_data(as_text=True)
    assert 'name="simplify"' in page and "10000" in page
