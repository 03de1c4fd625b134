"""The vendor's own view of coming events ("Cek Lapak Saya") and their two answers to it.

Everything a vendor sees is built here from their own assignments: booth code, day and hours, a
small map around the booth (their booth, other booths only as occupied/free shapes, the MikroDOTS
service desks, crossings and bus stops, the emergency lane) and the distance to those landmarks,
measured in the city's metric CRS. No other vendor's name or personal data is ever loaded into
the result.

A vendor's two answers (they will come; they cannot) are in :mod:`app.services.attendance`.

Why this module is longer than 700 lines: the lookup is one SQL statement (one round trip on CFD
morning, measured by the ``serve-lookup`` benchmark); its lateral subqueries, the cache stamp and
the decoding of its rows are read together, and cutting the statement across modules would hide
what one request runs.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Text,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session, aliased

from app.db import driver_sql
from app.messages import Msg, render
from app.models import (
    HOLDING_STATUSES,
    AllocationRun,
    Assignment,
    BasemapSource,
    Booth,
    City,
    DataVersion,
    Event,
    Facility,
    Vendor,
    Zone,
)
from app.services import vendor_access as access
from app.services.places import inputs_json, place_from_inputs
from app.services.vendor_access import VendorKey

if TYPE_CHECKING:
    from app.cache import Cache

#: Booths drawn around the vendor's own (metres from its centre).
NEAR_M = 60.0
#: The map opens on this much ground around the booth (metres), about zoom 19 on a phone.
VIEW_M = 18.0
#: Crossings and bus stops are looked for this far away (metres).
LANDMARK_M = 400.0
#: Facility kinds shown as landmarks.
LANDMARK_FACILITIES = ("crossing", "bus_stop")
#: Landmarks listed in words under the map.
LANDMARKS_LISTED = 3
#: GeoJSON coordinates: 7 decimals ≈ 1 cm.
DECIMALS = 7
#: Part of every cache key of the vendor view: change it with the shape of the cached entry, so
#: a deploy never reads entries written by the previous code from a shared Redis.
VIEW_FORMAT = "v4"


@dataclass(frozen=True)
class Landmark:
    """A service desk, crossing or bus stop near the booth, with its distance."""

    kind: str
    name: str
    distance_m: float

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"kind": self.kind, "name": self.name, "distance_m": round(self.distance_m)}


#: The map of a booking with no booth (never drawn: only holding bookings get a map).
EMPTY_MAP = '{"type": "FeatureCollection", "features": []}'


@dataclass
class Booking:
    """One coming event where the vendor has (or had) a booth."""

    assignment_id: int
    event_slug: str
    event_name: str
    event_date: date
    start_time: time
    end_time: time
    booth_code: str
    status: str
    confirmed_at: datetime | None
    lat: float
    lon: float
    landmarks: list[Landmark] = field(default_factory=list)
    #: the small map's GeoJSON FeatureCollection as PostGIS wrote it (passed through as text)
    map_json: str = EMPTY_MAP
    view_bounds: list[list[float]] = field(default_factory=list)
    #: where the booth is, in words (:mod:`app.services.places`), in Indonesian and English
    place_id: str = ""
    place_en: str = ""
    #: every booth the vendor holds there side by side, in order (``[booth_code]`` for one)
    booth_codes: list[str] = field(default_factory=list)
    #: the city's basemap beneath the map: ``[city slug, illustrative, attribution]``, or None
    #: when the city has none (read in the same statement; not part of the API answer)
    basemap: list[Any] | None = None

    @property
    def place(self) -> Msg | None:
        """Where the booth is, in words (None when it could not be said)."""
        return Msg.text(self.place_id, self.place_en) if self.place_id else None

    @property
    def map(self) -> dict[str, Any]:
        """The small map's features (parsed; the JSON answer passes :attr:`map_json` through)."""
        parsed: dict[str, Any] = json.loads(self.map_json)
        return parsed

    @property
    def codes(self) -> list[str]:
        """Every booth the vendor holds in the event, side by side (one for most vendors)."""
        return self.booth_codes or [self.booth_code]

    @property
    def holding(self) -> bool:
        """The booth is still the vendor's (assigned or checked in)."""
        return self.status in HOLDING_STATUSES

    @property
    def can_confirm(self) -> bool:
        """The vendor may still say "Saya hadir"."""
        return self.status == "assigned" and self.confirmed_at is None

    @property
    def can_cancel(self) -> bool:
        """The vendor may still give the booth up."""
        return self.status == "assigned"

    def geo_uri(self) -> str:
        """``geo:`` URI (RFC 5870) for the phone's map app."""
        return f"geo:{self.lat:.6f},{self.lon:.6f}?q={self.lat:.6f},{self.lon:.6f}"

    def osm_url(self) -> str:
        """The booth on openstreetmap.org (works where no map app handles ``geo:``)."""
        return (
            f"https://www.openstreetmap.org/?mlat={self.lat:.6f}&mlon={self.lon:.6f}"
            f"#map=19/{self.lat:.6f}/{self.lon:.6f}"
        )

    def osm_directions_url(self) -> str:
        """Directions to the booth on openstreetmap.org (the start is the reader's choice)."""
        return (
            "https://www.openstreetmap.org/directions?engine=fossgis_osrm_foot"
            f"&route=%3B{self.lat:.6f}%2C{self.lon:.6f}"
        )

    def google_maps_url(self) -> str:
        """Directions in Google Maps (its app on Android and iOS, the web elsewhere), by the
        documented Maps URLs scheme."""
        return (
            "https://www.google.com/maps/dir/?api=1"
            f"&destination={self.lat:.6f}%2C{self.lon:.6f}&travelmode=walking"
        )

    def _fields(self) -> dict[str, Any]:
        return {
            "assignment_id": self.assignment_id,
            "event": {
                "slug": self.event_slug,
                "name": self.event_name,
                "date": self.event_date.isoformat(),
                "start": self.start_time.strftime("%H:%M"),
                "end": self.end_time.strftime("%H:%M"),
            },
            "booth": {
                "code": self.booth_code,
                "codes": self.codes,
                "lat": round(self.lat, 6),
                "lon": round(self.lon, 6),
            },
            "status": self.status,
            "confirmed": self.confirmed_at is not None,
            "can_confirm": self.can_confirm,
            "can_cancel": self.can_cancel,
            "navigate": {
                "geo": self.geo_uri(),
                "osm": self.osm_url(),
                "osm_directions": self.osm_directions_url(),
                "google_maps": self.google_maps_url(),
            },
            "place": {"id": self.place_id, "en": self.place_en} if self.place_id else None,
            "landmarks": [lm.to_dict() for lm in self.landmarks],
            "view_bounds": self.view_bounds,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON form for ``/api/lapak``."""
        return {**self._fields(), "map": self.map}

    def to_json(self) -> str:
        """:meth:`to_dict` as compact JSON text, with the map's GeoJSON spliced in unparsed."""
        return f'{_dumps(self._fields())[:-1]},"map":{self.map_json}}}'


@dataclass(frozen=True)
class Waitlisted:
    """A coming event where the vendor has no booth but is on the waitlist."""

    event_slug: str
    event_name: str
    event_date: date
    position: int

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "event": {
                "slug": self.event_slug,
                "name": self.event_name,
                "date": self.event_date.isoformat(),
            },
            "position": self.position,
        }


