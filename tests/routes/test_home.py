"""The first page: the city map, self-hosted, in Bahasa Indonesia with an English switch."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


def _page(client: FlaskClient, path: str = "/") -> str:
    """The page with its map script (folium's output, a file of its own since the page is
    cached whole): what the browser reads."""
    html = client.get(path).get_data(as_text=True)
    script = re.search(r'<script src="(/peta/peta\.js[^"]*)"', html)
    assert script is not None
    return html + client.get(script.group(1).replace("&amp;", "&")).get_data(as_text=True)


def test_home_shows_the_city_map_without_external_urls(client: FlaskClient) -> None:
    html = _page(client)
    assert "Peta Zona PKL Pontianak" in html
    assert "CFD Jl. Ahmad Yani" in html  # a zone popup
    assert "Zona merah" in html  # legend in Indonesian
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    assert not re.search(r"https?://", html.replace("http://www.w3.org", ""))
    assert "user-scalable=no" not in html


def test_english_switch(client: FlaskClient) -> None:
    html = _page(client, "/?lang=en")
    assert 'lang="en"' in html
    assert "Street vendor zone map of Pontianak" in html
    assert "Red zone (no vending)" in html  # legend
    # the choice sticks for the session
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_static_vendor_assets_are_served(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    for path in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        resp = client.get(path)
        resp.close()
        assert resp.status_code == 200, path


def test_health(client: FlaskClient) -> None:
    assert client.get("/healthz").json["status"] == "ok"


def test_home_with_a_tile_layer(client: FlaskClient, app) -> None:  # type: ignore[no-untyped-def]
    app.config["MAP_TILES"] = "https://tiles.example.id/{z}/{x}/{y}.png"
    app.config["MAP_TILES_ATTRIBUTION"] = "© OpenStreetMap contributors"
    html = _page(client)
    assert "tiles.example.id" in html and "OpenStreetMap contributors" in html


def test_pages_have_an_icon_served_by_the_app(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert 'rel="icon"' in html and "/static/favicon.svg" in html
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    icon.close()
    legacy = client.get("/favicon.ico")
    assert legacy.status_code == 301 and legacy.headers["Location"].endswith("/static/favicon.svg")
