"""Street reports as an OGC API collection: staff tokens and planners read it (QGIS), the public
never sees it, and its filters work."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import City
from app.services.street_reports import file_report

TOKEN = "token-for-the-street-reports-0123456789"
NOW = datetime(2026, 12, 6, 8, 0, tzinfo=ZoneInfo("Asia/Pontianak"))


@pytest.fixture
def reports(db: Session, make_user: Any, tmp_path: Path) -> list[int]:
    city = db.scalars(select(City).where(City.slug == "pontianak")).one()
    officer = make_user(role="petugas")
    ids = []
    for kind in ("cart", "tent"):
        report, _check = file_report(
            db,
            city=city,
            lon=109.3425,
            lat=-0.0263,
            kind=kind,
            count=2,
            note="=HYPERLINK(1)",
            photo=None,
            photo_dir=tmp_path,
            reporter=officer,
            now=NOW,
        )
        ids.append(report.id)
    return ids


@pytest.fixture
def token_app(app: Flask) -> Flask:
    app.config["API_TOKENS"] = (TOKEN,)
    return app


def test_token_reads_the_street_reports_collection(
    token_app: Flask, client: FlaskClient, reports: list[int]
) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    listed = client.get("/ogc/collections?f=json", headers=auth).get_json()
    assert "street-reports" in [c["id"] for c in listed["collections"]]
    page = client.get("/ogc/collections/street-reports/items?f=json&limit=1000", headers=auth)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    features = {f["id"]: f for f in page.get_json()["features"]}
    assert set(reports) <= set(features)
    props = features[reports[0]]["properties"]
    assert props["kind"] == "cart" and props["status"] == "baru"
    assert props["reported_at"] == "2026-12-06T01:00:00Z"
    assert "reporter_id" not in props and "photo_path" not in props
    tents = client.get("/ogc/collections/street-reports/items?f=json&kind=tent", headers=auth)
    assert reports[1] in [f["id"] for f in tents.get_json()["features"]]
    assert reports[0] not in [f["id"] for f in tents.get_json()["features"]]
    one = client.get(f"/ogc/collections/street-reports/items/{reports[0]}?f=json", headers=auth)
    assert one.status_code == 200 and one.get_json()["geometry"]["type"] == "Point"
    assert (
        client.get("/ogc/collections/street-reports/items?kind=bus", headers=auth).status_code
        == 400
    )


def test_the_public_and_other_roles_do_not_see_street_reports(
    token_app: Flask, client: FlaskClient, auth: Any, reports: list[int]
) -> None:
    listed = client.get("/ogc/collections?f=json").get_json()
    assert "street-reports" not in [c["id"] for c in listed["collections"]]
    assert client.get("/ogc/collections/street-reports/items?f=json").status_code == 401
    assert client.get("/ogc/collections/street-reports?f=json").status_code == 401
    bad = {"Authorization": "Bearer wrong"}
    assert client.get("/ogc/collections/street-reports/items", headers=bad).status_code == 401
    auth.login(role="crew")
    assert client.get("/ogc/collections/street-reports/items?f=json").status_code == 403
    auth.logout()
    auth.login(role="planner")
    assert client.get("/ogc/collections/street-reports/items?f=json").status_code == 200
