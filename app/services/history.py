"""Undo and redo as a stack of named steps, stored per city workspace and per event.

Each write that can be undone records one :class:`~app.models.HistoryStep` in its own
transaction: the rows it changed. Undo takes the newest applied step of the stack and puts every
row back as it was; redo takes the oldest undone step and applies it again; a new step drops the
undone steps above it (as every editor's undo does). Undo therefore never redoes: two undos undo
two steps.

Which stack: zones, facilities and landmarks (and booths of a permanent PKL zone) are the city
workspace's (``event_id`` NULL); an event's booths and assignments, its layout runs, allocation
runs and booth imports are the event's. The workspace, with an event open, shows and replays both
as one list (:func:`history` with ``workspace=True``), so the event page and the workspace name
the same steps for that event.

Storage is compact: per row, only the state the step does *not* leave in the database is kept in
full (``before`` while the step is applied, ``after`` once it is undone); the other side is a
stub, ``{"id", "version"}``, which is all the staleness check needs. Replaying a step reads the
row's current values into the stub's place first, so a redo has them back.

Every row a step touches must still be as the step left it (same version, or still absent): a
row someone changed since (another tab, another planner, the CLI) is never overwritten, and the
step stays where it is (409). A booth the undo would delete must carry no assignment or desk
visit the step does not know (the database would delete them with it): refused too.

A step of more than :data:`MAX_STEP_ROWS` rows (a layout regenerated over a very large event) is
not kept: a marker step takes its place, named "… (terlalu besar untuk dibatalkan)", and undo
stops there with that message. The action itself is never refused for its size: it was confirmed
with a preview.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from geoalchemy2.shape import from_shape
from shapely.geometry import shape
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.layers import LAYER_REGISTRY
from app.messages import Msg, define, render
from app.models import (
    HOLDING_STATUSES,
    AllocationRun,
    Assignment,
    City,
    DeskVisit,
    Event,
    HistoryStep,
)
from app.services.audit import current_actor, row_values
from app.services.errors import Conflict, NotFound

#: Per audited entity, its model and the columns undo and redo put back (the geometry apart).
_ASSIGNMENT_COLUMNS = (
    "booth_id",
    "vendor_id",
    "event_id",
    "valid_from",
    "valid_to",
    "status",
    "pinned",
    "part",
    "explanation",
    "confirmed_at",
)
_RUN_COLUMNS = ("event_id", "seed", "settings", "result", "user_id", "created_at")


def _restorable() -> dict[str, tuple[Any, tuple[str, ...]]]:
    table: dict[str, tuple[Any, tuple[str, ...]]] = {
        layer.entity: (layer.model, layer.restore_columns) for layer in LAYER_REGISTRY.values()
    }
    table["assignment"] = (Assignment, _ASSIGNMENT_COLUMNS)
    table["allocation_run"] = (AllocationRun, _RUN_COLUMNS)
    return table


#: How many steps a stack keeps; older ones fall off (the audit log keeps everything).
MAX_STEPS = 200
#: The most rows one step keeps for undo (about 0.5 kB each in full: some 10 MB at the bound).
#: A layout of 5,000 booths with 5,000 vendors on them is 15,000 rows.
MAX_STEP_ROWS = 20_000
#: The entity of the marker a step too big to keep leaves in its place.
TOO_BIG = "too_big"
#: Rows per ``IN (…)`` when a replay reads the rows of a big step.
_CHUNK = 5_000

_NOTHING_TO_UNDO = define("history.nothing_to_undo", id="Tidak ada langkah untuk dibatalkan.",
                          en="Nothing to undo.")  # fmt: skip
_NOTHING_TO_REDO = define("history.nothing_to_redo", id="Tidak ada langkah untuk diulangi.",
                          en="Nothing to redo.")  # fmt: skip
_CANNOT_UNDO = define(
    "history.cannot_undo",
    id="Langkah \u201c{step}\u201d tidak dapat dibatalkan: datanya sudah diubah lagi sesudahnya.",
    en="Step \u201c{step}\u201d cannot be undone: its data has changed again since.",
)
_CANNOT_REDO = define(
    "history.cannot_redo",
    id="Langkah \u201c{step}\u201d tidak dapat diulangi: datanya sudah diubah lagi sesudahnya.",
    en="Step \u201c{step}\u201d cannot be redone: its data has changed again since.",
)
_TOO_BIG = define(
    "history.too_big",
    id="Langkah \u201c{step}\u201d terlalu besar untuk dibatalkan ({rows} baris; batasnya "
    "{limit}).",
    en="Step \u201c{step}\u201d is too big to undo ({rows} rows; the limit is {limit}).",
)
_EVENT_CLOSED = define(
    "history.event_closed",
    id="Langkah \u201c{step}\u201d tidak dapat dibatalkan atau diulangi: acaranya sudah ditutup.",
    en="Step \u201c{step}\u201d cannot be undone or redone: its event is closed.",
)
_TOO_BIG_LABEL = define(
    "history.too_big_label",
    id="{step} (terlalu besar untuk dibatalkan)",
    en="{step} (too big to undo)",
)


class Change:
    """Collects the rows one step changes: ``before`` read first, ``after`` once flushed."""

    def __init__(self) -> None:
        self._rows: list[tuple[str, Any, dict[str, Any] | None]] = []
        self._gone: list[tuple[str, int, dict[str, Any]]] = []

    def touch(self, entity: str, obj: Any) -> None:
        """Before changing ``obj`` (persistent) or right after adding it (new: no before)."""
        from sqlalchemy import inspect

        before = None if inspect(obj).transient or inspect(obj).pending else row_values(obj)
        self._rows.append((entity, obj, before))

    def remove(self, entity: str, obj: Any) -> None:
        """Before deleting ``obj``."""
        self._gone.append((entity, obj.id, row_values(obj)))

    def __len__(self) -> int:
        return len(self._rows) + len(self._gone)

    def changes(self) -> list[dict[str, Any]]:
        """The step's rows, after a flush."""
        out = [
            {"entity": e, "id": obj.id, "before": before, "after": stub(obj)}
            for e, obj, before in self._rows
        ]
        out += [{"entity": e, "id": i, "before": b, "after": None} for e, i, b in self._gone]
        return out


