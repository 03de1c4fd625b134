"""The vendor's own view of coming events ("Cek Lapak Saya") and their two answers to it.

Everything a vendor sees is built here from their own assignments: booth code, day and hours, a
small map around the booth (their booth, other booths only as occupied/free shapes, the MikroDOTS
service desks, crossings and bus stops, the emergency lane) and the distance to those landmarks,
measured in the city's metric CRS. No other vendor's name or personal data is ever loaded into
the result.

A vendor may confirm they will come (``confirmed_at``) or say they cannot; the latter releases
the booth to the next eligible vendor on the waitlist. The route wraps both in
``acting_as(None, f"vendor:{id}")`` so the audit log names the vendor.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from geoalchemy2.shape import to_shape
from shapely import box
from shapely.geometry.base import BaseGeometry
from sqlalchemy import (
    JSON,
    BindParameter,
    Text,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session, aliased, joinedload

from app.gis.crs import to_metric, to_wgs84
from app.models import (
    HOLDING_STATUSES,
    Assignment,
    Booth,
    DataVersion,
    Event,
    Facility,
    Vendor,
    Zone,
)
from app.services.allocation import latest_run, release_and_offer
from app.services.errors import Conflict, NotFound, ServiceError

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
VIEW_FORMAT = "v1"


@dataclass(frozen=True)
class Landmark:
    """A service desk, crossing or bus stop near the booth, with its distance."""

    kind: str
    name: str
    distance_m: float

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"kind": self.kind, "name": self.name, "distance_m": round(self.distance_m)}


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
    map: dict[str, Any] = field(default_factory=dict)
    view_bounds: list[list[float]] = field(default_factory=list)

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

    def to_dict(self) -> dict[str, Any]:
        """JSON form for ``/api/lapak``."""
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
                "lat": round(self.lat, 6),
                "lon": round(self.lon, 6),
            },
            "status": self.status,
            "confirmed": self.confirmed_at is not None,
            "can_confirm": self.can_confirm,
            "can_cancel": self.can_cancel,
            "navigate": {"geo": self.geo_uri(), "osm": self.osm_url()},
            "landmarks": [lm.to_dict() for lm in self.landmarks],
            "map": self.map,
            "view_bounds": self.view_bounds,
        }


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


def _coming_events(session: Session, vendor: Vendor, today: date) -> list[Event]:
    return list(
        session.scalars(
            select(Event)
            .where(
                Event.city_id == vendor.city_id, Event.status == "published", Event.date >= today
            )
            .options(joinedload(Event.city))
            .order_by(Event.date, Event.start_time, Event.id)
        )
    )


def _current_assignment(session: Session, vendor: Vendor, event: Event) -> Assignment | None:
    """The vendor's booth in the event: the holding one, else the latest released one."""
    rows = session.scalars(
        select(Assignment)
        .where(Assignment.event_id == event.id, Assignment.vendor_id == vendor.id)
        .options(joinedload(Assignment.booth))
        .order_by(Assignment.status.in_(HOLDING_STATUSES).desc(), Assignment.id.desc())
        .limit(1)
    ).all()
    return rows[0] if rows else None


def vendor_view(
    session: Session, vendor: Vendor, *, today: date, cache: Cache | None = None, ttl: int = 0
) -> VendorView:
    """The vendor's coming published events (date ≥ ``today``): booth, map, waitlist place.

    With a ``cache``, the bookings are kept under the vendor, the day, the city's layout counter
    (:mod:`app.models.data_version`) and the vendor's own assignments: on CFD morning every
    vendor checks their spot, often several times, and the answer only changes when the layout,
    who holds which booth, or the vendor's own booking does (not at every check-in). A lookup
    then costs two indexed reads (the vendor by code, the stamp) instead of five statements and
    the map's GeoJSON. Names come from the vendor row, never from the cache.
    """
    if cache is None:
        bookings, waitlisted = _bookings(session, vendor, today)
    else:
        bookings, waitlisted = _decode(_view_entry(session, vendor, today, cache, ttl)[1])
    return VendorView(vendor.business_name, vendor.owner_name, bookings, waitlisted)