@dataclass
class VendorView:
    """What the vendor page shows: the vendor's own names, bookings and waitlist places."""

    business_name: str
    owner_name: str
    bookings: list[Booking]
    waitlisted: list[Waitlisted]

    def to_dict(self) -> dict[str, Any]:
        """JSON form for ``/api/lapak`` (the vendor's own data only)."""
        return {
            "vendor": {"business_name": self.business_name, "owner_name": self.owner_name},
            "bookings": [b.to_dict() for b in self.bookings],
            "waitlist": [w.to_dict() for w in self.waitlisted],
        }


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _names_json(business_name: str, owner_name: str) -> str:
    return _dumps({"business_name": business_name, "owner_name": owner_name})


def _fragment(bookings: list[Booking], waitlisted: list[Waitlisted]) -> str:
    """``"bookings":[…],"waitlist":[…]``: the API answer's part built from the data."""
    return (
        f'"bookings":[{",".join(b.to_json() for b in bookings)}],'
        f'"waitlist":{_dumps([w.to_dict() for w in waitlisted])}'
    )


# ---------------------------------------------------------------------------------------------
# Finding the vendor and building their view: one statement


@dataclass
class Found:
    """What one lookup statement found: the vendor, and their view when it was asked for.

    ``view_json`` is the ``/api/lapak`` answer (JSON text); ``view`` the objects the HTML page
    draws. Either may be None when not asked for.
    """

    vendor: VendorKey
    view: VendorView | None = None
    view_json: str | None = None


