"""The OpenAPI 3.0 document of the OGC API, one set of paths per collection (as pygeoapi does).

Clients read it: GDAL takes the page size from ``limit``'s maximum, schemathesis generates
requests from it and checks every response against the schemas below.
"""

from __future__ import annotations

from typing import Any

from app.ogc.collection import Collection
from app.ogc.params import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET

JSON, GEOJSON, HTML = "application/json", "application/geo+json", "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _content(schema: dict[str, Any], *types: str) -> dict[str, Any]:
    out = {t: {"schema": schema} for t in types}
    out[HTML] = {"schema": {"type": "string"}}
    return out


_LINK = {
    "type": "object",
    "required": ["href"],
    "properties": {
        "href": {"type": "string"},
        "rel": {"type": "string"},
        "type": {"type": "string"},
        "title": {"type": "string"},
    },
}
_GEOMETRY = {
    "type": "object",
    "required": ["type", "coordinates"],
    "properties": {
        "type": {
            "type": "string",
            "enum": [
                "Point",
                "LineString",
                "Polygon",
                "MultiPoint",
                "MultiLineString",
                "MultiPolygon",
            ],
        },
        "coordinates": {"type": "array"},
    },
}
_EXTENT = {
    "type": "object",
    "properties": {
        "spatial": {
            "type": "object",
            "properties": {
                "bbox": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "array",
                        "minItems": 4,
                        "maxItems": 6,
                        "items": {"type": "number"},
                    },
                },
                "crs": {"type": "string"},
            },
        },
        "temporal": {
            "type": "object",
            "properties": {
                "interval": {
                    "type": "array",
                    "items": {
                        "type": "array",
                        "minItems": 2,
                        "maxItems": 2,
                        "items": {"type": "string", "format": "date-time", "nullable": True},
                    },
                },
                "trs": {"type": "string"},
            },
        },
    },
}
_COLLECTION = {
    "type": "object",
    "required": ["id", "links"],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "links": {"type": "array", "items": _ref("schemas", "link")},
        "extent": _ref("schemas", "extent"),
        "itemType": {"type": "string"},
        "crs": {"type": "array", "items": {"type": "string"}},
        "storageCrs": {"type": "string"},
    },
}

_PARAMETERS: dict[str, Any] = {
    "f": {
        "name": "f",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "description": "The format of the response (JSON by default, or per Accept).",
        "schema": {"type": "string", "enum": ["json", "html"]},
    },
    "limit": {
        "name": "limit",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "description": "The number of features in a page.",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    },
    "offset": {
        "name": "offset",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "description": "The number of features to skip.",
        "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
    },
    "bbox": {
        "name": "bbox",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "description": "Features that intersect minlon,minlat,maxlon,maxlat (CRS84).",
        "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
    },
    "datetime": {
        "name": "datetime",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "description": "An RFC 3339 date, date-time or interval ('..' for open).",
        "schema": {"type": "string"},
    },
    "featureId": {
        "name": "featureId",
        "in": "path",
        "required": True,
        "description": "The feature's identifier.",
        "schema": {"type": "string"},
    },
}

_RESPONSES: dict[str, Any] = {
    "400": {
        "description": "Invalid parameter.",
        "content": _content(_ref("schemas", "exception"), JSON),
    },
    "404": {"description": "Not found.", "content": _content(_ref("schemas", "exception"), JSON)},
    "401": {
        "description": "Log in or send an API token.",
        "content": _content(_ref("schemas", "exception"), JSON),
    },
    "403": {
        "description": "Not allowed to this account.",
        "content": _content(_ref("schemas", "exception"), JSON),
    },
}


def _errors(*codes: str) -> dict[str, Any]:
    return {c: _ref("responses", c) for c in codes}


def _feature_schema(coll: Collection) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "integer"},
            "geometry": _ref("schemas", "geometryGeoJSON"),
            "properties": {
                "type": "object",
                "properties": coll.properties,
                "required": list(coll.properties),
            },
            "links": {"type": "array", "items": _ref("schemas", "link")},
        },
    }


