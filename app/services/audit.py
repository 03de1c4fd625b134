"""Audit log written automatically on every change to zones, facilities, booths and assignments.

A session listener rather than calls sprinkled through the services: no write path can forget
it, and the entry is inserted in the same transaction as the change (a rolled-back change leaves
no audit row behind).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from geoalchemy2 import WKBElement
from geoalchemy2.shape import to_shape
from shapely.geometry import mapping
from sqlalchemy import Table, event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction

from app.models import (
    Assignment,
    AttendanceAnswer,
    AuditEntry,
    Booth,
    DeskVisit,
    Facility,
    Landmark,
    StandingAttendance,
    StreetReport,
    StreetReportStep,
    VendorAbsence,
    VendorApplication,
    Zone,
)

AUDITED: dict[type, str] = {
    Zone: "zone",
    Facility: "facility",
    Landmark: "landmark",
    Booth: "booth",
    Assignment: "assignment",
    StreetReport: "street_report",
    StreetReportStep: "report_step",
    VendorApplication: "vendor_application",
    AttendanceAnswer: "attendance_answer",
    StandingAttendance: "standing_attendance",
    VendorAbsence: "vendor_absence",
    DeskVisit: "desk_visit",
}

_actor: contextvars.ContextVar[tuple[int | None, str | None]] = contextvars.ContextVar(
    "petalapak_audit_actor", default=(None, "system")
)


@contextlib.contextmanager
def acting_as(user_id: int | None, label: str | None) -> Iterator[None]:
    """Attribute every audited change inside the block to this user (or a CLI/system label)."""
    token = _actor.set((user_id, label))
    try:
        yield
    finally:
        _actor.reset(token)


def record(
    session: Session,
    *,
    action: str,
    entity: str,
    entity_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add an entry for a change the listener does not watch (staff accounts, access codes).

    Written in the caller's transaction and attributed like the listener's entries (see
    :func:`acting_as`). ``action`` is at most 10 characters; ``before``/``after`` must hold no
    secrets (no password hashes, no access codes).
    """
    user_id, label = _actor.get()
    session.add(
        AuditEntry(
            user_id=user_id,
            actor=label,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
        )
    )


def current_actor() -> tuple[int | None, str | None]:
    """Who the changes in this context are attributed to: ``(user_id, label)``."""
    return _actor.get()


def snapshot_sql(model: type, row: str) -> str:
    """SQL building, for a row alias ``row`` of ``model``'s table, what :func:`snapshot` writes.

    For bulk writes (a whole generated layout in one statement) that write their audit entries in
    the same statement from the rows it returns: every column but the timestamps, the geometry
    as GeoJSON with the shortest digits that give back the stored double exactly (as Python's
    ``repr`` does). ``row`` is an alias chosen by the caller and the names come from the model,
    never from input.
    """
    parts = []
    table: Table = inspect(model).local_table
    for column in table.columns:
        if column.key in ("created_at", "updated_at"):
            continue
        value = f"{row}.{column.name}"
        if column.key == "geom":
            value = f"ST_AsGeoJSON({value}, 20)::jsonb"
        parts.append(f"'{column.key}', {value}")
    return f"jsonb_build_object({', '.join(parts)})"


def _jsonable(value: Any) -> Any:
    if isinstance(value, WKBElement):
        return mapping(to_shape(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str) and value.startswith("SRID="):
        from shapely import wkt

        return mapping(wkt.loads(value.split(";", 1)[1]))
    return value


def row_values(obj: Any) -> dict[str, Any]:
    """Every column of a persistent ``obj`` as JSON, loading any expired one (timestamps apart)."""
    out: dict[str, Any] = {}
    for attr in inspect(obj).mapper.column_attrs:
        if attr.key not in ("created_at", "updated_at"):
            out[attr.key] = _jsonable(getattr(obj, attr.key))
    return out


def snapshot(obj: Any, *, committed: bool = False) -> dict[str, Any]:
    """Column values of ``obj`` as JSON; ``committed=True`` gives the values before this flush."""
    state = inspect(obj)
    out: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in ("created_at", "updated_at"):
            continue
        if committed:
            hist = state.attrs[key].load_history()
            if hist.deleted:
                value = hist.deleted[0]
            elif hist.unchanged:
                value = hist.unchanged[0]
            else:
                value = None
        else:
            value = state.dict.get(key)
        out[key] = _jsonable(value)
    return out


def _pending(session: Session) -> list[tuple[str, str, Any, dict[str, Any] | None]]:
    return session.info.setdefault("petalapak_audit_pending", [])  # type: ignore[no-any-return]


@event.listens_for(Session, "before_flush")
def _collect(session: Session, flush_context: UOWTransaction, instances: Any) -> None:
    pending = _pending(session)
    for obj in session.new:
        entity = AUDITED.get(type(obj))
        if entity:
            pending.append(("create", entity, obj, None))
    for obj in session.dirty:
        entity = AUDITED.get(type(obj))
        if entity and session.is_modified(obj, include_collections=False):
            pending.append(("update", entity, obj, snapshot(obj, committed=True)))
    for obj in session.deleted:
        entity = AUDITED.get(type(obj))
        if entity:
            pending.append(("delete", entity, obj, snapshot(obj, committed=True)))


@event.listens_for(Session, "after_flush")
def _write(session: Session, flush_context: UOWTransaction) -> None:
    pending = _pending(session)
    if not pending:
        return
    user_id, label = _actor.get()
    rows = []
    for action, entity, obj, before in pending:
        after = None if action == "delete" else snapshot(obj)
        ident = (before or after or {}).get("id")
        rows.append(
            {
                "user_id": user_id,
                "actor": label,
                "action": action,
                "entity": entity,
                "entity_id": ident,
                "before": before,
                "after": after,
            }
        )
    pending.clear()
    session.connection().execute(insert(AuditEntry), rows)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("petalapak_audit_pending", None)
