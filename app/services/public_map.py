"""The public home map's data: which event it opens on, its layers as compact GeoJSON, search.

Invariants:

* Public data only. A booth carries its code, kind, state, and for a placed vendor the stall's
  name (``business_name``), its goods category and whether it holds a valid halal certificate;
  never the owner's name, phone, NIB, certificate number or access code. Search reads the same
  columns and nothing else, so it cannot find a person by name or phone either.
* Only published events. Drafts and closed events are the office's.
* Exact caching: callers key the answers on the city's change counter
  (:mod:`app.services.data_version`), read *before* the data, so a cached answer is never older
  than its key. Nothing here reads the clock: ``today`` is an argument.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.models import (
    HOLDING_STATUSES,
    Assignment,
    Booth,
    City,
    DataVersion,
    Event,
    Facility,
    Landmark,
    Vendor,
    Zone,
)
from app.services.conflicts import event_conflicts
from app.styles import booth_state

#: Decimals of the public map's coordinates: 1e-6° is about 11 cm, a tenth of a booth's kerb gap.
PUBLIC_DECIMALS: Final = 6
#: Search answers at most this many stalls (a phone screen of results)...
SEARCH_LIMIT: Final = 20
#: ...and this many landmarks (above the stalls).
LANDMARK_LIMIT: Final = 5
#: Shortest query searched (one letter would match every stall).
SEARCH_MIN_CHARS: Final = 2


@dataclass(frozen=True)
class CityState:
    """What a public page needs of its city on every request: who it is and its counter."""

    id: int
    slug: str
    name: str
    version: int
    layout_version: int


def city_state(session: Session, slug: str) -> CityState | None:
    """The city named ``slug`` (else the first city) with its change counter, in one query.

    The home page and its data ask this on every visit, so it reads four columns, not the
    city's row with its extent.
    """
    row = session.execute(
        select(
            City.id,
            City.slug,
            City.name,
            func.coalesce(DataVersion.version, 0),
            func.coalesce(DataVersion.layout_version, 0),
        )
        .outerjoin(DataVersion, DataVersion.city_id == City.id)
        .order_by((City.slug == slug).desc(), City.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    return CityState(int(row[0]), str(row[1]), str(row[2]), int(row[3]), int(row[4]))


def published_events(session: Session, city_id: int) -> list[Event]:
    """The city's published events, by date (the home map's date switch)."""
    return list(
        session.scalars(
            select(Event)
            .where(Event.city_id == city_id, Event.status == "published")
            .order_by(Event.date, Event.id)
        ).all()
    )


def published_event(session: Session, city_id: int, slug: str) -> Event | None:
    """The city's published event named ``slug``, or None."""
    return session.scalars(
        select(Event).where(
            Event.city_id == city_id, Event.slug == slug, Event.status == "published"
        )
    ).one_or_none()


def next_event(events: Iterable[Event], today: date) -> Event | None:
    """The next published event from ``today`` on (today's counts); after the last, the latest.

    ``events`` as :func:`published_events` gives them (by date).
    """
    ordered = sorted(events, key=lambda e: (e.date, e.id))
    coming = [e for e in ordered if e.date >= today]
    if coming:
        return coming[0]
    return ordered[-1] if ordered else None


def _hours(zone: Zone) -> str | None:
    if zone.hours_start and zone.hours_end:
        return f"{zone.hours_start:%H:%M}–{zone.hours_end:%H:%M}"
    return None


def _feature(geometry: str, properties: Mapping[str, Any]) -> str:
    """One GeoJSON feature as text; PostGIS wrote the geometry, so it is pasted, not re-parsed."""
    props = {k: v for k, v in properties.items() if v not in (None, "", False)}
    return (
        '{"type":"Feature","geometry":'
        + geometry
        + ',"properties":'
        + json.dumps(props, ensure_ascii=False, separators=(",", ":"))
        + "}"
    )


def _collection(features: list[str]) -> str:
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def _halal_valid(on: date | None) -> Any:
    """SQL: the vendor holds a halal certificate valid on ``on`` (no expiry date counts)."""
    held = and_(Vendor.halal_cert_no.isnot(None), Vendor.halal_cert_no != "")
    if on is None:
        return held
    return and_(held, or_(Vendor.halal_cert_expiry.is_(None), Vendor.halal_cert_expiry >= on))


