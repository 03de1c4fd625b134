"""The OGC parameter parsers and the tile maths: pure functions, no app, no database."""

from __future__ import annotations

import doctest
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

import app.ogc.params as params
import app.ogc.tiles as tiles
from app.ogc.params import OgcError, negotiate, parse_bbox, parse_datetime, parse_int


@pytest.mark.parametrize("module", [params, tiles], ids=lambda m: m.__name__)
def test_doctests(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert result.failed == 0
    assert result.attempted > 0


def test_bbox_six_numbers_drop_heights() -> None:
    assert parse_bbox("109,-1,0,110,1,50") == [(109.0, -1.0, 110.0, 1.0)]


@pytest.mark.parametrize(
    "raw", ["", "1,2,3", "1,2,3,4,5", "x,1,2,3", "inf,0,1,1", "0,-91,1,1", "181,0,182,1"]
)
def test_bbox_rejects(raw: str) -> None:
    with pytest.raises(OgcError) as err:
        parse_bbox(raw)
    assert err.value.status == 400
    assert err.value.code == "InvalidParameterValue"


@pytest.mark.parametrize("raw", ["1e3", "0x10", " ", "1" * 25, "٣", "-0"])
def test_int_rejects_what_is_not_a_plain_number(raw: str) -> None:
    with pytest.raises(OgcError):
        parse_int(raw, name="limit", default=7, minimum=1, maximum=1000)


DAY = date(2026, 12, 6)
WIB = timezone(timedelta(hours=7))
BEGINS, ENDS = datetime(2026, 12, 6, 6, tzinfo=WIB), datetime(2026, 12, 6, 9, tzinfo=WIB)


@pytest.mark.parametrize(
    ("raw", "hit"),
    [
        ("2026-12-06", True),
        ("2026-12-05", False),
        ("2026-12-06T08:59:00+07:00", True),
        ("2026-12-06T09:01:00+07:00", False),
        ("2026-12-06T01:00:00Z", True),
        ("2026-12-06T01:00:00", True),
        ("../2026-12-06", True),
        ("2026-12-07/..", False),
        ("2026-12-06T08:00:00Z/..", False),
        ("/2026-12-06", True),
    ],
)
def test_datetime_overlap(raw: str, hit: bool) -> None:
    f = parse_datetime(raw)
    assert f is not None
    assert f.overlaps(day=DAY, begins=BEGINS, ends=ENDS) is hit


def test_datetime_reads_bare_times_as_utc() -> None:
    f = parse_datetime("2026-12-06T01:00:00")
    assert f is not None
    assert f.start.moment == datetime(2026, 12, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("f", "accept", "fmt"),
    [
        (None, None, "json"),
        (None, "*/*", "json"),
        (None, "text/html", "html"),
        (None, "application/json;q=0.9, text/html;q=0.5", "json"),
        (None, "application/geo+json, application/json", "json"),
        ("JSON", "text/html", "json"),
        (None, "text/html;q=bad, application/json", "json"),
    ],
)
def test_negotiate(f: str | None, accept: str | None, fmt: str) -> None:
    assert negotiate(f, accept) == fmt
