"""Layouts stored for events: regeneration keeps locked booths and codes; one conflict engine."""

from __future__ import annotations

import json

import pytest
from geoalchemy2.shape import from_shape, to_shape
from shapely import affinity
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.gis.crs import to_metric, to_wgs84
from app.models import AuditEntry, Booth, Event, Facility
from app.services.conflicts import event_conflicts
from app.services.errors import ServiceError
from app.services.layout import LayoutParams, _free_codes, generate_event_layout

UPCOMING = "cfd-2026-12-06"


def _event(db: Session, slug: str = UPCOMING) -> Event:
    return db.scalars(select(Event).where(Event.slug == slug)).one()


def _booths(db: Session, event: Event) -> dict[str, Booth]:
    return {b.code: b for b in db.scalars(select(Booth).where(Booth.event_id == event.id))}


def test_seeded_layouts_have_no_conflicts(db: Session) -> None:
    for event in db.scalars(select(Event)):
        booths = _booths(db, event)
        assert len(booths) > 500
        assert {b.service for b in booths.values() if b.kind == "service_desk"} == {
            "halal",
            "nib",
            "kur",
            "ojk",
            "edukasi",
        }
        assert event_conflicts(db, event) == []


def test_regeneration_is_stable(db: Session) -> None:
    event = _event(db)
    before = {c: to_shape(b.geom).wkb for c, b in _booths(db, event).items()}
    generate_event_layout(db, event, LayoutParams())
    after = {c: to_shape(b.geom).wkb for c, b in _booths(db, event).items()}
    assert before.keys() == after.keys()
    assert before == after


def test_locked_booths_are_kept_and_codes_do_not_shift(db: Session) -> None:
    event = _event(db)
    booths = _booths(db, event)
    keep = sorted(booths.values(), key=lambda b: b.code)[100]
    keep.locked = True
    db.commit()
    kept_geom = to_shape(keep.geom)
    outcome = generate_event_layout(db, event, LayoutParams())
    after = _booths(db, event)
    assert outcome.kept_locked == 6  # five desks + the booth
    assert to_shape(after[keep.code].geom).equals(kept_geom)
    assert after[keep.code].id == keep.id
    assert after.keys() == booths.keys()  # no code shifted around the locked booth
    assert event_conflicts(db, event) == []


def test_moving_a_booth_onto_a_hydrant_is_reported(db: Session) -> None:
    event = _event(db)
    epsg = event.city.metric_epsg
    booth = (
        _booths(db, event)["AY-0010"]
        if "AY-0010" in _booths(db, event)
        else next(b for b in _booths(db, event).values() if b.kind == "vendor")
    )
    corridor = to_shape(event.corridors[0].geom)
    hydrant = next(
        f
        for f in db.scalars(select(Facility).where(Facility.kind == "hydrant"))
        if corridor.buffer(0.0002).contains(to_shape(f.geom))
    )
    centre = to_metric(to_shape(hydrant.geom), epsg)
    square = to_metric(to_shape(booth.geom), epsg)
    moved = affinity.translate(square, centre.x - square.centroid.x, centre.y - square.centroid.y)
    booth.geom = from_shape(to_wgs84(moved, epsg), srid=4326)
    db.commit()
    found = [c for c in event_conflicts(db, event) if c.booth_code == booth.code]
    rules = {(c.rule, c.other_kind) for c in found}
    assert ("facility_clearance", "hydrant") in rules
    hit = next(c for c in found if c.other_kind == "hydrant")
    assert hit.severity == "blocking" and hit.required_m == 3.0 and hit.distance_m == 0.0
    assert "hidran" in hit.message_id and "hydrant" in hit.message_en
    audit = db.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "booth",
            AuditEntry.entity_id == booth.id,
            AuditEntry.action == "update",
        )
    ).all()
    assert audit, "moving a booth must be audited"


def test_closed_event_layout_is_refused(db: Session) -> None:
    with pytest.raises(ServiceError, match="ditutup"):
        generate_event_layout(db, _event(db, "cfd-mikrodots-2025-11-23"), LayoutParams())


def test_bad_parameters_name_the_field(db: Session) -> None:
    with pytest.raises(ServiceError) as info:
        generate_event_layout(db, _event(db), LayoutParams(booth_width_m=0.2))
    assert "booth_width_m" in info.value.message_en


def test_free_codes_skip_locked_numbers() -> None:
    assert _free_codes(["AY-001", "AY-002", "AY-003"], {"AY-002"}) == ["AY-001", "AY-003", "AY-004"]


def test_cli_layout_and_conflicts(runner, db: Session) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["layout", UPCOMING, "--booth-width", "2.5", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["report"]["placed"] > 500 and data["conflicts"]["total"] == 0
    assert data["report"]["placed"] >= 0.95 * data["report"]["row_bound"]
    result = runner.invoke(args=["conflicts", UPCOMING, "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.output)["summary"]["total"] == 0
    result = runner.invoke(args=["conflicts", UPCOMING])
    assert "Tidak ada konflik" in result.output
    result = runner.invoke(args=["layout", "tidak-ada"])
    assert result.exit_code == 1 and "tidak ditemukan" in result.output


def test_api_layout_is_planner_only(client, auth) -> None:  # type: ignore[no-untyped-def]
    auth.login("crew")
    assert client.get(f"/api/events/{UPCOMING}/conflicts").status_code == 200
    assert client.post(f"/api/events/{UPCOMING}/layout", json={}).status_code == 403


def test_api_layout_and_conflicts(client, auth) -> None:  # type: ignore[no-untyped-def]
    auth.login("planner")
    resp = client.post(f"/api/events/{UPCOMING}/layout?dry_run=1", json={"gap_m": 0.5})
    assert resp.status_code == 200, resp.json
    assert resp.json["params"]["gap_m"] == 0.5
    bad = client.post(f"/api/events/{UPCOMING}/layout", json={"booth_depth_m": "tiga"})
    assert bad.status_code == 400 and "booth_depth_m" in bad.json["message_en"]
    fc = client.get(f"/api/events/{UPCOMING}/booths/status").json
    assert fc["features"] and {
        f["properties"]["state"] for f in fc["features"] if f["properties"]["kind"] == "vendor"
    } == {"ok"}
