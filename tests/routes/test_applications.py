"""Applications at /daftar: the public form (CSRF, rate limit, the same answer for a known
phone, photo without EXIF and outside the web root), the status page, and the planner's review
queue (duplicates flagged, approve creates the vendor with an access code, reject with a reason
the applicant reads)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEntry, City, Vendor, VendorApplication

CODE = re.compile(r'id="status-code">([A-Z0-9]+)<')


@pytest.fixture
def pontianak(db: Session) -> City:
    return db.scalars(select(City).where(City.slug == "pontianak")).one()


@pytest.fixture(autouse=True)
def _private_instance(app: Flask, tmp_path: Path) -> None:
    app.instance_path = str(tmp_path / "instance")


def _form(**extra: Any) -> dict[str, Any]:
    data = {
        "owner_name": "Siti Aminah",
        "phone": "0812 5566 7788",
        "business_name": "Pisang Goreng Bu Siti",
        "category": "makanan",
        "nib": "",
        "halal_cert_no": "ID61110000123450925",
        "halal_cert_expiry": "2027-06-30",
    }
    data.update(extra)
    return data


def _apply(client: FlaskClient, **extra: Any) -> Any:
    return client.post("/daftar", data=_form(**extra), content_type="multipart/form-data")


def _jpeg_with_exif() -> bytes:
    from PIL import Image

    raw = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Merek HP"  # Make
    exif[0x8825] = {2: (0, 3, 0)}  # a GPS block
    Image.new("RGB", (40, 30), "orange").save(raw, format="JPEG", exif=exif)
    return raw.getvalue()


def test_form_is_public_and_phone_first(client: FlaskClient) -> None:
    page = client.get("/daftar")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.index('name="phone"') < html.index('name="owner_name"')
    assert 'enctype="multipart/form-data"' in html
    assert "no-store" in page.headers["Cache-Control"]


def test_apply_gives_a_status_code_and_stores_the_application(
    client: FlaskClient, db: Session, pontianak: City
) -> None:
    resp = _apply(client)
    assert resp.status_code == 200, resp.data
    code = CODE.search(resp.get_data(as_text=True))
    assert code
    application = db.scalars(
        select(VendorApplication).where(VendorApplication.status_code == code.group(1))
    ).one()
    assert application.city_id == pontianak.id
    assert application.phone == "081255667788"
    assert application.status == "pending" and application.nib is None
    assert (
        db.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "vendor_application", AuditEntry.entity_id == application.id
            )
        )
        .one()
        .actor
        == "applicant"
    )


def test_same_answer_whether_or_not_the_phone_is_known(
    client: FlaskClient, db: Session, pontianak: Any, make_vendor: Any
) -> None:
    make_vendor(city=pontianak, phone="081299990000")
    known = _apply(client, phone="081299990000")
    unknown = _apply(client, phone="081299990001")
    assert known.status_code == unknown.status_code == 200

    def skeleton(resp: Any) -> str:
        return CODE.sub("", resp.get_data(as_text=True))

    assert skeleton(known) == skeleton(unknown)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", ""),
        ("phone", "12345"),
        ("owner_name", ""),
        ("category", "senjata"),
        ("nib", "12"),
        ("halal_cert_expiry", "besok"),
    ],
)
def test_bad_fields_are_named_and_nothing_is_stored(
    client: FlaskClient, db: Session, field: str, value: str
) -> None:
    before = db.scalar(select(VendorApplication.id).order_by(VendorApplication.id.desc()).limit(1))
    resp = _apply(client, **{field: value})
    assert resp.status_code == 400
    assert f'aria-describedby="e-{field}"' in resp.get_data(as_text=True) or field == "category"
    after = db.scalar(select(VendorApplication.id).order_by(VendorApplication.id.desc()).limit(1))
    assert before == after


def test_photo_is_re_encoded_without_exif_outside_the_web_root(
    client: FlaskClient, db: Session, app: Flask, auth: Any
) -> None:
    resp = _apply(client, photo=(io.BytesIO(_jpeg_with_exif()), "lapak.jpg"))
    assert resp.status_code == 200, resp.data
    code = CODE.search(resp.get_data(as_text=True))
    assert code
    application = db.scalars(
        select(VendorApplication).where(VendorApplication.status_code == code.group(1))
    ).one()
    stored = Path(app.instance_path) / "application_photos" / str(application.photo_path)
    assert stored.is_file()
    static = Path(app.static_folder or "").resolve()
    assert static not in stored.resolve().parents
    from PIL import Image

    with Image.open(stored) as back:
        assert not back.getexif()
        assert "exif" not in back.info
    # not reachable without a planner login, and never under /static
    assert client.get(f"/planner/applications/{application.id}/photo").status_code in (302, 401)
    assert client.get(f"/static/{application.photo_path}").status_code == 404
    auth.login("planner")
    photo = client.get(f"/planner/applications/{application.id}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"


def test_photo_size_is_limited(client: FlaskClient, app: Flask) -> None:
    app.config["APPLICATION_PHOTO_MAX_MB"] = 1
    boundary = "----daftar"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in _form().items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="besar.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + b"\xff" * (1024 * 1024 + 80 * 1024)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    big = client.post(
        "/daftar",
        data=b"".join(parts),
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert big.status_code == 413
    assert "paling besar 1 MB" in big.get_data(as_text=True)
    not_a_photo = _apply(client, photo=(io.BytesIO(b"bukan foto"), "x.jpg"))
    assert not_a_photo.status_code == 400
    assert "bukan foto" in not_a_photo.get_data(as_text=True)


def test_other_anonymous_posts_keep_the_small_body_limit(client: FlaskClient) -> None:
    resp = client.post("/daftar/status", data={"code": "A" * (64 * 1024)})
    assert resp.status_code == 413


def test_applications_are_rate_limited_per_ip(client: FlaskClient, app: Flask) -> None:
    app.config["APPLY_LIMIT_PER_IP"] = "2/3600"
    assert _apply(client, phone="081211110001").status_code == 200
    assert _apply(client, phone="081211110002").status_code == 200
    third = _apply(client, phone="081211110003")
    assert third.status_code == 429
    assert "Terlalu banyak percobaan" in third.get_data(as_text=True)


def test_status_lookups_are_rate_limited(client: FlaskClient, app: Flask) -> None:
    app.config["APPLY_STATUS_LIMIT_PER_IP"] = "1/600"
    assert client.post("/daftar/status", data={"code": "ACDEFGHJKM"}).status_code == 404
    assert client.post("/daftar/status", data={"code": "ACDEFGHJKM"}).status_code == 429


def test_csrf_is_required(database_url: str, db: Session) -> None:
    from app import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-0123456789",
            "SQLALCHEMY_DATABASE_URI": database_url,
        },
        session=db,
    )
    client = app.test_client()
    assert _apply(client).status_code == 400
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/daftar").get_data(as_text=True)
    )
    assert token
    ok = _apply(client, csrf_token=token.group(1))
    assert ok.status_code == 200 and CODE.search(ok.get_data(as_text=True))


def _applied(client: FlaskClient, db: Session, **extra: Any) -> VendorApplication:
    resp = _apply(client, **extra)
    code = CODE.search(resp.get_data(as_text=True))
    assert code, resp.data
    return db.scalars(
        select(VendorApplication).where(VendorApplication.status_code == code.group(1))
    ).one()


def test_queue_flags_duplicates_by_phone_and_nib(
    client: FlaskClient, db: Session, auth: Any, pontianak: City, make_vendor: Any
) -> None:
    make_vendor(city=pontianak, phone="081277778888", business_name="Es Teh Pak Dul")
    holder = make_vendor(city=pontianak, nib="9120001234567")
    by_phone = _applied(client, db, phone="0812-7777-8888")
    by_nib = _applied(client, db, phone="081200000001", nib="9120001234567")
    twin_a = _applied(client, db, phone="081200000002", business_name="Kembar A")
    twin_b = _applied(client, db, phone="+6281200000002", business_name="Kembar B")
    fresh = _applied(client, db, phone="081200000003")
    auth.login("planner")
    page = client.get("/planner/applications")
    assert page.status_code == 200
    from app.services.applications import duplicates_of

    dups = duplicates_of(db, [by_phone, by_nib, twin_a, twin_b, fresh])
    assert [(d.kind, d.match) for d in dups[by_phone.id]] == [("vendor", "phone")]
    assert [(d.kind, d.id, d.match) for d in dups[by_nib.id]] == [("vendor", holder.id, "nib")]
    assert [(d.kind, d.id) for d in dups[twin_a.id]] == [("application", twin_b.id)]
    assert dups[fresh.id] == []
    detail = client.get(f"/planner/applications/{by_phone.id}").get_data(as_text=True)
    assert 'id="duplicates"' in detail and "Es Teh Pak Dul" in detail


def test_approve_creates_the_vendor_with_an_access_code_and_a_card(
    client: FlaskClient, db: Session, auth: Any, pontianak: City
) -> None:
    application = _applied(client, db)
    planner = auth.login("planner")
    resp = client.post(f"/planner/applications/{application.id}/approve")
    assert resp.status_code == 303
    db.refresh(application)
    assert application.status == "approved" and application.reviewed_by == planner.id
    vendor = db.get(Vendor, application.vendor_id)
    assert vendor is not None and vendor.active and vendor.city_id == pontianak.id
    assert vendor.phone == "081255667788" and vendor.business_name == "Pisang Goreng Bu Siti"
    assert len(vendor.access_code) >= 8
    detail = client.get(f"/planner/applications/{application.id}").get_data(as_text=True)
    assert f"/planner/vendors/{vendor.id}/card" in detail
    card = client.get(f"/planner/vendors/{vendor.id}/card")
    assert card.status_code == 200 and vendor.access_code in card.get_data(as_text=True)
    audit = db.scalars(
        select(AuditEntry).where(AuditEntry.entity == "vendor", AuditEntry.entity_id == vendor.id)
    ).one()
    assert audit.user_id == planner.id
    # decided once: a second approval is refused, no second vendor
    again = client.post(f"/planner/applications/{application.id}/approve", follow_redirects=True)
    assert "sudah diputuskan" in again.get_data(as_text=True)
    assert db.scalar(select(Vendor.id).where(Vendor.phone == "081255667788").limit(2)) == vendor.id
    # the applicant sees the decision and a link to their vendor page
    status = client.post("/daftar/status", data={"code": application.status_code.lower()})
    assert status.status_code == 200
    assert 'id="lapak-link"' in status.get_data(as_text=True)


def test_approve_refuses_a_nib_already_held(
    client: FlaskClient, db: Session, auth: Any, pontianak: City, make_vendor: Any
) -> None:
    make_vendor(city=pontianak, nib="9120007654321")
    application = _applied(client, db, nib="9120007654321")
    auth.login("planner")
    resp = client.post(f"/planner/applications/{application.id}/approve", follow_redirects=True)
    assert "9120007654321" in resp.get_data(as_text=True)
    db.refresh(application)
    assert application.status == "pending" and application.vendor_id is None


def test_reject_takes_a_reason_the_applicant_reads(
    client: FlaskClient, db: Session, auth: Any
) -> None:
    application = _applied(client, db)
    auth.login("planner")
    empty = client.post(f"/planner/applications/{application.id}/reject", data={"reason": " "})
    assert empty.status_code == 303
    db.refresh(application)
    assert application.status == "pending"
    reason = "Foto lapak belum ada <b>dan</b> NIB belum diurus."
    client.post(f"/planner/applications/{application.id}/reject", data={"reason": reason})
    db.refresh(application)
    assert application.status == "rejected" and application.reject_reason == reason
    auth.logout()
    status = client.post("/daftar/status", data={"code": application.status_code})
    html = status.get_data(as_text=True)
    assert "Ditolak" in html
    assert "Foto lapak belum ada &lt;b&gt;dan&lt;/b&gt; NIB belum diurus." in html
    unknown = client.post("/daftar/status", data={"code": "QQQQQQQQQQ"})
    assert unknown.status_code == 404


@pytest.mark.parametrize("role", ["crew", "petugas"])
def test_review_needs_the_permission(
    client: FlaskClient, db: Session, auth: Any, role: str
) -> None:
    application = _applied(client, db)
    auth.login(role)
    assert client.get("/planner/applications").status_code == 403
    assert client.get(f"/planner/applications/{application.id}").status_code == 403
    assert client.post(f"/planner/applications/{application.id}/approve").status_code == 403
    assert client.post(f"/planner/applications/{application.id}/reject").status_code == 403
    db.refresh(application)
    assert application.status == "pending"


def test_review_needs_a_login(client: FlaskClient, db: Session) -> None:
    application = _applied(client, db)
    assert client.get("/planner/applications").status_code in (302, 401)
    assert client.post(f"/planner/applications/{application.id}/approve").status_code in (
        302,
        401,
    )
