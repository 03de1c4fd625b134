"""Crew check-in page: roles, search, marks by form and JSON, CSRF, the cut-off release."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import create_app
from app.models import HOLDING_STATUSES, Assignment, AuditEntry, Event, Vendor
from tests.conftest import AuthActions

EVENT = "cfd-2026-12-06"
URL = f"/crew/events/{EVENT}/checkin"
API = f"/api/crew/events/{EVENT}/checkin"
BEFORE = datetime(2026, 12, 6, 6, 10)
AFTER = datetime(2026, 12, 6, 6, 40)


@pytest.fixture
def event(db: Session) -> Event:
    return db.scalars(select(Event).where(Event.slug == EVENT)).one()


@pytest.fixture
def assigned(db: Session, event: Event) -> Assignment:
    """A food vendor's booth: the demo's waitlist is food vendors over the food cap, so a food
    no-show makes room for the first of them (the release keeps the caps, in booths)."""
    return db.scalars(
        select(Assignment)
        .join(Vendor, Vendor.id == Assignment.vendor_id)
        .where(
            Assignment.event_id == event.id,
            Assignment.status == "assigned",
            Vendor.category == "makanan",
        )
        .order_by(Assignment.id)
        .limit(1)
    ).one()


def test_staff_only(client: FlaskClient, auth: AuthActions) -> None:
    resp = client.get(URL)
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]
    assert client.post(f"{API}/1", json={"status": "checked_in"}).status_code == 401
    auth.login("crew")
    assert client.get(URL).status_code == 200
    assert client.get("/crew/events/tidak-ada/checkin").status_code == 404


def test_list_and_search(
    app: Flask, client: FlaskClient, auth: AuthActions, assigned: Assignment
) -> None:
    app.config["FIXED_NOW"] = BEFORE
    auth.login("crew")
    resp = client.get(URL)
    page = resp.get_data(as_text=True)
    assert "no-store" in resp.headers["Cache-Control"]
    assert assigned.booth.code in page
    assert "Check-in pedagang" in page
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    assert "Batas waktu check-in: pukul 06.30" in page
    english = client.get(URL, query_string={"lang": "en"}).get_data(as_text=True)
    assert "06:30" in english and "06.30" not in english  # English writes times with a colon
    assert re.search(r'<button type="submit" class="danger" disabled>', page)
    found = client.get(URL, query_string={"q": assigned.booth.code.lower()}).get_data(as_text=True)
    assert found.count('class="checkin-row') == 1


def test_mark_by_form_and_json(
    client: FlaskClient, auth: AuthActions, db: Session, assigned: Assignment
) -> None:
    user = auth.login("crew")
    resp = client.post(f"{URL}/{assigned.id}", data={"status": "checked_in"})
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith(f"#a-{assigned.id}")
    db.refresh(assigned)
    assert assigned.status == "checked_in"
    api = client.post(f"{API}/{assigned.id}", json={"status": "no_show"})
    assert api.status_code == 200
    assert api.get_json() | {"status_label": None} == {
        "assignment_id": assigned.id,
        "booth_code": assigned.booth.code,
        "status": "no_show",
        "status_label": None,
        "previous": "checked_in",
        "changed": True,
    }
    entries = db.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "assignment",
            AuditEntry.entity_id == assigned.id,
            AuditEntry.action == "update",
        )
    ).all()
    assert {e.user_id for e in entries} == {user.id}
    assert len(entries) == 2
    rows = client.get(API).get_json()["rows"]
    assert {"assignment_id": assigned.id, "status": "no_show"}.items() <= next(
        r for r in rows if r["assignment_id"] == assigned.id
    ).items()


def test_bad_marks_are_clean_errors(
    client: FlaskClient, auth: AuthActions, db: Session, assigned: Assignment
) -> None:
    from app.services.allocation import release_and_offer

    auth.login("crew")
    assert client.post(f"{API}/{assigned.id}", json={"status": "gone"}).status_code == 400
    assert client.post(f"{API}/999999", json={"status": "checked_in"}).status_code == 404
    release_and_offer(db, assigned, status="cancelled")
    db.commit()
    conflict = client.post(f"{API}/{assigned.id}", json={"status": "checked_in"})
    assert conflict.status_code == 409
    assert "membatalkan" in conflict.get_json()["message"]
    page = client.post(
        f"{URL}/{assigned.id}", data={"status": "checked_in"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "membatalkan" in page


def test_release_after_cutoff(
    app: Flask, client: FlaskClient, auth: AuthActions, db: Session, assigned: Assignment
) -> None:
    auth.login("crew")
    client.post(f"{API}/{assigned.id}", json={"status": "no_show"})
    app.config["FIXED_NOW"] = BEFORE
    early = client.post(f"{URL}/release", follow_redirects=True).get_data(as_text=True)
    assert "setelah pukul 06.30" in early
    assert (
        db.scalars(
            select(Assignment).where(
                Assignment.booth_id == assigned.booth_id, Assignment.status.in_(HOLDING_STATUSES)
            )
        ).first()
        is None
    )
    app.config["FIXED_NOW"] = AFTER
    page = client.get(URL).get_data(as_text=True)
    assert not re.search(r'class="danger" disabled', page)
    done = client.post(f"{URL}/release", follow_redirects=True).get_data(as_text=True)
    assert "1 lapak dilepas; 1 ditawarkan ke daftar tunggu." in done
    offer = db.scalars(
        select(Assignment).where(
            Assignment.booth_id == assigned.booth_id, Assignment.status.in_(HOLDING_STATUSES)
        )
    ).one()
    assert offer.vendor_id != assigned.vendor_id
    again = client.post(f"{URL}/release", follow_redirects=True).get_data(as_text=True)
    assert "Tidak ada lapak" in again


def test_json_mark_takes_the_csrf_header(
    database_url: str, db: Session, make_user, assigned: Assignment
) -> None:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-0123456789",
            "SQLALCHEMY_DATABASE_URI": database_url,
        },
        session=db,
    )
    client = app.test_client()
    user = make_user(role="crew")
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login)
    assert token
    client.post(
        "/login",
        data={"email": user.email, "password": "password123!", "csrf_token": token.group(1)},
    )
    page = client.get(URL).get_data(as_text=True)
    meta = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert meta
    assert client.post(f"{API}/{assigned.id}", json={"status": "checked_in"}).status_code == 400
    ok = client.post(
        f"{API}/{assigned.id}",
        json={"status": "checked_in"},
        headers={"X-CSRFToken": meta.group(1)},
    )
    assert ok.status_code == 200
    assert ok.get_json()["status"] == "checked_in"


def test_the_page_holds_the_event_map_by_check_in_state(
    app: Flask, client: FlaskClient, auth: AuthActions, db: Session, assigned: Assignment
) -> None:
    """Every booth of the event on a map beneath the search, coloured by its state; the
    search also finds a vendor by name."""
    from app.services import checkin as svc

    app.config["FIXED_NOW"] = BEFORE
    auth.login("crew")
    page = client.get(URL).get_data(as_text=True)
    assert 'id="checkin-map-box"' in page and "<details" in page
    assert "window.plCheckin" in page and "plAddBasemap(" in page  # the basemap beneath
    assert "/static/js/map_legend.js" in page and "Keadaan lapak" in page
    # the search box comes before the map, the map before the list
    assert page.index('id="checkin-q"') < page.index('id="checkin-map-box"')
    assert page.index('id="checkin-map-box"') < page.index('id="checkin-list"')
    booths = svc.checkin_map_booths(db, assigned.event)
    states = {b.code: b.state for b in booths}
    assert states[assigned.booth.code] == "assigned"
    assert {"assigned", "free", "service_desk"} <= set(states.values())
    assert f'"code": "{assigned.booth.code}"' in page
    # a vendor's own name finds their row (the list, without script)
    owner = assigned.vendor.owner_name
    found = client.get(URL, query_string={"q": owner.split()[0]}).get_data(as_text=True)
    assert f'id="a-{assigned.id}"' in found


def test_map_states_follow_the_marks(db: Session, event: Event, assigned: Assignment) -> None:
    from app.services import checkin as svc

    svc.mark(db, event, assigned.id, "no_show")
    states = {b.code: b.state for b in svc.checkin_map_booths(db, event)}
    assert states[assigned.booth.code] == "no_show"
    assert len(states) == len(event.booths)  # every booth of the event, held or not
