"""OGC API – Features under ``/ogc``: a thin Flask adapter over :mod:`app.ogc.core`.

Planner-only collections (``vendors-<event>``) are read with a planner's login session or an API
token (``Authorization: Bearer …``, one of ``PETALAPAK_API_TOKENS``). Public JSON item pages are
cached (see :mod:`app.cache`).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import Blueprint, Response, current_app, g, render_template, request
from flask_login import current_user

from app.cache import cache_key, get_cache
from app.db import get_read_session, get_session
from app.ogc.core import ApiRequest, OgcApi
from app.ogc.params import OgcError, negotiate
from app.ogc.provider import Provider
from app.services.data_version import any_version

bp = Blueprint("ogc", __name__)

PUBLIC_PREFIXES = ("zones", "facilities", "booths-")


def bearer_token_status() -> bool | None:
    """True: a valid API token; False: a token that is not valid; None: no token sent."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    token = token.strip()
    for known in current_app.config["API_TOKENS"]:
        if token and hmac.compare_digest(token.encode(), known.encode()):
            g.api_token = True  # the request log names the caller "api-token"
            return True
    return False


def _api(*, one_statement: bool = False) -> OgcApi:
    """The core over PostGIS; ``one_statement``: the answer is one read (item pages), so it runs
    in autocommit with no transaction round trips (:func:`app.db.get_read_session`)."""

    def render(name: str, **ctx: Any) -> str:
        return render_template(f"ogc/{name}", **ctx)

    session = get_read_session() if one_statement else get_session()
    provider = Provider(session, timezone=current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return OgcApi(provider, render)


def _request() -> ApiRequest | OgcError:
    token = bearer_token_status()
    if token is False:
        return OgcError(401, "Unauthorized", "The API token is not valid.")
    authenticated = bool(current_user.is_authenticated)
    private = bool(token) or (authenticated and current_user.can("vendors.read_private"))
    return ApiRequest(
        base_url=request.url_root.rstrip("/") + "/ogc",
        args={k: v for k, v in request.args.items()},
        accept=request.headers.get("Accept"),
        private=private,
        authenticated=authenticated,
    )


def conditional(resp: Response) -> Response:
    """Give a 200 an ETag, and answer 304 when the client already holds it.

    Flask-Compress turns the tag ``"x"`` of a gzipped body into ``"x:gzip"``; both match here.
    """
    etag = hashlib.blake2b(resp.get_data(), digest_size=16).hexdigest()
    resp.set_etag(etag)
    held = {tag.split(":", 1)[0] for tag in request.if_none_match.as_set()}
    if etag in held or request.if_none_match.star_tag:
        not_modified = Response(status=304)
        for name in ("ETag", "Cache-Control", "Vary", "Access-Control-Allow-Origin"):
            if name in resp.headers:
                not_modified.headers[name] = resp.headers[name]
        return not_modified
    return resp


def _respond(result: tuple[dict[str, str], int, str], *, vary: str) -> Response:
    headers, status, content = result
    resp = Response(content, status=status, headers=headers)
    resp.headers["Vary"] = vary
    return conditional(resp) if status == 200 else resp


def _call(
    method: str,
    *args: str,
    vary: str = "Accept, Authorization, Cookie",
    one_statement: bool = False,
) -> Response:
    api = _api(one_statement=one_statement)
    req = _request()
    if isinstance(req, OgcError):
        return _respond(api.error(req), vary=vary)
    return _respond(getattr(api, method)(req, *args), vary=vary)


@bp.get("/ogc")
@bp.get("/ogc/")
def landing() -> Response:
    """The landing page."""
    return _call("landing")


@bp.get("/ogc/conformance")
def conformance() -> Response:
    """The conformance declaration."""
    return _call("conformance")


@bp.get("/ogc/api")
def api() -> Response:
    """The OpenAPI 3.0 document."""
    return _call("api")


@bp.get("/ogc/collections")
def collections() -> Response:
    """Every collection the caller may read."""
    return _call("collections")


@bp.get("/ogc/collections/<collection_id>")
def collection(collection_id: str) -> Response:
    """One collection."""
    return _call("collection", collection_id)


def _cacheable_json() -> bool:
    try:
        return negotiate(request.args.get("f"), request.headers.get("Accept")) == "json"
    except OgcError:
        return False


@bp.get("/ogc/collections/<collection_id>/items")
def items(collection_id: str) -> Response:
    """A page of features; public JSON pages come from the cache while the data is unchanged."""
    cache = get_cache()
    key = None
    if (
        cache is not None
        and collection_id.startswith(PUBLIC_PREFIXES)
        and "Authorization" not in request.headers
        and _cacheable_json()
    ):
        # the change counter is read before the page: a page cached under it is never older
        key = cache_key(
            "ogc-items",
            request.url_root,
            collection_id,
            request.query_string.decode("latin-1"),
            str(any_version(get_read_session())),
        )
        hit = cache.get(key)
        if hit is not None:
            resp = _respond(
                (
                    {"Content-Type": "application/geo+json", "Cache-Control": "public, max-age=60"},
                    200,
                    hit.decode("utf-8"),
                ),
                vary="Accept",
            )
            resp.headers["X-Cache"] = "hit"
            return resp
    resp = _call("items", collection_id, vary="Accept", one_statement=True)
    if (
        key is not None
        and cache is not None
        and resp.status_code == 200
        and resp.headers.get("Cache-Control", "").startswith("public")
    ):
        cache.set(key, resp.get_data(), int(current_app.config["CACHE_TTL"]))
        resp.headers["X-Cache"] = "miss"
    return resp


@bp.get("/ogc/collections/<collection_id>/items/<path:feature_id>")
def item(collection_id: str, feature_id: str) -> Response:
    """One feature."""
    return _call("item", collection_id, feature_id, vary="Accept")


@bp.get("/ogc/<path:rest>")
def unknown(rest: str) -> Response:
    """Anything else under /ogc: the OGC 404 document rather than the site's HTML page."""
    return _respond(
        _api().error(OgcError(404, "NotFound", f"No resource at /ogc/{rest}.")), vary="Accept"
    )
