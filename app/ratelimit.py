"""Sliding-window rate limits for anonymous endpoints (the vendor page's code lookups).

``REDIS_URL`` set: one sorted set per key in Redis, shared by every gunicorn worker (a Lua script
checks and records atomically). Otherwise, or while Redis is unreachable, an in-process store per
worker. Only allowed hits are recorded, so a client who waits the ``Retry-After`` it was given gets
through. Keys are keyed hashes (HMAC with ``SECRET_KEY``): codes and addresses are never stored.

Limits are written ``"count/seconds"`` (``"10/60"``: ten per minute). ``RATELIMIT_SCALE``
multiplies every count (benchmarks raise them; ``0`` turns limiting off).

Staff logins count *failures* only (:func:`reserve`, then :func:`release` on success): a hard
limit per client address, and per account a growing delay (:func:`backoff_delay_s`) that slows a
guesser without locking the owner out.
"""

from __future__ import annotations

import contextlib
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
class Backoff:
    """A growing delay: after ``free`` hits within ``window_s``, each further hit must wait
    :func:`backoff_delay_s` seconds after the newest."""

    free: int
    max_delay_s: int
    window_s: int


Rule = Limit | Backoff


class Limiter(Protocol):
    """Record a hit on ``key`` if ``limit`` allows it; or count and record hits separately."""

    def hit(self, key: str, limit: Limit) -> float:
        """0 when allowed (and recorded); else the seconds until a hit would be allowed."""

    def hit_all(self, checks: Sequence[tuple[str, Limit]]) -> float:
        """:meth:`hit` on each ``(key, limit)`` in order, stopping at the first refused (its wait)
        or 0 when all were allowed and recorded: one round trip for all of them."""

    def reserve(self, key: str, rule: Rule) -> tuple[float, str | None]:
        """Check ``rule`` and record a hit in one atomic step: ``(0, ticket)`` when allowed,
        else ``(seconds to wait, None)``. Concurrent requests see each other's hits."""

    def release(self, key: str, ticket: str) -> None:
        """Take back a hit :meth:`reserve` recorded (the attempt turned out not to count)."""


