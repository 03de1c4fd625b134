"""Public pages: the city map with its zones, facilities and the next event's booths.

The home page is a small shell (folium composes the map; its parts are cached under the city's
change counter) and its layers come from ``/peta/data.json``, one compact GeoJSON document,
cached gzipped under the same counter, with an ETag, and immutable at the versioned address the
shell links. ``/peta/cari`` searches the event's stalls with public data only.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as flask_session
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app import clock
from app.cache import built_once, cache_key, get_cache
from app.db import get_session
from app.models import Event
from app.services.basemap import basemap_source
from app.services.cities import database_error
from app.services.events import corridor_bounds
from app.services.public_map import (
    CityState,
    booths_centre,
    city_state,
    next_event,
    public_layers_json,
    public_map_json,
    public_stalls,
    published_event,
    published_events,
    search_landmarks,
    search_stalls,
)

bp = Blueprint("main", __name__)

#: A versioned data address never changes its answer's version: browsers keep it a year.
IMMUTABLE = "public, max-age=31536000, immutable"
#: Longest search text read (a stall name is at most 200 characters; people type a few words).
SEARCH_MAX_CHARS = 80


def _city_state() -> CityState | None:
    return city_state(get_session(), current_app.config["DEFAULT_CITY"])


def _event_summary(event: Event) -> dict[str, Any]:
    return {"slug": event.slug, "name": event.name, "date": format_date(event.date, "d MMMM y")}


def _etag_of(body: bytes) -> str:
    """A content address: 32 hex digits of the bytes' BLAKE2b digest."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def _ttl() -> int:
    return int(current_app.config["CACHE_TTL"])


def _map_data(city: CityState, slug: str) -> tuple[str, bytes]:
    """``(content address, gzipped GeoJSON)`` of the map's data at the city's counter.

    Built once per counter (:func:`app.cache.built_once`), and only after ``slug`` was found
    published (404 otherwise), so a cached answer needs no other query. The layers (geometry,
    conflicts) are kept under the ``layout_version``; a counter step that leaves them (a
    check-in, a stall renamed) re-reads only who trades where. The address is the data's
    digest: a change that leaves the public data as it was gives the same address, and
    browsers keep what they hold.
    """
    cache, ttl = get_cache(), _ttl()

    def build() -> bytes:
        event = _published_event(city, slug)
        session = get_session()

        def layers() -> bytes:
            return public_layers_json(session, city.id, event).encode()

        layers_key = cache_key("public-layers", str(city.id), slug, str(city.layout_version))
        layers_json = built_once(cache, layers_key, layers, ttl).decode()
        raw = public_map_json(layers_json, public_stalls(session, event)).encode()
        return _etag_of(raw).encode() + gzip.compress(raw, compresslevel=6, mtime=0)

    key = cache_key("public-map-data", str(city.id), slug, str(city.version))
    value = built_once(cache, key, build, ttl)
    return value[:32].decode(), value[32:]


def _map_data_address(city: CityState, slug: str) -> str:
    """The content address of :func:`_map_data` alone (32 bytes to read, not the document)."""

    def build() -> bytes:
        return _map_data(city, slug)[0].encode()

    key = cache_key("public-map-address", str(city.id), slug, str(city.version))
    return built_once(get_cache(), key, build, _ttl()).decode()


