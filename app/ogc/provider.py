"""PostGIS behind the OGC API: which collections exist, and their features as GeoJSON text.

Filters are GeoAlchemy2 expressions (``ST_Intersects(geom, ST_MakeEnvelope(..., 4326))`` uses
the GiST index); PostGIS writes each page of features with ``json_build_object`` and
``ST_AsGeoJSON`` and hands back one JSON text, so Python never parses and re-prints geometry.

An item page is one statement (:meth:`Provider.items_page`): it finds the event a booth
collection's id names, counts the matches and writes the page's GeoJSON together. The statements
are built once per shape (which filters are present) with bound parameters, so a request neither
builds nor hashes SQLAlchemy expressions.

The city layers' collections (zones, facilities, and any layer registered later) are the ones
the layer registry (:mod:`app.layers`) names: each entry's :class:`CityCollection` gives the
title, property schema, filters and source expressions. An event's booths are served here as
one public ``booths-<event>`` and one private ``vendors-<event>`` collection per event.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    Float,
    Integer,
    Text,
    and_,
    any_,
    bindparam,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.orm import Session

from app.db import driver_sql
from app.gis.rules import BOOTH_KINDS, FACILITY_KINDS, VENDOR_CATEGORIES, ZONE_KINDS
from app.gis.street import ZONE_COLOURS
from app.layers import LAYER_REGISTRY, Layer
from app.models import (
    REPORT_KINDS,
    REPORT_STATUSES,
    Assignment,
    Booth,
    City,
    Event,
    Facility,
    StreetReport,
    Vendor,
    Zone,
)
from app.models.vendor import HOLDING_STATUSES
from app.ogc.collection import Collection
from app.ogc.params import BBox

#: 7 decimals of a degree ≈ 1 cm: exact enough for 3 m booths, and what the GeoJSON export uses.
DECIMALS = 7
#: ``status`` of a booth with no assignment: vendor booths are free, desks never given out.
FREE, UNAVAILABLE = "free", "unavailable"
BOOTH_STATUSES = ("assigned", "checked_in", "no_show", FREE, UNAVAILABLE)

WORLD = (-180.0, -90.0, 180.0, 90.0)


def _str(nullable: bool = True, enum: Sequence[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if enum is not None:
        schema["enum"] = list(enum)
    if nullable:
        schema["nullable"] = True
    return schema


ZONE_PROPS = {
    "name": _str(False),
    "kind": _str(False, ZONE_KINDS),
    "hours": _str(),
    "capacity": {"type": "integer", "nullable": True},
    "city": _str(False),
}
FACILITY_PROPS = {"name": _str(), "kind": _str(False, FACILITY_KINDS), "city": _str(False)}
BOOTH_PROPS = {
    "code": _str(False),
    "kind": _str(False, BOOTH_KINDS),
    "service": _str(),
    "status": _str(False, BOOTH_STATUSES),
    "has_electricity": {"type": "boolean"},
    "accessible": {"type": "boolean"},
    "cooking_allowed": {"type": "boolean"},
    "reserved_category": _str(enum=VENDOR_CATEGORIES),
    # the vendor holding the booth (public-safe numbers only: no name, no phone): which of their
    # booths side by side this is (0 = the first) and how many they need at least and at most
    "part": {"type": "integer", "nullable": True},
    "min_booths": {"type": "integer", "nullable": True},
    "max_booths": {"type": "integer", "nullable": True},
}
VENDOR_PROPS = {
    **BOOTH_PROPS,
    "business_name": _str(),
    "category": _str(enum=VENDOR_CATEGORIES),
    "phone": _str(),
}

#: The street reports' collection: Satpol PP reports for staff (a planner's session or an API
#: token), never public; no reporter identity and no photo path.
REPORTS_ID = "street-reports"
REPORT_COLOURS = (*sorted(set(ZONE_COLOURS.values())), "none")
REPORT_PROPS = {
    "kind": _str(False, REPORT_KINDS),
    "count": {"type": "integer"},
    "status": _str(False, REPORT_STATUSES),
    "zone_colour": _str(False, REPORT_COLOURS),
    "facility_kinds": _str(),
    "reported_at": {"type": "string", "format": "date-time"},
    "relocation_zone_id": {"type": "integer", "nullable": True},
    "relocation_booth_id": {"type": "integer", "nullable": True},
    "note": _str(),
    "has_photo": {"type": "boolean"},
    "city": _str(False),
}
REPORT_FILTERS: dict[str, tuple[str, ...]] = {
    "kind": REPORT_KINDS,
    "status": REPORT_STATUSES,
    "zone_colour": REPORT_COLOURS,
}


#: The query parameters that filter an event's booth collections (known from the id alone).
EVENT_FILTERS: dict[str, dict[str, tuple[str, ...]]] = {
    "booths": {"kind": BOOTH_KINDS, "status": BOOTH_STATUSES},
    "vendors": {"kind": BOOTH_KINDS, "status": BOOTH_STATUSES},
}
EVENT_KINDS = tuple(EVENT_FILTERS)

#: (id column, geometry column, base filters, property expressions, select_from)
Source = tuple[Any, Any, list[Any], dict[str, Any], Any]


@dataclass(frozen=True)
class CityCollection:
    """The OGC collection of a city layer, which its registry entry names (``Layer.ogc``).

    ``source`` builds the expressions its item pages, single items and vector tiles read.
    """

    title: str
    description: str
    properties: Mapping[str, Any]
    filters: Mapping[str, tuple[str, ...]]
    source: Callable[[], Source]


def city_layers() -> dict[str, Layer]:
    """The registered layers served as one OGC collection each, by collection id (in
    registration order)."""
    return {
        layer.ogc_collection: layer for layer in LAYER_REGISTRY.values() if layer.ogc is not None
    }


def _described(kind: str) -> CityCollection:
    described: CityCollection = city_layers()[kind].ogc_description()
    return described


def collection_kind(collection_id: str) -> str | None:
    """What a collection id names, from its spelling: a city layer's collection (``zones``,
    ``facilities``), ``booths`` or ``vendors`` (an event's booths), or None.

    >>> collection_kind("booths-cfd-2026-12-06"), collection_kind("zones"), collection_kind("x")
    ('booths', 'zones', None)
    """
    if collection_id in city_layers():
        return collection_id
    if collection_id == REPORTS_ID:
        return "reports"
    for kind in EVENT_KINDS:
        if collection_id.startswith(f"{kind}-") and len(collection_id) > len(kind) + 1:
            return kind
    return None


def slug_candidates(key: str) -> list[str]:
    """The event slugs an event collection's key may stand for: the key itself, or what follows
    the city's slug (``pontianak-cfd-1`` when two cities hold a ``cfd-1``).

    >>> slug_candidates("kota-a-cfd-1")
    ['kota-a-cfd-1', 'a-cfd-1', 'cfd-1', '1']
    """
    return [key] + [key[i + 1 :] for i, ch in enumerate(key) if ch == "-" and i + 1 < len(key)]


def _text(value: str) -> Any:
    """A constant string as a typed bound parameter (``json_build_object`` needs the type)."""
    return literal(value, Text)


def _obj(pairs: dict[str, Any]) -> Any:
    args: list[Any] = []
    for key, value in pairs.items():
        args += [_text(key), value]
    return func.json_build_object(*args)


def _geometry(col: Any) -> Any:
    return cast(func.ST_AsGeoJSON(col, DECIMALS), JSON)


def _extent_of(session: Session, expr: Any, *where: Any) -> tuple[float, float, float, float]:
    box = func.ST_Extent(expr)
    row = session.execute(
        select(func.ST_XMin(box), func.ST_YMin(box), func.ST_XMax(box), func.ST_YMax(box)).where(
            *where
        )
    ).one()
    return WORLD if row[0] is None else (row[0], row[1], row[2], row[3])


class Provider:
    """The PostGIS side of the API, bound to one session and one time zone."""

    def __init__(self, session: Session, *, timezone: str = "Asia/Pontianak") -> None:
        self.session = session
        self.tz = ZoneInfo(timezone)

    # -- collections ---------------------------------------------------------------------------

    def collections(self, *, private: bool, with_extent: bool = True) -> list[Collection]:
        """Every collection the caller may see: public layers, published events' booths, and
        (``private``) every event's booths with their vendors."""
        out = [self._layer_collection(name, with_extent=with_extent) for name in city_layers()]
        query = (
            select(
                Event.id,
                Event.slug,
                Event.name,
                Event.date,
                Event.start_time,
                Event.end_time,
                Event.status,
                City.slug,
            )
            .join(City, City.id == Event.city_id)
            .order_by(Event.date, Event.id)
        )
        if not private:
            query = query.where(Event.status == "published")
        events = self.session.execute(query).all()
        slug_counts = Counter(row[1] for row in events)
        extents = self._booth_extents([row[0] for row in events]) if with_extent else {}
        public: list[Collection] = []
        staff: list[Collection] = []
        for ev_id, slug, name, day, start, end, status, city in events:
            key = slug if slug_counts[slug] == 1 else f"{city}-{slug}"
            extent = extents.get(ev_id, WORLD) if with_extent else None
            row = (ev_id, name, day, start, end, status, city)
            if status == "published":
                public.append(self._event_collection("booths", key, *row, extent=extent))
            if private:
                staff.append(self._event_collection("vendors", key, *row, extent=extent))
        if private:
            staff.append(self._reports_collection(with_extent=with_extent))
        return out + public + staff

    def _reports_collection(self, *, with_extent: bool) -> Collection:
        return Collection(
            REPORTS_ID,
            "reports",
            "Laporan PKL / Street reports",
            "Stalls, carts and tents enforcement officers (Satpol PP) reported, with the zone "
            "colour they were told, the facilities too close, and the status of each report. "
            "Planners and API tokens only.",
            private=True,
            properties=REPORT_PROPS,
            filters=REPORT_FILTERS,
            extent=_extent_of(self.session, StreetReport.geom) if with_extent else None,
        )

    def _layer_collection(self, name: str, *, with_extent: bool) -> Collection:
        layer = city_layers()[name]
        described: CityCollection = layer.ogc_description()
        return Collection(
            name,
            name,
            described.title,
            described.description,
            properties=dict(described.properties),
            filters=dict(described.filters),
            extent=self._layer_extent(layer.model) if with_extent else None,
        )

    def _event_collection(
        self,
        kind: str,
        key: str,
        ev_id: int,
        name: str,
        day: date,
        start: time,
        end: time,
        status: str,
        city: str,
        *,
        extent: tuple[float, float, float, float] | None,
    ) -> Collection:
        common: dict[str, Any] = {
            "event_id": ev_id,
            "event_date": day,
            "city": city,
            "event_begins": self._moment(day, start),
            "event_ends": self._moment(day, end),
            "extent": extent,
            "filters": EVENT_FILTERS[kind],
        }
        if kind == "booths":
            return Collection(
                f"booths-{key}",
                "booths",
                f"Lapak / Booths: {name}",
                f"Booths of {name} ({day.isoformat()}) with their code, kind and status "
                "(free, assigned, checked_in, no_show); no vendor data.",
                properties=BOOTH_PROPS,
                **common,
            )
        return Collection(
            f"vendors-{key}",
            "vendors",
            f"Pedagang / Vendors: {name}",
            f"Booths of {name} ({day.isoformat()}, {status}) with the assigned "
            "vendor's business name, category and phone. Planners and API tokens only.",
            private=True,
            properties=VENDOR_PROPS,
            **common,
        )

    def collection(self, collection_id: str, *, private: bool) -> Collection | None:
        """The collection called ``collection_id``, if the caller may see it."""
        if collection_id in city_layers():
            found = self.collections(private=False, with_extent=False)
        elif collection_id == REPORTS_ID:
            return self._reports_collection(with_extent=False) if private else None
        elif collection_id.startswith(("booths-", "vendors-")):
            found = self.collections(private=private, with_extent=False)
        else:
            return None
        for coll in found:
            if coll.id == collection_id:
                return coll
        return None

    def with_extent(self, coll: Collection) -> Collection:
        """``coll`` with its bounding box filled in."""
        layer = city_layers().get(coll.kind)
        if layer is not None:
            return replace(coll, extent=self._layer_extent(layer.model))
        if coll.kind == "reports":
            return replace(coll, extent=_extent_of(self.session, StreetReport.geom))
        assert coll.event_id is not None
        return replace(coll, extent=self._booth_extents([coll.event_id]).get(coll.event_id, WORLD))

    def _moment(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, self.tz)

    def _layer_extent(self, model: Any) -> tuple[float, float, float, float]:
        # A national dataset has millions of facilities: the cities' extents answer at once and
        # cover their layers; the table itself is scanned only when no city has an extent.
        box = _extent_of(self.session, City.extent, City.extent.isnot(None))
        return box if box != WORLD else _extent_of(self.session, model.geom)

    def _booth_extents(self, event_ids: list[int]) -> dict[int, tuple[float, float, float, float]]:
        if not event_ids:
            return {}
        box = func.ST_Extent(Booth.geom)
        rows = self.session.execute(
            select(
                Booth.event_id,
                func.ST_XMin(box),
                func.ST_YMin(box),
                func.ST_XMax(box),
                func.ST_YMax(box),
            )
            .where(Booth.event_id.in_(event_ids))
            .group_by(Booth.event_id)
        ).all()
        return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}

    # -- features ------------------------------------------------------------------------------

    def source(self, coll: Collection) -> Source:
        """(id column, geometry column, base filters, property expressions, select_from)."""
        return _source(coll.kind, coll.event_id)

    def filters_of(self, collection_id: str) -> dict[str, tuple[str, ...]]:
        """The property filters of a collection, known from its id alone (no database work)."""
        kind = collection_kind(collection_id)
        if kind is None:
            return {}
        if kind == "reports":
            return REPORT_FILTERS
        return EVENT_FILTERS[kind] if kind in EVENT_FILTERS else dict(_described(kind).filters)

    def items_page(
        self,
        collection_id: str,
        *,
        private: bool,
        bbox: list[BBox] | None,
        limit: int,
        offset: int,
        equals: dict[str, str] | None = None,
    ) -> tuple[Collection, int, int, str] | None:
        """(collection, numberMatched, numberReturned, JSON text of the features array) for one
        page, in one statement; None when the caller may not see such a collection.

        For an event's booths the statement also finds the event the id names, by the rule of
        :meth:`collections` (the event's slug, or ``city-slug`` when several cities share it,
        among the events the caller may see).
        """
        kind = collection_kind(collection_id)
        if kind is None or (kind in ("vendors", "reports") and not private):
            return None
        equals = equals or {}
        boxes = bbox or []
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        for i, box in enumerate(boxes):
            params |= {f"bbox{i}_{j}": value for j, value in enumerate(box)}
        params |= {f"eq_{name}": value for name, value in equals.items()}
        names = tuple(sorted(equals))
        if kind not in EVENT_KINDS:
            row = self._page_row(kind, len(boxes), names, private, params)
            coll = (
                self._reports_collection(with_extent=False)
                if kind == "reports"
                else self._layer_collection(kind, with_extent=False)
            )
            return coll, int(row.matched), int(row.returned), str(row.features)
        key = collection_id[len(kind) + 1 :]
        params |= {"key": key, "slugs": slug_candidates(key)}
        row = self._page_row(kind, len(boxes), names, private, params)
        if row.ev_id is None:
            return None
        coll = self._event_collection(
            kind,
            key,
            row.ev_id,
            row.ev_name,
            row.ev_date,
            row.ev_start,
            row.ev_end,
            row.ev_status,
            row.ev_city,
            extent=None,
        )
        return coll, int(row.matched), int(row.returned), str(row.features)

    def _page_row(
        self, kind: str, boxes: int, equals: tuple[str, ...], private: bool, params: dict[str, Any]
    ) -> Any:
        """The one row of :func:`_page_statement`, sent as its driver text (:func:`_page_sql`)."""
        sql = _page_sql(kind, boxes, equals, private)
        return self.session.connection().exec_driver_sql(sql, params).one()

    def item(self, coll: Collection, feature_id: int) -> str | None:
        """One feature as GeoJSON text, or None when it is not in ``coll``."""
        ident, geom, where, props, base = self.source(coll)
        stmt = base.add_columns(cast(_feature(ident, geom, props), Text)).where(
            *where, ident == feature_id
        )
        return self.session.execute(stmt).scalar_one_or_none()