def stub(row: Any) -> dict[str, Any] | None:
    """What a step keeps of the state a row is in now: its id and version (None: no row)."""
    if row is None:
        return None
    if isinstance(row, dict):
        return {"id": row.get("id"), "version": row.get("version")}
    return {"id": row.id, "version": getattr(row, "version", None)}


def full(entity: str, obj: Any) -> dict[str, Any]:
    """Every column of ``obj`` a replay puts back, as JSON."""
    values = row_values(obj)
    if entity == "allocation_run" and obj.created_at is not None:
        values["created_at"] = obj.created_at.isoformat()
    return values


def record_step(
    session: Session,
    *,
    city_id: int,
    event_id: int | None,
    label: Msg,
    changes: list[dict[str, Any]],
) -> HistoryStep | None:
    """Push a step (in the caller's transaction): the undone steps above it are dropped.

    ``changes`` hold each row's ``before`` in full (None: the step made it) and its ``after``
    (None: the step deleted it); ``after`` is kept as a stub (replaced in the caller's dicts).
    Beyond :data:`MAX_STEP_ROWS` rows a marker step is pushed instead: undo stops there.
    """
    if not changes:
        return None
    scope = _scope(city_id, event_id)
    # through the unit of work, not a bulk statement: the conflict cache follows ORM writes only
    for undone in session.scalars(
        select(HistoryStep).where(*scope, HistoryStep.applied.is_(False))
    ):
        session.delete(undone)
    if len(changes) > MAX_STEP_ROWS:
        kept: list[dict[str, Any]] = [
            {"entity": TOO_BIG, "id": 0, "rows": len(changes), "before": None, "after": None}
        ]
        label = _TOO_BIG_LABEL(step=label)
    else:
        kept = changes  # the after side becomes a stub in place: no copy of a big step's rows
        for change in kept:
            after = change["after"]
            if after is not None and len(after) > 2:
                change["after"] = stub(after)
    user_id, _label = current_actor()
    step = HistoryStep(
        city_id=city_id,
        event_id=event_id,
        user_id=user_id,
        label_id=render(label, "id")[:200],
        label_en=render(label, "en")[:200],
        changes=kept,
        applied=True,
    )
    session.add(step)
    session.flush()
    for old in session.scalars(
        select(HistoryStep).where(*scope).order_by(HistoryStep.id.desc()).offset(MAX_STEPS)
    ):
        session.delete(old)
    return step


