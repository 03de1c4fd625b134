"""layout-service-5000: a planner lays out a 5,088-booth event and the layout is stored.

Ours: :func:`app.services.layout.generate_event_layout` on the bench event of ``map-5000`` (a
straight 8 km corridor): the event read from PostGIS, the generator, every unlocked booth
replaced in the database with an audit entry each, the conflict summary, one commit (and the
change counter's triggers). Baseline, in the same run: the geometry engine alone
(:func:`app.gis.layout.generate_layout`) on the same corridor with the same settings, no
database. Each side runs :data:`RUNS` times, alternating; the medians are kept.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from typing import Any

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bench.map_5000 import BENCH_EVENT, prepare

RUNS = 3
PREFIX = "UJ"


def run() -> dict[str, Any]:
    """Prepare the event, then alternate service runs and engine runs."""
    from app.models import AuditEntry, Booth, Event
    from app.services.audit import acting_as
    from app.services.context import load_event
    from app.services.layout import LayoutParams, generate_event_layout, run_generator

    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("layout-service-5000 needs DATABASE_URL (make bench sets it)")
    prepare(url)
    engine = create_engine(url)
    params = LayoutParams(prefix=PREFIX)
    ours: list[float] = []
    base: list[float] = []
    created = engine_booths = audited = 0
    with Session(engine, expire_on_commit=False) as s:
        event = s.scalars(select(Event).where(Event.slug == BENCH_EVENT)).one()
        ctx = load_event(s, event)
        s.rollback()
        for _ in range(RUNS):
            s.expunge_all()
            event = s.scalars(select(Event).where(Event.slug == BENCH_EVENT)).one()
            first_audit = s.scalar(select(func.max(AuditEntry.id))) or 0
            start = time.perf_counter()
            with acting_as(None, "bench"):
                outcome = generate_event_layout(s, event, params)
            ours.append(time.perf_counter() - start)
            created = outcome.created
            audited = (
                s.scalar(
                    select(func.count())
                    .select_from(AuditEntry)
                    .where(AuditEntry.id > first_audit, AuditEntry.entity == "booth")
                )
                or 0
            )
            s.rollback()

            start = time.perf_counter()
            result = run_generator(ctx, params, [], [])
            base.append(time.perf_counter() - start)
            engine_booths = len(result.booths)
        stored = s.scalar(select(func.count()).select_from(Booth).where(Booth.event_id == event.id))
    engine.dispose()
    ours_s, base_s = statistics.median(ours), statistics.median(base)
    return {
        "workload": "layout-service-5000",
        "ours_s": round(ours_s, 3),
        "baseline": "generate_layout-engine-only",
        "baseline_s": round(base_s, 3),
        "ratio": round(ours_s / base_s, 3),
        "booths_created": created,
        "booths_engine": engine_booths,
        "booths_stored": int(stored or 0),
        "audit_entries": int(audited),
        "runs": RUNS,
    }


if __name__ == "__main__":
    print(json.dumps(run()))
