"""Vendor registry pages and JSON API: roles, escaping, validation, CSRF, import and export."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import City, Vendor
from app.services import vendors as svc
from tests.conftest import TODAY, AuthActions

XSS = "<img src=x onerror=alert(1)>"
BACKTICK = "Warung `${alert(1)}` Bu Tini"


@pytest.fixture
def city(db: Session) -> City:
    return db.scalars(select(City).where(City.slug == "pontianak")).one()


@pytest.fixture
def vendor(db: Session, city: City) -> Vendor:
    return svc.create_vendor(
        db,
        city=city,
        today=TODAY,
        data={
            "owner_name": "Tini Lestari",
            "business_name": "Pisang Goreng Srikaya Tini",
            "category": "makanan",
            "nib": "9120000000101",
            "phone": "081234560101",
            "halal_cert_no": "ID61110000001",
            "halal_cert_expiry": "2020-01-01",
        },
    )


@pytest.fixture(autouse=True)
def _upload_dir(app: Flask, tmp_path: Path) -> None:
    app.config["VENDOR_IMPORT_DIR"] = str(tmp_path / "imports")


def _count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Vendor)) or 0


def _csrf_token(client: FlaskClient, path: str = "/planner/vendors/") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, html
    return match.group(1)


# -- roles ------------------------------------------------------------------------------------

PAGES = [
    "/planner/vendors/",
    "/planner/vendors/new",
    "/planner/vendors/documents",
    "/planner/vendors/import",
    "/planner/vendors/export.csv",
    "/planner/vendors/export.xlsx",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_need_login(client: FlaskClient, path: str) -> None:
    resp = client.get(path)
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/vendors"),
        ("get", "/api/vendors/1"),
        ("post", "/api/vendors"),
        ("patch", "/api/vendors/1"),
        ("post", "/api/vendors/1/deactivate"),
    ],
)
def test_api_needs_login(client: FlaskClient, method: str, path: str) -> None:
    resp = getattr(client, method)(path, json={})
    assert resp.status_code == 401
    assert resp.json["error"] == "login_required"


@pytest.mark.parametrize("path", [*PAGES, "/api/vendors"])
def test_crew_is_refused(client: FlaskClient, auth: AuthActions, path: str) -> None:
    auth.login("crew")
    assert client.get(path).status_code == 403


def test_crew_cannot_write_or_read_access_codes(
    client: FlaskClient, auth: AuthActions, vendor: Vendor
) -> None:
    auth.login("crew")
    for resp in (
        client.get(f"/api/vendors/{vendor.id}"),
        client.get(f"/planner/vendors/{vendor.id}"),
        client.post("/api/vendors", json={"owner_name": "x"}),
        client.patch(f"/api/vendors/{vendor.id}", json={"notes": "x"}),
        client.post(f"/planner/vendors/{vendor.id}/deactivate"),
    ):
        assert resp.status_code == 403
        assert vendor.access_code not in resp.get_data(as_text=True)


@pytest.mark.parametrize("role", ["planner", "admin"])
def test_planners_and_admins_see_the_registry(
    client: FlaskClient, auth: AuthActions, role: str
) -> None:
    auth.login(role)
    resp = client.get("/planner/vendors/")
    assert resp.status_code == 200
    assert 'href="/planner/vendors/"' in resp.get_data(as_text=True)  # nav link "Pedagang"


# -- escaping ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [XSS, BACKTICK])
def test_vendor_names_render_as_text(
    client: FlaskClient, auth: AuthActions, db: Session, city: City, name: str
) -> None:
    created = svc.create_vendor(
        db,
        city=city,
        today=TODAY,
        data={
            "owner_name": name,
            "business_name": name,
            "category": "mainan",
            "halal_cert_expiry": "2020-01-01",
            "notes": name,
        },
    )
    auth.login("planner")
    escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for path in (
        f"/planner/vendors/?q={name[:12]}",
        f"/planner/vendors/{created.id}",
        f"/planner/vendors/{created.id}/edit",
    ):
        html = client.get(path).get_data(as_text=True)
        assert escaped in html, path
        if name == XSS:
            assert "<img" not in html, path
    # the documents page (expired certificate) shows active vendors only
    html = client.get("/planner/vendors/documents").get_data(as_text=True)
    assert escaped in html
    assert name != XSS or "<img" not in html


# -- pages ------------------------------------------------------------------------------------


def test_list_search_and_filters(client: FlaskClient, auth: AuthActions, vendor: Vendor) -> None:
    auth.login("planner")
    html = client.get("/planner/vendors/?q=srikaya+tini").get_data(as_text=True)
    assert "Pisang Goreng Srikaya Tini" in html
    assert "1 pedagang ditemukan" in html
    html = client.get("/planner/vendors/?q=9120000000101&category=makanan&active=1")
    assert "Pisang Goreng Srikaya Tini" in html.get_data(as_text=True)
    html = client.get("/planner/vendors/?q=srikaya+tini&category=minuman").get_data(as_text=True)
    assert "Pisang Goreng Srikaya Tini" not in html
    assert client.get("/planner/vendors/?category=sayur").status_code == 400


def test_list_pages(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("planner")
    html = client.get("/planner/vendors/?page=2").get_data(as_text=True)
    assert "Halaman 2 dari" in html
    assert 'rel="prev"' in html


def test_detail_shows_documents_and_access_code(
    client: FlaskClient, auth: AuthActions, vendor: Vendor
) -> None:
    auth.login("planner")
    html = client.get(f"/planner/vendors/{vendor.id}").get_data(as_text=True)
    assert vendor.access_code in html
    assert "ID61110000001" in html
    assert "badge-expired" in html
    assert "2020-01-01" in html
    assert client.get("/planner/vendors/999999").status_code == 404


def test_create_edit_and_deactivate_through_forms(
    client: FlaskClient, auth: AuthActions, db: Session
) -> None:
    auth.login("planner")
    resp = client.post(
        "/planner/vendors/new",
        data={
            "owner_name": "Asiang",
            "business_name": "Kwetiau Asiang",
            "category": "makanan",
            "phone": "12",
            "nib": "",
        },
    )
    assert resp.status_code == 400
    assert "tidak sah" in resp.get_data(as_text=True)
    resp = client.post(
        "/planner/vendors/new",
        data={
            "owner_name": "Asiang",
            "business_name": "Kwetiau Asiang",
            "category": "makanan",
            "phone": "0812-1111-2222",
            "halal_cert_expiry": "2027-05-01",
            "needs_electricity": "y",
        },
    )
    assert resp.status_code == 302
    vendor = db.scalars(select(Vendor).where(Vendor.business_name == "Kwetiau Asiang")).one()
    assert vendor.phone == "081211112222"
    assert vendor.needs_electricity
    assert resp.headers["Location"] == f"/planner/vendors/{vendor.id}"

    resp = client.post(
        f"/planner/vendors/{vendor.id}/edit",
        data={
            "owner_name": "Asiang",
            "business_name": "Kwetiau Siram Asiang",
            "category": "makanan",
            "phone": "081211112222",
        },
    )
    assert resp.status_code == 302
    assert vendor.business_name == "Kwetiau Siram Asiang"
    assert not vendor.needs_electricity

    assert client.post(f"/planner/vendors/{vendor.id}/deactivate").status_code == 302
    assert vendor.active is False
    assert "Aktifkan kembali" in client.get(f"/planner/vendors/{vendor.id}").get_data(as_text=True)
    assert client.post(f"/planner/vendors/{vendor.id}/reactivate").status_code == 302
    assert vendor.active is True


def test_documents_page(client: FlaskClient, auth: AuthActions, vendor: Vendor) -> None:
    auth.login("planner")
    html = client.get("/planner/vendors/documents").get_data(as_text=True)
    assert "Pisang Goreng Srikaya Tini" in html
    assert "Kedaluwarsa" in html


def test_english_interface(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("planner")
    assert client.get("/planner/vendors/?lang=en").status_code == 200


# -- JSON API ---------------------------------------------------------------------------------


def test_api_list_and_get(client: FlaskClient, auth: AuthActions, vendor: Vendor) -> None:
    auth.login("planner")
    body = client.get("/api/vendors?q=srikaya+tini&per_page=5").json
    assert body["total"] == 1
    assert body["per_page"] == 5
    [item] = body["items"]
    assert item["id"] == vendor.id
    assert item["access_code"] == vendor.access_code
    assert item["halal_status"] == "expired"
    assert item["halal_cert_expiry"] == "2020-01-01"
    assert client.get(f"/api/vendors/{vendor.id}").json["nib"] == "9120000000101"
    assert client.get("/api/vendors/999999").status_code == 404
    resp = client.get("/api/vendors?active=maybe")
    assert resp.status_code == 400
    assert "active" in resp.json["fields"]


def test_api_create_validation(
    client: FlaskClient, auth: AuthActions, db: Session, vendor: Vendor
) -> None:
    auth.login("planner")
    count = _count(db)
    resp = client.post(
        "/api/vendors",
        json={
            "owner_name": "Yanti",
            "business_name": "",
            "category": "sayur",
            "phone": "0812",
            "nib": vendor.nib,
            "needs_electricity": "kadang",
        },
    )
    assert resp.status_code == 400
    fields = resp.json["fields"]
    assert set(fields) == {"business_name", "category", "phone", "needs_electricity"}
    assert fields["category"] == {
        "message": "Kategori 'sayur' tidak dikenal.",
        "message_en": "Unknown category 'sayur'.",
    }
    assert _count(db) == count

    resp = client.post(
        "/api/vendors",
        json={
            "owner_name": "Yanti",
            "business_name": "Es Tebu Yanti",
            "category": "minuman",
            "nib": vendor.nib,
        },
    )
    assert resp.status_code == 400
    assert f"#{vendor.id}" in resp.json["fields"]["nib"]["message"]

    resp = client.post("/api/vendors", data="bukan json", content_type="text/plain")
    assert resp.status_code == 400
    assert resp.json["message_en"].startswith("The request body")

    resp = client.post(
        "/api/vendors",
        json={
            "owner_name": "Yanti",
            "business_name": "Es Tebu Yanti",
            "category": "minuman",
            "phone": "+6281234560202",
            "needs_electricity": True,
        },
    )
    assert resp.status_code == 201
    assert resp.headers["Location"] == f"/api/vendors/{resp.json['id']}"
    assert resp.json["phone"] == "081234560202"
    assert len(resp.json["access_code"]) == 10
    assert _count(db) == count + 1


def test_api_patch_and_deactivate(client: FlaskClient, auth: AuthActions, vendor: Vendor) -> None:
    auth.login("planner")
    resp = client.patch(f"/api/vendors/{vendor.id}", json={"phone": "x", "access_code": "ABC"})
    assert resp.status_code == 400
    assert set(resp.json["fields"]) == {"phone", "access_code"}
    assert vendor.phone == "081234560101"

    resp = client.patch(f"/api/vendors/{vendor.id}", json={"halal_cert_expiry": "2030-01-01"})
    assert resp.status_code == 200
    assert resp.json["halal_status"] == "valid"
    assert resp.json["phone"] == "081234560101"

    resp = client.post(f"/api/vendors/{vendor.id}/deactivate")
    assert resp.status_code == 200
    assert resp.json["active"] is False
    assert not vendor.active


def test_json_writes_need_the_csrf_token(
    app: Flask, client: FlaskClient, auth: AuthActions, db: Session, vendor: Vendor
) -> None:
    auth.login("planner")
    app.config["WTF_CSRF_ENABLED"] = True
    body: dict[str, Any] = {
        "owner_name": "Yanti",
        "business_name": "Es Tebu Yanti",
        "category": "minuman",
    }
    count = _count(db)
    for resp in (
        client.post("/api/vendors", json=body),
        client.patch(f"/api/vendors/{vendor.id}", json={"notes": "x"}),
        client.post(f"/api/vendors/{vendor.id}/deactivate"),
        client.post("/api/vendors", json=body, headers={"X-CSRFToken": "palsu"}),
    ):
        assert resp.status_code == 400
        assert resp.json["error"] == "csrf"
    assert _count(db) == count
    assert vendor.active
    assert vendor.notes is None
    assert client.post(f"/planner/vendors/{vendor.id}/deactivate").status_code == 400

    token = _csrf_token(client)
    resp = client.post("/api/vendors", json=body, headers={"X-CSRFToken": token})
    assert resp.status_code == 201
    assert client.get("/api/vendors").status_code == 200  # reads need no token


# -- import and export ------------------------------------------------------------------------

GOOD_CSV = (
    "owner_name,business_name,category,nib,phone,halal_cert_expiry\n"
    "Ani,Es Lidah Buaya Ani,minuman,9120000000201,081234560201,2020-01-01\n"
    "Budi,Choipan Budi,makanan,9120000000202,081234560202,\n"
)


def _upload(client: FlaskClient, content: bytes, filename: str) -> Any:
    return client.post(
        "/planner/vendors/import",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(content), filename)},
    )


def test_import_preview_then_confirm(
    client: FlaskClient, auth: AuthActions, db: Session, tmp_path: Path
) -> None:
    auth.login("planner")
    count = _count(db)
    resp = _upload(client, GOOD_CSV.encode(), "pedagang.csv")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Choipan Budi" in html
    assert "kedaluwarsa" in html  # the expired certificate is a warning
    assert _count(db) == count  # a preview writes nothing
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html)
    assert token, html
    assert len(list((tmp_path / "imports").iterdir())) == 1

    resp = client.post("/planner/vendors/import/confirm", data={"token": token.group(1)})
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/planner/vendors/"
    assert _count(db) == count + 2
    assert list((tmp_path / "imports").iterdir()) == []
    # the same token cannot be used twice
    resp = client.post("/planner/vendors/import/confirm", data={"token": token.group(1)})
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/planner/vendors/import"
    assert _count(db) == count + 2


def test_import_with_a_bad_row_offers_no_confirmation(
    client: FlaskClient, auth: AuthActions, db: Session, vendor: Vendor, tmp_path: Path
) -> None:
    auth.login("planner")
    count = _count(db)
    bad = GOOD_CSV + f"Cici,Tenun Cici,pakaian,{vendor.nib},08123,\n"
    html = _upload(client, bad.encode(), "pedagang.csv").get_data(as_text=True)
    assert "Impor ditolak" in html
    assert 'name="token"' not in html
    assert f"NIB {vendor.nib} sudah terdaftar" in html
    assert "Nomor HP &#39;08123&#39;" in html
    assert _count(db) == count
    assert list((tmp_path / "imports").iterdir()) == []


def test_confirm_needs_a_token_from_this_session(
    app: Flask, client: FlaskClient, auth: AuthActions, db: Session, make_user: Any
) -> None:
    auth.login("planner")
    html = _upload(client, GOOD_CSV.encode(), "pedagang.csv").get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html)
    assert token
    other = app.test_client()
    user = make_user(role="planner")
    other.post("/login", data={"email": user.email, "password": "password123!"})
    count = _count(db)
    resp = other.post("/planner/vendors/import/confirm", data={"token": token.group(1)})
    assert resp.status_code == 302
    assert _count(db) == count


def test_import_refuses_other_files(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("planner")
    assert _upload(client, b"x", "pedagang.xls").status_code == 400
    resp = _upload(client, b"bukan zip", "pedagang.xlsx")
    assert resp.status_code == 400
    assert "XLSX" in resp.get_data(as_text=True)


def test_exported_xlsx_uploads_back_as_updates(
    client: FlaskClient, auth: AuthActions, db: Session, vendor: Vendor
) -> None:
    auth.login("planner")
    data = client.get("/planner/vendors/export.xlsx?q=Srikaya+Tini").data
    count = _count(db)
    html = _upload(client, data, "pedagang.xlsx").get_data(as_text=True)
    assert "1 baris: 0 baru, 1 diperbarui" in html
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html)
    assert token, html
    resp = client.post("/planner/vendors/import/confirm", data={"token": token.group(1)})
    assert resp.status_code == 302
    assert _count(db) == count
    assert vendor.business_name == "Pisang Goreng Srikaya Tini"


@pytest.mark.parametrize(
    ("fmt", "mimetype"),
    [
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_export_downloads(
    client: FlaskClient, auth: AuthActions, db: Session, city: City, fmt: str, mimetype: str
) -> None:
    svc.create_vendor(
        db,
        city=city,
        today=TODAY,
        data={
            "owner_name": "=cmd|' /C calc'!A0",
            "business_name": "Rujak Ekspor",
            "category": "makanan",
        },
    )
    auth.login("planner")
    resp = client.get(f"/planner/vendors/export.{fmt}?q=Rujak Ekspor")
    assert resp.status_code == 200
    assert resp.mimetype == mimetype
    assert resp.headers["Content-Disposition"].startswith('attachment; filename="pedagang-')
    assert resp.headers["Cache-Control"] == "no-store"
    if fmt == "csv":
        lines = resp.data.decode("utf-8-sig").splitlines()
        assert len(lines) == 2
        assert "'=cmd|' /C calc'!A0" in lines[1]
    else:
        workbook = load_workbook(io.BytesIO(resp.data))
        sheet = workbook.active
        assert sheet is not None
        assert sheet["B2"].value == "'=cmd|' /C calc'!A0"
        assert sheet["B2"].data_type == "s"
        workbook.close()


def test_vendor_card_has_a_qr_code_of_the_signed_link(client, auth, db) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from app.models import Vendor

    auth.login("planner")
    vendor = db.scalars(select(Vendor).order_by(Vendor.id)).first()
    html = client.get(f"/planner/vendors/{vendor.id}/card").get_data(as_text=True)
    assert "<svg" in html and vendor.access_code in html
    detail = client.get(f"/planner/vendors/{vendor.id}").get_data(as_text=True)
    assert f"/planner/vendors/{vendor.id}/card" in detail
    auth.logout()
    auth.login("crew")
    assert client.get(f"/planner/vendors/{vendor.id}/card").status_code == 403
