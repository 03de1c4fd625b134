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
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, String, TextClause, cast, event, func, select
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from app.models import DataVersion

_WROTE = "petalapak_data_version_wrote"
_WATCH = "petalapak_data_version_watch"
_BUMPED = "petalapak_data_version_bumped"
_BULK = "petalapak_data_version_bulk"
_COUNTED = "petalapak_data_version_counted"


def city_version(session: Session, city_id: int) -> int:
    """The city's change counter (0 before its first counted change)."""
    value = session.scalar(select(DataVersion.version).where(DataVersion.city_id == city_id))
    return int(value or 0)


def any_version(session: Session) -> int:
    """A counter that grows whenever any city's does (their sum; each only ever grows)."""
    return int(session.scalar(select(func.coalesce(func.sum(DataVersion.version), 0))) or 0)


def state_of(session: Session, city_id: int) -> tuple[int, str | None]:
    """The city's layout counter as this transaction sees it, and the transaction's own id.

    The id is ``None`` while the transaction has written nothing (it sees committed data only);
    otherwise it names the uncommitted state the counter was read in, which no other transaction
    will ever see. Both in one round trip.
    """
    row = session.execute(
        select(
            select(DataVersion.layout_version)
            .where(DataVersion.city_id == city_id)
            .scalar_subquery(),
            cast(func.pg_current_xact_id_if_assigned(), String),
        )
    ).one()
    return int(row[0] or 0), (None if row[1] is None else str(row[1]))


def has_uncounted_writes(session: Session) -> bool:
    """Whether the session wrote since its last commit (those writes have bumped no counter yet)."""
    return bool(session.info.get(_WROTE))


def note_bulk_write(session: Session) -> None:
    """Count a write made outside the ORM's view (a ``COPY`` on the driver connection)."""
    session.info[_WROTE] = True
    session.info[_BULK] = True


def count_city_at_commit(session: Session, city_id: int) -> None:
    """Make the next commit bump the city's counters itself (once, as the row triggers would).

    For bulk booth statements run inside :func:`booths_counted_by_the_app`, whose rows queue no
    trigger: without this call their changes would not count.
    """
    session.info.setdefault(_COUNTED, set()).add(int(city_id))
    session.info[_WROTE] = True
    session.info[_BULK] = True


@contextmanager
def booths_counted_by_the_app(conn: Connection) -> Iterator[None]:
    """Run bulk booth statements without queueing the counter's per-row trigger.

    The trigger's ``WHEN`` reads the transaction-local ``petalapak.counted_by_app`` as each row is
    written; it is on only inside this block. The caller must have called
    :func:`count_city_at_commit` for the city of these booths. On an error the setting is left
    to the rollback that follows (the transaction cannot run another statement anyway).
    """
    conn.exec_driver_sql("SELECT set_config('petalapak.counted_by_app', 'on', true)")
    yield
    conn.exec_driver_sql("SELECT set_config('petalapak.counted_by_app', 'off', true)")


def watch_layout_version(session: Session, city_id: int) -> None:
    """Ask the next commit to report the city's layout counter as that commit left it."""
    session.info.setdefault(_WATCH, set()).add(city_id)


def committed_layout_versions(session: Session) -> dict[int, int]:
    """The watched cities whose layout counter the last commit bumped, with the new value.

    A city is here only when that very commit added one to its ``layout_version``: the state
    with that number is then exactly the state before it plus this commit's changes. Nothing is
    reported for a commit with bulk writes (statements or ``COPY``): its changed rows passed no
    session listener, so no one can say what they were.
    """
    return dict(session.info.get(_BUMPED) or {})


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
        state.session.info[_BULK] = True


@event.listens_for(Session, "before_commit")
def _count_this_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()
    watched = session.info.pop(_WATCH, None)
    session.info[_BUMPED] = {}
    bulk = session.info.pop(_BULK, False)
    counted = session.info.pop(_COUNTED, ())
    if not session.info.pop(_WROTE, False):
        return
    # One round trip: a fresh token, the cities of bulk booth writes counted under it, the
    # pending triggers fired under it (they find those cities counted), then deferred again for
    # whatever a joined outer transaction does next. The token is ours (hex) and the city ids
    # are ints from our own session, not input.
    fire = (
        f"SELECT set_config('petalapak.dv_epoch', '{uuid.uuid4().hex}', true); "
        + "".join(f"SELECT petalapak_count_city({int(c)}); " for c in sorted(counted))
        + "SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED"
    )
    if not watched or bulk:
        session.connection().exec_driver_sql(fire)
        return
    # Still one round trip when a caller watches cities: the counter rows this commit bumped are
    # locked by it until it ends, so the values read last are the ones it commits; the trigger
    # marks a bump with this commit's token. The ids are ints from our own session.
    cities = ",".join(str(int(c)) for c in sorted(watched))
    driver = session.connection().connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor:
        read_back = (
            "SELECT city_id, layout_version FROM data_version WHERE city_id IN ({}) "
            "AND current_setting('petalapak.dvl_' || city_id, true) "
            "= current_setting('petalapak.dv_epoch', true)"
        )
        cursor.execute(f"{fire}; {read_back.format(cities)}")
        while cursor.nextset():
            pass
        session.info[_BUMPED] = {int(c): int(v) for c, v in cursor.fetchall()}


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction: object) -> None:
    if session.in_transaction():
        # A savepoint was rolled back and the transaction goes on: the writes made before it
        # still wait to be counted, and the rows the commit changes can no longer be listed.
        if session.info.get(_WROTE):
            session.info[_BULK] = True
        return
    session.info.pop(_WROTE, None)
    session.info.pop(_WATCH, None)
    session.info.pop(_BUMPED, None)
    session.info.pop(_BULK, None)
    session.info.pop(_COUNTED, None)
