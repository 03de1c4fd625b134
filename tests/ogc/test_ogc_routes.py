"""OGC API – Features under /ogc: resources, paging, filters, errors, access and formats."""

from __future__ import annotations

import math
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from shapely.geometry import box, shape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Assignment, Booth, Event, Zone

PUBLISHED, CLOSED = "cfd-2026-12-06", "cfd-mikrodots-2025-11-23"
BOOTHS, VENDORS = f"booths-{PUBLISHED}", f"vendors-{PUBLISHED}"
TOKEN = "ogc-test-token-0123456789"
PHONE = "081277665544"


def _count(db: Session, slug: str, *where: Any) -> int:
    return (
        db.scalar(
            select(func.count()).select_from(Booth).join(Event).where(Event.slug == slug, *where)
        )
        or 0
    )


def _items(client: FlaskClient, coll: str = BOOTHS, **query: Any) -> Any:
    resp = client.get(f"/ogc/collections/{coll}/items", query_string=query)
    return resp


def _exception(resp: Any, status: int) -> dict[str, str]:
    assert resp.status_code == status, resp.data[:300]
    assert resp.mimetype == "application/json"
    body = resp.get_json()
    assert set(body) == {"code", "description"}
    return body  # type: ignore[no-any-return]


@pytest.fixture
def assigned(db: Session) -> Assignment:
    """One booth of the published event held by a vendor whose phone is private."""
    event = db.scalars(select(Event).where(Event.slug == PUBLISHED)).one()
    held = db.scalars(
        select(Assignment)
        .where(Assignment.event_id == event.id, Assignment.status == "assigned")
        .order_by(Assignment.id)
    ).first()
    assert held is not None, "the demo allocates the published event"
    held.status = "checked_in"
    held.vendor.phone = PHONE
    held.vendor.business_name = "Es Teh <b>Manis</b>"
    db.flush()
    return held


# -- landing, conformance, API description -------------------------------------------------


