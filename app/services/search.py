"""Staff map search: one box that finds a booth code, a vendor, a street or a landmark.

What a searcher may find follows their permissions (:mod:`app.roles`), decided by the route and
passed in as a :class:`Scope`:

* everyone with ``map.read``: the event's booths by code, the city's named streets (basemap
  roads) and junctions, and its landmarks;
* with ``checkin.write`` (crew): also the vendors who hold a booth in the event, by stall or
  owner name, shown with what the check-in list shows (booth code, stall and owner name);
* with ``vendors.read_private`` (planners): the same vendors also by phone number (four or more
  digits), with the phone shown.

Vendors are only found through their booth in the event on the map, so a result can always be
zoomed to. Names match anywhere (``ILIKE '%…%'`` with the searcher's wildcards escaped), ranked
by trigram similarity (``pg_trgm``; GIN indexes from the migration ``search_trigram_indexes``);
each kind gives at most :data:`PER_KIND` results. Results are data (JSON): the page puts them in
the document as text, never as markup.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import func, literal, or_, select
from sqlalchemy.orm import Session

from app.messages import define
from app.models import (
    HOLDING_STATUSES,
    Assignment,
    BasemapRoad,
    Booth,
    City,
    Event,
    Facility,
    Landmark,
    Vendor,
)
from app.services.errors import ServiceError

__all__ = ["MAX_QUERY", "MIN_QUERY", "PER_KIND", "Hit", "Scope", "search"]

#: Results per kind (booths, vendors, streets, landmarks).
PER_KIND = 6
#: Shorter queries find nothing (two letters already narrow a city's names).
MIN_QUERY = 2
#: Longer queries are refused.
MAX_QUERY = 80
#: Phone numbers match from this many digits.
PHONE_DIGITS = 4
#: Decimals of the highlight's coordinates (1e-6° ≈ 10 cm) and its simplification (degrees):
#: a long street stays a small answer.
DECIMALS = 6
SIMPLIFY_DEG = 2e-6

_TOO_LONG = define(
    "search.too_long",
    id="Kata pencarian (q) terlalu panjang: paling banyak {n} huruf.",
    en="The search text (q) is too long: at most {n} characters.",
)


class Scope(Enum):
    """Which vendors a searcher may find (see the module's description)."""

    NONE = "none"
    EVENT = "event"
    PRIVATE = "private"


@dataclass(frozen=True)
class Hit:
    """One result: what it is, its name, a line that tells it apart, where to zoom."""

    kind: str
    label: str
    detail: str
    #: ``[[south, west], [north, east]]``
    bounds: list[list[float]]
    #: GeoJSON geometry to highlight (EPSG:4326)
    geometry: dict[str, Any]
    #: the booth's id for booth and vendor results (the map selects it)
    booth_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "kind": self.kind,
            "label": self.label,
            "detail": self.detail,
            "bounds": self.bounds,
            "geometry": self.geometry,
            "booth_id": self.booth_id,
        }


def _pattern(q: str) -> str:
    """``%q%`` with LIKE's wildcards in ``q`` taken literally (the escape character is ``\\``).

    >>> _pattern("50%_a\\\\b")
    '%50\\\\%\\\\_a\\\\\\\\b%'
    """
    return "%" + re.sub(r"([\\%_])", r"\\\1", q) + "%"


def _where_geo(geom: Any) -> list[Any]:
    envelope = func.ST_Envelope(geom)
    return [
        func.ST_YMin(envelope).label("s"),
        func.ST_XMin(envelope).label("w"),
        func.ST_YMax(envelope).label("n"),
        func.ST_XMax(envelope).label("e"),
        func.ST_AsGeoJSON(func.ST_Simplify(geom, SIMPLIFY_DEG, True), DECIMALS).label("gj"),
    ]


def _hit(kind: str, label: str, detail: str, row: Any, booth_id: int | None = None) -> Hit:
    return Hit(
        kind,
        label,
        detail,
        [[row.s, row.w], [row.n, row.e]],
        json.loads(row.gj),
        booth_id,
    )


def search(
    session: Session,
    city: City,
    query: str,
    *,
    event: Event | None,
    scope: Scope,
    labels: dict[str, str] | None = None,
) -> list[Hit]:
    """Results for ``query`` in ``city`` (booths and vendors of ``event``), by kind.

    ``labels`` are the result lines in the reader's language: ``street``, ``intersection`` and
    each landmark kind (keys as stored).

    Raises
    ------
    ServiceError
        When ``query`` is longer than :data:`MAX_QUERY`.
    """
    q = " ".join(query.split())
    if len(q) > MAX_QUERY:
        raise ServiceError(_TOO_LONG(n=MAX_QUERY))
    if len(q) < MIN_QUERY:
        return []
    labels = labels or {}
    like = _pattern(q)
    hits: list[Hit] = []
    if event is not None:
        hits += _booths(session, event, q, like)
        if scope is not Scope.NONE:
            hits += _vendors(session, event, q, like, scope)
    hits += _streets(session, city, q, like, labels)
    hits += _landmarks(session, city, q, like, labels)
    return hits


