"""The per-city change counter: every committed change of the data behind public answers counts
once per commit, from the app or from any other client, and nothing else does."""

from __future__ import annotations

from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session

from app.models import Assignment, Booth, City, DataVersion, Event, Facility, Vendor, Zone
from app.services.data_version import any_version, city_version


def _city(db: Session) -> City:
    return db.scalars(select(City).where(City.slug == "pontianak")).one()


def _event(db: Session) -> Event:
    return db.scalars(select(Event).where(Event.slug == "cfd-2026-12-06")).one()


def test_a_commit_counts_once_however_many_rows_changed(
    db: Session, make_booth, make_event
) -> None:  # type: ignore[no-untyped-def]
    event = make_event()
    booths = [make_booth(event=event) for _ in range(5)]
    db.commit()
    city = event.city
    before = city_version(db, city.id)
    for booth in booths:
        booth.label = "diubah"
    db.commit()
    assert city_version(db, city.id) == before + 1
    booths[0].label = "lagi"
    db.commit()
    assert city_version(db, city.id) == before + 2


def test_every_table_behind_public_answers_counts(db: Session) -> None:
    city = _city(db)
    event = _event(db)
    changes = [
        lambda: db.execute(update(Zone).where(Zone.city_id == city.id).values(name=Zone.name)),
        lambda: db.execute(
            update(Facility).where(Facility.city_id == city.id).values(name=Facility.name)
        ),
        lambda: setattr(event, "name", event.name + " (ubah)"),
        lambda: db.execute(
            update(Assignment).where(Assignment.event_id == event.id).values(explanation="x")
        ),
        lambda: db.execute(
            update(Vendor).where(Vendor.city_id == city.id).values(owner_name=Vendor.owner_name)
        ),
        lambda: db.delete(
            db.scalars(
                select(Booth).where(Booth.event_id == event.id).order_by(Booth.id.desc()).limit(1)
            ).one()
        ),
    ]
    for change in changes:
        before = city_version(db, city.id)
        change()
        db.commit()
        assert city_version(db, city.id) == before + 1, change


def test_reads_and_rolled_back_writes_do_not_count(db: Session) -> None:
    city = _city(db)
    before = city_version(db, city.id)
    db.scalars(select(Booth).limit(10)).all()
    db.commit()
    assert city_version(db, city.id) == before
    nested = db.begin_nested()
    db.execute(update(Zone).where(Zone.city_id == city.id).values(name=Zone.name))
    nested.rollback()
    db.commit()
    assert city_version(db, city.id) == before


def test_another_city_keeps_its_counter(db: Session) -> None:

    from app.services.cities import create_city

    other = create_city(
        db, name="Singkawang", slug="singkawang", extent=(108.9, 0.85, 109.05, 0.98)
    )
    db.commit()
    mine = city_version(db, _city(db).id)
    total = any_version(db)
    db.add(
        Zone(
            city_id=other.id,
            name="Zona uji",
            kind="pkl_legal",
            geom="SRID=4326;POLYGON((108.95 0.9,108.951 0.9,108.951 0.901,108.95 0.9))",
        )
    )
    db.commit()
    assert city_version(db, _city(db).id) == mine
    assert any_version(db) == total + 1


def test_a_write_outside_the_app_counts_when_it_commits(engine: Engine) -> None:
    """psql, QGIS or a script writing straight to PostgreSQL: the deferred trigger counts it."""
    with engine.begin() as conn:
        city_id = conn.scalar(text("SELECT id FROM city WHERE slug = 'pontianak'"))
        before = conn.scalar(select(DataVersion.version).where(DataVersion.city_id == city_id))
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE facility SET name = name WHERE id = "
                "(SELECT min(id) FROM facility WHERE city_id = :c)"
            ),
            {"c": city_id},
        )
        conn.execute(text("UPDATE zone SET name = name WHERE city_id = :c"), {"c": city_id})
        # not counted before the commit: readers keep the old answers until the data is visible
        assert (
            conn.scalar(select(DataVersion.version).where(DataVersion.city_id == city_id)) == before
        )
    with engine.connect() as conn:
        after = conn.scalar(select(DataVersion.version).where(DataVersion.city_id == city_id))
    assert after == before + 1


