"""Security headers on every response: Content-Security-Policy, framing, referrer, sniffing.

The policy fits what the pages really load, all from this site (Leaflet, jQuery and the map
plugins are self-hosted; the maps work offline):

* ``script-src 'self' 'nonce-…'``: the app's own files, plus the inline scripts the server writes
  itself. folium puts the whole map into inline ``<script>`` blocks (the map, its layers, the
  data): each page marks those with this response's nonce (``csp_nonce()`` in templates, and the
  ``nonced`` filter for folium's header). No ``'unsafe-inline'`` and no ``eval``: an injected
  ``<script>`` or ``onerror=`` attribute does not run. Pages use no ``on…=`` attributes (the small
  behaviours live in ``static/js/page.js``).
* ``style-src 'self' 'unsafe-inline'``: Leaflet and folium write ``style`` attributes into the HTML
  they build (popups, the legend, the vendor page's colour swatches) and folium puts ``<style>``
  blocks in the page head. Inline styles cannot run code; HTML escaping of user text keeps them
  from being injected. (A nonce here would disable ``'unsafe-inline'`` for the attributes.)
* ``img-src 'self' data:``: Leaflet's and Geoman's icons are ``data:`` images; with ``MAP_TILES``
  set, the tile server's origin (``{s}`` subdomains as ``*``) is added here and nowhere else.
* ``connect-src 'self'`` (the pages fetch GeoJSON, vector tiles and the JSON APIs from here),
  ``object-src 'none'``, ``base-uri 'self'``, ``form-action 'self'``, ``frame-ancestors 'none'``.

Also ``X-Frame-Options: DENY`` (older browsers), ``Referrer-Policy: same-origin`` (a vendor's
signed ``/lapak/v/…`` address never travels to another site in a ``Referer``), and
``X-Content-Type-Options: nosniff``.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from flask import Flask, g
from markupsafe import Markup
from werkzeug.wrappers import Response

_NONCE_ATTR = "petalapak_csp_nonce"
_OPENING_TAG = re.compile(r"<(script|style)\b(?![^>]*\bnonce=)", re.IGNORECASE)


def csp_nonce() -> str:
    """This response's nonce for the inline ``<script>`` blocks the server writes."""
    nonce = getattr(g, _NONCE_ATTR, None)
    if nonce is None:
        nonce = secrets.token_urlsafe(18)
        setattr(g, _NONCE_ATTR, nonce)
    return str(nonce)


def nonced(html: str) -> Markup:
    """Trusted server-made HTML (folium's page header) with the nonce on each script/style tag.

    Only for markup the server generated with user text already escaped: every ``<script>`` in
    it will be allowed to run.
    """
    tagged = _OPENING_TAG.sub(lambda m: f'<{m.group(1)} nonce="{csp_nonce()}"', str(html))
    return Markup(tagged)  # noqa: S704 - server-made markup, as the docstring says


def tile_origin(template: str | None) -> str | None:
    """The CSP source of a tile URL template (``{s}`` subdomains as a wildcard), or None.

    >>> tile_origin("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png")
    'https://*.tile.openstreetmap.org'
    >>> tile_origin("https://tiles.pontianak.go.id:8443/osm/{z}/{x}/{y}.png")
    'https://tiles.pontianak.go.id:8443'
    >>> tile_origin("/tiles/{z}/{x}/{y}.png") is None, tile_origin(None) is None
    (True, True)
    """
    if not template:
        return None
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = re.sub(r"^\{[a-z]\}(?=\.)", "*", parts.netloc)
    if not re.fullmatch(r"(\*\.)?[A-Za-z0-9.-]+(:[0-9]+)?", host):
        return None  # a template in a form a policy cannot name: better no tiles than no policy
    return f"{parts.scheme}://{host}"


def content_security_policy(*, nonce: str | None, tiles: str | None) -> str:
    """The policy text for one response.

    >>> content_security_policy(nonce="abc", tiles=None).split("; ")[1]
    "script-src 'self' 'nonce-abc'"
    """
    script_src = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    img_src = "'self' data:" + (f" {tiles}" if tiles else "")
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {script_src}",
            "style-src 'self' 'unsafe-inline'",
            f"img-src {img_src}",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def init_security_headers(app: Flask) -> None:
    """Add the headers to every response; give templates ``csp_nonce()`` and ``|nonced``."""
    tiles = tile_origin(app.config["MAP_TILES"])
    app.add_template_global(csp_nonce, "csp_nonce")
    app.add_template_filter(nonced, "nonced")

    @app.after_request
    def _security_headers(response: Response) -> Response:
        nonce = getattr(g, _NONCE_ATTR, None)
        headers = response.headers
        headers["Content-Security-Policy"] = content_security_policy(nonce=nonce, tiles=tiles)
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Content-Type-Options"] = "nosniff"
        return response