def _source(kind: str, event_id: Any) -> Source:
    """(id column, geometry column, base filters, property expressions, select_from) of a kind
    of collection; ``event_id``: the event's id, or an expression giving it (event kinds)."""
    if kind == "reports":
        return _report_source()
    if kind not in EVENT_KINDS:
        return _described(kind).source()
    return _booth_source(kind, event_id)


def _report_source() -> Source:
    props = {
        "kind": StreetReport.kind,
        "count": StreetReport.count,
        "status": StreetReport.status,
        "zone_colour": func.coalesce(StreetReport.zone_colour, _text("none")),
        "facility_kinds": func.array_to_string(StreetReport.facility_kinds, _text(" ")),
        "reported_at": func.to_char(
            func.timezone(_text("UTC"), StreetReport.reported_at),
            _text('YYYY-MM-DD"T"HH24:MI:SS"Z"'),
        ),
        "relocation_zone_id": StreetReport.relocation_zone_id,
        "relocation_booth_id": StreetReport.relocation_booth_id,
        "note": StreetReport.note,
        "has_photo": StreetReport.photo_path.isnot(None),
        "city": City.slug,
    }
    return (
        StreetReport.id,
        StreetReport.geom,
        [],
        props,
        select().select_from(StreetReport).join(City, City.id == StreetReport.city_id),
    )


