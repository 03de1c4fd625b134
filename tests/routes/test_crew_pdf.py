"""Crew print-out routes: staff only, PDF out."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import AuthActions

URL = "/crew/events/cfd-2026-12-06"


def test_anonymous_is_sent_to_login(client: FlaskClient) -> None:
    for path in ("layout.pdf", "vendors.pdf"):
        resp = client.get(f"{URL}/{path}")
        assert resp.status_code == 302
        assert "/login" in resp.headers["Location"]


def test_crew_downloads_the_a4_layout(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("crew")
    resp = client.get(f"{URL}/layout.pdf?size=A4")
    assert resp.status_code == 200
    assert resp.mimetype == "application/pdf"
    assert resp.data[:5] == b"%PDF-"
    assert "A4.pdf" in resp.headers["Content-Disposition"]
    assert "no-store" in resp.headers["Cache-Control"]


def test_crew_downloads_the_vendor_list(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("crew")
    resp = client.get(f"{URL}/vendors.pdf")
    assert resp.status_code == 200
    assert resp.data[:5] == b"%PDF-"


def test_bad_size_and_unknown_event(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("crew")
    assert client.get(f"{URL}/layout.pdf?size=B5").status_code == 400
    assert client.get("/crew/events/tidak-ada/layout.pdf").status_code == 404
