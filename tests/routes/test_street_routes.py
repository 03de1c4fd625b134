"""Street report pages: who may open them, the officer's answer on the spot, the office's list,
the status flow, exports and photos (the demo city: Pontianak)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask.testing import FlaskClient
from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import City, Zone

#: A spot inside the demo's red zone Jl. Gajah Mada; the tests put a hydrant 1.2 m east of it.
M = 1 / 111_320


@pytest.fixture
def red_spot(db: Session, make_facility: Any) -> tuple[float, float]:
    city = db.scalars(select(City).where(City.slug == "pontianak")).one()
    zone = db.scalars(select(Zone).where(Zone.name == "Jl. Gajah Mada")).one()
    spot = db.scalar(select(Zone.geom.ST_PointOnSurface()).where(Zone.id == zone.id))
    from geoalchemy2.shape import to_shape

    point = to_shape(spot)
    make_facility(
        city=city,
        kind="hydrant",
        name="Hidran Uji Gajah Mada",
        geom=from_shape(Point(point.x + 1.2 * M, point.y), 4326),
    )
    return point.x, point.y


def _post(client: FlaskClient, lon: float, lat: float, **extra: Any) -> Any:
    data = {"lon": str(lon), "lat": str(lat), "kind": "cart", "count": "2", "note": "bakso"}
    data.update(extra)
    return client.post("/lapor", data=data, headers={"Accept": "application/json"})


def test_officer_files_a_report_and_sees_rule_distance_and_green_zone(
    client: FlaskClient, auth: Any, red_spot: tuple[float, float]
) -> None:
    auth.login(role="petugas")
    page = client.get("/lapor")
    assert page.status_code == 200 and b'id="lapor-map"' in page.data
    resp = _post(client, *red_spot)
    assert resp.status_code == 201, resp.data
    check = resp.get_json()["check"]
    assert check["zone"]["colour"] == "red"
    assert check["zone"]["message"] == "Zona merah: Jl. Gajah Mada. Berjualan di sini dilarang."
    messages = [c["message"] for c in check["clearances"]]
    assert "1,2 m dari hidran 'Hidran Uji Gajah Mada' — minimal 3 m" in messages
    green = check["nearest_green"]
    assert green["name"] == "Pasar Tengah - Jl. Asahan" and green["free_spots"] == 120
    assert (
        green["message"] == f"Pasar Tengah - Jl. Asahan, {green['distance_m']} m, 120 lapak kosong"
    )
    en = client.post(
        "/lapor?lang=en",
        data={"lon": str(red_spot[0]), "lat": str(red_spot[1]), "kind": "tent", "count": "1"},
        headers={"Accept": "application/json"},
    ).get_json()["check"]
    assert en["zone"]["message"] == "Red zone: Jl. Gajah Mada. Vending is not allowed here."
    assert en["nearest_green"]["message"].endswith("120 free spots")


@pytest.mark.parametrize(
    "data",
    [
        {"lon": "", "lat": ""},
        {"lon": "nan", "lat": "-0.03"},
        {"lon": "109.33", "lat": "-0.03", "count": "banyak"},
        {"lon": "109.33", "lat": "-0.03", "kind": "<script>"},
        {"lon": "1e400", "lat": "-0.03"},
        {"lon": "109.33", "lat": "-0.03", "count": "99999999999999999999"},
    ],
)
def test_bad_reports_get_a_message_never_a_5xx(
    client: FlaskClient, auth: Any, data: dict[str, str]
) -> None:
    auth.login(role="petugas")
    body = {"kind": "cart", "count": "1", **data}
    resp = client.post("/lapor", data=body, headers={"Accept": "application/json"})
    assert resp.status_code == 400, resp.data
    assert resp.get_json()["message"]
    plain = client.post("/lapor", data=body)
    assert plain.status_code == 303


def test_crew_cannot_file_or_read_reports_and_petugas_cannot_plan(
    client: FlaskClient, auth: Any
) -> None:
    auth.login(role="crew")
    assert client.get("/lapor").status_code == 403
    assert client.get("/laporan").status_code == 403
    auth.logout()
    auth.login(role="petugas")
    for url in ("/planner/", "/planner/map", "/planner/vendors/", "/planner/users"):
        assert client.get(url).status_code == 403, url
    assert client.post("/api/workspace/pontianak/layers/zones", json={}).status_code == 403
    assert client.get("/api/workspace/pontianak/layers/zones").status_code == 200


def test_office_list_flow_to_relocation_and_exports(
    client: FlaskClient, auth: Any, red_spot: tuple[float, float], db: Session
) -> None:
    auth.login(role="petugas")
    report_id = _post(client, *red_spot, note="=cmd|' /C calc'!A0").get_json()["id"]
    auth.logout()
    auth.login(role="planner")
    listing = client.get("/laporan?status=baru&colour=red&facility=hydrant")
    assert listing.status_code == 200
    assert f'href="/laporan/{report_id}"'.encode() in listing.data
    assert f'href="/laporan/{report_id}"'.encode() not in client.get("/laporan?colour=green").data
    assert client.get("/laporan?week=bukan-tanggal").status_code == 400
    assert client.get("/laporan?status=hilang").status_code == 400
    sneaky = client.get("/laporan?_external=1&_scheme=javascript&colour=red")
    assert sneaky.status_code == 200 and b"javascript:" not in sneaky.data

    green = db.scalars(select(Zone).where(Zone.kind == "pkl_legal")).first()
    assert green is not None
    steps = [
        {"status": "ditinjau", "note": "sudah dicek"},
        {"status": "direlokasi", "note": "ke Pasar Tengah", "zone_id": str(green.id)},
    ]
    for step in steps:
        resp = client.post(f"/laporan/{report_id}/status", data=step)
        assert resp.status_code == 303
    page = client.get(f"/laporan/{report_id}")
    assert b"Direlokasi" in page.data and b"ke Pasar Tengah" in page.data
    assert b"Pasar Tengah - Jl. Asahan" in page.data
    # a step that is not next is refused with a message, not an error page
    again = client.post(f"/laporan/{report_id}/status", data={"status": "baru"})
    assert again.status_code == 303

    rows = list(csv.reader(io.StringIO(client.get("/laporan/export.csv").get_data(as_text=True))))
    row = next(r for r in rows[1:] if r[0] == str(report_id))
    assert row[rows[0].index("note")].startswith("'=")
    fc = client.get("/laporan/export.geojson").get_json()
    assert any(f["id"] == report_id for f in fc["features"])
    assert all("reporter" not in f["properties"] for f in fc["features"])


def test_photos_are_served_to_staff_only(
    client: FlaskClient, auth: Any, red_spot: tuple[float, float]
) -> None:
    from PIL import Image

    raw = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(raw, format="JPEG")
    auth.login(role="petugas")
    resp = client.post(
        "/lapor",
        data={
            "lon": str(red_spot[0]),
            "lat": str(red_spot[1]),
            "kind": "stall",
            "count": "1",
            "photo": (io.BytesIO(raw.getvalue()), "foto.jpg"),
        },
        headers={"Accept": "application/json"},
        content_type="multipart/form-data",
    )
    report_id = resp.get_json()["id"]
    photo = client.get(f"/laporan/{report_id}/foto")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert "no-store" in photo.headers["Cache-Control"]
    auth.logout()
    assert client.get(f"/laporan/{report_id}/foto").status_code in (302, 401)


def test_street_maps_open_on_the_streets_of_the_demo_city(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    """/lapor and /laporan open on the zones and facilities, not the city's whole boundary."""
    import json
    import re

    from app.services import street_reports as svc

    city = db.scalars(select(City).where(City.slug == "pontianak")).one()
    whole = svc.city_bounds(city)
    auth.login(role="planner")
    for url, element in (("/lapor", "lapor-map"), ("/laporan", "office-map")):
        page = client.get(url).get_data(as_text=True)
        found = re.search(rf'id="{element}"[^>]*data-bounds=\'([^\']+)\'', page, re.S)
        assert found, url
        west, south, east, north = json.loads(found.group(1))
        assert [west, south, east, north] == svc.city_map_bounds(db, city), url
        # inside the boundary, and much smaller: the streets fill the phone's screen
        assert whole[0] <= west < east <= whole[2] and whole[1] <= south < north <= whole[3]
        assert (east - west) * (north - south) < (whole[2] - whole[0]) * (whole[3] - whole[1]) / 4
