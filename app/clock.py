"""The city's clock for routes and commands: its time zone, now and today.

Read from the app's configuration (``BABEL_DEFAULT_TIMEZONE``; ``FIXED_NOW`` stands in for the
clock in tests and demos), so they need an app context. Services take ``now``/``today`` as
arguments and never read the clock themselves.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def city_timezone_name() -> str:
    """The IANA name of the city's time zone (Pontianak: ``Asia/Pontianak``, WIB)."""
    return str(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def city_timezone() -> ZoneInfo:
    """The city's time zone."""
    return ZoneInfo(city_timezone_name())


def now() -> datetime:
    """Now in the city's time zone; ``FIXED_NOW`` (naive: city time) stands in for the clock."""
    fixed: datetime | None = current_app.config["FIXED_NOW"]
    if fixed is not None:
        return fixed if fixed.tzinfo else fixed.replace(tzinfo=city_timezone())
    return datetime.now(city_timezone())


def today() -> date:
    """Today in the city's time zone."""
    return now().astimezone(city_timezone()).date()


_BULAN = (
    "",
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def tanggal(on: date) -> str:
    """A date as Indonesian writes it in a name ("6 Desember 2026"): event names use it.

    >>> tanggal(date(2026, 12, 6))
    '6 Desember 2026'
    """
    return f"{on.day} {_BULAN[on.month]} {on.year}"
