"""Sliding-window rate limits for anonymous endpoints (the vendor page's code lookups).

``REDIS_URL`` set: one sorted set per key in Redis, shared by every gunicorn worker (a Lua script
checks and records atomically). Otherwise, or while Redis is unreachable, an in-process store per
worker. Only allowed hits are recorded, so a client who waits the ``Retry-After`` it was given gets
through. Keys are keyed hashes (HMAC with ``SECRET_KEY``): codes and addresses are never stored.

Limits are written ``"count/seconds"`` (``"10/60"``: ten per minute). ``RATELIMIT_SCALE``
multiplies every count (benchmarks raise them; ``0`` turns limiting off).

Staff logins count *failures* only (:func:`failure_wait`, :func:`backoff_wait`,
:func:`record_failure`): a hard limit per client address, and per account a growing delay
(:func:`backoff_delay_s`) that slows a guesser without locking the owner out.
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
from collections.abc import Sequence
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


@dataclass(frozen=True)
class Recent:
    """The hits on a key in the last window: how many, and how long ago the oldest and newest."""

    count: int
    oldest_age_s: float = 0.0
    newest_age_s: float = 0.0


class Limiter(Protocol):
    """Record a hit on ``key`` if ``limit`` allows it; or count and record hits separately."""

    def hit(self, key: str, limit: Limit) -> float:
        """0 when allowed (and recorded); else the seconds until a hit would be allowed."""

    def hit_all(self, checks: Sequence[tuple[str, Limit]]) -> float:
        """:meth:`hit` on each ``(key, limit)`` in order, stopping at the first refused (its wait)
        or 0 when all were allowed and recorded: one round trip for all of them."""

    def recent(self, key: str, window_s: int) -> Recent:
        """The hits recorded on ``key`` in the last ``window_s`` seconds (nothing recorded)."""

    def add(self, key: str, window_s: int) -> None:
        """Record one hit on ``key``, kept for ``window_s`` seconds."""


#: Hits kept per key by :meth:`Limiter.add`: enough for any limit or delay configured here.
MAX_HITS_KEPT = 10_000


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

    def hit_all(self, checks: Sequence[tuple[str, Limit]]) -> float:
        """:meth:`hit` each in order until one is refused."""
        for key, limit in checks:
            wait = self.hit(key, limit)
            if wait:
                return wait
        return 0.0

    def recent(self, key: str, window_s: int) -> Recent:
        """Count the hits of the last window."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits.get(key)
            while hits and hits[0] <= now - window_s:
                hits.popleft()
            if not hits:
                return Recent(0)
            return Recent(len(hits), now - hits[0], now - hits[-1])

    def add(self, key: str, window_s: int) -> None:
        """Record a hit; at most :data:`MAX_HITS_KEPT` per key (the newest)."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                hits = self._hits[key] = deque(maxlen=MAX_HITS_KEPT)
            self._hits.move_to_end(key)
            while hits and hits[0] <= now - window_s:
                hits.popleft()
            hits.append(now)
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)


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

# The same for several keys in order, stopping at the first refused. KEYS: the keys; ARGV: now
# (ms), a unique member, then window (ms) and count for each key in turn. Returns 0 when every
# hit was recorded, else the refused key's wait in milliseconds (the keys before it keep theirs).
_SLIDING_WINDOWS_LUA = """
local now = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', key, 0, now - window)
  if redis.call('ZCARD', key) >= tonumber(ARGV[2 * i + 2]) then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    return math.max(tonumber(oldest[2]) + window - now, 1)
  end
  redis.call('ZADD', key, now, ARGV[2])
  redis.call('PEXPIRE', key, window)
end
return 0
"""

# KEYS[1]: the key; ARGV: now (ms), window (ms). Returns {count, oldest (ms), newest (ms)}.
_RECENT_LUA = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, tonumber(ARGV[1]) - tonumber(ARGV[2]))
local count = redis.call('ZCARD', KEYS[1])
if count == 0 then return {0, 0, 0} end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
return {count, tonumber(oldest[2]), tonumber(newest[2])}
"""

