"""Numbers from people and clients, checked before any query sees them.

Ids are PostgreSQL ``integer`` columns: a value past :data:`INT4_MAX` would make the database
raise "integer out of range" (a 500) where the honest answer is "no such row". Settings typed in
a form or on the command line must be finite and within their range; ``nan`` compares false with
everything, so a range check alone lets it through.
"""

from __future__ import annotations

import math
import re

from app.services.errors import ServiceError

#: The largest value of a PostgreSQL ``integer`` (every id and count column here).
INT4_MAX = 2**31 - 1
INT4_MIN = -(2**31)

_WHOLE = re.compile(r"[+-]?[0-9]+")


def bounded_int(
    raw: object,
    *,
    field: str,
    minimum: int,
    maximum: int,
    default: int | None = None,
) -> int:
    """A whole number within ``[minimum, maximum]``; ``default`` when empty (if given).

    >>> bounded_int("45", field="seed", minimum=0, maximum=INT4_MAX)
    45
    >>> bounded_int("", field="page", minimum=1, maximum=10, default=1)
    1
    >>> bounded_int("99999999999999999999", field="page", minimum=1, maximum=10)
    Traceback (most recent call last):
    ...
    app.services.errors.ServiceError: page: '99999999999999999999' di luar rentang 1–10.
    """
    text = "" if raw is None else str(raw).strip()
    if text == "" and default is not None:
        return default
    if isinstance(raw, bool) or not _WHOLE.fullmatch(text):
        shown = _shown(text)
        raise ServiceError(
            f"{field}: '{shown}' bukan bilangan bulat.",
            f"{field}: '{shown}' is not a whole number.",
        )
    # a run of digits too long to be in any range here is out of range, not parsed
    if len(text.lstrip("+-")) > 20 or not minimum <= int(text) <= maximum:
        shown = _shown(text)
        raise ServiceError(
            f"{field}: '{shown}' di luar rentang {minimum}–{maximum}.",
            f"{field}: '{shown}' is out of range {minimum}–{maximum}.",
        )
    return int(text)


def bounded_float(
    raw: object,
    *,
    field: str,
    minimum: float,
    maximum: float,
    default: float | None = None,
) -> float:
    """A finite number within ``[minimum, maximum]``; ``nan`` and ``inf`` are refused.

    >>> bounded_float("2.5", field="neighbour_weight", minimum=-100, maximum=100)
    2.5
    >>> bounded_float("nan", field="neighbour_weight", minimum=-100, maximum=100)
    Traceback (most recent call last):
    ...
    app.services.errors.ServiceError: neighbour_weight: 'nan' bukan angka terhingga.
    """
    text = "" if raw is None else str(raw).strip()
    if text == "" and default is not None:
        return default
    shown = _shown(text)
    try:
        if isinstance(raw, bool):
            raise ValueError(text)
        value = float(text)
    except ValueError:
        raise ServiceError(
            f"{field}: '{shown}' bukan angka.", f"{field}: '{shown}' is not a number."
        ) from None
    if not math.isfinite(value):
        raise ServiceError(
            f"{field}: '{shown}' bukan angka terhingga.",
            f"{field}: '{shown}' is not a finite number.",
        )
    if not minimum <= value <= maximum:
        raise ServiceError(
            f"{field}: '{shown}' di luar rentang {minimum:g}–{maximum:g}.",
            f"{field}: '{shown}' is out of range {minimum:g}–{maximum:g}.",
        )
    return value


def _shown(text: str) -> str:
    """The value as quoted back in a message: short, so a megabyte of digits stays out."""
    return text if len(text) <= 24 else text[:20] + "…"