def public_layers_json(session: Session, city_id: int, event: Event | None) -> str:
    """The home map's layers as one compact JSON text, without any vendor's data.

    ``{"zones": FC, "facilities": FC, "booths": FC}`` in EPSG:4326 with short property names:
    zones ``k`` kind, ``n`` name, ``h`` hours; facilities ``k``, ``n``; booths ``c`` code and
    ``s`` state (a key of :data:`app.styles.BOOTH_STYLES`, conflicts included), and a desk's
    label as ``t``. Everything here changes only with the city's ``layout_version`` (the
    conflict engine's ground, see :mod:`app.services.context_cache`); who trades at each
    booth is :func:`public_stalls`.
    """
    zones = [
        _feature(gj, {"k": z.kind, "n": z.name, "h": _hours(z)})
        for z, gj in session.execute(
            select(Zone, func.ST_AsGeoJSON(Zone.geom, PUBLIC_DECIMALS))
            .where(Zone.city_id == city_id)
            .order_by(Zone.kind, Zone.name)
        ).all()
    ]
    facilities = [
        _feature(gj, {"k": kind, "n": name})
        for kind, name, gj in session.execute(
            select(Facility.kind, Facility.name, func.ST_AsGeoJSON(Facility.geom, PUBLIC_DECIMALS))
            .where(Facility.city_id == city_id)
            .order_by(Facility.kind, Facility.id)
        ).all()
    ]
    booths: list[str] = []
    if event is not None:
        worst: dict[str, str] = {}
        for conflict in event_conflicts(session, event):
            if worst.get(conflict.booth_code) != "blocking":
                worst[conflict.booth_code] = (
                    "blocking" if conflict.severity == "blocking" else "warning"
                )
        rows = session.execute(
            select(
                Booth.code, Booth.kind, Booth.label, func.ST_AsGeoJSON(Booth.geom, PUBLIC_DECIMALS)
            )
            .where(Booth.event_id == event.id)
            .order_by(Booth.code)
        ).all()
        for code, kind, label, gj in rows:
            state = booth_state({"kind": kind, "state": worst.get(code)})
            booths.append(
                _feature(gj, {"c": code, "s": state, "t": label if kind != "vendor" else None})
            )
    return (
        '{"zones":'
        + _collection(zones)
        + ',"facilities":'
        + _collection(facilities)
        + ',"booths":'
        + _collection(booths)
        + "}"
    )


def public_stalls(session: Session, event: Event | None) -> dict[str, list[Any]]:
    """Who trades at each booth, as the public may know it: code → ``[stall, category, halal]``.

    The stall's name (``business_name``), its goods category and whether it holds a halal
    certificate valid on the event's day; never a person's name, phone or certificate number.
    """
    if event is None:
        return {}
    rows = session.execute(
        select(Booth.code, Vendor.business_name, Vendor.category, _halal_valid(event.date))
        .join(Assignment, Assignment.booth_id == Booth.id)
        .join(Vendor, Vendor.id == Assignment.vendor_id)
        .where(
            Booth.event_id == event.id,
            Assignment.event_id == event.id,
            Assignment.status.in_(HOLDING_STATUSES),
        )
        .order_by(Booth.code)
    ).all()
    return {code: [stall, category, bool(halal)] for code, stall, category, halal in rows}


def public_map_json(layers_json: str, stalls: Mapping[str, list[Any]]) -> str:
    """The home map's document: :func:`public_layers_json` with ``"stalls"`` added."""
    return (
        layers_json[:-1]
        + ',"stalls":'
        + json.dumps(stalls, ensure_ascii=False, separators=(",", ":"))
        + "}"
    )


def booths_centre(session: Session, event: Event) -> tuple[float, float] | None:
    """``(lat, lon)`` of the middle of the event's booths (the home map opens there)."""
    row = session.execute(
        select(
            func.ST_Y(func.ST_Centroid(func.ST_Extent(Booth.geom))),
            func.ST_X(func.ST_Centroid(func.ST_Extent(Booth.geom))),
        ).where(Booth.event_id == event.id)
    ).one()
    if row[0] is None:
        return None
    return float(row[0]), float(row[1])


# --------------------------------------------------------------------------------------------------
# Search
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchWords:
    """What a visitor typed, read as goods words: categories, halal, and the words left over."""

    categories: frozenset[str]
    halal: bool
    words: tuple[str, ...]


#: Words visitors use for a goods category (both languages), beside the categories' own names.
CATEGORY_WORDS: Final[Mapping[str, frozenset[str]]] = {
    "kuliner": frozenset({"makanan", "minuman"}),
    "culinary": frozenset({"makanan", "minuman"}),
    "jajanan": frozenset({"makanan", "minuman"}),
    "makanan": frozenset({"makanan"}),
    "makan": frozenset({"makanan"}),
    "food": frozenset({"makanan"}),
    "minuman": frozenset({"minuman"}),
    "minum": frozenset({"minuman"}),
    "drinks": frozenset({"minuman"}),
    "drink": frozenset({"minuman"}),
    "pakaian": frozenset({"pakaian"}),
    "baju": frozenset({"pakaian"}),
    "clothes": frozenset({"pakaian"}),
    "clothing": frozenset({"pakaian"}),
    "kerajinan": frozenset({"kerajinan"}),
    "crafts": frozenset({"kerajinan"}),
    "craft": frozenset({"kerajinan"}),
    "aksesoris": frozenset({"aksesoris"}),
    "accessories": frozenset({"aksesoris"}),
    "mainan": frozenset({"mainan"}),
    "toys": frozenset({"mainan"}),
    "kecantikan": frozenset({"kecantikan"}),
    "beauty": frozenset({"kecantikan"}),
    "tani": frozenset({"hasil_tani"}),
    "produce": frozenset({"hasil_tani"}),
}
_HALAL_WORDS: Final = frozenset({"halal"})
#: Words that say nothing about the goods ("hasil" of "hasil tani", "produk").
_FILLER_WORDS: Final = frozenset({"hasil", "produk", "jual", "yang", "di", "the", "of"})