def vendor_view_json(
    session: Session, vendor: Vendor, *, today: date, cache: Cache | None = None, ttl: int = 0
) -> str:
    """``vendor_view(...).to_dict()`` as JSON text; from the cache without parsing anything."""
    names = {"business_name": vendor.business_name, "owner_name": vendor.owner_name}
    if cache is None:
        return json.dumps(
            vendor_view(session, vendor, today=today).to_dict(), separators=(",", ":")
        )
    fragment = _view_entry(session, vendor, today, cache, ttl)[0]
    return f'{{"vendor":{json.dumps(names, separators=(",", ":"))},{fragment}}}'


@lru_cache(maxsize=1)
def _stamp_statement() -> Any:
    """What the vendor's view is built from, in one indexed read: the city's layout counter
    and the vendor's own assignments in coming published events (status, confirmation)."""
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
            Assignment.vendor_id == bindparam("vendor_id"),
            Event.status == "published",
            Event.date >= bindparam("today"),
        )
        .scalar_subquery()
    )
    layout = (
        select(DataVersion.layout_version)
        .where(DataVersion.city_id == bindparam("city_id"))
        .scalar_subquery()
    )
    return select(func.concat_ws("/", layout, own))


def _view_stamp(session: Session, vendor: Vendor, today: date) -> str:
    """Changes whenever the vendor's view may change; a check-in elsewhere leaves it alone."""
    return str(
        session.scalar(
            _stamp_statement(), {"vendor_id": vendor.id, "city_id": vendor.city_id, "today": today}
        )
    )


def _view_entry(
    session: Session, vendor: Vendor, today: date, cache: Cache, ttl: int
) -> tuple[str, str]:
    """The cached pair (JSON fragment of the API answer, state to rebuild the objects)."""
    key = (
        f"lapak:{VIEW_FORMAT}:{vendor.city_id}:{vendor.id}:{today.isoformat()}:"
        f"{_view_stamp(session, vendor, today)}"
    )
    raw = cache.get(key)
    if raw is None:
        raw = _encode(*_bookings(session, vendor, today))
        cache.set(key, raw, ttl)
    fragment, _, state = raw.decode().partition("\n")
    return fragment, state


def _encode(bookings: list[Booking], waitlisted: list[Waitlisted]) -> bytes:
    """Two JSON texts on two lines (ASCII-escaped JSON holds no raw newline).

    JSON, not pickle: a shared Redis must never be able to run code in the app.
    """

    def plain(value: Any) -> Any:
        if isinstance(value, datetime | date | time):
            return value.isoformat()
        raise TypeError(type(value).__name__)

    compact = (",", ":")
    api = json.dumps(
        {
            "bookings": [b.to_dict() for b in bookings],
            "waitlist": [w.to_dict() for w in waitlisted],
        },
        separators=compact,
    )
    state = json.dumps(
        {"b": [asdict(b) for b in bookings], "w": [asdict(w) for w in waitlisted]},
        default=plain,
        separators=compact,
    )
    return f"{api[1:-1]}\n{state}".encode()


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


def _bookings(
    session: Session, vendor: Vendor, today: date
) -> tuple[list[Booking], list[Waitlisted]]:
    bookings: list[Booking] = []
    waitlisted: list[Waitlisted] = []
    for event in _coming_events(session, vendor, today):
        assignment = _current_assignment(session, vendor, event)
        if assignment is not None:
            bookings.append(_booking(session, event, assignment))
            continue
        run = latest_run(session, event)
        waitlist = [int(v) for v in (run.result.get("waitlist", []) if run else [])]
        if vendor.id in waitlist:
            waitlisted.append(
                Waitlisted(event.slug, event.name, event.date, waitlist.index(vendor.id) + 1)
            )
    return bookings, waitlisted


def _window(centre_m: BaseGeometry, radius_m: float, epsg: int) -> BaseGeometry:
    """A box ``radius_m`` around a metric point, in EPSG:4326 (for index lookups and views)."""
    x, y = centre_m.x, centre_m.y
    return to_wgs84(box(x - radius_m, y - radius_m, x + radius_m, y + radius_m), epsg)


def _envelope(geom: BaseGeometry) -> Any:
    minx, miny, maxx, maxy = geom.bounds
    return func.ST_MakeEnvelope(minx, miny, maxx, maxy, 4326)


