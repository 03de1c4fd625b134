"""Vendor page "Cek Lapak Saya" and /api/lapak: lookup, session, privacy, rate limits, sameness of
failures, signed links, confirm/cancel, escaping and page weight."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import urldefrag, urljoin

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import create_app
from app.models import (
    HOLDING_STATUSES,
    AllocationRun,
    Assignment,
    AuditEntry,
    Booth,
    City,
    Event,
    Vendor,
)
from app.services import vendors as vendor_svc
from app.services.access_codes import new_access_code
from app.services.vendor_access import vendor_from_token, vendor_link
from tests.conftest import TODAY

EVENT = "cfd-2026-12-06"
#: A Saturday morning before the demo's CFD Sunday: every test sees the same "coming" event.
NOW = datetime(2026, 11, 28, 10, 0)
UNKNOWN_CODE = "QQQQQQQQQQ"
XSS = "<img src=x onerror=alert(1)>"
BACKTICK = "Warung `${alert(1)}` Bu Tini"
CSRF_VALUE = re.compile(r'(name="csrf_token" value=")[^"]*(")')


@pytest.fixture(autouse=True)
def _clock(app: Flask) -> None:
    app.config["FIXED_NOW"] = NOW


@pytest.fixture
def event(db: Session) -> Event:
    return db.scalars(select(Event).where(Event.slug == EVENT)).one()


@pytest.fixture
def booked(db: Session, event: Event) -> Assignment:
    """An assigned vendor with a phone number in the coming demo event."""
    return db.scalars(
        select(Assignment)
        .join(Vendor, Vendor.id == Assignment.vendor_id)
        .where(
            Assignment.event_id == event.id,
            Assignment.status == "assigned",
            Vendor.phone.is_not(None),
        )
        .order_by(Assignment.id)
        .limit(1)
    ).one()


@pytest.fixture
def booked_food(db: Session, event: Event) -> Assignment:
    """A food vendor's booth: the demo's waitlist is food vendors over the food cap, so a food
    vendor's cancellation makes room for the first of them (releases keep the caps)."""
    return db.scalars(
        select(Assignment)
        .join(Vendor, Vendor.id == Assignment.vendor_id)
        .where(
            Assignment.event_id == event.id,
            Assignment.status == "assigned",
            Vendor.phone.is_not(None),
            Vendor.category == "makanan",
        )
        .order_by(Assignment.id)
        .limit(1)
    ).one()


def _login(client: FlaskClient, vendor: Vendor, **env: Any) -> Any:
    return client.post(
        "/lapak", data={"code": vendor.access_code, "phone4": vendor.phone[-4:]}, environ_base=env
    )


def _masked(body: bytes) -> str:
    return CSRF_VALUE.sub(r"\1…\2", body.decode())


# -- lookup and session ------------------------------------------------------------------------


def test_form_is_indonesian_and_allows_pinch_zoom(client: FlaskClient) -> None:
    resp = client.get("/lapak")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Cek Lapak Saya" in page
    assert "4 angka terakhir nomor HP" in page
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    assert "user-scalable" not in page
    assert "maximum-scale" not in page
    assert "no-store" in resp.headers["Cache-Control"]
    assert "Check my booth" not in page
    assert client.get("/lapak?lang=en").status_code == 200


def test_lookup_shows_the_booth_and_keeps_the_session(
    client: FlaskClient, booked: Assignment
) -> None:
    resp = _login(client, booked.vendor)
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith("/lapak")
    page = client.get("/lapak").get_data(as_text=True)
    assert booked.booth.code in page
    assert "Minggu, 06 Desember 2026" in page
    assert "06.00–09.00" in page
    assert "pl-own-booth" in page  # the highlighted layer's class
    assert "geo:" in page
    assert "openstreetmap.org/?mlat=" in page
    assert "jquery" not in page.lower()
    # a reload does not ask again; "Keluar" forgets the vendor
    assert booked.booth.code in client.get("/lapak").get_data(as_text=True)
    assert client.post("/lapak/keluar").status_code == 303
    after = client.get("/lapak").get_data(as_text=True)
    assert booked.booth.code not in after
    assert 'name="phone4"' in after


