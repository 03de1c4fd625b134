"""Vector tiles: ``/tiles/{zones|facilities|booths}/{z}/{x}/{y}.mvt[?event=slug]``, and a city's
basemap: ``/tiles/basemap/{z}/{x}/{y}.mvt?city=slug`` with its street-name and landmark labels at
``/tiles/basemap-labels/{z}/{x}/{y}.json?city=slug`` (:mod:`app.services.basemap`).

A thin adapter over :func:`app.ogc.tiles.tile`. Public tiles carry ``Cache-Control: public`` and
an ETag, and are cached (:mod:`app.cache`) under the data's change counter, so a cached tile is
never older than the data; booths of unpublished events are for staff only.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, request
from flask_login import current_user

from app.cache import cache_key, get_cache
from app.db import get_session
from app.ogc.provider import Provider
from app.ogc.tiles import MVT, TileError, parse_tile, tile
from app.routes.ogc import bearer_token_status, conditional
from app.services import basemap
from app.services.data_version import any_version, city_version
from app.services.errors import ServiceError

bp = Blueprint("tiles", __name__)


@bp.get("/tiles/<layer>/<z>/<x>/<y>.mvt")
def vector_tile(layer: str, z: str, x: str, y: str) -> Response:
    """One Mapbox vector tile (204 when nothing is there)."""
    event_slug, city_slug = request.args.get("event"), request.args.get("city")
    staff = bool(current_user.is_authenticated) or bearer_token_status() is True
    cache = get_cache()
    key = None
    if cache is not None:
        # staff see unpublished events too (never cached: private), so their answers for the
        # same URL may differ; published tiles are cached for both, under separate keys
        key = cache_key(
            "tile",
            layer,
            z,
            x,
            y,
            event_slug or "",
            city_slug or "",
            "staff" if staff else "public",
            str(any_version(get_session())),
        )
        hit = cache.get(key)
        if hit is not None:
            return _respond(
                (
                    {
                        "Content-Type": MVT,
                        "Cache-Control": "public, max-age=300",
                        "Access-Control-Allow-Origin": "*",
                        "X-Cache": "hit",
                    },
                    200 if hit else 204,
                    hit,
                )
            )
    provider = Provider(get_session(), timezone=current_app.config["BABEL_DEFAULT_TIMEZONE"])
    headers, status, data = tile(
        provider, layer, z, x, y, event_slug=event_slug, staff=staff, city_slug=city_slug
    )
    if (
        key is not None
        and cache is not None
        and status in (200, 204)
        and headers["Cache-Control"].startswith("public")
    ):
        cache.set(key, data, int(current_app.config["CACHE_TTL"]))
        headers = {**headers, "X-Cache": "miss"}
    return _respond((headers, status, data))


def _respond(result: tuple[dict[str, str], int, bytes]) -> Response:
    headers, status, data = result
    resp = Response(data if status != 204 else b"", status=status, headers=headers)
    if not resp.headers.get("Cache-Control", "").startswith("public"):
        resp.headers["Vary"] = "Cookie, Authorization"
    return conditional(resp) if status == 200 else resp


@bp.get("/tiles/basemap/<z>/<x>/<y>.mvt")
def basemap_tile(z: str, x: str, y: str) -> Response:
    """One vector tile of a city's basemap (``?city=slug``): roads, water, buildings."""
    return _basemap_answer("basemap", z, x, y)


@bp.get("/tiles/basemap-labels/<z>/<x>/<y>.json")
def basemap_labels(z: str, x: str, y: str) -> Response:
    """Street names and landmarks inside one tile of a city's basemap (``?city=slug``)."""
    return _basemap_answer("labels", z, x, y)


def _basemap_answer(what: str, z: str, x: str, y: str) -> Response:
    text_plain = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
    city_slug = request.args.get("city") or ""
    session = get_session()
    try:
        zxy = parse_tile(z, x, y)
        city_id = basemap.city_id_of(session, city_slug)
    except TileError as exc:
        return _respond((text_plain, exc.status, exc.message.encode()))
    except ServiceError as exc:
        return _respond((text_plain, exc.status, exc.message_en.encode()))
    content_type = MVT if what == "basemap" else "application/json"
    headers = {
        "Content-Type": content_type,
        "Cache-Control": "public, max-age=300",
        "Access-Control-Allow-Origin": "*",
    }
    cache = get_cache()
    key = None
    if cache is not None:
        # the version is read before the data, so a cached answer is never older than its key
        key = cache_key(what, city_slug, *map(str, zxy), str(city_version(session, city_id)))
        hit = cache.get(key)
        if hit is not None:
            return _respond(({**headers, "X-Cache": "hit"}, 200 if hit else 204, hit))
    if what == "basemap":
        data = basemap.basemap_tile(session, city_id, *zxy)
    else:
        data = json.dumps(
            basemap.label_tile(session, city_id, *zxy), ensure_ascii=False, separators=(",", ":")
        ).encode()
    if key is not None and cache is not None:
        cache.set(key, data, int(current_app.config["CACHE_TTL"]))
        headers["X-Cache"] = "miss"
    return _respond((headers, 200 if data else 204, data))