def _feature_json(geometry: Any, props: Any) -> Any:
    return func.json_build_object(
        "type",
        "Feature",
        "geometry",
        cast(func.ST_AsGeoJSON(geometry, DECIMALS), JSON),
        "properties",
        props,
    )


def _box(prefix: str) -> Any:
    return func.ST_MakeEnvelope(
        bindparam(f"{prefix}_minx"),
        bindparam(f"{prefix}_miny"),
        bindparam(f"{prefix}_maxx"),
        bindparam(f"{prefix}_maxy"),
        4326,
    )


@lru_cache(maxsize=1)
def _booking_statements() -> tuple[Any, Any]:
    """The two statements of :func:`_booking`, built once with bound parameters.

    Building SQLAlchemy expressions costs more than running them here, and this is the hottest
    read on CFD morning.
    """
    event_id: BindParameter[int] = bindparam("event_id")
    booth_id: BindParameter[int] = bindparam("booth_id")
    city_id: BindParameter[int] = bindparam("city_id")
    epsg: BindParameter[int] = bindparam("epsg")
    near, far = _box("near"), _box("far")
    own_m = func.ST_Transform(
        select(Booth.geom).where(Booth.id == booth_id).scalar_subquery(), epsg
    )
    holder = aliased(Assignment)
    taken = exists().where(
        holder.booth_id == Booth.id,
        holder.event_id == event_id,
        holder.status.in_(HOLDING_STATUSES),
    )
    role = case((taken | (Booth.kind == "reserved"), "occupied"), else_="free")
    parts = [
        select(
            literal(0).label("ord"),
            Booth.id.label("k"),
            _feature_json(Booth.geom, func.json_build_object("role", role)).label("f"),
        ).where(
            Booth.event_id == event_id,
            func.ST_Intersects(Booth.geom, near),
            Booth.id != booth_id,
            Booth.kind != "service_desk",
        ),
        select(
            literal(1),
            Booth.id,
            _feature_json(
                Booth.geom,
                func.json_build_object(
                    "role", "service_desk", "name", func.coalesce(Booth.label, Booth.service, "")
                ),
            ),
        ).where(Booth.event_id == event_id, Booth.kind == "service_desk"),
        select(
            literal(2),
            Facility.id,
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
        ).where(
            Facility.city_id == city_id,
            Facility.kind.in_(LANDMARK_FACILITIES),
            func.ST_Intersects(Facility.geom, far),
        ),
        select(
            literal(3),
            Zone.id,
            _feature_json(
                func.ST_Intersection(Zone.geom, far),
                func.json_build_object("role", "emergency_lane", "name", Zone.name),
            ),
        ).where(
            Zone.city_id == city_id,
            Zone.kind == "emergency_lane",
            func.ST_Intersects(Zone.geom, far),
        ),
        select(
            literal(4),
            Booth.id,
            _feature_json(Booth.geom, func.json_build_object("role", "own", "code", Booth.code)),
        ).where(Booth.id == booth_id),
    ]
    rows = union_all(*parts).subquery()
    features = select(
        cast(
            func.json_build_object(
                "type",
                "FeatureCollection",
                "features",
                func.json_agg(aggregate_order_by(rows.c.f, rows.c.ord, rows.c.k)),
            ),
            Text,
        )
    )

    marks = union_all(
        select(
            literal("service_desk").label("kind"),
            func.coalesce(Booth.label, Booth.service, "").label("name"),
            func.ST_Distance(func.ST_Transform(Booth.geom, epsg), own_m).label("d"),
            Booth.code.label("tie"),
        ).where(Booth.event_id == event_id, Booth.kind == "service_desk"),
        select(
            Facility.kind,
            func.coalesce(Facility.name, ""),
            func.ST_Distance(func.ST_Transform(Facility.geom, epsg), own_m),
            cast(Facility.id, Text),
        ).where(
            Facility.city_id == city_id,
            Facility.kind.in_(LANDMARK_FACILITIES),
            func.ST_Intersects(Facility.geom, far),
        ),
    ).subquery()
    landmarks = select(marks).order_by(marks.c.d, marks.c.tie).limit(LANDMARKS_LISTED)
    return features, landmarks


