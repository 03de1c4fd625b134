"""Database engine and session handling for the app.

One engine per app; one session per request, stored on ``g``. Tests hand the factory a session
bound to an outer transaction (see ``tests/conftest.py``) so that nothing a test writes persists.

Answers that people wait for in numbers (the vendor lookup, OGC item pages) are one read
statement each. They run on :func:`get_read_session`: a second small pool in autocommit, so the
statement is the request's only round trip (no ``BEGIN``, no ``ROLLBACK``), psycopg keeps it
prepared on the connection, and PostgreSQL plans it once per connection
(``plan_cache_mode=force_generic_plan``: these few statements are built once with bound
parameters, and their plan does not depend on the values; re-planning them took a third of
the database's time per lookup). The same connections turn PostgreSQL's JIT off (``jit=off``):
a generic plan's cost is estimated without the values, and the lookup's came out above
``jit_above_cost``, so every lookup compiled its expressions to machine code first (about
0.5 s of compiling for a statement that runs in a few milliseconds; JIT code is never kept
between executions). A single statement sees one snapshot, so autocommit changes nothing in
what it reads.

Such a statement goes to the driver as SQL text built once (:func:`driver_sql`): its constants
(JSON keys, kinds, radii, statuses) are written into the text, and only the request's own values
stay parameters. A generic plan then knows the constants (a partial index on
``kind = 'service_desk'`` is usable; estimates use them), and no request converts and sends a
hundred constant parameters again.

A pooled connection is checked before use without a round trip (:func:`_drop_dead`): a server
that ended the connection (restart, ``pg_terminate_backend``, idle timeout) has closed the socket
or left a message on it, which a zero-timeout poll sees; only then is a real ping sent.
"""

from __future__ import annotations

import re
import select as _select
from collections.abc import Iterable
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy import exc as exc_module
from sqlalchemy.dialects.postgresql import psycopg as _pg_psycopg
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from app.faults import watch_commits

#: Session settings of the read pool's connections (see the module's docstring).
READ_OPTIONS = "-c plan_cache_mode=force_generic_plan -c jit=off"
#: The ``g`` keys of a request's sessions (:func:`get_session`, :func:`get_read_session`).
SESSION_KEYS = ("db_session", "db_read_session")


_DIALECT = _pg_psycopg.dialect()  # type: ignore[no-untyped-call]
_PLACEHOLDER = re.compile(r"%\(([^)]+)\)s")


def driver_sql(statement: ClauseElement, keep: Iterable[str]) -> str:
    """``statement`` as the psycopg driver's SQL text, for ``Connection.exec_driver_sql``.

    Every bound value SQLAlchemy made for a constant in the expression is written into the text
    as a SQL literal (quoted by psycopg, its cast kept); the parameters named in ``keep`` stay
    placeholders (``%(name)s``), to be given at each execution (a name the statement does not use
    is ignored, as the driver ignores extra keys). Build it once per statement shape
    (it compiles the statement), never with a value from a request as a constant.

    >>> from sqlalchemy import bindparam, column, select
    >>> query = select(column("a")).where(column("k") == "x%y", column("n") == bindparam("n"))
    >>> " ".join(driver_sql(query, ["n"]).split())
    "SELECT a WHERE k = 'x%%y'::VARCHAR AND n = %(n)s"
    """
    kept = set(keep)
    compiled = statement.compile(dialect=_DIALECT)
    assert isinstance(compiled, SQLCompiler)
    expanded = compiled.construct_expanded_state(dict.fromkeys(kept), escape_names=False)
    constants = expanded.parameters

    def literal(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in kept:
            return match.group(0)
        if name not in constants:
            raise ValueError(f"bound parameter {name!r} has no value and is not kept")
        from psycopg import sql

        # as_string() quotes the value; the driver reads % as its own marker: doubled
        return sql.Literal(constants[name]).as_string().replace("%", "%%")

    return _PLACEHOLDER.sub(literal, expanded.statement)


def _socket_has_news(fileno: int) -> bool:
    """Whether the server sent anything on an idle connection (an error, EOF, a notice)."""
    readable, _, _ = _select.select([fileno], [], [], 0)
    return bool(readable)


def _drop_dead(engine: Engine) -> None:
    """Check each connection at checkout, cheaply; a dead one is replaced (SQLAlchemy retries)."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkout")
    def _check(dbapi_conn: Any, record: Any, proxy: Any) -> None:
        try:
            if dbapi_conn.closed or (
                _socket_has_news(dbapi_conn.fileno()) and not dialect.do_ping(dbapi_conn)
            ):
                raise exc_module.DisconnectionError("connection closed by the server")
        except exc_module.DisconnectionError:
            raise
        except Exception as err:  # noqa: BLE001 - any failure to ping means a dead connection
            raise exc_module.DisconnectionError(str(err)) from err


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create the engine with settings that suit a small web app on PostGIS."""
    engine = create_engine(url, future=True, **kwargs)
    _drop_dead(engine)
    return engine


def make_read_engine(url: str, **kwargs: Any) -> Engine:
    """The engine of :func:`get_read_session`: autocommit, generic plans for prepared reads."""
    options = make_url(url).query.get("options")
    options = " ".join(
        [*(options if isinstance(options, tuple) else [options or ""]), READ_OPTIONS]
    )
    return make_engine(
        url,
        isolation_level="AUTOCOMMIT",
        connect_args={"options": options.strip()},
        **kwargs,
    )


def init_db(app: Flask, session: Session | None = None) -> None:
    """Attach an engine and a session factory (or a fixed session for tests) to ``app``."""
    if session is not None:
        app.extensions["petalapak.session"] = session
        app.extensions["petalapak.engine"] = session.get_bind()
    else:
        engine = make_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        watch_commits(engine)
        app.extensions["petalapak.engine"] = engine
        app.extensions["petalapak.sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
        reads = make_read_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        # whoever disposes of the app's engine (tests, a fork) disposes of the read pool too
        event.listen(engine, "engine_disposed", lambda _conn: reads.dispose())
        app.extensions["petalapak.read_sessionmaker"] = sessionmaker(
            bind=reads, expire_on_commit=False
        )

    @app.teardown_appcontext
    def _close_session(exc: BaseException | None) -> None:
        for name in SESSION_KEYS:
            sess = g.pop(name, None)
            if sess is not None and "petalapak.session" not in app.extensions:
                try:
                    if exc is not None:
                        sess.rollback()
                    sess.close()
                except exc_module.DBAPIError:  # the connection died (a restart): nothing to undo
                    sess.invalidate()


def get_session() -> Session:
    """Return the session of the current app context (created on first use)."""
    fixed = current_app.extensions.get("petalapak.session")
    if fixed is not None:
        return fixed  # type: ignore[no-any-return]
    if "db_session" not in g:
        g.db_session = current_app.extensions["petalapak.sessionmaker"]()
    return g.db_session  # type: ignore[no-any-return]


def get_read_session() -> Session:
    """A session for answers built by single read statements: autocommit, never written to.

    Each statement is its own snapshot; use :func:`get_session` to read several statements
    consistently or to write. Tests get their fixed session here too.
    """
    fixed = current_app.extensions.get("petalapak.session")
    if fixed is not None:
        return fixed  # type: ignore[no-any-return]
    if "db_read_session" not in g:
        g.db_read_session = current_app.extensions["petalapak.read_sessionmaker"]()
    return g.db_read_session  # type: ignore[no-any-return]


def get_engine() -> Engine:
    """Return the app's engine."""
    return current_app.extensions["petalapak.engine"]  # type: ignore[no-any-return]
