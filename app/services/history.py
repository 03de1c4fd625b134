"""Undo and redo as a stack of named steps, stored per city workspace and per event.

Each write that can be undone records one :class:`~app.models.HistoryStep` in its own
transaction: the rows it changed, before and after. Undo takes the newest applied step of the
stack and puts every row back as it was; redo takes the oldest undone step and applies it again;
a new step drops the undone steps above it (as every editor's undo does). Undo therefore never
redoes: two undos undo two steps.

Every row a step touches must still be as the step left it (same version, or still absent): a
row someone changed since is never overwritten, and the step stays where it is (409).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from geoalchemy2.shape import from_shape
from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.layers import LAYER_REGISTRY
from app.messages import Msg, define, render
from app.models import Assignment, City, Event, HistoryStep
from app.services.audit import current_actor, row_values
from app.services.errors import Conflict, NotFound

#: Per audited entity, its model and the columns undo and redo put back (the geometry apart).
_ASSIGNMENT_COLUMNS = ("booth_id", "vendor_id", "event_id", "status", "pinned", "explanation")


def _restorable() -> dict[str, tuple[Any, tuple[str, ...]]]:
    table: dict[str, tuple[Any, tuple[str, ...]]] = {
        layer.entity: (layer.model, layer.restore_columns) for layer in LAYER_REGISTRY.values()
    }
    table["assignment"] = (Assignment, _ASSIGNMENT_COLUMNS)
    return table


#: How many steps a stack keeps; older ones fall off (the audit log keeps everything).
MAX_STEPS = 200

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

    def changes(self) -> list[dict[str, Any]]:
        """The step's rows, after a flush."""
        out = [
            {"entity": e, "id": obj.id, "before": before, "after": row_values(obj)}
            for e, obj, before in self._rows
        ]
        out += [{"entity": e, "id": i, "before": b, "after": None} for e, i, b in self._gone]
        return out


def record_step(
    session: Session,
    *,
    city_id: int,
    event_id: int | None,
    label: Msg,
    changes: list[dict[str, Any]],
) -> HistoryStep | None:
    """Push a step (in the caller's transaction): the undone steps above it are dropped."""
    if not changes:
        return None
    scope = _scope(city_id, event_id)
    # through the unit of work, not a bulk statement: the conflict cache follows ORM writes only
    for undone in session.scalars(
        select(HistoryStep).where(*scope, HistoryStep.applied.is_(False))
    ):
        session.delete(undone)
    user_id, _label = current_actor()
    step = HistoryStep(
        city_id=city_id,
        event_id=event_id,
        user_id=user_id,
        label_id=render(label, "id")[:200],
        label_en=render(label, "en")[:200],
        changes=changes,
        applied=True,
    )
    session.add(step)
    session.flush()
    for old in session.scalars(
        select(HistoryStep).where(*scope).order_by(HistoryStep.id.desc()).offset(MAX_STEPS)
    ):
        session.delete(old)
    return step


def _scope(city_id: int, event_id: int | None) -> tuple[Any, ...]:
    if event_id is None:
        return (HistoryStep.city_id == city_id, HistoryStep.event_id.is_(None))
    return (HistoryStep.city_id == city_id, HistoryStep.event_id == event_id)


def history(
    session: Session, city: City, event: Event | None = None, *, limit: int = 30
) -> list[HistoryStep]:
    """The stack, newest first: applied steps (undo takes the first) and undone ones above."""
    return list(
        session.scalars(
            select(HistoryStep)
            .where(*_scope(city.id, event.id if event else None))
            .order_by(HistoryStep.id.desc())
            .limit(limit)
        )
    )


def undo(session: Session, city: City, event: Event | None = None) -> HistoryStep:
    """Undo the newest applied step of the stack (one transaction)."""
    step = session.scalars(
        select(HistoryStep)
        .where(*_scope(city.id, event.id if event else None), HistoryStep.applied.is_(True))
        .order_by(HistoryStep.id.desc())
        .limit(1)
        .with_for_update()
    ).first()
    if step is None:
        raise NotFound(_NOTHING_TO_UNDO())
    _replay(session, step, undo=True)
    return step


def redo(session: Session, city: City, event: Event | None = None) -> HistoryStep:
    """Apply again the oldest undone step (the one undone last)."""
    step = session.scalars(
        select(HistoryStep)
        .where(*_scope(city.id, event.id if event else None), HistoryStep.applied.is_(False))
        .order_by(HistoryStep.id.asc())
        .limit(1)
        .with_for_update()
    ).first()
    if step is None:
        raise NotFound(_NOTHING_TO_REDO())
    _replay(session, step, undo=False)
    return step


def _replay(session: Session, step: HistoryStep, *, undo: bool) -> None:
    """Move every row of ``step`` from the state it left to the other one, or refuse (409)."""
    have, want = ("after", "before") if undo else ("before", "after")
    changes = [dict(c) for c in step.changes]
    table = _restorable()
    label = Msg.text(step.label_id, step.label_en)
    refused = Conflict(_CANNOT_UNDO(step=label) if undo else _CANNOT_REDO(step=label))
    order = list(reversed(changes)) if undo else changes
    try:
        for change in order:
            model, columns = table[change["entity"]]
            current = session.get(model, change["id"])
            expected = change[have]
            if (expected is None) != (current is None) or (
                current is not None and current.version != expected.get("version")
            ):
                raise refused
            target = change[want]
            if target is None:
                session.delete(current)
                session.flush()
                change[want] = None
                continue
            if current is None:
                current = model(id=change["id"])
                session.add(current)
            _put(current, target, columns)
            session.flush()
            change[want] = row_values(current)
    except (StaleDataError, IntegrityError) as exc:
        session.rollback()
        raise refused from exc
    except Conflict:
        session.rollback()
        raise
    step.changes = changes
    step.applied = not undo
    _hand_on(session, step, {(c["entity"], c["id"]): c[want] for c in changes}, undo=undo)
    session.commit()


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
    pending = dict(states)
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
        obj.geom = from_shape(shape(values["geom"]), srid=4326)


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
PIN = define("history.pin", id="Sematkan {code}", en="Pin {code}")
UNPIN = define("history.unpin", id="Lepas sematan {code}", en="Unpin {code}")


def feature_label(action: str, layer: str, obj: Any) -> Msg:
    """ "Ubah zona Pasar Tengah" / "Edit zone Pasar Tengah": a workspace step's name."""
    name = getattr(obj, "code", None) or getattr(obj, "name", None) or f"#{obj.id}"
    noun = _NOUNS.get(layer)
    what = noun(name=name) if noun else Msg.text(f"{layer} {name}")
    return _VERBS[action](what=what)
