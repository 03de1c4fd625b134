"""Planner map edits: every write path valid, invalid, stale and without permission."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from geoalchemy2.shape import to_shape
from shapely.geometry import mapping
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.gis.crs import to_metric, to_wgs84
from app.models import AuditEntry, Booth, Event, Facility, Zone

API = "/api/workspace/pontianak"
UPCOMING = "cfd-2026-12-06"
SQUARE = [
    [109.3380, -0.0300],
    [109.3382, -0.0300],
    [109.3382, -0.0302],
    [109.3380, -0.0302],
    [109.3380, -0.0300],
]
BOWTIE = [
    [109.3380, -0.0300],
    [109.3382, -0.0302],
    [109.3382, -0.0300],
    [109.3380, -0.0302],
    [109.3380, -0.0300],
]


def _zone(coords: list[list[float]] = SQUARE, **props: Any) -> dict[str, Any]:
    props.setdefault("name", "Zona hijau uji")
    props.setdefault("kind", "pkl_legal")
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [coords]},
        "properties": props,
    }


def test_layers_by_bbox(client: FlaskClient, auth: Any) -> None:
    auth.login("crew")
    all_booths = client.get(f"{API}/layers/booths?event={UPCOMING}").json["features"]
    some = client.get(
        f"{API}/layers/booths?event={UPCOMING}&bbox=109.3420,-0.0480,109.3430,-0.0465"
    ).json["features"]
    assert 0 < len(some) < len(all_booths)
    coords = some[0]["geometry"]["coordinates"][0][0]
    assert all(len(str(c).split(".")[1]) <= 6 for c in coords)  # ~10 cm precision
    assert {f["properties"]["state"] for f in some if f["properties"]["kind"] == "vendor"} == {"ok"}
    assert client.get(f"{API}/layers/booths?bbox=1,2,3").status_code == 400


def test_create_update_delete_zone(client: FlaskClient, auth: Any, db: Session) -> None:
    user = auth.login("planner")
    resp = client.post(f"{API}/layers/zones", json={"feature": _zone()})
    assert resp.status_code == 201, resp.json
    feat = resp.json["feature"]
    assert feat["properties"]["version"] == 1
    moved = [[x + 0.0001, y] for x, y in SQUARE]
    resp = client.put(
        f"{API}/layers/zones/{feat['id']}",
        json={"feature": _zone(moved, capacity=20), "version": 1},
    )
    assert resp.status_code == 200, resp.json
    assert resp.json["feature"]["properties"]["capacity"] == 20
    assert resp.json["feature"]["properties"]["version"] == 2
    audit = db.scalars(
        select(AuditEntry).where(AuditEntry.entity == "zone", AuditEntry.entity_id == feat["id"])
    ).all()
    assert [a.action for a in audit] == ["create", "update"]
    assert all(a.user_id == user.id for a in audit)
    resp = client.delete(f"{API}/layers/zones/{feat['id']}?version=2")
    assert resp.status_code == 200
    assert db.get(Zone, feat["id"]) is None


def test_stale_version_gets_409_with_the_newer_geometry(client: FlaskClient, auth: Any) -> None:
    auth.login("planner")
    feat = client.post(f"{API}/layers/zones", json={"feature": _zone()}).json["feature"]
    first = [[x + 0.0001, y] for x, y in SQUARE]
    assert (
        client.put(
            f"{API}/layers/zones/{feat['id']}", json={"feature": _zone(first), "version": 1}
        ).status_code
        == 200
    )
    second = [[x, y + 0.0001] for x, y in SQUARE]
    resp = client.put(
        f"{API}/layers/zones/{feat['id']}", json={"feature": _zone(second), "version": 1}
    )
    assert resp.status_code == 409
    current = resp.json["current"]
    assert current["properties"]["version"] == 2
    assert current["geometry"]["coordinates"][0][0] == pytest.approx(first[0])
    assert client.delete(f"{API}/layers/zones/{feat['id']}?version=1").status_code == 409


def test_invalid_polygon_is_refused_with_the_reason(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    auth.login("planner")
    before = db.scalar(select(func.count()).select_from(Zone))
    resp = client.post(f"{API}/layers/zones", json={"feature": _zone(BOWTIE)})
    assert resp.status_code == 400
    assert resp.json["problems"][0]["field"] == "geometry"
    assert "Self-intersection" in resp.json["problems"][0]["message_en"]
    resp = client.post(f"{API}/layers/zones", json={"feature": _zone(kind="pasar_liar")})
    assert resp.status_code == 400 and resp.json["problems"][0]["field"] == "kind"
    assert db.scalar(select(func.count()).select_from(Zone)) == before


@pytest.mark.parametrize("role", ["crew", None])
def test_writes_need_a_planner(client: FlaskClient, auth: Any, role: str | None) -> None:
    if role:
        auth.login(role)
    resp = client.post(f"{API}/layers/zones", json={"feature": _zone()})
    assert resp.status_code == (403 if role else 401)


def test_moving_a_booth_onto_a_hydrant_reports_the_conflict(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    auth.login("planner")
    event = db.scalars(select(Event).where(Event.slug == UPCOMING)).one()
    booth = db.scalars(
        select(Booth).where(Booth.event_id == event.id, Booth.kind == "vendor").order_by(Booth.code)
    ).first()
    assert booth is not None
    corridor = to_shape(event.corridors[0].geom).buffer(0.0002)
    hydrant = next(
        f
        for f in db.scalars(select(Facility).where(Facility.kind == "hydrant"))
        if corridor.contains(to_shape(f.geom))
    )
    epsg = event.city.metric_epsg
    square = to_metric(to_shape(booth.geom), epsg)
    target = to_metric(to_shape(hydrant.geom), epsg)
    from shapely import affinity

    moved = to_wgs84(
        affinity.translate(square, target.x - square.centroid.x, target.y - square.centroid.y), epsg
    )
    resp = client.put(
        f"{API}/layers/booths/{booth.id}?event={UPCOMING}",
        json={
            "feature": {"type": "Feature", "geometry": mapping(moved), "properties": {}},
            "version": booth.version,
        },
    )
    assert resp.status_code == 200, resp.json
    rules = {(c["rule"], c["other_kind"], c["severity"]) for c in resp.json["conflicts"]}
    assert ("facility_clearance", "hydrant", "blocking") in rules
    assert any("hidran" in c["message"] for c in resp.json["conflicts"])


def test_booths_of_a_closed_event_cannot_be_edited(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    auth.login("planner")
    booth = db.scalars(select(Booth).join(Event).where(Event.status == "closed")).first()
    assert booth is not None
    resp = client.put(
        f"{API}/layers/booths/{booth.id}",
        json={"feature": {"properties": {"accessible": True}}, "version": booth.version},
    )
    assert resp.status_code == 400 and "closed" in resp.json["message_en"]


def test_undo_reverses_the_last_edit(client: FlaskClient, auth: Any, db: Session) -> None:
    auth.login("planner")
    feat = client.post(f"{API}/layers/zones", json={"feature": _zone()}).json["feature"]
    client.put(
        f"{API}/layers/zones/{feat['id']}", json={"feature": _zone(capacity=99), "version": 1}
    )
    assert client.post(f"{API}/undo").json["undone"] == "update"
    db.expire_all()
    assert db.get(Zone, feat["id"]).capacity is None
    # undo the undo's predecessor chain: the create is next... but the undo itself is newest
    client.delete(f"{API}/layers/zones/{feat['id']}?version=3")
    assert db.get(Zone, feat["id"]) is None
    assert client.post(f"{API}/undo").json["undone"] == "delete"
    restored = db.scalars(select(Zone).where(Zone.name == "Zona hijau uji")).one()
    assert to_shape(restored.geom).equals_exact(
        to_shape(restored.geom).__class__([tuple(p) for p in SQUARE]), 1e-9
    )


def test_booth_edits_are_the_events_steps_in_the_workspace_and_on_the_event_page(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    auth.login("planner")
    event = db.scalars(select(Event).where(Event.slug == UPCOMING)).one()
    booth = db.scalars(
        select(Booth).where(Booth.event_id == event.id, Booth.kind == "vendor").limit(1)
    ).one()
    was = booth.accessible
    resp = client.put(
        f"{API}/layers/booths/{booth.id}?event={UPCOMING}",
        json={"feature": {"properties": {"accessible": not was}}, "version": booth.version},
    )
    assert resp.status_code == 200
    step = f"Ubah lapak {booth.code}"
    city_only = [s["label"] for s in client.get(f"{API}/history").json["history"]]
    assert step not in city_only  # not the city's step
    with_event = client.get(f"{API}/history?event={UPCOMING}").json["history"]
    assert with_event[0]["label"] == step and with_event[0]["applied"]
    page = client.get(f"/planner/events/{UPCOMING}").get_data(as_text=True)
    assert step in page  # the event page lists the same step
    undone = client.post(f"{API}/undo?event={UPCOMING}")
    assert undone.status_code == 200 and undone.json["step"]["label"] == step
    db.expire_all()
    assert db.get(Booth, booth.id).accessible == was  # type: ignore[union-attr]
    en = client.get(f"{API}/history?event={UPCOMING}&lang=en").json["history"]
    assert en[0]["label"] == f"Edit booth {booth.code}" and not en[0]["applied"]


def test_workspace_page_loads_for_planners(client: FlaskClient, auth: Any) -> None:
    auth.login("planner")
    html = client.get("/planner/map").get_data(as_text=True)
    assert "workspace-config" in html and "leaflet-geoman" in html  # loaded on first edit
    assert "https://" not in html and "http://" not in html.replace("http://www.w3.org", "")


def _workspace_config(html: str) -> dict[str, Any]:
    import json
    import re

    found = re.search(r'<script[^>]*id="workspace-config"[^>]*>(.*?)</script>', html, re.S)
    assert found, "no workspace config on the page"
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def test_a_big_event_comes_as_vector_tiles(
    app: Any, client: FlaskClient, auth: Any, db: Session
) -> None:
    """Above the threshold the page asks for tiles and preloads no GeoJSON of every booth."""
    event = db.scalars(select(Event).where(Event.slug == "cfd-2026-12-06")).one()
    booth_count = db.scalar(
        select(func.count()).select_from(Booth).where(Booth.event_id == event.id)
    )
    assert booth_count and booth_count > 1000  # the demo's CFD: big enough to be tiled below
    auth.login("planner")
    small = _workspace_config(
        client.get("/planner/map?event=cfd-2026-12-06").get_data(as_text=True)
    )
    assert small["boothTiles"] is None
    assert any("layers/booths" in url for url in small["preload"])
    app.config["WORKSPACE_TILE_MIN_BOOTHS"] = 100
    big = _workspace_config(client.get("/planner/map?event=cfd-2026-12-06").get_data(as_text=True))
    tiles = big["boothTiles"]
    assert tiles["booths"] == booth_count and tiles["editZoom"] == 17
    assert tiles["url"].startswith("/tiles/booths/{z}/{x}/{y}.mvt?event=cfd-2026-12-06")
    assert tiles["js"].endswith("Leaflet.VectorGrid.bundled.min.js")
    assert not any("layers/booths" in url for url in big["preload"])
    # the tile holding the event's first booth (-0.0549, 109.3491) has booths in it
    tile = client.get(tiles["url"].replace("{z}/{x}/{y}", "15/26337/16388"))
    assert tile.status_code == 200 and tile.mimetype == "application/vnd.mapbox-vector-tile"
    assert len(tile.data) > 100


def test_many_facilities_come_for_the_view_only(app: Any, client: FlaskClient, auth: Any) -> None:
    auth.login("planner")
    normal = _workspace_config(client.get("/planner/map").get_data(as_text=True))
    assert normal["facilitiesByView"] is False
    assert any("layers/facilities" in url for url in normal["preload"])
    app.config["WORKSPACE_VIEW_MIN_FACILITIES"] = 10
    big = _workspace_config(client.get("/planner/map").get_data(as_text=True))
    assert big["facilitiesByView"] is True
    assert not any("layers/facilities" in url for url in big["preload"])


def test_a_save_is_checked_in_memory_with_the_answer_of_a_full_reload(
    client: FlaskClient, auth: Any, db: Session, app: Any
) -> None:
    """The workspace keeps the event's ground warm: a PUT re-checks one booth without a reload,
    and answers exactly what a reload answers."""
    from app.services.conflicts import booth_conflicts

    auth.login("planner")
    cache = app.extensions["petalapak.context_cache"]
    assert client.get(f"{API}/events/{UPCOMING}/conflicts").status_code == 200
    assert cache.loads == 1
    event = db.scalars(select(Event).where(Event.slug == UPCOMING)).one()
    first, second = db.scalars(
        select(Booth)
        .where(Booth.event_id == event.id, Booth.kind == "vendor")
        .order_by(Booth.code)
        .limit(2)
    ).all()
    epsg = event.city.metric_epsg
    square = to_metric(to_shape(first.geom), epsg)
    goal = to_metric(to_shape(second.geom), epsg).centroid
    from shapely import affinity

    for dx in (0.8, 1.6):
        moved = to_wgs84(
            affinity.translate(square, goal.x - square.centroid.x + dx, goal.y - square.centroid.y),
            epsg,
        )
        resp = client.put(
            f"{API}/layers/booths/{first.id}?event={UPCOMING}",
            json={
                "feature": {"type": "Feature", "geometry": mapping(moved), "properties": {}},
                "version": first.version,
            },
        )
        assert resp.status_code == 200, resp.json
        cold = [c.to_dict() for c in booth_conflicts(db, first)]
        assert [{k: v for k, v in c.items() if k != "message"} for c in resp.json["conflicts"]] == (
            cold
        )
        assert any(c["rule"] == "booth_overlap" for c in cold)
    assert (cache.loads, cache.steps) == (1, 2)
