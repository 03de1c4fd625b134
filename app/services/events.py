"""Events: CFD days on one or more corridor zones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.clock import tanggal
from app.messages import Msg, define
from app.models import (
    HOLDING_STATUSES,
    Assignment,
    Booth,
    City,
    Event,
    Vendor,
    Zone,
    event_corridor,
)
from app.services.audit import record
from app.services.columns import refuse_unstorable
from app.services.errors import Conflict, NotFound, ServiceError

#: Zone kinds an event can be held on.
CORRIDOR_ZONE_KINDS = ("cfd_corridor", "pkl_legal", "pkl_timed")

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
    corridor_ids: Sequence[int] = (),
    status: str = "draft",
    layout_settings: dict[str, Any] | None = None,
    existing_ok: bool = True,
) -> Event:
    """Create an event on the named (or identified) corridor zones.

    Idempotent on ``slug`` for the CLI and the demo; the app passes ``existing_ok=False`` and a
    taken slug is a 409 naming it.
    """
    existing = session.scalars(
        select(Event).where(Event.city_id == city.id, Event.slug == slug)
    ).one_or_none()
    if existing is not None:
        if not existing_ok:
            raise Conflict(_SLUG_TAKEN(slug=slug))
        return existing
    refuse_unstorable(Event, {"slug": slug, "name": name})
    _check_hours(start, end)
    corridors = _corridors(session, city, corridor_names, corridor_ids)
    event = Event(
        city=city,
        slug=slug,
        name=name,
        date=on,
        start_time=start,
        end_time=end,
        status=status,
        corridors=corridors,
        layout_settings=layout_settings,
    )
    session.add(event)
    session.flush()
    record(session, action="create", entity="event", entity_id=event.id, after=_event_record(event))
    session.commit()
    return event


_SLUG_TAKEN = define(
    "event.slug_taken",
    id="slug: acara '{slug}' sudah ada; pilih slug lain.",
    en="slug: event '{slug}' already exists; choose another slug.",
)
_NO_CORRIDOR = define(
    "event.no_corridor",
    id="koridor: pilih minimal satu zona koridor di peta.",
    en="corridors: pick at least one corridor zone on the map.",
)


def _check_hours(start: time, end: time) -> None:
    if end <= start:
        raise ServiceError(
            "jam_selesai: jam selesai harus setelah jam mulai.",
            "end_time: the end time must be after the start time.",
        )


def _corridors(
    session: Session, city: City, names: Sequence[str], ids: Sequence[int] = ()
) -> list[Zone]:
    """The corridor zones by name or id, each refused with its name when it cannot carry one."""
    corridors: list[Zone] = []
    for zone_name in names:
        zone = session.scalars(
            select(Zone).where(Zone.city_id == city.id, Zone.name == zone_name)
        ).one_or_none()
        if zone is None:
            raise NotFound(
                f"Zona '{zone_name}' tidak ditemukan di {city.name}.",
                f"Zone '{zone_name}' not found in {city.name}.",
            )
        corridors.append(zone)
    for ident in ids:
        found = session.get(Zone, ident)
        if found is None or found.city_id != city.id:
            raise NotFound(
                f"koridor: zona {ident} tidak ditemukan di {city.name}.",
                f"corridors: zone {ident} not found in {city.name}.",
            )
        corridors.append(found)
    for zone in corridors:
        if zone.kind not in CORRIDOR_ZONE_KINDS:
            kind = _NOT_CORRIDOR_KINDS.get(zone.kind)
            raise ServiceError(_NOT_A_CORRIDOR(zone=zone.name, kind=kind() if kind else zone.kind))
    unique = {z.id: z for z in corridors}
    return sorted(unique.values(), key=lambda z: z.id)


def _event_record(event: Event) -> dict[str, Any]:
    """What an audit entry keeps of an event."""
    return {
        "slug": event.slug,
        "name": event.name,
        "date": event.date.isoformat(),
        "start_time": event.start_time.strftime("%H:%M"),
        "end_time": event.end_time.strftime("%H:%M"),
        "status": event.status,
        "corridors": [z.id for z in event.corridors],
        "layout_settings": event.layout_settings,
    }


def update_event(
    session: Session,
    event: Event,
    *,
    name: str,
    on: date,
    start: time,
    end: time,
    corridor_ids: Sequence[int],
    layout_settings: dict[str, Any] | None,
) -> Event:
    """Change an event's name, date, hours, corridors and layout settings (audited).

    A closed event is the record and does not change. Corridors of a laid-out event may change:
    the conflict check then names every booth that left them.
    """
    if event.status == "closed":
        raise ServiceError(
            "Acara sudah ditutup; datanya tidak dapat diubah.",
            "The event is closed; it cannot change.",
        )
    refuse_unstorable(Event, {"name": name})
    _check_hours(start, end)
    corridors = _corridors(session, event.city, (), corridor_ids)
    if not corridors:
        raise ServiceError(_NO_CORRIDOR())
    before = _event_record(event)
    event.name = name
    event.date = on
    event.start_time = start
    event.end_time = end
    event.corridors = corridors
    event.layout_settings = layout_settings
    session.flush()
    record(
        session,
        action="update",
        entity="event",
        entity_id=event.id,
        before=before,
        after=_event_record(event),
    )
    session.commit()
    return event


@dataclass(frozen=True)
class DeletePreview:
    """What deleting an event takes with it, shown before the planner confirms."""

    booths: int
    assignments: int
    allowed: bool
    reason: Msg | None = None


def delete_preview(session: Session, event: Event) -> DeletePreview:
    """Booths and assignments that go with the event; published and closed events are refused."""
    booths = booth_count(session, event)
    assignments = int(
        session.scalar(
            select(func.count()).select_from(Assignment).where(Assignment.event_id == event.id)
        )
        or 0
    )
    reason = None
    if event.status == "published":
        reason = _DELETE_PUBLISHED()
    elif event.status == "closed":
        reason = _DELETE_CLOSED()
    return DeletePreview(booths, assignments, reason is None, reason)


_DELETE_PUBLISHED = define(
    "event.delete_published",
    id="Acara sudah diumumkan ke pedagang; kembalikan ke draf dulu sebelum menghapusnya.",
    en="The event has been published to vendors; return it to draft before deleting it.",
)
_DELETE_CLOSED = define(
    "event.delete_closed",
    id="Acara sudah ditutup dan menjadi arsip; acara ini tidak dapat dihapus.",
    en="The event is closed and kept as the record; it cannot be deleted.",
)


def delete_event(session: Session, event: Event) -> DeletePreview:
    """Delete a draft event with its booths and assignments (audited), in one transaction."""
    preview = delete_preview(session, event)
    if not preview.allowed:
        assert preview.reason is not None
        raise ServiceError(preview.reason)
    before = _event_record(event) | {"booths": preview.booths, "assignments": preview.assignments}
    ident = event.id
    session.execute(delete(Assignment).where(Assignment.event_id == ident))
    session.delete(event)
    session.flush()
    record(session, action="delete", entity="event", entity_id=ident, before=before)
    session.commit()
    return preview


_TRANSITIONS = {"draft": ("published",), "published": ("draft", "closed"), "closed": ()}


_PUBLISH_EMPTY = define(
    "event.publish_empty",
    id="Acara belum dapat diumumkan: belum ada pedagang yang ditempatkan. Jalankan alokasi dulu.",
    en="The event cannot be published yet: no vendor has been placed. Run the allocation first.",
)
_PUBLISH_BLOCKED = define(
    "event.publish_blocked",
    id=(
        "Acara belum dapat diumumkan: {count} konflik yang menghalangi. Perbaiki lapaknya, "
        "atau tulis alasan untuk tetap mengumumkan."
    ),
    en=(
        "The event cannot be published yet: {count} blocking conflicts. Fix the booths, "
        "or write a reason to publish anyway."
    ),
)
_BAD_STATUS = define(
    "event.bad_status",
    id="Status acara tidak dapat diubah dari {old} ke {new}.",
    en="An event cannot go from {old} to {new}.",
)

#: A written reason to publish over blocking conflicts is at least this long (characters).
MIN_OVERRIDE_REASON = 10


def placed_count(session: Session, event: Event) -> int:
    """How many vendors hold a booth of the event (assigned or checked in)."""
    count = session.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.event_id == event.id, Assignment.status.in_(HOLDING_STATUSES))
    )
    return int(count or 0)


def set_status(
    session: Session,
    event: Event,
    status: str,
    *,
    override_reason: str = "",
    blocking_conflicts: int | None = None,
) -> Event:
    """Publish, unpublish or close an event; a closed event stays closed (it is the record).

    Publishing is refused with no vendor placed, and with blocking conflicts unless the planner
    writes a reason (kept in the audit log). ``blocking_conflicts`` is the count the caller
    already has; None: counted here through the conflict engine.
    """
    if status not in _TRANSITIONS.get(event.status, ()):
        raise ServiceError(_BAD_STATUS(old=event.status, new=status))
    before = {"status": event.status}
    after: dict[str, Any] = {"status": status}
    if status == "published":
        if placed_count(session, event) == 0:
            raise ServiceError(_PUBLISH_EMPTY())
        if blocking_conflicts is None:
            from app.services.conflicts import event_conflicts

            blocking_conflicts = sum(
                1 for c in event_conflicts(session, event) if c.severity == "blocking"
            )
        if blocking_conflicts:
            reason = override_reason.strip()
            if len(reason) < MIN_OVERRIDE_REASON:
                raise ServiceError(_PUBLISH_BLOCKED(count=blocking_conflicts))
            after |= {"override_reason": reason, "blocking_conflicts": blocking_conflicts}
    event.status = status
    record(session, action="status", entity="event", entity_id=event.id, before=before, after=after)
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
        layout_settings=event.layout_settings,
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
