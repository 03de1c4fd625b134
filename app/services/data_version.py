"""Reading the per-city change counter, and making it count at every session commit.

The counter is kept by deferred triggers in PostgreSQL (see :mod:`app.models.data_version`), so
a write from any path (the app, the CLI, psql, a GIS client) counts. Left alone, deferred
triggers fire only when the outermost transaction commits. The listener below fires them at
every :meth:`Session.commit` instead (``SET CONSTRAINTS ALL IMMEDIATE`` right before it, then
back to deferred), with a fresh token so that each commit counts once. For the app this is the
same instant; a session joined to an outer transaction (the test suite's savepoints) counts its
commits as a real deployment would.

Readers take the version *before* they read the data they cache: the data can only be as new as
the version or newer, so a cached answer is never older than its key.
"""

from __future__ import annotations

import uuid

from sqlalchemy import TextClause, event, func, select
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from app.models import DataVersion

_WROTE = "petalapak_data_version_wrote"


def city_version(session: Session, city_id: int) -> int:
    """The city's change counter (0 before its first counted change)."""
    value = session.scalar(select(DataVersion.version).where(DataVersion.city_id == city_id))
    return int(value or 0)


def any_version(session: Session) -> int:
    """A counter that grows whenever any city's does (their sum; each only ever grows)."""
    return int(session.scalar(select(func.coalesce(func.sum(DataVersion.version), 0))) or 0)


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, flush_context: UOWTransaction) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_write(state: ORMExecuteState) -> None:
    statement = state.statement
    if (
        state.is_insert
        or state.is_update
        or state.is_delete
        or (
            isinstance(statement, TextClause)
            and not statement.text.lstrip()[:6].lower() == "select"
        )
    ):
        state.session.info[_WROTE] = True


@event.listens_for(Session, "before_commit")
def _count_this_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()
    if not session.info.pop(_WROTE, False):
        return
    # One round trip: a fresh token, the pending triggers fired under it, then deferred again
    # for whatever a joined outer transaction does next. The token is ours (hex), not input.
    session.connection().exec_driver_sql(
        f"SELECT set_config('petalapak.dv_epoch', '{uuid.uuid4().hex}', true); "
        "SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED"
    )


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_WROTE, None)
