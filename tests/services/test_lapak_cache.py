"""The vendor's view from the cache: one read (the stamp) instead of the view's statement, and
never stale."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.cache import MemoryCache
from app.models import HOLDING_STATUSES, Assignment, Event, Vendor
from app.services import lapak
from tests.conftest import TODAY

EVENT = "cfd-2026-12-06"


@contextmanager
def _statements(db: Session) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    conn = db.connection()
    event.listen(conn, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(conn, "before_cursor_execute", note)


def _holder(db: Session) -> Assignment:
    ev = db.scalars(select(Event).where(Event.slug == EVENT)).one()
    return db.scalars(
        select(Assignment)
        .where(Assignment.event_id == ev.id, Assignment.status == "assigned")
        .order_by(Assignment.id)
        .limit(1)
    ).one()


def test_second_look_is_one_cheap_read_and_the_same_answer(db: Session) -> None:
    vendor = _holder(db).vendor
    cache = MemoryCache()
    with _statements(db) as first:
        cold = lapak.vendor_view(db, vendor, today=TODAY, cache=cache, ttl=600)
    with _statements(db) as second:
        warm = lapak.vendor_view(db, vendor, today=TODAY, cache=cache, ttl=600)
    # cold: the stamp, then the whole view in one statement; warm: the stamp alone
    assert len(first) == 2 and "data_version" in first[0]
    assert len(second) == 1 and "data_version" in second[0]
    assert warm.to_dict() == cold.to_dict()
    assert warm.bookings[0].can_confirm == cold.bookings[0].can_confirm
    assert warm.bookings[0].geo_uri() == cold.bookings[0].geo_uri()
    assert warm.to_dict() == lapak.vendor_view(db, vendor, today=TODAY).to_dict()


def test_a_neighbour_giving_up_shows_at_once(db: Session) -> None:
    """The map marks other booths occupied or free: a change to another vendor's assignment
    must reach this vendor's cached view too."""
    mine = _holder(db)
    vendor = mine.vendor
    cache = MemoryCache()
    before = lapak.vendor_view(db, vendor, today=TODAY, cache=cache, ttl=600).to_dict()
    occupied = [
        f
        for f in before["bookings"][0]["map"]["features"]
        if f["properties"].get("role") == "occupied"
    ]
    assert occupied
    ev = db.get(Event, mine.event_id)
    assert ev is not None
    neighbours = db.scalars(
        select(Assignment).where(
            Assignment.event_id == ev.id,
            Assignment.status.in_(HOLDING_STATUSES),
            Assignment.vendor_id != vendor.id,
        )
    ).all()
    for other in neighbours:
        other.status = "cancelled"
    db.commit()
    after = lapak.vendor_view(db, vendor, today=TODAY, cache=cache, ttl=600).to_dict()
    assert after == lapak.vendor_view(db, vendor, today=TODAY).to_dict()
    roles = [f["properties"].get("role") for f in after["bookings"][0]["map"]["features"]]
    assert roles.count("occupied") < len(occupied)


def test_names_come_from_the_vendor_row_not_the_cache(db: Session) -> None:
    vendor: Vendor = _holder(db).vendor
    cache = MemoryCache()
    lapak.vendor_view(db, vendor, today=TODAY, cache=cache, ttl=600)
    vendor.business_name = "Warung Baru"
    db.flush()  # not even committed: the name is read from the row in hand
    assert (
        lapak.vendor_view(db, vendor, today=TODAY, cache=cache, ttl=600).business_name
        == "Warung Baru"
    )


def test_json_from_the_cache_is_the_view_itself(db: Session) -> None:
    """The API answer is spliced from cached JSON text: it must parse to the same view."""
    vendor = _holder(db).vendor
    cache = MemoryCache()
    expected = lapak.vendor_view(db, vendor, today=TODAY).to_dict()
    cold = lapak.vendor_view_json(db, vendor, today=TODAY, cache=cache, ttl=600)
    warm = lapak.vendor_view_json(db, vendor, today=TODAY, cache=cache, ttl=600)
    assert json.loads(cold) == json.loads(warm) == expected
    assert json.loads(lapak.vendor_view_json(db, vendor, today=TODAY)) == expected
    assert expected["bookings"] and expected["vendor"]["business_name"] == vendor.business_name


def test_a_vendor_with_nothing_coming_gets_an_empty_view(db: Session) -> None:
    vendor = db.scalars(
        select(Vendor)
        .where(~Vendor.id.in_(select(Assignment.vendor_id).where(Assignment.event_id.is_not(None))))
        .limit(1)
    ).one()
    cache = MemoryCache()
    lapak.vendor_view_json(db, vendor, today=TODAY, cache=cache, ttl=600)
    body = json.loads(lapak.vendor_view_json(db, vendor, today=TODAY, cache=cache, ttl=600))
    assert body["bookings"] == [] and body == lapak.vendor_view(db, vendor, today=TODAY).to_dict()


def test_a_check_in_elsewhere_keeps_the_cache_and_ones_own_refreshes_it(db: Session) -> None:
    """Check-ins move no one's booth: other vendors' cached views stay; the vendor's own view
    shows the new status at once."""
    mine = _holder(db)
    other = db.scalars(
        select(Assignment)
        .where(
            Assignment.event_id == mine.event_id,
            Assignment.status == "assigned",
            Assignment.id != mine.id,
        )
        .order_by(Assignment.id)
        .limit(1)
    ).one()
    cache = MemoryCache()
    lapak.vendor_view(db, mine.vendor, today=TODAY, cache=cache, ttl=600)
    other.status = "checked_in"
    db.commit()
    with _statements(db) as seen:
        view = lapak.vendor_view(db, mine.vendor, today=TODAY, cache=cache, ttl=600)
    assert len(seen) == 1  # still a hit
    assert view.to_dict() == lapak.vendor_view(db, mine.vendor, today=TODAY).to_dict()
    mine.status = "checked_in"
    db.commit()
    again = lapak.vendor_view(db, mine.vendor, today=TODAY, cache=cache, ttl=600)
    assert again.bookings[0].status == "checked_in"
    assert not again.bookings[0].can_cancel
