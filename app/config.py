"""Configuration read from the environment.

Nothing is read at import time: :func:`load_config` is called by the app factory, so tests and
the CLI can build apps with different settings in one process.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

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


def load_config(instance_path: Path) -> dict[str, Any]:
    """Build the configuration mapping from environment variables."""
    env = os.environ.get("PETALAPAK_ENV", "development")
    secret = os.environ.get("SECRET_KEY", "")
    if env == "production":
        if not secret or secret == DEV_SECRET_PLACEHOLDER or len(secret) < 16:
            raise ConfigError(
                "SECRET_KEY must be set to a long random value when PETALAPAK_ENV=production"
            )
    elif not secret:
        secret = _dev_secret(instance_path)
    return {
        "ENV_NAME": env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
        ),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env == "production",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_MB", "25")) * 1024 * 1024,
        # Requests without a staff login (vendor page, login form) may send this much; their
        # forms and JSON hold a code and four digits (app/request_limits.py).
        "MAX_ANONYMOUS_BODY_KB": int(os.environ.get("MAX_ANONYMOUS_BODY_KB", "16")),
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Pontianak",
        "LANGUAGES": ("id", "en"),
        "DEFAULT_CITY": os.environ.get("PETALAPAK_CITY", "pontianak"),
        "MAP_TILES": os.environ.get("MAP_TILES") or None,
        # Required with MAP_TILES, e.g. "© OpenStreetMap contributors" (ODbL) for OSM tiles.
        "MAP_TILES_ATTRIBUTION": os.environ.get("MAP_TILES_ATTRIBUTION") or None,
        # OGC API tokens: read-only access to planner-only collections for GIS clients (QGIS,
        # GDAL) that cannot log in. Comma-separated; rotate by editing the list and restarting.
        "API_TOKENS": tuple(
            t.strip() for t in os.environ.get("PETALAPAK_API_TOKENS", "").split(",") if t.strip()
        ),
        # Public OGC item pages, tiles and each vendor's page are cached (0: off), in Redis when
        # REDIS_URL is set (shared by all workers), else in each worker's memory. Keys carry the
        # city's change counter (app/services/data_version.py), so a cached answer is exact;
        # CACHE_TTL only says how long an unused entry may take up room.
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "CACHE_TTL": int(os.environ.get("CACHE_TTL", "600")),
        "CACHE_KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "petalapak:"),
        # One JSON line per request on stderr (method, path, status, duration_ms, user).
        "REQUEST_LOG": os.environ.get("REQUEST_LOG", "1") not in ("0", "false", "no"),
        # Behind nginx: trust one proxy's X-Forwarded-For/-Proto/-Host (links use the public URL).
        "PROXY_FIX": os.environ.get("PETALAPAK_PROXY_FIX", "0") in ("1", "true", "yes"),
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
        # Vendor page (/lapak): lookups by access code + last four phone digits are limited per
        # client IP and per code ("count/seconds"), in Redis when REDIS_URL is set. Benchmarks
        # raise every limit with RATELIMIT_SCALE (a multiplier; 0 turns limiting off).
        "LAPAK_LIMIT_PER_IP": os.environ.get("LAPAK_LIMIT_PER_IP", "10/60"),
        "LAPAK_LIMIT_PER_CODE": os.environ.get("LAPAK_LIMIT_PER_CODE", "5/900"),
        "RATELIMIT_SCALE": float(os.environ.get("RATELIMIT_SCALE", "1")),
        # Staff login attempts, per client IP and per e-mail address (password guessing).
        "LOGIN_LIMIT_PER_IP": os.environ.get("LOGIN_LIMIT_PER_IP", "30/600"),
        "LOGIN_LIMIT_PER_EMAIL": os.environ.get("LOGIN_LIMIT_PER_EMAIL", "10/900"),
        # Signed vendor links / QR codes (/lapak/v/<token>) stay valid this many days.
        "VENDOR_LINK_MAX_AGE_DAYS": int(os.environ.get("VENDOR_LINK_MAX_AGE_DAYS", "180")),
        # Planner map: an event with more booths than this is drawn from vector tiles at city
        # scale and fetched as editable features only from street level (zoom 17) on.
        "WORKSPACE_TILE_MIN_BOOTHS": int(os.environ.get("WORKSPACE_TILE_MIN_BOOTHS", "8000")),
        # ... and a city with more facilities than this gets them for the view only, from
        # street level (zoom 16, where facility symbols show) on.
        "WORKSPACE_VIEW_MIN_FACILITIES": int(
            os.environ.get("WORKSPACE_VIEW_MIN_FACILITIES", "5000")
        ),
        # Geometry: a feature with more coordinates than this is refused on every write path
        # (imports, the planner's map, the API), or simplified when the import asks for it.
        "MAX_VERTICES": int(os.environ.get("MAX_VERTICES", "10000")),
        # Crew check-in: no-show booths may be released this many minutes after the start.
        "CHECKIN_CUTOFF_MINUTES": int(os.environ.get("CHECKIN_CUTOFF_MINUTES", "30")),
    }
