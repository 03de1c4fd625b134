"""Crew prints made in the background, with progress the event page follows.

A big event's layout or labels take a few seconds to draw (tens of seconds on a busy server); the
event page asks for one (:func:`start_print`), shows its pages as they are drawn
(:func:`print_status`) and downloads it when done (:func:`print_file`).

How it runs, and why this way:

* **State in PostgreSQL** (:class:`app.models.PrintJob`, keyed like the PDF cache: the event, the
  print-out with its options and language, the city's change counter). Every gunicorn worker
  reads the same row, so the page's polls and the download can land on any worker, with or
  without ``REDIS_URL`` (``make run`` has no Redis; the in-process cache is per worker). A second
  request for the same print-out at the same counter finds the row and follows the same job.
  The finished PDF stays in the row (and goes into the cache), so its download is instant
  until something it shows changes; a newer one of the same print-out replaces it.
* **A thread in the worker** that took the request (:class:`ThreadRunner`): one per process,
  prints drawn one at a time, so that a crowd asking for prints cannot take every core from the
  requests. No queue daemon to start under ``make run`` or to supervise beside gunicorn; a print
  is a second or two of CPU, which does not need one.
* **A heartbeat**: the renderer updates ``updated_at`` as pages are drawn (at most every 0.3 s);
  a running row silent for ``PRINT_JOB_STALE_S`` (its worker was restarted, or died) is taken
  over by the next request for it, and the old renderer, if it still runs, finds that it no
  longer owns the row and stops.
* **Failures are rows too**: the message (a :class:`~app.services.errors.ServiceError`'s, or
  "failed on the server, logged") is kept for the page to show; asking again starts anew.

Every write is its own short transaction, committed at once so that the other workers see it.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from flask import Flask
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.cache import Cache
from app.messages import Msg
from app.models import Event, PrintJob
from app.services.errors import ServiceError
from app.services.printing import PrintOrder, print_key, render_order, variant_key

__all__ = [
    "InlineRunner",
    "JobView",
    "Runner",
    "ThreadRunner",
    "fetch_or_build",
    "print_file",
    "print_status",
    "run_print",
    "runner_for",
    "start_print",
]

log = logging.getLogger("petalapak.prints")

#: Seconds between two progress writes of one renderer (the last page is always written).
HEARTBEAT_S = 0.3
#: What a failure not foreseen by a service says (the cause is in the log).
FAILED = Msg.text(
    "Pembuatan PDF gagal karena kesalahan di server (sudah dicatat). Coba lagi.",
    "Making the PDF failed on the server (the error is logged). Try again.",
)


class Runner(Protocol):
    """Runs a print job somewhere other than the request that asked for it."""

    def submit(self, job: Callable[[], None]) -> None:
        """Run ``job`` soon; return at once."""


class ThreadRunner:
    """One background thread per process, made on first use (so after a fork), jobs in order."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def submit(self, job: Callable[[], None]) -> None:
        """Queue ``job`` behind the prints this process is already making."""
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="print")
            self._pool.submit(job)


class InlineRunner:
    """Runs the job in the request itself: for an app bound to one fixed session (the tests'),
    which a second thread must not share."""

    def submit(self, job: Callable[[], None]) -> None:
        """Run ``job`` now."""
        job()


def runner_for(app: Flask) -> Runner:
    """The app's runner: ``extensions["petalapak.print_runner"]`` when set (tests set their own),
    else a :class:`ThreadRunner` (inline for an app bound to a fixed session)."""
    runner: Runner | None = app.extensions.get("petalapak.print_runner")
    if runner is None:
        fixed = "petalapak.session" in app.extensions
        runner = app.extensions.setdefault(
            "petalapak.print_runner", InlineRunner() if fixed else ThreadRunner()
        )
    return runner


@dataclass(frozen=True)
class JobView:
    """What the page shows of a job: its state, pages done of the total, and any message.

    ``stale``: still marked running, but its renderer has not reported for too long (asking for
    it again takes it over).
    """

    id: int
    state: str
    pages_done: int
    pages_total: int
    filename: str
    message: Msg | None = None
    stale: bool = False


