"""Landmarks are a layer of their own: drawn and edited in the workspace, audited, undone,
exported and served to GIS clients like the other city layers."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEntry, Landmark

API = "/api/workspace/pontianak"


def _landmark(**props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [109.3431, -0.0468]},
        "properties": props,
    }


def test_a_planner_draws_edits_and_deletes_a_landmark(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    auth.login("planner")
    resp = client.post(
        f"{API}/layers/landmarks",
        json={"feature": _landmark(name="Warung Kopi Asiang", kind="other")},
    )
    assert resp.status_code == 201, resp.json
    feat = resp.json["feature"]
    row = db.get(Landmark, feat["id"])
    assert row is not None and (row.name, row.kind, row.source) == (
        "Warung Kopi Asiang",
        "other",
        "drawn",
    )
    resp = client.put(
        f"{API}/layers/landmarks/{feat['id']}",
        json={"feature": _landmark(name="Warung Kopi Asiang", kind="market"), "version": 1},
    )
    assert resp.status_code == 200, resp.json
    assert resp.json["feature"]["properties"]["kind"] == "market"
    listed = client.get(f"{API}/layers/landmarks").json["features"]
    assert feat["id"] in [f["id"] for f in listed]
    assert client.post(f"{API}/undo").json["undone"] == "update"
    db.expire_all()
    assert db.get(Landmark, feat["id"]).kind == "other"  # type: ignore[union-attr]
    assert client.delete(f"{API}/layers/landmarks/{feat['id']}?version=3").status_code == 200
    actions = db.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.entity == "landmark", AuditEntry.entity_id == feat["id"])
        .order_by(AuditEntry.id)
    ).all()
    assert actions[:2] == ["create", "update"] and actions[-1] == "delete"


def test_a_landmark_needs_a_name_and_a_known_kind(client: FlaskClient, auth: Any) -> None:
    auth.login("planner")
    resp = client.post(f"{API}/layers/landmarks", json={"feature": _landmark(kind="mosque")})
    assert resp.status_code == 400
    assert "name" in str(resp.json)
    resp = client.post(
        f"{API}/layers/landmarks", json={"feature": _landmark(name="X", kind="gereja_besar")}
    )
    assert resp.status_code == 400 and "gereja_besar" in str(resp.json)
    line = {"type": "LineString", "coordinates": [[109.343, -0.046], [109.344, -0.047]]}
    resp = client.post(
        f"{API}/layers/landmarks",
        json={"feature": {"type": "Feature", "geometry": line, "properties": {"name": "X"}}},
    )
    assert resp.status_code == 400


def test_landmarks_are_an_ogc_collection(client: FlaskClient) -> None:
    items = client.get("/ogc/collections/landmarks/items?f=json&limit=200").json
    names = {f["properties"]["name"] for f in items["features"]}
    assert {"Masjid Raya Mujahidin", "Pasar Tengah"} <= names
