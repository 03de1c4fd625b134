"""Events: CFD days on one or more corridor zones."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import tanggal
from app.messages import define
from app.models import Assignment, Booth, City, Event, Vendor, Zone, event_corridor
from app.services.columns import refuse_unstorable
from app.services.errors import NotFound, ServiceError

#: What a zone that cannot carry an event is, as a sentence names it (with its article in English).
_NOT_CORRIDOR_KINDS = {
    "no_vending": define(
        "event.zone_kind.no_vending",
        id="zona merah (dilarang berjualan)",
        en="a no-vending (red) zone",
    ),
    "emergency_lane": define(
        "event.zone_kind.emergency_lane", id="jalur darurat", en="an emergency lane"
    ),
    "service_area": define("event.zone_kind.service_area", id="area layanan", en="a service area"),
}
_NOT_A_CORRIDOR = define(
    "event.zone_not_corridor",
    id="Zona '{zone}' adalah {kind}; acara hanya dapat diadakan di koridor CFD atau zona PKL.",
    en="Zone '{zone}' is {kind}; an event can only be held on a CFD corridor or a PKL zone.",
)


def get_event(session: Session, slug: str, city: City | None = None) -> Event:
    """Return the event with ``slug`` (within ``city`` when given) or raise :class:`NotFound`."""
    query = select(Event).where(Event.slug == slug)
    if city is not None:
        query = query.where(Event.city_id == city.id)
    events = session.scalars(query).all()
    if len(events) != 1:
        if events:
            raise ServiceError(
                f"Slug acara '{slug}' ada di beberapa kota; sebutkan kota.",
                f"Event slug '{slug}' exists in several cities; name the city.",
            )
        raise NotFound(f"Acara '{slug}' tidak ditemukan.", f"Event '{slug}' not found.")
    return events[0]


def create_event(
    session: Session,
    *,
    city: City,
    slug: str,
    name: str,
    on: date,
    start: time = time(6, 0),
    end: time = time(9, 0),
    corridor_names: Sequence[str] = (),
    status: str = "draft",
) -> Event:
    """Create an event on the named corridor zones (idempotent on ``slug``)."""
    existing = session.scalars(
        select(Event).where(Event.city_id == city.id, Event.slug == slug)
    ).one_or_none()
    if existing is not None:
        return existing
    refuse_unstorable(Event, {"slug": slug, "name": name})
    if end <= start:
        raise ServiceError("Jam selesai harus setelah jam mulai.", "End time must be after start.")
    corridors = []
    for zone_name in corridor_names:
        zone = session.scalars(
            select(Zone).where(Zone.city_id == city.id, Zone.name == zone_name)
        ).one_or_none()
        if zone is None:
            raise NotFound(
                f"Zona '{zone_name}' tidak ditemukan di {city.name}.",
                f"Zone '{zone_name}' not found in {city.name}.",
            )
        if zone.kind not in ("cfd_corridor", "pkl_legal", "pkl_timed"):
            kind = _NOT_CORRIDOR_KINDS.get(zone.kind)
            raise ServiceError(_NOT_A_CORRIDOR(zone=zone_name, kind=kind() if kind else zone.kind))
        corridors.append(zone)
    event = Event(
        city=city,
        slug=slug,
        name=name,
        date=on,
        start_time=start,
        end_time=end,
        status=status,
        corridors=corridors,
    )
    session.add(event)
    session.commit()
    return event


_TRANSITIONS = {"draft": ("published",), "published": ("draft", "closed"), "closed": ()}


def set_status(session: Session, event: Event, status: str) -> Event:
    """Publish, unpublish or close an event; a closed event stays closed (it is the record)."""
    if status not in _TRANSITIONS.get(event.status, ()):
        raise ServiceError(
            f"Status acara tidak dapat diubah dari {event.status} ke {status}.",
            f"An event cannot go from {event.status} to {status}.",
        )
    event.status = status
    session.commit()
    return event


def copy_event(
    session: Session, event: Event, *, on: date, slug: str | None = None, name: str | None = None
) -> Event:
    """Copy an event to a new date: corridors, hours and every booth with its edits and locks.

    Assignments are not copied: they become "returning vendor" preferences of the next
    allocation (the copy remembers where it came from), as market managers reuse last week's
    plan rather than start over.
    """
    from geoalchemy2.shape import from_shape, to_shape

    from app.models import Booth

    slug = slug or f"cfd-{on.isoformat()}"
    if (
        session.scalars(
            select(Event).where(Event.city_id == event.city_id, Event.slug == slug)
        ).first()
        is not None
    ):
        raise ServiceError(f"Acara '{slug}' sudah ada.", f"Event '{slug}' already exists.")
    copy = Event(
        city_id=event.city_id,
        slug=slug,
        name=name or _renamed(event.name, on),
        date=on,
        start_time=event.start_time,
        end_time=event.end_time,
        status="draft",
        corridors=list(event.corridors),
        copied_from_id=event.id,
    )
    session.add(copy)
    for b in event.booths:
        copy.booths.append(
            Booth(
                code=b.code,
                kind=b.kind,
                service=b.service,
                label=b.label,
                geom=from_shape(to_shape(b.geom), srid=4326),
                width_m=b.width_m,
                depth_m=b.depth_m,
                side=b.side,
                chainage_m=b.chainage_m,
                has_electricity=b.has_electricity,
                accessible=b.accessible,
                locked=b.locked,
            )
        )
    session.commit()
    return copy


def _renamed(name: str, on: date) -> str:
    """Replace a trailing date in the name ("… — 6 Desember 2026") with the new one."""
    base = name.split(" — ")[0]
    return f"{base} — {tanggal(on)}"


# ---------------------------------------------------------------------------------------------
# Queries the planner's pages show


def latest_published(session: Session, city: City) -> Event | None:
    """The city's most recent published event (the home map shows its booths)."""
    return session.scalars(
        select(Event)
        .where(Event.city_id == city.id, Event.status == "published")
        .order_by(Event.date.desc())
        .limit(1)
    ).one_or_none()


