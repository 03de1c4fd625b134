"""Warm conflict contexts: a save answered from memory equals the answer of a full reload.

Each test compares the warm answer with a cold one (``cache=None``: the event reloaded from
PostGIS) in the same state, and checks through the cache's counters which path answered.
"""

from __future__ import annotations

from typing import Any

from geoalchemy2.shape import from_shape, to_shape
from shapely import affinity
from shapely.geometry import mapping
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.gis.crs import to_metric, to_wgs84
from app.models import Booth, City, Event, Facility
from app.services.audit import acting_as
from app.services.conflicts import booth_conflicts, event_conflicts
from app.services.context_cache import ContextCache
from app.services.features import Target, create_feature, update_feature

UPCOMING = "cfd-2026-12-06"


def _event(db: Session, slug: str = UPCOMING) -> Event:
    return db.scalars(select(Event).where(Event.slug == slug)).one()


def _booths(db: Session, event: Event, n: int = 2) -> list[Booth]:
    return list(
        db.scalars(
            select(Booth)
            .where(Booth.event_id == event.id, Booth.kind == "vendor")
            .order_by(Booth.code)
            .limit(n)
        )
    )


def _dicts(conflicts: list[Any]) -> list[dict[str, Any]]:
    return [c.to_dict() for c in conflicts]


def _moved_onto(booth: Booth, target: Booth, epsg: int, *, dx_m: float = 0.5) -> dict[str, Any]:
    """A feature moving ``booth`` onto ``target``'s footprint, ``dx_m`` metres off."""
    square = to_metric(to_shape(booth.geom), epsg)
    goal = to_metric(to_shape(target.geom), epsg).centroid
    moved = affinity.translate(
        square, goal.x - square.centroid.x + dx_m, goal.y - square.centroid.y
    )
    return {"type": "Feature", "geometry": mapping(to_wgs84(moved, epsg)), "properties": {}}


def _save(db: Session, booth: Booth, feature: dict[str, Any]) -> Booth:
    city = booth.event.city if booth.event else None
    assert city is not None
    with acting_as(None, "test"):
        saved: Booth = update_feature(db, "booths", booth.id, feature, booth.version, city)
    return saved


def test_a_warm_save_answers_exactly_as_a_full_reload(db: Session) -> None:
    event = _event(db)
    cache = ContextCache()
    cold_before = _dicts(event_conflicts(db, event))
    assert _dicts(event_conflicts(db, event, cache=cache)) == cold_before
    assert (cache.loads, cache.hits) == (1, 0)

    first, second = _booths(db, event)
    epsg = event.city.metric_epsg
    home = {"type": "Feature", "geometry": mapping(to_shape(first.geom)), "properties": {}}
    _save(db, first, _moved_onto(first, second, epsg))
    warm = _dicts(booth_conflicts(db, first, cache=cache))
    assert (cache.loads, cache.steps) == (1, 1), "the save must be applied in memory"
    assert warm == _dicts(booth_conflicts(db, first))
    assert any(c["rule"] == "booth_overlap" and c["other_id"] == second.code for c in warm)
    # the whole layout from the stepped context equals a reload, the moved booth included
    assert _dicts(event_conflicts(db, event, cache=cache)) == _dicts(event_conflicts(db, event))
    assert cache.loads == 1

    # a second save steps again; moving back clears the overlap
    _save(db, first, home)
    back = _dicts(booth_conflicts(db, first, cache=cache))
    assert back == _dicts(booth_conflicts(db, first))
    assert (cache.loads, cache.steps) == (1, 2)
    assert not any(c["rule"] == "booth_overlap" for c in back)


