"""Every route of the app, with hostile values for every parameter: nothing answers 5xx.

The walk reads ``app.url_map``, so a route added tomorrow is walked tomorrow. For each route and
method, as an anonymous visitor, a vendor (the "Cek Lapak Saya" session), crew, an enforcement
officer (petugas), a MikroDOTS desk officer (petugas_layanan), a planner and an admin (the routes
only they reach are walked past the role check too):

1. one request with sane values, which records the query, form and JSON keys the view reads;
2. each path parameter in turn replaced by each hostile value;
3. each recorded query and form key in turn given each hostile value;
4. when the view reads JSON: bodies of the wrong shape, and each recorded JSON key given each
   hostile JSON value.

A request "fails" when it answers 5xx or raises (the test app propagates exceptions). All
failures are collected and listed together.
"""

from __future__ import annotations

import json
import re
import traceback
from collections.abc import Iterator
from datetime import date, time
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import box
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter, Rule
from werkzeug.test import TestResponse

from app.models import Assignment, Booth, City, Event, Vendor, Zone
from app.routes.inputs import DatabaseIdConverter

#: The walk's own small event (a few booths, one vendor): print-outs, layout and allocation with
#: sane values stay quick, so the time goes to the hostile values.
EVENT = "walk-2026-12-13"
CITY = "pontianak"

#: Path values: ids past int4 and int8, signs, words, unicode, length, traversal, NUL, numbers
#: Python reads as floats.
HOSTILE_PATH = (
    "2147483648",
    "18446744073709551616",
    "-1",
    "abc",
    "%C3%BCn%C3%AF%E2%9C%93%F0%9D%84%9E",  # ünï✓𝄞
    "x" * 3000,
    "..%2F..%2Fetc%2Fpasswd",
    "%00",
    "NaN",
    "1e309",
)
#: Query and form values (sent URL-encoded).
HOSTILE_VALUE = (
    "2147483648",
    "18446744073709551616",
    "-1",
    "abc",
    "ünï✓𝄞",
    "x" * 3000,
    "../../etc/passwd",
    "\x00",
    "nan",
    "1e309",
)
#: Whole JSON bodies of the wrong shape (raw text).
HOSTILE_BODIES = (
    "[]",
    '"abc"',
    "123",
    "null",
    "{",
    "[" * 100_000 + "]" * 100_000,
    '{"feature": "abc"}',
    '{"feature": {"type": "Feature", "geometry": "abc", "properties": []}}',
    '{"feature": {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": "abc"}}}',
    '{"feature": {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1e309, 0]}}}',
    '{"version": 1e309}',
)
#: Values each JSON key the view reads is given in turn (raw JSON text).
HOSTILE_JSON_VALUES = (
    '"abc"',
    "[]",
    "{}",
    "null",
    "true",
    "1e309",
    "-1",
    "2147483648",
    "18446744073709551616",
    '"' + "x" * 3000 + '"',
    '"\\u0000"',
)

#: Sane values for path parameters by name; anything else gets ``"x"``.
SANE_PATH = {
    "city_slug": CITY,
    "event_slug": EVENT,
    "layer": "booths",
    "collection_id": "zones",
    "feature_id": "1",
    "z": "16",
    "x": "52196",
    "y": "32773",
    "filename": "vendor/leaflet/leaflet.js",
    "rest": "x",
    "fmt": "csv",
    "action": "confirm",
    "token": "abc",
}
ARG = re.compile(r"<(?:([a-zA-Z_][a-zA-Z0-9_]*)(?:\([^>]*\))?:)?([a-zA-Z_][a-zA-Z0-9_]*)>")
#: Logging out ends the walk's session: these routes are walked last.
SESSION_ENDERS = {"auth.logout", "lapak.logout"}
#: Query keys every view reads through shared code (the language choice): walked once per role,
#: on the first route that reads them, not again on each of the others.
SHARED_KEYS = {"lang"}


class _Recorder:
    """Keys the current request's view read from the query, the form and the JSON body."""

    query: set[str] = set()
    form: set[str] = set()
    json: set[str] = set()
    read_json = False

    @classmethod
    def reset(cls) -> None:
        cls.query, cls.form, cls.json, cls.read_json = set(), set(), set(), False


class _RecordingDict(dict):  # type: ignore[type-arg]
    def __init__(self, data: Any, into: set[str]) -> None:
        super().__init__(data)
        self._into = into

    def get(self, key: Any, default: Any = None) -> Any:
        self._into.add(str(key))
        return super().get(key, default)

    def __getitem__(self, key: Any) -> Any:
        self._into.add(str(key))
        return super().__getitem__(key)

    def __contains__(self, key: Any) -> bool:
        self._into.add(str(key))
        return super().__contains__(key)