def find_by_code(
    session: Session,
    code: str,
    phone4: str,
    *,
    today: date,
    want: str = "json",
    cache: Cache | None = None,
    ttl: int = 0,
) -> Found | None:
    """The vendor with this access code and phone ending, with their view; else None.

    ``want``: ``"json"`` (the API answer), ``"view"`` (objects for the page) or ``"none"``.
    Uncached this is one statement: the vendor by code and, past
    :func:`~app.services.vendor_access.lookup_gate`, every coming booking with its map. With a
    cache, one statement finds the vendor with the view's stamp (:func:`_stamp`); a second
    builds the view only when the cache has no entry under that stamp. An unknown code and a
    wrong phone do the same work and the same constant-time comparison.
    """
    with_view = want != "none" and cache is None
    params = {"code": access.typed_code(code), "phone4": phone4 or "", "today": today}
    rows = _rows(session, "code", with_view, want != "none", params)
    first = rows[0] if rows else None
    if not access.phone_matches(
        first.phone if first else None, bool(first.active) if first else False, phone4
    ):
        return None
    assert first is not None
    return _found(session, rows, want=want, today=today, cache=cache, ttl=ttl)


def find_by_id(
    session: Session,
    vendor_id: int,
    *,
    today: date,
    want: str = "json",
    cache: Cache | None = None,
    ttl: int = 0,
) -> Found | None:
    """The active vendor with this id and their view (see :func:`find_by_code`), else None.

    For a vendor already known to the browser's session: the caller checks the session's key
    fingerprint (:func:`~app.services.vendor_access.is_current`) before showing anything.
    """
    with_view = want != "none" and cache is None
    params = {"vendor_id": vendor_id, "today": today}
    rows = _rows(session, "id", with_view, want != "none", params)
    if not rows or not rows[0].active:
        return None
    return _found(session, rows, want=want, today=today, cache=cache, ttl=ttl)


def _found(
    session: Session, rows: Sequence[Any], *, want: str, today: date, cache: Cache | None, ttl: int
) -> Found:
    first = rows[0]
    vendor = VendorKey(
        first.id, first.city_id, first.access_code, first.business_name, first.owner_name
    )
    found = Found(vendor)
    if want == "none":
        return found
    if cache is None:
        bookings, waitlisted = _from_rows(rows)
    else:
        fragment, state = _cached(
            session, vendor.id, vendor.city_id, first.stamp, today, cache, ttl
        )
        if want == "json":
            found.view_json = _answer(vendor.business_name, vendor.owner_name, fragment)
            return found
        bookings, waitlisted = _decode(state)
    if want == "json":
        found.view_json = _answer(
            vendor.business_name, vendor.owner_name, _fragment(bookings, waitlisted)
        )
    else:
        found.view = VendorView(vendor.business_name, vendor.owner_name, bookings, waitlisted)
    return found


def _answer(business_name: str, owner_name: str, fragment: str) -> str:
    return f'{{"vendor":{_names_json(business_name, owner_name)},{fragment}}}'


