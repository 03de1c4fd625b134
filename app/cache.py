"""A small cache for answers that many people ask for: public OGC item pages, vector tiles and
each vendor's own page. Callers put the data's change counter (:mod:`app.services.data_version`)
into the key, so an entry is never stale; the TTL only frees room.

``REDIS_URL`` set: Redis, shared by every gunicorn worker. Otherwise an in-process LRU with a TTL
per worker. A Redis outage never fails a request: the cache just misses (and says so once).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

from flask import Flask, current_app

log = logging.getLogger("petalapak.cache")


class Cache(Protocol):
    """What the routes use: bytes in, bytes out, with a time to live in seconds."""

    def get(self, key: str) -> bytes | None:
        """The value stored under ``key``, or None."""

    def set(self, key: str, value: bytes, ttl: int) -> None:
        """Store ``value`` for ``ttl`` seconds."""


class MemoryCache:
    """A thread-safe LRU of at most ``max_items`` entries and ``max_bytes`` of values.

    Entries are small (tiles, item pages, a vendor's view) except the crew's PDFs (0.3-0.6 MB
    each, and a new one after every check-in): the byte budget keeps a worker's memory bounded
    whatever is cached. A value larger than a quarter of the budget is not kept at all.
    """

    def __init__(self, max_items: int = 2048, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_items, self.max_bytes = max_items, max_bytes
        self._data: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        """The value, or None when absent or expired."""
        with self._lock:
            hit = self._data.get(key)
            if hit is None:
                return None
            expires, value = hit
            if expires < time.monotonic():
                self._drop(key)
                return None
            self._data.move_to_end(key)
            return value

    def set(self, key: str, value: bytes, ttl: int) -> None:
        """Store, evicting the least recently used entries beyond either bound."""
        if len(value) > self.max_bytes // 4:
            return
        with self._lock:
            if key in self._data:
                self._drop(key)
            self._data[key] = (time.monotonic() + ttl, value)
            self._bytes += len(value)
            while len(self._data) > self.max_items or self._bytes > self.max_bytes:
                self._drop(next(iter(self._data)))

    @property
    def size_bytes(self) -> int:
        """The bytes of the values held now."""
        return self._bytes

    def _drop(self, key: str) -> None:
        _expires, value = self._data.pop(key)
        self._bytes -= len(value)


class RedisCache:
    """Redis ``GET``/``SET … EX`` under a key prefix; errors count as misses."""

    def __init__(self, url: str, *, prefix: str = "petalapak:") -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.prefix = prefix
        self._warned = False

    def _failed(self, exc: Exception) -> None:
        if not self._warned:
            log.warning("Redis cache unavailable, serving uncached: %s", exc)
            self._warned = True

    def get(self, key: str) -> bytes | None:
        """The value, or None (also when Redis is down)."""
        import redis

        try:
            value: Any = self.client.get(self.prefix + key)
        except redis.RedisError as exc:
            self._failed(exc)
            return None
        self._warned = False
        return value if isinstance(value, bytes) else None

    def claim(self, key: str, seconds: float) -> bool:
        """Mark ``key`` as being built (``SET NX``); False when another process already is.

        Redis down counts as claimed: the caller builds, as it would without Redis.
        """
        import redis

        try:
            return bool(
                self.client.set(
                    self.prefix + "building:" + key, b"1", nx=True, px=int(seconds * 1000)
                )
            )
        except redis.RedisError as exc:
            self._failed(exc)
            return True

    def release(self, key: str) -> None:
        """Drop the building mark of ``key`` (its build failed: the next request tries)."""
        import redis

        try:
            self.client.delete(self.prefix + "building:" + key)
        except redis.RedisError as exc:
            self._failed(exc)

    def set(self, key: str, value: bytes, ttl: int) -> None:
        """Store with an expiry; a failure is logged once and ignored."""
        import redis

        try:
            self.client.set(self.prefix + key, value, ex=max(1, ttl))
        except redis.RedisError as exc:
            self._failed(exc)


def init_cache(app: Flask) -> None:
    """Pick the backend from ``REDIS_URL``; ``CACHE_TTL = 0`` turns caching off."""
    url = app.config["REDIS_URL"]
    cache: Cache
    if url:
        cache = RedisCache(url, prefix=app.config["CACHE_KEY_PREFIX"])
    else:
        cache = MemoryCache(max_bytes=int(app.config["CACHE_MAX_MB"]) * 1024 * 1024)
    app.extensions["petalapak.cache"] = cache


def get_cache() -> Cache | None:
    """The app's cache, or None when caching is off."""
    if int(current_app.config["CACHE_TTL"]) <= 0:
        return None
    cache: Cache | None = current_app.extensions.get("petalapak.cache")
    return cache


def cache_key(*parts: str) -> str:
    """A short, fixed-length key from the parts that make an answer differ."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


#: Builds under way in this process, by key (see :func:`built_once`).
_BUILDING: dict[str, threading.Lock] = {}
_BUILDING_GUARD = threading.Lock()
#: How long a request waits for another worker's build before building itself.
BUILD_WAIT_S = 10.0


def built_once(cache: Cache | None, key: str, build: Callable[[], bytes], ttl: int) -> bytes:
    """The value under ``key``, built by one request while the others wait for it.

    When a change moves the counter in a key, every request in flight misses at once; left
    alone, each would build the same answer (a crowd on a CFD morning: dozens of builds of a
    second each). Here one thread per process builds while the others of that process wait
    on a lock, and with Redis one process builds while the others poll the cache (a
    ``SET NX`` marker that expires after :data:`BUILD_WAIT_S`, so a crashed builder never
    blocks anyone for longer). A cache that is off or down just builds.
    """
    if cache is None:
        return build()
    hit = cache.get(key)
    if hit is not None:
        return hit
    with _BUILDING_GUARD:
        lock = _BUILDING.setdefault(key, threading.Lock())
    try:
        with lock:
            hit = cache.get(key)
            if hit is not None:
                return hit
            shared = cache if isinstance(cache, RedisCache) else None
            if shared is not None and not shared.claim(key, BUILD_WAIT_S):
                deadline = time.monotonic() + BUILD_WAIT_S
                while time.monotonic() < deadline:
                    time.sleep(0.02)
                    hit = cache.get(key)
                    if hit is not None:
                        return hit
            try:
                value = build()
            except BaseException:
                if shared is not None:
                    shared.release(key)
                raise
            cache.set(key, value, ttl)
            return value
    finally:
        with _BUILDING_GUARD:
            if not lock.locked():
                _BUILDING.pop(key, None)