def _scope(city_id: int, event_id: int | None, *, workspace: bool = False) -> tuple[Any, ...]:
    """One stack; with ``workspace`` and an event, the city's and the event's as one list."""
    if event_id is None:
        return (HistoryStep.city_id == city_id, HistoryStep.event_id.is_(None))
    if workspace:
        return (
            HistoryStep.city_id == city_id,
            or_(HistoryStep.event_id.is_(None), HistoryStep.event_id == event_id),
        )
    return (HistoryStep.city_id == city_id, HistoryStep.event_id == event_id)


def history(
    session: Session,
    city: City,
    event: Event | None = None,
    *,
    limit: int = 30,
    workspace: bool = False,
) -> list[HistoryStep]:
    """The stack, newest first: applied steps (undo takes the first) and undone ones above.

    ``workspace``: the city's steps and ``event``'s together, as the map workspace shows them.
    """
    scope = _scope(city.id, event.id if event else None, workspace=workspace)
    return list(
        session.scalars(
            select(HistoryStep).where(*scope).order_by(HistoryStep.id.desc()).limit(limit)
        )
    )


def undo(
    session: Session, city: City, event: Event | None = None, *, workspace: bool = False
) -> HistoryStep:
    """Undo the newest applied step of the stack (one transaction)."""
    scope = _scope(city.id, event.id if event else None, workspace=workspace)
    step = session.scalars(
        select(HistoryStep)
        .where(*scope, HistoryStep.applied.is_(True))
        .order_by(HistoryStep.id.desc())
        .limit(1)
        .with_for_update()
    ).first()
    if step is None:
        raise NotFound(_NOTHING_TO_UNDO())
    _replay(session, step, undo=True)
    return step


def redo(
    session: Session, city: City, event: Event | None = None, *, workspace: bool = False
) -> HistoryStep:
    """Apply again the oldest undone step above the newest applied one (the one undone last).

    In one stack every undone step lies above every applied one (a new step drops them); in the
    workspace's two stacks seen together, an undone step below a newer step of the other stack
    is not redone from there (a new action clears the redo, as the list shows it).
    """
    scope = _scope(city.id, event.id if event else None, workspace=workspace)
    top = session.scalar(select(func.max(HistoryStep.id)).where(*scope, HistoryStep.applied))
    query = select(HistoryStep).where(*scope, HistoryStep.applied.is_(False))
    if top is not None:
        query = query.where(HistoryStep.id > top)
    step = session.scalars(query.order_by(HistoryStep.id.asc()).limit(1).with_for_update()).first()
    if step is None:
        raise NotFound(_NOTHING_TO_REDO())
    _replay(session, step, undo=False)
    return step


def _load(
    session: Session, changes: Iterable[dict[str, Any]], table: dict[str, Any]
) -> dict[tuple[str, int], Any]:
    """Every row the step touches as it is now (locked until the commit); None when absent."""
    wanted: dict[str, list[int]] = {}
    for change in changes:
        wanted.setdefault(change["entity"], []).append(int(change["id"]))
    rows: dict[tuple[str, int], Any] = {}
    for entity, ids in wanted.items():
        model = table[entity][0]
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            found = session.scalars(
                select(model)
                .where(model.id.in_(chunk))
                .with_for_update()
                .execution_options(populate_existing=True)
            )
            for obj in found:
                rows[(entity, obj.id)] = obj
        for ident in ids:
            rows.setdefault((entity, ident), None)
    return rows


