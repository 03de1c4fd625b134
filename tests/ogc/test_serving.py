"""Production serving: health check, request logs, and the cache for public answers."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import request_log
from app.cache import MemoryCache, RedisCache

DOWN_DB = "postgresql+psycopg://nobody@127.0.0.1:9/nothing?connect_timeout=2"


def _app(**config: Any) -> Flask:
    from app import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "serving-test-secret-0123456789", **config})


def test_healthz_ok_with_the_database(client: FlaskClient) -> None:
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok", "database": "ok"}
    assert resp.headers["Cache-Control"] == "no-store"


def test_healthz_is_503_when_the_database_is_down() -> None:
    app = _app(SQLALCHEMY_DATABASE_URI=DOWN_DB, REQUEST_LOG=False)
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json()["database"] == "down"


def _log_lines(err: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")]


def test_one_json_log_line_per_request_without_query(
    app: Flask, client: FlaskClient, auth: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert app.config["REQUEST_LOG"]
    capsys.readouterr()
    client.get("/ogc/collections/zones/items?limit=2&token=s3cret-value")
    client.get("/ogc/collections/nope")
    user = auth.login("planner")
    client.get("/ogc/collections")
    lines = _log_lines(capsys.readouterr().err)
    by_path = {(line["path"], line["status"]): line for line in lines}
    first = by_path[("/ogc/collections/zones/items", 200)]
    assert first["method"] == "GET"
    assert first["user"] is None
    assert isinstance(first["duration_ms"], float)
    assert first["duration_ms"] >= 0
    assert ("/ogc/collections/nope", 404) in by_path
    assert by_path[("/ogc/collections", 200)]["user"] == user.id
    assert not any("s3cret" in json.dumps(line) for line in lines)


def test_a_vendors_signed_link_never_reaches_the_log(
    app: Flask, client: FlaskClient, db: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The link's path is the credential (valid for months): the log keeps only its shape."""
    from sqlalchemy import select

    from app.models import Vendor
    from app.services.vendor_access import LINK_PATH, vendor_link

    assert LINK_PATH in request_log.SECRET_PATH_PREFIXES
    vendor = db.scalars(select(Vendor).where(Vendor.active).limit(1)).one()
    link = vendor_link(vendor, secret_key=app.config["SECRET_KEY"], base_url="")
    token = link.rsplit("/", 1)[1]
    capsys.readouterr()
    assert client.get(link).status_code in (302, 303)
    lines = _log_lines(capsys.readouterr().err)
    assert [line["path"] for line in lines] == [f"{LINK_PATH}<token>"]
    assert not any(token in json.dumps(line) for line in lines)


def test_memory_cache_keeps_within_its_byte_budget() -> None:
    cache = MemoryCache(max_items=100, max_bytes=1000)
    for n in range(10):
        cache.set(f"pdf{n}", bytes(200), ttl=60)
        assert cache.size_bytes <= 1000
    assert cache.get("pdf9") is not None and cache.get("pdf0") is None  # oldest went first
    cache.set("pdf9", bytes(100), ttl=60)  # replacing counts the new size only
    assert cache.size_bytes == 4 * 200 + 100
    cache.set("huge", bytes(251), ttl=60)  # over a quarter of the budget: not kept
    assert cache.get("huge") is None and cache.size_bytes == 900


def test_memory_cache_expires_and_evicts() -> None:
    cache = MemoryCache(max_items=2)
    cache.set("a", b"1", ttl=60)
    cache.set("b", b"2", ttl=60)
    assert cache.get("a") == b"1"  # a is now the most recently used
    cache.set("c", b"3", ttl=60)
    assert cache.get("b") is None
    assert cache.get("a") == b"1"
    assert cache.get("c") == b"3"
    cache.set("d", b"4", ttl=0)
    time.sleep(0.01)
    assert cache.get("d") is None


def _redis_up(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.3):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_app(engine: Any, database_url: str) -> Iterator[tuple[Flask, RedisCache]]:
    if not _redis_up():
        pytest.skip("no Redis on 127.0.0.1:6379")
    pytest.importorskip("redis")
    prefix = f"petalapak-test-{uuid.uuid4().hex}:"
    app = _app(
        SQLALCHEMY_DATABASE_URI=database_url,
        REDIS_URL="redis://127.0.0.1:6379/0",
        CACHE_KEY_PREFIX=prefix,
        CACHE_TTL=30,
        REQUEST_LOG=False,
    )
    cache = app.extensions["petalapak.cache"]
    assert isinstance(cache, RedisCache)
    yield app, cache
    for key in cache.client.scan_iter(match=f"{prefix}*"):
        cache.client.delete(key)
    app.extensions["petalapak.engine"].dispose()


def test_redis_caches_public_item_pages_and_tiles(redis_app: tuple[Flask, RedisCache]) -> None:
    app, cache = redis_app
    client = app.test_client()
    url = "/ogc/collections/zones/items?limit=3"
    first, second = client.get(url), client.get(url)
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    assert first.data == second.data
    keys = list(cache.client.scan_iter(match=f"{cache.prefix}*"))
    assert len(keys) == 1
    assert 0 < cache.client.ttl(keys[0]) <= 30
    # a second app (another gunicorn worker) shares the entry
    other = _app(
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app.config["REDIS_URL"],
        CACHE_KEY_PREFIX=cache.prefix,
        CACHE_TTL=30,
        REQUEST_LOG=False,
    )
    assert other.test_client().get(url).headers["X-Cache"] == "hit"
    other.extensions["petalapak.engine"].dispose()
    tile = "/tiles/zones/15/26335/16388.mvt"
    assert client.get(tile).headers["X-Cache"] == "miss"
    assert client.get(tile).headers["X-Cache"] == "hit"


def test_redis_down_means_uncached_not_broken(engine: Any, database_url: str) -> None:
    pytest.importorskip("redis")
    app = _app(
        SQLALCHEMY_DATABASE_URI=database_url,
        REDIS_URL="redis://127.0.0.1:9/0",
        CACHE_TTL=30,
        REQUEST_LOG=False,
    )
    client = app.test_client()
    for _ in range(2):
        resp = client.get("/ogc/collections/zones/items?limit=3")
        assert resp.status_code == 200
        assert resp.headers["X-Cache"] == "miss"
    app.extensions["petalapak.engine"].dispose()
