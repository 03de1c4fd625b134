"""booth-save-5000: a planner saves one booth of a 5,088-booth event on the map.

Each request is the workspace's own ``PUT /api/workspace/<city>/layers/booths/<id>`` through the
whole app (login session, CSRF, validation, one transaction with its audit entry and change
counter, the conflict answer in the planner's language), served in-process by the WSGI test
client against the bench database.

Ours: the app as deployed, which keeps each event's conflict context warm in the worker
(:mod:`app.services.context_cache`). Baseline, in the same run: the same app with the warm
context turned off (``CONFLICT_CONTEXT_EVENTS=0``), which reloads the event from PostGIS on every
save, as every save did before. Both apps move the same booth through the same positions, and
every answer of ours must equal the baseline's at the same position (``answers_equal``).

Saves come in blocks of :data:`BLOCK` per app, alternating, so both meet the same machine load.
A block's first save is not timed: the other app's saves moved the city's layout counter
meanwhile, which (correctly) costs ours one reload, as another worker's save would.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import time
from typing import Any

from geoalchemy2.shape import to_shape
from shapely import affinity
from shapely.geometry import mapping
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bench.map_5000 import BENCH_EVENT, EMAIL, PASSWORD, prepare

BLOCK = 11
ROUNDS = 4
#: metres along the corridor: on its own spot, half over a neighbour, and back
OFFSETS_M = (0.0, 0.4, 1.5, -1.5, 0.8, 0.0, 2.9, -0.6, 1.1, 0.2, 0.0)


def _client(app: Any) -> tuple[Any, str]:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token is not None, "login form without a CSRF token"
    resp = client.post(
        "/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return client, token.group(1)


def _booth(url: str) -> tuple[int, int, Any, int, str]:
    """A vendor booth in the middle of the bench event: id, version, metric square, EPSG, city."""
    from app.gis.crs import to_metric
    from app.models import Booth, Event

    engine = create_engine(url)
    with Session(engine) as s:
        event = s.scalars(select(Event).where(Event.slug == BENCH_EVENT)).one()
        codes = s.scalars(
            select(Booth.code)
            .where(Booth.event_id == event.id, Booth.kind == "vendor")
            .order_by(Booth.code)
        ).all()
        booth = s.scalars(
            select(Booth).where(Booth.event_id == event.id, Booth.code == codes[len(codes) // 2])
        ).one()
        epsg = event.city.metric_epsg
        out = (
            booth.id,
            booth.version,
            to_metric(to_shape(booth.geom), epsg),
            epsg,
            event.city.slug,
        )
    engine.dispose()
    return out


def _count(url: str) -> int:
    from app.models import Booth, Event

    engine = create_engine(url)
    with Session(engine) as s:
        n = s.scalar(
            select(func.count()).select_from(Booth).join(Event).where(Event.slug == BENCH_EVENT)
        )
    engine.dispose()
    return int(n or 0)


def run() -> dict[str, Any]:
    """Prepare the event, then alternate blocks of saves between ours and the baseline."""
    from app import create_app
    from app.gis.crs import to_wgs84

    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("booth-save-5000 needs DATABASE_URL (make bench sets it)")
    prepare(url)
    ident, version, square, epsg, city = _booth(url)
    apps = {
        "ours": create_app({"REQUEST_LOG": False}),
        "baseline": create_app({"REQUEST_LOG": False, "CONFLICT_CONTEXT_EVENTS": 0}),
    }
    clients = {name: _client(app) for name, app in apps.items()}
    path = f"/api/workspace/{city}/layers/booths/{ident}?event={BENCH_EVENT}"
    features = [
        {
            "type": "Feature",
            "geometry": mapping(to_wgs84(affinity.translate(square, dx, 0.0), epsg)),
            "properties": {},
        }
        for dx in OFFSETS_M
    ]
    timings: dict[str, list[float]] = {"ours": [], "baseline": []}
    answers: dict[str, list[Any]] = {"ours": [], "baseline": []}
    for _round in range(ROUNDS):
        for name in ("ours", "baseline"):
            client, token = clients[name]
            for i, feature in enumerate(features):
                start = time.perf_counter()
                resp = client.put(
                    path,
                    json={"feature": feature, "version": version},
                    headers={"X-CSRFToken": token},
                )
                elapsed = time.perf_counter() - start
                body = resp.get_json()
                assert resp.status_code == 200, body
                version = body["feature"]["properties"]["version"]
                if i:
                    timings[name].append(elapsed)
                answers[name].append(body["conflicts"])
    for app in apps.values():
        app.extensions["petalapak.engine"].dispose()
    ours = statistics.median(timings["ours"])
    base = statistics.median(timings["baseline"])
    return {
        "workload": "booth-save-5000",
        "ours_p50_ms": round(ours * 1000, 1),
        "baseline_p50_ms": round(base * 1000, 1),
        "ours_s": round(ours, 4),
        "baseline": "booth-save-full-reload",
        "baseline_s": round(base, 4),
        "ratio": round(ours / base, 3),
        "ours_p90_ms": round(statistics.quantiles(timings["ours"], n=10)[-1] * 1000, 1),
        "saves_timed": len(timings["ours"]),
        "answers_equal": answers["ours"] == answers["baseline"],
        "conflicts_seen": sum(len(a) for a in answers["ours"]),
        "booths": _count(url),
    }


if __name__ == "__main__":
    print(json.dumps(run()))