_VIEW_COLUMNS = (
    PrintJob.id,
    PrintJob.state,
    PrintJob.pages_done,
    PrintJob.pages_total,
    PrintJob.filename,
    PrintJob.error_id,
    PrintJob.error_en,
)


def _view(row: tuple[object, ...], stale: bool = False) -> JobView:
    ident, state, done, total, filename, error_id, error_en = row
    message = Msg.text(str(error_id), str(error_en or error_id)) if error_id else None
    return JobView(
        int(str(ident)),
        str(state),
        int(str(done)),
        int(str(total)),
        str(filename),
        message,
        stale=bool(stale) and state == "running",
    )


def _stale_since(stale_s: int) -> object:
    return func.now() - func.make_interval(0, 0, 0, 0, 0, 0, stale_s)


def _find(session: Session, key: str, stale_s: int) -> JobView | None:
    row = session.execute(
        select(*_VIEW_COLUMNS, PrintJob.updated_at < _stale_since(stale_s)).where(
            PrintJob.key == key
        )
    ).first()
    return None if row is None else _view(tuple(row[:-1]), bool(row[-1]))


def start_print(
    session: Session,
    event: Event,
    order: PrintOrder,
    *,
    app: Flask,
    runner: Runner,
    cache: Cache | None,
    ttl: int,
    stale_s: int,
    keep_s: int,
) -> JobView:
    """The job making ``order`` for ``event`` now: the one already done or under way, or a new one.

    A finished PDF under the same key (in a job row or the cache) answers at once as ``done``; a
    job running with a fresh heartbeat is joined; a failed or stale one is started again, and so
    is a print-out never asked for at this counter. Commits.
    """
    key = print_key(session, event, order.parts, layout_only=order.layout_only)
    found = _find(session, key, stale_s)
    if found is not None and (
        found.state == "done" or (found.state == "running" and not found.stale)
    ):
        return found
    variant = variant_key(event, order.parts, layout_only=order.layout_only)
    filename = order.filename(event.slug)
    token = secrets.token_hex(16)
    cached = cache.get(key) if cache is not None else None
    values = {
        "key": key,
        "variant": variant,
        "event_id": event.id,
        "document": order.document,
        "filename": filename,
        "state": "running" if cached is None else "done",
        "owner": token,
        "pages_done": 0,
        "pages_total": 0,
        "body": cached,
    }
    stmt = insert(PrintJob).values(**values)
    taken = stmt.on_conflict_do_update(
        index_elements=[PrintJob.key],
        set_={
            "state": stmt.excluded.state,
            "owner": stmt.excluded.owner,
            "pages_done": 0,
            "pages_total": 0,
            "error_id": None,
            "error_en": None,
            "body": stmt.excluded.body,
            "started_at": func.now(),
            "updated_at": func.now(),
        },
        where=(PrintJob.state == "failed")
        | ((PrintJob.state == "running") & (PrintJob.updated_at < _stale_since(stale_s))),
    ).returning(PrintJob.id, PrintJob.owner)
    row = session.execute(taken).first()
    session.execute(
        delete(PrintJob).where(
            PrintJob.updated_at < func.now() - func.make_interval(0, 0, 0, 0, 0, 0, keep_s)
        )
    )
    session.commit()
    if row is None or row.owner != token:  # another request took it a moment ago: follow it
        again = _find(session, key, stale_s)
        if again is None:  # pragma: no cover - dropped between two statements (kept a day)
            raise ServiceError(
                "Pencetakan baru saja dihapus; coba lagi.", "The print was just removed; try again."
            )
        return again
    if cached is None:
        job_id, event_id = int(row.id), event.id
        runner.submit(lambda: run_print(app, job_id, token, event_id, order, cache=cache, ttl=ttl))
    return JobView(int(row.id), values["state"], 0, 0, filename)  # type: ignore[arg-type]