def test_code_is_accepted_as_people_type_it(client: FlaskClient, booked: Assignment) -> None:
    code = booked.vendor.access_code
    typed = f"{code[:4].lower()}-{code[4:7]} {code[7:]}"
    resp = client.post("/lapak", data={"code": typed, "phone4": booked.vendor.phone[-4:]})
    assert resp.status_code == 303


def test_json_lookup_and_session_get(client: FlaskClient, booked: Assignment) -> None:
    assert client.get("/api/lapak").status_code == 401
    vendor = booked.vendor
    resp = client.post("/api/lapak", json={"code": vendor.access_code, "phone4": vendor.phone[-4:]})
    assert resp.status_code == 200
    data = resp.get_json()
    [booking] = data["bookings"]
    assert booking["booth"]["code"] == booked.booth.code
    assert booking["event"] == {
        "slug": EVENT,
        "name": booked.event.name,
        "date": "2026-12-06",
        "start": "06:00",
        "end": "09:00",
    }
    assert booking["can_confirm"]
    assert booking["can_cancel"]
    assert booking["navigate"]["geo"].startswith("geo:")
    roles = {f["properties"]["role"] for f in booking["map"]["features"]}
    assert {"own", "occupied", "service_desk", "emergency_lane"} <= roles
    assert client.get("/api/lapak").get_json()["bookings"][0]["assignment_id"] == booked.id


def test_malformed_input_is_refused_before_lookup(client: FlaskClient) -> None:
    assert client.post("/lapak", data={"code": "", "phone4": "1234"}).status_code == 400
    assert client.post("/api/lapak", json={"code": "ABCDEFGHJK", "phone4": "12"}).status_code == 400


def test_waitlisted_vendor_sees_their_place(client: FlaskClient, db: Session, event: Event) -> None:
    run = db.scalars(
        select(AllocationRun)
        .where(AllocationRun.event_id == event.id)
        .order_by(AllocationRun.id.desc())
    ).first()
    assert run is not None
    assert run.result["waitlist"]
    first = db.get(Vendor, int(run.result["waitlist"][0]))
    assert first is not None
    assert first.phone
    _login(client, first)
    data = client.get("/api/lapak").get_json()
    assert data["bookings"] == []
    assert data["waitlist"] == [
        {"event": {"slug": EVENT, "name": event.name, "date": "2026-12-06"}, "position": 1}
    ]
    assert "daftar tunggu" in client.get("/lapak").get_data(as_text=True)


# -- privacy -----------------------------------------------------------------------------------


def _secrets_of(vendor: Vendor) -> list[str]:
    values = [
        vendor.owner_name,
        vendor.business_name,
        vendor.phone,
        vendor.nib,
        vendor.access_code,
        vendor.halal_cert_no,
    ]
    return [v for v in values if v]


def test_no_other_vendor_data_in_page_or_json(
    client: FlaskClient, db: Session, booked: Assignment
) -> None:
    me = booked.vendor
    _login(client, me)
    page = client.get("/lapak").get_data(as_text=True)
    page = html.unescape(CSRF_VALUE.sub("", page))
    api = json.dumps(client.get("/api/lapak").get_json(), ensure_ascii=False)
    mine = " ".join(_secrets_of(me))
    others = db.scalars(select(Vendor).where(Vendor.id != me.id)).all()
    assert len(others) > 100
    leaks = [
        (v.id, s)
        for v in others
        for s in _secrets_of(v)
        if s not in mine and (s in page or s in api)
    ]
    assert leaks == []
    # other booths appear only as shapes: no booth codes but the vendor's own
    codes = set(
        db.scalars(
            select(Booth.code).where(Booth.event_id == booked.event_id, Booth.id != booked.booth_id)
        )
    )
    assert [c for c in codes if re.search(rf"\b{re.escape(c)}\b", page + api)] == []


