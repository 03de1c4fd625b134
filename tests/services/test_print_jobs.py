"""Crew prints made in the background (app/services/print_jobs.py): one job per print-out and
change counter, progress in pages, the finished PDF kept for any worker, failures kept with
their message, a silent job taken over."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.cache import MemoryCache
from app.models import Event, PrintJob
from app.printing.booth_labels import LabelTexts
from app.services import print_jobs
from app.services.printing import PrintOrder

SLUG = "cfd-2026-12-06"


class Deferred:
    """A runner that keeps the jobs until the test runs them."""

    def __init__(self) -> None:
        self.jobs: list[Callable[[], None]] = []

    def submit(self, job: Callable[[], None]) -> None:
        self.jobs.append(job)

    def run(self) -> int:
        jobs, self.jobs = self.jobs, []
        for job in jobs:
            job()
        return len(jobs)


def _labels(everyone: bool = False) -> PrintOrder:
    return PrintOrder(
        "labels",
        everyone=everyone,
        texts=LabelTexts("Acara", "Minggu", "Pindai", "{n}/{total}"),
        url_of=lambda ident: f"http://crew.example/crew/b/{ident}",
        url_root="http://crew.example/",
    )


def _event(db: Session, slug: str = SLUG) -> Event:
    return db.scalars(select(Event).where(Event.slug == slug)).one()


@pytest.fixture
def start(app: Flask, db: Session) -> Callable[..., Any]:
    runner, cache = Deferred(), MemoryCache()

    def _start(event: Event, order: PrintOrder, **kw: Any) -> print_jobs.JobView:
        return print_jobs.start_print(
            db,
            event,
            order,
            app=app,
            runner=kw.get("runner", runner),
            cache=cache,
            ttl=600,
            stale_s=60,
            keep_s=86400,
        )

    _start.runner = runner  # type: ignore[attr-defined]
    _start.cache = cache  # type: ignore[attr-defined]
    return _start


def _status(db: Session, job_id: int) -> print_jobs.JobView:
    job = print_jobs.print_status(db, job_id, stale_s=60)
    assert job is not None
    return job


def test_a_print_is_made_in_the_background_and_a_second_request_joins_it(
    db: Session, start: Callable[..., Any]
) -> None:
    event = _event(db)
    first = start(event, _labels(everyone=True))
    assert (first.state, first.pages_done, first.pages_total) == ("running", 0, 0)
    assert first.filename == f"{SLUG}-label-lapak-semua.pdf"
    assert _status(db, first.id).state == "running"
    again = start(event, _labels(everyone=True))
    assert again.id == first.id and again.state == "running"
    assert len(start.runner.jobs) == 1  # joined: one renderer for both requests
    assert print_jobs.print_file(db, first.id) is None  # nothing to download yet

    assert start.runner.run() == 1
    done = _status(db, first.id)
    found = print_jobs.print_file(db, first.id)
    assert found is not None
    name, body = found
    pages = len(PdfReader(io.BytesIO(body)).pages)
    booths = db.scalar(text("SELECT count(*) FROM booth WHERE event_id = :e"), {"e": event.id})
    assert pages == -(-booths // 21)  # 21 labels to a sheet
    assert (done.state, done.pages_done, done.pages_total) == ("done", pages, pages)
    assert name == first.filename and body[:5] == b"%PDF-"

    # asked again at the same counter: ready at once, nothing drawn, and in the cache too
    ready = start(event, _labels(everyone=True))
    assert (ready.id, ready.state) == (first.id, "done") and start.runner.jobs == []
    placed = start(event, _labels())  # other options: another job
    assert placed.id != first.id and placed.state == "running"


def test_progress_is_written_as_pages_are_drawn(
    app: Flask, db: Session, start: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each report updates the row (pages and heartbeat) in its own committed statement."""
    seen: list[tuple[int, int]] = []
    real = print_jobs.render_order

    def watched(session: Session, event: Event, order: PrintOrder, progress: Any) -> bytes:
        def spy(done: int, total: int) -> None:
            progress(done, total)
            row = session.execute(
                select(PrintJob.pages_done, PrintJob.pages_total).where(
                    PrintJob.event_id == event.id
                )
            ).one()
            seen.append((row.pages_done, row.pages_total))

        return real(session, event, order, spy)

    monkeypatch.setattr(print_jobs, "render_order", watched)
    monkeypatch.setattr(print_jobs, "HEARTBEAT_S", 0.0)  # write every report
    job = start(_event(db), _labels(everyone=True))
    start.runner.run()
    total = _status(db, job.id).pages_total
    assert seen[0] == (0, 0)  # reading the data
    assert (0, total) in seen and seen[-1] == (total, total)
    drawn = [d for d, t in seen if t == total]
    assert drawn == sorted(drawn) and len(set(drawn)) == total + 1  # every page, in order


