"""What every request's input must be before a view sees it.

- ``<id:name>`` in a URL is a database id: a whole number from 1 to
  :data:`~app.services.params.INT4_MAX`. Anything else (``0``, ``-1``, ``2147483648``, twenty
  digits) does not match the route, so the answer is the area's 404 (JSON under ``/api``, the
  OGC document under ``/ogc``, a page elsewhere) and no query sees a number PostgreSQL's
  ``integer`` cannot hold. Routes use ``<id:…>``, never Werkzeug's unbounded ``<int:…>``
  (``tests/routes/test_route_walk.py`` holds this).
- JSON bodies are strict: no ``NaN``/``Infinity``, no number that overflows to infinity
  (``1e309``), no NUL character, at most :data:`MAX_JSON_DEPTH` levels of nesting. A body that
  breaks a rule reads as invalid JSON (``get_json(silent=True)`` gives ``None``).
- No NUL character in the path (404: nothing has such a name), the query or a form field (400):
  PostgreSQL text cannot hold one.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter, Map

from app.services.errors import ServiceError
from app.services.params import INT4_MAX

#: GeoJSON needs about 6 levels (feature, geometry, polygons, rings, points, numbers).
MAX_JSON_DEPTH = 32


def digits_up_to(maximum: int) -> str:
    """A regular expression for the whole numbers 1 … ``maximum`` (no sign, no leading zero).

    >>> import re
    >>> pattern = re.compile(digits_up_to(305))
    >>> [bool(pattern.fullmatch(s)) for s in ("1", "99", "299", "305", "306", "0", "07", "1000")]
    [True, True, True, True, False, False, False, False]
    """
    top = str(maximum)
    parts = [rf"[1-9]\d{{0,{len(top) - 2}}}"] if len(top) > 1 else []
    for i, digit in enumerate(top):
        low, high = (1 if i == 0 else 0), int(digit) - 1
        if low <= high:
            parts.append(f"{top[:i]}[{low}-{high}]" + rf"\d{{{len(top) - i - 1}}}")
    parts.append(top)
    return "(?:" + "|".join(parts) + ")"


class DatabaseIdConverter(IntegerConverter):
    """A row id in a URL: 1 … 2**31 - 1.

    The bound is in the pattern itself: a number past it does not match the path at all, so the
    answer is 404 whatever the method (a converter refusing a matched path would leave Werkzeug
    answering 405 when another method's rule has the same path).
    """

    regex = digits_up_to(INT4_MAX)

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(url_map, min=1, max=INT4_MAX)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number out of range: {text[:20]}")
    return value


def _constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _check_tree(data: Any) -> None:
    """Refuse nesting deeper than :data:`MAX_JSON_DEPTH` and strings with NUL (no recursion)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                raise ValueError("NUL character in a JSON string")
        elif isinstance(node, dict | list):
            if depth >= MAX_JSON_DEPTH:
                raise ValueError("JSON nested too deeply")
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for key, value in items:
                if isinstance(key, str) and "\x00" in key:
                    raise ValueError("NUL character in a JSON key")
                stack.append((value, depth + 1))


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading only what the views and the database can hold."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse JSON; every refusal is a :class:`ValueError` (Werkzeug's "invalid JSON")."""
        kwargs.setdefault("parse_float", _finite)
        kwargs.setdefault("parse_constant", _constant)
        try:
            data = json.loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
        _check_tree(data)
        return data


def json_object() -> dict[str, Any]:
    """The request's JSON body as an object; ``{}`` when there is none; 400 for any other shape.

    A form post (no JSON) reads as ``{}`` so that views serving both keep working.
    """
    if not request.is_json and not request.get_data(cache=True):
        return {}
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ServiceError(
            'Isi permintaan harus objek JSON yang sah, mis. {"feature": {…}}.',
            'The request body must be a valid JSON object, e.g. {"feature": {…}}.',
        )
    return body


def _nul_in_input() -> bool:
    for source in (request.args, request.form if request.mimetype in _FORMS else None):
        if source is None:
            continue
        for key, value in source.items(multi=True):
            if "\x00" in key or "\x00" in value:
                return True
    return False


_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def register_inputs(app: Flask) -> None:
    """Bind the id converter, the strict JSON reader and the NUL check to ``app``.

    Runs before any blueprint is registered (the converter must exist when routes are added).
    """
    from app.routes.errors import error_response

    app.url_map.converters["id"] = DatabaseIdConverter
    app.json = StrictJSONProvider(app)

    @app.before_request
    def _refuse_nul() -> Any:
        if "\x00" in request.path:  # no resource has such a name
            return error_response(
                404, "not_found", _("Tidak ditemukan."), message_en="Not found.", page_code=404
            )
        if _nul_in_input():
            return error_response(
                400,
                "bad_request",
                _("Permintaan berisi karakter NUL (\\0) yang tidak sah."),
                message_en="The request contains a NUL character (\\0), which is not allowed.",
            )
        return None
