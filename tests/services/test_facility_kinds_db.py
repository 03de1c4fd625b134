"""The database checks facility kinds against the registry (app/kinds.py) through facility_kind."""

from __future__ import annotations

from types import MappingProxyType

import pytest
from geoalchemy2.shape import from_shape
from shapely import Point
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import migrate
from app.kinds import FACILITY_KIND_REGISTRY, FacilityKind
from app.models import City, ClearanceRule, Facility, FacilityKindRow
from app.styles import MarkerStyle


def _rows(db: Session) -> dict[str, tuple[str, str, bool]]:
    return {
        r.code: (r.label_id, r.label_en, r.blocking) for r in db.scalars(select(FacilityKindRow))
    }


def _city(db: Session) -> City:
    return db.scalars(select(City).where(City.slug == "pontianak")).one()


def test_database_kinds_equal_the_registry(db: Session) -> None:
    assert _rows(db) == {
        k.code: (k.label_id, k.label_en, k.blocking) for k in FACILITY_KIND_REGISTRY.values()
    }


def test_facility_of_an_unregistered_kind_is_refused(db: Session) -> None:
    point = from_shape(Point(109.3425, -0.0473), 4326)
    db.add(Facility(city_id=_city(db).id, kind="kiosk", name="Kios", geom=point))
    with pytest.raises(IntegrityError, match="fk_facility_kind_facility_kind"):
        db.flush()
    db.rollback()


def test_clearance_rule_of_an_unregistered_kind_is_refused(db: Session) -> None:
    db.add(ClearanceRule(city_id=_city(db).id, facility_kind="kiosk", metres=2.0))
    with pytest.raises(IntegrityError, match="fk_clearance_rule_facility_kind_facility_kind"):
        db.flush()
    db.rollback()


KOTAK_POS = FacilityKind(
    "kotak_pos", "Kotak pos", "Post box", "kotak pos", "post box", 1.0, "uji", "warning",
    MarkerStyle("square", "#e53935", "#b71c1c", 12, "P"),
)  # fmt: skip


def test_sync_adds_a_new_kind(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    added = {**FACILITY_KIND_REGISTRY, "kotak_pos": KOTAK_POS}
    monkeypatch.setattr(migrate, "FACILITY_KIND_REGISTRY", MappingProxyType(added))
    migrate.sync_facility_kinds(db.connection())
    assert _rows(db)["kotak_pos"] == ("Kotak pos", "Post box", False)
    point = from_shape(Point(109.3425, -0.0473), 4326)
    db.add(Facility(city_id=_city(db).id, kind="kotak_pos", name="Kotak pos uji", geom=point))
    db.flush()


def test_sync_refuses_to_drop_a_kind_still_in_use(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    used = db.scalar(text("SELECT count(*) FROM facility WHERE kind = 'hydrant'"))
    assert used  # the demo has hydrants
    without = {c: k for c, k in FACILITY_KIND_REGISTRY.items() if c != "hydrant"}
    monkeypatch.setattr(migrate, "FACILITY_KIND_REGISTRY", MappingProxyType(without))
    with pytest.raises(migrate.RegistryInUseError, match=r"hydrant \(\d+ rows\)"):
        migrate.sync_facility_kinds(db.connection())
    assert "hydrant" in _rows(db)


def test_sync_drops_a_kind_no_row_uses(db: Session) -> None:
    db.execute(
        text("INSERT INTO facility_kind VALUES ('uji_hapus', 'Uji hapus', 'Test drop', false)")
    )
    migrate.sync_facility_kinds(db.connection())
    assert "uji_hapus" not in _rows(db)
