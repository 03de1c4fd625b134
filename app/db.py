"""Database engine and session handling for the app.

One engine per app; one session per request, stored on ``g``. Tests hand the factory a session
bound to an outer transaction (see ``tests/conftest.py``) so that nothing a test writes persists.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.faults import watch_commits


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create the engine with settings that suit a small web app on PostGIS."""
    return create_engine(url, pool_pre_ping=True, future=True, **kwargs)


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

    @app.teardown_appcontext
    def _close_session(exc: BaseException | None) -> None:
        sess = g.pop("db_session", None)
        if sess is not None and "petalapak.session" not in app.extensions:
            try:
                if exc is not None:
                    sess.rollback()
                sess.close()
            except DBAPIError:  # the connection died (a server restart): nothing left to undo
                sess.invalidate()


def get_session() -> Session:
    """Return the session of the current app context (created on first use)."""
    fixed = current_app.extensions.get("petalapak.session")
    if fixed is not None:
        return fixed  # type: ignore[no-any-return]
    if "db_session" not in g:
        g.db_session = current_app.extensions["petalapak.sessionmaker"]()
    return g.db_session  # type: ignore[no-any-return]


def get_engine() -> Engine:
    """Return the app's engine."""
    return current_app.extensions["petalapak.engine"]  # type: ignore[no-any-return]
