"""Vendor registry: validation, search, documents, CSV/XLSX import and export."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskCliRunner
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import City, Vendor
from app.services import vendors as svc
from tests.conftest import TODAY

HEADER = "owner_name,business_name,category,nib,halal_cert_no,halal_cert_expiry,phone,needs"
NASTY = {
    "owner_name": '=HYPERLINK("http://evil.example","klik")',
    "business_name": "+Warung -1 @Pak",
    "halal_cert_no": "@SUM(A1:A9)",
    "notes": "-2+3\nbaris kedua",
}


@pytest.fixture
def city(db: Session) -> City:
    return db.scalars(select(City).where(City.slug == "pontianak")).one()


def _count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Vendor)) or 0


def _snapshot(db: Session, city: City) -> dict[int, dict[str, Any]]:
    db.expire_all()
    fields = (*svc.EDITABLE_FIELDS, "active", "access_code")
    return {
        v.id: {f: getattr(v, f) for f in fields}
        for v in db.scalars(select(Vendor).where(Vendor.city_id == city.id))
    }


def _vendor(db: Session, city: City, **data: Any) -> Vendor:
    data.setdefault("owner_name", "Siti Aminah")
    data.setdefault("business_name", "Bubur Pedas Bu Siti")
    data.setdefault("category", "makanan")
    return svc.create_vendor(db, city=city, data=data, today=TODAY)


def _csv(*lines: str) -> list[dict[str, str]]:
    return svc.read_csv_text("\n".join([HEADER, *lines]) + "\n")


# -- formula injection ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+62812", "-5", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_get_an_apostrophe_and_lose_it_on_import(text: str) -> None:
    assert svc.escape_formula(text) == "'" + text
    assert svc.unescape_formula(svc.escape_formula(text)) == text


@pytest.mark.parametrize("text", ["Warung Bu Siti", "'Ndut Kopi", "", "a=b", "'", "''x", "'=x"])
def test_escaping_is_reversible_and_leaves_plain_text_alone(text: str) -> None:
    assert svc.unescape_formula(svc.escape_formula(text)) == text
    if not text.startswith(("'", "=")):
        assert svc.escape_formula(text) == text


def test_csv_export_escapes_formulas(db: Session, city: City) -> None:
    _vendor(db, city, **NASTY)
    text = svc.export_csv(db, city=city).decode("utf-8-sig")
    assert text.startswith(",".join(svc.COLUMNS))
    assert '"\'=HYPERLINK(""http://evil.example"",""klik"")"' in text
    assert "'+Warung -1 @Pak" in text
    assert "'@SUM(A1:A9)" in text
    assert "'-2+3" in text
    for line in text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.lstrip('"').startswith(("=", "+", "-", "@"))


def test_xlsx_export_has_no_formula_cells(db: Session, city: City) -> None:
    _vendor(db, city, **NASTY)
    workbook = load_workbook(io.BytesIO(svc.export_xlsx(db, city=city)))
    sheet = workbook.active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert '\'=HYPERLINK("http://evil.example","klik")' in texts
    assert "'@SUM(A1:A9)" in texts
    workbook.close()


# -- export → import round trips -----------------------------------------------------------


def test_csv_round_trip_changes_nothing(db: Session, city: City, tmp_path: Path) -> None:
    _vendor(
        db,
        city,
        **NASTY,
        nib="9120000000001",
        phone="0812 3456 7890",
        halal_cert_expiry=TODAY + timedelta(days=30),
        registered_on=date(2024, 5, 2),
        needs_electricity=True,
        needs_accessibility=True,
    )
    _vendor(db, city, owner_name="'Ndut", business_name="Kopi `Asiang`", category="minuman")
    before, count = _snapshot(db, city), _count(db)
    path = tmp_path / "pedagang.csv"
    path.write_bytes(svc.export_csv(db, city=city))

    report = svc.import_vendors(db, city=city, rows=svc.read_rows(path), today=TODAY)

    assert report.errors == []
    assert report.written
    assert (report.created, report.updated) == (0, len(before))
    assert _count(db) == count
    assert _snapshot(db, city) == before


def test_xlsx_round_trip_changes_nothing(db: Session, city: City, tmp_path: Path) -> None:
    _vendor(db, city, **NASTY, nib="9120000000002", halal_cert_expiry=date(2027, 1, 31))
    before = _snapshot(db, city)
    path = tmp_path / "pedagang.xlsx"
    path.write_bytes(svc.export_xlsx(db, city=city))

    report = svc.import_vendors(db, city=city, rows=svc.read_rows(path), today=TODAY)

    assert report.errors == []
    assert report.written
    assert report.updated == len(before)
    assert _snapshot(db, city) == before


# -- import checks ---------------------------------------------------------------------------


def test_one_bad_row_writes_nothing(db: Session, city: City) -> None:
    count = _count(db)
    report = svc.import_vendors(
        db,
        city=city,
        today=TODAY,
        rows=_csv(
            "Ani,Es Lidah Buaya Ani,minuman,9120000000011,,,081234567801,",
            "Budi,Choipan Budi,makanan,9120000000012,,,12345,",
            "Cici,Kain Tenun Cici,pakaian,,,,081234567803,listrik",
        ),
    )
    assert not report.written
    assert [(p.row, p.column) for p in report.errors] == [(3, "phone")]
    assert "12345" in report.errors[0].message_en
    assert (report.created, report.updated) == (0, 0)
    assert [r.action for r in report.rows] == ["create", "error", "create"]
    assert _count(db) == count


def test_duplicate_nib_in_the_file(db: Session, city: City) -> None:
    report = svc.import_vendors(
        db,
        city=city,
        today=TODAY,
        rows=_csv(
            "Ani,Es Ani,minuman,9120000000021,,,,",
            "Budi,Choipan Budi,makanan,9120000000021,,,,",
        ),
    )
    assert not report.written
    assert [(p.row, p.column) for p in report.errors] == [(3, "nib")]
    assert "row 2" in report.errors[0].message_en


def test_duplicate_nib_against_the_database(db: Session, city: City) -> None:
    holder = _vendor(db, city, nib="9120000000031")
    count = _count(db)
    report = svc.import_vendors(
        db,
        city=city,
        today=TODAY,
        rows=_csv(
            "Ani,Es Ani,minuman,9120000000031,,,,",
        ),
    )
    assert not report.written
    assert _count(db) == count
    [problem] = report.errors
    assert (problem.row, problem.column) == (2, "nib")
    assert f"#{holder.id}" in problem.message_id
    assert "id" in problem.message_en

    rows = svc.read_csv_text(f"id,{HEADER}\n{holder.id},Ani,Es Ani,minuman,9120000000031,,,,\n")
    report = svc.import_vendors(db, city=city, today=TODAY, rows=rows)
    assert report.written
    assert report.updated == 1
    db.refresh(holder)
    assert holder.business_name == "Es Ani"
    assert holder.owner_name == "Ani"


def test_unknown_category_bad_nib_and_unknown_id(db: Session, city: City) -> None:
    rows = svc.read_csv_text(
        f"id,{HEADER}\n"
        ",Ani,Es Ani,sayur,,,,,\n"
        ",Budi,Choipan,makanan,12345,,,,\n"
        "999999,Cici,Tenun,pakaian,,,,,\n"
    )
    report = svc.import_vendors(db, city=city, today=TODAY, rows=rows)
    assert [(p.row, p.column) for p in report.errors] == [(2, "category"), (3, "nib"), (4, "id")]
    assert "sayur" in report.errors[0].message_id


def test_expired_halal_certificate_is_a_warning_only(db: Session, city: City) -> None:
    expired = (TODAY - timedelta(days=1)).isoformat()
    report = svc.import_vendors(
        db,
        city=city,
        today=TODAY,
        rows=_csv(
            f"Ani,Kue Bingke Ani,makanan,,ID611100001,{expired},,",
        ),
    )
    assert report.written
    assert report.created == 1
    [warning] = report.problems
    assert (warning.row, warning.column, warning.severity) == (2, "halal_cert_expiry", "warning")
    assert "kedaluwarsa" in warning.message_id


def test_missing_required_column_and_blank_rows(db: Session, city: City) -> None:
    report = svc.import_vendors(
        db,
        city=city,
        today=TODAY,
        rows=svc.read_csv_text("owner_name,category,colour\nAni,makanan,merah\n"),
    )
    assert not report.written
    assert (1, "business_name", "error") in [(p.row, p.column, p.severity) for p in report.problems]
    assert (1, "colour", "warning") in [(p.row, p.column, p.severity) for p in report.problems]

    report = svc.import_vendors(
        db,
        city=city,
        today=TODAY,
        dry_run=True,
        rows=_csv(
            "Ani,Es Ani,minuman,,,,,",
            "",
            "Budi,Choipan,makanan,,,,0812,",
        ),
    )
    assert report.total == 2
    assert [(p.row, p.column) for p in report.errors] == [(4, "phone")]


def test_xlsx_import(db: Session, city: City, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(
        [
            "Owner_Name",
            "business_name",
            "category",
            "nib",
            "phone",
            "halal_cert_expiry",
            "needs",
            "active",
        ]
    )
    sheet.append(
        [
            "Ani",
            "'=Es Ani",
            "Minuman",
            9120000000041,
            81234567890,
            datetime(2027, 3, 1),
            "listrik",
            True,
        ]
    )
    sheet.append([None] * 8)
    sheet.append(
        [
            "Budi",
            "Choipan Budi",
            "makanan",
            "9120000000042",
            "+62 812-3456-7891",
            "2027-04-01",
            "",
            "tidak",
        ]
    )
    path = tmp_path / "pedagang.xlsx"
    workbook.save(path)
    count = _count(db)

    report = svc.import_vendors(db, city=city, rows=svc.read_rows(path), today=TODAY)

    assert report.errors == []
    assert report.written
    assert report.created == 2
    assert _count(db) == count + 2
    ani = db.scalars(select(Vendor).where(Vendor.nib == "9120000000041")).one()
    assert (ani.business_name, ani.category, ani.phone) == ("=Es Ani", "minuman", "081234567890")
    assert ani.halal_cert_expiry == date(2027, 3, 1)
    assert ani.needs_electricity
    assert ani.active
    budi = db.scalars(select(Vendor).where(Vendor.nib == "9120000000042")).one()
    assert budi.phone == "081234567891"
    assert not budi.active
    assert [r.row for r in report.rows] == [2, 4]


def test_unreadable_files_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "rusak.xlsx"
    bad.write_bytes(b"bukan zip")
    with pytest.raises(svc.ServiceError, match="XLSX"):
        svc.read_rows(bad)
    old = tmp_path / "lama.xls"
    old.write_bytes(b"x")
    with pytest.raises(svc.ServiceError, match=r"\.xlsx"):
        svc.read_rows(old)
    empty = tmp_path / "kosong.csv"
    empty.write_text("")
    with pytest.raises(svc.ServiceError, match="kosong"):
        svc.read_rows(empty)


def test_cli_imports_xlsx_with_dry_run(
    runner: FlaskCliRunner, db: Session, city: City, tmp_path: Path
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["owner_name", "business_name", "category", "phone"])
    sheet.append(["Ani", "Es Ani", "minuman", "081234567801"])
    path = tmp_path / "pedagang.xlsx"
    workbook.save(path)
    count = _count(db)

    result = runner.invoke(args=["import-vendors", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "tidak ditulis" in result.output
    assert _count(db) == count

    result = runner.invoke(args=["import-vendors", str(path)])
    assert result.exit_code == 0, result.output
    assert _count(db) == count + 1

    sheet.append(["Budi", "Choipan", "sayur", ""])
    workbook.save(path)
    result = runner.invoke(args=["import-vendors", str(path)])
    assert result.exit_code == 1
    assert "baris 3 [category]" in result.output
    english = runner.invoke(args=["import-vendors", str(path), "--lang", "en"])
    assert english.exit_code == 1
    assert "row 3 [category] ERROR: " in english.output
    assert "rows: 2; new: 0, updated: 0 — nothing written" in english.output
    assert "baris" not in english.output and "tidak ditulis" not in english.output


# -- registry ---------------------------------------------------------------------------------


def test_create_validates_fields(db: Session, city: City) -> None:
    with pytest.raises(svc.VendorValidationError) as info:
        svc.create_vendor(
            db,
            city=city,
            today=TODAY,
            data={
                "owner_name": "",
                "business_name": "x" * 201,
                "category": "sayur",
                "phone": "12345",
                "halal_cert_expiry": "31-31-2026",
                "nib": 123,
                "colour": "red",
            },
        )
    assert set(info.value.fields) == {
        "owner_name",
        "business_name",
        "category",
        "phone",
        "halal_cert_expiry",
        "nib",
        "colour",
    }
    body = info.value.to_dict()
    assert body["fields"]["phone"]["message_en"].startswith("Bad phone")
    assert body["fields"]["phone"]["message"].startswith("Nomor HP")


def test_create_gives_an_access_code_and_normalises(db: Session, city: City) -> None:
    vendor = _vendor(
        db,
        city,
        phone="+62 812-3456-7890",
        nib=" 9120000000051 ",
        halal_cert_expiry="2027-01-31",
        needs_electricity="ya",
    )
    assert len(vendor.access_code) == 10
    assert vendor.active
    assert (vendor.phone, vendor.nib) == ("081234567890", "9120000000051")
    assert vendor.halal_cert_expiry == date(2027, 1, 31)
    assert vendor.needs_electricity is True


def test_nib_must_be_unique_on_create_and_update(db: Session, city: City) -> None:
    first = _vendor(db, city, nib="9120000000061")
    with pytest.raises(svc.VendorValidationError) as info:
        _vendor(db, city, nib="9120000000061")
    assert f"#{first.id}" in info.value.fields["nib"].message_id
    second = _vendor(db, city, nib="9120000000062")
    with pytest.raises(svc.VendorValidationError):
        svc.update_vendor(db, second, data={"nib": "9120000000061"}, today=TODAY)
    svc.update_vendor(
        db, first, data={"nib": "9120000000061", "phone": "081299990000"}, today=TODAY
    )
    assert first.phone == "081299990000"


def test_partial_update_touches_only_given_fields(db: Session, city: City) -> None:
    vendor = _vendor(db, city, nib="9120000000071", phone="081234567890")
    svc.update_vendor(db, vendor, data={"notes": "Pindah ke Jl. Gajah Mada"}, today=TODAY)
    assert (vendor.nib, vendor.phone, vendor.notes) == (
        "9120000000071",
        "081234567890",
        "Pindah ke Jl. Gajah Mada",
    )
    with pytest.raises(svc.VendorValidationError) as info:
        svc.update_vendor(db, vendor, data={"active": False, "access_code": "X"}, today=TODAY)
    assert set(info.value.fields) == {"active", "access_code"}


def test_deactivate_and_reactivate(db: Session, city: City) -> None:
    vendor = _vendor(db, city)
    svc.set_vendor_active(db, vendor, active=False)
    assert not db.get(Vendor, vendor.id).active  # type: ignore[union-attr]
    svc.set_vendor_active(db, vendor, active=True)
    assert vendor.active


def test_search(db: Session, city: City) -> None:
    a = _vendor(
        db,
        city,
        owner_name="Hendra Wijaya",
        business_name="Kopi Aming 100%",
        nib="9120000000081",
        phone="081299887766",
        category="minuman",
    )
    b = _vendor(db, city, owner_name="Rina", business_name="Hendra Tenun", category="pakaian")
    svc.set_vendor_active(db, b, active=False)

    def ids(**kwargs: Any) -> list[int]:
        query = svc.parse_vendor_query(kwargs)
        return [v.id for v in svc.search_vendors(db, city=city, query=query, per_page=100).items]

    assert set(ids(q="hendra")) >= {a.id, b.id}
    assert a.id in ids(q="hendra", active="1")
    assert b.id not in ids(q="hendra", active="1")
    assert ids(q="hendra", active="0") == [b.id]
    assert ids(q="hendra", category="pakaian") == [b.id]
    assert ids(q="9120000000081") == [a.id]
    assert ids(q="+62 812-9988-7766") == [a.id]
    assert ids(q="100%") == [a.id]
    assert ids(q="%") == [a.id]  # LIKE wildcards are searched for, not expanded
    with pytest.raises(svc.VendorValidationError):
        svc.parse_vendor_query({"category": "sayur"})


def test_paging(db: Session, city: City) -> None:
    query = svc.VendorQuery()
    total = svc.search_vendors(db, city=city, query=query).total
    second = svc.search_vendors(db, city=city, query=query, page=2, per_page=10)
    assert second.total == total
    assert len(second.items) == 10
    assert second.pages == -(-total // 10)
    first = svc.search_vendors(db, city=city, query=query, page=1, per_page=10)
    assert not {v.id for v in first.items} & {v.id for v in second.items}
    assert svc.parse_paging({"page": "x", "per_page": "5000"}) == (1, svc.MAX_PER_PAGE)


# -- documents ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "status"),
    [
        (None, "none"),
        (-1, "expired"),
        (0, "expiring"),
        (60, "expiring"),
        (61, "valid"),
    ],
)
def test_halal_status(days: int | None, status: str) -> None:
    expiry = None if days is None else TODAY + timedelta(days=days)
    assert svc.halal_status(expiry, today=TODAY) == status


def test_documents_due_lists_expired_and_expiring_active_vendors(db: Session, city: City) -> None:
    expired = _vendor(db, city, halal_cert_expiry=TODAY - timedelta(days=3))
    soon = _vendor(db, city, halal_cert_expiry=TODAY + timedelta(days=10))
    later = _vendor(db, city, halal_cert_expiry=TODAY + timedelta(days=200))
    gone = _vendor(db, city, halal_cert_expiry=TODAY - timedelta(days=3))
    svc.set_vendor_active(db, gone, active=False)
    due = svc.documents_due(db, city=city, today=TODAY)
    ids = [v.id for v in due]
    assert expired.id in ids
    assert soon.id in ids
    assert later.id not in ids
    assert gone.id not in ids
    expiries = [v.halal_cert_expiry for v in due]
    assert expiries == sorted(expiries)  # type: ignore[type-var]
