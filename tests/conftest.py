"""Fixtures: a real PostGIS test database, migrated from empty once per run, seeded with the
Pontianak demo, and a transaction per test that is always rolled back.

The database URL comes from ``TEST_DATABASE_URL`` (``make test`` sets it with
``scripts/bootstrap_db.py petalapak_test``). Tests under ``tests/gis`` need none of this.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

TODAY = date(2026, 11, 29)


@pytest.fixture(scope="session")
def database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.fail("TEST_DATABASE_URL is not set: run the suite with `make test`", pytrace=False)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """Empty the test database, migrate it from nothing, and load the demo once."""
    from app.migrate import upgrade

    eng = create_engine(database_url, future=True)
    with eng.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
        conn.execute(text("DROP EXTENSION IF EXISTS postgis CASCADE"))
    upgrade(database_url)
    _seed(eng)
    yield eng
    eng.dispose()


def _seed(eng: Engine) -> None:
    from app.services.audit import acting_as
    from app.services.demo import seed_demo

    with Session(eng) as session, acting_as(None, "test-seed"):
        seed_demo(session, today=TODAY, log=lambda *_: None)
        session.commit()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session whose commits only release savepoints; everything is rolled back after."""
    conn = engine.connect()
    trans = conn.begin()
    session = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        trans.rollback()
        conn.close()


@pytest.fixture
def app(db: Session, database_url: str) -> Flask:
    from app import create_app

    return create_app(
        {
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "test-secret-key-0123456789",
            "SQLALCHEMY_DATABASE_URI": database_url,
        },
        session=db,
    )


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def make_user(db: Session) -> Callable[..., Any]:
    """Factory: ``make_user(role="planner")`` returns a user whose password is ``password123!``."""
    from app.services.users import create_user

    counter = iter(range(10_000))

    def _make(**kwargs: Any) -> Any:
        kwargs.setdefault("role", "planner")
        kwargs.setdefault("email", f"{kwargs['role']}{next(counter)}@test.pontianak.go.id")
        kwargs.setdefault("password", "password123!")
        return create_user(db, **kwargs)

    return _make


class AuthActions:
    """Log in and out through the real form (CSRF is off unless a test turns it on)."""

    def __init__(self, client: FlaskClient, make_user: Callable[..., Any]) -> None:
        self.client, self.make_user = client, make_user

    def login(self, role: str = "planner") -> Any:
        user = self.make_user(role=role)
        resp = self.client.post("/login", data={"email": user.email, "password": "password123!"})
        assert resp.status_code == 302, resp.data
        return user

    def logout(self) -> None:
        self.client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient, make_user: Callable[..., Any]) -> AuthActions:
    return AuthActions(client, make_user)


# -- factories: one per model, each a callable with setdefault defaults --------------------------
#
# Tests that need a city, an event or a vendor but do not mean to test the Pontianak demo make
# their own here; every object is flushed into the test's transaction and rolled back after.
# Geometries are small squares near Pontianak (EPSG:4326), spread so that they do not overlap.

_SPOT = iter(range(1, 1_000_000))


