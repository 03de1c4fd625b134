"""An uncached item page is one SQL statement: the collection (an event found by its key), the
count and the page's GeoJSON together; the cache adds only the change counter's read."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from geoalchemy2.shape import from_shape
from shapely.geometry import box
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.models import Booth, Event
from app.services.cities import create_city
from app.services.events import create_event

PUBLISHED = "cfd-2026-12-06"
BOOTHS = f"booths-{PUBLISHED}"
TOKEN = "ogc-one-statement-token-0123456789"


@contextmanager
def statements(db: Session) -> Iterator[list[str]]:
    """Every SQL statement sent on the test's connection while the block runs."""
    seen: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    conn = db.connection()
    event.listen(conn, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(conn, "before_cursor_execute", note)


def _app(db: Session, database_url: str, **config: Any) -> Flask:
    from app import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-0123456789",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "API_TOKENS": (TOKEN,),
            "REQUEST_LOG": False,
            **config,
        },
        session=db,
    )


@pytest.fixture
def uncached(db: Session, database_url: str) -> FlaskClient:
    return _app(db, database_url, CACHE_TTL=0).test_client()


@pytest.mark.parametrize(
    "url",
    [
        f"/ogc/collections/{BOOTHS}/items?f=json",
        f"/ogc/collections/{BOOTHS}/items?limit=10&offset=20&kind=vendor&status=free",
        f"/ogc/collections/{BOOTHS}/items?bbox=109.3,-0.06,109.4,0.0&datetime=2026-12-06",
        f"/ogc/collections/{BOOTHS}/items?f=html",
        "/ogc/collections/zones/items?kind=emergency_lane",
        "/ogc/collections/facilities/items?bbox=170,-10,-170,10",
    ],
)
def test_an_uncached_page_is_one_statement(uncached: FlaskClient, db: Session, url: str) -> None:
    uncached.get(url)  # the app's first request may read more (nothing here does, but be fair)
    with statements(db) as seen:
        resp = uncached.get(url)
    assert resp.status_code == 200, resp.data[:300]
    assert len(seen) == 1, seen


def test_a_vendor_page_for_a_token_is_one_statement(uncached: FlaskClient, db: Session) -> None:
    with statements(db) as seen:
        resp = uncached.get(
            f"/ogc/collections/vendors-{PUBLISHED}/items?limit=5",
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    assert resp.status_code == 200
    assert len(resp.get_json()["features"]) == 5
    assert len(seen) == 1


def test_the_cache_adds_the_counter_only(db: Session, database_url: str) -> None:
    client = _app(db, database_url, CACHE_TTL=600).test_client()
    url = f"/ogc/collections/{BOOTHS}/items?limit=7"
    with statements(db) as miss:
        first = client.get(url)
    with statements(db) as hit:
        second = client.get(url)
    assert first.headers["X-Cache"] == "miss" and second.headers["X-Cache"] == "hit"
    assert first.get_json() == second.get_json()
    assert len(miss) == 2 and "data_version" in miss[0]
    assert len(hit) == 1 and "data_version" in hit[0]


def test_one_statement_answers_like_the_collection_list(uncached: FlaskClient) -> None:
    """Every collection the list names pages, with the same title, and counts its features."""
    listed = uncached.get("/ogc/collections").get_json()["collections"]
    for coll in listed:
        page = uncached.get(f"/ogc/collections/{coll['id']}/items?limit=1").get_json()
        link = next(x for x in page["links"] if x["rel"] == "collection")
        assert link["title"] == coll["title"]
        assert page["numberMatched"] > 0


def test_unknown_ids_and_bad_parameters_keep_their_answers(uncached: FlaskClient) -> None:
    assert uncached.get("/ogc/collections/booths-nope/items?limit=0").status_code == 404
    assert uncached.get("/ogc/collections/booths-/items").status_code == 404
    assert uncached.get(f"/ogc/collections/{BOOTHS}/items?limit=0").status_code == 400
    assert uncached.get(f"/ogc/collections/{BOOTHS}/items?status=gone").status_code == 400
    assert uncached.get(f"/ogc/collections/vendors-{PUBLISHED}/items").status_code == 401


def test_an_event_slug_in_two_cities_is_named_by_city(uncached: FlaskClient, db: Session) -> None:
    """Two cities with a published ``cfd-2026-12-06``: each is ``booths-<city>-<slug>``."""
    ours = db.scalars(select(Event).where(Event.slug == PUBLISHED)).one()
    other_city = create_city(
        db, name="Kota Singkawang", slug="singkawang", extent=(108.9, 0.85, 109.05, 0.95)
    )
    theirs = create_event(
        db, city=other_city, slug=PUBLISHED, name="CFD Singkawang", on=date(2026, 12, 6)
    )
    theirs.status = "published"
    db.add(
        Booth(
            event=theirs,
            code="SK-1",
            kind="vendor",
            geom=from_shape(box(108.98, 0.9, 108.98003, 0.90003), srid=4326),
        )
    )
    db.flush()
    assert uncached.get(f"/ogc/collections/{BOOTHS}/items").status_code == 404
    mine = uncached.get(f"/ogc/collections/booths-{ours.city.slug}-{PUBLISHED}/items?limit=1")
    other = uncached.get(f"/ogc/collections/booths-singkawang-{PUBLISHED}/items")
    assert mine.status_code == other.status_code == 200
    assert mine.get_json()["numberMatched"] > 1
    assert [f["properties"]["code"] for f in other.get_json()["features"]] == ["SK-1"]
    listed = {c["id"] for c in uncached.get("/ogc/collections").get_json()["collections"]}
    assert {f"booths-{ours.city.slug}-{PUBLISHED}", f"booths-singkawang-{PUBLISHED}"} <= listed
