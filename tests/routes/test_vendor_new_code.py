"""A vendor's access code can be reissued (page, API, CLI): the old code, every signed link and
QR code issued before, and every open vendor-page session stop working; a new card prints."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Assignment, AuditEntry, Event, Vendor
from app.services.vendor_access import issue_new_code, vendor_link
from tests.conftest import AuthActions

NOW = datetime(2026, 11, 28, 10, 0)


@pytest.fixture(autouse=True)
def _clock(app: Flask) -> None:
    app.config["FIXED_NOW"] = NOW


@pytest.fixture
def vendor(db: Session) -> Vendor:
    """A vendor with a phone and a booth in the coming demo CFD."""
    event = db.scalars(select(Event).where(Event.slug == "cfd-2026-12-06")).one()
    return db.scalars(
        select(Vendor)
        .join(Assignment, Assignment.vendor_id == Vendor.id)
        .where(Assignment.event_id == event.id, Vendor.phone.is_not(None))
        .order_by(Vendor.id)
        .limit(1)
    ).one()


class Before:
    """What the vendor held before the new code: the code, a printed link, an open session."""

    def __init__(self, app: Flask, vendor: Vendor) -> None:
        self.app, self.vendor = app, vendor
        self.code = vendor.access_code
        self.link_path = vendor_link(vendor, secret_key=app.config["SECRET_KEY"], base_url="")
        self.phone4 = vendor.phone[-4:]
        self.open_session = app.test_client()
        resp = self.open_session.post("/lapak", data={"code": self.code, "phone4": self.phone4})
        assert resp.status_code == 303
        assert self.open_session.get("/api/lapak").status_code == 200
        assert self.app.test_client().get(self.link_path).status_code == 303

    def all_revoked(self) -> None:
        old_code = self.app.test_client().post(
            "/api/lapak", json={"code": self.code, "phone4": self.phone4}
        )
        assert old_code.status_code == 401
        assert self.app.test_client().get(self.link_path).status_code == 404
        assert self.open_session.get("/api/lapak").status_code == 401

    def new_code_works(self, code: str) -> None:
        assert code != self.code
        resp = self.app.test_client().post("/api/lapak", json={"code": code, "phone4": self.phone4})
        assert resp.status_code == 200


def _audited(db: Session, vendor: Vendor) -> AuditEntry:
    entry = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == "vendor", AuditEntry.entity_id == vendor.id)
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry is not None and entry.action == "new_code"
    assert entry.before is None and entry.after is None  # no codes in the log
    return entry


def test_service_revokes_code_links_and_sessions(app: Flask, db: Session, vendor: Vendor) -> None:
    before = Before(app, vendor)
    code = issue_new_code(db, vendor)
    assert vendor.access_code == code
    before.all_revoked()
    before.new_code_works(code)
    # A link made after the new code works.
    fresh = vendor_link(vendor, secret_key=app.config["SECRET_KEY"], base_url="")
    assert app.test_client().get(fresh).status_code == 303
    assert _audited(db, vendor).actor == "system"


def test_planner_page_button_asks_first_and_offers_the_new_card(
    app: Flask, client: FlaskClient, auth: AuthActions, db: Session, vendor: Vendor
) -> None:
    planner = auth.login("planner")
    page = client.get(f"/planner/vendors/{vendor.id}").get_data(as_text=True)
    form = re.search(rf'<form[^>]*action="/planner/vendors/{vendor.id}/new-code"[^>]*>', page)
    assert form is not None and "data-confirm=" in form.group(0)
    before = Before(app, vendor)

    resp = client.post(f"/planner/vendors/{vendor.id}/new-code")

    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/planner/vendors/{vendor.id}/card")
    card = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert vendor.access_code in card and before.code not in card
    assert "Kode akses baru dibuat" in card
    before.all_revoked()
    before.new_code_works(vendor.access_code)
    assert _audited(db, vendor).actor == planner.email


def test_api_returns_the_new_code_and_link(
    app: Flask, client: FlaskClient, auth: AuthActions, vendor: Vendor
) -> None:
    auth.login("planner")
    before = Before(app, vendor)

    resp = client.post(f"/api/vendors/{vendor.id}/new-code")

    assert resp.status_code == 200
    body = resp.get_json()
    assert body["access_code"] == vendor.access_code != before.code
    assert "/lapak/v/" in body["link"]
    assert body["card_url"].endswith(f"/planner/vendors/{vendor.id}/card")
    before.all_revoked()
    before.new_code_works(body["access_code"])
    new_link = body["link"].split("://", 1)[1].split("/", 1)[1]
    assert app.test_client().get("/" + new_link).status_code == 303


@pytest.mark.parametrize("role", ["crew", None])
def test_only_planners_issue_codes(
    client: FlaskClient, auth: AuthActions, vendor: Vendor, role: str | None
) -> None:
    if role:
        auth.login(role)
    code = vendor.access_code
    page = client.post(f"/planner/vendors/{vendor.id}/new-code")
    api = client.post(f"/api/vendors/{vendor.id}/new-code")
    assert page.status_code in (302, 403) and api.status_code in (401, 403)
    if role:
        assert page.status_code == 403
    assert vendor.access_code == code


def test_unknown_vendor_is_not_found(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("planner")
    assert client.post("/api/vendors/999999/new-code").status_code == 404
    assert client.post("/planner/vendors/999999/new-code").status_code == 404


def test_cli_asks_then_prints_code_link_and_card(
    app: Flask, runner: FlaskCliRunner, db: Session, vendor: Vendor
) -> None:
    before = Before(app, vendor)
    declined = runner.invoke(args=["vendor-new-code", str(vendor.id)], input="n\n")
    assert declined.exit_code != 0 and vendor.access_code == before.code

    result = runner.invoke(
        args=["vendor-new-code", str(vendor.id), "--base-url", "https://lapak.example"],
        input="y\n",
    )

    assert result.exit_code == 0, result.output
    assert f": {vendor.access_code}" in result.output
    assert "https://lapak.example/lapak/v/" in result.output
    assert f"https://lapak.example/planner/vendors/{vendor.id}/card" in result.output
    before.all_revoked()
    before.new_code_works(vendor.access_code)
    assert _audited(db, vendor).actor == "cli:vendor-new-code"

    missing = runner.invoke(args=["vendor-new-code", "999999", "--yes"])
    assert missing.exit_code == 1 and "tidak ditemukan" in missing.output
