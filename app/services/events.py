"""Events: CFD days on one or more corridor zones."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import City, Event, Zone
from app.services.errors import NotFound, ServiceError


def get_event(session: Session, slug: str, city: City | None = None) -> Event:
    """Return the event with ``slug`` (within ``city`` when given) or raise :class:`NotFound`."""
    query = select(Event).where(Event.slug == slug)
    if city is not None:
        query = query.where(Event.city_id == city.id)
    events = session.scalars(query).all()
    if len(events) != 1:
        if events:
            raise ServiceError(f"Slug acara '{slug}' ada di beberapa kota; sebutkan kota.",
                               f"Event slug '{slug}' exists in several cities; name the city.")
        raise NotFound(f"Acara '{slug}' tidak ditemukan.", f"Event '{slug}' not found.")
    return events[0]


def create_event(
    session: Session, *, city: City, slug: str, name: str, on: date,
    start: time = time(6, 0), end: time = time(9, 0), corridor_names: Sequence[str] = (),
    status: str = "draft",
) -> Event:
    """Create an event on the named corridor zones (idempotent on ``slug``)."""
    existing = session.scalars(
        select(Event).where(Event.city_id == city.id, Event.slug == slug)
    ).one_or_none()
    if existing is not None:
        return existing
    if end <= start:
        raise ServiceError("Jam selesai harus setelah jam mulai.", "End time must be after start.")
    corridors = []
    for zone_name in corridor_names:
        zone = session.scalars(
            select(Zone).where(Zone.city_id == city.id, Zone.name == zone_name)
        ).one_or_none()
        if zone is None:
            raise NotFound(f"Zona '{zone_name}' tidak ditemukan di {city.name}.",
                           f"Zone '{zone_name}' not found in {city.name}.")
        if zone.kind not in ("cfd_corridor", "pkl_legal", "pkl_timed"):
            raise ServiceError(
                f"Zona '{zone_name}' berjenis {zone.kind}, bukan koridor/zona PKL.",
                f"Zone '{zone_name}' is a {zone.kind}, not a corridor or PKL zone.")
        corridors.append(zone)
    event = Event(city=city, slug=slug, name=name, date=on, start_time=start, end_time=end,
                  status=status, corridors=corridors)
    session.add(event)
    session.commit()
    return event
