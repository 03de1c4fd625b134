"""The public home map: a small shell, its data fetched, cached exactly, and public search."""

from __future__ import annotations

import gzip
import json
import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import City, Event, Zone
from app.services.public_map import next_event, read_search

OWNER = "Siti Rahmawati Unikwati"
PHONE = "081299887766"


@pytest.fixture
def city(db: Session) -> City:
    return db.scalars(select(City).where(City.slug == "pontianak")).one()


@pytest.fixture
def today(app: Flask) -> date:
    app.config["FIXED_NOW"] = datetime(2026, 11, 29, 7, 0)
    return date(2026, 11, 29)


def _data_url(html: str) -> str:
    found = re.search(r'rel="preload" href="([^"]+)"', html)
    assert found is not None
    return found.group(1).replace("&amp;", "&")


def _data(client: FlaskClient, url: str, **headers: str) -> Any:
    resp = client.get(url, headers=headers)
    assert resp.status_code == 200
    body = resp.get_data()
    if resp.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return resp, json.loads(body)


def test_the_shell_holds_no_feature_and_the_data_holds_the_booths(
    client: FlaskClient, today: date
) -> None:
    html = client.get("/").get_data(as_text=True)
    url = _data_url(html)
    assert url.startswith("/peta/data.json?event=")
    _resp, data = _data(client, url)
    codes = [f["properties"]["c"] for f in data["booths"]["features"]]
    assert len(codes) > 50
    for code in codes:
        assert code not in html
    assert "FeatureCollection" not in html and '"coordinates"' not in html
    assert len(html.encode()) < 40_000
    assert data["zones"]["features"] and data["facilities"]["features"]
    assert any(f["properties"].get("n") == "CFD Jl. Ahmad Yani" for f in data["zones"]["features"])


def test_data_is_gzipped_tagged_and_immutable_at_its_versioned_address(
    client: FlaskClient, today: date
) -> None:
    url = _data_url(client.get("/").get_data(as_text=True))
    resp = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert resp.headers["Content-Encoding"] == "gzip"
    assert "immutable" in resp.headers["Cache-Control"]
    etag = resp.headers["ETag"]
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304
    # the same data without a version: revalidated every time
    plain = client.get(url.split("&h=")[0])
    assert plain.headers["Cache-Control"] == "public, no-cache"
    assert plain.headers.get("Content-Encoding") is None
    json.loads(plain.get_data())


def test_a_change_shows_at_once(client: FlaskClient, db: Session, city: City, today: date) -> None:
    html = client.get("/").get_data(as_text=True)
    url = _data_url(html)
    first, data = _data(client, url)
    assert not any(f["properties"].get("n") == "Zona Baru Uji" for f in data["zones"]["features"])
    zone = db.scalars(
        select(Zone).where(Zone.city_id == city.id, Zone.kind == "pkl_legal").limit(1)
    ).one()
    zone.name = "Zona Baru Uji"
    db.commit()
    # the old tag no longer matches: the new data comes back, under a new tag
    resp = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert resp.status_code == 200 and resp.headers["ETag"] != first.headers["ETag"]
    names = [f["properties"].get("n") for f in json.loads(resp.get_data())["zones"]["features"]]
    assert "Zona Baru Uji" in names
    # the shell links the new version
    assert _data_url(client.get("/").get_data(as_text=True)) != url