def _layout(db: Session, city_id: int) -> int:
    return int(
        db.scalar(select(DataVersion.layout_version).where(DataVersion.city_id == city_id)) or 0
    )


def test_layout_counter_skips_what_cannot_change_another_vendors_view(db: Session) -> None:
    city = _city(db)
    event = _event(db)
    holder = db.scalars(
        select(Assignment)
        .where(Assignment.event_id == event.id, Assignment.status == "assigned")
        .order_by(Assignment.id)
        .limit(1)
    ).one()
    steps = [
        # (change, counts in layout_version)
        (lambda: setattr(holder, "status", "checked_in"), False),  # still holds the booth
        (lambda: setattr(holder, "explanation", "catatan petugas"), False),
        (lambda: setattr(holder.vendor, "owner_name", "Nama Baru"), False),
        (lambda: setattr(holder, "status", "no_show"), True),  # the booth is free now
        (lambda: setattr(db.get(Booth, holder.booth_id), "label", "baru"), True),
    ]
    for change, counts in steps:
        version, layout = city_version(db, city.id), _layout(db, city.id)
        change()
        db.commit()
        assert city_version(db, city.id) == version + 1
        assert _layout(db, city.id) == layout + (1 if counts else 0), change


def test_freeing_a_booth_by_deleting_its_vendor_counts_in_the_layout(db: Session) -> None:
    """The vendor row is gone when the cascaded assignment's trigger runs: the assignment's city
    comes from its event, so the freed booth still moves the layout counter."""
    city = _city(db)
    holder = db.scalars(
        select(Assignment)
        .where(Assignment.event_id == _event(db).id, Assignment.status == "assigned")
        .order_by(Assignment.id)
        .limit(1)
    ).one()
    layout = _layout(db, city.id)
    db.execute(text("DELETE FROM vendor WHERE id = :v"), {"v": holder.vendor_id})
    db.commit()
    assert _layout(db, city.id) == layout + 1


def test_a_row_moved_to_another_city_counts_in_both(db: Session) -> None:
    from app.services.cities import create_city

    home = _city(db)
    other = create_city(
        db, name="Singkawang", slug="singkawang", extent=(108.9, 0.85, 109.05, 0.98)
    )
    db.commit()
    before = {c: (city_version(db, c), _layout(db, c)) for c in (home.id, other.id)}
    facility = db.scalars(select(Facility).where(Facility.city_id == home.id).limit(1)).one()
    facility.city_id = other.id
    db.commit()
    for c in (home.id, other.id):
        assert (city_version(db, c), _layout(db, c)) == (before[c][0] + 1, before[c][1] + 1)


def test_truncate_counts_for_every_city(db: Session) -> None:
    city = _city(db)
    version, layout = city_version(db, city.id), _layout(db, city.id)
    db.execute(text("TRUNCATE allocation_run"))
    db.commit()
    assert (city_version(db, city.id), _layout(db, city.id)) == (version + 1, layout + 1)


def test_a_raw_sql_write_in_the_session_counts_at_its_commit(db: Session) -> None:
    city = _city(db)
    version = city_version(db, city.id)
    db.execute(text("UPDATE zone SET name = name WHERE city_id = :c"), {"c": city.id})
    db.commit()
    assert city_version(db, city.id) == version + 1


def test_a_write_before_a_rolled_back_savepoint_still_counts(db: Session) -> None:
    city = _city(db)
    before = city_version(db, city.id)
    booths = db.scalars(select(Booth).where(Booth.event_id == _event(db).id).limit(2)).all()
    booths[0].label = "tetap"
    db.flush()
    savepoint = db.begin_nested()
    booths[1].label = "dibatalkan"
    db.flush()
    savepoint.rollback()
    db.commit()
    assert city_version(db, city.id) == before + 1


