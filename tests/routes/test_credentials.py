"""Credentials that can be taken back: logout and a password change end every session and
"remember me" cookie of the user; one e-mail rule for create-user and the login form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEntry, User

PASSWORD = "password123!"


def _login(client: FlaskClient, email: str, password: str = PASSWORD, **extra: str) -> Any:
    return client.post("/login", data={"email": email, "password": password, **extra})


def _remember_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("remember_token")
    assert cookie is not None, "login with 'remember' set no remember cookie"
    return cookie.value


def _session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _opens_planner(app: Flask, *, remember: str | None = None, session: str | None = None) -> bool:
    """Whether a fresh browser holding only the copied cookie gets the planner dashboard."""
    fresh = app.test_client()
    if remember is not None:
        fresh.set_cookie("remember_token", remember)
    if session is not None:
        fresh.set_cookie("session", session)
    return fresh.get("/planner/").status_code == 200


def test_copied_remember_cookie_works_until_logout(
    app: Flask, client: FlaskClient, make_user: Callable[..., Any]
) -> None:
    user = make_user(role="planner")
    assert _login(client, user.email, remember="y").status_code == 302
    remember, session = _remember_cookie(client), _session_cookie(client)
    assert _opens_planner(app, remember=remember)  # the copy works while the user is logged in
    assert _opens_planner(app, session=session)

    client.post("/logout")

    assert not _opens_planner(app, remember=remember)
    assert not _opens_planner(app, session=session)


def test_logout_ends_the_users_other_browsers_too(
    app: Flask, make_user: Callable[..., Any]
) -> None:
    user = make_user(role="planner")
    office, phone = app.test_client(), app.test_client()
    _login(office, user.email)
    _login(phone, user.email, remember="y")
    assert phone.get("/planner/").status_code == 200
    office.post("/logout")
    assert phone.get("/planner/").status_code == 302
    # ...and the user can log in again at once.
    assert _login(phone, user.email).status_code == 302
    assert phone.get("/planner/").status_code == 200


def test_password_change_ends_copied_cookies_but_keeps_this_browser(
    app: Flask, client: FlaskClient, make_user: Callable[..., Any], db: Session
) -> None:
    user = make_user(role="crew")
    _login(client, user.email, remember="y")
    remember, session = _remember_cookie(client), _session_cookie(client)
    other = app.test_client()
    _login(other, user.email)

    resp = client.post(
        "/account/password",
        data={"current": PASSWORD, "new": "kata-sandi-baru-42", "repeat": "kata-sandi-baru-42"},
    )

    assert resp.status_code == 302
    assert not _opens_planner(app, remember=remember)
    assert not _opens_planner(app, session=session)
    assert other.get("/account/password").status_code == 302  # another browser: logged out
    assert client.get("/account/password").status_code == 200  # this one goes on
    assert _login(app.test_client(), user.email).status_code == 200  # the old password fails
    assert _login(app.test_client(), user.email, "kata-sandi-baru-42").status_code == 302
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.entity == "user", AuditEntry.entity_id == user.id)
    ).all()[-1]
    assert entry.action == "password" and entry.actor == user.email
    assert entry.before is None and entry.after is None  # never a hash in the log


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"current": "salah-sekali!", "new": "baru-baru-123", "repeat": "baru-baru-123"}, "salah"),
        ({"current": PASSWORD, "new": "pendek", "repeat": "pendek"}, "minimal 10"),
        ({"current": PASSWORD, "new": "baru-baru-123", "repeat": "baru-baru-124"}, "berbeda"),
    ],
)
def test_password_change_refuses_bad_input(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., Any],
    data: dict[str, str],
    message: str,
) -> None:
    user = make_user(role="planner")
    _login(client, user.email)
    other = app.test_client()
    _login(other, user.email)
    resp = client.post("/account/password", data=data)
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)
    assert other.get("/planner/").status_code == 200  # nothing changed
    assert _login(app.test_client(), user.email).status_code == 302


def test_password_page_needs_login(client: FlaskClient) -> None:
    resp = client.get("/account/password")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_every_staff_page_links_to_password_change(
    client: FlaskClient, make_user: Callable[..., Any]
) -> None:
    user = make_user(role="crew")
    _login(client, user.email)
    assert 'href="/account/password"' in client.get("/").get_data(as_text=True)


def test_a_cookie_from_before_session_versions_is_refused(
    app: Flask, make_user: Callable[..., Any]
) -> None:
    """A remember cookie that names a bare user id (as issued before this change)."""
    from flask_login.utils import encode_cookie

    user = make_user(role="planner")
    with app.test_request_context():
        old_style = encode_cookie(str(user.id))
        current = encode_cookie(user.get_id())
    assert not _opens_planner(app, remember=old_style)
    assert _opens_planner(app, remember=current)


# --- one e-mail rule ------------------------------------------------------------------------


@pytest.mark.parametrize("email", ["petugas@dinas.local", "x@y.test", "Perencana@Pontianak.GO.ID"])
def test_create_user_and_login_accept_the_same_addresses(
    runner: FlaskCliRunner, client: FlaskClient, email: str
) -> None:
    made = runner.invoke(args=["create-user", email, "--role", "planner", "--password", PASSWORD])
    assert made.exit_code == 0, made.output
    resp = _login(client, email)
    assert resp.status_code == 302, resp.get_data(as_text=True)


@pytest.mark.parametrize(
    "email", ["@dinas.local", "petugas@", "petugas", "a b@dinas.local", "x@y.invalid", ""]
)
def test_create_user_and_login_refuse_the_same_addresses(
    runner: FlaskCliRunner, client: FlaskClient, db: Session, email: str
) -> None:
    made = runner.invoke(args=["create-user", email, "--role", "planner", "--password", PASSWORD])
    assert made.exit_code != 0
    assert "e-mail" in made.output.lower() or "Usage" in made.output
    resp = _login(client, email)
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "E-mail atau kata sandi salah" not in page  # refused as an address, not looked up
    assert db.scalar(select(User).where(User.email == email.lower())) is None


def test_same_function_checks_both() -> None:
    """The login form's validator is the service's rule, not a second one."""
    import inspect

    from app.routes import auth

    assert "normalise_email" in inspect.getsource(auth.staff_email)
