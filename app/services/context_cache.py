"""Each event's conflict context kept warm in the worker process, exact by the layout counter.

Saving one booth of a 5,000-booth event used to reload the whole event from PostGIS (about a
quarter of a second) before re-checking a booth the engine checks in under a millisecond. A
:class:`ContextCache` keeps, per event, the warm :class:`~app.gis.conflicts.ConflictChecker` of
a full load, labelled with the city's ``layout_version`` (:mod:`app.services.data_version`) it
was read at. Invariants:

- **Exact.** An entry answers only a reader that sees the very counter value it is labelled
  with, or one value more when that step is a commit this session made and fully recorded: every
  row it changed went through the ORM's unit of work, and the only changes to any event's ground
  were booth saves that keep their code and event (:class:`_Journal`). The entry is then moved
  forward by those saves, in memory. Anything else (another worker's save, a deleted booth, a
  moved facility, a ``COPY``) is a full reload, so the answer always equals a full reload's.
- **Labels are read, not assumed.** A full load is labelled only when the counter read before
  and after it agree (every relevant change bumps the counter in its own commit, so nothing
  committed in between), and only in a transaction with no uncounted writes of its own. An entry
  read inside a transaction that has written carries that transaction's id and serves no other
  transaction (whose same counter value may name another state).
- **Bounded and thread-safe.** At most ``max_events`` events, the least recently used dropped;
  one lock for the table and one per entry, held around every use of its checker (gunicorn's
  gthread workers serve saves of one event on several threads).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy import event as sa_event
from sqlalchemy import inspect
from sqlalchemy.orm import Session, UOWTransaction

from app.gis.conflicts import ConflictChecker
from app.gis.crs import to_metric
from app.gis.shapes import BoothShape
from app.models import Booth, City, ClearanceRule, Event, Facility, Zone
from app.services import data_version
from app.services.context import checker_for, load_event

#: Rows whose change can alter some event's conflicts (the tables ``load_event`` reads).
_GROUND = (Zone, Facility, Booth, Event, City, ClearanceRule)
_JOURNAL = "petalapak_context_journal"
_LAST_COMMIT = "petalapak_context_last_commit"


@dataclass(frozen=True)
class _SavedBooth:
    """A booth as a commit stored it (the values written, not re-read)."""

    ident: int
    event_id: int
    code: str
    kind: str
    locked: bool
    geom: Any

    def shape(self, epsg: int) -> BoothShape:
        """The engine's view of it, built exactly as :func:`booth_shape` builds a stored booth."""
        return BoothShape(
            self.code,
            to_metric(to_shape(self.geom), epsg),
            self.kind,
            {"id": self.ident, "locked": self.locked},
        )


@dataclass
class _Journal:
    """What the session's writes since its last commit changed on any event's ground."""

    opaque: bool = False
    booths: dict[int, _SavedBooth] = field(default_factory=dict)


@dataclass
class _Commit:
    """The journal of a finished commit and the layout counters it produced."""

    journal: _Journal
    versions: dict[int, int]


@dataclass
class _Entry:
    event_id: int
    city_id: int
    epsg: int
    version: int
    scope: str | None
    checker: ConflictChecker
    codes: dict[int, str]
    ids: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def serves(self, scope: str | None, version: int) -> bool:
        return self.version == version and self.scope in (None, scope)


