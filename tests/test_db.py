"""Connections: a pooled connection the server ended is replaced without a ping round trip per
checkout, and one-statement answers read in autocommit (no transaction left open) with plans
kept per connection."""

from __future__ import annotations

from typing import Any

import psycopg
from sqlalchemy import select, text

from app.db import get_read_session, get_session, make_engine


def _backend_pid(engine: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_the_server_ended_is_replaced(database_url: str) -> None:
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    try:
        first = _backend_pid(engine)  # back in the pool now
        admin = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
        with psycopg.connect(admin, autocommit=True) as other:
            assert other.execute("SELECT pg_terminate_backend(%s)", (first,)).fetchone() == (True,)
            for _ in range(500):  # until the server has closed it (bounded, no clock involved)
                row = other.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (first,)
                ).fetchone()
                if row == (0,):
                    break
        assert _backend_pid(engine) != first  # no error: the dead connection was dropped
    finally:
        engine.dispose()


def test_read_sessions_leave_no_transaction_open(database_url: str) -> None:
    from app import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-0123456789",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REQUEST_LOG": False,
        }
    )
    with app.app_context():
        read = get_read_session()
        read.execute(select(1))
        raw: Any = read.connection().connection.dbapi_connection
        assert raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        assert read.scalar(text("SHOW plan_cache_mode")) == "force_generic_plan"
        # a generic plan is costed without its values: the lookup's came out above
        # jit_above_cost, and compiling it took ~100× the statement's own time, every time
        assert read.scalar(text("SHOW jit")) == "off"
        write = get_session()
        write.execute(select(1))
        raw = write.connection().connection.dbapi_connection
        assert raw.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        assert write.scalar(text("SHOW plan_cache_mode")) == "auto"  # other queries: as ever
    app.extensions["petalapak.engine"].dispose()