def test_a_change_committed_elsewhere_is_seen_by_the_next_save(db: Session) -> None:
    event = _event(db)
    cache = ContextCache()
    event_conflicts(db, event, cache=cache)
    first, _ = _booths(db, event)
    epsg = event.city.metric_epsg
    # another worker moves a hydrant next to the booth and commits (the counter moves on)
    other = Session(
        bind=db.get_bind(), join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    hydrant = other.scalars(
        select(Facility).where(Facility.city_id == event.city_id, Facility.kind == "hydrant")
    ).first()
    assert hydrant is not None
    near = to_metric(to_shape(first.geom), epsg).centroid
    hydrant.geom = from_shape(to_wgs84(affinity.translate(near, 2.5, 0.0), epsg), srid=4326)
    other.commit()
    hydrant_id = hydrant.id
    other.close()

    _save(db, first, {"type": "Feature", "geometry": None, "properties": {"label": "uji"}})
    warm = _dicts(booth_conflicts(db, first, cache=cache))
    assert cache.loads == 2 and cache.steps == 0, "two commits since the entry: reload"
    assert warm == _dicts(booth_conflicts(db, first))
    assert any(c["rule"] == "facility_clearance" and c["other_id"] == hydrant_id for c in warm)


def test_a_change_not_yet_committed_in_the_same_transaction_is_accounted_for(
    db: Session,
) -> None:
    event = _event(db)
    cache = ContextCache()
    event_conflicts(db, event, cache=cache)
    first, second = _booths(db, event)
    epsg = event.city.metric_epsg
    # moved, flushed, not committed: the counter has not moved, the rows have
    square = to_metric(to_shape(first.geom), epsg)
    goal = to_metric(to_shape(second.geom), epsg).centroid
    first.geom = from_shape(
        to_wgs84(
            affinity.translate(square, goal.x - square.centroid.x, goal.y - square.centroid.y),
            epsg,
        ),
        srid=4326,
    )
    db.flush()
    warm = _dicts(event_conflicts(db, event, cache=cache))
    assert warm == _dicts(event_conflicts(db, event))
    assert any(c["rule"] == "booth_overlap" and c["booth_code"] == first.code for c in warm)
    db.rollback()
    # the rolled-back move left nothing behind in the cache
    assert _dicts(event_conflicts(db, event, cache=cache)) == _dicts(event_conflicts(db, event))
    assert not any(
        c["rule"] == "booth_overlap" and c["booth_code"] == first.code
        for c in _dicts(event_conflicts(db, event, cache=cache))
    )


def test_a_bulk_write_or_a_renamed_booth_means_a_reload(db: Session) -> None:
    event = _event(db)
    cache = ContextCache()
    event_conflicts(db, event, cache=cache)
    first, second = _booths(db, event)
    # a statement the session's listeners cannot read row by row
    db.execute(update(Booth).where(Booth.id == second.id).values(geom=first.geom))
    db.commit()
    db.expire(second)
    _save(db, first, {"type": "Feature", "geometry": None, "properties": {"label": "uji"}})
    assert _dicts(booth_conflicts(db, first, cache=cache)) == _dicts(booth_conflicts(db, first))
    assert cache.steps == 0 and cache.loads == 2
    # a renamed booth: its old code must leave the checker, so the event is reloaded
    _save(db, first, {"type": "Feature", "geometry": None, "properties": {"code": "AY-X01"}})
    assert _dicts(booth_conflicts(db, first, cache=cache)) == _dicts(booth_conflicts(db, first))
    assert cache.steps == 0 and cache.loads == 3
    assert _dicts(event_conflicts(db, event, cache=cache)) == _dicts(event_conflicts(db, event))


def test_a_new_booth_is_added_in_memory(db: Session) -> None:
    event = _event(db)
    cache = ContextCache()
    event_conflicts(db, event, cache=cache)
    first, _ = _booths(db, event)
    city = db.get(City, event.city_id)
    assert city is not None
    feature = _moved_onto(first, first, event.city.metric_epsg, dx_m=1.0)
    feature["properties"] = {"code": "AY-N01", "kind": "vendor"}
    with acting_as(None, "test"):
        booth = create_feature(db, "booths", feature, Target(city, event))
    warm = _dicts(booth_conflicts(db, booth, cache=cache))
    assert (cache.loads, cache.steps) == (1, 1)
    assert warm == _dicts(booth_conflicts(db, booth))
    assert any(c["rule"] == "booth_overlap" and c["other_id"] == first.code for c in warm)
    assert _dicts(event_conflicts(db, event, cache=cache)) == _dicts(event_conflicts(db, event))


def test_memory_stays_bounded(db: Session) -> None:
    """The least recently used event leaves when a new one comes in."""
    cache = ContextCache(max_events=1)
    older, newer = db.scalars(select(Event).order_by(Event.id).limit(2)).all()
    event_conflicts(db, older, cache=cache)
    event_conflicts(db, newer, cache=cache)
    assert len(cache) == 1 and cache.loads == 2
    event_conflicts(db, newer, cache=cache)
    assert cache.hits == 1
    event_conflicts(db, older, cache=cache)
    assert len(cache) == 1 and cache.loads == 3


def test_a_save_rolled_back_to_a_savepoint_is_not_followed(db: Session) -> None:
    """A savepoint rolled back inside the transaction undoes journalled saves: the next commit
    is answered by a reload."""
    event = _event(db)
    cache = ContextCache()
    event_conflicts(db, event, cache=cache)
    first, second, third = _booths(db, event, 3)
    assert all(b.event is event for b in (first, second, third))  # as a save has them loaded
    epsg = event.city.metric_epsg

    def onto(booth: Booth, other: Booth) -> None:
        square = to_metric(to_shape(booth.geom), epsg)
        goal = to_metric(to_shape(other.geom), epsg).centroid
        booth.geom = from_shape(
            to_wgs84(
                affinity.translate(square, goal.x - square.centroid.x, goal.y - square.centroid.y),
                epsg,
            ),
            srid=4326,
        )

    onto(first, second)  # kept: flushed before the savepoint
    db.flush()
    savepoint = db.begin_nested()
    onto(third, second)  # undone with the savepoint
    db.flush()
    savepoint.rollback()
    second.label = "uji"
    db.commit()
    warm = _dicts(event_conflicts(db, event, cache=cache))
    assert warm == _dicts(event_conflicts(db, event))
    assert any(c["booth_code"] == first.code for c in warm)
    assert not any(c["booth_code"] == third.code for c in warm)
    assert cache.steps == 0
