"""Crew check-in: marks, the cut-off release to the waitlist, and two crew members at once."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy.orm import Session

from app.models import HOLDING_STATUSES, AllocationRun, Assignment, AuditEntry, Event, Vendor
from app.services import checkin
from app.services.audit import acting_as
from app.services.errors import Conflict, NotFound, ServiceError
from app.services.reasons import reason_text

EVENT = "cfd-2026-12-06"
TZ = "Asia/Pontianak"
WIB = ZoneInfo(TZ)


@pytest.fixture
def event(db: Session) -> Event:
    return db.scalars(select(Event).where(Event.slug == EVENT)).one()


def _assigned(
    db: Session, event: Event, n: int = 1, *, category: str | None = None
) -> list[Assignment]:
    query = select(Assignment).where(
        Assignment.event_id == event.id, Assignment.status == "assigned"
    )
    if category is not None:
        query = query.join(Vendor, Vendor.id == Assignment.vendor_id).where(
            Vendor.category == category
        )
    return list(db.scalars(query.order_by(Assignment.id).limit(n)))


def test_rows_list_every_booth_once_and_search(db: Session, event: Event) -> None:
    rows = checkin.checkin_rows(db, event)
    assert len(rows) > 100
    assert len({r.booth_code for r in rows}) == len(rows)
    assert [r.booth_code for r in rows] == sorted(r.booth_code for r in rows)
    some = rows[7]
    found = checkin.checkin_rows(db, event, query=some.business_name[:6].upper())
    assert some in found
    assert checkin.checkin_rows(db, event, query=some.booth_code.lower()) == [some]


def test_mark_is_audited_and_last_write_wins(db: Session, event: Event) -> None:
    [a] = _assigned(db, event)
    with acting_as(None, "crew-test"):
        first = checkin.mark(db, event, a.id, "checked_in")
        second = checkin.mark(db, event, a.id, "no_show")
        same = checkin.mark(db, event, a.id, "no_show")
    assert (first.previous, first.changed) == ("assigned", True)
    assert (second.previous, second.assignment.status) == ("checked_in", "no_show")
    assert not same.changed
    entries = db.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.entity == "assignment",
            AuditEntry.entity_id == a.id,
            AuditEntry.actor == "crew-test",
        )
        .order_by(AuditEntry.id)
    ).all()
    assert [(e.before["status"], e.after["status"]) for e in entries] == [
        ("assigned", "checked_in"),
        ("checked_in", "no_show"),
    ]


def test_mark_refuses_bad_input(db: Session, event: Event) -> None:
    [a] = _assigned(db, event)
    with pytest.raises(ServiceError):
        checkin.mark(db, event, a.id, "cancelled")
    with pytest.raises(NotFound):
        checkin.mark(db, event, 10_000_000, "checked_in")
    closed = db.scalars(select(Event).where(Event.slug == "cfd-mikrodots-2025-11-23")).one()
    with pytest.raises(ServiceError, match="diumumkan"):
        checkin.mark(db, closed, a.id, "checked_in")
    old = db.scalars(select(Assignment.id).where(Assignment.event_id == closed.id)).first()
    assert old is not None
    with pytest.raises(NotFound):
        checkin.mark(db, event, old, "checked_in")  # not this event's assignment


def test_cutoff_is_minutes_after_the_start_in_local_time(event: Event) -> None:
    cut = checkin.cutoff(event, minutes=30, tz=TZ)
    assert cut == datetime(2026, 12, 6, 6, 30, tzinfo=WIB)


def test_release_waits_for_the_cutoff(db: Session, event: Event) -> None:
    [a] = _assigned(db, event)
    checkin.mark(db, event, a.id, "no_show")
    with pytest.raises(ServiceError, match="06.30"):
        checkin.release_no_shows(
            db, event, now=datetime(2026, 12, 6, 6, 29, tzinfo=WIB), cutoff_minutes=30, tz=TZ
        )
    db.refresh(a)
    assert (
        db.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.booth_id == a.booth_id, Assignment.status.in_(HOLDING_STATUSES))
        )
        == 0
    )


def test_release_offers_no_show_booths_to_the_waitlist(db: Session, event: Event) -> None:
    # the demo's waitlist is food vendors over the food cap (45 booths): food no-shows make room
    absent = _assigned(db, event, 2, category="makanan")
    present = _assigned(db, event, 3, category="makanan")[2]
    with acting_as(None, "crew-test"):
        for a in absent:
            checkin.mark(db, event, a.id, "no_show")
        checkin.mark(db, event, present.id, "checked_in")
        released = checkin.release_no_shows(
            db, event, now=datetime(2026, 12, 6, 6, 31, tzinfo=WIB), cutoff_minutes=30, tz=TZ
        )
    assert {r.no_show_assignment_id for r in released} == {a.id for a in absent}
    run = db.scalars(
        select(AllocationRun)
        .where(AllocationRun.event_id == event.id)
        .order_by(AllocationRun.id.desc())
    ).first()
    assert run is not None
    waitlist = [int(v) for v in run.result["waitlist"]]
    offers = [r.offer for r in released]
    assert all(o is not None for o in offers)
    assert [o.vendor_id for o in offers if o] == sorted(
        (o.vendor_id for o in offers if o), key=waitlist.index
    )
    for r in released:
        assert r.offer is not None
        assert r.offer.booth.code == r.booth_code
        assert r.offer.status == "assigned"
        why = r.offer.explanation
        assert reason_text(why, "id").startswith("Ditawarkan dari daftar tunggu (posisi ")
        assert reason_text(why, "en").startswith("Offered from the waitlist (position ")
    creates = db.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "assignment",
            AuditEntry.action == "create",
            AuditEntry.entity_id.in_([o.id for o in offers if o]),
        )
    ).all()
    assert {e.actor for e in creates} == {"crew-test"}
    assert len(creates) == 2
    # pressing again releases nothing more; the checked-in vendor kept the booth
    again = checkin.release_no_shows(
        db, event, now=datetime(2026, 12, 6, 7, 0, tzinfo=WIB), cutoff_minutes=30, tz=TZ
    )
    assert again == []
    db.refresh(present)
    assert present.status == "checked_in"


def test_late_vendor_cannot_take_back_a_booth_already_offered(db: Session, event: Event) -> None:
    [a] = _assigned(db, event, category="makanan")
    checkin.mark(db, event, a.id, "no_show")
    [released] = checkin.release_no_shows(
        db, event, now=datetime(2026, 12, 6, 6, 45, tzinfo=WIB), cutoff_minutes=30, tz=TZ
    )
    assert released.offer is not None
    with pytest.raises(Conflict):
        checkin.mark(db, event, a.id, "checked_in")
    db.refresh(a)
    assert a.status == "no_show"
    # the session is still usable: the offered vendor checks in
    assert checkin.mark(db, event, released.offer.id, "checked_in").changed


def test_cancelled_vendor_cannot_be_marked(db: Session, event: Event) -> None:
    from app.services.allocation import release_and_offer

    [a] = _assigned(db, event)
    release_and_offer(db, a, status="cancelled")
    db.commit()
    with pytest.raises(Conflict):
        checkin.mark(db, event, a.id, "checked_in")


# -- two crew members at once (real transactions, committed and cleaned up) -------------------


def test_two_crew_members_marking_the_same_booth(engine: Engine) -> None:
    with Session(engine) as s:
        event_id = s.scalars(select(Event.id).where(Event.slug == EVENT)).one()
        a = s.scalars(
            select(Assignment)
            .where(Assignment.event_id == event_id, Assignment.status == "assigned")
            .order_by(Assignment.id.desc())
            .limit(1)
        ).one()
        aid, version = a.id, a.version
        audit_before = s.scalar(select(func.max(AuditEntry.id))) or 0
    results: list[tuple[str, str, str]] = []
    errors: list[BaseException] = []

    def crew(status: str, who: str) -> None:
        try:
            with Session(engine, expire_on_commit=False) as s, acting_as(None, who):
                event = s.get(Event, event_id)
                assert event is not None
                r = checkin.mark(s, event, aid, status)
                results.append((who, r.previous, r.assignment.status))
        except BaseException as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)

    blocker = Session(engine)
    try:
        # Hold the row so both marks queue behind the same lock and really meet.
        blocker.execute(select(Assignment.id).where(Assignment.id == aid).with_for_update())
        threads = [
            threading.Thread(target=crew, args=("checked_in", "crew-a")),
            threading.Thread(target=crew, args=("no_show", "crew-b")),
        ]
        for t in threads:
            t.start()
        time.sleep(0.5)
        assert results == []
        assert errors == []
        blocker.rollback()
        for t in threads:
            t.join(timeout=30)
        assert errors == []
        assert len(results) == 2
        with Session(engine) as s:
            final = s.get(Assignment, aid)
            assert final is not None
            entries = s.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.entity == "assignment",
                    AuditEntry.entity_id == aid,
                    AuditEntry.id > audit_before,
                )
                .order_by(AuditEntry.id)
            ).all()
            # both marks are logged, in commit order; the later one is what is stored
            assert [e.actor for e in entries] == [who for who, _p, _s in results]
            assert entries[0].before["status"] == "assigned"
            assert entries[1].before["status"] == entries[0].after["status"]
            assert entries[1].after["status"] == final.status == results[1][2]
    finally:
        blocker.close()
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE assignment SET status = 'assigned', version = :v WHERE id = :id"),
                {"v": version, "id": aid},
            )
            conn.execute(
                delete(AuditEntry).where(
                    AuditEntry.id > audit_before,
                    AuditEntry.entity == "assignment",
                    AuditEntry.entity_id == aid,
                )
            )


def test_release_keeps_the_allocations_caps_in_booths(db: Session, event: Event) -> None:
    """The demo's waitlist is food vendors left out by the food cap (45 booths): a clothing
    no-show's booth is not given to one of them, which would make 46."""
    [a] = _assigned(db, event, category="pakaian")
    checkin.mark(db, event, a.id, "no_show")
    [released] = checkin.release_no_shows(
        db, event, now=datetime(2026, 12, 6, 6, 45, tzinfo=WIB), cutoff_minutes=30, tz=TZ
    )
    assert released.offer is None
    food = db.scalar(
        select(func.count())
        .select_from(Assignment)
        .join(Vendor, Vendor.id == Assignment.vendor_id)
        .where(
            Assignment.event_id == event.id,
            Assignment.status.in_(HOLDING_STATUSES),
            Vendor.category == "makanan",
        )
    )
    assert food == 45
