"""Admins cut staff off without SQL: deactivate, reactivate, change role, reset password, on the
users page and in the CLI. A deactivated user's open sessions die at once; every action is
audited; destructive actions ask first."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEntry, User
from app.services import users as user_svc
from app.services.errors import ServiceError
from tests.conftest import AuthActions

PASSWORD = "password123!"


def _logged_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )
    return client


def _last_audit(db: Session, user: User) -> AuditEntry:
    return db.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == "user", AuditEntry.entity_id == user.id)
        .order_by(AuditEntry.id.desc())
    ).first()  # type: ignore[return-value]


def test_deactivation_ends_open_sessions_at_once(
    app: Flask, client: FlaskClient, auth: AuthActions, make_user: Callable[..., Any], db: Session
) -> None:
    admin = auth.login("admin")
    planner = make_user(role="planner")
    their_browser = _logged_in(app, planner)
    assert their_browser.get("/planner/").status_code == 200

    resp = client.post(f"/planner/users/{planner.id}/deactivate")

    assert resp.status_code == 302
    assert their_browser.get("/planner/").status_code == 302  # the next click: logged out
    assert _logged_in_fails(app, planner)
    entry = _last_audit(db, planner)
    assert (entry.action, entry.actor, entry.user_id) == ("deactivate", admin.email, admin.id)
    assert entry.before == {"active": True} and entry.after == {"active": False}

    assert client.post(f"/planner/users/{planner.id}/reactivate").status_code == 302
    assert _logged_in(app, planner).get("/planner/").status_code == 200
    assert _last_audit(db, planner).action == "reactivate"


def _logged_in_fails(app: Flask, user: User) -> bool:
    resp = app.test_client().post("/login", data={"email": user.email, "password": PASSWORD})
    return resp.status_code == 200


def test_role_change_ends_sessions_and_is_audited(
    app: Flask, client: FlaskClient, auth: AuthActions, make_user: Callable[..., Any], db: Session
) -> None:
    auth.login("admin")
    planner = make_user(role="planner")
    their_browser = _logged_in(app, planner)

    resp = client.post(f"/planner/users/{planner.id}/role", data={"role": "crew"})

    assert resp.status_code == 302
    assert their_browser.get("/planner/").status_code == 302
    again = _logged_in(app, planner)
    assert again.get("/planner/").status_code == 403  # crew now
    listing = client.get("/planner/users").get_data(as_text=True)
    assert f"Peran {planner.email} sekarang Petugas lapangan." in listing  # the role's name
    entry = _last_audit(db, planner)
    assert entry.action == "role" and entry.before == {"role": "planner"}
    assert entry.after == {"role": "crew"}


def test_unknown_role_is_a_message_not_a_500(
    client: FlaskClient, auth: AuthActions, make_user: Callable[..., Any]
) -> None:
    auth.login("admin")
    planner = make_user(role="planner")
    resp = client.post(
        f"/planner/users/{planner.id}/role", data={"role": "root"}, follow_redirects=True
    )
    assert resp.status_code == 200
    assert "tidak dikenal" in resp.get_data(as_text=True)
    assert planner.role == "planner"


def test_reset_password_shows_a_new_one_once(
    app: Flask, client: FlaskClient, auth: AuthActions, make_user: Callable[..., Any], db: Session
) -> None:
    auth.login("admin")
    crew = make_user(role="crew")
    their_browser = _logged_in(app, crew)

    resp = client.post(f"/planner/users/{crew.id}/reset-password")

    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "private, no-store"
    page = resp.get_data(as_text=True)
    shown = re.search(r'<code class="new-password">([^<]+)</code>', page)
    assert shown is not None
    new_password = shown.group(1)
    assert len(new_password) >= 16
    assert new_password not in (client.get_cookie("session").value or "")  # not in a flash
    assert their_browser.get("/account/password").status_code == 302
    assert _logged_in_fails(app, crew)
    fresh = app.test_client()
    ok = fresh.post("/login", data={"email": crew.email, "password": new_password})
    assert ok.status_code == 302
    entry = _last_audit(db, crew)
    assert entry.action == "reset_pw" and entry.before is None and entry.after is None
    assert new_password not in str(
        db.scalars(select(AuditEntry.after).where(AuditEntry.entity == "user")).all()
    )


def test_admin_cannot_deactivate_or_demote_themselves(
    client: FlaskClient, auth: AuthActions
) -> None:
    admin = auth.login("admin")
    resp = client.post(f"/planner/users/{admin.id}/deactivate", follow_redirects=True)
    assert "akun sendiri" in resp.get_data(as_text=True)
    resp = client.post(f"/planner/users/{admin.id}/role", data={"role": "crew"})
    assert admin.active and admin.role == "admin"
    assert client.get("/planner/users").status_code == 200  # still logged in, still admin


def test_the_last_active_admin_stays(db: Session, make_user: Callable[..., Any]) -> None:
    for other in db.scalars(select(User).where(User.role == "admin")).all():
        other.active = False
    db.commit()
    only = make_user(role="admin")
    with pytest.raises(ServiceError, match="admin aktif terakhir"):
        user_svc.set_active(db, only, active=False)
    with pytest.raises(ServiceError, match="admin aktif terakhir"):
        user_svc.set_role(db, only, role="planner")
    second = make_user(role="admin")
    assert user_svc.set_role(db, only, role="planner")
    assert second.role == "admin"


@pytest.mark.parametrize("action", ["deactivate", "reactivate", "role", "reset-password"])
@pytest.mark.parametrize("role", ["planner", "crew"])
def test_only_admins_manage_accounts(
    client: FlaskClient, auth: AuthActions, make_user: Callable[..., Any], action: str, role: str
) -> None:
    target = make_user(role="crew")
    auth.login(role)
    resp = client.post(f"/planner/users/{target.id}/{action}", data={"role": "admin"})
    assert resp.status_code == 403
    assert target.role == "crew" and target.active


def test_huge_user_id_is_not_found(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("admin")
    assert client.post("/planner/users/2147483648/deactivate").status_code == 404


def test_destructive_forms_ask_to_confirm(
    client: FlaskClient, auth: AuthActions, make_user: Callable[..., Any]
) -> None:
    auth.login("admin")
    target = make_user(role="planner")
    page = client.get("/planner/users").get_data(as_text=True)
    row = page[page.index(f'id="user-{target.id}"') :]
    row = row[: row.index("</tr>")]
    for action in ("deactivate", "role", "reset-password"):
        form = re.search(rf'<form[^>]*action="/planner/users/{target.id}/{action}"[^>]*>', row)
        assert form is not None and "data-confirm=" in form.group(0), action
    assert "/static/js/page.js" in page


# --- CLI ------------------------------------------------------------------------------------


def test_cli_deactivate_asks_and_ends_sessions(
    app: Flask, runner: FlaskCliRunner, make_user: Callable[..., Any], db: Session
) -> None:
    planner = make_user(role="planner")
    their_browser = _logged_in(app, planner)

    declined = runner.invoke(args=["deactivate-user", planner.email], input="n\n")
    assert declined.exit_code != 0 and planner.active
    assert their_browser.get("/planner/").status_code == 200

    done = runner.invoke(args=["deactivate-user", planner.email], input="y\n")
    assert done.exit_code == 0, done.output
    assert not planner.active
    assert their_browser.get("/planner/").status_code == 302
    entry = _last_audit(db, planner)
    assert entry.action == "deactivate" and entry.actor == "cli:deactivate-user"

    back = runner.invoke(args=["reactivate-user", planner.email])
    assert back.exit_code == 0 and planner.active


def test_cli_reset_password_prints_it_once(
    app: Flask, runner: FlaskCliRunner, make_user: Callable[..., Any]
) -> None:
    crew = make_user(role="crew")
    result = runner.invoke(args=["reset-password", crew.email, "--yes"])
    assert result.exit_code == 0, result.output
    new_password = result.output.strip().splitlines()[-1].split(": ", 1)[1]
    resp = app.test_client().post("/login", data={"email": crew.email, "password": new_password})
    assert resp.status_code == 302
    assert _logged_in_fails(app, crew)


def test_cli_set_role_and_list(runner: FlaskCliRunner, make_user: Callable[..., Any]) -> None:
    crew = make_user(role="crew")
    result = runner.invoke(args=["set-role", crew.email, "--role", "planner", "--yes"])
    assert result.exit_code == 0, result.output
    assert crew.role == "planner"
    listing = runner.invoke(args=["list-users"])
    assert f"{crew.email}\tplanner" in listing.output


def test_cli_unknown_user_exits_non_zero(runner: FlaskCliRunner) -> None:
    for args in (
        ["deactivate-user", "tidak-ada@pontianak.go.id", "--yes"],
        ["reset-password", "tidak-ada@pontianak.go.id", "--yes"],
        ["set-role", "tidak-ada@pontianak.go.id", "--role", "crew", "--yes"],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 1 and "tidak ditemukan" in result.output, args