def _orphans(session: Session, changes: list[dict[str, Any]], want: str) -> bool:
    """Whether a booth the replay deletes carries rows the step does not know (the database
    would delete them with it): an assignment made since, a desk visit."""
    booths = [c["id"] for c in changes if c["entity"] == "booth" and c[want] is None]
    if not booths:
        return False
    known = {c["id"] for c in changes if c["entity"] == "assignment"}
    for start in range(0, len(booths), _CHUNK):
        chunk = booths[start : start + _CHUNK]
        held = set(session.scalars(select(Assignment.id).where(Assignment.booth_id.in_(chunk))))
        if held - known:
            return True
        if session.scalar(select(DeskVisit.id).where(DeskVisit.booth_id.in_(chunk)).limit(1)):
            return True
    return False


def _replay(session: Session, step: HistoryStep, *, undo: bool) -> None:
    """Move every row of ``step`` from the state it left to the other one, or refuse (409).

    Deletes go first (a layout's old booths come back under codes its new ones hold); vendors
    who change places with each other (a swap) let go of their booths first; then every row is
    put back, booths before the assignments on them (the unit of work orders the inserts).
    """
    have, want = ("after", "before") if undo else ("before", "after")
    label = Msg.text(step.label_id, step.label_en)
    if step.event_id is not None:
        event = session.get(Event, step.event_id)
        if event is not None and event.status == "closed":
            raise Conflict(_EVENT_CLOSED(step=label))
    for change in step.changes:
        if change.get("entity") == TOO_BIG:
            raise Conflict(_TOO_BIG(step=label, rows=change.get("rows"), limit=MAX_STEP_ROWS))
    changes = [dict(c) for c in step.changes]
    table = _restorable()
    refused = Conflict(_CANNOT_UNDO(step=label) if undo else _CANNOT_REDO(step=label))
    try:
        rows = _load(session, changes, table)
        for change in changes:
            current = rows[(change["entity"], change["id"])]
            expected = change[have]
            if (expected is None) != (current is None) or (
                current is not None and getattr(current, "version", None) != expected.get("version")
            ):
                raise refused
        if _orphans(session, changes, want):
            raise refused
        for change in changes:  # the state left now is what the other direction puts back
            current = rows[(change["entity"], change["id"])]
            if current is not None:
                change[have] = full(change["entity"], current)
        for change in changes:
            if change[want] is None:
                session.delete(rows[(change["entity"], change["id"])])
        session.flush()
        if _let_go(changes, rows, want):
            session.flush()
        for change in changes:
            target = change[want]
            if target is None:
                continue
            model, columns = table[change["entity"]]
            key = (change["entity"], change["id"])
            if rows[key] is None:
                rows[key] = model(id=change["id"])
                session.add(rows[key])
            _put(rows[key], target, columns)
        session.flush()
        for change in changes:
            if change[want] is not None:
                change[want] = stub(rows[(change["entity"], change["id"])])
    except (StaleDataError, IntegrityError) as exc:
        session.rollback()
        raise refused from exc
    except Conflict:
        session.rollback()
        raise
    session.expire_all()  # relationships (an event's booths) read the rows put back
    step.changes = changes
    step.applied = not undo
    _hand_on(session, step, {(c["entity"], c["id"]): c[want] for c in changes}, undo=undo)
    session.commit()


def _let_go(changes: list[dict[str, Any]], rows: dict[tuple[str, int], Any], want: str) -> bool:
    """Vendors who change booths among each other (a swap) let go of them first: the unique
    index on an event's held booths is checked row by row."""
    moving = []
    for change in changes:
        current, target = rows[(change["entity"], change["id"])], change[want]
        if change["entity"] != "assignment" or current is None or target is None:
            continue
        if current.status in HOLDING_STATUSES and target.get("status") in HOLDING_STATUSES:
            place = (current.booth_id, current.vendor_id, current.part)
            if place != (target.get("booth_id"), target.get("vendor_id"), target.get("part", 0)):
                moving.append(current)
    if len(moving) > 1:
        for current in moving:
            current.status = "cancelled"
        return True
    return False


