"""PostGIS behind the OGC API: which collections exist, and their features as GeoJSON text.

Filters are GeoAlchemy2 expressions (``ST_Intersects(geom, ST_MakeEnvelope(..., 4326))`` uses
the GiST index); PostGIS writes each page of features with ``json_build_object`` and
``ST_AsGeoJSON`` and hands back one JSON text, so Python never parses and re-prints geometry.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Text, case, cast, false, func, literal, or_, select, true
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from app.gis.rules import BOOTH_KINDS, FACILITY_KINDS, VENDOR_CATEGORIES, ZONE_KINDS
from app.models import Assignment, Booth, City, Event, Facility, Vendor, Zone
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
}
VENDOR_PROPS = {
    **BOOTH_PROPS,
    "business_name": _str(),
    "category": _str(enum=VENDOR_CATEGORIES),
    "phone": _str(),
}


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
        out = [
            Collection(
                "zones",
                "zones",
                "Zona PKL / Street-vending zones",
                "Where street vendors may trade (pkl_legal, pkl_timed with hours), may not "
                "(no_vending), CFD corridors, emergency lanes and service areas.",
                properties=ZONE_PROPS,
                filters={"kind": ZONE_KINDS},
                extent=self._layer_extent(Zone) if with_extent else None,
            ),
            Collection(
                "facilities",
                "facilities",
                "Fasilitas umum / Public facilities",
                "Hydrants, bus stops, crossings and other facilities booths keep clear of.",
                properties=FACILITY_PROPS,
                filters={"kind": FACILITY_KINDS},
                extent=self._layer_extent(Facility) if with_extent else None,
            ),
        ]
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
            common: dict[str, Any] = {
                "event_id": ev_id,
                "event_date": day,
                "city": city,
                "event_begins": self._moment(day, start),
                "event_ends": self._moment(day, end),
                "extent": extents.get(ev_id, WORLD) if with_extent else None,
            }
            if status == "published":
                public.append(
                    Collection(
                        f"booths-{key}",
                        "booths",
                        f"Lapak / Booths: {name}",
                        f"Booths of {name} ({day.isoformat()}) with their code, kind and status "
                        "(free, assigned, checked_in, no_show); no vendor data.",
                        properties=BOOTH_PROPS,
                        filters={"kind": BOOTH_KINDS, "status": BOOTH_STATUSES},
                        **common,
                    )
                )
            if private:
                staff.append(
                    Collection(
                        f"vendors-{key}",
                        "vendors",
                        f"Pedagang / Vendors: {name}",
                        f"Booths of {name} ({day.isoformat()}, {status}) with the assigned "
                        "vendor's business name, category and phone. Planners and API tokens only.",
                        private=True,
                        properties=VENDOR_PROPS,
                        filters={"kind": BOOTH_KINDS, "status": BOOTH_STATUSES},
                        **common,
                    )
                )
        return out + public + staff

    def collection(self, collection_id: str, *, private: bool) -> Collection | None:
        """The collection called ``collection_id``, if the caller may see it."""
        if collection_id in ("zones", "facilities"):
            found = self.collections(private=False, with_extent=False)
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
        from dataclasses import replace

        if coll.kind == "zones":
            return replace(coll, extent=self._layer_extent(Zone))
        if coll.kind == "facilities":
            return replace(coll, extent=self._layer_extent(Facility))
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

    def source(self, coll: Collection) -> tuple[Any, Any, list[Any], dict[str, Any], Any]:
        """(id column, geometry column, base filters, property expressions, select_from)."""
        if coll.kind == "zones":
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
        if coll.kind == "facilities":
            props = {"name": Facility.name, "kind": Facility.kind, "city": City.slug}
            return (
                Facility.id,
                Facility.geom,
                [],
                props,
                select().select_from(Facility).join(City, City.id == Facility.city_id),
            )
        # booths / vendors: the assignment that holds the booth (or a no-show), if any
        rank = case((Assignment.status.in_(HOLDING_STATUSES), 0), else_=1)
        holder = (
            select(
                Assignment.status.label("status"),
                Vendor.business_name,
                Vendor.category,
                Vendor.phone,
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
        }
        if coll.kind == "vendors":
            props |= {
                "business_name": holder.c.business_name,
                "category": holder.c.category,
                "phone": holder.c.phone,
            }
        base = select().select_from(Booth).outerjoin(holder, true())
        return Booth.id, Booth.geom, [Booth.event_id == coll.event_id], props, base

    def _feature(self, ident: Any, geom: Any, props: dict[str, Any]) -> Any:
        return _obj(
            {
                "type": _text("Feature"),
                "id": ident,
                "geometry": _geometry(geom),
                "properties": _obj(props),
            }
        )

    def items(
        self,
        coll: Collection,
        *,
        bbox: list[BBox] | None,
        limit: int,
        offset: int,
        equals: dict[str, str] | None = None,
        matches_time: bool = True,
    ) -> tuple[int, int, str]:
        """(numberMatched, numberReturned, JSON text of the features array) for one page."""
        ident, geom, where, props, base = self.source(coll)
        if bbox is not None:
            where.append(
                or_(*[func.ST_Intersects(geom, func.ST_MakeEnvelope(*b, 4326)) for b in bbox])
            )
        for name, value in (equals or {}).items():
            where.append(props[name] == value)
        if not matches_time:
            where.append(false())
        # Only the booth status filter reads the joined rows; a count of the bare table is cheaper.
        counted = base if "status" in (equals or {}) else select().select_from(ident.table)
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
            page.add_columns(ident.label("fid"), self._feature(ident, geom, props).label("feature"))
            .where(*page_where)
            .subquery()
        )
        agg = func.json_agg(aggregate_order_by(rows.c.feature, rows.c.fid))
        row = self.session.execute(
            select(
                matched, func.count(), cast(func.coalesce(agg, cast(_text("[]"), JSON)), Text)
            ).select_from(rows)
        ).one()
        return int(row[0]), int(row[1]), str(row[2])

    def item(self, coll: Collection, feature_id: int) -> str | None:
        """One feature as GeoJSON text, or None when it is not in ``coll``."""
        ident, geom, where, props, base = self.source(coll)
        stmt = base.add_columns(cast(self._feature(ident, geom, props), Text)).where(
            *where, ident == feature_id
        )
        return self.session.execute(stmt).scalar_one_or_none()
