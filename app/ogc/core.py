"""The OGC API – Features core: plain functions from a request description to a response.

Nothing here imports Flask. Each method of :class:`OgcApi` takes an :class:`ApiRequest` and
returns ``(headers, status, content)`` where content is JSON text or HTML, like pygeoapi's
``API`` class; ``app/routes/ogc.py`` adapts it to Flask.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from app.ogc.collection import Collection, FeatureProvider
from app.ogc.openapi import openapi_document
from app.ogc.params import (
    DEFAULT_LIMIT,
    MAX_ID,
    MAX_LIMIT,
    MAX_OFFSET,
    BBox,
    DateTimeFilter,
    OgcError,
    bad_request,
    negotiate,
    parse_bbox,
    parse_datetime,
    parse_int,
)

Headers = dict[str, str]
Response = tuple[Headers, int, str]
Renderer = Callable[..., str]

JSON, GEOJSON, HTML = "application/json", "application/geo+json", "text/html; charset=utf-8"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
]
#: Public answers may sit in shared caches briefly; booth status changes on the day.
PUBLIC_CACHE = "public, max-age=60"
PRIVATE_CACHE = "private, no-store"


@dataclass(frozen=True)
class ApiRequest:
    """What the core needs from an HTTP request, already read by the adapter."""

    base_url: str  # the API root, without a trailing slash: http://host/ogc
    args: Mapping[str, str]
    accept: str | None = None
    #: the caller is a planner (session) or holds an API token: private collections are visible
    private: bool = False
    #: the caller is logged in (perhaps as crew, who may not read vendors' data)
    authenticated: bool = False


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class OgcApi:
    """OGC API – Features over a :class:`FeatureProvider`, rendering HTML through ``render``."""

    def __init__(
        self,
        provider: FeatureProvider,
        render: Renderer,
        *,
        title: str = "PetaLapak",
        description: str = "",
    ) -> None:
        self.provider, self.render = provider, render
        self.title = title
        self.description = description or (
            "Street-vending zones, public facilities and Car Free Day booths as OGC API – "
            "Features (GeoJSON, CRS84)."
        )

    # -- helpers -------------------------------------------------------------------------------

    def _fmt(self, req: ApiRequest) -> str:
        return negotiate(req.args.get("f"), req.accept)

    def error(self, exc: OgcError, fmt: str = "json") -> Response:
        """The OGC exception document (JSON), or an HTML page for browsers."""
        headers = {"Cache-Control": "no-store"}
        if exc.status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="PetaLapak OGC API"'
        if fmt == "html":
            return (
                {**headers, "Content-Type": HTML},
                exc.status,
                self.render("error.html", error=exc.to_dict(), status=exc.status),
            )
        return {**headers, "Content-Type": JSON}, exc.status, _dumps(exc.to_dict())

    def _guard(self, req: ApiRequest, body: Callable[[str], Response]) -> Response:
        try:
            fmt = self._fmt(req)
        except OgcError as exc:
            return self.error(exc)
        try:
            return body(fmt)
        except OgcError as exc:
            return self.error(exc, fmt)

    def _json(self, obj: Any, *, private: bool = False, ctype: str = JSON) -> Response:
        return (
            {"Content-Type": ctype, "Cache-Control": PRIVATE_CACHE if private else PUBLIC_CACHE},
            200,
            _dumps(obj),
        )

    def _html(self, template: str, *, private: bool = False, **ctx: Any) -> Response:
        return (
            {"Content-Type": HTML, "Cache-Control": PRIVATE_CACHE if private else "no-cache"},
            200,
            self.render(template, **ctx),
        )

    def _collection(self, req: ApiRequest, collection_id: str) -> Collection:
        coll = self.provider.collection(collection_id, private=req.private)
        if (
            coll is None
            and not req.private
            and collection_id.startswith("vendors-")
            and self.provider.collection(collection_id, private=True) is not None
        ):
            if req.authenticated:
                raise OgcError(403, "Forbidden", "Vendor data is for planners only.")
            raise OgcError(
                401, "Unauthorized", "Log in as a planner or send 'Authorization: Bearer <token>'."
            )
        if (
            coll is None
            and not req.private
            and collection_id == "street-reports"
            and self.provider.collection(collection_id, private=True) is not None
        ):
            if req.authenticated:
                raise OgcError(403, "Forbidden", "Street reports are for planners only.")
            raise OgcError(
                401, "Unauthorized", "Log in as a planner or send 'Authorization: Bearer <token>'."
            )
        if coll is None:
            raise OgcError(404, "NotFound", f"Collection '{collection_id}' not found.")
        return coll

    @staticmethod
    def _links(url: str, *, rel_self: str, ctype: str, title: str) -> list[dict[str, str]]:
        return [
            {
                "href": f"{url}?f=json",
                "rel": "self" if rel_self == "json" else "alternate",
                "type": ctype,
                "title": f"{title} (JSON)",
            },
            {
                "href": f"{url}?f=html",
                "rel": "self" if rel_self == "html" else "alternate",
                "type": "text/html",
                "title": f"{title} (HTML)",
            },
        ]

    # -- resources -----------------------------------------------------------------------------

    def landing(self, req: ApiRequest) -> Response:
        """``/``: title, description and links to the API description, conformance and data."""

        def body(fmt: str) -> Response:
            b = req.base_url
            doc = {
                "title": self.title,
                "description": self.description,
                "links": [
                    *self._links(b, rel_self=fmt, ctype=JSON, title="Landing page"),
                    {
                        "href": f"{b}/api",
                        "rel": "service-desc",
                        "type": OPENAPI,
                        "title": "OpenAPI 3.0 definition",
                    },
                    {
                        "href": f"{b}/api?f=html",
                        "rel": "service-doc",
                        "type": "text/html",
                        "title": "API documentation",
                    },
                    {
                        "href": f"{b}/conformance",
                        "rel": "conformance",
                        "type": JSON,
                        "title": "Conformance classes",
                    },
                    {
                        "href": f"{b}/collections",
                        "rel": "data",
                        "type": JSON,
                        "title": "Collections",
                    },
                ],
            }
            if fmt == "html":
                return self._html("landing.html", doc=doc, base=b)
            return self._json(doc)

        return self._guard(req, body)

    def conformance(self, req: ApiRequest) -> Response:
        """``/conformance``: the conformance classes this API implements."""

        def body(fmt: str) -> Response:
            doc = {"conformsTo": CONFORMANCE}
            if fmt == "html":
                return self._html("conformance.html", doc=doc, base=req.base_url)
            return self._json(doc)

        return self._guard(req, body)

    def api(self, req: ApiRequest) -> Response:
        """``/api``: the OpenAPI 3.0 document (private paths only for planners and tokens)."""

        def body(fmt: str) -> Response:
            colls = self.provider.collections(private=req.private, with_extent=False)
            doc = openapi_document(
                req.base_url, colls, title=self.title, description=self.description
            )
            if fmt == "html":
                return self._html("api.html", private=req.private, doc=doc, base=req.base_url)
            return self._json(doc, private=req.private, ctype=OPENAPI)

        return self._guard(req, body)

    def _collection_doc(self, req: ApiRequest, coll: Collection, fmt: str) -> dict[str, Any]:
        url = f"{req.base_url}/collections/{quote(coll.id)}"
        extent: dict[str, Any] = {"spatial": {"bbox": [list(coll.extent or ())], "crs": CRS84}}
        if coll.event_begins is not None and coll.event_ends is not None:
            extent["temporal"] = {
                "interval": [[coll.event_begins.isoformat(), coll.event_ends.isoformat()]],
                "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
            }
        return {
            "id": coll.id,
            "title": coll.title,
            "description": coll.description,
            "itemType": "feature",
            "crs": [CRS84],
            "storageCrs": CRS84,
            "extent": extent,
            "links": [
                *self._links(url, rel_self=fmt, ctype=JSON, title=coll.title),
                {
                    "href": f"{url}/items?f=json",
                    "rel": "items",
                    "type": GEOJSON,
                    "title": "Features (GeoJSON)",
                },
                {
                    "href": f"{url}/items?f=html",
                    "rel": "items",
                    "type": "text/html",
                    "title": "Features (HTML)",
                },
            ],
        }

    def collections(self, req: ApiRequest) -> Response:
        """``/collections``: every collection the caller may read."""

        def body(fmt: str) -> Response:
            b = f"{req.base_url}/collections"
            colls = self.provider.collections(private=req.private)
            doc = {
                "links": self._links(b, rel_self=fmt, ctype=JSON, title="Collections"),
                "collections": [self._collection_doc(req, c, fmt) for c in colls],
            }
            if fmt == "html":
                return self._html(
                    "collections.html", private=req.private, doc=doc, base=req.base_url
                )
            return self._json(doc, private=req.private)

        return self._guard(req, body)

    def collection(self, req: ApiRequest, collection_id: str) -> Response:
        """``/collections/{id}``: one collection's metadata and extent."""

        def body(fmt: str) -> Response:
            coll = self.provider.with_extent(self._collection(req, collection_id))
            doc = self._collection_doc(req, coll, fmt)
            if fmt == "html":
                return self._html(
                    "collection.html", private=coll.private, doc=doc, coll=coll, base=req.base_url
                )
            return self._json(doc, private=coll.private)

        return self._guard(req, body)

    @staticmethod
    def _item_params(
        args: Mapping[str, str], filters: Mapping[str, tuple[str, ...]]
    ) -> tuple[int, int, list[BBox] | None, DateTimeFilter | None, dict[str, str]]:
        """limit, offset, bbox, datetime and the property filters of an item page (400s)."""
        limit = parse_int(
            args.get("limit"), name="limit", default=DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT
        )
        offset = parse_int(
            args.get("offset"), name="offset", default=0, minimum=0, maximum=MAX_OFFSET
        )
        bbox = parse_bbox(args.get("bbox"))
        when = parse_datetime(args.get("datetime"))
        equals: dict[str, str] = {}
        for name, allowed in filters.items():
            value = args.get(name)
            if value is None:
                continue
            if value not in allowed:
                raise bad_request(name, f"must be one of {', '.join(allowed)}")
            equals[name] = value
        return limit, offset, bbox, when, equals

    def items(self, req: ApiRequest, collection_id: str) -> Response:
        """``/collections/{id}/items``: a page of features, filtered by bbox, datetime, kind."""

        def body(fmt: str) -> Response:
            args = req.args
            filters = self.provider.filters_of(collection_id)
            refused: OgcError | None = None
            try:
                limit, offset, bbox, when, equals = self._item_params(args, filters)
            except OgcError as exc:  # unless the collection is unknown: a 404 comes first
                refused = exc
            found = None
            if refused is None:
                # one statement: the collection (an event found by its key) and the page
                found = self.provider.items_page(
                    collection_id,
                    private=req.private,
                    bbox=bbox,
                    limit=limit,
                    offset=offset,
                    equals=equals,
                )
            if found is None:
                self._collection(req, collection_id)  # raises the 404, 401 or 403
                raise refused or OgcError(
                    404, "NotFound", f"Collection '{collection_id}' not found."
                )
            coll, matched, returned, features = found
            if (
                when is not None
                and coll.event_date is not None
                and coll.event_begins is not None
                and coll.event_ends is not None
                and not when.overlaps(
                    day=coll.event_date, begins=coll.event_begins, ends=coll.event_ends
                )
            ):
                matched, returned, features = 0, 0, "[]"
            url = f"{req.base_url}/collections/{quote(coll.id)}/items"
            keep = {k: args[k] for k in ("bbox", "datetime", *coll.filters) if k in args}

            def link(rel: str, f: str, off: int, ctype: str, title: str) -> dict[str, str]:
                query = {**keep, "limit": str(limit), "offset": str(off), "f": f}
                return {
                    "href": f"{url}?{urlencode(query)}",
                    "rel": rel,
                    "type": ctype,
                    "title": title,
                }

            links = [
                link(
                    "self" if fmt == "json" else "alternate",
                    "json",
                    offset,
                    GEOJSON,
                    "This page (GeoJSON)",
                ),
                link(
                    "self" if fmt == "html" else "alternate",
                    "html",
                    offset,
                    "text/html",
                    "This page (HTML)",
                ),
                {
                    "href": f"{req.base_url}/collections/{quote(coll.id)}",
                    "rel": "collection",
                    "type": JSON,
                    "title": coll.title,
                },
            ]
            if offset + returned < matched:
                links.append(
                    link(
                        "next",
                        fmt,
                        offset + limit,
                        GEOJSON if fmt == "json" else "text/html",
                        "Next page",
                    )
                )
            if offset > 0:
                links.append(
                    link(
                        "prev",
                        fmt,
                        max(0, min(offset - limit, matched - limit if matched else 0)),
                        GEOJSON if fmt == "json" else "text/html",
                        "Previous page",
                    )
                )
            if fmt == "html":
                return self._html(
                    "items.html",
                    private=coll.private,
                    coll=coll,
                    features=json.loads(features),
                    links=links,
                    matched=matched,
                    returned=returned,
                    offset=offset,
                    limit=limit,
                    base=req.base_url,
                )
            text = (
                '{"type":"FeatureCollection","features":'
                + features
                + f',"numberMatched":{matched},"numberReturned":{returned},"links":'
                + _dumps(links)
                + "}"
            )
            return (
                {
                    "Content-Type": GEOJSON,
                    "Cache-Control": PRIVATE_CACHE if coll.private else PUBLIC_CACHE,
                },
                200,
                text,
            )

        return self._guard(req, body)

    def item(self, req: ApiRequest, collection_id: str, feature_id: str) -> Response:
        """``/collections/{id}/items/{featureId}``: one feature."""

        def body(fmt: str) -> Response:
            coll = self._collection(req, collection_id)
            missing = OgcError(
                404, "NotFound", f"Feature '{feature_id}' not found in '{collection_id}'."
            )
            # ids are PostgreSQL integers: anything past MAX_ID cannot name a feature
            if (
                not feature_id.isascii()
                or not feature_id.isdigit()
                or len(feature_id) > 10
                or not 1 <= int(feature_id) <= MAX_ID
            ):
                raise missing
            text = self.provider.item(coll, int(feature_id))
            if text is None:
                raise missing
            url = f"{req.base_url}/collections/{quote(coll.id)}"
            links = [
                *self._links(
                    f"{url}/items/{feature_id}", rel_self=fmt, ctype=GEOJSON, title="This feature"
                ),
                {"href": url, "rel": "collection", "type": JSON, "title": coll.title},
            ]
            if fmt == "html":
                return self._html(
                    "item.html",
                    private=coll.private,
                    coll=coll,
                    feature=json.loads(text),
                    links=links,
                    base=req.base_url,
                )
            text = text.rstrip()[:-1] + ',"links":' + _dumps(links) + "}"
            return (
                {
                    "Content-Type": GEOJSON,
                    "Cache-Control": PRIVATE_CACHE if coll.private else PUBLIC_CACHE,
                },
                200,
                text,
            )

        return self._guard(req, body)
