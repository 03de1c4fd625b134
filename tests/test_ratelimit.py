"""Sliding-window rate limits: in memory, in a real Redis, and the fallback when Redis is down."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app import ratelimit
from app.ratelimit import Backoff, Limit, MemoryLimiter, RedisLimiter


def test_parse() -> None:
    assert Limit.parse("10/60") == Limit(10, 60)
    assert Limit.parse("5/900", scale=100) == Limit(500, 900)
    assert Limit.parse("5/900", scale=0.1) == Limit(1, 900)
    assert Limit.parse("5/900", scale=0) is None
    for bad in ("10", "0/60", "a/b", "10/-1"):
        with pytest.raises(ValueError):  # noqa: PT011 - int() and our own check both say so
            Limit.parse(bad)


def test_memory_window_slides(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: clock[0])
    limiter = MemoryLimiter()
    limit = Limit(3, 60)
    assert [limiter.hit("k", limit) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.hit("k", limit) == pytest.approx(60.0)
    assert limiter.hit("other", limit) == 0.0
    clock[0] += 30
    assert limiter.hit("k", limit) == pytest.approx(30.0)  # refused hits are not recorded
    clock[0] += 30.5
    assert limiter.hit("k", limit) == 0.0


def test_memory_keeps_a_bounded_number_of_keys() -> None:
    limiter = MemoryLimiter(max_keys=100)
    for i in range(1000):
        limiter.hit(f"ip-{i}", Limit(1, 60))
    assert len(limiter._hits) == 100


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    sock = Path(tmp_path_factory.mktemp("redis")) / "redis.sock"
    proc = subprocess.Popen(
        [server, "--port", "0", "--unixsocket", str(sock), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            if sock.exists():
                break
            time.sleep(0.05)
        yield f"unix://{sock}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_redis_window(redis_url: str) -> None:
    limiter = RedisLimiter(redis_url, prefix="test-rl:")
    try:
        _check_window(limiter)
    finally:
        limiter.client.close()


def _check_window(limiter: RedisLimiter) -> None:
    limit = Limit(3, 2)
    key = f"k-{time.time_ns()}"
    assert [limiter.hit(key, limit) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.hit(key, limit)
    assert 0 < wait <= 2
    assert limiter.hit(f"{key}-other", limit) == 0.0
    time.sleep(wait + 0.05)
    assert limiter.hit(key, limit) == 0.0
    ttl = limiter.client.pttl(limiter.prefix + key)
    assert 0 < ttl <= 2000  # keys expire on their own


def test_redis_down_falls_back_to_memory(tmp_path: Path) -> None:
    limiter = RedisLimiter(f"unix://{tmp_path}/nobody.sock")
    limit = Limit(2, 60)
    assert [limiter.hit("k", limit) for _ in range(2)] == [0.0, 0.0]
    assert limiter.hit("k", limit) > 0
    limiter.client.close()


def test_app_uses_redis_when_configured(redis_url: str, database_url: str, db: Session) -> None:
    from app import create_app

    app = create_app(
        {
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "REDIS_URL": redis_url,
            "SECRET_KEY": "test-secret-key-0123456789",
            "CACHE_KEY_PREFIX": f"test-{time.time_ns()}:",
            "SQLALCHEMY_DATABASE_URI": database_url,
        },
        session=db,
    )
    other = create_app(app.config, session=db)  # another gunicorn worker
    try:
        client = app.test_client()
        codes = [
            client.post(
                "/api/lapak", json={"code": f"QQQQQQQQ{i:02d}", "phone4": "1234"}
            ).status_code
            for i in range(11)
        ]
        assert codes == [401] * 10 + [429]
        assert isinstance(app.extensions["petalapak.ratelimit"], RedisLimiter)
        # ...shares the count
        assert (
            other.test_client()
            .post("/api/lapak", json={"code": "QQQQQQQQ99", "phone4": "1234"})
            .status_code
            == 429
        )
    finally:
        for each in (app, other):
            for name in ("petalapak.ratelimit", "petalapak.cache"):
                backend = each.extensions.get(name)
                if hasattr(backend, "client"):
                    backend.client.close()


def test_memory_reserve_is_check_and_record_in_one_step(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: clock[0])
    limiter = MemoryLimiter()
    backoff = Backoff(free=2, max_delay_s=8, window_s=900)
    assert limiter.reserve("k", backoff)[0] == 0.0
    assert limiter.reserve("k", backoff)[0] == 0.0
    # Two attempts arriving together after the free ones: the second sees the first.
    wait, ticket = limiter.reserve("k", backoff)
    assert wait == pytest.approx(1.0) and ticket is None
    clock[0] += 1
    first = limiter.reserve("k", backoff)
    second = limiter.reserve("k", backoff)
    assert first[0] == 0.0 and first[1] is not None
    assert second == (pytest.approx(2.0), None)
    # The first one succeeded: taken back, the delay is as before it.
    limiter.release("k", first[1])
    assert limiter.reserve("k", backoff)[0] == 0.0


def test_memory_reserve_under_a_hard_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: clock[0])
    limiter = MemoryLimiter()
    limit = Limit(2, 60)
    tickets = [limiter.reserve("ip", limit)[1] for _ in range(2)]
    assert limiter.reserve("ip", limit) == (pytest.approx(60.0), None)
    limiter.release("ip", tickets[0])
    assert limiter.reserve("ip", limit)[0] == 0.0


def test_redis_reserve_and_release(redis_url: str) -> None:
    limiter = RedisLimiter(redis_url, prefix="test-rl:")
    key = f"f-{time.time_ns()}"
    try:
        backoff = Backoff(free=1, max_delay_s=60, window_s=60)
        wait, ticket = limiter.reserve(key, backoff)
        assert wait == 0.0 and ticket is not None
        wait, none = limiter.reserve(key, backoff)  # the first is still counted: 1 s to wait
        assert 0 < wait <= 1.0 and none is None
        limiter.release(key, ticket)
        assert limiter.reserve(key, backoff)[0] == 0.0
        assert 0 < limiter.client.pttl(limiter.prefix + key) <= 60_000
        limit = Limit(1, 60)
        assert limiter.reserve(key + "-ip", limit)[0] == 0.0
        assert 0 < limiter.reserve(key + "-ip", limit)[0] <= 60
    finally:
        limiter.client.close()


def test_redis_down_reserves_in_memory(tmp_path: Path) -> None:
    limiter = RedisLimiter(f"unix://{tmp_path}/nobody.sock")
    assert limiter.reserve("k", Limit(1, 60))[0] == 0.0
    assert limiter.reserve("k", Limit(1, 60))[0] > 0
    limiter.client.close()