def _hand_on(
    session: Session,
    step: HistoryStep,
    states: dict[tuple[str, int], dict[str, Any] | None],
    *,
    undo: bool,
) -> None:
    """Tell the next step to replay which state each row is now in (its new version).

    After an undo, the nearest applied step below that touched a row left the row as it is now
    (same values, a newer version); after a redo, the nearest undone step above starts from it.
    A row the replay deleted needs nothing: no step below knew a row this step made, and none
    above was recorded while a row this step deletes existed (ids are never reused). Skipping
    them keeps a layout's undo from reading every older step for its thousands of new booths.
    """
    scope = _scope(step.city_id, step.event_id)
    if undo:
        query = (
            select(HistoryStep)
            .where(*scope, HistoryStep.applied.is_(True), HistoryStep.id < step.id)
            .order_by(HistoryStep.id.desc())
        )
        side = "after"
    else:
        query = (
            select(HistoryStep)
            .where(*scope, HistoryStep.applied.is_(False), HistoryStep.id > step.id)
            .order_by(HistoryStep.id.asc())
        )
        side = "before"
    pending = {key: state for key, state in states.items() if state is not None}
    if not pending:
        return
    for other in session.scalars(query):
        if not pending:
            break
        changes = [dict(c) for c in other.changes]
        touched = False
        for change in changes:
            key = (change["entity"], change["id"])
            if key in pending:
                change[side] = pending.pop(key)
                touched = True
        if touched:
            other.changes = changes


def _put(obj: Any, values: dict[str, Any], columns: tuple[str, ...]) -> None:
    for key in columns:
        if key in values:
            setattr(obj, key, _typed(obj, key, values[key]))
    if "geom" in values and values["geom"] is not None:
        # as EWKB: the stored doubles come back bit for bit (plain WKB is sent as WKT)
        obj.geom = from_shape(shape(values["geom"]), srid=4326, extended=True)


def _typed(obj: Any, key: str, value: Any) -> Any:
    """A JSON value back as its column's Python type (times and dates are ISO strings)."""
    if not isinstance(value, str):
        return value
    column = type(obj).__table__.columns.get(key)
    try:
        python = column.type.python_type if column is not None else None
        if python is time:
            return time.fromisoformat(value)
        if python is date:
            return date.fromisoformat(value)
        if python is datetime:
            return datetime.fromisoformat(value)
    except (NotImplementedError, ValueError):
        return value
    return value


_NOUNS = {
    "zones": define("history.noun.zones", id="zona {name}", en="zone {name}"),
    "facilities": define("history.noun.facilities", id="fasilitas {name}", en="facility {name}"),
    "booths": define("history.noun.booths", id="lapak {name}", en="booth {name}"),
}
_VERBS = {
    "create": define("history.create", id="Gambar {what}", en="Draw {what}"),
    "update": define("history.update", id="Ubah {what}", en="Edit {what}"),
    "delete": define("history.delete", id="Hapus {what}", en="Delete {what}"),
}
MOVE = define("history.move", id="Pindah {old} ke {new}", en="Move {old} to {new}")
SWAP = define("history.swap", id="Tukar {a} \u21c4 {b}", en="Swap {a} \u21c4 {b}")
PIN = define("history.pin", id="Sematkan {code}", en="Pin {code}")
UNPIN = define("history.unpin", id="Lepas sematan {code}", en="Unpin {code}")


def feature_label(action: str, layer: str, obj: Any) -> Msg:
    """ "Ubah zona Pasar Tengah" / "Edit zone Pasar Tengah": a workspace step's name."""
    name = getattr(obj, "code", None) or getattr(obj, "name", None) or f"#{obj.id}"
    noun = _NOUNS.get(layer)
    what = noun(name=name) if noun else Msg.text(f"{layer} {name}")
    return _VERBS[action](what=what)
