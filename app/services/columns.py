"""Values checked against the columns that will hold them, before the database sees them.

A name longer than its ``VARCHAR``, an integer past PostgreSQL's ``integer``, a float that is not
finite or a text with a NUL character would make the INSERT fail with a database error: a 500
on the web, a traceback in the CLI, and no word about which feature or field was wrong. The
model's own column types are the rule, so a migration that widens a column widens the check.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import DeclarativeBase

from app.services.errors import ServiceError
from app.services.params import INT4_MAX, INT4_MIN

#: (field, message in Indonesian, message in English)
ColumnProblem = tuple[str, str, str]


def column_problems(
    model: type[DeclarativeBase], values: Mapping[str, Any]
) -> Iterator[ColumnProblem]:
    """What in ``values`` the model's columns cannot store, field by field.

    >>> from app.models import Zone
    >>> [p[0] for p in column_problems(Zone, {"name": "x" * 161, "capacity": 3_000_000_000})]
    ['name', 'capacity']
    """
    columns = model.__table__.columns
    for name, value in values.items():
        if name not in columns or value is None:
            continue
        yield from _check(name, columns[name].type, value)


def _check(name: str, column_type: Any, value: Any) -> Iterator[ColumnProblem]:
    item_type = getattr(column_type, "item_type", None)
    if item_type is not None and isinstance(value, list | tuple):  # ARRAY(...)
        for item in value:
            yield from _check(name, item_type, item)
        return
    if isinstance(column_type, String) and isinstance(value, dict | list | tuple):
        yield (name, "Harus berupa teks.", "Must be text.")
    elif isinstance(value, str):
        if "\x00" in value:
            yield (
                name,
                "Teks berisi karakter NUL (\\0) yang tidak dapat disimpan.",
                "The text contains a NUL character (\\0), which cannot be stored.",
            )
        length = getattr(column_type, "length", None)
        if isinstance(column_type, String) and length is not None and len(value) > length:
            yield (
                name,
                f"Terlalu panjang: {len(value)} karakter (maksimal {length}).",
                f"Too long: {len(value)} characters (at most {length}).",
            )
    elif isinstance(column_type, Integer) and isinstance(value, int):
        if not INT4_MIN <= value <= INT4_MAX:
            yield (
                name,
                f"Angka {_short(value)} di luar rentang yang dapat disimpan "
                f"({INT4_MIN} sampai {INT4_MAX}).",
                f"The number {_short(value)} is out of the storable range "
                f"({INT4_MIN} to {INT4_MAX}).",
            )
    elif isinstance(column_type, Float) and isinstance(value, float) and not math.isfinite(value):
        yield (
            name,
            f"Angka '{value}' tidak terhingga; masukkan angka biasa.",
            f"The number '{value}' is not finite; give an ordinary number.",
        )


def _short(value: int) -> str:
    text = str(value)
    return text if len(text) <= 24 else text[:20] + "…"


def refuse_unstorable(model: type[DeclarativeBase], values: Mapping[str, Any]) -> None:
    """Raise a :class:`ServiceError` naming the first field the model's columns cannot store."""
    for field, message_id, message_en in column_problems(model, values):
        raise ServiceError(f"{field}: {message_id}", f"{field}: {message_en}")