def _zone_source() -> Source:
    hours = case(
        (
            Zone.hours_start.isnot(None),
            func.concat(
                func.to_char(Zone.hours_start, _text("HH24:MI")),
                _text("–"),
                func.to_char(Zone.hours_end, _text("HH24:MI")),
            ),
        ),
        else_=None,
    )
    props = {
        "name": Zone.name,
        "kind": Zone.kind,
        "hours": hours,
        "capacity": Zone.capacity,
        "city": City.slug,
    }
    return (
        Zone.id,
        Zone.geom,
        [],
        props,
        select().select_from(Zone).join(City, City.id == Zone.city_id),
    )


def _facility_source() -> Source:
    props = {"name": Facility.name, "kind": Facility.kind, "city": City.slug}
    return (
        Facility.id,
        Facility.geom,
        [],
        props,
        select().select_from(Facility).join(City, City.id == Facility.city_id),
    )


#: The city layers' OGC collections, named by their registry entries (:mod:`app.layers`).
ZONE_COLLECTION = CityCollection(
    "Zona PKL / Street-vending zones",
    "Where street vendors may trade (pkl_legal, pkl_timed with hours), may not "
    "(no_vending), CFD corridors, emergency lanes and service areas.",
    properties=ZONE_PROPS,
    filters={"kind": ZONE_KINDS},
    source=_zone_source,
)
FACILITY_COLLECTION = CityCollection(
    "Fasilitas umum / Public facilities",
    "Hydrants, bus stops, crossings and other facilities booths keep clear of.",
    properties=FACILITY_PROPS,
    filters={"kind": FACILITY_KINDS},
    source=_facility_source,
)


