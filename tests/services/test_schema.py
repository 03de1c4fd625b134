"""The schema as migrated: matches the models, has spatial indexes, refuses double booking."""

from __future__ import annotations

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from geoalchemy2.shape import from_shape, to_shape
from shapely import Point, Polygon, box
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import Assignment, Base, Booth, City, Event, Facility, Vendor, Zone


def test_second_autogenerate_is_empty(engine: Engine) -> None:
    """The migrations produce exactly the models' schema (autogenerate finds nothing to do)."""
    from geoalchemy2 import alembic_helpers

    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn,
            opts={
                "include_object": _include,
                "compare_type": True,
                "render_item": alembic_helpers.render_item,
            },
        )
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def _include(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    from geoalchemy2 import alembic_helpers

    if type_ == "table" and name in {"spatial_ref_sys", "topology", "layer"}:
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


def test_every_foreign_key_to_a_booth_is_indexed(db: Session) -> None:
    """A layout deletes thousands of booths at once; each deleted booth has PostgreSQL find the
    rows pointing at it (to cascade or set NULL). Without an index on the pointing column that
    is a scan of the whole table per booth (9.7 s against 0.5 s for 5,088 booths beside 5,000
    street reports, measured at load 17)."""
    # an index led by the pointing column (the first, for a composite key) serves the lookup
    unindexed = db.execute(
        text(
            """
            SELECT c.conrelid::regclass::text, c.conname
            FROM pg_constraint c
            WHERE c.contype = 'f' AND c.confrelid = 'booth'::regclass
              AND NOT EXISTS (
                  SELECT 1 FROM pg_index i
                  WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1]
              )
            """
        )
    ).all()
    assert unindexed == []


@pytest.mark.parametrize("table", ["zone", "facility", "booth", "city", "street_report"])
def test_gist_index_exists(db: Session, table: str) -> None:
    rows = (
        db.execute(text("SELECT indexdef FROM pg_indexes WHERE tablename = :t"), {"t": table})
        .scalars()
        .all()
    )
    assert any("USING gist" in r for r in rows), rows


def test_geometry_columns_have_srid_4326(db: Session) -> None:
    rows = db.execute(
        text("SELECT f_table_name, srid FROM geometry_columns WHERE f_table_schema = 'public'")
    ).all()
    assert rows and all(srid == 4326 for _, srid in rows), rows


def _city(db: Session) -> City:
    return db.scalars(select(City).where(City.slug == "pontianak")).one()


SQUARE = box(109.3420, -0.0470, 109.34203, -0.04697)


def test_every_geometry_round_trips(db: Session, make_event) -> None:  # type: ignore[no-untyped-def]
    event = make_event()
    city = event.city
    zone = Zone(
        city_id=city.id, name="Uji bolak-balik", kind="pkl_legal", geom=from_shape(SQUARE, 4326)
    )
    pt = Point(109.3425, -0.0473)
    fac = Facility(city_id=city.id, kind="hydrant", name="Hidran uji", geom=from_shape(pt, 4326))
    booth = Booth(event=event, code="RT-001", geom=from_shape(SQUARE, 4326))
    db.add_all([zone, fac, booth])
    db.flush()
    db.expire_all()
    assert to_shape(db.get(Zone, zone.id).geom).equals_exact(SQUARE, 1e-9)
    assert to_shape(db.get(Facility, fac.id).geom).equals_exact(pt, 1e-9)
    assert to_shape(db.get(Booth, booth.id).geom).equals_exact(SQUARE, 1e-9)
    assert to_shape(city.extent).area > 0


def test_database_refuses_invalid_polygon(db: Session) -> None:
    bowtie = Polygon([(109.342, -0.047), (109.343, -0.046), (109.343, -0.047), (109.342, -0.046)])
    db.add(
        Zone(
            city_id=_city(db).id,
            name="Dasi kupu-kupu",
            kind="no_vending",
            geom=from_shape(bowtie, 4326),
        )
    )
    with pytest.raises(IntegrityError, match="geom_valid"):
        db.flush()
    db.rollback()


@pytest.fixture
def two_vendors_two_booths(
    make_event, make_vendor, make_booth
) -> tuple[Event, list[Vendor], list[Booth]]:  # type: ignore[no-untyped-def]
    event = make_event()
    vendors = [make_vendor(city=event.city) for _ in range(2)]
    booths = [make_booth(event=event) for _ in range(2)]
    return event, vendors, booths


def test_one_booth_cannot_have_two_vendors_in_an_event(db: Session, two_vendors_two_booths) -> None:  # type: ignore[no-untyped-def]
    event, vendors, booths = two_vendors_two_booths
    db.add(Assignment(booth=booths[0], vendor=vendors[0], event=event))
    db.flush()
    db.add(Assignment(booth=booths[0], vendor=vendors[1], event=event))
    with pytest.raises(IntegrityError, match="uq_assignment_event_booth"):
        db.flush()
    db.rollback()


def test_one_vendor_cannot_have_two_booths_in_an_event(db: Session, two_vendors_two_booths) -> None:  # type: ignore[no-untyped-def]
    event, vendors, booths = two_vendors_two_booths
    db.add(Assignment(booth=booths[0], vendor=vendors[0], event=event))
    db.flush()
    db.add(Assignment(booth=booths[1], vendor=vendors[0], event=event))
    with pytest.raises(IntegrityError, match="uq_assignment_event_vendor"):
        db.flush()
    db.rollback()


def test_a_released_booth_can_be_given_again(db: Session, two_vendors_two_booths) -> None:  # type: ignore[no-untyped-def]
    """A no-show frees the booth for the waitlist: only holding statuses count."""
    event, vendors, booths = two_vendors_two_booths
    first = Assignment(booth=booths[0], vendor=vendors[0], event=event)
    db.add(first)
    db.flush()
    first.status = "no_show"
    db.add(Assignment(booth=booths[0], vendor=vendors[1], event=event))
    db.flush()


def test_booth_of_another_event_cannot_be_assigned(db: Session, two_vendors_two_booths) -> None:  # type: ignore[no-untyped-def]
    event, vendors, booths = two_vendors_two_booths
    other = db.scalars(select(Event).where(Event.id != event.id)).first()
    assert other is not None
    db.add(Assignment(booth=booths[0], vendor=vendors[0], event=other))
    with pytest.raises(IntegrityError, match="fk_assignment_booth_event"):
        db.flush()
    db.rollback()


def _permit_booth(db: Session) -> Booth:
    zone = db.scalars(select(Zone).where(Zone.kind == "pkl_legal")).first()
    assert zone is not None
    booth = Booth(
        zone=zone, code="PT-001", geom=from_shape(box(109.3432, -0.0259, 109.34323, -0.02587), 4326)
    )
    db.add(booth)
    db.flush()
    return booth


def test_overlapping_permits_on_one_spot_are_refused(db: Session, two_vendors_two_booths) -> None:  # type: ignore[no-untyped-def]
    _, vendors, _ = two_vendors_two_booths
    spot = _permit_booth(db)
    db.add(
        Assignment(
            booth=spot, vendor=vendors[0], valid_from=date(2026, 1, 1), valid_to=date(2026, 6, 30)
        )
    )
    db.flush()
    db.add(
        Assignment(
            booth=spot, vendor=vendors[1], valid_from=date(2026, 6, 1), valid_to=date(2026, 12, 31)
        )
    )
    with pytest.raises(IntegrityError, match="ex_assignment_permit_booth"):
        db.flush()
    db.rollback()


def test_consecutive_permits_on_one_spot_are_fine(db: Session, two_vendors_two_booths) -> None:  # type: ignore[no-untyped-def]
    _, vendors, _ = two_vendors_two_booths
    spot = _permit_booth(db)
    db.add(
        Assignment(
            booth=spot, vendor=vendors[0], valid_from=date(2026, 1, 1), valid_to=date(2026, 6, 30)
        )
    )
    db.add(
        Assignment(
            booth=spot, vendor=vendors[1], valid_from=date(2026, 7, 1), valid_to=date(2026, 12, 31)
        )
    )
    db.flush()


def test_vendor_cannot_hold_two_spots_in_overlapping_permits(  # type: ignore[no-untyped-def]
    db: Session, two_vendors_two_booths
) -> None:
    _, vendors, _ = two_vendors_two_booths
    spot = _permit_booth(db)
    zone = spot.zone
    other = Booth(
        zone=zone,
        code="PT-002",
        geom=from_shape(box(109.34324, -0.0259, 109.34327, -0.02587), 4326),
    )
    db.add(other)
    db.add(Assignment(booth=spot, vendor=vendors[0], valid_from=date(2026, 1, 1), valid_to=None))
    db.flush()
    db.add(
        Assignment(
            booth=other, vendor=vendors[0], valid_from=date(2027, 1, 1), valid_to=date(2027, 2, 1)
        )
    )
    with pytest.raises(IntegrityError, match="ex_assignment_permit_vendor"):
        db.flush()
    db.rollback()


def test_factories_make_one_of_each_model(  # type: ignore[no-untyped-def]
    db: Session,
    make_city,
    make_zone,
    make_facility,
    make_event,
    make_booth,
    make_vendor,
    make_assignment,
) -> None:
    """Each factory gives a flushed row with sensible defaults; overrides win."""
    city = make_city(name="Kota Satu")
    assert city.slug.startswith("kota-uji-") and city.metric_epsg
    assert make_zone(city=city).kind == "pkl_legal"
    assert make_facility(city=city, kind="pole").kind == "pole"
    event = make_event(city=city)
    assert [z.kind for z in event.corridors] == ["cfd_corridor"]
    booth = make_booth(event=event, code="AY-001")
    vendor = make_vendor(city=city)
    assignment = make_assignment(booth=booth, vendor=vendor)
    assert (assignment.event_id, assignment.status) == (event.id, "assigned")
    assert make_assignment().id != assignment.id  # a whole new event, booth and vendor