def vendor_view(
    session: Session, vendor: Vendor, *, today: date, cache: Cache | None = None, ttl: int = 0
) -> VendorView:
    """The vendor's coming published events (date ≥ ``today``): booth, map, waitlist place.

    One statement builds the view (:func:`_statement`). With a ``cache``, the bookings are kept
    under the vendor, the day, the city's layout counter (:mod:`app.models.data_version`) and
    the vendor's own assignments: on CFD morning every vendor checks their spot, often several
    times, and the answer only changes when the layout, who holds which booth, or the vendor's
    own booking does (not at every check-in). A cached look is then one indexed read (the
    stamp). Names come from the vendor row, never from the cache.
    """
    if cache is None:
        bookings, waitlisted = _view_rows(session, vendor.id, today)
    else:
        stamp = _view_stamp(session, vendor, today)
        state = _cached(session, vendor.id, vendor.city_id, stamp, today, cache, ttl)[1]
        bookings, waitlisted = _decode(state)
    return VendorView(vendor.business_name, vendor.owner_name, bookings, waitlisted)


def vendor_view_json(
    session: Session, vendor: Vendor, *, today: date, cache: Cache | None = None, ttl: int = 0
) -> str:
    """``vendor_view(...).to_dict()`` as JSON text, the maps' GeoJSON passed through unparsed."""
    if cache is None:
        fragment = _fragment(*_view_rows(session, vendor.id, today))
    else:
        stamp = _view_stamp(session, vendor, today)
        fragment = _cached(session, vendor.id, vendor.city_id, stamp, today, cache, ttl)[0]
    return _answer(vendor.business_name, vendor.owner_name, fragment)


def _view_rows(
    session: Session, vendor_id: int, today: date
) -> tuple[list[Booking], list[Waitlisted]]:
    return _from_rows(_rows(session, "id", True, False, {"vendor_id": vendor_id, "today": today}))


def _from_rows(rows: Sequence[Any]) -> tuple[list[Booking], list[Waitlisted]]:
    """Bookings and waitlist places from the statement's rows (one per coming event)."""
    bookings: list[Booking] = []
    waitlisted: list[Waitlisted] = []
    for row in rows:
        if row.event_id is None:
            continue
        if row.assignment_id is not None:
            bookings.append(
                Booking(
                    assignment_id=row.assignment_id,
                    event_slug=row.event_slug,
                    event_name=row.event_name,
                    event_date=row.event_date,
                    start_time=row.start_time,
                    end_time=row.end_time,
                    booth_code=row.booth_code,
                    booth_codes=(row.own_codes or row.booth_code).split(" "),
                    status=row.status,
                    confirmed_at=row.confirmed_at,
                    lat=row.lat,
                    lon=row.lon,
                    landmarks=[Landmark(k, n, float(d)) for k, n, d in json.loads(row.landmarks)],
                    map_json=row.map_json,
                    view_bounds=[[row.view_s, row.view_w], [row.view_n, row.view_e]],
                    **_place_texts(row.place_inputs),
                    basemap=(
                        None
                        if row.basemap_attribution is None
                        else [
                            row.city_slug,
                            bool(row.basemap_illustrative),
                            row.basemap_attribution,
                        ]
                    ),
                )
            )
        elif row.waitlist_position is not None:
            waitlisted.append(
                Waitlisted(
                    row.event_slug, row.event_name, row.event_date, int(row.waitlist_position)
                )
            )
    return bookings, waitlisted


#: Place lines worked out in this process, by a digest of their whole input (the booth, its
#: corridor, the roads, junctions and landmarks around it, as the statement read them). The line
#: is a pure function of that input, so an entry is never stale; a moved booth or an edited
#: street is a new input. Working a line out took about a quarter of an uncached lookup's
#: time in the app (shapely over the corridor and the streets), and on CFD morning the same
#: booths are looked up again and again while crew moves reset every cached answer.
_PLACE_MEMO: OrderedDict[bytes, tuple[str, str] | None] = OrderedDict()
#: Lines kept (least recently used out): more than a big event's booths.
PLACE_MEMO_SIZE = 4096
_PLACE_LOCK = threading.Lock()