def _booth_source(kind: str, event_id: Any) -> Source:
    """Booths and vendors: the assignment that holds the booth (or a no-show), if any."""
    rank = case((Assignment.status.in_(HOLDING_STATUSES), 0), else_=1)
    holder = (
        select(
            Assignment.status.label("status"),
            Assignment.part,
            Vendor.business_name,
            Vendor.category,
            Vendor.phone,
            Vendor.min_booths,
            Vendor.max_booths,
        )
        .join(Vendor, Vendor.id == Assignment.vendor_id)
        .where(
            Assignment.booth_id == Booth.id,
            Assignment.event_id == Booth.event_id,
            Assignment.status != "cancelled",
        )
        .order_by(rank, Assignment.id.desc())
        .limit(1)
        .lateral("holder")
    )
    status = func.coalesce(
        holder.c.status, case((Booth.kind == "vendor", _text(FREE)), else_=_text(UNAVAILABLE))
    )
    props = {
        "code": Booth.code,
        "kind": Booth.kind,
        "service": Booth.service,
        "status": status,
        "has_electricity": Booth.has_electricity,
        "accessible": Booth.accessible,
        "cooking_allowed": Booth.cooking_allowed,
        "reserved_category": Booth.reserved_category,
        "part": holder.c.part,
        "min_booths": holder.c.min_booths,
        "max_booths": holder.c.max_booths,
    }
    if kind == "vendors":
        props |= {
            "business_name": holder.c.business_name,
            "category": holder.c.category,
            "phone": holder.c.phone,
        }
    base = select().select_from(Booth).outerjoin(holder, true())
    return Booth.id, Booth.geom, [Booth.event_id == event_id], props, base