def run_print(
    app: Flask,
    job_id: int,
    owner: str,
    event_id: int,
    order: PrintOrder,
    *,
    cache: Cache | None,
    ttl: int,
) -> None:
    """Make the PDF of job ``job_id`` (in its own app context and session), writing its progress,
    then its PDF or its failure. Stops quietly when another renderer has taken the row over."""
    from app.db import get_session

    with app.app_context():
        session = get_session()
        last = [0.0, -1]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if total == last[1] and done < total and now - last[0] < HEARTBEAT_S:
                return
            last[0], last[1] = now, total
            moved = session.execute(
                update(PrintJob)
                .where(PrintJob.id == job_id, PrintJob.owner == owner)
                .values(pages_done=done, pages_total=total, updated_at=func.now())
            )
            session.commit()
            if moved.rowcount == 0:  # type: ignore[attr-defined]
                raise _Lost

        try:
            event = session.get(Event, event_id)
            if event is None:
                raise ServiceError(
                    "Acara ini sudah dihapus; tidak ada yang dicetak.",
                    "This event has been deleted; there is nothing to print.",
                )
            body = render_order(session, event, order, progress)
        except _Lost:
            session.rollback()
            return
        except ServiceError as exc:
            session.rollback()
            _fail(session, job_id, owner, exc.msg)
            return
        except Exception:
            log.exception("print job %s failed", job_id)
            session.rollback()
            _fail(session, job_id, owner, FAILED)
            return
        done = session.execute(
            update(PrintJob)
            .where(PrintJob.id == job_id, PrintJob.owner == owner)
            .values(state="done", body=body, pages_done=PrintJob.pages_total, updated_at=func.now())
            .returning(PrintJob.key, PrintJob.variant, PrintJob.event_id)
        ).first()
        if done is not None:  # older copies of the same print-out are not wanted any more
            session.execute(
                delete(PrintJob).where(
                    PrintJob.event_id == done.event_id,
                    PrintJob.variant == done.variant,
                    PrintJob.id != job_id,
                    PrintJob.state != "running",
                )
            )
        session.commit()
        if done is not None and cache is not None:
            cache.set(done.key, body, ttl)


class _Lost(Exception):
    """The row was taken over by another renderer."""


def _fail(session: Session, job_id: int, owner: str, message: Msg) -> None:
    from app.messages import render

    session.execute(
        update(PrintJob)
        .where(PrintJob.id == job_id, PrintJob.owner == owner)
        .values(
            state="failed",
            error_id=render(message, "id")[:500],
            error_en=render(message, "en")[:500],
            updated_at=func.now(),
        )
    )
    session.commit()


def print_status(session: Session, job_id: int, *, stale_s: int) -> JobView | None:
    """The job's state and progress, or None when there is no such job (any more)."""
    row = session.execute(
        select(*_VIEW_COLUMNS, PrintJob.updated_at < _stale_since(stale_s)).where(
            PrintJob.id == job_id
        )
    ).first()
    return None if row is None else _view(tuple(row[:-1]), bool(row[-1]))


def print_file(session: Session, job_id: int) -> tuple[str, bytes] | None:
    """The finished job's file name and PDF, or None when it is not done (or gone)."""
    row = session.execute(
        select(PrintJob.filename, PrintJob.body).where(
            PrintJob.id == job_id, PrintJob.state == "done"
        )
    ).first()
    if row is None or row.body is None:
        return None
    return str(row.filename), bytes(row.body)


def fetch_or_build(
    session: Session,
    event: Event,
    order: PrintOrder,
    build: Callable[[], bytes],
    *,
    cache: Cache | None,
    ttl: int,
    stale_s: int,
) -> tuple[bytes, bool]:
    """A print-out for a plain download (no script): from the cache, from a finished job, after
    the job making it now, or built here. Returns the bytes and whether they were ready.

    Waiting for a running job is bounded by ``stale_s``; after that this request builds itself.
    """
    if cache is None:
        return build(), False
    key = print_key(session, event, order.parts, layout_only=order.layout_only)
    hit = cache.get(key)
    if hit is not None:
        return hit, True
    deadline = time.monotonic() + stale_s
    while True:
        row = session.execute(
            select(
                PrintJob.state, PrintJob.body, PrintJob.updated_at < _stale_since(stale_s)
            ).where(PrintJob.key == key)
        ).first()
        if row is not None and row[0] == "done" and row[1] is not None:
            body = bytes(row[1])
            cache.set(key, body, ttl)
            return body, True
        if row is None or row[0] != "running" or row[2] or time.monotonic() > deadline:
            break
        session.rollback()  # a fresh snapshot for the next look
        time.sleep(0.25)
    body = build()
    cache.set(key, body, ttl)
    return body, False