def _shell(city: CityState, wanted: str | None) -> dict[str, Any]:
    """The home page's map parts and event choice (built once per counter, day and language)."""
    from app.views.basemap_view import basemap_layer  # folium: loaded when a map is drawn
    from app.views.map_page import public_map_parts

    session = get_session()
    events = published_events(session, city.id)
    shown = _shown_slug(city, wanted)
    event = next((e for e in events if e.slug == shown), None)
    centre = booths_centre(session, event) if event is not None else None
    if event is not None and centre is None:
        bounds = corridor_bounds(session, event)
        if bounds:
            centre = ((bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2)
    slug = event.slug if event else None
    data_url = url_for("main.public_map_data", event=slug, h=_map_data(city, slug or "")[0])
    parts = public_map_parts(
        static_base=url_for("static", filename="vendor").rstrip("/"),
        script_urls={
            "legend": url_for("static", filename="js/map_legend.js"),
            "public": url_for("static", filename="js/public_map.js"),
        },
        data_url=data_url,
        search_url=url_for("main.public_search", event=slug),
        centre=centre,
        bounds=None,
        tiles=current_app.config["MAP_TILES"],
        tiles_attribution=current_app.config["MAP_TILES_ATTRIBUTION"],
        basemap=basemap_layer(city.slug, basemap_source(session, city.id)),
    )
    script_url = url_for(
        "main.public_map_script",
        acara=wanted,
        lang=str(get_locale() or "id"),
        h=_etag_of(parts["script"].encode()),
    )
    return {
        "map": parts,
        "data_url": data_url,
        "script_url": script_url,
        "event": _event_summary(event) if event is not None else None,
        "events": [_event_summary(e) for e in events],
    }


def _shown_slug(city: CityState, wanted: str | None) -> str:
    """The slug of the event the home map shows (``""``: none), kept per layout counter and day."""

    def build() -> bytes:
        events = published_events(get_session(), city.id)
        chosen = next((e for e in events if e.slug == wanted), None)
        event = chosen or next_event(events, clock.today())
        return (event.slug if event else "").encode()

    day = clock.today().isoformat()
    key = cache_key("home-event", str(city.id), str(city.layout_version), day, wanted or "")
    return built_once(get_cache(), key, build, _ttl()).decode()


def _shell_key(city: CityState, wanted: str | None) -> str:
    """The shell's key: the layout counter (events, zones, booths), the data it names (their
    digest at the counter), the day (the next event changes at midnight), the date chosen,
    the language and the tiles."""
    return cache_key(
        "home-shell",
        str(city.id),
        str(city.layout_version),
        _map_data_address(city, _shown_slug(city, wanted)),
        clock.today().isoformat(),
        wanted or "",
        str(get_locale() or "id"),
        current_app.config["MAP_TILES"] or "",
    )


def _cached_shell(city: CityState, wanted: str | None) -> dict[str, Any]:
    """The shell for this counter, day, date choice and language: from the cache, or built."""

    def build() -> bytes:
        return json.dumps(_shell(city, wanted)).encode()

    shell: dict[str, Any] = json.loads(
        built_once(get_cache(), _shell_key(city, wanted), build, _ttl())
    )
    return shell


@bp.route("/")
def home() -> str | Response:
    """The city map: a cached shell; zones, facilities and the event's booths are fetched.

    The page holds no inline script (its map script is ``/peta/peta.js``), so a visitor who is
    not logged in and has no message waiting gets the same bytes as everyone: cached gzipped
    with an ETag of its content, a 304 while the browser holds them. Its script and data
    addresses are content addresses too, so a change that leaves the public map as it was
    (a check-in) leaves the page as it was. Staff see their own menu and logout token, so
    their page is rendered.
    """
    city = _city_state()
    if city is None:
        return render_template("home_empty.html")
    wanted = request.args.get("acara") or None
    anonymous = not current_user.is_authenticated and "_flashes" not in flask_session
    if not anonymous:
        shell = _cached_shell(city, wanted)
        return render_template("home.html", city=city, title=_("Peta Zona PKL"), **shell)

    def build() -> bytes:
        shell = _cached_shell(city, wanted)
        raw = render_template("home.html", city=city, title=_("Peta Zona PKL"), **shell).encode()
        return _etag_of(raw).encode() + gzip.compress(raw, compresslevel=6, mtime=0)

    # one cache read per visit: the page under the counter itself (its content, and so its
    # ETag, stays when the public map does; rebuilding it from the cached shell is a render)
    page_key = cache_key(
        "home-page",
        str(city.id),
        str(city.version),
        clock.today().isoformat(),
        wanted or "",
        str(get_locale() or "id"),
        current_app.config["MAP_TILES"] or "",
    )
    page = built_once(get_cache(), page_key, build, _ttl())
    etag, gzipped = page[:32].decode(), page[32:]
    headers = {"Cache-Control": "no-cache", "Vary": "Accept-Encoding, Cookie"}
    if request.if_none_match.contains(etag):
        resp = Response(status=304, headers=headers)
    elif "gzip" in request.headers.get("Accept-Encoding", ""):
        resp = Response(gzipped, mimetype="text/html", headers=headers)
        resp.headers["Content-Encoding"] = "gzip"
    else:
        resp = Response(gzip.decompress(gzipped), mimetype="text/html", headers=headers)
    resp.set_etag(etag)
    return resp


@bp.get("/peta/peta.js")
def public_map_script() -> BaseResponse:
    """The home map's script (folium's output) for ``?acara=…&lang=…``: immutable at its
    content address (``h``), revalidated at an old one."""
    city = _city_state()
    if city is None:
        abort(404)
    script = _cached_shell(city, request.args.get("acara") or None)["map"]["script"]
    resp = Response(script, mimetype="text/javascript")
    digest = _etag_of(resp.get_data())
    resp.headers["Cache-Control"] = (
        IMMUTABLE if request.args.get("h") == digest else "public, no-cache"
    )
    resp.headers["Vary"] = "Accept-Encoding, Cookie"
    resp.set_etag(digest)
    return resp.make_conditional(request)


def _published_event(city: CityState, slug: str | None) -> Event | None:
    """The city's published event ``slug`` (404 otherwise); None without a slug."""
    if not slug:
        return None
    event = published_event(get_session(), city.id, slug)
    if event is None:
        abort(404)
    return event


@bp.get("/peta/data.json")
def public_map_data() -> Response:
    """Zones, facilities and a published event's booths (``?event=slug``) as compact GeoJSON,
    immutable at its content address (``h``), with an ETag."""
    city = _city_state()  # its counter before the data: the answer is at least this new
    if city is None:
        abort(404)
    digest, body = _map_data(city, request.args.get("event") or "")
    headers = {
        "Cache-Control": IMMUTABLE if request.args.get("h") == digest else "public, no-cache",
        "Vary": "Accept-Encoding",
        "Access-Control-Allow-Origin": "*",
    }
    if request.if_none_match.contains(digest):
        resp = Response(status=304, headers=headers)
    elif "gzip" in request.headers.get("Accept-Encoding", ""):
        resp = Response(body, mimetype="application/geo+json", headers=headers)
        resp.headers["Content-Encoding"] = "gzip"
    else:
        resp = Response(gzip.decompress(body), mimetype="application/geo+json", headers=headers)
    resp.set_etag(digest)
    return resp


@bp.get("/peta/cari")
def public_search() -> tuple[Response, int] | Response:
    """Landmarks of the city, and a published event's stalls (``?event=slug``) by booth code,
    stall name or goods (``?q=es campur``): public data only."""
    city = _city_state()
    if city is None:
        abort(404)
    text = request.args.get("q", "")
    if len(text) > SEARCH_MAX_CHARS:
        message = _(
            "Kata pencarian (q) terlalu panjang: paling banyak %(n)d karakter.", n=SEARCH_MAX_CHARS
        )
        return jsonify({"error": message, "field": "q"}), 400
    event = _published_event(city, request.args.get("event"))
    cache = get_cache()
    key = cache_key(
        "public-search",
        str(city.id),
        str(event.id if event else 0),
        str(city.version),
        text.lower(),
    )
    hit = cache.get(key) if cache is not None else None
    if hit is None:
        session = get_session()
        results = search_landmarks(session, city.id, text)
        if event is not None:
            results += search_stalls(session, event, text)
        hit = json.dumps({"results": results}, ensure_ascii=False).encode()
        if cache is not None:
            cache.set(key, hit, int(current_app.config["CACHE_TTL"]))
    resp = Response(hit, mimetype="application/json")
    resp.headers["Cache-Control"] = "public, no-cache"
    return resp


@bp.route("/healthz")
def healthz() -> tuple[dict[str, str], int, dict[str, str]]:
    """Liveness plus a database round trip: 503 when the database does not answer."""
    headers = {"Cache-Control": "no-store"}
    error = database_error(get_session())
    if error is not None:
        current_app.logger.warning("healthz: database unavailable: %s", error)
        return {"status": "unavailable", "database": "down"}, 503, headers
    return {"status": "ok", "database": "ok"}, 200, headers


@bp.route("/favicon.ico")
def favicon() -> BaseResponse:
    """Browsers and GIS clients ask for it unprompted; our pages link the SVG icon."""
    resp = redirect(url_for("static", filename="favicon.svg"), code=301)
    resp.headers["Cache-Control"] = "public, max-age=86400"
    return resp
