"""Layer import: every problem reported by feature, nothing written unless all pass."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import AuditEntry, City, Event, Facility, Zone
from app.services.layers import import_layer


def _city(db: Session) -> City:
    return db.scalars(select(City).where(City.slug == "pontianak")).one()


def _poly(coords: list[tuple[float, float]], **props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [coords]},
        "properties": props,
    }


GOOD = [
    (109.3400, -0.0400),
    (109.3402, -0.0400),
    (109.3402, -0.0402),
    (109.3400, -0.0402),
    (109.3400, -0.0400),
]
BOWTIE = [
    (109.3400, -0.0400),
    (109.3402, -0.0402),
    (109.3402, -0.0400),
    (109.3400, -0.0402),
    (109.3400, -0.0400),
]


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_bad_polygon_is_refused_and_nothing_is_written(db: Session) -> None:
    zones_before, audit_before = _count(db, Zone), _count(db, AuditEntry)
    report = import_layer(
        db,
        city=_city(db),
        layer="zones",
        features=[
            _poly(GOOD, name="Zona baik", kind="pkl_legal"),
            _poly(BOWTIE, name="Zona dasi", kind="pkl_legal"),
        ],
    )
    assert not report.written
    assert [(p.index, p.field) for p in report.problems] == [(1, "geometry")]
    assert "Self-intersection" in report.problems[0].message_en
    assert _count(db, Zone) == zones_before
    assert _count(db, AuditEntry) == audit_before


def test_repair_is_explicit_and_reported(db: Session) -> None:
    report = import_layer(
        db,
        city=_city(db),
        layer="zones",
        repair=True,
        features=[
            _poly(BOWTIE, name="Zona dasi", kind="pkl_legal"),
        ],
    )
    assert report.written
    assert report.repaired and report.repaired[0].index == 0
    zone = db.scalars(select(Zone).where(Zone.name == "Zona dasi")).one()
    assert db.scalar(select(func.ST_IsValid(zone.geom)))


def test_swapped_lat_lon_gets_a_clear_error(db: Session) -> None:
    swapped = [(lat, lon) for lon, lat in GOOD]
    report = import_layer(
        db,
        city=_city(db),
        layer="zones",
        features=[_poly(swapped, name="Tertukar", kind="pkl_legal")],
    )
    assert not report.written
    assert "swapped" in report.problems[0].message_en


def test_outside_the_city_is_refused(db: Session) -> None:
    jakarta = [(x - 2.5, y - 6.16) for x, y in GOOD]
    report = import_layer(
        db, city=_city(db), layer="zones", features=[_poly(jakarta, name="Jauh", kind="pkl_legal")]
    )
    assert "outside the city" in report.problems[0].message_en


def test_unknown_kind_names_the_feature_index(db: Session) -> None:
    feats = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [109.3425, -0.0473]},
            "properties": {"kind": "hydrant"},
        },
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [109.3426, -0.0473]},
            "properties": {"kind": "kios_liar"},
        },
    ]
    before = _count(db, Facility)
    report = import_layer(db, city=_city(db), layer="facilities", features=feats)
    assert [(p.index, p.field) for p in report.problems] == [(1, "kind")]
    assert "kios_liar" in report.problems[0].message_en
    assert _count(db, Facility) == before


def test_kinds_are_read_by_their_names_and_near_misses_get_a_suggestion(db: Session) -> None:
    def point(kind: str, x: float) -> dict[str, Any]:
        return {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [x, -0.0473]},
            "properties": {"kind": kind},
        }

    # a kind's title in either language is the kind
    named = import_layer(
        db,
        city=_city(db),
        layer="facilities",
        features=[point("Hidran", 109.3425), point("bus stop", 109.3426)],
        dry_run=True,
    )
    assert named.problems == []
    # a near miss: "did you mean", with the kinds named in the reader's language
    report = import_layer(
        db, city=_city(db), layer="facilities", features=[point("hidrant", 109.3427)]
    )
    (problem,) = report.problems
    assert problem.field == "kind"
    assert "Maksud Anda hydrant (Hidran)?" in problem.message_id
    assert "Did you mean hydrant (Hydrant)?" in problem.message_en
    assert "bus_stop (Halte)" in problem.message_id and "bus_stop (Bus stop)" in problem.message_en
    far = import_layer(db, city=_city(db), layer="facilities", features=[point("zzz", 109.3428)])
    assert "Maksud Anda" not in far.problems[0].message_id


def test_timed_zone_needs_hours(db: Session) -> None:
    report = import_layer(
        db, city=_city(db), layer="zones", features=[_poly(GOOD, name="Kuning", kind="pkl_timed")]
    )
    assert report.problems and report.problems[0].field == "hours_start"


def test_reimport_updates_zones_by_name_and_audits(db: Session) -> None:
    city = _city(db)
    import_layer(
        db,
        city=city,
        layer="zones",
        features=[_poly(GOOD, name="Zona ulang", kind="pkl_legal", capacity=10)],
    )
    report = import_layer(
        db,
        city=city,
        layer="zones",
        features=[_poly(GOOD, name="Zona ulang", kind="pkl_legal", capacity=12)],
    )
    assert (report.created, report.updated) == (0, 1)
    zone = db.scalars(select(Zone).where(Zone.name == "Zona ulang")).one()
    assert zone.capacity == 12 and zone.version == 2
    entries = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == "zone", AuditEntry.entity_id == zone.id)
        .order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].before["capacity"] == 10 and entries[1].after["capacity"] == 12
    assert entries[1].after["geom"]["type"] == "Polygon"


def test_booths_need_an_event_and_codes(db: Session) -> None:
    event = db.scalars(select(Event).order_by(Event.id)).first()
    report = import_layer(
        db, city=_city(db), layer="booths", event=event, features=[_poly(GOOD, kind="vendor")]
    )
    assert report.problems[0].field == "code"


def test_dry_run_writes_nothing(db: Session) -> None:
    before = _count(db, Zone)
    report = import_layer(
        db,
        city=_city(db),
        layer="zones",
        dry_run=True,
        features=[_poly(GOOD, name="Uji kering", kind="pkl_legal")],
    )
    assert report.ok and not report.written and report.created == 1
    assert _count(db, Zone) == before
