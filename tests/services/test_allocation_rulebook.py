"""The allocation rulebook end to end on the database: several booths side by side stored as one
assignment per booth, adjacency from the stored geometry, booth properties, attendance, fixed
permit holders and seniority by registration date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from geoalchemy2.shape import from_shape
from shapely import Point, box
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.gis.crs import to_metric, to_wgs84
from app.models import Assignment, Booth, Event
from app.services.allocation import AllocationSettings, _booth_inputs, run_allocation


def _street(
    make_city: Callable[..., Any],
    make_zone: Callable[..., Any],
    make_event: Callable[..., Any],
    make_booth: Callable[..., Any],
    n: int = 6,
    gaps: dict[int, float] | None = None,
    **event_kw: Any,
) -> tuple[Event, list[Booth], tuple[float, float], int]:
    """An event on a 100 m corridor with ``n`` 3 m booths in a row on the north side; ``gaps``
    widens the gap before booth i (0-based) by that many metres."""
    city = make_city()
    epsg = city.metric_epsg
    x0, y0 = to_metric(Point(109.33, -0.03), epsg).coords[0]
    corridor = make_zone(
        city=city,
        kind="cfd_corridor",
        geom=from_shape(to_wgs84(box(x0 - 5, y0 - 5, x0 + 100, y0 + 15), epsg), 4326),
    )
    event = make_event(city=city, corridors=[corridor], **event_kw)
    booths = []
    x = x0
    for i in range(n):
        x += (gaps or {}).get(i, 0.0)
        booths.append(
            make_booth(
                event=event,
                code=f"AY-{i + 1:02d}",
                side="left",
                chainage_m=x - x0,
                geom=from_shape(to_wgs84(box(x, y0, x + 3, y0 + 3), epsg), 4326),
            )
        )
        x += 3.0
    return event, booths, (x0, y0), epsg


def _held(db: Session, event: Event) -> dict[int, list[str]]:
    rows = db.execute(
        select(Assignment.vendor_id, Booth.code)
        .join(Booth, Booth.id == Assignment.booth_id)
        .where(Assignment.event_id == event.id, Assignment.status == "assigned")
        .order_by(Assignment.vendor_id, Assignment.part)
    ).all()
    out: dict[int, list[str]] = {}
    for vid, code in rows:
        out.setdefault(vid, []).append(code)
    return out


def test_a_double_booth_vendor_gets_two_adjacent_booths_stored_as_two_parts(
    db: Session, make_city: Any, make_zone: Any, make_event: Any, make_booth: Any, make_vendor: Any
) -> None:
    event, _booths, _, _ = _street(make_city, make_zone, make_event, make_booth, n=4, gaps={2: 3})
    big = make_vendor(city=event.city, min_booths=2, max_booths=2, category="pakaian")
    small = make_vendor(city=event.city, category="makanan")
    out = run_allocation(db, event, AllocationSettings(seed=3))
    held = _held(db, event)
    assert held[big.id] in (["AY-01", "AY-02"], ["AY-03", "AY-04"])
    assert len(held[small.id]) == 1
    parts = db.scalars(
        select(Assignment.part).where(Assignment.vendor_id == big.id).order_by(Assignment.part)
    ).all()
    assert parts == [0, 1]
    data = out.to_dict()
    placed = next(p for p in data["placements"] if p["vendor_id"] == big.id)
    assert placed["booth_codes"] == held[big.id]
    # the 3 m break between AY-02 and AY-03 is no side wall: a triple does not fit
    triple = make_vendor(city=event.city, min_booths=3, max_booths=3, category="mainan")
    out = run_allocation(db, event, AllocationSettings(seed=3))
    lost = next(u for u in out.to_dict()["unplaced"] if u["vendor_id"] == triple.id)
    assert lost["reason_code"] == "min_not_available"


def test_adjacency_is_cut_by_a_crossing_between_touching_booths(
    db: Session,
    make_city: Any,
    make_zone: Any,
    make_event: Any,
    make_booth: Any,
    make_facility: Any,
) -> None:
    event, _booths, (x0, y0), epsg = _street(make_city, make_zone, make_event, make_booth, n=4)
    booth_in, _ = _booth_inputs(db, event)
    assert {b.code: b.neighbours for b in booth_in}["AY-02"] == ("AY-01", "AY-03")
    zebra = box(x0 + 5.9, y0 - 4, x0 + 6.1, y0 + 8)  # where AY-02 meets AY-03
    make_facility(
        city=event.city, kind="crossing", geom=from_shape(to_wgs84(zebra, epsg).centroid, 4326)
    )
    booth_in, _ = _booth_inputs(db, event)
    neighbours = {b.code: b.neighbours for b in booth_in}
    assert "AY-03" not in neighbours["AY-02"]
    assert "AY-02" not in neighbours["AY-03"]


def test_booth_properties_reach_the_engine_and_the_needy_come_first(
    db: Session, make_city: Any, make_zone: Any, make_event: Any, make_booth: Any, make_vendor: Any
) -> None:
    event, booths, _, _ = _street(make_city, make_zone, make_event, make_booth, n=2)
    booths[1].cooking_allowed = True
    booths[1].reserved_category = "makanan"
    db.flush()
    senior = make_vendor(city=event.city, category="pakaian", registered_on=date(2020, 1, 1))
    other = make_vendor(city=event.city, category="pakaian", registered_on=date(2021, 1, 1))
    cook = make_vendor(
        city=event.city, category="makanan", needs_cooking=True, registered_on=date(2024, 1, 1)
    )
    out = run_allocation(db, event, AllocationSettings(seed=1)).to_dict()
    held = _held(db, event)
    assert held[cook.id] == ["AY-02"] and held[senior.id] == ["AY-01"]
    lost = {u["vendor_id"]: u["reason_code"] for u in out["unplaced"]}
    assert lost == {other.id: "special_booth_reserved"}


def test_only_attending_vendors_are_allocated_once_attendance_is_taken(
    db: Session,
    make_city: Any,
    make_zone: Any,
    make_event: Any,
    make_booth: Any,
    make_vendor: Any,
    make_attendance_answer: Any,
) -> None:
    event, _booths, _, _ = _street(make_city, make_zone, make_event, make_booth, n=3)
    coming = make_vendor(city=event.city)
    silent = make_vendor(city=event.city)
    out = run_allocation(db, event, AllocationSettings(seed=2)).to_dict()
    assert {p["vendor_id"] for p in out["placements"]} == {coming.id, silent.id}
    make_attendance_answer(event=event, vendor=coming, attending=True)
    declined = make_vendor(city=event.city)
    make_attendance_answer(event=event, vendor=declined, attending=False)
    out = run_allocation(db, event, AllocationSettings(seed=2)).to_dict()
    assert {p["vendor_id"] for p in out["placements"]} == {coming.id}
    reasons = {u["vendor_id"]: u["reason_code"] for u in out["unplaced"]}
    assert reasons == {silent.id: "not_attending", declined.id: "not_attending"}
    assert "tidak terdaftar hadir" in out["unplaced"][0]["explanation_id"]


def test_fixed_holders_keep_their_booths_and_free_them_when_absent(
    db: Session,
    make_city: Any,
    make_zone: Any,
    make_event: Any,
    make_booth: Any,
    make_vendor: Any,
    make_attendance_answer: Any,
) -> None:
    event, _booths, (x0, y0), epsg = _street(make_city, make_zone, make_event, make_booth, n=3)
    market = make_zone(
        city=event.city,
        kind="pkl_legal",
        geom=from_shape(to_wgs84(box(x0 - 1, y0 - 1, x0 + 10, y0 + 4), epsg), 4326),
    )
    spot = make_booth(
        zone=market,
        code="PT-07",
        geom=from_shape(to_wgs84(box(x0 + 2.9, y0 - 0.1, x0 + 6.1, y0 + 3.1), epsg), 4326),
    )
    holder = make_vendor(city=event.city, registered_on=date(2024, 6, 1))
    db.add(
        Assignment(
            booth=spot,
            vendor=holder,
            valid_from=event.date - timedelta(days=365),
            valid_to=None,
            status="assigned",
        )
    )
    seniors = [
        make_vendor(city=event.city, registered_on=date(2019, 1, 1), preferred_booths=["AY-02"])
        for _ in range(2)
    ]
    db.flush()
    out = run_allocation(db, event, AllocationSettings(seed=4)).to_dict()
    assert _held(db, event)[holder.id] == ["AY-02"]
    placed = next(p for p in out["placements"] if p["vendor_id"] == holder.id)
    assert placed["phase"] == "fixed"
    assert {s.id for s in seniors} <= set(_held(db, event))
    # away for this event (attendance taken, the holder said no): AY-02 goes to a senior
    make_attendance_answer(event=event, vendor=holder, attending=False)
    for s in seniors:
        make_attendance_answer(event=event, vendor=s, attending=True)
    run_allocation(db, event, AllocationSettings(seed=4))
    held = _held(db, event)
    assert holder.id not in held
    assert ["AY-02"] in [held[s.id] for s in seniors]


def test_same_registration_day_is_decided_by_the_draw_not_the_id(
    db: Session, make_city: Any, make_zone: Any, make_event: Any, make_booth: Any, make_vendor: Any
) -> None:
    event, _booths, _, _ = _street(make_city, make_zone, make_event, make_booth, n=1)
    day = date(2023, 3, 1)
    a = make_vendor(city=event.city, registered_on=day)
    b = make_vendor(city=event.city, registered_on=day)
    winners = set()
    for seed in range(12):
        out = run_allocation(db, event, AllocationSettings(seed=seed)).to_dict()
        (placed,) = out["placements"]
        winner = placed["vendor_id"]
        loser = a.id if winner == b.id else b.id
        winners.add(winner)
        assert out["draws"][str(winner)] < out["draws"][str(loser)]
    assert winners == {a.id, b.id}


def test_the_city_rule_decides_whether_vendors_grow_at_their_turn(
    db: Session, make_city: Any, make_zone: Any, make_event: Any, make_booth: Any, make_vendor: Any
) -> None:
    event, _booths, _, _ = _street(make_city, make_zone, make_event, make_booth, n=3)
    big = make_vendor(city=event.city, min_booths=1, max_booths=3, registered_on=date(2019, 1, 1))
    others = [make_vendor(city=event.city, registered_on=date(2022, 1, 1)) for _ in range(2)]
    run_allocation(db, event, AllocationSettings(seed=6))
    held = _held(db, event)
    assert len(held[big.id]) == 1 and all(o.id in held for o in others)  # minimum first
    event.city.grow_at_turn = True
    db.flush()
    run_allocation(db, event, AllocationSettings(seed=6))
    held = _held(db, event)
    assert held[big.id] == ["AY-01", "AY-02", "AY-03"]
    assert not any(o.id in held for o in others)