class ContextCache:
    """Warm conflict checkers of the most recently used events of this worker process."""

    def __init__(self, max_events: int = 4) -> None:
        if max_events < 1:
            raise ValueError("max_events must be at least 1")
        self.max_events = max_events
        self._entries: OrderedDict[int, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        #: answers from memory, of which moved forward by a save; full loads
        self.hits = self.steps = self.loads = 0

    def __len__(self) -> int:
        return len(self._entries)

    def _get(self, event_id: int) -> _Entry | None:
        with self._lock:
            entry = self._entries.get(event_id)
            if entry is not None:
                self._entries.move_to_end(event_id)
            return entry

    def _put(self, entry: _Entry) -> None:
        with self._lock:
            self._entries[entry.event_id] = entry
            self._entries.move_to_end(entry.event_id)
            while len(self._entries) > self.max_events:
                self._entries.popitem(last=False)

    def _drop(self, entry: _Entry) -> None:
        with self._lock:
            if self._entries.get(entry.event_id) is entry:
                del self._entries[entry.event_id]


@contextmanager
def event_checker(
    session: Session, event: Event, cache: ContextCache | None
) -> Iterator[tuple[ConflictChecker, int, int]]:
    """The event's checker as the session sees it now: ``(checker, epsg, booth_count)``.

    Warm from ``cache`` when its entry is exact for the counter this session reads (or one
    recorded commit behind it), else loaded in full and, when its label can be trusted, kept.
    The checker may be used only inside the ``with`` block (its entry is locked meanwhile).
    """
    last: _Commit | None = session.info.pop(_LAST_COMMIT, None)
    if cache is None or data_version.has_uncounted_writes(session):
        # Writes this session has not committed are in what it reads but in no counter.
        ctx = load_event(session, event)
        yield checker_for(ctx), ctx.epsg, len(ctx.booths)
        return
    version, scope = data_version.state_of(session, event.city_id)
    entry = cache._get(event.id)
    if entry is not None:
        with entry.lock:
            stepped = not entry.serves(scope, version) and _step(entry, last, scope, version)
            if stepped or entry.serves(scope, version):
                cache.hits += 1
                cache.steps += int(stepped)
                yield entry.checker, entry.epsg, len(entry.codes)
                return
    ctx = load_event(session, event)
    checker = checker_for(ctx)
    entry = _Entry(
        event_id=event.id,
        city_id=event.city_id,
        epsg=ctx.epsg,
        version=version,
        scope=scope,
        checker=checker,
        codes={_ident(b): b.code for b in ctx.booths},
        ids={b.code: _ident(b) for b in ctx.booths},
    )
    cache.loads += 1
    if data_version.state_of(session, event.city_id) == (version, scope):
        cache._put(entry)
    with entry.lock:
        yield checker, ctx.epsg, len(ctx.booths)


def _ident(booth: BoothShape) -> int:
    return int(str(booth.properties["id"]))


def _step(entry: _Entry, last: _Commit | None, scope: str | None, version: int) -> bool:
    """Move ``entry`` one counter value forward by the session's own last commit, if exact."""
    if (
        last is None
        or last.journal.opaque
        or entry.version != version - 1
        or entry.scope not in (None, scope)
        or last.versions.get(entry.city_id) != version
    ):
        return False
    saves = [s for s in last.journal.booths.values() if s.event_id == entry.event_id]
    for saved in saves:
        if entry.codes.get(saved.ident, saved.code) != saved.code:
            return False  # renamed: the checker cannot drop the old code
        if entry.ids.get(saved.code, saved.ident) != saved.ident:
            return False  # a code another booth held in the entry's state
    # projected before anything changes, so that a failure leaves the entry as it was
    shapes = [saved.shape(entry.epsg) for saved in saves]
    for saved, shape in zip(saves, shapes, strict=True):
        entry.checker.move_booth(shape)
        entry.codes[saved.ident] = saved.code
        entry.ids[saved.code] = saved.ident
    entry.version, entry.scope = version, scope
    return True


# -- the journal: what a commit changed, seen by the session's own unit of work -----------------


def _journal(session: Session) -> _Journal:
    return session.info.setdefault(_JOURNAL, _Journal())  # type: ignore[no-any-return]


@sa_event.listens_for(Session, "after_flush")
def _record(session: Session, flush_context: UOWTransaction) -> None:
    journal = _journal(session)
    if journal.opaque:
        return
    for obj in session.deleted:
        if isinstance(obj, _GROUND):
            journal.opaque = True
            return
    for obj in [*session.new, *session.dirty]:
        if not isinstance(obj, _GROUND):
            continue
        if isinstance(obj, Booth):
            if not _record_booth(session, journal, obj):
                journal.opaque = True
                return
        elif _changed(session, obj):
            journal.opaque = True
            return


def _changed(session: Session, obj: Any) -> bool:
    if obj in session.new or session.is_modified(obj, include_collections=False):
        return True
    state = inspect(obj)
    return isinstance(obj, Event) and state.attrs.corridors.history.has_changes()


def _record_booth(session: Session, journal: _Journal, booth: Booth) -> bool:
    """Journal a booth save; False when it is not one the cache can follow."""
    state = inspect(booth)
    if booth not in session.new and not session.is_modified(booth, include_collections=False):
        return True
    for key in ("event_id", "event"):
        if any(before is not None for before in state.attrs[key].history.deleted):
            return False  # moved out of an event
    if booth.event_id is None:
        return True  # a permanent spot in a PKL zone: on no event's ground
    loaded_event = state.dict.get("event")
    if not isinstance(loaded_event, Event):
        return False
    journal.booths[int(booth.id)] = _SavedBooth(
        int(booth.id), int(booth.event_id), booth.code, booth.kind, bool(booth.locked), booth.geom
    )
    data_version.watch_layout_version(session, loaded_event.city_id)
    return True


@sa_event.listens_for(Session, "after_commit")
def _close(session: Session) -> None:
    journal = session.info.pop(_JOURNAL, None) or _Journal()
    session.info[_LAST_COMMIT] = _Commit(journal, data_version.committed_layout_versions(session))


@sa_event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction: Any) -> None:
    if session.in_transaction():
        # a savepoint rolled back: the transaction goes on with some journalled saves undone and
        # others kept, so its commit can no longer be followed in memory
        _journal(session).opaque = True
        return
    session.info.pop(_JOURNAL, None)
    session.info.pop(_LAST_COMMIT, None)
