"""Undo and redo as a stack of named steps: undo never redoes, redo follows undo exactly."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from app.models import Zone
from app.services import history
from app.services.errors import Conflict, NotFound
from app.services.features import Target, create_feature, update_feature

SQUARE = [
    [109.3380, -0.0300],
    [109.3382, -0.0300],
    [109.3382, -0.0302],
    [109.3380, -0.0302],
    [109.3380, -0.0300],
]


def _zone(**props: Any) -> dict[str, Any]:
    props.setdefault("name", "Zona riwayat")
    props.setdefault("kind", "pkl_legal")
    return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
            "properties": props}  # fmt: skip


def _capacity(db: Session, ident: int) -> int | None:
    db.expire_all()
    zone = db.get(Zone, ident)
    return None if zone is None else zone.capacity


def test_undo_twice_undoes_two_steps_and_never_redoes(db: Session, make_city: Any) -> None:
    city = make_city()
    zone = create_feature(db, "zones", _zone(), Target(city))
    update_feature(db, "zones", zone.id, _zone(capacity=10), zone.version, city)
    update_feature(db, "zones", zone.id, _zone(capacity=20), zone.version, city)
    labels = [s.label_id for s in history.history(db, city)]
    assert labels == [
        "Ubah zona Zona riwayat",
        "Ubah zona Zona riwayat",
        "Gambar zona Zona riwayat",
    ]
    history.undo(db, city)
    assert _capacity(db, zone.id) == 10
    history.undo(db, city)  # a second undo goes further back: it does not redo
    assert _capacity(db, zone.id) is None
    history.undo(db, city)  # the drawing itself
    assert db.get(Zone, zone.id) is None
    with pytest.raises(NotFound):
        history.undo(db, city)
    history.redo(db, city)
    history.redo(db, city)
    assert _capacity(db, zone.id) == 10
    history.redo(db, city)
    assert _capacity(db, zone.id) == 20
    with pytest.raises(NotFound):
        history.redo(db, city)
    assert history.history(db, city)[0].label_en == "Edit zone Zona riwayat"


def test_a_new_step_drops_the_undone_ones(db: Session, make_city: Any) -> None:
    city = make_city()
    zone = create_feature(db, "zones", _zone(), Target(city))
    update_feature(db, "zones", zone.id, _zone(capacity=1), zone.version, city)
    history.undo(db, city)
    update_feature(db, "zones", zone.id, _zone(capacity=2), db.get(Zone, zone.id).version, city)
    with pytest.raises(NotFound):
        history.redo(db, city)
    assert [s.applied for s in history.history(db, city)] == [True, True]


def test_a_step_changed_since_by_someone_else_is_not_undone(db: Session, make_city: Any) -> None:
    city = make_city()
    zone = create_feature(db, "zones", _zone(), Target(city))
    update_feature(db, "zones", zone.id, _zone(capacity=5), zone.version, city)
    stored = db.get(Zone, zone.id)
    stored.capacity = 99  # an edit outside the stack (another planner's import)
    db.commit()
    with pytest.raises(Conflict):
        history.undo(db, city)
    assert _capacity(db, zone.id) == 99
    assert history.history(db, city)[0].applied  # the step stays where it was


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    edits=st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=5, unique=True),
    ops=st.lists(st.sampled_from(["undo", "redo", "edit"]), max_size=12),
)
def test_the_stack_behaves_like_a_list_and_a_cursor(
    db: Session, make_city: Any, edits: list[int], ops: list[str]
) -> None:
    """Against a reference model: states s0..sn and a cursor; undo moves back one, redo forward
    one, an edit cuts what is above the cursor. Undo twice lands two states back, never on the
    state a redo gives."""
    city = make_city()
    zone = create_feature(db, "zones", _zone(), Target(city))
    states: list[int | None] = [None]
    for value in edits:
        update_feature(db, "zones", zone.id, _zone(capacity=value), db.get(Zone, zone.id).version,
                       city)  # fmt: skip
        states.append(value)
    cursor = len(states) - 1
    fresh = iter(range(1000, 2000))
    for op in ops:
        if op == "undo":
            if cursor == 0:  # only the drawing is left: keep the zone, stop here
                continue
            history.undo(db, city)
            cursor -= 1
        elif op == "redo":
            if cursor == len(states) - 1:
                with pytest.raises(NotFound):
                    history.redo(db, city)
                continue
            history.redo(db, city)
            cursor += 1
        else:
            value = next(fresh)
            update_feature(db, "zones", zone.id, _zone(capacity=value),
                           db.get(Zone, zone.id).version, city)  # fmt: skip
            states = states[: cursor + 1] + [value]
            cursor += 1
        assert _capacity(db, zone.id) == states[cursor]
    if cursor >= 2 and cursor < len(states) - 1:
        history.undo(db, city)
        history.undo(db, city)
        twice = _capacity(db, zone.id)
        assert twice == states[cursor - 2]
        history.redo(db, city)
        history.redo(db, city)
        history.redo(db, city)
        redone = _capacity(db, zone.id)
        assert redone == states[cursor + 1] and twice != redone  # states are all distinct
