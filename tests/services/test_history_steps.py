"""Every kind of undo step on an event: swap, layout run, allocation run, booth import, booth
delete with its vendors, workspace booth edits. For each: do, undo (exactly back), redo (exactly
forward, same rows), and a refusal when a row changed since (another tab)."""

from __future__ import annotations

from typing import Any

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.messages import render
from app.models import (
    AllocationRun,
    Assignment,
    AuditEntry,
    Booth,
    DataVersion,
    Event,
    HistoryStep,
    Zone,
)
from app.services import assignments, history
from app.services.allocation import AllocationSettings, latest_run, run_allocation
from app.services.errors import Conflict, NotFound
from app.services.features import Target, create_feature, delete_feature, update_feature
from app.services.layers import import_layer
from app.services.layout import LayoutParams, generate_event_layout

UPCOMING = "cfd-2026-12-06"


def _event(db: Session) -> Event:
    return db.scalars(select(Event).where(Event.slug == UPCOMING)).one()


def _state(db: Session, event: Event) -> dict[str, Any]:
    """The event as a planner sees it: every booth (geometry as WKB), assignment and run."""
    db.expire_all()
    booths = {
        b.id: (
            b.code,
            b.kind,
            b.locked,
            b.has_electricity,
            b.accessible,
            b.width_m,
            b.chainage_m,
            to_shape(b.geom).wkb,
        )
        for b in db.scalars(select(Booth).where(Booth.event_id == event.id))
    }
    held = {
        a.id: (a.booth_id, a.vendor_id, a.status, a.pinned, a.part, a.explanation, a.confirmed_at)
        for a in db.scalars(select(Assignment).where(Assignment.event_id == event.id))
    }
    runs = list(
        db.scalars(select(AllocationRun.id).where(AllocationRun.event_id == event.id).order_by(
            AllocationRun.id))
    )  # fmt: skip
    return {"booths": booths, "assignments": held, "runs": runs}


def _version(db: Session, event: Event) -> tuple[int, int]:
    row = db.get(DataVersion, event.city_id, populate_existing=True)
    assert row is not None
    return row.version, row.layout_version


def _holding(db: Session, event: Event, n: int) -> list[Assignment]:
    """``n`` one-booth vendors placed in the event."""
    rows = db.scalars(
        select(Assignment)
        .where(Assignment.event_id == event.id, Assignment.status == "assigned")
        .order_by(Assignment.id)
    ).all()
    parts: dict[int, int] = {}
    for a in rows:
        parts[a.vendor_id] = parts.get(a.vendor_id, 0) + 1
    single = [a for a in rows if parts[a.vendor_id] == 1]
    return single[:n]


def _top(db: Session, event: Event) -> HistoryStep:
    return history.history(db, event.city, event)[0]


def test_a_swap_is_one_step_undone_and_redone_exactly(db: Session) -> None:
    event = _event(db)
    a, b = _holding(db, event, 2)
    code_a, code_b = a.booth.code, b.booth.code
    start = _state(db, event)
    assignments.swap(db, event, a.id, code_b)
    swapped = _state(db, event)
    step = _top(db, event)
    assert step.label_id == f"Tukar {code_a} \u21c4 {code_b}"
    assert step.label_en == f"Swap {code_a} \u21c4 {code_b}"
    history.undo(db, event.city, event)
    assert _state(db, event) == start  # both vendors back, pins and reasons too
    history.redo(db, event.city, event)
    assert _state(db, event) == swapped


def test_undoing_a_swap_whose_row_changed_in_another_tab_is_refused(db: Session) -> None:
    event = _event(db)
    a, b = _holding(db, event, 2)
    assignments.swap(db, event, a.id, b.booth.code)
    other_tab = db.get(Assignment, b.id)
    assert other_tab is not None
    other_tab.pinned = False  # another tab unpinned it outside the stack
    db.commit()
    seen = _state(db, event)
    with pytest.raises(Conflict) as refused:
        history.undo(db, event.city, event)
    assert "tidak dapat dibatalkan" in render(refused.value.msg, "id")
    assert "cannot be undone" in render(refused.value.msg, "en")
    assert _state(db, event) == seen
    assert _top(db, event).applied  # the step stays where it was


