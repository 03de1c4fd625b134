"""Accounts and roles: login required, role checks, CSRF, safe redirects."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import AuthActions


def test_planner_pages_need_login(client: FlaskClient) -> None:
    resp = client.get("/planner/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_api_needs_login_as_json(client: FlaskClient) -> None:
    resp = client.get("/api/events/cfd-mikrodots-2025-11-23/booths")
    assert resp.status_code == 401 and resp.json["error"] == "login_required"


def test_planner_sees_dashboard(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("planner")
    resp = client.get("/planner/")
    assert resp.status_code == 200
    assert "CFD MikroDOTS" in resp.get_data(as_text=True)


@pytest.mark.parametrize(("role", "planner", "users"), [
    ("crew", 403, 403), ("planner", 200, 403), ("admin", 200, 200),
])
def test_role_checks(client: FlaskClient, auth: AuthActions, role: str, planner: int,
                     users: int) -> None:
    auth.login(role)
    assert client.get("/planner/").status_code == planner
    assert client.get("/planner/users").status_code == users


def test_wrong_password_is_refused(client: FlaskClient, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user(role="planner")
    resp = client.post("/login", data={"email": user.email, "password": "salah-sekali"})
    assert resp.status_code == 200
    assert "kata sandi salah" in resp.get_data(as_text=True)
    assert client.get("/planner/").status_code == 302


def test_deactivated_user_cannot_log_in(client: FlaskClient, make_user, db) -> None:  # type: ignore[no-untyped-def]
    user = make_user(role="planner")
    user.active = False
    db.commit()
    resp = client.post("/login", data={"email": user.email, "password": "password123!"})
    assert resp.status_code == 200


def test_login_does_not_redirect_off_site(client: FlaskClient, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user(role="planner")
    resp = client.post("/login?next=https://evil.example/x",
                       data={"email": user.email, "password": "password123!"})
    assert resp.headers["Location"] == "/"


def test_passwords_are_hashed(make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user(role="crew", password="rahasia-sekali-123")
    assert "rahasia" not in user.password_hash and user.password_hash.startswith("scrypt:")


def test_csrf_is_enforced_on_login(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    resp = client.post("/login", data={"email": "a@b.id", "password": "x"})
    assert resp.status_code == 400


def test_session_cookie_is_httponly_and_samesite(client: FlaskClient, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user(role="planner")
    resp = client.post("/login", data={"email": user.email, "password": "password123!"})
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