class _RecordingMultiDict(ImmutableMultiDict):  # type: ignore[type-arg]
    """The form (Werkzeug builds it with ``parameter_storage_class``); the query subclasses it."""

    def _into(self) -> set[str]:
        return _Recorder.form

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:  # noqa: A002
        self._into().add(str(key))
        return super().get(key, default, type)

    def __getitem__(self, key: Any) -> Any:
        self._into().add(str(key))
        return super().__getitem__(key)

    def getlist(self, key: Any, type: Any = None) -> Any:  # noqa: A002
        self._into().add(str(key))
        return super().getlist(key, type)

    def __contains__(self, key: Any) -> bool:
        self._into().add(str(key))
        return super().__contains__(key)

    def to_dict(self, flat: bool = True) -> Any:  # type: ignore[override]
        return _RecordingDict(super().to_dict(flat), self._into())


class _RecordingQuery(_RecordingMultiDict):
    def _into(self) -> set[str]:
        return _Recorder.query


class _RecordingRequest:
    """Mixed into the app's own request class: records the keys a view reads."""

    @property
    def args(self) -> Any:
        if "_walk_args" not in self.__dict__:
            self.__dict__["_walk_args"] = _RecordingQuery(super().args)  # type: ignore[misc]
        return self.__dict__["_walk_args"]

    def get_json(self, *args: Any, **kwargs: Any) -> Any:
        _Recorder.read_json = True
        data = super().get_json(*args, **kwargs)  # type: ignore[misc]
        return _RecordingDict(data, _Recorder.json) if isinstance(data, dict) else data


def _args(rule: Rule) -> list[tuple[str, str]]:
    """(converter, name) of each path parameter, in order."""
    return [(conv or "default", name) for conv, name in ARG.findall(rule.rule)]


def _sane(rule: Rule, converter: str, name: str) -> str:
    if name == "slug":
        return CITY if "/cities/<" in rule.rule else EVENT
    if converter in ("id", "int"):
        return "1"
    if converter == "any":
        match = re.search(rf"<any\(([^)]*)\):{name}>", rule.rule)
        assert match is not None
        return match.group(1).split(",")[0].strip()
    return SANE_PATH.get(name, "x")


def _url(rule: Rule, values: dict[str, str]) -> str:
    return ARG.sub(lambda m: values[m.group(2)], rule.rule)


class Walk:
    """One role's walk: sends the requests and collects the failures."""

    def __init__(self, client: FlaskClient, db: Session) -> None:
        self.client, self.db = client, db
        self.failures: list[str] = []
        self.shared_done: set[str] = set()
        self.sent: set[tuple[str, str, str, str]] = set()
        self.count = 0

    def send(
        self,
        method: str,
        url: str,
        *,
        form: dict[str, str] | None = None,
        body: str | None = None,
    ) -> TestResponse | None:
        """Send one request; the response, or None when it raised (or was sent already)."""
        key = (method, url, json.dumps(form, sort_keys=True), body or "")
        if key in self.sent:
            return None
        self.sent.add(key)
        self.count += 1
        kwargs: dict[str, Any] = {"method": method}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        elif form is not None:
            kwargs["data"] = form
        what = f"{method} {url[:160]}" + (f" form={form!r:.120}" if form else "")
        what += f" json={body[:120]!r}" if body is not None else ""
        try:
            resp = self.client.open(url, **kwargs)
        except Exception as exc:  # noqa: BLE001 - every escape is what this test looks for
            self.db.rollback()
            frames = traceback.extract_tb(exc.__traceback__)
            ours = [f for f in frames if "/app/" in f.filename] or frames
            frame = ours[-1]
            self.failures.append(
                f"{what}: {type(exc).__name__}: {str(exc)[:160]} "
                f"({frame.filename.rsplit('/app/', 1)[-1]}:{frame.lineno})"
            )
            return None
        if resp.status_code >= 500:
            self.failures.append(f"{what}: {resp.status_code}")
        return resp

    def route(self, rule: Rule, method: str) -> None:
        params = _args(rule)
        sane = {name: _sane(rule, conv, name) for conv, name in params}
        base = _url(rule, sane)
        write = method in ("POST", "PUT", "PATCH", "DELETE")
        _Recorder.reset()
        first = self.send(method, base, form={} if write else None)
        if first is not None and _turned_away(first):
            # the role check runs after routing and before any parameter is read: nothing
            # hostile reaches the view (routing itself is walked in the roles let in)
            return
        query_keys, form_keys = set(_Recorder.query), set(_Recorder.form)
        read_json, json_keys = _Recorder.read_json, set(_Recorder.json)
        for _conv, name in params:
            for value in HOSTILE_PATH:
                self.send(method, _url(rule, {**sane, name: value}))
        for key in sorted(query_keys - self.shared_done):
            if key in SHARED_KEYS:
                self.shared_done.add(key)
            for value in HOSTILE_VALUE:
                self.send(method, f"{base}?{key}={quote(value)}")
        for key in sorted(form_keys) if write else ():
            for value in HOSTILE_VALUE:
                self.send(method, base, form={key: value})
        if read_json:
            for text in HOSTILE_BODIES:
                self.send(method, base, body=text)
            for key in sorted(json_keys):
                for value in HOSTILE_JSON_VALUES:
                    self.send(method, base, body=f"{{{json.dumps(key)}: {value}}}")


