"""Configuration read from the environment.

Every setting the app reads is declared once in :data:`SETTINGS` (key, type, default, the
environment variable it comes from, and why it exists); use sites read ``app.config[KEY]`` with no
default of their own. Nothing is read at import time: :func:`load_config` is called by the app
factory, so tests and the CLI can build apps with different settings in one process.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.gis.validate import DEFAULT_MAX_VERTICES

DEV_SECRET_PLACEHOLDER = "dev-not-secret"  # noqa: S105 - a marker that production refuses
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/petalapak"


class ConfigError(RuntimeError):
    """The app cannot start safely with the configuration it was given."""


def _dev_secret(instance_path: Path) -> str:
    """Keep a random per-checkout key so development sessions survive restarts."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _flag(on: tuple[str, ...]) -> Callable[[str], bool]:
    return lambda raw: raw.strip().lower() in on


def _tokens(raw: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in raw.split(",") if t.strip())


def _optional(raw: str) -> str | None:
    return raw or None


@dataclass(frozen=True)
class Setting:
    """One configuration key: its type, its default, and where it comes from.

    ``env`` names the environment variable it is read from (``None``: set only by code, such as
    tests and demos); ``parse`` turns that variable's text into ``type``.
    """

    key: str
    type: type | tuple[type, ...]
    default: Any
    env: str | None
    parse: Callable[[str], Any] | None
    doc: str

    def read(self, environ: dict[str, str]) -> Any:
        """The value from ``environ``, or the default when the variable is not set."""
        if self.env is None or self.env not in environ:
            return self.default
        assert self.parse is not None
        return self.parse(environ[self.env])


_NONE = type(None)