def _booking(session: Session, event: Event, assignment: Assignment) -> Booking:
    """The vendor's booth, its neighbourhood map and landmarks, in two PostGIS statements.

    The vendor page is the app's busiest read on CFD morning (every vendor checks, on a slow
    phone): PostGIS builds the map's GeoJSON and measures the landmark distances in the city's
    metric CRS, so the request does no geometry work in Python.
    """
    booth = assignment.booth
    epsg = event.city.metric_epsg
    own = to_shape(booth.geom)
    centre_m = to_metric(own.centroid, epsg)
    centre = own.centroid
    params: dict[str, Any] = {
        "event_id": event.id,
        "booth_id": booth.id,
        "city_id": event.city_id,
        "epsg": epsg,
    }
    for prefix, radius in (("near", NEAR_M), ("far", LANDMARK_M)):
        minx, miny, maxx, maxy = _window(centre_m, radius, epsg).bounds
        params |= {
            f"{prefix}_minx": minx,
            f"{prefix}_miny": miny,
            f"{prefix}_maxx": maxx,
            f"{prefix}_maxy": maxy,
        }
    features, landmarks_query = _booking_statements()
    fc_text = session.execute(features, params).scalar_one()
    landmarks = [
        Landmark(kind, name, float(d))
        for kind, name, d, _tie in session.execute(landmarks_query, params)
    ]
    view = _window(centre_m, VIEW_M, epsg).bounds
    return Booking(
        assignment_id=assignment.id,
        event_slug=event.slug,
        event_name=event.name,
        event_date=event.date,
        start_time=event.start_time,
        end_time=event.end_time,
        booth_code=booth.code,
        status=assignment.status,
        confirmed_at=assignment.confirmed_at,
        lat=centre.y,
        lon=centre.x,
        landmarks=landmarks,
        map=json.loads(str(fc_text)),
        view_bounds=[[view[1], view[0]], [view[3], view[2]]],
    )


# ---------------------------------------------------------------------------------------------
# The vendor's answers


def _own_assignment(
    session: Session, vendor: Vendor, assignment_id: int, *, today: date
) -> Assignment:
    """The vendor's assignment in a coming published event, locked for this transaction."""
    assignment = session.scalars(
        select(Assignment)
        .where(Assignment.id == assignment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    event = assignment.event if assignment is not None else None
    if (
        assignment is None
        or assignment.vendor_id != vendor.id
        or event is None
        or event.status != "published"
        or event.date < today
    ):
        raise NotFound("Lapak tidak ditemukan.", "Booth not found.")
    return assignment


def confirm_attendance(
    session: Session, vendor: Vendor, assignment_id: int, *, today: date, now: datetime
) -> Assignment:
    """Record "Saya hadir" (once; a second confirmation changes nothing). Commits."""
    assignment = _own_assignment(session, vendor, assignment_id, today=today)
    if assignment.status not in HOLDING_STATUSES:
        raise Conflict(
            "Lapak ini sudah dilepas; konfirmasi tidak dapat dicatat.",
            "This booth was released; the confirmation cannot be recorded.",
        )
    if assignment.confirmed_at is None:
        assignment.confirmed_at = now
    session.commit()
    return assignment


def cancel_attendance(
    session: Session, vendor: Vendor, assignment_id: int, *, today: date
) -> Assignment | None:
    """The vendor cannot come: release the booth and offer it to the waitlist. Commits.

    Returns the new assignment of the waitlisted vendor who was offered the booth, or None.
    """
    # Serialise with the crew's no-show release and other cancellations of this event, so a
    # booth is never offered twice (same lock as allocation runs).
    target = session.get(Assignment, assignment_id)
    if target is None or target.event_id is None:
        raise NotFound("Lapak tidak ditemukan.", "Booth not found.")
    session.execute(select(Event.id).where(Event.id == target.event_id).with_for_update())
    assignment = _own_assignment(session, vendor, assignment_id, today=today)
    if assignment.status == "checked_in":
        raise ServiceError(
            "Anda sudah tercatat hadir; hubungi petugas untuk membatalkan.",
            "You are already checked in; ask the crew to cancel.",
        )
    if assignment.status != "assigned":
        raise Conflict("Lapak ini sudah dilepas.", "This booth was already released.")
    offer = release_and_offer(session, assignment, status="cancelled", today=today)
    session.commit()
    return offer