def test_a_layout_run_is_undone_with_its_vendors_and_redone_with_the_same_rows(
    db: Session,
) -> None:
    event = _event(db)
    start = _state(db, event)
    assert start["assignments"]
    generate_event_layout(db, event, LayoutParams(booth_width_m=2.5))
    laid = _state(db, event)
    kept = set(laid["booths"]) & set(start["booths"])
    assert kept and all(start["booths"][i][2] for i in kept)  # only the locked desks stay
    step = _top(db, event)
    assert step.label_id.startswith("Buat ulang tata letak:")
    assert step.label_en.startswith("Regenerate layout:")
    # compact: the removed rows in full, the new ones as a stub each
    made = [c for c in step.changes if c["before"] is None]
    assert made and all(set(c["after"]) == {"id", "version"} for c in made)
    counters = _version(db, event)
    history.undo(db, event.city, event)
    assert _state(db, event) == start  # same ids, codes, geometry bits, vendors and pins
    after_undo = _version(db, event)
    assert after_undo[0] > counters[0] and after_undo[1] > counters[1]  # caches let go
    history.redo(db, event.city, event)
    assert _state(db, event) == laid


def test_a_layout_undo_is_refused_when_a_new_booth_was_edited_since(db: Session) -> None:
    event = _event(db)
    generate_event_layout(db, event, LayoutParams(booth_width_m=2.5))
    booth = db.scalars(
        select(Booth).where(Booth.event_id == event.id, Booth.locked.is_(False)).limit(1)
    ).one()  # a booth the regeneration made
    booth.accessible = not booth.accessible  # edited outside the stack (the CLI, say)
    db.commit()
    seen = _state(db, event)
    with pytest.raises(Conflict):
        history.undo(db, event.city, event)
    assert _state(db, event) == seen


def test_an_allocation_run_is_undone_with_its_run_and_redone(db: Session) -> None:
    event = _event(db)
    start = _state(db, event)
    previous = latest_run(db, event)
    assert previous is not None
    run_allocation(db, event, AllocationSettings(seed=7))
    allocated = _state(db, event)
    assert allocated["assignments"] != start["assignments"]
    step = _top(db, event)
    assert step.label_id.startswith("Alokasi (seed 7):")
    assert step.label_en.startswith("Allocation (seed 7):")
    history.undo(db, event.city, event)
    assert _state(db, event) == start
    back = latest_run(db, event)
    assert back is not None and back.id == previous.id  # the waitlist in force is the old one
    history.redo(db, event.city, event)
    assert _state(db, event) == allocated
    redone = latest_run(db, event)
    assert redone is not None and redone.seed == 7 and redone.result["waitlist"] is not None


def test_an_allocation_undo_is_refused_when_a_vendor_checked_in_since(db: Session) -> None:
    event = _event(db)
    run_allocation(db, event, AllocationSettings(seed=7))
    placed = db.scalars(
        select(Assignment).where(Assignment.event_id == event.id).order_by(Assignment.id.desc())
    ).first()
    assert placed is not None
    placed.status = "checked_in"
    db.commit()
    seen = _state(db, event)
    with pytest.raises(Conflict):
        history.undo(db, event.city, event)
    assert _state(db, event) == seen


def _booth_feature(booth: Booth, **props: Any) -> dict[str, Any]:
    geometry = to_shape(booth.geom).__geo_interface__
    base = {"code": booth.code, "kind": booth.kind, "width_m": booth.width_m,
            "depth_m": booth.depth_m}  # fmt: skip
    return {"type": "Feature", "geometry": geometry, "properties": base | props}


def test_a_booth_import_is_one_step_of_the_event(db: Session) -> None:
    event = _event(db)
    first, second = db.scalars(
        select(Booth).where(Booth.event_id == event.id, Booth.kind == "vendor").order_by(
            Booth.code).limit(2)
    ).all()  # fmt: skip
    start = _state(db, event)
    report = import_layer(
        db,
        city=event.city,
        layer="booths",
        event=event,
        features=[
            _booth_feature(first, has_electricity=not first.has_electricity),
            _booth_feature(second, code="AY-IMPOR-1"),  # same place, a new code: added
        ],
    )
    assert report.written and report.created == 1 and report.updated == 1
    imported = _state(db, event)
    step = _top(db, event)
    assert (step.label_id, step.label_en) == (
        "Impor lapak: 1 baru, 1 diubah",
        "Import booths: 1 new, 1 changed",
    )
    assert step.event_id == event.id
    history.undo(db, event.city, event)
    assert _state(db, event) == start
    history.redo(db, event.city, event)
    assert _state(db, event) == imported