def _booth_ids(db: Session, n: int) -> list[int]:
    return list(
        db.scalars(
            select(Booth.id).where(Booth.event_id == _event(db).id).order_by(Booth.id).limit(n)
        )
    )


def test_booth_rows_written_in_bulk_queue_no_trigger(db: Session) -> None:
    """Inside the block the row trigger is not even queued: such a write, left uncounted by
    the app, would not count. This is why the block goes with ``count_city_at_commit``."""
    from app.services.data_version import booths_counted_by_the_app

    city = _city(db)
    version, layout = city_version(db, city.id), _layout(db, city.id)
    with booths_counted_by_the_app(db.connection()):
        db.execute(
            text("UPDATE booth SET label = 'massal' WHERE id = ANY(:ids)"),
            {"ids": _booth_ids(db, 50)},
        )
    db.commit()
    assert (city_version(db, city.id), _layout(db, city.id)) == (version, layout)


def test_a_bulk_booth_write_counts_exactly_once_with_everything_else_in_its_commit(
    db: Session,
) -> None:
    from app.services.data_version import booths_counted_by_the_app, count_city_at_commit

    city = _city(db)
    event = _event(db)
    version, layout = city_version(db, city.id), _layout(db, city.id)
    count_city_at_commit(db, city.id)
    with booths_counted_by_the_app(db.connection()):
        db.execute(
            text("UPDATE booth SET label = 'massal' WHERE id = ANY(:ids)"),
            {"ids": _booth_ids(db, 50)},
        )
    # row-by-row writes in the same commit: their triggers find the city counted already
    event.name = event.name + " (ubah)"
    db.get(Booth, _booth_ids(db, 51)[-1]).label = "satu"  # type: ignore[union-attr]
    db.commit()
    assert (city_version(db, city.id), _layout(db, city.id)) == (version + 1, layout + 1)
    # the next commit counts on its own again
    db.get(Booth, _booth_ids(db, 1)[0]).label = "lagi"  # type: ignore[union-attr]
    db.commit()
    assert (city_version(db, city.id), _layout(db, city.id)) == (version + 2, layout + 2)


def test_after_the_bulk_block_single_booth_writes_queue_their_trigger_again(db: Session) -> None:
    """The setting is turned off when the block ends, in the same transaction."""
    from app.services.data_version import booths_counted_by_the_app

    city = _city(db)
    version, layout = city_version(db, city.id), _layout(db, city.id)
    with booths_counted_by_the_app(db.connection()):
        db.execute(text("SELECT 1"))
    db.execute(
        text("UPDATE booth SET label = 'sendiri' WHERE id = :i"), {"i": _booth_ids(db, 1)[0]}
    )
    db.commit()
    assert (city_version(db, city.id), _layout(db, city.id)) == (version + 1, layout + 1)


def test_a_bulk_write_rolled_back_counts_nothing(db: Session) -> None:
    from app.services.data_version import booths_counted_by_the_app, count_city_at_commit

    city = _city(db)
    version = city_version(db, city.id)
    count_city_at_commit(db, city.id)
    with booths_counted_by_the_app(db.connection()):
        db.execute(
            text("UPDATE booth SET label = 'batal' WHERE id = ANY(:ids)"),
            {"ids": _booth_ids(db, 5)},
        )
    db.rollback()
    db.scalars(select(Zone.id).limit(1)).all()
    db.commit()
    assert city_version(db, city.id) == version


def test_a_booth_write_outside_the_app_still_counts(engine: Engine) -> None:
    """psql has no idea of the app's setting: its booth rows are counted by the trigger."""
    with engine.begin() as conn:
        city_id = conn.scalar(text("SELECT id FROM city WHERE slug = 'pontianak'"))
        before = conn.scalar(select(DataVersion.version).where(DataVersion.city_id == city_id))
    with engine.begin() as conn:
        conn.execute(text("UPDATE booth SET label = label WHERE id = (SELECT min(id) FROM booth)"))
    with engine.connect() as conn:
        after = conn.scalar(select(DataVersion.version).where(DataVersion.city_id == city_id))
    assert after == before + 1