def _place_texts(inputs: str | None) -> dict[str, str]:
    """The booking's place in words in both languages, from the statement's inputs."""
    if not inputs:
        return {}
    key = hashlib.blake2b(inputs.encode(), digest_size=16).digest()
    with _PLACE_LOCK:
        known = key in _PLACE_MEMO
        if known:
            _PLACE_MEMO.move_to_end(key)
            texts = _PLACE_MEMO[key]
    if not known:
        place = place_from_inputs(inputs)
        texts = None if place is None else (render(place, "id"), render(place, "en"))
        with _PLACE_LOCK:
            _PLACE_MEMO[key] = texts
            while len(_PLACE_MEMO) > PLACE_MEMO_SIZE:
                _PLACE_MEMO.popitem(last=False)
    if texts is None:
        return {}
    return {"place_id": texts[0], "place_en": texts[1]}


# -- the cache ---------------------------------------------------------------------------------


def _stamp(vendor_id: Any, city_id: Any, today: Any) -> Any:
    """What the vendor's view is built from, in one indexed read: the city's layout counter
    and the vendor's own assignments in coming published events (status, confirmation).
    Changes whenever the vendor's view may change; a check-in elsewhere leaves it alone."""
    own = (
        select(
            func.string_agg(
                func.concat_ws(
                    ":",
                    Assignment.id,
                    Assignment.booth_id,
                    Assignment.status,
                    func.extract("epoch", Assignment.confirmed_at),
                ),
                aggregate_order_by(literal(","), Assignment.id),
            )
        )
        .join(Event, Event.id == Assignment.event_id)
        .where(
            Assignment.vendor_id == vendor_id,
            Event.status == "published",
            Event.date >= today,
        )
        .scalar_subquery()
    )
    layout = (
        select(DataVersion.layout_version).where(DataVersion.city_id == city_id).scalar_subquery()
    )
    return func.concat_ws("/", layout, own)


@lru_cache(maxsize=1)
def _stamp_statement() -> Any:
    return select(_stamp(bindparam("vendor_id"), bindparam("city_id"), bindparam("today")))


def _view_stamp(session: Session, vendor: Vendor, today: date) -> str:
    return str(
        session.scalar(
            _stamp_statement(), {"vendor_id": vendor.id, "city_id": vendor.city_id, "today": today}
        )
    )


def _cached(
    session: Session,
    vendor_id: int,
    city_id: int,
    stamp: str,
    today: date,
    cache: Cache,
    ttl: int,
) -> tuple[str, str]:
    """The cached pair (JSON fragment of the API answer, state to rebuild the objects); built
    by one statement when the cache has none under the stamp."""
    key = f"lapak:{VIEW_FORMAT}:{city_id}:{vendor_id}:{today.isoformat()}:{stamp}"
    raw = cache.get(key)
    if raw is None:
        raw = _encode(*_view_rows(session, vendor_id, today))
        cache.set(key, raw, ttl)
    fragment, _, state = raw.decode().partition("\n")
    return fragment, state


def _encode(bookings: list[Booking], waitlisted: list[Waitlisted]) -> bytes:
    """Two JSON texts on two lines (ASCII-escaped JSON holds no raw newline; the maps' GeoJSON
    from PostGIS is one line too, and is kept as a string in the state).

    JSON, not pickle: a shared Redis must never be able to run code in the app.
    """

    def plain(value: Any) -> Any:
        if isinstance(value, datetime | date | time):
            return value.isoformat()
        raise TypeError(type(value).__name__)

    state = json.dumps(
        {"b": [asdict(b) for b in bookings], "w": [asdict(w) for w in waitlisted]},
        default=plain,
        separators=(",", ":"),
    )
    return f"{_fragment(bookings, waitlisted)}\n{state}".encode()


def _decode(state: str) -> tuple[list[Booking], list[Waitlisted]]:
    data = json.loads(state)
    bookings = []
    for b in data["b"]:
        b["event_date"] = date.fromisoformat(b["event_date"])
        b["start_time"] = time.fromisoformat(b["start_time"])
        b["end_time"] = time.fromisoformat(b["end_time"])
        if b["confirmed_at"] is not None:
            b["confirmed_at"] = datetime.fromisoformat(b["confirmed_at"])
        b["landmarks"] = [Landmark(**lm) for lm in b["landmarks"]]
        bookings.append(Booking(**b))
    waitlisted = [
        Waitlisted(**{**w, "event_date": date.fromisoformat(w["event_date"])}) for w in data["w"]
    ]
    return bookings, waitlisted


