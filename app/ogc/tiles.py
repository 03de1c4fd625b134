"""Mapbox vector tiles from PostGIS (``ST_AsMVT``), without Flask.

:func:`tile` returns ``(headers, status, content)`` like :mod:`app.ogc.core`. The tile envelope
comes from ``ST_TileEnvelope`` (Web Mercator); features are picked with ``ST_Intersects`` against
the envelope (with the clip margin) in EPSG:4326, so the GiST index on ``geom`` does the work.
"""

from __future__ import annotations

from sqlalchemy import Text, func, literal, select

from app.layers import LAYER_REGISTRY, LAYERS, layer_named
from app.models import City, Event
from app.ogc.collection import Collection
from app.ogc.provider import Provider

MIN_ZOOM, MAX_ZOOM = 0, 22
EXTENT, BUFFER = 4096, 64
#: Web Mercator's square world, the default bounds of ST_TileEnvelope
WEB_MERCATOR = 20037508.342789244
MVT = "application/vnd.mapbox-vector-tile"

TileResponse = tuple[dict[str, str], int, bytes]


class TileError(Exception):
    """A tile request refused with ``status`` (400 bad numbers, 404 unknown layer/event)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _coord(raw: str, name: str, upper: int) -> int:
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        raise TileError(400, f"{name} must be a whole number")
    value = int(raw)
    if value > upper:
        raise TileError(400, f"{name} must be between 0 and {upper}")
    return value


def parse_tile(z: str, x: str, y: str) -> tuple[int, int, int]:
    """``z/x/y`` as integers with ``MIN_ZOOM <= z <= MAX_ZOOM`` and ``0 <= x, y < 2**z``.

    >>> parse_tile("15", "25870", "16390")
    (15, 25870, 16390)
    >>> parse_tile("3", "8", "0")
    Traceback (most recent call last):
    ...
    app.ogc.tiles.TileError: x must be between 0 and 7
    """
    zoom = _coord(z, "z", MAX_ZOOM)
    if zoom < MIN_ZOOM:
        raise TileError(400, f"z must be between {MIN_ZOOM} and {MAX_ZOOM}")
    return zoom, _coord(x, "x", 2**zoom - 1), _coord(y, "y", 2**zoom - 1)


def resolve_layer(
    provider: Provider,
    layer: str,
    event_slug: str | None,
    *,
    staff: bool,
    city_slug: str | None = None,
) -> Collection:
    """The collection a tile layer draws from; booths of unpublished events only for staff."""
    spec = layer_named(layer)
    if spec is None:
        raise TileError(404, f"unknown layer '{layer}' ({', '.join(LAYERS)})")
    if not spec.per_event:
        return Collection(spec.ogc_collection, spec.ogc_collection, layer, "")
    if not event_slug:
        raise TileError(400, "the booths layer needs ?event=<slug>")
    query = select(Event.id, Event.status).where(Event.slug == event_slug)
    if city_slug:
        query = query.join(City, City.id == Event.city_id).where(City.slug == city_slug)
    rows = provider.session.execute(query).all()
    visible = [r for r in rows if staff or r.status == "published"]
    if len(visible) != 1:
        if len(visible) > 1:
            raise TileError(400, "this event slug exists in several cities: add ?city=<slug>")
        raise TileError(404, f"event '{event_slug}' not found")
    return Collection(f"booths-{event_slug}", "booths", event_slug, "", event_id=visible[0].id)


#: The properties a tile carries (those a layer has): names and states, and the booth fields a
#: map styles or filters by (power, cooking, reserved category, step-free access, the holding
#: vendor's part and booth counts). Never a person's name or phone: tiles are public.
TILE_PROPERTIES = frozenset(
    {
        "code",
        "kind",
        "status",
        "name",
        "hours",
        "service",
        "has_electricity",
        "accessible",
        "cooking_allowed",
        "reserved_category",
        "part",
        "min_booths",
        "max_booths",
    }
)


def render_tile(provider: Provider, coll: Collection, z: int, x: int, y: int) -> bytes:
    """The MVT bytes of one tile (empty when no feature touches it)."""
    ident, geom, where, props, base = provider.source(coll)
    world = func.ST_MakeEnvelope(-WEB_MERCATOR, -WEB_MERCATOR, WEB_MERCATOR, WEB_MERCATOR, 3857)
    envelope = func.ST_TileEnvelope(z, x, y)
    search = func.ST_Transform(func.ST_TileEnvelope(z, x, y, world, BUFFER / EXTENT), 4326)
    keep = {k: v for k, v in props.items() if k in TILE_PROPERTIES}
    rows = (
        base.add_columns(
            ident.label("id"),
            func.ST_AsMVTGeom(func.ST_Transform(geom, 3857), envelope, EXTENT, BUFFER, True).label(
                "geom"
            ),
            *(v.label(k) for k, v in keep.items()),
        )
        .where(*where, func.ST_Intersects(geom, search))
        .subquery("features")
    )
    stmt = (
        select(
            func.ST_AsMVT(
                rows.table_valued(),
                literal(coll.kind, Text),
                EXTENT,
                literal("geom", Text),
                literal("id", Text),
            )
        )
        .select_from(rows)
        .where(rows.c.geom.isnot(None))
    )
    data = provider.session.execute(stmt).scalar()
    return bytes(data or b"")


def tile(
    provider: Provider,
    layer: str,
    z: str,
    x: str,
    y: str,
    *,
    event_slug: str | None,
    staff: bool,
    city_slug: str | None = None,
) -> TileResponse:
    """``/tiles/{layer}/{z}/{x}/{y}.mvt``: 200 with the tile, 204 when it is empty."""
    try:
        zxy = parse_tile(z, x, y)
        coll = resolve_layer(provider, layer, event_slug, staff=staff, city_slug=city_slug)
    except TileError as exc:
        return (
            {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"},
            exc.status,
            exc.message.encode(),
        )
    data = render_tile(provider, coll, *zxy)
    # resolve_layer accepted it, so the layer is registered; an event's layer is public once
    # the event is published
    public = not LAYER_REGISTRY[layer].per_event or _published(provider, coll)
    headers = {
        "Content-Type": MVT,
        "Cache-Control": "public, max-age=300" if public else "private, no-store",
    }
    if public:
        headers["Access-Control-Allow-Origin"] = "*"
    return headers, (200 if data else 204), data


def _published(provider: Provider, coll: Collection) -> bool:
    status = provider.session.execute(
        select(Event.status).where(Event.id == coll.event_id)
    ).scalar_one()
    return status == "published"