# -- failures: the same answer for an unknown code and a wrong phone -------------------------


def test_unknown_code_and_wrong_phone_answer_the_same(
    client: FlaskClient, booked: Assignment
) -> None:
    vendor = booked.vendor
    wrong = f"{(int(vendor.phone[-4:]) + 1) % 10000:04d}"
    assert client.application.config["LAPAK_LIMIT_PER_IP"]
    a = client.post("/lapak", data={"code": UNKNOWN_CODE, "phone4": wrong})
    b = client.post("/lapak", data={"code": vendor.access_code, "phone4": wrong})
    assert a.status_code == b.status_code == 401
    assert _masked(a.data) == _masked(b.data)
    assert "tidak cocok" in a.get_data(as_text=True)
    ja = client.post("/api/lapak", json={"code": UNKNOWN_CODE, "phone4": wrong})
    jb = client.post("/api/lapak", json={"code": vendor.access_code, "phone4": wrong})
    assert ja.status_code == jb.status_code == 401
    assert ja.data == jb.data
    assert client.get("/api/lapak").status_code == 401  # nothing was remembered


def test_inactive_vendor_answers_like_an_unknown_code(
    client: FlaskClient, db: Session, booked: Assignment
) -> None:
    vendor = booked.vendor
    vendor.active = False
    db.flush()
    right = client.post(
        "/api/lapak", json={"code": vendor.access_code, "phone4": vendor.phone[-4:]}
    )
    unknown = client.post("/api/lapak", json={"code": UNKNOWN_CODE, "phone4": "1234"})
    assert right.status_code == unknown.status_code == 401
    assert right.data == unknown.data


