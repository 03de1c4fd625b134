"""The vendor lookup's place line is remembered by its whole input: the same input gives the
line worked out afresh, and any change in the input is worked out again."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.messages import render
from app.models import Assignment, Event
from app.services import lapak
from app.services.places import place_from_inputs

EVENT = "cfd-2026-12-06"


@pytest.fixture
def inputs(db: Session) -> str:
    event = db.scalars(select(Event).where(Event.slug == EVENT)).one()
    assignment = db.scalars(
        select(Assignment)
        .where(Assignment.event_id == event.id, Assignment.status == "assigned")
        .order_by(Assignment.id)
        .limit(1)
    ).one()
    rows = lapak._rows(
        db,
        "id",
        True,
        False,
        {"vendor_id": assignment.vendor_id, "today": datetime(2026, 11, 28).date()},
    )
    texts = [r.place_inputs for r in rows if r.place_inputs]
    assert texts
    return str(texts[0])


def test_a_remembered_line_is_the_line_worked_out_afresh(inputs: str) -> None:
    lapak._PLACE_MEMO.clear()
    first = lapak._place_texts(inputs)
    place = place_from_inputs(inputs)
    assert place is not None
    fresh = {"place_id": render(place, "id"), "place_en": render(place, "en")}
    assert first == fresh
    assert lapak._place_texts(inputs) == fresh  # from the memo now
    assert len(lapak._PLACE_MEMO) == 1


def test_a_changed_input_is_worked_out_again(inputs: str) -> None:
    """Another corridor name is another input: the memo never answers for it."""
    lapak._PLACE_MEMO.clear()
    before = lapak._place_texts(inputs)
    data = json.loads(inputs)
    data["corridor"][0] = "Jl. Contoh Lain"
    data["roads"] = []  # the road then takes the corridor's name
    changed = json.dumps(data)
    after = lapak._place_texts(changed)
    place = place_from_inputs(changed)
    assert place is not None
    assert after == {"place_id": render(place, "id"), "place_en": render(place, "en")}
    assert "Jl. Contoh Lain" in after["place_id"] and after != before
    assert len(lapak._PLACE_MEMO) == 2


def test_the_memo_is_bounded(inputs: str, monkeypatch: pytest.MonkeyPatch) -> None:
    lapak._PLACE_MEMO.clear()
    monkeypatch.setattr(lapak, "PLACE_MEMO_SIZE", 2)
    data = json.loads(inputs)
    for n in range(4):
        data["corridor"][0] = f"Jl. Contoh {n}"
        lapak._place_texts(json.dumps(data))
    assert len(lapak._PLACE_MEMO) == 2
    assert lapak._place_texts(None) == {} and lapak._place_texts("") == {}
