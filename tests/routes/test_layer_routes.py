"""/api/layers: exports for staff (private vendor data for planners only), imports for planners."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Assignment, Event, Vendor, Zone

GOOD = [
    [109.3400, -0.0400],
    [109.3402, -0.0400],
    [109.3402, -0.0402],
    [109.3400, -0.0402],
    [109.3400, -0.0400],
]
BOWTIE = [
    [109.3410, -0.0400],
    [109.3412, -0.0402],
    [109.3412, -0.0400],
    [109.3410, -0.0402],
    [109.3410, -0.0400],
]
PHONE, NIB = "081299887766", "9876543210123"


@pytest.fixture
def event(db: Session) -> Event:
    """The MikroDOTS event, with one booth assigned to a vendor with private data."""
    event = db.scalars(select(Event).where(Event.slug == "cfd-mikrodots-2025-11-23")).one()
    assigned = db.scalars(
        select(Assignment).where(Assignment.event_id == event.id).order_by(Assignment.id)
    ).first()  # from the demo allocation
    assert assigned is not None
    assigned.status = "checked_in"
    assigned.vendor.phone, assigned.vendor.nib = PHONE, NIB
    db.flush()
    return event


def _zones_geojson(*rings: list[list[float]]) -> bytes:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {"Nama": f"Zona unggah {i}", "jenis": "pkl_legal"},
        }
        for i, ring in enumerate(rings)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def _upload(client: FlaskClient, data: bytes, filename: str, query: str = "") -> Any:
    return client.post(
        f"/api/layers/pontianak/zones/import{query}",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def _zone_count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Zone)) or 0


def test_export_needs_login(client: FlaskClient) -> None:
    resp = client.get("/api/layers/pontianak/zones/export?format=csv")
    assert resp.status_code == 401


@pytest.mark.parametrize(
    ("fmt", "mimetype", "magic"),
    [
        ("geojson", "application/geo+json", b"{"),
        ("gpkg", "application/geopackage+sqlite3", b"SQLite format 3"),
        ("csv", "text/csv", "\ufeff".encode()),
        ("kml", "application/vnd.google-earth.kml+xml", b"<?xml"),
    ],
)
def test_crew_can_export_every_format(
    client: FlaskClient, auth: Any, fmt: str, mimetype: str, magic: bytes
) -> None:
    auth.login("crew")
    resp = client.get(f"/api/layers/pontianak/facilities/export?format={fmt}")
    assert resp.status_code == 200
    assert resp.mimetype == mimetype
    assert resp.data.startswith(magic)
    assert f"pontianak-facilities.{fmt}" in resp.headers["Content-Disposition"]


def test_crew_booth_export_hides_private_vendor_data(
    client: FlaskClient, auth: Any, event: Event, db: Session
) -> None:
    auth.login("crew")
    vendor = db.scalars(select(Vendor).where(Vendor.phone == PHONE)).one()
    for fmt in ("csv", "geojson", "gpkg", "kml"):
        resp = client.get(f"/api/layers/pontianak/booths/export?format={fmt}&event={event.slug}")
        assert resp.status_code == 200
        for secret in (PHONE, NIB, vendor.access_code, vendor.owner_name):
            assert secret.encode() not in resp.data, (fmt, secret)
    text = client.get(
        f"/api/layers/pontianak/booths/export?format=csv&event={event.slug}"
    ).data.decode("utf-8-sig")
    header = text.splitlines()[0]
    assert "vendor_business_name" in header
    assert "vendor_phone" not in header
    assert vendor.business_name in text
    assert "checked_in" in text


def test_planner_booth_export_includes_private_vendor_data(
    client: FlaskClient, auth: Any, event: Event, db: Session
) -> None:
    auth.login("planner")
    resp = client.get(f"/api/layers/pontianak/booths/export?format=geojson&event={event.slug}")
    assert resp.status_code == 200
    assert "no-store" in resp.headers["Cache-Control"]
    vendor = db.scalars(select(Vendor).where(Vendor.phone == PHONE)).one()
    props = next(
        f["properties"]
        for f in resp.get_json()["features"]
        if f["properties"]["vendor_phone"] == PHONE
    )
    assert (props["vendor_phone"], props["vendor_nib"], props["vendor_access_code"]) == (
        PHONE,
        NIB,
        vendor.access_code,
    )


def test_export_errors(client: FlaskClient, auth: Any) -> None:
    auth.login("crew")
    assert client.get("/api/layers/pontianak/zones/export?format=shp").status_code == 400
    assert client.get("/api/layers/pontianak/kebun/export").status_code == 400
    assert client.get("/api/layers/pontianak/booths/export?format=csv").status_code == 400
    assert client.get("/api/layers/atlantis/zones/export").status_code == 404


def test_crew_cannot_import(client: FlaskClient, auth: Any, db: Session) -> None:
    auth.login("crew")
    resp = _upload(client, _zones_geojson(GOOD), "zona.geojson")
    assert resp.status_code == 403


def test_dry_run_previews_then_import_writes(client: FlaskClient, auth: Any, db: Session) -> None:
    auth.login("planner")
    before = _zone_count(db)
    resp = _upload(client, _zones_geojson(GOOD), "zona.geojson", "?dry_run=1")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["dry_run"]
    assert body["ok"]
    assert not body["written"]
    assert (body["total"], body["created"]) == (1, 1)
    assert body["source"]["crs_assumed"]
    assert body["source"]["notes"][0]["message_en"]
    assert _zone_count(db) == before
    resp = _upload(client, _zones_geojson(GOOD), "zona.geojson")
    assert resp.status_code == 200
    assert resp.get_json()["written"]
    assert _zone_count(db) == before + 1
    assert db.scalars(select(Zone).where(Zone.name == "Zona unggah 0")).one().kind == "pkl_legal"


def test_bad_feature_is_reported_by_index_and_nothing_is_written(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    auth.login("planner")
    before = _zone_count(db)
    resp = _upload(client, _zones_geojson(GOOD, BOWTIE), "zona.geojson")
    assert resp.status_code == 422
    body = resp.get_json()
    assert not body["written"]
    assert [(p["index"], p["field"]) for p in body["problems"]] == [(1, "geometry")]
    assert _zone_count(db) == before


def test_import_csv_upload(client: FlaskClient, auth: Any, db: Session) -> None:
    auth.login("planner")
    csv = (
        'Nama,Jenis,WKT\nZona CSV,no_vending,"POLYGON ((109.34 -0.04, 109.3402 -0.04, '
        '109.3402 -0.0402, 109.34 -0.0402, 109.34 -0.04))"\n'
    )
    resp = _upload(client, csv.encode(), "zona.csv")
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["source"]["format"] == "csv"


def test_zip_path_traversal_upload_is_refused(client: FlaskClient, auth: Any) -> None:
    auth.login("planner")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("../../evil.shp", b"x")
    resp = _upload(client, buffer.getvalue(), "zona.zip")
    assert resp.status_code == 400
    assert "unsafe path" in resp.get_json()["message_en"]


def test_import_needs_a_supported_file(client: FlaskClient, auth: Any) -> None:
    auth.login("planner")
    assert _upload(client, b"MZ\x90\x00", "program.exe").status_code == 400
    resp = client.post(
        "/api/layers/pontianak/zones/import", data={}, content_type="multipart/form-data"
    )
    assert resp.status_code == 400
    assert resp.get_json()["error"] == "no_file"


def test_upload_over_the_limit_is_refused(client: FlaskClient, auth: Any, app: Any) -> None:
    auth.login("planner")
    app.config["MAX_CONTENT_LENGTH"] = 1000
    resp = _upload(client, b" " * 5000, "zona.geojson")
    assert resp.status_code == 413
