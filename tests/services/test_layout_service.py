"""Layouts stored for events: regeneration keeps locked booths and codes; one conflict engine."""

from __future__ import annotations

import json

import pytest
from geoalchemy2.shape import from_shape, to_shape
from shapely import affinity
from shapely.geometry import shape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.gis.crs import to_metric, to_wgs84
from app.models import AuditEntry, Booth, Event, Facility
from app.services.conflicts import event_conflicts, summary
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
    """In words a planner knows, with the option a CLI user typed; never the internal name."""
    with pytest.raises(ServiceError) as info:
        generate_event_layout(db, _event(db), LayoutParams(booth_width_m=0.2))
    assert info.value.message_en.startswith("Booth width (--booth-width) must be between 1 and 10")
    assert info.value.message_id.startswith("Lebar lapak (--booth-width) harus antara 1 dan 10")
    assert "booth_width_m" not in info.value.message_en + info.value.message_id


def test_cli_bad_parameter_names_the_option(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["layout", UPCOMING, "--booth-width", "0.2", "--dry-run"])
    assert result.exit_code != 0
    assert "--booth-width" in result.output and "booth_width_m" not in result.output


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


def test_cli_speaks_the_language_asked_for(runner, db: Session) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["conflicts", UPCOMING, "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "No conflicts."
    result = runner.invoke(args=["layout", UPCOMING, "--dry-run", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Booths placed: ")
    assert "Lapak" not in result.output
    result = runner.invoke(args=["layout", UPCOMING, "--dry-run"])
    assert result.output.startswith("Lapak ditempatkan: ")
    result = runner.invoke(args=["layout", "tidak-ada", "--lang", "en"])
    assert result.exit_code == 1 and "not found" in result.output


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


def _same_json(a: object, b: object) -> bool:
    """JSON values equal as read back (an int and a float of the same value are equal)."""
    return json.loads(json.dumps(a)) == json.loads(json.dumps(b))


def test_a_bulk_layout_is_audited_row_by_row_and_counted_once(db: Session) -> None:
    """One statement per side, but every removed and created booth has its audit entry, as the
    session listener writes it, and the city's counter moves once."""
    from app.services.audit import acting_as, snapshot
    from app.services.data_version import city_version

    event = _event(db)
    # one booth locked so that a slot is kept; the rest are replaced
    old = _booths(db, event)
    keep = sorted(old.values(), key=lambda b: b.code)[7]
    keep.locked = True
    db.commit()
    before = {
        b.id: snapshot(b) for b in db.scalars(select(Booth).where(Booth.event_id == event.id))
    }
    unlocked_ids = {b.id for b in old.values() if not b.locked}
    first_entry = db.scalar(select(func.max(AuditEntry.id))) or 0
    version = city_version(db, event.city_id)
    with acting_as(None, "uji-tata-letak"):
        outcome = generate_event_layout(db, event, LayoutParams())
    assert city_version(db, event.city_id) == version + 1

    entries = db.scalars(
        select(AuditEntry).where(AuditEntry.id > first_entry, AuditEntry.entity == "booth")
    ).all()
    deleted = {e.entity_id: e for e in entries if e.action == "delete"}
    created = {e.entity_id: e for e in entries if e.action == "create"}
    assert set(deleted) == unlocked_ids and outcome.removed == len(unlocked_ids)
    assert all(e.actor == "uji-tata-letak" and e.after is None for e in deleted.values())
    for ident, entry in deleted.items():
        assert _same_json(entry.before, before[ident]), ident
    now = _booths(db, event)
    new_rows = [b for b in now.values() if b.id not in before]
    assert len(created) == outcome.created == len(new_rows)
    for booth in new_rows:
        entry = created[booth.id]
        assert entry.before is None
        assert _same_json(entry.after, snapshot(booth)), booth.code
    # what the undo of a removal would restore is the booth exactly as it was
    sample = next(iter(deleted.values()))
    assert to_shape(from_shape(shape(sample.before["geom"]), srid=4326)).equals_exact(
        to_shape(old[sample.before["code"]].geom), 0
    )
    # the summary from memory equals a reload's
    assert outcome.conflicts == summary(event_conflicts(db, event))


def test_a_layout_with_an_invalid_geometry_stores_nothing(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database's validity check refuses the whole statement: a clear error, no booth lost."""
    from shapely.geometry import Polygon

    import app.services.layout as layout_service

    event = _event(db)
    before = {c: b.id for c, b in _booths(db, event).items()}
    project = layout_service.to_wgs84_all

    def with_a_bowtie(geoms, epsg):  # type: ignore[no-untyped-def]
        out = project(geoms, epsg)
        x0, y0, x1, y1 = out[3].bounds
        out[3] = Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)])
        return out

    monkeypatch.setattr(layout_service, "to_wgs84_all", with_a_bowtie)
    with pytest.raises(ServiceError) as refused:
        generate_event_layout(db, event, LayoutParams())
    assert "nothing was stored" in refused.value.message_en
    assert {c: b.id for c, b in _booths(db, event).items()} == before


def test_a_warm_conflict_context_is_reloaded_after_a_layout(db: Session) -> None:
    from app.services.context_cache import ContextCache

    event = _event(db)
    cache = ContextCache()
    event_conflicts(db, event, cache=cache)
    generate_event_layout(db, event, LayoutParams(booth_width_m=2.5))
    warm = [c.to_dict() for c in event_conflicts(db, event, cache=cache)]
    assert warm == [c.to_dict() for c in event_conflicts(db, event)]
    assert cache.loads == 2 and cache.steps == 0


def test_safety_margin_is_the_events_setting(db: Session, runner) -> None:  # type: ignore[no-untyped-def]
    event = _event(db)
    assert event.layout_safety_margin_m == 0.05  # the default, from the migration
    outcome = generate_event_layout(db, event, LayoutParams(), dry_run=True)
    assert outcome.report["safety_margin_m"] == 0.05
    outcome = generate_event_layout(db, event, LayoutParams(safety_margin_m=0.1))
    assert outcome.report["safety_margin_m"] == 0.1
    assert _event(db).layout_safety_margin_m == 0.1  # kept for the next layout
    assert generate_event_layout(db, event, LayoutParams()).report["safety_margin_m"] == 0.1
    with pytest.raises(ServiceError, match="Margin keamanan \\(--safety-margin\\)"):
        generate_event_layout(db, event, LayoutParams(safety_margin_m=2.0))
    result = runner.invoke(args=["layout", UPCOMING, "--safety-margin", "0.02"])
    assert result.exit_code == 0, result.output
    assert "Batas aman di luar setiap jarak aman: 0,02 m" in result.output
    assert _event(db).layout_safety_margin_m == 0.02


def test_a_layout_that_fails_while_the_database_writes_keeps_everything(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old booths are deleted while the engine still works: if the engine then fails, the
    writer is waited for and the transaction rolled back; no booth, audit entry or count moves."""
    from app.gis.layout import PlacedLayout
    from app.services.data_version import city_version

    event = _event(db)
    before = {c: b.id for c, b in _booths(db, event).items()}
    first_entry = db.scalar(select(func.max(AuditEntry.id))) or 0
    version = city_version(db, event.city_id)

    def broken(self: PlacedLayout) -> None:
        raise RuntimeError("row bound failed")

    monkeypatch.setattr(PlacedLayout, "finish", broken)
    with pytest.raises(RuntimeError, match="row bound failed"):
        generate_event_layout(db, event, LayoutParams())
    assert {c: b.id for c, b in _booths(db, event).items()} == before
    assert (db.scalar(select(func.max(AuditEntry.id))) or 0) == first_entry
    db.commit()
    assert city_version(db, event.city_id) == version


def test_a_bulk_layout_moves_both_counters_once(db: Session) -> None:
    from app.models import DataVersion
    from app.services.data_version import city_version

    event = _event(db)

    def layout_version() -> int:
        return int(
            db.scalar(
                select(DataVersion.layout_version).where(DataVersion.city_id == event.city_id)
            )
            or 0
        )

    version, layout = city_version(db, event.city_id), layout_version()
    generate_event_layout(db, event, LayoutParams(booth_width_m=2.5))
    assert (city_version(db, event.city_id), layout_version()) == (version + 1, layout + 1)
    # a dry run writes and rolls back: nothing counts
    generate_event_layout(db, event, LayoutParams(), dry_run=True)
    db.commit()
    assert (city_version(db, event.city_id), layout_version()) == (version + 1, layout + 1)