def test_unknown_code_and_wrong_phone_do_the_same_work(
    app: Flask, client: FlaskClient, booked: Assignment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown code and a known code with the wrong phone are told apart by nothing.

    The mechanism, not a stopwatch: both run the one lookup statement and one constant-time
    comparison, and get the same answer (a timing comparison fails at random on a busy machine).
    """
    from sqlalchemy import event

    import app.services.vendor_access as access

    app.config["RATELIMIT_SCALE"] = 0  # the mechanism, not the limits
    vendor = booked.vendor
    wrong = f"{(int(vendor.phone[-4:]) + 1) % 10000:04d}"
    compared: list[bool] = []
    real = access.phone_matches

    def counting(phone: str | None, active: bool, phone4: str) -> bool:
        result = real(phone, active, phone4)
        compared.append(result)
        return result

    monkeypatch.setattr(access, "phone_matches", counting)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "data_version" not in statement:  # the change counters are read for the cache key
            statements.append(statement)

    engine = app.extensions["petalapak.engine"]
    answers = {}
    for kind, code in (("unknown", UNKNOWN_CODE), ("wrong_phone", vendor.access_code)):
        compared.clear()
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            resp = client.post("/api/lapak", json={"code": code, "phone4": wrong})
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert resp.status_code == 401
        answers[kind] = (resp.get_json(), len(statements), compared[:])
    assert answers["unknown"] == answers["wrong_phone"]
    assert answers["unknown"][2] == [False]  # one constant-time comparison each


# -- rate limits -------------------------------------------------------------------------------


def test_lookups_are_limited_per_ip(client: FlaskClient) -> None:
    for i in range(10):
        resp = client.post("/lapak", data={"code": f"QQQQQQQQ{i:02d}", "phone4": "1234"})
        assert resp.status_code == 401
    limited = client.post("/lapak", data={"code": "QQQQQQQQ99", "phone4": "1234"})
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert "Terlalu banyak percobaan" in limited.get_data(as_text=True)
    api = client.post("/api/lapak", json={"code": "QQQQQQQQ98", "phone4": "1234"})
    assert api.status_code == 429
    assert api.get_json()["error"] == "rate_limited"
    assert "Retry-After" in api.headers
    # another address is not affected
    other = client.post(
        "/lapak",
        data={"code": "QQQQQQQQ97", "phone4": "1234"},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert other.status_code == 401


def test_lookups_are_limited_per_code(client: FlaskClient, booked: Assignment) -> None:
    vendor = booked.vendor
    for i in range(5):
        resp = client.post(
            "/api/lapak",
            json={"code": vendor.access_code, "phone4": "0000"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{i + 1}"},
        )
        assert resp.status_code == 401
    # the right digits from a fresh address are refused too while the code is limited
    limited = _login(client, vendor, REMOTE_ADDR="10.0.0.50")
    assert limited.status_code == 429
    assert 60 < int(limited.headers["Retry-After"]) <= 900
    # ...and so is an unknown code: the limit says nothing about which codes exist
    for i in range(5):
        client.post(
            "/api/lapak",
            json={"code": UNKNOWN_CODE, "phone4": "0000"},
            environ_base={"REMOTE_ADDR": f"10.0.1.{i + 1}"},
        )
    unknown = client.post(
        "/api/lapak",
        json={"code": UNKNOWN_CODE, "phone4": "0000"},
        environ_base={"REMOTE_ADDR": "10.0.1.50"},
    )
    assert unknown.status_code == 429


def test_scale_raises_the_limits_for_benchmarks(app: Flask, client: FlaskClient) -> None:
    app.config["RATELIMIT_SCALE"] = 10
    codes = [
        client.post("/api/lapak", json={"code": f"QQQQQQQQ{i:02d}", "phone4": "1234"}).status_code
        for i in range(25)
    ]
    assert set(codes) == {401}


# -- signed links ------------------------------------------------------------------------------


def test_signed_link_opens_the_page(app: Flask, client: FlaskClient, booked: Assignment) -> None:
    link = vendor_link(booked.vendor, secret_key=app.config["SECRET_KEY"], base_url="http://x")
    path = link.removeprefix("http://x")
    assert path.startswith("/lapak/v/")
    assert len(path) < 120
    resp = client.get(path)
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith("/lapak")
    assert booked.booth.code in client.get("/lapak").get_data(as_text=True)


def test_tampered_or_foreign_link_fails(
    app: Flask, client: FlaskClient, booked: Assignment
) -> None:
    link = vendor_link(booked.vendor, secret_key=app.config["SECRET_KEY"], base_url="")
    flipped = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]
    for bad in (
        flipped,
        link.replace(".", "x", 1),
        "/lapak/v/abc",
        vendor_link(booked.vendor, secret_key="another-secret-0123456789", base_url=""),
    ):
        resp = client.get(bad)
        assert resp.status_code == 404, bad
        assert "tidak sah atau sudah kedaluwarsa" in resp.get_data(as_text=True)
    assert client.get("/api/lapak").status_code == 401


def test_link_expires_and_ends_with_a_new_code(
    app: Flask, db: Session, booked: Assignment, client: FlaskClient
) -> None:
    vendor = booked.vendor
    secret = app.config["SECRET_KEY"]
    token = vendor_link(vendor, secret_key=secret, base_url="").rsplit("/", 1)[1]
    assert vendor_from_token(db, token, secret_key=secret, max_age_s=3600) is vendor
    assert vendor_from_token(db, token, secret_key=secret, max_age_s=-1) is None
    _login(client, vendor)
    assert client.get("/api/lapak").status_code == 200
    vendor.access_code = new_access_code()  # the planner issued a new card
    db.flush()
    assert vendor_from_token(db, token, secret_key=secret, max_age_s=3600) is None
    assert client.get(f"/lapak/v/{token}").status_code == 404
    assert client.get("/api/lapak").status_code == 401  # the old session ended too


def test_cli_prints_the_link(app: Flask, booked: Assignment) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["vendor-link", str(booked.vendor_id), "--base-url", "https://lapak.example"]
    )
    assert result.exit_code == 0, result.output
    link = result.output.strip()
    assert link.startswith("https://lapak.example/lapak/v/")
    missing = runner.invoke(args=["vendor-link", "999999"])
    assert missing.exit_code == 1
    assert "tidak ditemukan" in missing.output


# -- confirm and cancel ------------------------------------------------------------------------


def _audit(db: Session, assignment_id: int, after: int = 0) -> list[AuditEntry]:
    """The assignment's audit entries with an id above ``after`` (what this test wrote: the
    e2e tests earlier in the run commit moves of the demo's vendors, with their audit)."""
    return list(
        db.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.entity == "assignment",
                AuditEntry.entity_id == assignment_id,
                AuditEntry.id > after,
            )
            .order_by(AuditEntry.id)
        )
    )


