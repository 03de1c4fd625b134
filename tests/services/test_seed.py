"""The demo loads through the city's own services and is safe to load again."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import AuditEntry, Booth, City, ClearanceRule, Event, Facility, Vendor, Zone
from app.services.demo import next_sunday, seed_demo
from tests.conftest import TODAY

MODELS = (City, Zone, Facility, Event, Booth, Vendor, ClearanceRule, AuditEntry)


def _counts(db: Session) -> dict[str, int]:
    return {m.__name__: db.scalar(select(func.count()).select_from(m)) or 0 for m in MODELS}


def test_seed_demo_is_idempotent(db: Session) -> None:
    before = _counts(db)
    seed_demo(db, today=TODAY, log=lambda *_: None)
    assert _counts(db) == before


def test_demo_has_what_the_issue_asks_for(db: Session) -> None:
    kinds = set(db.scalars(select(Zone.kind)).all())
    assert {"cfd_corridor", "emergency_lane", "pkl_legal", "no_vending"} <= kinds
    fac_kinds = set(db.scalars(select(Facility.kind)).all())
    assert {
        "hydrant",
        "bus_stop",
        "crossing",
        "intersection",
        "drainage_inlet",
        "tree",
        "ramp",
        "building_entrance",
    } <= fac_kinds
    assert 140 <= (db.scalar(select(func.count()).select_from(Vendor)) or 0) <= 200
    corridor = db.scalars(select(Zone).where(Zone.kind == "cfd_corridor")).first()
    assert corridor is not None
    # one carriageway of Jl. Ahmad Yani, 2.1–2.6 km as the city's notices give it
    perimeter = db.scalar(
        select(func.ST_Perimeter(func.geography(Zone.geom))).where(Zone.id == corridor.id)
    )
    assert 2 * 2050 < perimeter < 2 * 2700
    rules = {r.facility_kind: r.metres for r in db.scalars(select(ClearanceRule))}
    assert rules["hydrant"] == 3.0 and rules["building_entrance"] == 6.0
    events = db.scalars(select(Event).order_by(Event.date)).all()
    assert events[0].date.isoformat() == "2025-11-23"
    assert events[-1].date == next_sunday(TODAY)
    desks = db.scalars(
        select(Booth).where(Booth.kind == "service_desk", Booth.event_id == events[0].id)
    ).all()
    assert {d.service for d in desks} >= {"halal", "nib", "kur", "ojk"}
    assert all(d.locked for d in desks)


def test_some_demo_vendors_have_expired_halal_certificates(db: Session) -> None:
    expired = db.scalar(
        select(func.count()).select_from(Vendor).where(Vendor.halal_cert_expiry < TODAY)
    )
    assert expired and expired > 0


def test_access_codes_are_random_and_unambiguous(db: Session) -> None:
    from app.services.access_codes import ALPHABET

    codes = db.scalars(select(Vendor.access_code)).all()
    assert len(set(codes)) == len(codes)
    assert all(len(c) >= 8 and set(c) <= set(ALPHABET) for c in codes)
    assert not set("01OILZSB8") & set(ALPHABET)
    assert sorted(codes) != codes  # not handed out in order


def test_next_sunday() -> None:
    from datetime import date

    assert next_sunday(date(2026, 11, 29)) == date(2026, 12, 6)  # a Sunday: the next one
    assert next_sunday(date(2026, 12, 2)) == date(2026, 12, 6)