def test_landing_links_to_api_conformance_and_data(client: FlaskClient) -> None:
    for url in ("/ogc", "/ogc/"):
        resp = client.get(url)
        assert resp.status_code == 200
        assert resp.mimetype == "application/json"
    links = {link["rel"]: link for link in resp.get_json()["links"]}
    assert links["service-desc"]["href"].endswith("/ogc/api")
    assert links["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert links["conformance"]["href"].endswith("/ogc/conformance")
    assert links["data"]["href"].endswith("/ogc/collections")


def test_conformance_declares_core_geojson_html_oas30(client: FlaskClient) -> None:
    classes = client.get("/ogc/conformance").get_json()["conformsTo"]
    for part in ("core", "geojson", "html", "oas30"):
        assert f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{part}" in classes


def test_openapi_document_describes_public_collections(client: FlaskClient) -> None:
    resp = client.get("/ogc/api")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("application/vnd.oai.openapi+json")
    doc = resp.get_json()
    assert doc["openapi"].startswith("3.0")
    items = doc["paths"][f"/collections/{BOOTHS}/items"]["get"]
    assert {"$ref": "#/components/parameters/limit"} in items["parameters"]
    limit = doc["components"]["parameters"]["limit"]["schema"]
    assert (limit["default"], limit["maximum"]) == (100, 1000)
    assert not any("vendors-" in path for path in doc["paths"])


# -- collections -----------------------------------------------------------------------------


def test_collections_are_public_layers_and_published_events(client: FlaskClient) -> None:
    body = client.get("/ogc/collections").get_json()
    ids = [c["id"] for c in body["collections"]]
    # the city layers (landmarks too), then the published event (the closed one is not public)
    assert ids == ["zones", "facilities", "landmarks", BOOTHS]
    booths = body["collections"][3]
    assert booths["extent"]["temporal"]["interval"][0][0].startswith("2026-12-06T06:00")
    minx, miny, maxx, maxy = booths["extent"]["spatial"]["bbox"][0]
    assert 109.3 < minx < maxx < 109.4
    assert -0.1 < miny < maxy < 0.1
    assert any(
        link["rel"] == "items" and link["type"] == "application/geo+json"
        for link in booths["links"]
    )


def test_planner_and_token_see_vendor_collections(
    app: Flask, client: FlaskClient, auth: Any
) -> None:
    auth.login("planner")
    ids = [c["id"] for c in client.get("/ogc/collections").get_json()["collections"]]
    assert VENDORS in ids
    assert f"vendors-{CLOSED}" in ids
    auth.logout()
    app.config["API_TOKENS"] = (TOKEN,)
    resp = client.get("/ogc/collections", headers={"Authorization": f"Bearer {TOKEN}"})
    assert VENDORS in [c["id"] for c in resp.get_json()["collections"]]
    assert resp.headers["Cache-Control"] == "private, no-store"


def test_one_collection_and_unknown_collection(client: FlaskClient) -> None:
    assert client.get("/ogc/collections/zones").get_json()["id"] == "zones"
    _exception(client.get("/ogc/collections/nope"), 404)
    _exception(client.get(f"/ogc/collections/booths-{CLOSED}"), 404)
    _exception(client.get("/ogc/collections/zones/nothing/here"), 404)


# -- items: paging -------------------------------------------------------------------------


def test_items_page_by_default_100_with_next_link(client: FlaskClient, db: Session) -> None:
    resp = _items(client)
    assert resp.status_code == 200
    assert resp.mimetype == "application/geo+json"
    body = resp.get_json()
    total = _count(db, PUBLISHED)
    assert (body["numberMatched"], body["numberReturned"]) == (total, 100)
    assert len(body["features"]) == 100
    rels = {link["rel"]: link["href"] for link in body["links"]}
    assert "offset=100" in rels["next"]
    assert "limit=100" in rels["next"]
    assert "prev" not in rels
    ids = [f["id"] for f in body["features"]]
    assert ids == sorted(ids)


def test_items_walk_every_page_once(client: FlaskClient, db: Session) -> None:
    seen: list[int] = []
    url: str | None = f"/ogc/collections/{BOOTHS}/items?limit=1000"
    while url:
        body = client.get(url.replace("http://localhost", "")).get_json()
        seen += [f["id"] for f in body["features"]]
        url = next((ln["href"] for ln in body["links"] if ln["rel"] == "next"), None)
    assert len(seen) == len(set(seen)) == _count(db, PUBLISHED)


def test_items_prev_link_and_offset_past_the_end(client: FlaskClient) -> None:
    body = _items(client, limit=10, offset=30).get_json()
    prev = next(ln["href"] for ln in body["links"] if ln["rel"] == "prev")
    assert "offset=20" in prev
    past = _items(client, offset=1_000_000).get_json()
    assert past["numberReturned"] == 0
    assert past["features"] == []
    assert not any(ln["rel"] == "next" for ln in past["links"])


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"limit": -5}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 10**30}, "offset"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"bbox": "0,0,1,100"}, "bbox"),
        ({"bbox": "nan,0,1,1"}, "bbox"),
        ({"bbox": "0,1,1,0"}, "bbox"),
        ({"datetime": "yesterday"}, "datetime"),
        ({"datetime": "../.."}, "datetime"),
        ({"datetime": "2026-12-07/2026-12-01"}, "datetime"),
        ({"kind": "kiosk"}, "kind"),
        ({"f": "xml"}, "f"),
    ],
)
def test_bad_parameters_are_400_exceptions(
    client: FlaskClient, query: dict[str, Any], param: str
) -> None:
    body = _exception(_items(client, **query), 400)
    assert body["code"] == "InvalidParameterValue"
    assert body["description"].startswith(param)


# -- items: filters ------------------------------------------------------------------------


def test_bbox_returns_exactly_the_intersecting_features(client: FlaskClient, db: Session) -> None:
    bbox = (109.345, -0.052, 109.347, -0.050)
    body = _items(client, bbox=",".join(map(str, bbox)), limit=1000).get_json()
    window = box(*bbox)
    expected = db.scalar(
        select(func.count())
        .select_from(Booth)
        .join(Event)
        .where(
            Event.slug == PUBLISHED,
            func.ST_Intersects(Booth.geom, func.ST_MakeEnvelope(*bbox, 4326)),
        )
    )
    assert 0 < body["numberMatched"] == expected < _count(db, PUBLISHED)
    assert all(shape(f["geometry"]).intersects(window) for f in body["features"])


def test_bbox_across_the_antimeridian_is_accepted(client: FlaskClient) -> None:
    body = _items(client, "zones", bbox="170,-10,-170,10").get_json()
    assert body["numberMatched"] == 0  # Pontianak is at 109°E


@pytest.mark.parametrize(
    ("value", "matches"),
    [
        ("2026-12-06", True),
        ("2026-12-07", False),
        ("2026-12-01/..", True),
        ("../2026-12-05", False),
        ("2026-12-06T07:30:00+07:00", True),
        ("2026-12-06T00:30:00Z", True),
        ("2026-12-06T03:00:00Z", False),
        ("2026-11-01/2026-12-31", True),
    ],
)
def test_datetime_matches_the_event_day_and_hours(
    client: FlaskClient, db: Session, value: str, matches: bool
) -> None:
    body = _items(client, datetime=value, limit=1).get_json()
    assert body["numberMatched"] == (_count(db, PUBLISHED) if matches else 0)