# -- the statement -----------------------------------------------------------------------------


def _feature_json(geometry: Any, props: Any) -> Any:
    return func.json_build_object(
        "type",
        "Feature",
        "geometry",
        cast(func.ST_AsGeoJSON(geometry, DECIMALS), JSON),
        "properties",
        props,
    )


def _features_text(feature: Any, order: Any) -> Any:
    """``feature, feature, …`` as text, in ``order`` (NULL when none)."""
    return func.string_agg(cast(feature, Text), aggregate_order_by(literal(", "), order))


def _bookings_lateral() -> Any:
    """One row per coming published event of the outer ``vendor`` row (date ≥ ``today``):
    the vendor's booth there (the holding assignment, else the latest), its small map and
    nearest landmarks, or else the vendor's place on the event's waitlist.

    PostGIS does all the geometry: windows of ``NEAR_M``, ``LANDMARK_M`` and ``VIEW_M`` around
    the booth's centre in the city's metric CRS, the map's GeoJSON, and landmark distances in
    metres. No other vendor's data is read: other booths appear as occupied or free shapes.
    """
    own = aliased(Booth, name="own")
    assignment = (
        select(Assignment.id, Assignment.booth_id, Assignment.status, Assignment.confirmed_at)
        .where(Assignment.event_id == Event.id, Assignment.vendor_id == Vendor.id)
        .order_by(
            Assignment.status.in_(HOLDING_STATUSES).desc(), Assignment.part, Assignment.id.desc()
        )
        .limit(1)
        .correlate(Event, Vendor)
        .lateral("a")
    )
    # a vendor on several booths side by side: every booth they hold there, in order (part)
    mine = aliased(Assignment, name="mine")
    mine_booth = aliased(Booth, name="mine_booth")
    own_codes = (
        select(func.string_agg(mine_booth.code, aggregate_order_by(literal(" "), mine.part)))
        .select_from(mine)
        .join(mine_booth, mine_booth.id == mine.booth_id)
        .where(
            mine.event_id == Event.id,
            mine.vendor_id == Vendor.id,
            mine.status.in_(HOLDING_STATUSES),
        )
        .correlate(Event, Vendor)
        .scalar_subquery()
    )
    epsg = City.metric_epsg
    centre = func.ST_Centroid(own.geom)
    centre_m = func.ST_Transform(centre, epsg)

    def window(radius_m: float) -> Any:
        return func.ST_Transform(func.ST_Expand(centre_m, radius_m), 4326)

    geo = (
        select(
            func.ST_X(centre).label("lon"),
            func.ST_Y(centre).label("lat"),
            func.ST_Envelope(window(NEAR_M)).label("near"),
            func.ST_Envelope(window(LANDMARK_M)).label("far"),
            window(VIEW_M).label("view"),
            func.ST_Transform(own.geom, epsg).label("own_m"),
        )
        .correlate(own, City)
        .lateral("g")
    )
    # the map: other booths near (occupied/free), the service desks, crossings and bus stops,
    # the emergency lane, and the vendor's own booth last (drawn on top)
    other, desk, holder = (
        aliased(Booth, name="other"),
        aliased(Booth, name="desk"),
        aliased(Assignment, name="holder"),
    )
    taken = (
        exists()
        .where(
            holder.booth_id == other.id,
            holder.event_id == Event.id,
            holder.status.in_(HOLDING_STATUSES),
        )
        .correlate(other, Event)
    )
    theirs = (
        exists()
        .where(
            holder.booth_id == other.id,
            holder.event_id == Event.id,
            holder.vendor_id == Vendor.id,
            holder.status.in_(HOLDING_STATUSES),
        )
        .correlate(other, Event, Vendor)
    )
    role = case((taken | (other.kind == "reserved"), "occupied"), else_="free")
    # the vendor's further booths beside this one are theirs too, labelled like it
    props = case(
        (theirs, func.json_build_object("role", "own", "code", other.code)),
        else_=func.json_build_object("role", role),
    )
    parts = [
        select(_features_text(_feature_json(other.geom, props), other.id))
        .where(
            other.event_id == Event.id,
            func.ST_Intersects(other.geom, geo.c.near),
            other.id != own.id,
            other.kind != "service_desk",
        )
        .correlate(Event, own, geo, Vendor),
        select(
            _features_text(
                _feature_json(
                    desk.geom,
                    func.json_build_object(
                        "role", "service_desk", "name", func.coalesce(desk.label, desk.service, "")
                    ),
                ),
                desk.id,
            )
        )
        .where(desk.event_id == Event.id, desk.kind == "service_desk")
        .correlate(Event),
        select(
            _features_text(
                _feature_json(
                    func.ST_PointOnSurface(Facility.geom),
                    func.json_build_object(
                        "role",
                        "facility",
                        "kind",
                        Facility.kind,
                        "name",
                        func.coalesce(Facility.name, ""),
                    ),
                ),
                Facility.id,
            )
        )
        .where(
            Facility.city_id == Event.city_id,
            Facility.kind.in_(LANDMARK_FACILITIES),
            func.ST_Intersects(Facility.geom, geo.c.far),
        )
        .correlate(Event, geo),
        select(
            _features_text(
                _feature_json(
                    func.ST_Intersection(Zone.geom, geo.c.far),
                    func.json_build_object("role", "emergency_lane", "name", Zone.name),
                ),
                Zone.id,
            )
        )
        .where(
            Zone.city_id == Event.city_id,
            Zone.kind == "emergency_lane",
            func.ST_Intersects(Zone.geom, geo.c.far),
        )
        .correlate(Event, geo),
    ]
    own_feature = cast(
        _feature_json(own.geom, func.json_build_object("role", "own", "code", own.code)), Text
    )
    map_json = func.concat(
        '{"type": "FeatureCollection", "features": [',
        func.concat_ws(", ", *[p.scalar_subquery() for p in parts], own_feature),
        "]}",
    )
    marks = union_all(
        select(
            literal("service_desk").label("kind"),
            func.coalesce(desk.label, desk.service, "").label("name"),
            func.ST_Distance(func.ST_Transform(desk.geom, epsg), geo.c.own_m).label("d"),
            desk.code.label("tie"),
        )
        .where(desk.event_id == Event.id, desk.kind == "service_desk")
        .correlate(Event, City, geo),
        select(
            Facility.kind,
            func.coalesce(Facility.name, ""),
            func.ST_Distance(func.ST_Transform(Facility.geom, epsg), geo.c.own_m),
            cast(Facility.id, Text),
        )
        .where(
            Facility.city_id == Event.city_id,
            Facility.kind.in_(LANDMARK_FACILITIES),
            func.ST_Intersects(Facility.geom, geo.c.far),
        )
        .correlate(Event, City, geo),
    ).subquery("marks")
    nearest = (
        select(marks).order_by(marks.c.d, marks.c.tie).limit(LANDMARKS_LISTED).subquery("nearest")
    )
    landmarks = select(
        func.coalesce(
            cast(
                func.json_agg(
                    aggregate_order_by(
                        func.json_build_array(nearest.c.kind, nearest.c.name, nearest.c.d),
                        nearest.c.d,
                        nearest.c.tie,
                    )
                ),
                Text,
            ),
            "[]",
        )
    ).scalar_subquery()
    run = (
        select(AllocationRun.result)
        .where(AllocationRun.event_id == Event.id)
        .order_by(AllocationRun.id.desc())
        .limit(1)
        .correlate(Event)
        .subquery("run")
    )
    places = (
        func.jsonb_array_elements_text(run.c.result.op("->")(literal("waitlist", Text)))
        .table_valued("value", with_ordinality="place")
        .render_derived(name="places")
    )
    waitlist_place = (
        select(func.min(places.c.place))
        .select_from(run)
        .join(places, true())
        .where(places.c.value == cast(Vendor.id, Text))
        .correlate(Vendor)
        .scalar_subquery()
    )
    has_booth = own.id.isnot(None)
    return (
        select(
            Event.id.label("event_id"),
            Event.slug.label("event_slug"),
            Event.name.label("event_name"),
            Event.date.label("event_date"),
            Event.start_time,
            Event.end_time,
            assignment.c.id.label("assignment_id"),
            assignment.c.status,
            assignment.c.confirmed_at,
            own.code.label("booth_code"),
            case((has_booth, own_codes)).label("own_codes"),
            geo.c.lat,
            geo.c.lon,
            func.ST_YMin(geo.c.view).label("view_s"),
            func.ST_XMin(geo.c.view).label("view_w"),
            func.ST_YMax(geo.c.view).label("view_n"),
            func.ST_XMax(geo.c.view).label("view_e"),
            case((has_booth, map_json)).label("map_json"),
            case((has_booth, landmarks)).label("landmarks"),
            case(
                (
                    has_booth,
                    inputs_json(
                        own.geom, geo.c.own_m, Event.id, Event.city_id, epsg, Event, City, geo
                    ),
                )
            ).label("place_inputs"),
            case((assignment.c.id.is_(None), waitlist_place)).label("waitlist_position"),
            City.slug.label("city_slug"),
            BasemapSource.illustrative.label("basemap_illustrative"),
            BasemapSource.attribution.label("basemap_attribution"),
        )
        .select_from(Event)
        .join(City, City.id == Event.city_id)
        .outerjoin(BasemapSource, BasemapSource.city_id == City.id)
        .outerjoin(assignment, true())
        .outerjoin(own, own.id == assignment.c.booth_id)
        .outerjoin(geo, true())
        .where(
            Event.city_id == Vendor.city_id,
            Event.status == "published",
            Event.date >= bindparam("today"),
        )
        .correlate(Vendor)
    )