# KEYS[1]: the key; ARGV: now (ms), window (ms), a unique member, the most hits kept.
_ADD_LUA = """
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -tonumber(ARGV[4]) - 1)
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
        self._scripts: Any = self.client.register_script(_SLIDING_WINDOWS_LUA)
        self._recent: Any = self.client.register_script(_RECENT_LUA)
        self._add: Any = self.client.register_script(_ADD_LUA)
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
            self._warn(exc)
            return self._fallback.hit(key, limit)
        self._warned = False
        return int(wait_ms) / 1000.0

    def hit_all(self, checks: Sequence[tuple[str, Limit]]) -> float:
        """:meth:`hit` each in order until one is refused, in one script call."""
        import redis

        now_ms = int(time.time() * 1000)
        args: list[Any] = [now_ms, f"{now_ms}-{secrets.token_hex(4)}"]
        for _, limit in checks:
            args += [limit.window_s * 1000, limit.count]
        try:
            wait_ms = self._scripts(keys=[self.prefix + key for key, _ in checks], args=args)
        except redis.RedisError as exc:
            self._warn(exc)
            return self._fallback.hit_all(checks)
        self._warned = False
        return int(wait_ms) / 1000.0

    def recent(self, key: str, window_s: int) -> Recent:
        """Count the hits of the last window (per worker while Redis is down)."""
        import redis

        now_ms = int(time.time() * 1000)
        try:
            count, oldest, newest = self._recent(
                keys=[self.prefix + key], args=[now_ms, window_s * 1000]
            )
        except redis.RedisError as exc:
            self._warn(exc)
            return self._fallback.recent(key, window_s)
        self._warned = False
        if not int(count):
            return Recent(0)
        return Recent(int(count), (now_ms - int(oldest)) / 1000, (now_ms - int(newest)) / 1000)

    def add(self, key: str, window_s: int) -> None:
        """Record a hit (per worker while Redis is down)."""
        import redis

        now_ms = int(time.time() * 1000)
        try:
            self._add(
                keys=[self.prefix + key],
                args=[now_ms, window_s * 1000, f"{now_ms}-{secrets.token_hex(4)}", MAX_HITS_KEPT],
            )
        except redis.RedisError as exc:
            self._warn(exc)
            self._fallback.add(key, window_s)
            return
        self._warned = False

    def _warn(self, exc: Exception) -> None:
        if not self._warned:
            log.warning("Redis rate limiter unavailable, limiting per worker: %s", exc)
            self._warned = True


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


def _scale() -> float:
    return float(current_app.config["RATELIMIT_SCALE"])


def _limit(config_key: str) -> Limit | None:
    return Limit.parse(current_app.config[config_key], scale=_scale())


def keyed(bucket: str, key: str) -> str:
    """The stored key: a keyed hash, so no code, address or e-mail is kept in the store."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(secret, f"{bucket}\x1f{key}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{bucket}:{digest}"


def _whole_seconds(wait: float) -> int:
    return 0 if wait <= 0 else max(1, math.ceil(wait))


def hit(bucket: str, key: str, config_key: str) -> int:
    """Count one hit of ``key`` in ``bucket`` against the limit in ``config[config_key]``.

    Returns 0 when allowed, else the whole seconds to wait (for ``Retry-After``).
    """
    limit = _limit(config_key)
    if limit is None:
        return 0
    return _whole_seconds(_limiter().hit(keyed(bucket, key), limit))


def hit_all(*checks: tuple[str, str, str]) -> int:
    """:func:`hit` for each ``(bucket, key, config_key)`` in order, stopping at the first
    refused: the same counting in one round trip to Redis. Returns 0 or whole seconds to wait.
    """
    keyed_limits: list[tuple[str, Limit]] = []
    for bucket, key, config_key in checks:
        limit = _limit(config_key)
        if limit is not None:
            keyed_limits.append((keyed(bucket, key), limit))
    if not keyed_limits:
        return 0
    return _whole_seconds(_limiter().hit_all(keyed_limits))


def failure_wait(bucket: str, key: str, config_key: str) -> int:
    """Seconds until ``key`` may try again under the hard limit ``config[config_key]`` on its
    recorded failures (:func:`record_failure`), or 0. Nothing is recorded."""
    limit = _limit(config_key)
    if limit is None:
        return 0
    recent = _limiter().recent(keyed(bucket, key), limit.window_s)
    if recent.count < limit.count:
        return 0
    # The oldest failures leave the window first; when enough have left, the key may try again.
    return _whole_seconds(limit.window_s - recent.oldest_age_s)


def backoff_delay_s(failures: int, *, free: int, max_delay_s: int) -> int:
    """The wait after ``failures`` recent failures: none for the first ``free``, then 1 s,
    doubling with each further failure, never more than ``max_delay_s``.

    >>> [backoff_delay_s(n, free=5, max_delay_s=60) for n in (4, 5, 6, 7, 10, 11, 50)]
    [0, 1, 2, 4, 32, 60, 60]
    """
    if failures < free:
        return 0
    return min(max_delay_s, int(2 ** min(failures - free, 32)))


def backoff_wait(bucket: str, key: str) -> int:
    """Seconds ``key`` must still wait since its newest failure (``LOGIN_BACKOFF_*``), or 0."""
    config = current_app.config
    scale = _scale()
    if scale <= 0:
        return 0
    window_s = int(config["LOGIN_BACKOFF_WINDOW_S"])
    recent = _limiter().recent(keyed(bucket, key), window_s)
    delay = backoff_delay_s(
        recent.count,
        free=max(1, int(int(config["LOGIN_BACKOFF_AFTER"]) * scale)),
        max_delay_s=int(config["LOGIN_BACKOFF_MAX_S"]),
    )
    return _whole_seconds(delay - recent.newest_age_s)


def record_failure(bucket: str, key: str, window_s: int) -> None:
    """Remember one failure of ``key`` for ``window_s`` seconds."""
    if _scale() > 0:
        _limiter().add(keyed(bucket, key), window_s)
