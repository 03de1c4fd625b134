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
    """A thread-safe LRU of at most ``max_items`` entries, each with an expiry time."""

    def __init__(self, max_items: int = 2048) -> None:
        self.max_items = max_items
        self._data: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        """The value, or None when absent or expired."""
        with self._lock:
            hit = self._data.get(key)
            if hit is None:
                return None
            expires, value = hit
            if expires < time.monotonic():
                del self._data[key]
                return None
            self._data.move_to_end(key)
            return value

    def set(self, key: str, value: bytes, ttl: int) -> None:
        """Store, evicting the least recently used entries beyond ``max_items``."""
        with self._lock:
            self._data[key] = (time.monotonic() + ttl, value)
            self._data.move_to_end(key)
            while len(self._data) > self.max_items:
                self._data.popitem(last=False)


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
    cache: Cache = RedisCache(url, prefix=app.config["CACHE_KEY_PREFIX"]) if url else MemoryCache()
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