def _booths(session: Session, event: Event, q: str, like: str) -> list[Hit]:
    compact = re.sub(r"[\s\-_.]", "", q)
    code_compact = func.regexp_replace(Booth.code, r"[\s\-_.]", "", "g")
    rows = session.execute(
        select(Booth.id, Booth.code, Booth.kind, Booth.label, *_where_geo(Booth.geom))
        .where(
            Booth.event_id == event.id,
            or_(
                Booth.code.ilike(like, escape="\\"),
                code_compact.ilike(_pattern(compact), escape="\\") if compact else literal(False),
            ),
        )
        .order_by(func.length(Booth.code), Booth.code)
        .limit(PER_KIND)
    ).all()
    return [_hit("booth", r.code, r.label or "", r, r.id) for r in rows]


def _vendors(session: Session, event: Event, q: str, like: str, scope: Scope) -> list[Hit]:
    matches = [
        Vendor.business_name.ilike(like, escape="\\"),
        Vendor.owner_name.ilike(like, escape="\\"),
    ]
    digits = re.sub(r"\D", "", q)
    by_phone = (
        scope is Scope.PRIVATE
        and len(digits) >= PHONE_DIGITS
        and digits == q.replace(" ", "").lstrip("+")
    )
    if by_phone:
        matches.append(
            func.regexp_replace(func.coalesce(Vendor.phone, ""), r"\D", "", "g").like(f"%{digits}%")
        )
    rank = func.greatest(
        func.similarity(Vendor.business_name, q), func.similarity(Vendor.owner_name, q)
    )
    rows = session.execute(
        select(
            Booth.id,
            Booth.code,
            Vendor.business_name,
            Vendor.owner_name,
            Vendor.phone,
            *_where_geo(Booth.geom),
        )
        .select_from(Assignment)
        .join(Vendor, Vendor.id == Assignment.vendor_id)
        .join(Booth, Booth.id == Assignment.booth_id)
        .where(
            Assignment.event_id == event.id,
            Assignment.status.in_(HOLDING_STATUSES),
            or_(*matches),
        )
        .order_by(rank.desc(), Vendor.business_name, Booth.code)
        .limit(PER_KIND)
    ).all()
    out = []
    for r in rows:
        parts = [r.code, r.owner_name]
        if scope is Scope.PRIVATE and r.phone:
            parts.append(r.phone)
        out.append(_hit("vendor", r.business_name, " · ".join(parts), r, r.id))
    return out


def _streets(session: Session, city: City, q: str, like: str, labels: dict[str, str]) -> list[Hit]:
    named = (
        select(
            BasemapRoad.name.label("name"),
            func.ST_LineMerge(func.ST_Collect(BasemapRoad.geom)).label("geom"),
        )
        .where(BasemapRoad.city_id == city.id, BasemapRoad.name.ilike(like, escape="\\"))
        .group_by(BasemapRoad.name)
        .order_by(func.similarity(BasemapRoad.name, q).desc(), BasemapRoad.name)
        .limit(PER_KIND)
        .subquery()
    )
    roads = session.execute(select(named.c.name, *_where_geo(named.c.geom))).all()
    junctions = session.execute(
        select(Facility.name, *_where_geo(func.ST_Centroid(Facility.geom)))
        .where(
            Facility.city_id == city.id,
            Facility.kind == "intersection",
            Facility.name.ilike(like, escape="\\"),
        )
        .order_by(func.similarity(Facility.name, q).desc(), Facility.name)
        .limit(PER_KIND)
    ).all()
    hits = [_hit("street", r.name, labels.get("street", ""), r) for r in roads]
    junction = labels.get("intersection", "")
    hits += [_hit("street", r.name, junction, r) for r in junctions]
    return hits[:PER_KIND]


def _landmarks(
    session: Session, city: City, q: str, like: str, labels: dict[str, str]
) -> list[Hit]:
    rows = session.execute(
        select(Landmark.name, Landmark.kind, *_where_geo(Landmark.geom))
        .where(Landmark.city_id == city.id, Landmark.name.ilike(like, escape="\\"))
        .order_by(func.similarity(Landmark.name, q).desc(), Landmark.name, Landmark.id)
        .limit(PER_KIND)
    ).all()
    return [_hit("landmark", r.name, labels.get(r.kind, ""), r) for r in rows]