def events_of_city(session: Session, city: City) -> list[Event]:
    """The city's events, newest first."""
    return list(
        session.scalars(
            select(Event).where(Event.city_id == city.id).order_by(Event.date.desc())
        ).all()
    )


def events_with_booth_counts(session: Session) -> list[tuple[Event, int]]:
    """Every event with its number of booths, newest first (the planner's dashboard)."""
    rows = session.execute(
        select(Event, func.count(Booth.id))
        .outerjoin(Booth, Booth.event_id == Event.id)
        .group_by(Event.id)
        .order_by(Event.date.desc())
    ).all()
    return [(event, int(count)) for event, count in rows]


def booth_count(session: Session, event: Event) -> int:
    """How many booths the event has."""
    count = session.scalar(
        select(func.count()).select_from(Booth).where(Booth.event_id == event.id)
    )
    return int(count or 0)


def event_assignments(session: Session, event: Event) -> list[tuple[Assignment, str, Vendor]]:
    """The event's assignments with their booth's code and their vendor, by booth code."""
    rows = session.execute(
        select(Assignment, Booth.code, Vendor)
        .join(Booth, Booth.id == Assignment.booth_id)
        .join(Vendor, Vendor.id == Assignment.vendor_id)
        .where(Assignment.event_id == event.id)
        .order_by(Booth.code, Assignment.id)
    ).all()
    return [(assignment, code, vendor) for assignment, code, vendor in rows]


def corridor_bounds(session: Session, event: Event) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` of the event's corridors, to open the map there."""
    box = session.execute(
        select(
            func.ST_XMin(func.ST_Extent(Zone.geom)),
            func.ST_YMin(func.ST_Extent(Zone.geom)),
            func.ST_XMax(func.ST_Extent(Zone.geom)),
            func.ST_YMax(func.ST_Extent(Zone.geom)),
        )
        .join(event_corridor, event_corridor.c.zone_id == Zone.id)
        .where(event_corridor.c.event_id == event.id)
    ).one()
    if box[0] is None:
        return None
    return [[box[1], box[0]], [box[3], box[2]]]