def test_datetime_is_ignored_by_layers_without_time(client: FlaskClient, db: Session) -> None:
    body = _items(client, "zones", datetime="1999-01-01").get_json()
    assert body["numberMatched"] == db.scalar(select(func.count()).select_from(Zone))


def test_kind_and_status_filters(client: FlaskClient, db: Session, assigned: Assignment) -> None:
    desks = _items(client, kind="service_desk").get_json()
    assert desks["numberMatched"] == _count(db, PUBLISHED, Booth.kind == "service_desk") > 0
    assert {f["properties"]["status"] for f in desks["features"]} == {"unavailable"}
    checked = _items(client, status="checked_in").get_json()
    assert [f["id"] for f in checked["features"]] == [assigned.booth_id]
    assert "status=checked_in" in checked["links"][0]["href"]


# -- items: content and privacy ------------------------------------------------------------


def test_public_booths_show_status_but_no_vendor(client: FlaskClient, assigned: Assignment) -> None:
    resp = _items(client, limit=1000)
    text = resp.get_data(as_text=True)
    assert PHONE not in text
    assert "Es Teh" not in text
    feats = resp.get_json()["features"]
    props = next(f["properties"] for f in feats if f["id"] == assigned.booth_id)
    assert props["status"] == "checked_in"
    assert set(props) == {
        "code",
        "kind",
        "service",
        "status",
        "has_electricity",
        "accessible",
        "cooking_allowed",
        "reserved_category",
        "part",
        "min_booths",
        "max_booths",
    }
    assert (props["part"], props["min_booths"], props["max_booths"]) == (0, 1, 1)
    free = next(f["properties"] for f in feats if f["properties"]["status"] == "free")
    assert (free["part"], free["min_booths"], free["max_booths"]) == (None, None, None)
    assert {f["properties"]["status"] for f in feats} >= {"free", "checked_in"}
    assert resp.headers["Cache-Control"].startswith("public")