def test_the_shell_is_cached_and_follows_a_renamed_event(
    client: FlaskClient, db: Session, city: City, today: date
) -> None:
    first = client.get("/", headers={"Accept-Encoding": "gzip"})
    html = gzip.decompress(first.get_data()).decode()
    event = db.scalars(
        select(Event)
        .where(Event.city_id == city.id, Event.status == "published")
        .order_by(Event.date)
    ).first()
    assert event is not None and event.name in html
    # the same bytes for every anonymous visitor: revalidated with the ETag
    etag = first.headers["ETag"]
    assert client.get("/", headers={"If-None-Match": etag}).status_code == 304
    # its map script is a file of its own, immutable at its versioned address
    script_url = re.search(r'<script src="(/peta/peta\.js[^"]+)"', html)
    assert script_url is not None
    script = client.get(script_url.group(1).replace("&amp;", "&"))
    assert "immutable" in script.headers["Cache-Control"]
    assert "map_home" in script.get_data(as_text=True) and 'id="map_home"' in html
    event.name = "CFD Nama Baru Uji"
    db.commit()
    renamed = client.get("/", headers={"If-None-Match": etag})
    assert renamed.status_code == 200 and renamed.headers["ETag"] != etag
    assert "CFD Nama Baru Uji" in renamed.get_data(as_text=True)
    # the map script does not hold the name: its address still holds
    old = script_url.group(1).replace("&amp;", "&")
    assert "immutable" in client.get(old).headers["Cache-Control"]
    # a change of the map's data changes the script (it names the data's address)
    zone = db.scalars(select(Zone).where(Zone.city_id == city.id).limit(1)).one()
    zone.name = "Zona Ganti Nama Uji"
    db.commit()
    assert client.get(old).headers["Cache-Control"] == "public, no-cache"


def test_next_event_counts_today_and_falls_back_to_the_latest() -> None:
    def ev(n: int, day: date) -> Any:
        return Event(id=n, slug=f"e{n}", name=f"e{n}", date=day)

    a, b, c = ev(1, date(2026, 11, 1)), ev(2, date(2026, 11, 29)), ev(3, date(2026, 12, 6))
    assert next_event([c, a, b], date(2026, 11, 29)) is b
    assert next_event([c, a, b], date(2026, 11, 30)) is c
    assert next_event([c, a, b], date(2027, 1, 1)) is c
    assert next_event([], date(2027, 1, 1)) is None


def test_home_opens_on_the_next_event_with_a_switch_for_the_others(
    client: FlaskClient, make_event: Any, make_booth: Any, city: City, today: date
) -> None:
    later = make_event(
        city=city,
        status="published",
        name="CFD Uji Nanti",
        slug="cfd-uji-nanti",
        date=today + timedelta(days=70),
    )
    make_booth(event=later, code="NANTI-1")
    html = client.get("/").get_data(as_text=True)
    assert "CFD Uji Nanti" not in html.split('class="event-switch"')[0]  # not the one shown
    assert "acara=cfd-uji-nanti" in html  # but one tap away
    switched = client.get("/?acara=cfd-uji-nanti").get_data(as_text=True)
    assert "Lapak acara terdekat: CFD Uji Nanti" in switched
    _resp, data = _data(client, _data_url(switched))
    assert [f["properties"]["c"] for f in data["booths"]["features"]] == ["NANTI-1"]


def test_drafts_are_not_public(client: FlaskClient, make_event: Any, city: City) -> None:
    make_event(city=city, status="draft", slug="draf-uji")
    assert client.get("/peta/data.json?event=draf-uji").status_code == 404
    assert client.get("/peta/cari?event=draf-uji&q=AY").status_code == 404
    assert "draf-uji" not in client.get("/").get_data(as_text=True)


@pytest.fixture
def placed(
    make_event: Any,
    make_booth: Any,
    make_vendor: Any,
    make_assignment: Any,
    city: City,
    today: date,
) -> Event:
    event = make_event(city=city, status="published", slug="cfd-cari-uji", date=today)
    booth = make_booth(event=event, code="CARI-07")
    vendor = make_vendor(
        city=city,
        owner_name=OWNER,
        business_name="Es Campur Mawar",
        category="minuman",
        phone=PHONE,
        halal_cert_no="ID6111000012345",
        halal_cert_expiry=today + timedelta(days=300),
    )
    make_assignment(booth=booth, vendor=vendor, event=event)
    other = make_vendor(city=city, business_name="Kaos Khatulistiwa", category="pakaian")
    make_assignment(booth=make_booth(event=event, code="CARI-08"), vendor=other, event=event)
    return event