def _square(size_deg: float = 3e-5) -> Any:
    """A fresh small square (about 3 m) near Pontianak, a different one on every call."""
    from shapely import box

    n = next(_SPOT)
    x, y = 109.30 + (n % 500) * 1e-4, -0.06 + (n // 500) * 1e-4
    return box(x, y, x + size_deg, y + size_deg)


@pytest.fixture
def make_city(db: Session) -> Callable[..., Any]:
    """Factory: ``make_city()`` → a city with its default clearance rules and a UTM CRS."""
    from app.services.cities import create_city

    counter = iter(range(1, 10_000))

    def _make(**kwargs: Any) -> Any:
        n = next(counter)
        kwargs.setdefault("name", f"Kota Uji {n}")
        kwargs.setdefault("slug", f"kota-uji-{n}")
        kwargs.setdefault("extent", (109.25, -0.10, 109.40, 0.05))
        return create_city(db, **kwargs)

    return _make


@pytest.fixture
def make_zone(db: Session, make_city: Callable[..., Any]) -> Callable[..., Any]:
    """Factory: ``make_zone(kind="pkl_legal")`` → a zone (its own city unless given)."""
    from geoalchemy2.shape import from_shape

    from app.models import Zone

    def _make(**kwargs: Any) -> Any:
        if "city" not in kwargs and "city_id" not in kwargs:
            kwargs["city"] = make_city()
        kwargs.setdefault("kind", "pkl_legal")
        kwargs.setdefault("name", f"Zona uji {next(_SPOT)}")
        kwargs.setdefault("geom", from_shape(_square(1e-3), 4326))
        zone = Zone(**kwargs)
        db.add(zone)
        db.flush()
        return zone

    return _make


@pytest.fixture
def make_facility(db: Session, make_city: Callable[..., Any]) -> Callable[..., Any]:
    """Factory: ``make_facility(kind="hydrant")`` → a point facility (its own city unless given)."""
    from geoalchemy2.shape import from_shape

    from app.models import Facility

    def _make(**kwargs: Any) -> Any:
        if "city" not in kwargs and "city_id" not in kwargs:
            kwargs["city"] = make_city()
        kwargs.setdefault("kind", "hydrant")
        kwargs.setdefault("name", f"Fasilitas uji {next(_SPOT)}")
        kwargs.setdefault("geom", from_shape(_square().centroid, 4326))
        facility = Facility(**kwargs)
        db.add(facility)
        db.flush()
        return facility

    return _make


@pytest.fixture
def make_event(
    db: Session, make_city: Callable[..., Any], make_zone: Callable[..., Any]
) -> Callable[..., Any]:
    """Factory: ``make_event()`` → a draft CFD morning a week after TODAY on a corridor zone."""
    from datetime import time, timedelta

    from app.models import Event

    counter = iter(range(1, 10_000))

    def _make(**kwargs: Any) -> Any:
        n = next(counter)
        if "city" not in kwargs and "city_id" not in kwargs:
            kwargs["city"] = make_city()
        kwargs.setdefault("slug", f"acara-uji-{n}")
        kwargs.setdefault("name", f"Acara uji {n}")
        kwargs.setdefault("date", TODAY + timedelta(days=7))
        kwargs.setdefault("start_time", time(6))
        kwargs.setdefault("end_time", time(9))
        kwargs.setdefault("status", "draft")
        if "corridors" not in kwargs:
            owner = {k: kwargs[k] for k in ("city", "city_id") if k in kwargs}
            kwargs["corridors"] = [make_zone(kind="cfd_corridor", **owner)]
        event = Event(**kwargs)
        db.add(event)
        db.flush()
        return event

    return _make


@pytest.fixture
def make_booth(db: Session, make_event: Callable[..., Any]) -> Callable[..., Any]:
    """Factory: ``make_booth()`` → a 3 m vendor booth of an event (its own event unless given)."""
    from geoalchemy2.shape import from_shape

    from app.models import Booth

    def _make(**kwargs: Any) -> Any:
        if not {"event", "event_id", "zone", "zone_id"} & set(kwargs):
            kwargs["event"] = make_event()
        kwargs.setdefault("code", f"UJ-{next(_SPOT):04d}")
        kwargs.setdefault("kind", "vendor")
        kwargs.setdefault("geom", from_shape(_square(), 4326))
        booth = Booth(**kwargs)
        db.add(booth)
        db.flush()
        return booth

    return _make


@pytest.fixture
def make_vendor(db: Session, make_city: Callable[..., Any]) -> Callable[..., Any]:
    """Factory: ``make_vendor(category="makanan")`` → an active vendor with a fresh access code."""
    from app.models import Vendor
    from app.services.access_codes import new_access_code

    counter = iter(range(1, 10_000))

    def _make(**kwargs: Any) -> Any:
        n = next(counter)
        if "city" not in kwargs and "city_id" not in kwargs:
            kwargs["city"] = make_city()
        kwargs.setdefault("owner_name", f"Pemilik Uji {n}")
        kwargs.setdefault("business_name", f"Usaha Uji {n}")
        kwargs.setdefault("category", "makanan")
        kwargs.setdefault("access_code", new_access_code())
        vendor = Vendor(**kwargs)
        db.add(vendor)
        db.flush()
        return vendor

    return _make


@pytest.fixture
def make_assignment(
    db: Session, make_booth: Callable[..., Any], make_vendor: Callable[..., Any]
) -> Callable[..., Any]:
    """Factory: ``make_assignment()`` → a vendor on an event's booth (both made unless given)."""
    from app.models import Assignment

    def _make(**kwargs: Any) -> Any:
        if "booth" not in kwargs:
            kwargs["booth"] = make_booth(
                **({"event": kwargs["event"]} if "event" in kwargs else {})
            )
        kwargs.setdefault("event", kwargs["booth"].event)
        if "vendor" not in kwargs:
            kwargs["vendor"] = make_vendor(city=kwargs["event"].city)
        kwargs.setdefault("status", "assigned")
        assignment = Assignment(**kwargs)
        db.add(assignment)
        db.flush()
        return assignment

    return _make


@pytest.fixture
def make_attendance_answer(
    db: Session, make_event: Callable[..., Any], make_vendor: Callable[..., Any]
) -> Callable[..., Any]:
    """Factory: ``make_attendance_answer(attending=True)`` → a vendor's answer for an event."""
    from app.models import AttendanceAnswer

    def _make(**kwargs: Any) -> Any:
        if "event" not in kwargs:
            kwargs["event"] = make_event()
        if "vendor" not in kwargs:
            kwargs["vendor"] = make_vendor(city=kwargs["event"].city)
        kwargs.setdefault("attending", True)
        kwargs.setdefault("source", "vendor")
        answer = AttendanceAnswer(**kwargs)
        db.add(answer)
        db.flush()
        return answer

    return _make


@pytest.fixture
def make_application(db: Session, make_city: Callable[..., Any]) -> Callable[..., Any]:
    """Factory: ``make_application(phone="0812…")`` → a pending application at ``/daftar``."""
    from app.models import VendorApplication
    from app.services.access_codes import new_access_code

    counter = iter(range(1, 10_000))

    def _make(**kwargs: Any) -> Any:
        n = next(counter)
        if "city" not in kwargs and "city_id" not in kwargs:
            kwargs["city"] = make_city()
        kwargs.setdefault("owner_name", f"Pelamar Uji {n}")
        kwargs.setdefault("business_name", f"Usaha Pelamar {n}")
        kwargs.setdefault("category", "makanan")
        kwargs.setdefault("phone", f"6281299{n:06d}")
        kwargs.setdefault("status_code", new_access_code())
        kwargs.setdefault("status", "pending")
        application = VendorApplication(**kwargs)
        db.add(application)
        db.flush()
        return application

    return _make
