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