#: Hits kept per key by :meth:`Limiter.reserve`: enough for any limit or delay configured here.
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

    def reserve(self, key: str, rule: Rule) -> tuple[float, str | None]:
        """Check the rule and record, or return the wait in seconds."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                hits = self._hits[key] = deque(maxlen=MAX_HITS_KEPT)
            self._hits.move_to_end(key)
            while hits and hits[0] <= now - rule.window_s:
                hits.popleft()
            if isinstance(rule, Limit):
                wait = hits[0] + rule.window_s - now if len(hits) >= rule.count else 0.0
            else:
                delay = backoff_delay_s(len(hits), free=rule.free, max_delay_s=rule.max_delay_s)
                wait = hits[-1] + delay - now if hits and delay else 0.0
            if wait > 0:
                return max(wait, 0.001), None
            hits.append(now)
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
            return 0.0, repr(now)

    def release(self, key: str, ticket: str) -> None:
        """Forget the hit recorded under ``ticket``, if it is still kept."""
        with self._lock:
            hits = self._hits.get(key)
            if hits is not None:
                with contextlib.suppress(ValueError):
                    hits.remove(float(ticket))


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

# KEYS[1]: the key; ARGV: now (ms), window (ms), rule ("limit" or "backoff"), then for a limit
# its count, for a backoff its free hits and longest delay (ms); a unique member; the most hits
# kept. Returns 0 when the hit was recorded, else the milliseconds to wait.
_RESERVE_LUA = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, now - window)
local count = redis.call('ZCARD', KEYS[1])
if ARGV[3] == 'limit' then
  if count >= tonumber(ARGV[4]) then
    local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    return math.max(tonumber(oldest[2]) + window - now, 1)
  end
elseif count >= tonumber(ARGV[4]) then
  local delay = math.min(tonumber(ARGV[5]), 1000 * 2 ^ math.min(count - tonumber(ARGV[4]), 32))
  local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  local wait = tonumber(newest[2]) + delay - now
  if wait > 0 then return math.max(math.floor(wait), 1) end
end
redis.call('ZADD', KEYS[1], now, ARGV[6])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -tonumber(ARGV[7]) - 1)
redis.call('PEXPIRE', KEYS[1], window)
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
        self._reserve: Any = self.client.register_script(_RESERVE_LUA)
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

    def reserve(self, key: str, rule: Rule) -> tuple[float, str | None]:
        """Check the rule and record atomically (per worker while Redis is down)."""
        import redis

        now_ms = int(time.time() * 1000)
        member = f"{now_ms}-{secrets.token_hex(4)}"
        if isinstance(rule, Limit):
            params: list[Any] = ["limit", rule.count, 0]
        else:
            params = ["backoff", rule.free, rule.max_delay_s * 1000]
        try:
            wait_ms = self._reserve(
                keys=[self.prefix + key],
                args=[now_ms, rule.window_s * 1000, *params, member, MAX_HITS_KEPT],
            )
        except redis.RedisError as exc:
            self._warn(exc)
            return self._fallback.reserve(key, rule)
        self._warned = False
        return (0.0, member) if not int(wait_ms) else (int(wait_ms) / 1000.0, None)

    def release(self, key: str, ticket: str) -> None:
        """Forget the hit recorded under ``ticket``."""
        import redis

        try:
            self.client.zrem(self.prefix + key, ticket)
        except redis.RedisError as exc:
            self._warn(exc)
            self._fallback.release(key, ticket)

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


def backoff_delay_s(failures: int, *, free: int, max_delay_s: int) -> int:
    """The wait after ``failures`` recent failures: none for the first ``free``, then 1 s,
    doubling with each further failure, never more than ``max_delay_s``.

    >>> [backoff_delay_s(n, free=5, max_delay_s=60) for n in (4, 5, 6, 7, 10, 11, 50)]
    [0, 1, 2, 4, 32, 60, 60]
    """
    if failures < free:
        return 0
    return min(max_delay_s, int(2 ** min(failures - free, 32)))


def reserve(bucket: str, key: str, rule: Rule | None) -> tuple[int, str | None]:
    """Check ``rule`` for ``key`` in ``bucket`` and record a hit in one atomic step.

    Returns ``(0, ticket)`` when allowed (``ticket`` takes the hit back with :func:`release`,
    ``None`` when ``rule`` is ``None``: limiting off), else ``(whole seconds to wait, None)``.
    Staff logins reserve before checking the password and release on success, so only
    failures stay counted, and parallel guesses cannot slip through one opening together.
    """
    if rule is None:
        return 0, None
    wait, ticket = _limiter().reserve(keyed(bucket, key), rule)
    return _whole_seconds(wait), ticket


def release(bucket: str, key: str, ticket: str | None) -> None:
    """Take back the hit :func:`reserve` recorded under ``ticket`` (no-op for ``None``)."""
    if ticket is not None:
        _limiter().release(keyed(bucket, key), ticket)


def limit_rule(config_key: str) -> Limit | None:
    """The hard limit in ``config[config_key]`` (scaled), or None when limiting is off."""
    return _limit(config_key)


def login_backoff_rule() -> Backoff | None:
    """The per-account delay from ``LOGIN_BACKOFF_*`` (scaled), or None when limiting is off."""
    config = current_app.config
    scale = _scale()
    if scale <= 0:
        return None
    return Backoff(
        free=max(1, int(int(config["LOGIN_BACKOFF_AFTER"]) * scale)),
        max_delay_s=int(config["LOGIN_BACKOFF_MAX_S"]),
        window_s=int(config["LOGIN_BACKOFF_WINDOW_S"]),
    )
