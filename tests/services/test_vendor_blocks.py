"""Vendors on several booths after the allocation: the day's release (a no-show or a cancelling
vendor frees all their booths; a waitlisted vendor who needs k booths is offered k adjacent ones
or passed over) and the planner's move (the whole block moves to free booths side by side, or
is refused naming the booths). Real PostGIS: adjacency comes from the booths' geometry, as in
the allocation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import box
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.gis.crs import to_metric, to_wgs84
from app.models import HOLDING_STATUSES, AllocationRun, Assignment, Booth, Event
from app.services import assignments, attendance, checkin
from app.services.allocation import release_vendor
from app.services.errors import Conflict
from app.services.history import undo

TZ = "Asia/Pontianak"
WIB = ZoneInfo(TZ)
DAY = date(2026, 12, 13)
AFTER_CUTOFF = datetime.combine(DAY, time(6, 45), tzinfo=WIB)


@pytest.fixture
def street(db: Session, make_event: Callable[..., Any]) -> tuple[Event, list[Booth]]:
    """A published event with one row of six 3 m booths side by side, a 5 m break after the
    third: S-1 S-2 S-3 | S-4 S-5 S-6."""
    event = make_event(date=DAY, start_time=time(6), end_time=time(9), status="published")
    epsg = event.city.metric_epsg
    middle = to_metric(to_shape(event.corridors[0].geom), epsg).centroid  # inside the corridor
    x0, y0 = middle.x - 12.0, middle.y
    booths = []
    for i in range(6):
        x = x0 + i * 3.0 + (5.0 if i >= 3 else 0.0)
        geom = to_wgs84(box(x, y0, x + 3.0, y0 + 3.0), epsg)
        booth = Booth(
            event=event,
            code=f"S-{i + 1}",
            kind="vendor",
            side="kiri",
            chainage_m=x - x0,
            geom=from_shape(geom, 4326),
        )
        db.add(booth)
        booths.append(booth)
    db.flush()
    return event, booths


def _hold(db: Session, event: Event, vendor: Any, booths: list[Booth]) -> list[Assignment]:
    rows = [
        Assignment(event=event, booth=b, vendor=vendor, part=i, status="assigned")
        for i, b in enumerate(booths)
    ]
    db.add_all(rows)
    db.flush()
    return rows


def _waitlist(db: Session, event: Event, vendors: list[Any]) -> None:
    db.add(
        AllocationRun(
            event=event,
            seed=1,
            settings={"seed": 1, "caps": []},
            result={"waitlist": [v.id for v in vendors], "placements": [], "unplaced": []},
        )
    )
    db.flush()


def _holding(db: Session, event: Event) -> dict[str, int]:
    rows = db.execute(
        select(Booth.code, Assignment.vendor_id)
        .join(Booth, Booth.id == Assignment.booth_id)
        .where(Assignment.event_id == event.id, Assignment.status.in_(HOLDING_STATUSES))
    ).all()
    return dict(rows)


def test_a_no_show_on_two_booths_frees_both_for_a_two_booth_vendor(
    db: Session, street: tuple[Event, list[Booth]], make_vendor: Callable[..., Any]
) -> None:
    event, b = street
    city = event.city
    gone = make_vendor(city=city, min_booths=2, max_booths=2)
    pair = make_vendor(city=city, min_booths=2, max_booths=3)
    single = make_vendor(city=city)
    _hold(db, event, make_vendor(city=city), [b[0]])
    parts = _hold(db, event, gone, [b[1], b[2]])
    _hold(db, event, make_vendor(city=city), [b[3], b[4], b[5]])
    _waitlist(db, event, [pair, single])
    db.commit()
    checkin.mark(db, event, parts[0].id, "no_show")  # the crew marked one of the two booths
    released = checkin.release_no_shows(db, event, now=AFTER_CUTOFF, cutoff_minutes=30, tz=TZ)
    assert sorted(r.booth_code for r in released) == ["S-2", "S-3"]
    assert {a.status for a in parts} == {"no_show"}  # both of the vendor's booths went
    holding = _holding(db, event)
    assert (holding["S-2"], holding["S-3"]) == (pair.id, pair.id)  # side by side, its minimum
    offers = sorted((r.offer for r in released if r.offer), key=lambda o: o.part)
    assert [(o.booth.code, o.part) for o in offers] == [("S-2", 0), ("S-3", 1)]
    assert single.id not in holding.values()


def test_a_two_booth_vendor_is_passed_over_when_only_one_booth_is_free_there(
    db: Session, street: tuple[Event, list[Booth]], make_vendor: Callable[..., Any]
) -> None:
    event, b = street
    city = event.city
    gone = make_vendor(city=city)
    pair = make_vendor(city=city, min_booths=2, max_booths=2)
    single = make_vendor(city=city)
    _hold(db, event, make_vendor(city=city), [b[0]])
    [mine] = _hold(db, event, gone, [b[1]])
    _hold(db, event, make_vendor(city=city), [b[2]])
    _waitlist(db, event, [pair, single])
    db.commit()
    release = release_vendor(db, mine, status="no_show")
    db.commit()
    assert release.passed_over == {pair.id: "min_not_available"}
    assert [(o.vendor_id, o.booth.code) for o in release.offers] == [(single.id, "S-2")]


def test_a_pair_is_never_made_across_the_break(
    db: Session, street: tuple[Event, list[Booth]], make_vendor: Callable[..., Any]
) -> None:
    """S-3 is freed and S-4 is free, but a 5 m break lies between them."""
    event, b = street
    city = event.city
    gone = make_vendor(city=city)
    pair = make_vendor(city=city, min_booths=2, max_booths=2)
    _hold(db, event, make_vendor(city=city, min_booths=2, max_booths=2), [b[0], b[1]])
    [mine] = _hold(db, event, gone, [b[2]])
    _hold(db, event, make_vendor(city=city), [b[4]])
    _waitlist(db, event, [pair])
    db.commit()
    release = release_vendor(db, mine, status="no_show")
    db.commit()
    assert release.offers == []
    assert release.passed_over == {pair.id: "min_not_available"}
    assert "S-3" not in _holding(db, event)


def test_a_cancelling_vendor_frees_all_their_booths(
    db: Session, street: tuple[Event, list[Booth]], make_vendor: Callable[..., Any]
) -> None:
    event, b = street
    city = event.city
    leaving = make_vendor(city=city, min_booths=3, max_booths=3)
    first, second = make_vendor(city=city), make_vendor(city=city)
    parts = _hold(db, event, leaving, [b[3], b[4], b[5]])
    _waitlist(db, event, [first, second])
    db.commit()
    attendance.cancel_attendance(db, leaving, parts[1].id, today=DAY - timedelta(days=1))
    assert {a.status for a in parts} == {"cancelled"}
    holding = _holding(db, event)
    assert holding == {"S-4": first.id, "S-5": second.id}  # one booth each, in order; S-6 free


def test_a_vendor_checked_in_on_one_booth_is_not_released(
    db: Session, street: tuple[Event, list[Booth]], make_vendor: Callable[..., Any]
) -> None:
    event, b = street
    city = event.city
    vendor = make_vendor(city=city, min_booths=2, max_booths=2)
    parts = _hold(db, event, vendor, [b[0], b[1]])
    _waitlist(db, event, [make_vendor(city=city)])
    db.commit()
    checkin.mark(db, event, parts[0].id, "checked_in")
    checkin.mark(db, event, parts[1].id, "no_show")
    assert checkin.release_no_shows(db, event, now=AFTER_CUTOFF, cutoff_minutes=30, tz=TZ) == []
    assert _holding(db, event) == {"S-1": vendor.id}


# -- the planner moves a vendor on several booths ------------------------------------------------


def test_moving_a_pair_moves_both_booths_side_by_side(
    db: Session, street: tuple[Event, list[Booth]], make_vendor: Callable[..., Any]
) -> None:
    event, b = street
    pair = make_vendor(city=event.city, min_booths=2, max_booths=2)
    first, second = _hold(db, event, pair, [b[0], b[1]])
    db.commit()
    moved = assignments.move(db, event, first.id, "S-5")  # the left booth clicked onto S-5
    assert moved.id == first.id
    assert (first.booth.code, second.booth.code) == ("S-5", "S-6")  # order along the row kept
    assert first.pinned and second.pinned
    assert _holding(db, event) == {"S-5": pair.id, "S-6": pair.id}
    assert assignments.vendor_booth_codes(db, event, pair.id) == ["S-5", "S-6"]
    # one undo step brings both back
    undo(db, event.city, event)
    assert _holding(db, event) == {"S-1": pair.id, "S-2": pair.id}


def test_a_pair_shifts_by_one_booth_and_back(
    db: Session, street: tuple[Event, list[Booth]], make_vendor: Callable[..., Any]
) -> None:
    event, b = street
    pair = make_vendor(city=event.city, min_booths=2, max_booths=2)
    first, second = _hold(db, event, pair, [b[0], b[1]])
    db.commit()
    assignments.move(db, event, second.id, "S-3")  # the right booth onto S-3: S-2 + S-3
    assert _holding(db, event) == {"S-2": pair.id, "S-3": pair.id}
    assert (first.booth.code, second.booth.code) == ("S-2", "S-3")
    undo(db, event.city, event)
    assert _holding(db, event) == {"S-1": pair.id, "S-2": pair.id}


def test_a_block_move_is_refused_naming_the_booths(
    db: Session, street: tuple[Event, list[Booth]], make_vendor: Callable[..., Any]
) -> None:
    event, b = street
    pair = make_vendor(city=event.city, min_booths=2, max_booths=2, business_name="Sate Pak Amat")
    first, _second = _hold(db, event, pair, [b[0], b[1]])
    other = make_vendor(city=event.city)
    _hold(db, event, other, [b[4]])
    db.commit()
    # S-4 is alone: S-3 lies across the break and S-5 is taken
    with pytest.raises(Conflict) as refused:
        assignments.move(db, event, first.id, "S-4")
    assert refused.value.msg.render("id") == (
        "Sate Pak Amat menempati 2 lapak berdampingan (S-1, S-2). Di sekitar S-4 tidak ada 2 "
        "lapak kosong berdampingan di sisi jalan yang sama (S-5 terisi); pilih lapak lain."
    )
    assert "(S-5 taken)" in refused.value.msg.render("en")
    assert _holding(db, event) == {"S-1": pair.id, "S-2": pair.id, "S-5": other.id}


def test_a_one_booth_vendor_still_moves_alone(
    db: Session, street: tuple[Event, list[Booth]], make_vendor: Callable[..., Any]
) -> None:
    event, b = street
    single = make_vendor(city=event.city)
    [mine] = _hold(db, event, single, [b[0]])
    db.commit()
    assignments.move(db, event, mine.id, "S-4")
    assert _holding(db, event) == {"S-4": single.id}


# -- the vendor's page: every booth they hold, on the map ---------------------------------------


def test_the_vendor_page_shows_both_booths_and_both_on_the_map(
    db: Session, street: tuple[Event, list[Booth]], make_vendor: Callable[..., Any]
) -> None:
    from app.services.lapak import vendor_view

    event, b = street
    pair = make_vendor(city=event.city, min_booths=2, max_booths=2)
    _hold(db, event, pair, [b[1], b[2]])
    _hold(db, event, make_vendor(city=event.city), [b[3]])
    db.commit()
    view = vendor_view(db, pair, today=DAY - timedelta(days=1))
    [booking] = [x for x in view.bookings if x.event_slug == event.slug]  # one card per event
    assert booking.codes == ["S-2", "S-3"]
    own = [f["properties"]["code"] for f in booking.map["features"]
           if f["properties"]["role"] == "own"]  # fmt: skip
    assert sorted(own) == ["S-2", "S-3"]
    roles = {f["properties"].get("code"): f["properties"]["role"] for f in booking.map["features"]}
    assert "S-4" not in roles  # another vendor's booth is a shape, never named
    assert booking.to_dict()["booth"]["codes"] == ["S-2", "S-3"]