def _feature(ident: Any, geom: Any, props: dict[str, Any]) -> Any:
    return _obj(
        {
            "type": _text("Feature"),
            "id": ident,
            "geometry": _geometry(geom),
            "properties": _obj(props),
        }
    )


def _event_cte(kind: str, *, private: bool) -> Any:
    """The one event a booth collection's key names (``key``, ``slugs``), as :meth:`collections`
    spells keys: its slug when unique among the events the caller may see, else city-slug."""
    count = func.count().over(partition_by=Event.slug)
    visible = (
        select(
            Event.id,
            Event.slug,
            Event.name,
            Event.date,
            Event.start_time,
            Event.end_time,
            Event.status,
            City.slug.label("city"),
            count.label("n"),
        )
        .join(City, City.id == Event.city_id)
        .where(Event.slug == any_(bindparam("slugs", type_=ARRAY(Text))))
    )
    if not private:
        visible = visible.where(Event.status == "published")
    seen = visible.subquery("visible")
    key = bindparam("key", type_=Text)
    named = or_(
        and_(seen.c.n == 1, seen.c.slug == key),
        and_(seen.c.n > 1, func.concat(seen.c.city, _text("-"), seen.c.slug) == key),
    )
    found = select(seen).where(named)
    if kind == "booths":
        found = found.where(seen.c.status == "published")
    return found.order_by(seen.c.date, seen.c.id).limit(1).cte("ev")