def _rows(
    session: Session, by: str, with_view: bool, with_stamp: bool, params: dict[str, Any]
) -> Sequence[Any]:
    """The rows of :func:`_statement`, sent as its driver text (:func:`_sql`)."""
    sql = _sql(by, with_view, with_stamp)
    return session.connection().exec_driver_sql(sql, params).all()


@lru_cache(maxsize=8)
def _sql(by: str, with_view: bool, with_stamp: bool) -> str:
    """:func:`_statement` as SQL text with its constants written in (:func:`app.db.driver_sql`):
    this statement has about a hundred (JSON keys, kinds, radii); converting and sending them
    with every lookup cost more than a millisecond of the app's time, and as parameters they
    hid from the generic plan that only service desks are wanted (a partial index) and more,
    which cost the database about as much again."""
    keep = ("code", "phone4", "today") if by == "code" else ("vendor_id", "today")
    return driver_sql(_statement(by, with_view, with_stamp), keep)


@lru_cache(maxsize=8)
def _statement(by: str, with_view: bool, with_stamp: bool) -> Any:
    """The lookup, built once per shape with bound parameters (``code`` and ``phone4``, or
    ``vendor_id``; ``today``): the vendor row, then either every coming booking (one row per
    event, ``with_view``) or the view's cache stamp (``with_stamp``), each only past the gate.

    Building SQLAlchemy expressions costs more than running them here, and this is the hottest
    read on CFD morning.
    """
    if by == "code":
        who = Vendor.access_code == bindparam("code")
        gate = access.lookup_gate(bindparam("phone4"))
    else:
        who = Vendor.id == bindparam("vendor_id")
        gate = Vendor.active.is_(True)
    columns = [
        Vendor.id,
        Vendor.city_id,
        Vendor.access_code,
        Vendor.business_name,
        Vendor.owner_name,
        Vendor.active,
        Vendor.phone,
    ]
    if with_view:
        lateral = _bookings_lateral().where(gate).lateral("booking")
        return (
            select(*columns, *[c for c in lateral.c if c.key != "event_id"], lateral.c.event_id)
            .select_from(Vendor)
            .outerjoin(lateral, true())
            .where(who)
            .order_by(lateral.c.event_date, lateral.c.start_time, lateral.c.event_id)
        )
    if with_stamp:
        stamp = case((gate, _stamp(Vendor.id, Vendor.city_id, bindparam("today"))))
        return select(*columns, stamp.label("stamp")).where(who)
    return select(*columns).where(who)