#: Every setting the app reads, once. Keys Flask and its extensions define themselves (cookies,
#: CSRF, compression, Babel) are fixed in :func:`load_config`.
SETTINGS: tuple[Setting, ...] = (
    Setting(
        "ENV_NAME",
        str,
        "development",
        "PETALAPAK_ENV",
        str,
        "development or production (production requires a real SECRET_KEY)",
    ),
    Setting(
        "DEFAULT_CITY",
        str,
        "pontianak",
        "PETALAPAK_CITY",
        str,
        "the city the home map and the vendor registry show",
    ),
    Setting(
        "MAX_UPLOAD_MB",
        int,
        25,
        "MAX_UPLOAD_MB",
        int,
        "the upload limit in MB (MAX_CONTENT_LENGTH is derived from it)",
    ),
    Setting(
        "MAP_TILES",
        (str, _NONE),
        None,
        "MAP_TILES",
        _optional,
        "an optional tile URL template; none by default: the maps work offline",
    ),
    Setting(
        "MAP_TILES_ATTRIBUTION",
        (str, _NONE),
        None,
        "MAP_TILES_ATTRIBUTION",
        _optional,
        "required with MAP_TILES, e.g. '© OpenStreetMap contributors' (ODbL) for OSM tiles",
    ),
    Setting(
        "API_TOKENS",
        tuple,
        (),
        "PETALAPAK_API_TOKENS",
        _tokens,
        "OGC API tokens: read-only access to planner-only collections for GIS clients (QGIS, "
        "GDAL) that cannot log in; comma-separated, rotate by editing and restarting",
    ),
    Setting(
        "REDIS_URL",
        (str, _NONE),
        None,
        "REDIS_URL",
        _optional,
        "shares the cache and the rate limits between workers; else each worker's memory",
    ),
    Setting(
        "CACHE_TTL",
        int,
        600,
        "CACHE_TTL",
        int,
        "seconds an unused cache entry may take up room (0: no caching). Public OGC item "
        "pages, tiles, each vendor's page and the crew's PDFs are cached; keys carry the "
        "city's change counter (app/services/data_version.py), so a cached answer is exact",
    ),
    Setting(
        "CACHE_MAX_MB",
        int,
        64,
        "CACHE_MAX_MB",
        int,
        "megabytes of cached answers each worker keeps in memory when REDIS_URL is not set "
        "(the crew's PDFs are large; least recently used answers go first)",
    ),
    Setting(
        "PRINT_JOB_STALE_S",
        int,
        60,
        "PRINT_JOB_STALE_S",
        int,
        "seconds a crew print being made in the background may go without reporting a page "
        "before the next request for it starts it again (its worker died or was restarted)",
    ),
    Setting(
        "PRINT_JOB_KEEP_S",
        int,
        86400,
        "PRINT_JOB_KEEP_S",
        int,
        "seconds a finished background print is kept in the database for download by any worker "
        "(a newer one of the same print-out replaces it at once)",
    ),
    Setting(
        "CACHE_KEY_PREFIX",
        str,
        "petalapak:",
        "CACHE_KEY_PREFIX",
        str,
        "prefix of every cache and rate-limit key in Redis",
    ),
    Setting(
        "REQUEST_LOG",
        bool,
        True,
        "REQUEST_LOG",
        lambda raw: raw not in ("0", "false", "no"),
        "one JSON line per request on stderr (method, path, status, duration_ms, user)",
    ),
    Setting(
        "PROXY_FIX",
        bool,
        False,
        "PETALAPAK_PROXY_FIX",
        _flag(("1", "true", "yes")),
        "behind nginx: trust one proxy's X-Forwarded-For/-Proto/-Host",
    ),
    Setting(
        "LAPAK_LIMIT_PER_IP",
        str,
        "10/60",
        "LAPAK_LIMIT_PER_IP",
        str,
        "vendor page lookups per client IP ('count/seconds')",
    ),
    Setting(
        "LAPAK_LIMIT_PER_CODE",
        str,
        "5/900",
        "LAPAK_LIMIT_PER_CODE",
        str,
        "vendor page lookups per access code ('count/seconds')",
    ),
    Setting(
        "RATELIMIT_SCALE",
        float,
        1.0,
        "RATELIMIT_SCALE",
        float,
        "multiplies every rate limit (benchmarks); 0 turns limiting off",
    ),
    Setting(
        "LOGIN_LIMIT_PER_IP",
        str,
        "30/600",
        "LOGIN_LIMIT_PER_IP",
        str,
        "failed staff logins per client IP ('count/seconds'), a hard limit; successes never count",
    ),
    Setting(
        "LOGIN_BACKOFF_AFTER",
        int,
        5,
        "LOGIN_BACKOFF_AFTER",
        int,
        "failed logins per account (within LOGIN_BACKOFF_WINDOW_S) before each further attempt"
        " waits 1 s, 2 s, 4 s, ... after the newest failure; a browser that has logged in to the"
        " account before skips the wait, so guessing never locks the owner out",
    ),
    Setting(
        "LOGIN_BACKOFF_MAX_S",
        int,
        60,
        "LOGIN_BACKOFF_MAX_S",
        int,
        "the longest wait between attempts on one account after failed logins (seconds)",
    ),
    Setting(
        "LOGIN_BACKOFF_WINDOW_S",
        int,
        900,
        "LOGIN_BACKOFF_WINDOW_S",
        int,
        "how long a failed login counts towards its account's delay (seconds)",
    ),
    Setting(
        "VENDOR_LINK_MAX_AGE_DAYS",
        int,
        180,
        "VENDOR_LINK_MAX_AGE_DAYS",
        int,
        "days a signed vendor link / QR code (/lapak/v/<token>) stays valid",
    ),
    Setting(
        "CONFLICT_CONTEXT_EVENTS",
        int,
        4,
        "CONFLICT_CONTEXT_EVENTS",
        int,
        "planner map: each worker keeps the conflict context of this many events warm, so a save "
        "re-checks one booth in memory (exact: keyed on the layout counter; 0 reloads every time)",
    ),
    Setting(
        "WORKSPACE_TILE_MIN_BOOTHS",
        int,
        8000,
        "WORKSPACE_TILE_MIN_BOOTHS",
        int,
        "planner map: an event with more booths is drawn from vector tiles at city scale and "
        "fetched as editable features only from street level (zoom 17) on",
    ),
    Setting(
        "WORKSPACE_VIEW_MIN_FACILITIES",
        int,
        5000,
        "WORKSPACE_VIEW_MIN_FACILITIES",
        int,
        "planner map: a city with more facilities gets them for the view only, from zoom 16",
    ),
    Setting(
        "CHECKIN_CUTOFF_MINUTES",
        int,
        30,
        "CHECKIN_CUTOFF_MINUTES",
        int,
        "crew check-in: no-show booths may be released this many minutes after the start",
    ),
    Setting(
        "APPLY_LIMIT_PER_IP",
        str,
        "10/3600",
        "APPLY_LIMIT_PER_IP",
        str,
        "applications filed at /daftar per client IP ('count/seconds')",
    ),
    Setting(
        "APPLY_STATUS_LIMIT_PER_IP",
        str,
        "20/600",
        "APPLY_STATUS_LIMIT_PER_IP",
        str,
        "application status look-ups at /daftar/status per client IP ('count/seconds')",
    ),
    Setting(
        "APPLICATION_PHOTO_MAX_MB",
        int,
        5,
        "APPLICATION_PHOTO_MAX_MB",
        int,
        "the largest stall photo an application at /daftar may send (the only anonymous "
        "request allowed more than MAX_ANONYMOUS_BODY_KB)",
    ),
    Setting(
        "ATTENDANCE_DEADLINE_DAYS",
        int,
        2,
        "ATTENDANCE_DEADLINE_DAYS",
        int,
        "vendors answer whether they will come until this many days before an event's start, "
        "unless the planner set the event's own registration deadline",
    ),
    Setting(
        "MAX_ANONYMOUS_BODY_KB",
        int,
        16,
        "MAX_ANONYMOUS_BODY_KB",
        int,
        "requests without a staff login (vendor page, login form) may send this much; their "
        "forms and JSON hold a code and four digits (app/request_limits.py)",
    ),
    Setting(
        "DB_RETRY_DELAY_S",
        float,
        0.5,
        "DB_RETRY_DELAY_S",
        float,
        "PostgreSQL away for a moment (a restart): a read caught by a dropped connection is tried "
        "once more after this pause (app/faults.py)",
    ),
    Setting(
        "DB_RETRY_AFTER_S",
        int,
        5,
        "DB_RETRY_AFTER_S",
        int,
        "... and otherwise answers 503 with Retry-After this many seconds",
    ),
    Setting(
        "MAX_VERTICES",
        int,
        DEFAULT_MAX_VERTICES,
        "MAX_VERTICES",
        int,
        "geometry: a feature with more coordinates is refused on every write path (imports, the "
        "planner's map, the API), or simplified when the import asks for it",
    ),
    Setting(
        "VENDOR_IMPORT_DIR",
        (str, _NONE),
        None,
        "VENDOR_IMPORT_DIR",
        _optional,
        "where previewed vendor spreadsheets wait for confirmation; None: instance folder",
    ),
    Setting(
        "FIXED_NOW",
        (datetime, _NONE),
        None,
        None,
        None,
        "tests and demos: a datetime that stands in for the clock (naive: city time)",
    ),
)


