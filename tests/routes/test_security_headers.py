"""Security headers on every response: a CSP that fits the self-hosted assets (folium's inline
scripts carry the response's nonce), no framing, a strict referrer policy, no sniffing."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Assignment, Event, Vendor
from tests.conftest import AuthActions

EVENT = "cfd-2026-12-06"


def _policy(resp: object) -> dict[str, str]:
    text = resp.headers["Content-Security-Policy"]  # type: ignore[attr-defined]
    directives = [part.strip().split(" ", 1) for part in text.split(";")]
    return {name: (rest[0] if rest else "") for name, *rest in directives}


def _check_headers(resp: object) -> dict[str, str]:
    headers = resp.headers  # type: ignore[attr-defined]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin")
    assert headers["X-Content-Type-Options"] == "nosniff"
    policy = _policy(resp)
    assert policy["frame-ancestors"] == "'none'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert "http" not in resp.headers["Content-Security-Policy"]  # type: ignore[attr-defined]
    return policy


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/lapak",
        "/login",
        "/ogc/collections?f=json",
        "/ogc/collections/zones/items?f=html",
        "/static/css/app.css",
        "/static/vendor/leaflet/leaflet.js",
        "/tidak-ada",
        "/api/events/cfd-mikrodots-2025-11-23/booths",
    ],
)
def test_every_response_carries_the_headers(client: FlaskClient, path: str) -> None:
    _check_headers(client.get(path))


def test_staff_pages_and_posts_carry_them_too(client: FlaskClient, auth: AuthActions) -> None:
    resp = client.post("/login", data={"email": "x@y.test", "password": "salah-sekali!"})
    _check_headers(resp)
    auth.login("admin")
    for path in ("/planner/", "/planner/users", "/planner/map", f"/planner/events/{EVENT}"):
        _check_headers(client.get(path))


def _inline_scripts(html: str) -> list[str]:
    """Opening tags of the inline (not src=) executable scripts of a page."""
    tags = re.findall(r"<script\b[^>]*>", html)
    return [t for t in tags if "src=" not in t and 'type="application/json"' not in t]


def _assert_scripts_carry_the_nonce(resp: object) -> None:
    html = resp.get_data(as_text=True)  # type: ignore[attr-defined]
    policy = _check_headers(resp)
    inline = _inline_scripts(html)
    nonce = re.search(r"'nonce-([^']+)'", policy["script-src"])
    if inline:
        assert nonce is not None, "inline scripts but no nonce in the policy"
        for tag in inline:
            assert f'nonce="{nonce.group(1)}"' in tag, tag
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), "inline event handler"
    assert "javascript:" not in html


def test_map_pages_mark_folium_scripts_with_the_nonce(
    client: FlaskClient, auth: AuthActions
) -> None:
    # the public home page is cached whole: no inline script at all (its map script is a
    # file of its own), so its policy allows only the site's own scripts, no nonce
    home = client.get("/")
    assert _inline_scripts(home.get_data(as_text=True)) == []
    _assert_scripts_carry_the_nonce(home)
    assert _policy(home)["script-src"] == "'self'"
    auth.login("planner")
    # a logged-in planner's home page is rendered for them: still no inline script
    assert _inline_scripts(client.get("/").get_data(as_text=True)) == []
    # the other map pages mark folium's inline scripts with a nonce per response
    workspace = client.get("/planner/map")
    assert _inline_scripts(workspace.get_data(as_text=True))
    again = client.get("/planner/map")
    assert _policy(again)["script-src"] != _policy(workspace)["script-src"]
    _assert_scripts_carry_the_nonce(client.get("/planner/map"))
    _assert_scripts_carry_the_nonce(client.get(f"/planner/events/{EVENT}"))
    _assert_scripts_carry_the_nonce(client.get(f"/crew/events/{EVENT}/checkin"))
    _assert_scripts_carry_the_nonce(client.get("/planner/vendors/1/card"))


def test_vendor_page_map_carries_the_nonce(app: Flask, client: FlaskClient, db: Session) -> None:
    app.config["FIXED_NOW"] = datetime(2026, 11, 28, 10, 0)
    event = db.scalars(select(Event).where(Event.slug == EVENT)).one()
    vendor = db.scalars(
        select(Vendor)
        .join(Assignment, Assignment.vendor_id == Vendor.id)
        .where(Assignment.event_id == event.id, Vendor.phone.is_not(None))
        .limit(1)
    ).one()
    client.post("/lapak", data={"code": vendor.access_code, "phone4": vendor.phone[-4:]})
    page = client.get("/lapak")
    assert "folium-map" in page.get_data(as_text=True)
    _assert_scripts_carry_the_nonce(page)


def test_tile_server_origin_is_allowed_for_images_only(app: Flask, db: Session) -> None:
    from app import create_app

    tiled = create_app(
        {**app.config, "MAP_TILES": "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"},
        session=db,
    )
    resp = tiled.test_client().get("/")
    policy = _policy(resp)
    assert policy["img-src"] == "'self' data: https://*.tile.openstreetmap.org"
    others = {k: v for k, v in policy.items() if k != "img-src"}
    assert "openstreetmap" not in str(others)


def test_folium_header_gets_the_nonce_only_on_its_own_tags() -> None:
    from app.security_headers import nonced

    app = Flask(__name__)
    with app.test_request_context():
        out = str(nonced('<script src="/a.js"></script><style>a{}</style><script nonce="x">'))
    assert out.count("nonce=") == 3 and 'nonce="x"' in out
