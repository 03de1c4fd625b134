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


@pytest.mark.parametrize(
    ("role", "planner", "users"),
    [
        ("crew", 403, 403),
        ("planner", 200, 403),
        ("admin", 200, 200),
    ],
)
def test_role_checks(
    client: FlaskClient, auth: AuthActions, role: str, planner: int, users: int
) -> None:
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
    resp = client.post(
        "/login?next=https://evil.example/x", data={"email": user.email, "password": "password123!"}
    )
    assert resp.headers["Location"] == "/planner/"  # the planner's home, not the other site


def test_after_login_each_role_lands_on_its_own_work(  # type: ignore[no-untyped-def]
    client: FlaskClient, make_user
) -> None:
    landings = {
        "admin": "/planner/",
        "planner": "/planner/",
        "crew": "/crew/",
        "petugas": "/lapor",
        "petugas_layanan": "/layanan",
    }
    for role, path in landings.items():
        user = make_user(role=role)
        resp = client.post("/login", data={"email": user.email, "password": "password123!"})
        assert resp.headers["Location"] == path, role
        assert client.get(path).status_code == 200, role
        client.post("/logout")
    user = make_user(role="crew")
    resp = client.post(
        "/login?next=/crew/events/cfd-2026-12-06/checkin",
        data={"email": user.email, "password": "password123!"},
    )
    assert resp.headers["Location"] == "/crew/events/cfd-2026-12-06/checkin"


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


def test_login_attempts_are_slowed_per_account(
    app: Flask, client: FlaskClient, make_user, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from app import ratelimit

    clock = [1000.0]
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: clock[0])
    app.config["LOGIN_BACKOFF_AFTER"] = 3
    user = make_user(role="planner")
    for _ in range(3):
        resp = client.post("/login", data={"email": user.email, "password": "salah-sekali"})
        assert resp.status_code == 200
    refused = client.post("/login", data={"email": user.email, "password": "password123!"})
    assert refused.status_code == 429  # from a browser new to the account: guessing must slow
    assert int(refused.headers["Retry-After"]) > 0
    assert "Terlalu banyak percobaan" in refused.get_data(as_text=True)
    other = make_user(role="crew")
    assert (
        client.post("/login", data={"email": other.email, "password": "password123!"}).status_code
        == 302
    )
    clock[0] += int(refused.headers["Retry-After"])
    assert (
        client.post("/login", data={"email": user.email, "password": "password123!"}).status_code
        == 302
    )


def test_login_attempts_are_limited_per_client(app: Flask, client: FlaskClient) -> None:
    app.config["LOGIN_LIMIT_PER_IP"] = "4/600"
    codes = [
        client.post(
            "/login", data={"email": f"x{i}@pontianak.go.id", "password": "apa-saja"}
        ).status_code
        for i in range(6)
    ]
    assert codes == [200, 200, 200, 200, 429, 429]


def test_unknown_and_known_addresses_do_the_same_hash_work(
    app: Flask, client: FlaskClient, make_user, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """An unknown address checks a decoy hash, so timing does not reveal staff accounts.

    The mechanism, not a stopwatch: every wrong login, known address or not, runs exactly one
    scrypt check (a timing comparison fails at random on a busy machine).
    """
    import app.models.account as account
    import app.routes.auth as auth

    checks: list[str] = []

    def counting(module: object, name: str) -> None:
        real = module.check_password_hash

        def check(pwhash: str, password: str) -> bool:
            checks.append(name)
            return bool(real(pwhash, password))

        monkeypatch.setattr(module, "check_password_hash", check)

    counting(auth, "decoy")
    counting(account, "account")
    app.config["RATELIMIT_SCALE"] = 0  # the mechanism, not the limits
    user = make_user(role="planner")
    for email, expected in ((user.email, ["account"]), ("tidak-ada@pontianak.go.id", ["decoy"])):
        checks.clear()
        resp = client.post("/login", data={"email": email, "password": "salah"})
        assert resp.status_code == 200
        assert checks == expected, email
    decoy = auth._decoy_hash()
    assert decoy.startswith(user.password_hash.split("$")[0])  # the same algorithm and cost


@pytest.mark.parametrize(
    "path",
    [
        "/planner/vendors/1",
        "/planner/vendors/1/card",
        "/api/vendors/1",
        "/planner/map",
        "/api/workspace/pontianak/layers/zones",
    ],
)
def test_staff_answers_are_not_kept_by_browsers(
    client: FlaskClient, auth: AuthActions, path: str
) -> None:
    """They carry phone numbers, NIBs and access codes (shared office PCs)."""
    auth.login("planner")
    resp = client.get(path)
    assert resp.status_code == 200, path
    assert resp.headers["Cache-Control"] == "private, no-store"


def test_public_pages_keep_their_own_caching(client: FlaskClient) -> None:
    assert "no-store" not in client.get("/ogc/collections/zones/items?f=json").headers.get(
        "Cache-Control", ""
    )