def _search(client: FlaskClient, q: str) -> list[dict[str, Any]]:
    resp = client.get("/peta/cari", query_string={"event": "cfd-cari-uji", "q": q})
    assert resp.status_code == 200
    raw = resp.get_data(as_text=True)
    assert OWNER not in raw and PHONE not in raw and "ID6111000012345" not in raw
    return list(resp.json["results"])


def test_search_finds_stalls_by_what_they_sell_with_public_data_only(
    client: FlaskClient, placed: Event
) -> None:
    found = _search(client, "es campur")
    assert [r["code"] for r in found] == ["CARI-07"]
    assert set(found[0]) == {"type", "code", "stall", "category", "halal", "lat", "lon"}
    assert found[0]["stall"] == "Es Campur Mawar" and found[0]["halal"] is True
    assert [r["code"] for r in _search(client, "kuliner halal")] == ["CARI-07"]
    assert [r["code"] for r in _search(client, "baju")] == ["CARI-08"]
    assert [r["code"] for r in _search(client, "cari-08")] == ["CARI-08"]
    # never a person: not by name, not by phone
    assert _search(client, "Rahmawati") == []
    assert _search(client, PHONE) == []
    assert _search(client, PHONE[-4:]) == []


def test_the_public_data_names_no_person(client: FlaskClient, placed: Event) -> None:
    resp = client.get("/peta/data.json?event=cfd-cari-uji")
    raw = resp.get_data(as_text=True)
    assert "Es Campur Mawar" in raw
    assert OWNER not in raw and PHONE not in raw and "ID6111000012345" not in raw


def test_search_refuses_a_long_query_naming_the_field(client: FlaskClient, placed: Event) -> None:
    resp = client.get("/peta/cari", query_string={"event": "cfd-cari-uji", "q": "x" * 81})
    assert resp.status_code == 400 and resp.json["field"] == "q"
    assert "q" in resp.json["error"]


def test_read_search_words() -> None:
    assert read_search("Kuliner HALAL").halal
    assert read_search("es campur").words == ("es", "campur")


def test_search_finds_a_landmark_of_the_city(client: FlaskClient, db: Session, city: City) -> None:
    from geoalchemy2.shape import from_shape
    from shapely.geometry import Point

    from app.models import Landmark

    db.add(
        Landmark(
            city_id=city.id,
            name="Masjid Uji Zulkarnaen Qx",
            kind="mosque",
            geom=from_shape(Point(109.3330, -0.0440), 4326),
        )
    )
    db.commit()
    resp = client.get("/peta/cari", query_string={"q": "zulkarnaen qx"})
    assert resp.status_code == 200
    assert resp.json["results"] == [
        {
            "type": "landmark",
            "name": "Masjid Uji Zulkarnaen Qx",
            "kind": "mosque",
            "lat": -0.044,
            "lon": 109.333,
        }
    ]
    assert client.get("/peta/cari", query_string={"q": "tidak ada di kota"}).json["results"] == []


def test_a_check_in_leaves_the_public_page_as_it_was(
    client: FlaskClient, db: Session, city: City, today: date
) -> None:
    """The counter moves, the public map does not change: the same page, data and script."""
    from app.models import Assignment

    first = client.get("/")
    url = _data_url(first.get_data(as_text=True))
    assignment = db.scalars(
        select(Assignment)
        .join(Event, Event.id == Assignment.event_id)
        .where(
            Event.city_id == city.id, Event.status == "published", Assignment.status == "assigned"
        )
        .limit(1)
    ).one()
    assignment.status = "checked_in"
    db.commit()
    again = client.get("/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    data = client.get(url)
    assert "immutable" in data.headers["Cache-Control"]


def test_built_once_builds_one_value_for_many_waiting_requests() -> None:
    import threading

    from app.cache import MemoryCache, built_once

    cache = MemoryCache()
    builds = []
    gate = threading.Event()

    def build() -> bytes:
        builds.append(1)
        gate.wait(5)
        return b"answer"

    answers: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: answers.append(built_once(cache, "k", build, 60)))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join()
    assert answers == [b"answer"] * 8
    assert len(builds) == 1