def test_a_zone_import_goes_on_the_city_stack_and_refuses_a_stale_undo(
    db: Session, make_city: Any
) -> None:
    city = make_city()
    square = [[109.338, -0.03], [109.3382, -0.03], [109.3382, -0.0302], [109.338, -0.0302],
              [109.338, -0.03]]  # fmt: skip
    zone = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [square]},
            "properties": {"name": "Zona Impor", "kind": "pkl_legal"}}  # fmt: skip
    import_layer(db, city=city, layer="zones", features=[zone])
    made = db.scalars(select(Zone).where(Zone.city_id == city.id)).one()
    assert history.history(db, city)[0].label_en == "Import zones: 1 new, 0 changed"
    made.capacity = 3  # another planner, outside the stack
    db.commit()
    with pytest.raises(Conflict):
        history.undo(db, city)
    assert db.get(Zone, made.id) is not None


def test_undoing_a_booth_delete_brings_its_assignments_back_audited(db: Session) -> None:
    event = _event(db)
    (held,) = _holding(db, event, 1)
    booth = held.booth
    start = _state(db, event)
    delete_feature(db, "booths", booth.id, booth.version, event.city)
    assert db.get(Assignment, held.id) is None
    step = _top(db, event)  # the event's stack, not the city's
    assert step.label_id == f"Hapus lapak {booth.code}"
    assert all(s.label_id != step.label_id for s in history.history(db, event.city))
    history.undo(db, event.city, event)
    assert _state(db, event) == start
    restored = db.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "assignment",
            AuditEntry.entity_id == held.id,
            AuditEntry.action == "create",
        )
    ).all()
    assert restored and restored[-1].after["vendor_id"] == held.vendor_id
    history.redo(db, event.city, event)
    assert db.get(Booth, booth.id) is None and db.get(Assignment, held.id) is None


def test_workspace_booth_edits_are_the_events_steps_and_both_views_list_them(
    db: Session,
) -> None:
    event = _event(db)
    city = event.city
    booth = db.scalars(
        select(Booth).where(Booth.event_id == event.id, Booth.kind == "vendor").limit(1)
    ).one()
    feature = {"properties": {"accessible": not booth.accessible}, "geometry": None}
    update_feature(db, "booths", booth.id, feature, booth.version, city)
    event_steps = history.history(db, city, event)
    assert event_steps[0].label_id == f"Ubah lapak {booth.code}"
    assert event_steps[0].label_id not in [s.label_id for s in history.history(db, city)]
    square = [[109.338, -0.03], [109.3382, -0.03], [109.3382, -0.0302], [109.338, -0.0302],
              [109.338, -0.03]]  # fmt: skip
    create_feature(
        db,
        "zones",
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [square]},
            "properties": {"name": "Zona Ruang Kerja", "kind": "pkl_legal"},
        },  # fmt: skip
        Target(city),
    )
    both = [s.label_id for s in history.history(db, city, event, workspace=True)][:2]
    assert both == ["Gambar zona Zona Ruang Kerja", f"Ubah lapak {booth.code}"]
    # the workspace undoes the newest of the two, then the booth edit
    assert history.undo(db, city, event, workspace=True).label_id.startswith("Gambar zona")
    assert history.undo(db, city, event, workspace=True).label_id == f"Ubah lapak {booth.code}"
    db.expire_all()
    assert db.get(Booth, booth.id).accessible == (not feature["properties"]["accessible"])
    # the event page sees the booth step undone, and redoes it
    assert history.redo(db, city, event).label_id == f"Ubah lapak {booth.code}"


def test_undo_never_redoes_and_a_new_action_clears_the_redo(db: Session) -> None:
    event = _event(db)
    a, b, c = _holding(db, event, 3)
    start = _state(db, event)
    assignments.swap(db, event, a.id, b.booth.code)
    assignments.set_pin(db, event, c.id, not c.pinned)
    history.undo(db, event.city, event)
    history.undo(db, event.city, event)  # the second undo goes further back
    assert _state(db, event) == start
    history.redo(db, event.city, event)  # the swap again
    assignments.set_pin(db, event, a.id, False)  # a new action: the pin step's redo is gone
    with pytest.raises(NotFound):
        history.redo(db, event.city, event)


def test_a_step_too_big_to_keep_stops_undo_with_a_clear_message(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = _event(db)
    monkeypatch.setattr(history, "MAX_STEP_ROWS", 10)
    run_allocation(db, event, AllocationSettings(seed=11))
    allocated = _state(db, event)
    step = _top(db, event)
    assert step.label_id.endswith("(terlalu besar untuk dibatalkan)")
    assert step.label_en.endswith("(too big to undo)")
    assert len(step.changes) == 1 and step.changes[0]["rows"] > 10
    with pytest.raises(Conflict) as refused:
        history.undo(db, event.city, event)
    assert "terlalu besar untuk dibatalkan" in render(refused.value.msg, "id")
    assert "too big to undo" in render(refused.value.msg, "en")
    assert _state(db, event) == allocated
