"""Staff map search (/api/search/<city>): booths, vendors, streets and landmarks, scoped by role."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from geoalchemy2.shape import from_shape
from shapely import LineString, Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import HOLDING_STATUSES, Assignment, BasemapRoad, Booth, Event, Landmark, Vendor
from app.services.search import MAX_QUERY, PER_KIND
from tests.conftest import AuthActions

EVENT = "cfd-2026-12-06"
URL = "/api/search/pontianak"
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def event(db: Session) -> Event:
    return db.scalars(select(Event).where(Event.slug == EVENT)).one()


@pytest.fixture
def held(db: Session, event: Event) -> Assignment:
    """A vendor with a phone holding a booth in the demo event."""
    return db.scalars(
        select(Assignment)
        .join(Vendor, Vendor.id == Assignment.vendor_id)
        .where(
            Assignment.event_id == event.id,
            Assignment.status.in_(HOLDING_STATUSES),
            Vendor.phone.is_not(None),
        )
        .order_by(Assignment.id)
        .limit(1)
    ).one()


@pytest.fixture
def places(db: Session, event: Event) -> None:
    db.add_all(
        [
            BasemapRoad(
                city_id=event.city_id,
                name="Jl. Percobaan Zq",
                road_class="secondary",
                geom=from_shape(LineString([(109.3420, -0.0480), (109.3440, -0.0470)]), 4326),
            ),
            BasemapRoad(
                city_id=event.city_id,
                name="Jl. Percobaan Zq",
                road_class="secondary",
                geom=from_shape(LineString([(109.3440, -0.0470), (109.3450, -0.0466)]), 4326),
            ),
            Landmark(
                city_id=event.city_id,
                name="Bank Percobaan Zq",
                kind="bank",
                source="drawn",
                geom=from_shape(Point(109.3430, -0.0470), 4326),
            ),
        ]
    )
    db.flush()


def _get(client: FlaskClient, q: str, **params: str) -> Any:
    return client.get(URL, query_string={"q": q, "event": EVENT, **params})


def _kinds(resp: Any) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for hit in resp.get_json()["results"]:
        out.setdefault(hit["kind"], []).append(hit)
    return out


def test_login_required(client: FlaskClient) -> None:
    resp = _get(client, "AY")
    assert resp.status_code == 401
    assert "results" not in (resp.get_json() or {})


def test_a_booth_code_zooms_to_its_booth(
    client: FlaskClient, auth: AuthActions, db: Session, event: Event
) -> None:
    booth = db.scalars(
        select(Booth).where(Booth.event_id == event.id, Booth.kind == "vendor").order_by(Booth.id)
    ).first()
    assert booth is not None
    auth.login("petugas")
    resp = _get(client, booth.code.lower())
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "private, no-store"
    (first, *_rest) = _kinds(resp)["booth"]
    assert first["label"] == booth.code and first["booth_id"] == booth.id
    (s, w), (n, e) = first["bounds"]
    assert s < n and w < e
    assert first["geometry"]["type"] == "Polygon"


def test_a_compact_code_finds_the_hyphenated_one(
    client: FlaskClient, auth: AuthActions, db: Session, event: Event
) -> None:
    code = db.scalars(
        select(Booth.code).where(Booth.event_id == event.id, Booth.code.like("%-%"))
    ).first()
    assert code is not None
    auth.login("crew")
    labels = [h["label"] for h in _kinds(_get(client, code.replace("-", "")))["booth"]]
    assert code in labels


def test_streets_and_landmarks_for_every_staff_role(
    client: FlaskClient, auth: AuthActions, places: None
) -> None:
    auth.login("petugas")
    found = _kinds(_get(client, "percobaan zq"))
    (street,) = found["street"]  # two segments, one street
    assert street["label"] == "Jl. Percobaan Zq"
    assert street["geometry"]["type"] == "LineString"
    assert street["bounds"][0][1] == pytest.approx(109.342)
    assert street["bounds"][1][1] == pytest.approx(109.345)
    (bank,) = _kinds(_get(client, "bank percobaan"))["landmark"]
    assert bank["label"] == "Bank Percobaan Zq" and bank["detail"] == "Bank"
    assert bank["geometry"]["type"] == "Point"
    junctions = _kinds(_get(client, "simpang pajak"))["street"]
    assert "Simpang Pajak" in [j["label"] for j in junctions]


def test_petugas_finds_no_vendor(client: FlaskClient, auth: AuthActions, held: Assignment) -> None:
    auth.login("petugas")
    found = _kinds(_get(client, held.vendor.business_name))
    assert "vendor" not in found
    assert held.vendor.owner_name not in _get(client, held.vendor.owner_name).get_data(as_text=True)


def test_crew_finds_a_vendor_of_the_event_by_name_without_the_phone(
    client: FlaskClient, auth: AuthActions, held: Assignment
) -> None:
    vendor = held.vendor
    auth.login("crew")
    hits = _kinds(_get(client, vendor.business_name))["vendor"]
    hit = next(h for h in hits if h["booth_id"] == held.booth_id)
    assert hit["label"] == vendor.business_name
    assert hit["detail"] == f"{held.booth.code} · {vendor.owner_name}"
    assert vendor.phone not in _get(client, vendor.business_name).get_data(as_text=True)
    # by phone: nothing for crew
    assert "vendor" not in _kinds(_get(client, vendor.phone[-6:]))


def test_crew_does_not_find_vendors_without_a_booth_in_the_event(
    client: FlaskClient, auth: AuthActions, db: Session, event: Event, make_vendor: Any
) -> None:
    make_vendor(city=event.city, business_name="Kopi Tanpa Lapak Zq", phone="081299990000")
    auth.login("crew")
    assert "vendor" not in _kinds(_get(client, "Tanpa Lapak Zq"))
    auth.logout()
    auth.login("planner")
    assert "vendor" not in _kinds(_get(client, "Tanpa Lapak Zq"))


def test_planner_finds_a_vendor_by_phone_with_the_phone(
    client: FlaskClient, auth: AuthActions, held: Assignment
) -> None:
    vendor = held.vendor
    auth.login("planner")
    hits = _kinds(_get(client, vendor.phone[-6:]))["vendor"]
    hit = next(h for h in hits if h["booth_id"] == held.booth_id)
    assert hit["detail"] == f"{held.booth.code} · {vendor.owner_name} · {vendor.phone}"


def test_without_an_event_no_booths_or_vendors(
    client: FlaskClient, auth: AuthActions, held: Assignment
) -> None:
    auth.login("planner")
    resp = client.get(URL, query_string={"q": held.vendor.business_name})
    assert resp.status_code == 200
    assert not {"booth", "vendor"} & set(_kinds(resp))


def test_names_come_back_as_data_and_wildcards_are_literal(
    client: FlaskClient, auth: AuthActions, db: Session, held: Assignment
) -> None:
    held.vendor.business_name = XSS
    db.flush()
    auth.login("crew")
    resp = _get(client, "onerror")
    assert resp.mimetype == "application/json"
    (hit,) = [h for h in _kinds(resp)["vendor"] if h["booth_id"] == held.booth_id]
    assert hit["label"] == XSS  # the page sets it as text (staff_search.js)
    assert _get(client, "%%").get_json()["results"] == []
    assert _get(client, "__").get_json()["results"] == []


def test_results_are_bounded(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("planner")
    found = _kinds(_get(client, "AY"))
    assert 0 < len(found["booth"]) <= PER_KIND
    assert all(len(v) <= PER_KIND for v in found.values())


def test_short_long_and_unknown_inputs(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("planner")
    assert _get(client, "A").get_json() == {"results": []}
    long = _get(client, "x" * (MAX_QUERY + 1))
    assert long.status_code == 400
    assert "(q)" in long.get_json()["message"]
    assert _get(client, "AY", event="no-such-event").status_code == 404
    assert client.get("/api/search/no-such-city", query_string={"q": "AY"}).status_code == 404
