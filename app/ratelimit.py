"""Sliding-window rate limits for anonymous endpoints (the vendor page's code lookups).

``REDIS_URL`` set: one sorted set per key in Redis, shared by every gunicorn worker (a Lua script
checks and records atomically). Otherwise, or while Redis is unreachable, an in-process store per
worker. Only allowed hits are recorded, so a client who waits the ``Retry-After`` it was given gets
through. Keys are keyed hashes (HMAC with ``SECRET_KEY``): codes and addresses are never stored.

Limits are written ``"count/seconds"`` (``"10/60"``: ten per minute). ``RATELIMIT_SCALE``
multiplies every count (benchmarks raise them; ``0`` turns limiting off).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any, Protocol

from flask import current_app

log = logging.getLogger("petalapak.ratelimit")

_EXTENSION = "petalapak.ratelimit"


@dataclass(frozen=True)
class Limit:
    """At most ``count`` hits in any ``window_s`` seconds."""

    count: int
    window_s: int

    @classmethod
    def parse(cls, text: str, *, scale: float = 1.0) -> Limit | None:
        """Read ``"count/seconds"``; ``None`` when the scale turns limiting off.

        >>> Limit.parse("10/60")
        Limit(count=10, window_s=60)
        >>> Limit.parse("5/900", scale=100)
        Limit(count=500, window_s=900)
        >>> Limit.parse("5/900", scale=0) is None
        True
        """
        count_text, _, window_text = text.partition("/")
        count, window_s = int(count_text), int(window_text)
        if count <= 0 or window_s <= 0:
            raise ValueError(f"bad rate limit {text!r}: use 'count/seconds'")
        if scale <= 0:
            return None
        return cls(max(1, int(count * scale)), window_s)


class Limiter(Protocol):
    """Record a hit on ``key`` if ``limit`` allows it."""

    def hit(self, key: str, limit: Limit) -> float:
        """0 when allowed (and recorded); else the seconds until a hit would be allowed."""


class MemoryLimiter:
    """Timestamps of recent hits per key, in this process; at most ``max_keys`` keys kept."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self.max_keys = max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str, limit: Limit) -> float:
        """Allow and record, or return the wait in seconds."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                hits = self._hits[key] = deque()
            self._hits.move_to_end(key)
            while hits and hits[0] <= now - limit.window_s:
                hits.popleft()
            if len(hits) >= limit.count:
                return max(hits[0] + limit.window_s - now, 0.001)
            hits.append(now)
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
            return 0.0


# KEYS[1]: the key; ARGV: now (ms), window (ms), count, a unique member.
# Returns 0 when recorded, else the milliseconds until the oldest hit leaves the window.
_SLIDING_WINDOW_LUA = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, tonumber(ARGV[1]) - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(tonumber(oldest[2]) + tonumber(ARGV[2]) - tonumber(ARGV[1]), 1)
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 0
"""


class RedisLimiter:
    """The same sliding window in Redis; falls back to memory while Redis fails."""

    def __init__(self, url: str, *, prefix: str = "petalapak:") -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.prefix = prefix + "rl:"
        self._script: Any = self.client.register_script(_SLIDING_WINDOW_LUA)
        self._fallback = MemoryLimiter()
        self._warned = False

    def hit(self, key: str, limit: Limit) -> float:
        """Allow and record, or return the wait in seconds (per worker while Redis is down)."""
        import redis

        now_ms = int(time.time() * 1000)
        try:
            wait_ms = self._script(
                keys=[self.prefix + key],
                args=[
                    now_ms,
                    limit.window_s * 1000,
                    limit.count,
                    f"{now_ms}-{secrets.token_hex(4)}",
                ],
            )
        except redis.RedisError as exc:
            if not self._warned:
                log.warning("Redis rate limiter unavailable, limiting per worker: %s", exc)
                self._warned = True
            return self._fallback.hit(key, limit)
        self._warned = False
        return int(wait_ms) / 1000.0


def _limiter() -> Limiter:
    """The app's limiter, made on first use from ``REDIS_URL`` (kept in ``app.extensions``)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    limiter = app.extensions.get(_EXTENSION)
    if limiter is None:
        url = app.config["REDIS_URL"]
        made: Limiter = (
            RedisLimiter(url, prefix=app.config["CACHE_KEY_PREFIX"]) if url else MemoryLimiter()
        )
        limiter = app.extensions.setdefault(_EXTENSION, made)
    return limiter  # type: ignore[no-any-return]


def hit(bucket: str, key: str, config_key: str) -> int:
    """Count one hit of ``key`` in ``bucket`` against the limit in ``config[config_key]``.

    Returns 0 when allowed, else the whole seconds to wait (for ``Retry-After``).
    """
    limit = Limit.parse(
        current_app.config[config_key], scale=float(current_app.config["RATELIMIT_SCALE"])
    )
    if limit is None:
        return 0
    secret = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(secret, f"{bucket}\x1f{key}".encode(), hashlib.sha256).hexdigest()[:32]
    wait = _limiter().hit(f"{bucket}:{digest}", limit)
    return 0 if wait <= 0 else max(1, math.ceil(wait))