def test_vendor_collection_needs_a_planner_or_token(
    app: Flask, client: FlaskClient, auth: Any, assigned: Assignment
) -> None:
    _exception(_items(client, VENDORS), 401)
    assert _items(client, VENDORS).headers["WWW-Authenticate"].startswith("Bearer")
    app.config["API_TOKENS"] = (TOKEN,)
    _exception(
        client.get(f"/ogc/collections/{VENDORS}/items", headers={"Authorization": "Bearer wrong"}),
        401,
    )
    resp = client.get(
        f"/ogc/collections/{VENDORS}/items?limit=1000", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "private, no-store"
    props = next(
        f["properties"] for f in resp.get_json()["features"] if f["id"] == assigned.booth_id
    )
    assert props["phone"] == PHONE
    assert props["business_name"] == "Es Teh <b>Manis</b>"
    auth.login("crew")
    _exception(_items(client, VENDORS), 403)
    auth.logout()
    auth.login("planner")
    assert _items(client, VENDORS).status_code == 200


def test_one_feature_and_missing_features(client: FlaskClient, assigned: Assignment) -> None:
    resp = client.get(f"/ogc/collections/{BOOTHS}/items/{assigned.booth_id}")
    assert resp.status_code == 200
    assert resp.mimetype == "application/geo+json"
    feature = resp.get_json()
    assert feature["type"] == "Feature"
    assert feature["id"] == assigned.booth_id
    assert feature["properties"]["status"] == "checked_in"
    assert any(link["rel"] == "collection" for link in feature["links"])
    for fid in ("999999999", "abc", "-1", "1.5", "9" * 40, "%00"):
        _exception(client.get(f"/ogc/collections/{BOOTHS}/items/{fid}"), 404)
    # a zone's id is not a booth of this event
    zone_id = client.get("/ogc/collections/zones/items?limit=1").get_json()["features"][0]["id"]
    if zone_id != assigned.booth_id:
        _exception(client.get(f"/ogc/collections/{BOOTHS}/items/{zone_id}"), 404)


# -- HTML ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/ogc",
        "/ogc/conformance",
        "/ogc/api",
        "/ogc/collections",
        "/ogc/collections/zones",
        "/ogc/collections/zones/items",
        f"/ogc/collections/{BOOTHS}/items?limit=5",
    ],
)
def test_html_by_f_and_by_accept(client: FlaskClient, url: str) -> None:
    sep = "&" if "?" in url else "?"
    by_f = client.get(f"{url}{sep}f=html")
    by_accept = client.get(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    for resp in (by_f, by_accept):
        assert resp.status_code == 200
        assert resp.mimetype == "text/html"
        assert b"<html" in resp.data
    assert client.get(url, headers={"Accept": "application/json"}).mimetype != "text/html"


def test_html_escapes_names(
    client: FlaskClient, db: Session, auth: Any, assigned: Assignment
) -> None:
    zone = db.scalars(select(Zone).order_by(Zone.id)).first()
    assert zone is not None
    zone.name = '<script>alert("x")</script>'
    db.flush()
    page = client.get(f"/ogc/collections/zones/items/{zone.id}?f=html").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page
    auth.login("planner")
    page = _items(client, VENDORS, f="html", limit=1000).get_data(as_text=True)
    assert "<b>Manis</b>" not in page
    assert "&lt;b&gt;Manis&lt;/b&gt;" in page


# -- caching headers -------------------------------------------------------------------------


def test_etag_and_not_modified(client: FlaskClient) -> None:
    first = _items(client, "zones")
    etag = first.headers["ETag"]
    again = client.get("/ogc/collections/zones/items", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["ETag"] == etag
    gzipped = client.get("/ogc/collections/zones/items", headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert gzipped.headers["ETag"].endswith(':gzip"')
    cached = client.get(
        "/ogc/collections/zones/items",
        headers={"Accept-Encoding": "gzip", "If-None-Match": gzipped.headers["ETag"]},
    )
    assert cached.status_code == 304


def test_a_cached_page_is_never_older_than_the_data(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    """The cache key carries the data's change counter: a committed change is served at once."""
    app.config["CACHE_TTL"] = 600
    first = _items(client, limit=5)
    assert _items(client, limit=5).headers["X-Cache"] == "hit"
    feature = first.get_json()["features"][0]
    booth = db.get(Booth, int(feature["id"]))
    assert booth is not None
    booth.code = "ZZ-999"
    db.commit()
    after = _items(client, limit=5)
    assert after.headers["X-Cache"] == "miss"
    codes = {f["properties"]["code"] for f in after.get_json()["features"]}
    assert "ZZ-999" in codes and feature["properties"]["code"] not in codes
    assert _items(client, limit=5).headers["X-Cache"] == "hit"


def test_public_item_pages_are_cached(app: Flask, client: FlaskClient) -> None:
    app.config["CACHE_TTL"] = 60
    first = _items(client, "facilities", limit=7)
    second = _items(client, "facilities", limit=7)
    assert first.headers["X-Cache"] == "miss"
    assert second.headers["X-Cache"] == "hit"
    assert first.data == second.data
    assert "X-Cache" not in _items(client, "facilities", limit=7, f="html").headers


def test_booth_properties_and_a_two_booth_vendor_in_items_and_tiles(
    client: FlaskClient, db: Session, assigned: Assignment
) -> None:
    """The per-booth properties and the holder's part and booth counts are public; the holder's
    name and phone never are."""
    import mapbox_vector_tile as mvt
    from geoalchemy2.shape import to_shape

    booth = assigned.booth
    booth.cooking_allowed = True
    booth.reserved_category = "minuman"
    booth.has_electricity = True
    assigned.vendor.min_booths, assigned.vendor.max_booths = 2, 3
    assigned.part = 1
    db.commit()
    item = client.get(f"/ogc/collections/{BOOTHS}/items/{booth.id}?f=json").get_json()
    props = item["properties"]
    assert (props["cooking_allowed"], props["reserved_category"], props["has_electricity"]) == (
        True,
        "minuman",
        True,
    )
    assert (props["part"], props["min_booths"], props["max_booths"]) == (1, 2, 3)
    centre = to_shape(booth.geom).centroid
    n = 2**19
    x = int((centre.x + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(centre.y))) / math.pi) / 2 * n)
    resp = client.get(f"/tiles/booths/19/{x}/{y}.mvt?event={PUBLISHED}")
    assert resp.status_code == 200
    assert PHONE.encode() not in resp.data and b"Es Teh" not in resp.data
    feats = mvt.decode(resp.data)["booths"]["features"]
    mine = next(f["properties"] for f in feats if f["properties"]["code"] == booth.code)
    assert mine["cooking_allowed"] is True and mine["reserved_category"] == "minuman"
    assert (mine["part"], mine["min_booths"], mine["max_booths"]) == (1, 2, 3)
    assert mine["accessible"] in (True, False)