def _turned_away(resp: TestResponse) -> bool:
    """A login page redirect, 401 or 403: this role may not use the route."""
    if resp.status_code in (401, 403):
        return True
    return resp.status_code == 302 and "/login" in resp.headers.get("Location", "")


def _routes(app: Flask) -> Iterator[tuple[Rule, str]]:
    # logging out last keeps the walk's session for every other route
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint in SESSION_ENDERS, r.rule))
    for rule in rules:
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


@pytest.fixture
def walk_vendor(db: Session) -> Vendor:
    """A small published event on a short corridor: four demo booths copied, one vendor on one."""
    demo_booths = db.scalars(
        select(Booth)
        .join(Event, Event.id == Booth.event_id)
        .where(Event.slug == "cfd-2026-12-06", Booth.kind == "vendor")
        .order_by(Booth.id)
        .limit(4)
    ).all()
    shapes = [to_shape(b.geom) for b in demo_booths]
    minx = min(s.bounds[0] for s in shapes)
    miny = min(s.bounds[1] for s in shapes)
    maxx = max(s.bounds[2] for s in shapes)
    maxy = max(s.bounds[3] for s in shapes)
    city = db.scalars(select(City).where(City.slug == CITY)).one()
    vendor = db.scalars(
        select(Vendor)
        .where(Vendor.phone.is_not(None), Vendor.active.is_(True))
        .order_by(Vendor.id)
        .limit(1)
    ).one()
    corridor = Zone(
        city=city,
        name="Koridor uji jelajah",
        kind="cfd_corridor",
        geom=from_shape(box(minx, miny, maxx, maxy).buffer(0.00005, join_style=2), srid=4326),
    )
    event = Event(
        city=city,
        slug=EVENT,
        name="Jelajah rute",
        date=date(2026, 12, 13),
        start_time=time(6),
        end_time=time(9),
        status="published",
        corridors=[corridor],
    )
    booths = [
        Booth(event=event, code=f"W-{n}", kind="vendor", geom=b.geom, width_m=3, depth_m=3)
        for n, b in enumerate(demo_booths, start=1)
    ]
    db.add_all([corridor, event, *booths])
    db.add(Assignment(booth=booths[0], vendor=vendor, event=event, status="assigned"))
    db.flush()
    return vendor


@pytest.fixture
def walk_app(app: Flask, walk_vendor: Vendor) -> Flask:
    app.request_class = type(
        "WalkRequest",
        (_RecordingRequest, app.request_class),
        {"parameter_storage_class": _RecordingMultiDict},
    )
    app.config["RATELIMIT_SCALE"] = 0  # the walk posts hostile logins again and again
    return app


@pytest.mark.parametrize(
    "role", ["anonymous", "vendor", "crew", "petugas", "petugas_layanan", "planner", "admin"]
)
def test_no_route_answers_5xx(
    role: str,
    walk_app: Flask,
    walk_vendor: Vendor,
    client: FlaskClient,
    make_user: Any,
    db: Session,
) -> None:
    _login(role, client, make_user, walk_vendor)
    walk = Walk(client, db)
    for rule, method in _routes(walk_app):
        walk.route(rule, method)
    assert walk.count > 200  # the walk itself works: every route was visited
    assert not walk.failures, f"{len(walk.failures)} of {walk.count} requests failed:\n" + (
        "\n".join(walk.failures[:80])
    )


def _login(role: str, client: FlaskClient, make_user: Any, vendor: Vendor) -> None:
    if role == "vendor":
        resp = client.post("/lapak", data={"code": vendor.access_code, "phone4": vendor.phone[-4:]})
        assert resp.status_code == 303, resp.data
    elif role != "anonymous":
        user = make_user(role=role)
        resp = client.post("/login", data={"email": user.email, "password": "password123!"})
        assert resp.status_code == 302, resp.data


def test_every_id_in_a_path_is_bounded(app: Flask) -> None:
    """Werkzeug's ``<int:…>`` takes any number of digits, and PostgreSQL's ``integer`` does not:
    every numeric path parameter uses ``<id:…>`` (1 … 2**31 - 1), so a huge id is a 404."""
    unbounded = [
        f"{rule.rule} ({name})"
        for rule in app.url_map.iter_rules()
        for name, converter in rule._converters.items()
        if isinstance(converter, IntegerConverter)
        and not isinstance(converter, DatabaseIdConverter)
    ]
    assert not unbounded, "use <id:…> for database ids: " + ", ".join(unbounded)