@lru_cache(maxsize=128)
def _page_sql(kind: str, boxes: int, equals: tuple[str, ...], private: bool) -> str:
    """:func:`_page_statement` as SQL text with its constants (property names, kinds, the
    GeoJSON's keys) written in (:func:`app.db.driver_sql`): each item page then sends only the
    request's values, and SQLAlchemy compiles and expands nothing per request."""
    keep = [
        "limit",
        "offset",
        "key",
        "slugs",
        *[f"bbox{i}_{j}" for i in range(boxes) for j in range(4)],
        *[f"eq_{name}" for name in equals],
    ]
    return driver_sql(_page_statement(kind, boxes, equals, private), keep)


@lru_cache(maxsize=128)
def _page_statement(kind: str, boxes: int, equals: tuple[str, ...], private: bool) -> Any:
    """The statement of one item page for a shape of request, with bound parameters: ``limit``,
    ``offset``, ``bbox{i}_{0..3}`` for each box, ``eq_<name>`` for each property filter, and for
    event collections ``key`` and ``slugs`` (:func:`slug_candidates`)."""
    ev = _event_cte(kind, private=private) if kind in EVENT_KINDS else None
    event_id = select(ev.c.id).scalar_subquery() if ev is not None else None
    ident, geom, where, props, base = _source(kind, event_id)
    if boxes:
        where.append(
            or_(
                *[
                    func.ST_Intersects(
                        geom,
                        func.ST_MakeEnvelope(
                            *[bindparam(f"bbox{i}_{j}", type_=Float) for j in range(4)], 4326
                        ),
                    )
                    for i in range(boxes)
                ]
            )
        )
    for name in equals:
        where.append(props[name] == bindparam(f"eq_{name}", type_=Text))
    limit, offset = bindparam("limit", type_=Integer), bindparam("offset", type_=Integer)
    # Only the booth status filter reads the joined rows; a count of the bare table is cheaper.
    counted = base if "status" in equals else select().select_from(ident.table)
    matched = counted.add_columns(func.count()).where(*where).scalar_subquery()
    if counted is base:
        page_where = where
        page = base.order_by(ident).limit(limit).offset(offset)
    else:
        # Pick the page's ids from the bare table first (index order, LIMIT/OFFSET there),
        # so the vendor lateral join and the JSON run for one page, not the whole event.
        ids = select(ident).where(*where).order_by(ident).limit(limit).offset(offset)
        page_where = [ident.in_(ids)]
        page = base
    rows = (
        page.add_columns(ident.label("fid"), _feature(ident, geom, props).label("feature"))
        .where(*page_where)
        .subquery()
    )
    agg = func.json_agg(aggregate_order_by(rows.c.feature, rows.c.fid))
    summary = (
        select(
            matched.label("matched"),
            func.count().label("returned"),
            cast(func.coalesce(agg, cast(_text("[]"), JSON)), Text).label("features"),
        )
        .select_from(rows)
        .subquery("page")
    )
    if ev is None:
        return select(summary.c.matched, summary.c.returned, summary.c.features)
    return select(
        summary.c.matched,
        summary.c.returned,
        summary.c.features,
        ev.c.id.label("ev_id"),
        ev.c.name.label("ev_name"),
        ev.c.date.label("ev_date"),
        ev.c.start_time.label("ev_start"),
        ev.c.end_time.label("ev_end"),
        ev.c.status.label("ev_status"),
        ev.c.city.label("ev_city"),
    ).select_from(summary.outerjoin(ev, true()))
