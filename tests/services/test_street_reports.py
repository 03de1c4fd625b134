"""Street reports on the real PostGIS: the rules' answer for a spot, the status flow with its
audit, photos without EXIF, filters, hot spots and the CSV export."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from geoalchemy2.shape import from_shape
from PIL import Image
from shapely import box
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEntry, StreetReport
from app.services import street_reports as svc
from app.services.audit import acting_as
from app.services.errors import ServiceError

WIB = ZoneInfo("Asia/Pontianak")
#: A spot on a street near Pontianak; one metre is about 9.0e-6 degrees here.
X, Y = 109.3300, -0.0300
M = 1 / 111_320


@pytest.fixture
def street(make_city: Any, make_zone: Any, make_facility: Any, make_user: Any) -> dict[str, Any]:
    """A red street with a hydrant 1.2 m from the spot and a green zone about 350 m east."""
    city = make_city()
    red = make_zone(
        city=city,
        kind="no_vending",
        name="Jl. Uji Merah",
        geom=from_shape(box(X - 50 * M, Y - 10 * M, X + 50 * M, Y + 10 * M), 4326),
    )
    hydrant = make_facility(
        city=city, kind="hydrant", name="Hidran Uji", geom=from_shape(Point(X + 1.2 * M, Y), 4326)
    )
    green = make_zone(
        city=city,
        kind="pkl_legal",
        name="Pasar Uji",
        capacity=12,
        geom=from_shape(box(X + 350 * M, Y - 50 * M, X + 450 * M, Y + 50 * M), 4326),
    )
    return {
        "city": city,
        "red": red,
        "hydrant": hydrant,
        "green": green,
        "officer": make_user(role="petugas"),
    }


def _file(db: Session, street: dict[str, Any], tmp_path: Path, **kw: Any) -> Any:
    kw.setdefault("lon", X)
    kw.setdefault("lat", Y)
    kw.setdefault("kind", "cart")
    kw.setdefault("count", 2)
    kw.setdefault("note", None)
    kw.setdefault("photo", None)
    kw.setdefault("now", datetime(2026, 12, 7, 10, 30, tzinfo=WIB))
    with acting_as(street["officer"].id, street["officer"].email):
        return svc.file_report(
            db,
            city=street["city"],
            photo_dir=tmp_path,
            reporter=street["officer"],
            **kw,
        )


def test_a_cart_at_a_hydrant_in_a_red_zone_gets_the_rule_distance_and_green_zone(
    db: Session, street: dict[str, Any], tmp_path: Path
) -> None:
    report, check = _file(db, street, tmp_path)
    assert check.zone.colour == "red" and not check.allowed
    assert check.zone.message.render("id") == (
        "Zona merah: Jl. Uji Merah. Berjualan di sini dilarang."
    )
    [near] = check.clearances
    assert near.facility_id == street["hydrant"].id
    assert near.distance_m == pytest.approx(1.2, abs=0.05)
    assert near.message.render("id") == "1,2 m dari hidran 'Hidran Uji' — minimal 3 m"
    assert near.message.render("en") == "1.2 m from hydrant 'Hidran Uji' — at least 3 m"
    green = check.nearest_green
    assert green is not None and green.zone_id == street["green"].id
    assert green.free_spots == 12
    assert green.distance_m == pytest.approx(350, abs=2)
    assert green.message.render("id") == "Pasar Uji, 350 m, 12 lapak kosong"
    assert green.message.render("en") == "Pasar Uji, 350 m, 12 free spots"
    # what the officer was told is kept with the report
    assert report.zone_colour == "red" and report.facility_kinds == ["hydrant"]
    assert report.status == "baru" and [s.status for s in report.steps] == ["baru"]


def test_yellow_zone_hours_are_checked_against_the_time_of_the_report(
    db: Session, make_city: Any, make_zone: Any, make_user: Any, tmp_path: Path
) -> None:
    city = make_city()
    make_zone(
        city=city,
        kind="pkl_timed",
        name="Pasar Malam Uji",
        hours_start=time(16),
        hours_end=time(22),
        geom=from_shape(box(X - 20 * M, Y - 20 * M, X + 20 * M, Y + 20 * M), 4326),
    )
    street = {"city": city, "officer": make_user(role="petugas")}
    _r, morning = _file(db, street, tmp_path, now=datetime(2026, 12, 7, 9, 0, tzinfo=WIB))
    _r, evening = _file(db, street, tmp_path, now=datetime(2026, 12, 7, 19, 0, tzinfo=WIB))
    assert morning.zone.colour == evening.zone.colour == "yellow"
    assert not morning.zone.allowed and evening.zone.allowed
    assert morning.zone.message.render("id") == (
        "Zona kuning: Pasar Malam Uji. Berjualan hanya pukul 16.00–22.00; pada 09.00 dilarang."
    )
    assert evening.zone.message.render("en") == (
        "Yellow zone: Pasar Malam Uji. Vending only 16:00–22:00; at 19:00 it is allowed."
    )


def test_a_green_zone_full_of_permits_is_not_proposed(
    db: Session, street: dict[str, Any], make_booth: Any, make_vendor: Any, tmp_path: Path
) -> None:
    from app.models import Assignment

    green = street["green"]
    booth = make_booth(
        zone=green,
        code="PU-01",
        geom=from_shape(box(X + 360 * M, Y, X + 363 * M, Y + 3 * M), 4326),
    )
    assert svc.free_spots(db, street["city"], date(2026, 12, 7))[green.id] == 1
    db.add(
        Assignment(
            booth=booth,
            vendor=make_vendor(city=street["city"]),
            valid_from=date(2026, 1, 1),
            status="assigned",
        )
    )
    db.flush()
    _report, check = _file(db, street, tmp_path)
    assert check.nearest_green is None


def test_status_flow_relocates_into_a_free_booth_and_every_step_is_audited(
    db: Session, street: dict[str, Any], make_booth: Any, make_user: Any, tmp_path: Path
) -> None:
    report, _check = _file(db, street, tmp_path, note="dua gerobak bakso")
    planner = make_user(role="planner")
    booth = make_booth(
        zone=street["green"],
        code="PU-02",
        geom=from_shape(box(X + 370 * M, Y, X + 373 * M, Y + 3 * M), 4326),
    )
    today = date(2026, 12, 7)
    with acting_as(planner.id, planner.email):
        with pytest.raises(ServiceError):
            svc.move_report(db, report, to="selesai", note=None, user=planner, on=today)
        svc.move_report(db, report, to="ditinjau", note="dicek", user=planner, on=today)
        with pytest.raises(ServiceError, match="zona hijau"):
            svc.move_report(
                db, report, to="direlokasi", note=None, user=planner, on=today,
                zone_id=street["red"].id,
            )  # fmt: skip
        svc.move_report(
            db, report, to="direlokasi", note="ke Pasar Uji", user=planner, on=today,
            zone_id=street["green"].id, booth_id=booth.id,
        )  # fmt: skip
    assert report.status == "direlokasi"
    assert report.relocation_booth_id == booth.id
    assert [(s.status, s.user_id, s.note) for s in report.steps] == [
        ("baru", street["officer"].id, "dua gerobak bakso"),
        ("ditinjau", planner.id, "dicek"),
        ("direlokasi", planner.id, "ke Pasar Uji"),
    ]
    assert svc.relocation_text(db, report) == "Pasar Uji · PU-02"
    entries = db.scalars(
        select(AuditEntry).where(AuditEntry.entity.in_(("street_report", "report_step")))
    ).all()
    steps = [e for e in entries if e.entity == "report_step" and e.action == "create"]
    assert len(steps) == 3
    assert {e.user_id for e in steps} == {street["officer"].id, planner.id}
    assert any(e.entity == "street_report" and e.action == "update" for e in entries)


def test_photo_is_re_encoded_without_exif_and_refused_when_not_a_photo(
    db: Session, street: dict[str, Any], tmp_path: Path
) -> None:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "Merek HP"  # Make
    exif[0x0132] = "2026:12:07 10:30:00"  # DateTime
    raw = io.BytesIO()
    image.save(raw, format="JPEG", exif=exif)
    with Image.open(io.BytesIO(raw.getvalue())) as sent:
        assert sent.getexif()[0x010F] == "Merek HP"  # the upload does carry EXIF
    report, _check = _file(db, street, tmp_path, photo=raw.getvalue())
    stored = svc.photo_file(report, tmp_path)
    assert stored is not None and stored.parent == tmp_path
    with Image.open(stored) as back:
        assert back.size == (40, 30)
        assert not back.getexif()
        assert "exif" not in back.info
    with pytest.raises(ServiceError, match="bukan foto"):
        _file(db, street, tmp_path, photo=b"<svg onload=alert(1)>")
    with pytest.raises(ServiceError, match="terlalu besar"):
        _file(db, street, tmp_path, photo=b"x" * (svc.MAX_PHOTO_BYTES + 1))


@pytest.mark.parametrize(
    ("field", "value"),
    [("kind", "truk"), ("count", 0), ("count", 501), ("lon", 200.0), ("lon", 120.0)],
)
def test_bad_input_is_refused_with_a_message(
    db: Session, street: dict[str, Any], tmp_path: Path, field: str, value: Any
) -> None:
    with pytest.raises(ServiceError):
        _file(db, street, tmp_path, **{field: value})
    assert db.scalars(select(StreetReport)).all() == []


def test_filters_hot_spots_and_formula_safe_csv(
    db: Session, street: dict[str, Any], tmp_path: Path
) -> None:
    city = street["city"]
    weeks = [datetime(2026, 11, d, 10, tzinfo=WIB) for d in (16, 23, 30)]
    for i, when in enumerate(weeks):
        _file(db, street, tmp_path, lon=X + i * 2 * M, now=when, note="=HYPERLINK(1)")
    far, _c = _file(db, street, tmp_path, lon=X + 400 * M, now=weeks[-1])  # in the green zone
    found = svc.list_reports(db, city, svc.ReportFilters(), timezone="Asia/Pontianak")
    assert len(found) == 4
    reds = svc.ReportFilters(colour="red", facility_kind="hydrant")
    assert len(svc.list_reports(db, city, reds, timezone="Asia/Pontianak")) == 3
    week = svc.ReportFilters(week=date(2026, 12, 4))  # the week of Monday 30 November
    assert len(svc.list_reports(db, city, week, timezone="Asia/Pontianak")) == 2
    greens = svc.ReportFilters(colour="green")
    assert [r.id for r in svc.list_reports(db, city, greens, timezone="Asia/Pontianak")] == [far.id]
    [hot] = svc.hot_spots(db, city)
    assert hot.reports == 3 and hot.weeks == 3
    assert hot.lon == pytest.approx(X + 2 * M, abs=1e-6)
    text = svc.reports_csv(found)
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text
    with pytest.raises(ServiceError):
        svc.ReportFilters(status="hilang")


def test_a_booth_taken_by_a_relocation_is_no_longer_free(
    db: Session, street: dict[str, Any], make_booth: Any, make_user: Any, tmp_path: Path
) -> None:
    green, today = street["green"], date(2026, 12, 7)
    booth = make_booth(
        zone=green, code="PU-03", geom=from_shape(box(X + 380 * M, Y, X + 383 * M, Y + 3 * M), 4326)
    )
    _report, check = _file(db, street, tmp_path)
    assert check.nearest_green is not None
    assert check.nearest_green.message.render("en") == "Pasar Uji, 350 m, 1 free spot"
    report, _check = _file(db, street, tmp_path)
    planner = make_user(role="planner")
    with acting_as(planner.id, planner.email):
        svc.move_report(db, report, to="ditinjau", note=None, user=planner, on=today)
        svc.move_report(
            db, report, to="direlokasi", note=None, user=planner, on=today,
            zone_id=green.id, booth_id=booth.id,
        )  # fmt: skip
    assert svc.free_booths(db, green, today) == []
    assert svc.free_spots(db, street["city"], today)[green.id] == 0


def test_street_maps_open_on_the_zones_and_facilities_not_the_whole_city(
    db: Session, street: dict[str, Any], make_facility: Any, make_city: Any
) -> None:
    city = street["city"]
    assert svc.city_bounds(city) == [109.25, -0.10, 109.40, 0.05]
    # a bus stop 600 m south-west of the red street widens the view to hold it too
    make_facility(
        city=city, kind="bus_stop", name="Halte Uji", geom=from_shape(Point(X - 600 * M, Y), 4326)
    )
    west, south, east, north = svc.city_map_bounds(db, city)
    assert west == pytest.approx(X - 600 * M)
    assert east == pytest.approx(X + 450 * M)
    # the zones are only 100 m deep: the view keeps the smallest height, around them
    assert north - south == pytest.approx(svc.MIN_VIEW_DEG)
    assert (south + north) / 2 == pytest.approx(Y)
    # the view is about 1.05 km wide, not the 16 km of the city's boundary
    assert (east - west) < (109.40 - 109.25) / 10

    # a city with nothing drawn opens on its boundary
    empty = make_city()
    assert svc.city_map_bounds(db, empty) == svc.city_bounds(empty)

    # one hydrant alone: a small view around it, not the highest zoom
    lone = make_city()
    make_facility(city=lone, kind="hydrant", geom=from_shape(Point(X, Y), 4326))
    w, s, e, n = svc.city_map_bounds(db, lone)
    assert e - w == pytest.approx(svc.MIN_VIEW_DEG) and n - s == pytest.approx(svc.MIN_VIEW_DEG)
    assert (w + e) / 2 == pytest.approx(X) and (s + n) / 2 == pytest.approx(Y)