def _last_audit_id(db: Session) -> int:
    return db.scalar(select(func.coalesce(func.max(AuditEntry.id), 0))) or 0


def test_vendor_confirms_attendance(client: FlaskClient, db: Session, booked: Assignment) -> None:
    _login(client, booked.vendor)
    start = _last_audit_id(db)
    resp = client.post(f"/lapak/hadir/{booked.id}")
    assert resp.status_code == 303
    db.refresh(booked)
    assert booked.confirmed_at is not None
    assert booked.status == "assigned"
    [entry] = [e for e in _audit(db, booked.id, start) if e.action == "update"]
    assert entry.actor == f"vendor:{booked.vendor_id}"
    assert entry.user_id is None
    assert entry.after
    assert entry.after["confirmed_at"]
    page = client.get("/lapak").get_data(as_text=True)
    assert "kehadiran Anda sudah dicatat" in page
    assert "Anda sudah menyatakan hadir" in page
    # a second confirmation changes nothing
    client.post(f"/api/lapak/assignments/{booked.id}/confirm")
    assert len([e for e in _audit(db, booked.id, start) if e.action == "update"]) == 1


def test_vendor_cancels_and_the_waitlist_gets_the_booth(
    client: FlaskClient, db: Session, booked_food: Assignment
) -> None:
    booked = booked_food
    _login(client, booked.vendor)
    before = db.scalar(select(func.max(AuditEntry.id))) or 0
    resp = client.post(f"/api/lapak/assignments/{booked.id}/cancel")
    assert resp.status_code == 200, resp.get_json()
    data = resp.get_json()
    assert data["message"]
    assert data["bookings"][0]["status"] == "cancelled"
    assert not data["bookings"][0]["can_cancel"]
    db.refresh(booked)
    assert booked.status == "cancelled"
    offer = db.scalars(
        select(Assignment).where(
            Assignment.booth_id == booked.booth_id, Assignment.status.in_(HOLDING_STATUSES)
        )
    ).one()
    run = db.scalars(
        select(AllocationRun)
        .where(AllocationRun.event_id == booked.event_id)
        .order_by(AllocationRun.id.desc())
    ).first()
    assert run is not None
    assert offer.vendor_id in run.result["waitlist"]
    assert offer.vendor_id != booked.vendor_id
    entries = [e for e in _audit(db, booked.id) + _audit(db, offer.id) if e.id > before]
    assert {(e.entity_id, e.action) for e in entries} == {
        (booked.id, "update"),
        (offer.id, "create"),
    }
    assert {e.actor for e in entries} == {f"vendor:{booked.vendor_id}"}
    # cancelling twice is refused cleanly
    again = client.post(f"/api/lapak/assignments/{booked.id}/cancel")
    assert again.status_code == 409
    page = client.get("/lapak").get_data(as_text=True)
    assert "sudah dilepas" in page
    assert "Saya hadir" not in page


def test_vendor_cannot_answer_for_someone_else(
    client: FlaskClient, db: Session, booked: Assignment
) -> None:
    other = db.scalars(
        select(Assignment).where(
            Assignment.event_id == booked.event_id,
            Assignment.id != booked.id,
            Assignment.status == "assigned",
        )
    ).first()
    assert other is not None
    assert client.post(f"/api/lapak/assignments/{other.id}/cancel").status_code == 401
    _login(client, booked.vendor)
    assert client.post(f"/api/lapak/assignments/{other.id}/cancel").status_code == 404
    assert client.post(f"/lapak/batal/{other.id}").status_code == 303
    db.refresh(other)
    assert other.status == "assigned"


