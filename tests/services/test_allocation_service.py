"""Allocation stored for events: returning vendors, pins, caps, blocked booths, waitlist release."""

from __future__ import annotations

import json

import pytest
from geoalchemy2.shape import from_shape, to_shape
from shapely import affinity
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.gis.crs import to_metric, to_wgs84
from app.models import AllocationRun, Assignment, Booth, Event, Facility, Vendor
from app.services.allocation import (
    AllocationSettings,
    _lock_event,
    release_and_offer,
    run_allocation,
)
from app.services.errors import ServiceError
from app.services.reasons import reason_text

UPCOMING = "cfd-2026-12-06"
PAST = "cfd-mikrodots-2025-11-23"


def _event(db: Session, slug: str = UPCOMING) -> Event:
    return db.scalars(select(Event).where(Event.slug == slug)).one()


def _holding(db: Session, event: Event) -> dict[int, str]:
    rows = db.execute(
        select(Assignment.vendor_id, Booth.code)
        .join(Booth, Booth.id == Assignment.booth_id)
        .where(Assignment.event_id == event.id, Assignment.status.in_(("assigned", "checked_in")))
    ).all()
    return dict(rows)


def test_demo_vendors_return_to_their_booths(db: Session) -> None:
    past, upcoming = _holding(db, _event(db, PAST)), _holding(db, _event(db))
    assert past and upcoming
    same = [v for v, code in upcoming.items() if past.get(v) == code]
    assert len(same) == len(upcoming)  # everyone placed last time kept their spot


def test_cap_sends_food_vendors_to_the_waitlist(db: Session) -> None:
    event = _event(db)
    run = db.scalars(select(AllocationRun).where(AllocationRun.event_id == event.id)).one()
    food = db.scalar(
        select(func.count())
        .select_from(Assignment)
        .join(Vendor, Vendor.id == Assignment.vendor_id)
        .where(Assignment.event_id == event.id, Vendor.category == "makanan")
    )
    assert food == 45
    assert run.result["waitlist"]
    assert {u["reason_code"] for u in run.result["unplaced"]} == {"cap_reached"}


def test_same_seed_same_result_and_everyone_explained(db: Session) -> None:
    event = _event(db)
    settings = AllocationSettings(seed=99)
    first = run_allocation(db, event, settings)
    again = run_allocation(db, event, settings)
    assert first.result.to_dict()["placements"] == again.result.to_dict()["placements"]
    active = db.scalar(select(func.count()).select_from(Vendor).where(Vendor.active))
    data = again.to_dict()
    assert len(data["placements"]) + len(data["unplaced"]) == active
    assert all(p["explanation_id"] and p["explanation_en"] for p in data["placements"])
    assert all(u["reason_code"] and u["explanation_id"] for u in data["unplaced"])


def test_pins_are_kept_on_rerun(db: Session) -> None:
    event = _event(db)
    holding = _holding(db, event)
    vendor_id = sorted(holding)[0]
    a = db.scalars(
        select(Assignment).where(Assignment.event_id == event.id, Assignment.vendor_id == vendor_id)
    ).one()
    free = db.scalars(
        select(Booth)
        .where(
            Booth.event_id == event.id, Booth.kind == "vendor", Booth.code.not_in(holding.values())
        )
        .order_by(Booth.code.desc())
    ).first()
    assert free is not None
    a.booth = free
    a.pinned = True
    db.commit()
    run_allocation(db, event, AllocationSettings(seed=5))
    assert _holding(db, event)[vendor_id] == free.code


def test_booths_with_blocking_conflicts_are_not_used(db: Session) -> None:
    event = _event(db)
    holding = _holding(db, event)
    code = sorted(holding.values())[0]
    booth = db.scalars(select(Booth).where(Booth.event_id == event.id, Booth.code == code)).one()
    hydrant = db.scalars(select(Facility).where(Facility.kind == "hydrant")).first()
    epsg = event.city.metric_epsg
    square = to_metric(to_shape(booth.geom), epsg)
    target = to_metric(to_shape(hydrant.geom), epsg)
    booth.geom = from_shape(
        to_wgs84(
            affinity.translate(square, target.x - square.centroid.x, target.y - square.centroid.y),
            epsg,
        ),
        srid=4326,
    )
    db.commit()
    run_allocation(db, event, AllocationSettings(seed=1))
    assert code not in _holding(db, event).values()


def test_no_show_releases_the_booth_to_the_waitlist(db: Session) -> None:
    event = _event(db)
    run = db.scalars(select(AllocationRun).where(AllocationRun.event_id == event.id)).one()
    waitlisted = run.result["waitlist"][0]
    food_booth = db.scalars(
        select(Assignment)
        .join(Vendor, Vendor.id == Assignment.vendor_id)
        .where(Assignment.event_id == event.id, Vendor.category == "makanan")
    ).first()
    offer = release_and_offer(db, food_booth, status="no_show")
    db.commit()
    assert offer is not None and offer.vendor_id == waitlisted
    assert offer.booth_id == food_booth.booth_id and food_booth.status == "no_show"
    assert reason_text(offer.explanation, "id").startswith("Ditawarkan dari daftar tunggu (posisi ")
    assert reason_text(offer.explanation, "en").startswith("Offered from the waitlist (position ")


def test_closed_event_cannot_be_reallocated(db: Session) -> None:
    with pytest.raises(ServiceError, match="ditutup"):
        run_allocation(db, _event(db, PAST), AllocationSettings(seed=1))


def test_two_planners_cannot_allocate_one_event_at_once(engine: Engine) -> None:
    """The second allocation waits for the first (row lock on the event)."""
    with Session(engine) as first, Session(engine) as second:
        event = first.scalars(select(Event).where(Event.slug == UPCOMING)).one()
        _lock_event(first, event)
        second.execute(text("SET lock_timeout = '200ms'"))
        with pytest.raises(OperationalError, match="lock"):
            _lock_event(second, second.get(Event, event.id))
        first.rollback()
        second.rollback()


def test_cli_allocate_json(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        args=[
            "allocate",
            UPCOMING,
            "--seed",
            "3",
            "--cap",
            "makanan=40",
            "--dry-run",
            "--format",
            "json",
        ]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["seed"] == 3 and data["placements"] and data["unplaced"]
    assert all("lottery" not in u["reason_code"] or "draw" in u["detail"] for u in data["unplaced"])
    bad = runner.invoke(args=["allocate", UPCOMING, "--seed", "3", "--cap", "makanan"])
    assert bad.exit_code != 0