def load_config(instance_path: Path, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the configuration mapping from environment variables."""
    env_vars = dict(os.environ if environ is None else environ)
    values = {s.key: s.read(env_vars) for s in SETTINGS}
    env = values["ENV_NAME"]
    secret = env_vars.get("SECRET_KEY", "")
    if env == "production":
        if not secret or secret == DEV_SECRET_PLACEHOLDER or len(secret) < 16:
            raise ConfigError(
                "SECRET_KEY must be set to a long random value when PETALAPAK_ENV=production"
            )
    elif not secret:
        secret = _dev_secret(instance_path)
    return {
        **values,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            env_vars.get("DATABASE_URL", DEFAULT_DATABASE_URL)
        ),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_NAME": "remember_token",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env == "production",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": values["MAX_UPLOAD_MB"] * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Pontianak",
        "LANGUAGES": ("id", "en"),
        # Booth layers and the map scripts travel gzip-compressed: a CFD of 5,000 booths is
        # ~1.2 MB of GeoJSON raw and ~150 KB compressed, which matters on a phone connection.
        "COMPRESS_ALGORITHM": ["gzip"],
        "COMPRESS_MIMETYPES": [
            "text/html",
            "text/css",
            "application/javascript",
            "text/javascript",
            "application/json",
            "application/geo+json",
        ],
        "COMPRESS_MIN_SIZE": 1024,
        # Compress whole bodies (static files are small); the streaming path would leave
        # send_file's file handle to the garbage collector.
        "COMPRESS_STREAMS": False,
    }