def _paths_for(coll: Collection, *, base_tag: str) -> dict[str, Any]:
    name = coll.id
    security: list[dict[str, list[str]]] | None = (
        [{"bearerAuth": []}, {"sessionCookie": []}] if coll.private else None
    )
    errors = ("400", "401", "403", "404") if coll.private else ("400", "404")
    feature = _feature_schema(coll)
    items_params: list[Any] = [
        _ref("parameters", "f"),
        _ref("parameters", "limit"),
        _ref("parameters", "offset"),
        _ref("parameters", "bbox"),
        _ref("parameters", "datetime"),
    ]
    for prop, allowed in coll.filters.items():
        items_params.append(
            {
                "name": prop,
                "in": "query",
                "required": False,
                "style": "form",
                "explode": False,
                "description": f"Only features whose {prop} is this value.",
                "schema": {"type": "string", "enum": list(allowed)},
            }
        )
    ops: dict[str, Any] = {
        f"/collections/{name}": {
            "get": {
                "summary": f"Metadata of {coll.title}",
                "operationId": f"describe-{name}",
                "tags": [base_tag],
                "parameters": [_ref("parameters", "f")],
                "responses": {
                    "200": {
                        "description": "The collection.",
                        "content": _content(_ref("schemas", "collection"), JSON),
                    },
                    **_errors(*errors),
                },
            }
        },
        f"/collections/{name}/items": {
            "get": {
                "summary": f"Features of {coll.title}",
                "operationId": f"items-{name}",
                "tags": [base_tag],
                "parameters": items_params,
                "responses": {
                    "200": {
                        "description": "A page of features.",
                        "content": _content(
                            {
                                "type": "object",
                                "required": ["type", "features"],
                                "properties": {
                                    "type": {"type": "string", "enum": ["FeatureCollection"]},
                                    "features": {"type": "array", "items": feature},
                                    "links": {"type": "array", "items": _ref("schemas", "link")},
                                    "numberMatched": {"type": "integer", "minimum": 0},
                                    "numberReturned": {"type": "integer", "minimum": 0},
                                },
                            },
                            GEOJSON,
                        ),
                    },
                    **_errors(*errors),
                },
            }
        },
        f"/collections/{name}/items/{{featureId}}": {
            "get": {
                "summary": f"One feature of {coll.title}",
                "operationId": f"item-{name}",
                "tags": [base_tag],
                "parameters": [_ref("parameters", "featureId"), _ref("parameters", "f")],
                "responses": {
                    "200": {"description": "The feature.", "content": _content(feature, GEOJSON)},
                    **_errors(*errors),
                },
            }
        },
    }
    if security:
        for path in ops.values():
            path["get"]["security"] = security
    return ops


def openapi_document(
    base_url: str, collections: list[Collection], *, title: str, description: str
) -> dict[str, Any]:
    """The OpenAPI 3.0 document for ``collections`` served at ``base_url``."""
    meta_errors = _errors("400")
    paths: dict[str, Any] = {
        "/": {
            "get": {
                "summary": "Landing page",
                "operationId": "getLandingPage",
                "tags": ["Capabilities"],
                "parameters": [_ref("parameters", "f")],
                "responses": {
                    "200": {
                        "description": "Links to the API's resources.",
                        "content": _content(_ref("schemas", "landingPage"), JSON),
                    },
                    **meta_errors,
                },
            }
        },
        "/conformance": {
            "get": {
                "summary": "Conformance classes",
                "operationId": "getConformanceDeclaration",
                "tags": ["Capabilities"],
                "parameters": [_ref("parameters", "f")],
                "responses": {
                    "200": {
                        "description": "The conformance classes.",
                        "content": _content(_ref("schemas", "confClasses"), JSON),
                    },
                    **meta_errors,
                },
            }
        },
        "/api": {
            "get": {
                "summary": "This OpenAPI document",
                "operationId": "getApiDescription",
                "tags": ["Capabilities"],
                "parameters": [_ref("parameters", "f")],
                "responses": {
                    "200": {
                        "description": "The API description.",
                        "content": _content({"type": "object"}, OPENAPI),
                    },
                    **meta_errors,
                },
            }
        },
        "/collections": {
            "get": {
                "summary": "The collections",
                "operationId": "getCollections",
                "tags": ["Capabilities"],
                "parameters": [_ref("parameters", "f")],
                "responses": {
                    "200": {
                        "description": "Every collection you may read.",
                        "content": _content(_ref("schemas", "collections"), JSON),
                    },
                    **meta_errors,
                },
            }
        },
    }
    for coll in collections:
        paths.update(_paths_for(coll, base_tag=coll.id))
    return {
        "openapi": "3.0.3",
        "info": {
            "title": title,
            "description": description,
            "version": "1.0.0",
            "license": {"name": "CC-BY-4.0"},
        },
        "servers": [{"url": base_url}],
        "tags": [
            {"name": "Capabilities"},
            *({"name": c.id, "description": c.description} for c in collections),
        ],
        "paths": paths,
        "components": {
            "parameters": _PARAMETERS,
            "responses": _RESPONSES,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from PETALAPAK_API_TOKENS.",
                },
                "sessionCookie": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "session",
                    "description": "A planner's login session.",
                },
            },
            "schemas": {
                "link": _LINK,
                "exception": {
                    "type": "object",
                    "required": ["code"],
                    "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
                },
                "landingPage": {
                    "type": "object",
                    "required": ["links"],
                    "properties": {
                        "title": {"type": "string"},
                        "description": {"type": "string"},
                        "links": {"type": "array", "items": _ref("schemas", "link")},
                    },
                },
                "confClasses": {
                    "type": "object",
                    "required": ["conformsTo"],
                    "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
                },
                "collections": {
                    "type": "object",
                    "required": ["links", "collections"],
                    "properties": {
                        "links": {"type": "array", "items": _ref("schemas", "link")},
                        "collections": {"type": "array", "items": _ref("schemas", "collection")},
                    },
                },
                "collection": _COLLECTION,
                "extent": _EXTENT,
                "geometryGeoJSON": _GEOMETRY,
            },
        },
    }
