"""The vendor lookup is one SQL statement: the vendor by code and, past the phone check, every
coming booking with its map. A wrong phone does no more database work than an unknown code."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cache import MemoryCache
from app.models import Assignment, Event, Vendor
from app.services import lapak
from tests.conftest import TODAY
from tests.ogc.test_one_statement import statements

EVENT = "cfd-2026-12-06"
NOW = datetime(2026, 11, 28, 10, 0)


def _app(db: Session, database_url: str, **config: Any) -> Flask:
    from app import create_app

    app = create_app(
        {
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "test-secret-key-0123456789",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REQUEST_LOG": False,
            "FIXED_NOW": NOW,
            **config,
        },
        session=db,
    )
    return app


@pytest.fixture
def booked(db: Session) -> Assignment:
    event = db.scalars(select(Event).where(Event.slug == EVENT)).one()
    return db.scalars(
        select(Assignment)
        .join(Vendor, Vendor.id == Assignment.vendor_id)
        .where(
            Assignment.event_id == event.id,
            Assignment.status == "assigned",
            Vendor.phone.is_not(None),
        )
        .order_by(Assignment.id)
        .limit(1)
    ).one()


def _body(vendor: Vendor, phone4: str | None = None) -> dict[str, str]:
    return {"code": vendor.access_code, "phone4": phone4 or vendor.phone[-4:]}


def test_an_uncached_lookup_is_one_statement(
    db: Session, database_url: str, booked: Assignment
) -> None:
    client = _app(db, database_url, CACHE_TTL=0).test_client()
    vendor = booked.vendor
    with statements(db) as seen:
        resp = client.post("/api/lapak", json=_body(vendor))
    assert resp.status_code == 200
    assert len(seen) == 1
    assert resp.get_json() == lapak.vendor_view(db, vendor, today=TODAY).to_dict()
    with statements(db) as again:  # the session's vendor: one statement too
        page = client.get("/api/lapak")
        html = client.get("/lapak")
    assert page.get_json() == resp.get_json()
    assert html.status_code == 200 and booked.booth.code in html.get_data(as_text=True)
    assert len(again) == 2


def test_a_wrong_phone_builds_no_view(db: Session, database_url: str, booked: Assignment) -> None:
    """The statement builds bookings only past the gate (active, the right four digits): with a
    wrong phone it returns the bare vendor row, as little as an unknown code's answer."""
    client = _app(db, database_url, CACHE_TTL=0).test_client()
    vendor = booked.vendor
    wrong = f"{(int(vendor.phone[-4:]) + 1) % 10000:04d}"
    with statements(db) as seen:
        assert client.post("/api/lapak", json=_body(vendor, wrong)).status_code == 401
        unknown = {"code": "QQQQQQQQQQ", "phone4": wrong}
        assert client.post("/api/lapak", json=unknown).status_code == 401
    assert len(seen) == 2
    statement = lapak._statement("code", True, True)
    params = {"code": vendor.access_code, "today": TODAY}
    gated = db.execute(statement, {**params, "phone4": wrong}).all()
    assert len(gated) == 1 and gated[0].event_id is None and gated[0].map_json is None
    opened = db.execute(statement, {**params, "phone4": vendor.phone[-4:]}).all()
    assert opened[0].event_id is not None and opened[0].map_json


def test_a_cached_lookup_is_one_statement(
    db: Session, database_url: str, booked: Assignment
) -> None:
    app = _app(db, database_url, CACHE_TTL=600)
    app.extensions["petalapak.cache"] = MemoryCache()
    client = app.test_client()
    vendor = booked.vendor
    with statements(db) as cold:
        first = client.post("/api/lapak", json=_body(vendor))
    with statements(db) as warm:
        second = client.post("/api/lapak", json=_body(vendor))
    assert first.status_code == second.status_code == 200
    assert json.loads(first.data) == json.loads(second.data)
    assert len(cold) == 2  # the vendor with the view's stamp; the view, built once
    assert len(warm) == 1 and "data_version" in warm[0]


def test_the_json_answer_passes_the_map_through(
    db: Session, database_url: str, booked: Assignment
) -> None:
    """The map's GeoJSON is PostGIS's own text inside the answer, and parses to the view's map."""
    client = _app(db, database_url, CACHE_TTL=0).test_client()
    text = client.post("/api/lapak", json=_body(booked.vendor)).get_data(as_text=True)
    booking = lapak.vendor_view(db, booked.vendor, today=TODAY).bookings[0]
    assert booking.map_json in text
    assert json.loads(text)["bookings"][0]["map"] == booking.map
    roles = [f["properties"]["role"] for f in booking.map["features"]]
    assert roles[-1] == "own" and "occupied" in roles