def test_a_change_to_the_data_starts_a_new_print_and_drops_the_old(
    db: Session, start: Callable[..., Any]
) -> None:
    event = _event(db)
    old = start(event, _labels())
    start.runner.run()
    event.name = "CFD (diubah)"  # moves the counters of the event's city
    db.commit()
    new = start(event, _labels())
    assert new.id != old.id and new.state == "running"
    start.runner.run()
    assert _status(db, new.id).state == "done"
    assert print_jobs.print_status(db, old.id, stale_s=60) is None  # replaced by the newer


def test_a_refused_print_keeps_its_message_and_asking_again_retries(
    app: Flask, db: Session, start: Callable[..., Any], make_event: Callable[..., Any]
) -> None:
    from app.views.print_labels import print_labels

    event = make_event()  # no booths yet
    db.commit()  # its city's counters settle before the print is keyed
    with app.test_request_context("/"):
        order = PrintOrder("layout", labels=print_labels())
    job = start(event, order)
    start.runner.run()
    failed = _status(db, job.id)
    assert failed.state == "failed" and failed.message is not None
    from app.messages import render

    assert "belum punya tata letak" in render(failed.message, "id")
    assert "has no booth layout" in render(failed.message, "en")
    retried = start(event, order)
    assert (retried.id, retried.state) == (job.id, "running") and len(start.runner.jobs) == 1


def test_an_unforeseen_error_is_logged_and_told_plainly(
    db: Session,
    start: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*_a: Any, **_k: Any) -> bytes:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(print_jobs, "render_order", broken)
    job = start(_event(db), _labels())
    with caplog.at_level(logging.ERROR, logger="petalapak.prints"):
        start.runner.run()
    failed = _status(db, job.id)
    assert failed.state == "failed" and failed.message == print_jobs.FAILED
    assert "disk on fire" in caplog.text  # the cause is in the log, not on the page


def test_a_silent_job_is_taken_over_and_its_old_renderer_stops(
    db: Session, start: Callable[..., Any]
) -> None:
    event = _event(db)
    job = start(event, _labels())
    db.execute(
        text("UPDATE print_job SET updated_at = now() - interval '5 minutes' WHERE id = :i"),
        {"i": job.id},
    )
    db.commit()
    assert _status(db, job.id).stale  # the page asks again when it sees this
    taken = start(event, _labels())
    assert taken.id == job.id and len(start.runner.jobs) == 2
    old, new = start.runner.jobs
    start.runner.jobs = []
    old()  # the first renderer finds the row is not its own any more: writes nothing
    assert _status(db, job.id).state == "running"
    new()
    assert _status(db, job.id).state == "done"


def test_a_plain_download_is_served_from_the_finished_job(
    db: Session, start: Callable[..., Any]
) -> None:
    event = _event(db)
    job = start(event, _labels())
    start.runner.run()
    found = print_jobs.print_file(db, job.id)
    assert found is not None

    def must_not_build() -> bytes:
        raise AssertionError("drawn again although the job's PDF is there")

    body, ready = print_jobs.fetch_or_build(
        db, event, _labels(), must_not_build, cache=MemoryCache(), ttl=600, stale_s=60
    )
    assert ready and body == found[1]
