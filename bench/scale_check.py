"""National-size check: the OGC API and tiles over millions of synthetic facilities.

Fills the database named by ``DATABASE_URL`` (use a scratch one: it adds ``SCALE_FACILITIES``
facilities, default 2,000,000, in a synthetic city spread over Indonesia's extent, and removes
them at the end) and prints, as one JSON line, the EXPLAIN of the bbox item query (which must
use the GiST index ``idx_facility_geom``) and timings of real requests through the app.

Run ``DATABASE_URL=... python -m bench.scale_check``.
"""

from __future__ import annotations

import json
import os
import re
import time
from typing import Any

from sqlalchemy import create_engine, delete, func, select, text
from sqlalchemy.orm import Session

#: Indonesia, roughly: Sabang to Merauke, Rote to Miangas
EXTENT = (95.0, -11.0, 141.0, 6.0)
PONTIANAK_BOX = (109.30, -0.07, 109.36, -0.02)
SLUG = "scale-check"


def _ms(fn: Any, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return round(best * 1000, 1)


def run() -> dict[str, Any]:
    """Load, measure, clean up."""
    from app import create_app
    from app.config import normalise_database_url
    from app.models import City, Facility
    from app.ogc.provider import Provider

    url = normalise_database_url(os.environ["DATABASE_URL"])
    n = int(os.environ.get("SCALE_FACILITIES", "2000000"))
    engine = create_engine(url)
    out: dict[str, Any] = {"workload": "scale-check", "facilities_added": n}
    with Session(engine) as s:
        city = s.scalars(select(City).where(City.slug == SLUG)).one_or_none()
        if city is None:
            city = City(name="Indonesia (synthetic)", slug=SLUG, metric_epsg=23830)
            s.add(city)
            s.flush()
        t = time.perf_counter()
        # Random points over the extent, generated in the database (one statement, no rows
        # through Python); kind cycles over real facility kinds.
        s.execute(
            text(
                "INSERT INTO facility (city_id, kind, name, geom, version) "
                "SELECT :city, (ARRAY['hydrant','bus_stop','tree','pole'])[1 + g % 4], "
                "'synthetic ' || g, ST_SetSRID(ST_MakePoint(:x0 + random() * (:x1 - :x0), "
                ":y0 + random() * (:y1 - :y0)), 4326), 1 FROM generate_series(1, :n) AS g"
            ),
            {
                "city": city.id,
                "n": n,
                "x0": EXTENT[0],
                "x1": EXTENT[2],
                "y0": EXTENT[1],
                "y1": EXTENT[3],
            },
        )
        s.commit()
        s.execute(text("ANALYZE facility"))
        s.commit()
        out["load_s"] = round(time.perf_counter() - t, 1)
        out["facilities_total"] = s.scalar(select(func.count()).select_from(Facility))

        provider = Provider(s)
        coll = provider.collection("facilities", private=False)
        assert coll is not None
        captured: list[tuple[str, Any]] = []

        def _capture(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
            captured.append((statement, params))

        from sqlalchemy import event

        event.listen(engine, "before_cursor_execute", _capture)
        provider.items(coll, bbox=[PONTIANAK_BOX], limit=100, offset=0)
        event.remove(engine, "before_cursor_execute", _capture)
        statement, params = captured[-1]
        raw = s.connection().connection.driver_connection
        assert raw is not None
        with raw.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, COSTS OFF) " + statement, params)
            plan = [r[0] for r in cur.fetchall()]
        out["plan_uses_gist"] = any("idx_facility_geom" in line for line in plan)
        out["plan"] = [line for line in plan if re.search(r"Scan|Execution|Index Cond", line)]

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "CACHE_TTL": 0,
            "REQUEST_LOG": False,
            "SECRET_KEY": "scale-check-secret-0123456789",
        }
    )
    client = app.test_client()
    bbox = ",".join(map(str, PONTIANAK_BOX))
    page = f"/ogc/collections/facilities/items?limit=100&bbox={bbox}"
    out["bbox_page_matched"] = client.get(page).get_json()["numberMatched"]
    out["bbox_page_ms"] = _ms(lambda: client.get(page))
    out["unfiltered_page_ms"] = _ms(
        lambda: client.get("/ogc/collections/facilities/items"), repeat=3
    )
    out["collections_ms"] = _ms(lambda: client.get("/ogc/collections"), repeat=3)
    out["tile_z14_ms"] = _ms(lambda: client.get("/tiles/facilities/14/13168/8194.mvt"))
    out["tile_z8_ms"] = _ms(lambda: client.get("/tiles/facilities/8/205/128.mvt"), repeat=2)
    app.extensions["petalapak.engine"].dispose()

    with Session(engine) as s:
        city_id = s.scalar(select(City.id).where(City.slug == SLUG))
        s.execute(delete(Facility).where(Facility.city_id == city_id))
        s.execute(delete(City).where(City.id == city_id))
        s.commit()
    engine.dispose()
    return out


if __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False))