def read_search(text: str) -> SearchWords:
    """Split a visitor's query into categories, the halal wish and the other words.

    Examples
    --------
    >>> found = read_search("Kuliner halal")
    >>> sorted(found.categories), found.halal, found.words
    (['makanan', 'minuman'], True, ())
    >>> read_search("es campur")
    SearchWords(categories=frozenset(), halal=False, words=('es', 'campur'))
    """
    categories: set[str] = set()
    halal = False
    words: list[str] = []
    for word in re.findall(r"[\w-]+", text.lower()):
        if word in _HALAL_WORDS:
            halal = True
        elif word in CATEGORY_WORDS:
            categories |= CATEGORY_WORDS[word]
        elif word not in _FILLER_WORDS:
            words.append(word)
    return SearchWords(frozenset(categories), halal, tuple(words))


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_stalls(session: Session, event: Event, text: str) -> list[dict[str, Any]]:
    """The event's booths that match a booth code, a stall name or goods words.

    Each answer holds only public data: ``code``, ``stall`` (the business name, or the desk's
    label), ``category`` (a code), ``halal`` and the booth's middle as ``lat``/``lon``. A booth
    code typed whole comes first. Fewer than :data:`SEARCH_MIN_CHARS` characters find nothing.
    """
    text = text.strip()
    if len(text) < SEARCH_MIN_CHARS or event.status != "published":
        return []
    wanted = read_search(text)
    centre = func.ST_PointOnSurface(Booth.geom)
    holder = (
        select(Assignment.booth_id, Vendor.business_name, Vendor.category)
        .add_columns(_halal_valid(event.date).label("halal"))
        .join(Vendor, Vendor.id == Assignment.vendor_id)
        .where(Assignment.event_id == event.id, Assignment.status.in_(HOLDING_STATUSES))
        .subquery()
    )
    exact_code = func.lower(Booth.code) == text.lower()
    conditions: list[Any] = []
    if wanted.categories:
        conditions.append(holder.c.category.in_(sorted(wanted.categories)))
    if wanted.halal:
        conditions.append(holder.c.halal.is_(True))
    for word in wanted.words:
        pattern = _like(word)
        conditions.append(
            or_(
                holder.c.business_name.ilike(pattern, escape="\\"),
                Booth.label.ilike(pattern, escape="\\"),
                Booth.code.ilike(pattern, escape="\\"),
            )
        )
    if not conditions:
        return []
    rows = session.execute(
        select(
            Booth.code,
            Booth.kind,
            Booth.label,
            holder.c.business_name,
            holder.c.category,
            holder.c.halal,
            func.ST_Y(centre),
            func.ST_X(centre),
        )
        .outerjoin(holder, holder.c.booth_id == Booth.id)
        .where(Booth.event_id == event.id, or_(exact_code, and_(*conditions)))
        .order_by(exact_code.desc(), Booth.code)
        .limit(SEARCH_LIMIT)
    ).all()
    return [
        {
            "type": "booth",
            "code": code,
            "stall": stall or (label if kind != "vendor" else None),
            "category": category,
            "halal": bool(halal),
            "lat": round(float(lat), PUBLIC_DECIMALS),
            "lon": round(float(lon), PUBLIC_DECIMALS),
        }
        for code, kind, label, stall, category, halal, lat, lon in rows
    ]


def search_landmarks(session: Session, city_id: int, text: str) -> list[dict[str, Any]]:
    """The city's landmarks whose name holds every word typed (a mosque, a market, a bank…).

    Answers ``type`` ``"landmark"``, ``name``, ``kind`` (a code of
    :data:`app.kinds.LANDMARK_KIND_REGISTRY`) and ``lat``/``lon``.
    """
    words = re.findall(r"[\w-]+", text.lower())
    if len(text.strip()) < SEARCH_MIN_CHARS or not words:
        return []
    conditions = [Landmark.name.ilike(_like(word), escape="\\") for word in words]
    rows = session.execute(
        select(Landmark.name, Landmark.kind, func.ST_Y(Landmark.geom), func.ST_X(Landmark.geom))
        .where(Landmark.city_id == city_id, *conditions)
        .order_by(func.length(Landmark.name), Landmark.name)
        .limit(LANDMARK_LIMIT)
    ).all()
    return [
        {
            "type": "landmark",
            "name": name,
            "kind": kind,
            "lat": round(float(lat), PUBLIC_DECIMALS),
            "lon": round(float(lon), PUBLIC_DECIMALS),
        }
        for name, kind, lat, lon in rows
    ]