def test_csrf_is_required_for_form_and_json(
    database_url: str, db: Session, booked: Assignment
) -> None:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-0123456789",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "FIXED_NOW": NOW,
        },
        session=db,
    )
    client = app.test_client()
    vendor = booked.vendor
    body = {"code": vendor.access_code, "phone4": vendor.phone[-4:]}
    assert client.post("/lapak", data=body).status_code == 400
    missing = client.post("/api/lapak", json=body)
    assert missing.status_code == 400
    assert missing.get_json()["error"] == "csrf"
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/lapak").get_data(as_text=True)
    )
    assert token
    assert (
        client.post("/api/lapak", json=body, headers={"X-CSRFToken": token.group(1)}).status_code
        == 200
    )
    assert client.post("/lapak", data=body | {"csrf_token": token.group(1)}).status_code == 303


# -- escaping and weight -----------------------------------------------------------------------


def test_vendor_names_show_as_text(client: FlaskClient, db: Session, event: Event) -> None:
    city = db.scalars(select(City).where(City.slug == "pontianak")).one()
    vendor = vendor_svc.create_vendor(
        db,
        city=city,
        today=TODAY,
        data={
            "owner_name": XSS,
            "business_name": BACKTICK,
            "category": "kerajinan",
            "phone": "081299990123",
        },
    )
    taken = select(Assignment.booth_id).where(
        Assignment.event_id == event.id, Assignment.status.in_(HOLDING_STATUSES)
    )
    booth = db.scalars(
        select(Booth)
        .where(Booth.event_id == event.id, Booth.kind == "vendor", Booth.id.not_in(taken))
        .order_by(Booth.code)
    ).first()
    assert booth is not None
    db.add(Assignment(event=event, booth=booth, vendor=vendor, status="assigned"))
    db.commit()
    client.post("/lapak", data={"code": vendor.access_code, "phone4": "0123"})
    page = client.get("/lapak").get_data(as_text=True)
    assert booth.code in page
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "Warung `${alert(1)}` Bu Tini" in page  # as text in the heading
    scripts = " ".join(re.findall(r"<script[^>]*>(.*?)</script>", page, flags=re.S))
    assert "alert(1)" not in scripts
    assert "Bu Tini" not in scripts


def _local_assets(page: str) -> list[str]:
    refs = re.findall(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="([^"]+)"', page)
    return [r for r in refs if r.startswith("/") and not r.startswith("//")]


def test_page_weight_without_tiles_is_under_300_kb(client: FlaskClient, booked: Assignment) -> None:
    """HTML plus every local asset it references (and the CSS's images), as served gzipped."""
    _login(client, booked.vendor)
    gzip = {"Accept-Encoding": "gzip, deflate"}
    resp = client.get("/lapak", headers=gzip)
    assert resp.headers.get("Content-Encoding") == "gzip"
    sizes = {"/lapak": len(resp.data)}
    page = client.get("/lapak").get_data(as_text=True)
    queue = _local_assets(page)
    while queue:
        url = queue.pop()
        if url in sizes:
            continue
        with client.get(url, headers=gzip) as asset:
            assert asset.status_code == 200, url
            sizes[url] = len(asset.data)
        if url.endswith(".css"):
            with client.get(url) as plain:
                text = plain.get_data(as_text=True)
            for ref in re.findall(r"url\(['\"]?([^'\")]+)['\"]?\)", text):
                if not ref.startswith("data:"):
                    queue.append(urldefrag(urljoin(url, ref)).url)
    total = sum(sizes.values())
    # ~61 KB on the demo: static files are served gzipped (app/static_files.py); Leaflet's
    # 42 KB dominate.
    assert any(u.endswith("leaflet.js") for u in sizes)
    assert not any("jquery" in u for u in sizes)
    assert total <= 300 * 1024, sizes
