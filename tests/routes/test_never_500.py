"""Hostile input that answered 500 before: each now answers 4xx with a clear message, in the
form of its area (OGC exception JSON on /ogc, JSON on /api, a page elsewhere)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import AllocationRun, Zone

UPCOMING = "cfd-2026-12-06"
WORKSPACE = "/api/workspace/pontianak/layers"
HUGE = ("2147483648", "9223372036854775808", "18446744073709551616")
SQUARE = [
    [109.3380, -0.0300],
    [109.3382, -0.0300],
    [109.3382, -0.0302],
    [109.3380, -0.0302],
    [109.3380, -0.0300],
]


def _zone(**props: Any) -> dict[str, Any]:
    props.setdefault("name", "Zona uji")
    props.setdefault("kind", "pkl_legal")
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
        "properties": props,
    }


@pytest.fixture
def zone(db: Session) -> Zone:
    return db.scalars(select(Zone).order_by(Zone.id)).first()  # type: ignore[return-value]


# -- ids past PostgreSQL's integer -------------------------------------------------------------


@pytest.mark.parametrize("ident", HUGE)
def test_ogc_item_with_a_huge_id_is_an_ogc_404(client: FlaskClient, ident: str) -> None:
    resp = client.get(f"/ogc/collections/zones/items/{ident}")
    assert resp.status_code == 404
    assert resp.json is not None and resp.json["code"] == "NotFound"


@pytest.mark.parametrize("ident", HUGE)
def test_staff_json_paths_with_a_huge_id_are_json_404(
    client: FlaskClient, auth: Any, ident: str
) -> None:
    auth.login("planner")
    for method, url in (
        ("GET", f"/api/vendors/{ident}"),
        ("PATCH", f"/api/vendors/{ident}"),
        ("POST", f"/api/vendors/{ident}/deactivate"),
        ("PUT", f"{WORKSPACE}/zones/{ident}"),
        ("DELETE", f"{WORKSPACE}/zones/{ident}?version=1"),
        ("POST", f"/api/crew/events/{UPCOMING}/checkin/{ident}"),
        ("POST", f"/api/lapak/assignments/{ident}/confirm"),
    ):
        resp = client.open(url, method=method, json={})
        assert resp.status_code == 404, (method, url, resp.status_code)
        assert resp.is_json and resp.json["error"] == "not_found", (method, url)
        assert resp.json["message"] == "Tidak ditemukan."


@pytest.mark.parametrize("ident", HUGE)
def test_pages_with_a_huge_id_are_the_404_page(client: FlaskClient, auth: Any, ident: str) -> None:
    auth.login("planner")
    for method, url in (
        ("GET", f"/crew/b/{ident}"),
        ("GET", f"/planner/vendors/{ident}"),
        ("POST", f"/crew/events/{UPCOMING}/checkin/{ident}"),
        ("POST", f"/planner/events/{UPCOMING}/assignments/{ident}/pin"),
        ("POST", f"/planner/events/{UPCOMING}/assignments/{ident}/move"),
        ("POST", f"/lapak/hadir/{ident}"),
        ("POST", f"/lapak/batal/{ident}"),
    ):
        resp = client.open(url, method=method)
        assert resp.status_code == 404, (method, url, resp.status_code)
        assert resp.mimetype == "text/html"
        assert "Tidak ditemukan" in resp.get_data(as_text=True)


def test_a_page_number_past_64_bits_is_a_clear_400(client: FlaskClient, auth: Any) -> None:
    auth.login("planner")
    resp = client.get(f"/api/vendors?page={HUGE[-1]}")
    assert resp.status_code == 400
    assert "page" in resp.json["message"] and "rentang" in resp.json["message"]
    assert "out of range" in resp.json["message_en"]
    page = client.get(f"/planner/vendors/?page={HUGE[-1]}")
    assert page.status_code == 400 and page.mimetype == "text/html"
    assert "di luar rentang" in page.get_data(as_text=True)
    assert client.get("/planner/vendors/?page=2").status_code == 200


def test_a_nul_character_is_refused_before_any_query(client: FlaskClient, auth: Any) -> None:
    auth.login("crew")
    assert client.get("/api/cities/%00/zones").status_code == 404
    resp = client.get("/tiles/booths/16/52196/32773.mvt?event=%00")
    assert resp.status_code == 400
    resp = client.get(f"{WORKSPACE}/booths?event=%00")
    assert resp.status_code == 400 and "NUL" in resp.json["message"]


# -- JSON of the wrong shape --------------------------------------------------------------------

WRONG_SHAPES = (
    "[]",
    '[{"feature": {}}]',
    '"abc"',
    "{",
    "[" * 1000 + "]" * 1000,
    "[" * 100_000 + "]" * 100_000,
    '{"feature": "abc", "version": 1}',
    '{"feature": ["abc"], "version": 1}',
    '{"feature": {"type": "Feature", "properties": "abc"}, "version": 1}',
    '{"feature": {}, "version": 1e309}',
    '{"feature": {}, "version": NaN}',
    '{"feature": {}, "event": ["x"]}',
)


@pytest.mark.parametrize("body", WRONG_SHAPES, ids=lambda b: b[:24])
def test_workspace_writes_refuse_json_of_the_wrong_shape(
    client: FlaskClient, auth: Any, zone: Zone, body: str
) -> None:
    auth.login("planner")
    for method, url in (("POST", f"{WORKSPACE}/zones"), ("PUT", f"{WORKSPACE}/zones/{zone.id}")):
        resp = client.open(url, method=method, data=body, content_type="application/json")
        assert resp.status_code == 400, (method, body[:30], resp.status_code)
        assert resp.is_json and resp.json["message"], (method, body[:30])


def test_a_version_past_any_integer_is_refused(client: FlaskClient, auth: Any, zone: Zone) -> None:
    auth.login("planner")
    for version in ("1e309", "18446744073709551616", "true", "1.5", '"abc"'):
        resp = client.put(
            f"{WORKSPACE}/zones/{zone.id}",
            data=f'{{"feature": {{}}, "version": {version}}}',
            content_type="application/json",
        )
        assert resp.status_code == 400, version
        assert resp.json["error"] in ("version_required", "bad_request", "ServiceError")
    resp = client.delete(f"{WORKSPACE}/zones/{zone.id}?version={HUGE[-1]}")
    assert resp.status_code == 400 and resp.json["error"] == "version_required"


@pytest.mark.parametrize("body", WRONG_SHAPES[:6], ids=lambda b: b[:24])
def test_layout_api_refuses_json_of_the_wrong_shape(
    client: FlaskClient, auth: Any, body: str
) -> None:
    auth.login("planner")
    resp = client.post(
        f"/api/events/{UPCOMING}/layout?dry_run=1", data=body, content_type="application/json"
    )
    assert resp.status_code == 400
    assert resp.is_json and resp.json["message"]


@pytest.mark.parametrize(
    "value", ["1e309", "NaN", "-1", '"inf"', '"nan"', "[]", "{}", "1e308"], ids=str
)
def test_layout_api_refuses_numbers_no_street_can_take(
    client: FlaskClient, auth: Any, value: str
) -> None:
    auth.login("planner")
    resp = client.post(
        f"/api/events/{UPCOMING}/layout?dry_run=1",
        data=f'{{"booth_width_m": {value}}}',
        content_type="application/json",
    )
    assert resp.status_code == 400, value
    assert resp.is_json and resp.json["message"]


@pytest.mark.parametrize("body", WRONG_SHAPES[:6], ids=lambda b: b[:24])
def test_lapak_api_refuses_json_of_the_wrong_shape(client: FlaskClient, body: str) -> None:
    resp = client.post("/api/lapak", data=body, content_type="application/json")
    assert 400 <= resp.status_code < 500
    assert resp.is_json and resp.json["message"]


# -- allocation settings typed in the form --------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("seed", "nan", "seed"),
        ("seed", "-1", "seed"),
        ("seed", "2147483648", "seed"),
        ("seed", "1e3", "seed"),
        ("neighbour_weight", "nan", "neighbour_weight"),
        ("neighbour_weight", "inf", "neighbour_weight"),
        ("neighbour_weight", "-inf", "neighbour_weight"),
        ("neighbour_weight", "1e309", "neighbour_weight"),
        ("neighbour_weight", "1000", "neighbour_weight"),
        ("caps", "makanan=-1", "makanan"),
        ("caps", "makanan=nan", "makanan"),
        ("caps", "makanan=3000000000", "makanan"),
        ("caps", "makanan", "makanan"),
        ("caps", "sayur=5", "sayur"),
    ],
)
def test_allocation_form_refuses_bad_settings_with_a_message(
    client: FlaskClient, auth: Any, db: Session, field: str, value: str, words: str
) -> None:
    auth.login("planner")
    runs = db.scalar(select(func.count()).select_from(AllocationRun))
    form = {"seed": "7", "neighbour_weight": "1", "caps": "", field: value}
    resp = client.post(f"/planner/events/{UPCOMING}/allocate", data=form)
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert words in page
    assert db.scalar(select(func.count()).select_from(AllocationRun)) == runs


def test_allocation_form_takes_good_settings(client: FlaskClient, auth: Any, db: Session) -> None:
    auth.login("planner")
    form = {"seed": "7", "neighbour_weight": "-0.5", "caps": "makanan=45\nB:minuman=3"}
    # the event is published: the first post lists who moves, the confirmed one runs
    preview = client.post(f"/planner/events/{UPCOMING}/allocate", data=form)
    assert preview.status_code == 200 and "berpindah lapak" in preview.get_data(as_text=True)
    resp = client.post(f"/planner/events/{UPCOMING}/allocate", data=form | {"confirm": "1"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    run = db.scalars(select(AllocationRun).order_by(AllocationRun.id.desc())).first()
    assert run is not None and run.seed == 7


# -- imports: a report per feature, never a database error ---------------------------------------


def _geojson(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


@pytest.mark.parametrize("dry_run", ["1", "0"])
def test_import_reports_values_the_columns_cannot_hold(
    client: FlaskClient, auth: Any, db: Session, dry_run: str
) -> None:
    auth.login("planner")
    zones = db.scalar(select(func.count()).select_from(Zone))
    data = _geojson(
        _zone(name="Zona baik"),
        _zone(name="Z" * 161),
        _zone(name="Zona besar", capacity=3_000_000_000),
        _zone(name="Zona\u0000nul"),
        _zone(name="Zona daftar", description={"a": 1}),
    )
    resp = client.post(
        f"/api/layers/pontianak/zones/import?dry_run={dry_run}",
        data={"file": (io.BytesIO(data), "zona.geojson")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422
    problems = {(p["index"], p["field"]): p for p in resp.json["problems"]}
    assert set(problems) == {(1, "name"), (2, "capacity"), (3, "name"), (4, "description")}
    assert "161" in problems[(1, "name")]["message_id"]
    assert "160" in problems[(1, "name")]["message_en"]
    assert "3000000000" in problems[(2, "capacity")]["message_en"]
    assert resp.json["written"] is False
    assert db.scalar(select(func.count()).select_from(Zone)) == zones


def test_map_edit_reports_a_name_longer_than_its_column(client: FlaskClient, auth: Any) -> None:
    auth.login("planner")
    resp = client.post(f"{WORKSPACE}/zones", json={"feature": _zone(name="Z" * 200)})
    assert resp.status_code == 400
    assert resp.json["problems"][0]["field"] == "name"


# -- CSRF on JSON APIs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "words"), [("id", "Sesi formulir kedaluwarsa"), ("en", "The form session has expired")]
)
def test_csrf_failure_on_a_json_api_is_json_in_the_readers_language(
    app: Flask, client: FlaskClient, auth: Any, lang: str, words: str
) -> None:
    auth.login("planner")
    client.get(f"/planner/?lang={lang}")  # the choice is kept in the session
    app.config["WTF_CSRF_ENABLED"] = True
    for method, url in (
        ("POST", f"{WORKSPACE}/zones"),
        ("POST", "/api/workspace/pontianak/undo"),
        ("POST", f"/api/events/{UPCOMING}/layout"),
        ("POST", "/api/layers/pontianak/zones/import"),
        ("POST", "/api/vendors"),
        ("POST", "/api/lapak"),
    ):
        resp = client.open(url, method=method, json={"feature": _zone()})
        assert resp.status_code == 400, url
        assert resp.is_json, (url, resp.data[:80])
        assert resp.json["error"] == "csrf"
        assert words in resp.json["message"], (url, resp.json)


def test_csrf_failure_on_a_form_is_a_page(app: Flask, client: FlaskClient, auth: Any) -> None:
    auth.login("planner")
    app.config["WTF_CSRF_ENABLED"] = True
    resp = client.post(f"/planner/events/{UPCOMING}/status", data={"status": "draft"})
    assert resp.status_code == 400 and resp.mimetype == "text/html"
    assert "Sesi formulir kedaluwarsa" in resp.get_data(as_text=True)
