"""Query parameters of OGC API – Features, parsed without any web framework.

Every bad value raises :class:`OgcError`, which the API turns into the OGC exception document
``{"code": ..., "description": ...}`` with a 400 (or 404) status, never a 500.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
#: PostgreSQL's OFFSET takes a bigint, but no collection here holds two billion features:
#: anything larger is a client bug, answered with 400 rather than a slow empty page.
MAX_OFFSET = 2**31 - 1
#: Feature ids are PostgreSQL ``integer`` keys; a larger number names no feature (404).
MAX_ID = 2**31 - 1

BBox = tuple[float, float, float, float]


class OgcError(Exception):
    """A request the API refuses: ``status`` 400/401/403/404, OGC exception ``code``."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(description)
        self.status, self.code, self.description = status, code, description

    def to_dict(self) -> dict[str, str]:
        """The OGC exception document (the schema of ``exception.yaml`` in the standard)."""
        return {"code": self.code, "description": self.description}


def bad_request(param: str, description: str) -> OgcError:
    """A 400 ``InvalidParameterValue`` naming the parameter."""
    return OgcError(400, "InvalidParameterValue", f"{param}: {description}")


def parse_int(raw: str | None, *, name: str, default: int, minimum: int, maximum: int) -> int:
    """An integer query parameter within ``[minimum, maximum]``.

    >>> parse_int(None, name="limit", default=100, minimum=1, maximum=1000)
    100
    >>> parse_int("5000", name="limit", default=100, minimum=1, maximum=1000)
    Traceback (most recent call last):
    ...
    app.ogc.params.OgcError: limit: must be between 1 and 1000
    """
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"[+]?[0-9]{1,19}", raw.strip()):
        raise bad_request(name, "must be a whole number")
    value = int(raw.strip())
    if not minimum <= value <= maximum:
        raise bad_request(name, f"must be between {minimum} and {maximum}")
    return value


def parse_bbox(raw: str | None) -> list[BBox] | None:
    """``minlon,minlat,maxlon,maxlat`` (or six numbers with heights) in CRS84.

    Returns one box, or two when the box crosses the antimeridian (``minlon > maxlon``), as the
    standard allows; ``None`` when absent.

    >>> parse_bbox("109.3,-0.06,109.4,0.0")
    [(109.3, -0.06, 109.4, 0.0)]
    >>> parse_bbox("170,-10,-170,10")
    [(170.0, -10.0, 180.0, 10.0), (-180.0, -10.0, -170.0, 10.0)]
    """
    if raw is None:
        return None
    try:
        nums = [float(p) for p in raw.split(",")]
    except ValueError:
        raise bad_request("bbox", "must be 4 (or 6) comma-separated numbers") from None
    if len(nums) == 6:
        nums = [nums[0], nums[1], nums[3], nums[4]]
    if len(nums) != 4 or not all(math.isfinite(n) for n in nums):
        raise bad_request("bbox", "must be 4 (or 6) comma-separated numbers")
    minx, miny, maxx, maxy = nums
    if not (-180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise bad_request("bbox", "must be minlon,minlat,maxlon,maxlat in degrees (CRS84)")
    if minx > maxx:
        return [(minx, miny, 180.0, maxy), (-180.0, miny, maxx, maxy)]
    return [(minx, miny, maxx, maxy)]


@dataclass(frozen=True)
class Instant:
    """One end of a ``datetime`` interval: a calendar date, a moment, or open (``..``)."""

    day: date | None = None
    moment: datetime | None = None

    @property
    def is_open(self) -> bool:
        """True for ``..`` (or an empty end)."""
        return self.day is None and self.moment is None


@dataclass(frozen=True)
class DateTimeFilter:
    """A parsed ``datetime`` parameter: an instant (``start == end``) or an interval."""

    start: Instant
    end: Instant

    def overlaps(self, *, day: date, begins: datetime, ends: datetime) -> bool:
        """Whether an event on ``day`` running from ``begins`` to ``ends`` (aware) matches.

        Dates compare with the event's calendar date, moments with its hours.
        """
        if self.start.day is not None and day < self.start.day:
            return False
        if self.start.moment is not None and ends < self.start.moment:
            return False
        if self.end.day is not None and day > self.end.day:
            return False
        return not (self.end.moment is not None and begins > self.end.moment)


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _instant(raw: str) -> Instant:
    raw = raw.strip()
    if raw in ("", ".."):
        return Instant()
    try:
        if _DATE.fullmatch(raw):
            return Instant(day=date.fromisoformat(raw))
        if not re.fullmatch(
            r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
            r"([Zz]|[+-]\d{2}:\d{2})?",
            raw,
        ):
            raise ValueError(raw)
        moment = datetime.fromisoformat(raw.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(
            "datetime",
            "must be an RFC 3339 date, date-time or interval (e.g. 2026-12-06 or 2026-12-01/..)",
        ) from None
    if moment.tzinfo is None:  # RFC 3339 wants an offset; read a bare time as UTC
        moment = moment.replace(tzinfo=UTC)
    return Instant(moment=moment)


def parse_datetime(raw: str | None) -> DateTimeFilter | None:
    """``2026-12-06``, ``2026-12-06T07:00:00Z``, ``2026-12-01/2026-12-31``, ``../2026-12-31``.

    >>> f = parse_datetime("2026-12-01/..")
    >>> f.start.day, f.end.is_open
    (datetime.date(2026, 12, 1), True)
    """
    if raw is None:
        return None
    parts = raw.split("/")
    if len(parts) == 1:
        one = _instant(parts[0])
        if one.is_open:
            raise bad_request("datetime", "an instant cannot be open ('..')")
        return DateTimeFilter(one, one)
    if len(parts) != 2:
        raise bad_request("datetime", "an interval has exactly one '/'")
    start, end = _instant(parts[0]), _instant(parts[1])
    if start.is_open and end.is_open:
        raise bad_request("datetime", "an interval cannot be open at both ends")
    lo = start.moment or (
        datetime.combine(start.day, datetime.min.time(), UTC) if start.day else None
    )
    hi = end.moment or (datetime.combine(end.day, datetime.max.time(), UTC) if end.day else None)
    if lo is not None and hi is not None and lo > hi:
        raise bad_request("datetime", "the interval ends before it starts")
    return DateTimeFilter(start, end)


def negotiate(f: str | None, accept: str | None) -> str:
    """``json`` or ``html``: the ``f`` parameter wins, then the Accept header; JSON by default.

    >>> negotiate(None, "text/html,application/xhtml+xml,*/*;q=0.8")
    'html'
    >>> negotiate(None, "application/geo+json, application/json")
    'json'
    >>> negotiate("html", "application/json")
    'html'
    """
    if f is not None:
        value = f.strip().lower()
        if value in ("json", "geojson", "application/json", "application/geo+json"):
            return "json"
        if value in ("html", "text/html"):
            return "html"
        raise bad_request("f", "must be json or html")
    if not accept:
        return "json"
    best_html, best_json = 0.0, 0.0
    for item in accept.split(","):
        fields = item.strip().split(";")
        mime = fields[0].strip().lower()
        q = 1.0
        for p in fields[1:]:
            key, _, val = p.strip().partition("=")
            if key.strip() == "q":
                try:
                    q = float(val)
                except ValueError:
                    q = 0.0
        if mime in ("text/html", "application/xhtml+xml"):
            best_html = max(best_html, q)
        elif mime in (
            "application/json",
            "application/geo+json",
            "application/schema+json",
            "application/vnd.oai.openapi+json",
        ):
            best_json = max(best_json, q)
    return "html" if best_html > best_json else "json"
