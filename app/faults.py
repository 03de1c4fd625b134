"""What a request sees when PostgreSQL goes away for a moment (a restart, a failover).

The rules:

* never a 500: a dropped, refused or exhausted database connection answers **503 with
  Retry-After**, in the format of the path: OGC exception JSON on ``/ogc``, JSON on ``/api``,
  ``/tiles`` and JSON requests, a page otherwise, in the reader's language;
* a **read** (GET, HEAD) caught by a dropped connection is tried **once more**, after a short
  pause, on a fresh session: repeating a read changes nothing. The pool's check at checkout
  (:func:`app.db.make_engine`) replaces the dead pooled connections on the way;
* a **write** is never repeated here. Every write is one transaction, so a connection that drops
  before COMMIT leaves nothing half-done (PostgreSQL rolls it back) and the 503 says that nothing
  was saved and the request may be sent again. Only a drop *during* COMMIT leaves the outcome
  unknown: the 503 then says so and asks to reload before sending it again (map saves carry a
  version, so a repeated edit is refused as stale rather than applied twice). A drop *after* a
  confirmed COMMIT (while the answer is being built) says that the change **was** saved, so the
  client does not send it twice.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, current_app, g, has_app_context, jsonify, render_template, request
from flask import Response as FlaskResponse
from flask_babel import gettext as _
from sqlalchemy import Engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from app.deferred_setup import DeferredSetupFlask

#: Methods a retry cannot harm.
READS = frozenset({"GET", "HEAD"})
#: ``g`` keys: a COMMIT was sent and not yet confirmed; a COMMIT was confirmed; this request was
#: already retried.
_COMMIT_SENT = "petalapak_commit_sent"
_COMMITTED = "petalapak_committed"
_RETRIED = "petalapak_read_retried"


class _ReadAgain(Exception):
    """Raised out of Flask's exception handling so that the dispatch can run the read again."""


def database_unavailable(exc: BaseException) -> bool:
    """True for errors that mean "the database cannot be reached right now".

    A dropped connection (server restart: ``terminating connection due to administrator
    command``; ``server closed the connection unexpectedly``), a refused one (``Connection
    refused``, ``the database system is starting up``), and a pool with no connection to give.
    Told apart by SQLSTATE, not by the exception's class: psycopg raises a deadlock, a lock or
    statement timeout and a serialization failure as ``OperationalError`` too, and those are not
    outages (see :func:`transient_conflict`).
    """
    if isinstance(exc, sa_exc.TimeoutError | sa_exc.InterfaceError):
        return True
    if not isinstance(exc, sa_exc.DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, sa_exc.OperationalError):
        return False
    state = _sqlstate(exc)
    return state is None or state.startswith(_OUTAGE_CLASSES) or state in _OUTAGE_STATES


#: SQLSTATE classes and codes of an outage: connection exceptions (08), the server shutting down
#: or starting up (57P01-57P03), no room for another connection (53300).
_OUTAGE_CLASSES = ("08",)
_OUTAGE_STATES = frozenset({"57P01", "57P02", "57P03", "53300"})
#: Two transactions in each other's way: deadlock, serialization failure, lock not available.
#: PostgreSQL rolled the transaction back, so nothing was saved and sending it again is safe.
_CONFLICT_STATES = frozenset({"40P01", "40001", "55P03"})


def _sqlstate(exc: sa_exc.DBAPIError) -> str | None:
    """The SQLSTATE of the driver's error, or ``None`` (a socket error carries none)."""
    state = getattr(exc.orig, "sqlstate", None)
    return state if isinstance(state, str) and state else None


def transient_conflict(exc: BaseException) -> bool:
    """True for "another transaction was in the way": deadlock, serialization, lock timeout."""
    return isinstance(exc, sa_exc.DBAPIError) and _sqlstate(exc) in _CONFLICT_STATES


class PetaLapakFlask(DeferredSetupFlask):
    """Flask with one retry of reads that a dropped database connection interrupted."""

    def handle_user_exception(self, e: Exception) -> Any:
        """Hand a read's first database outage back to :meth:`full_dispatch_request`."""
        if database_unavailable(e) and request.method in READS and not g.get(_RETRIED):
            raise _ReadAgain from e
        return super().handle_user_exception(e)

    def full_dispatch_request(self) -> FlaskResponse:
        """Dispatch; a read interrupted by a dropped connection runs once more, fresh."""
        try:
            return super().full_dispatch_request()
        except _ReadAgain:
            setattr(g, _RETRIED, True)
            _discard_session()
            time.sleep(float(self.config["DB_RETRY_DELAY_S"]))
            return super().full_dispatch_request()


def _discard_session() -> None:
    """Drop this request's sessions (a connection is dead); the next use opens new ones."""
    from app.db import SESSION_KEYS  # here: app.db imports this module (watch_commits)

    for name in SESSION_KEYS:
        sess = g.pop(name, None)
        if sess is None:
            continue
        try:
            sess.close()
        except sa_exc.DBAPIError:
            sess.invalidate()


def watch_commits(engine: Engine) -> None:
    """Note in ``g`` when a COMMIT is sent, so that a failure during it is told as "unknown"."""

    @event.listens_for(engine, "commit")
    def _commit_sent(conn: Any) -> None:
        if has_app_context():
            setattr(g, _COMMIT_SENT, True)


@event.listens_for(Session, "after_commit")
def _commit_done(session: Session) -> None:
    """The COMMIT was confirmed: a later outage in the same request did not touch it."""
    if has_app_context() and g.get(_COMMIT_SENT):
        setattr(g, _COMMIT_SENT, False)
        setattr(g, _COMMITTED, True)


def _message(in_doubt: bool, committed: bool) -> str:
    if request.method in READS:
        return str(
            _(
                "Basis data sedang tidak dapat dihubungi (mungkin sedang dimulai ulang). Coba lagi "
                "dalam beberapa detik."
            )
        )
    if committed:
        return str(
            _(
                "Perubahan Anda sudah tersimpan, tetapi sambungan ke basis data terputus "
                "sesudahnya. Muat ulang halaman untuk melihatnya; jangan kirim lagi."
            )
        )
    if in_doubt:
        return str(
            _(
                "Basis data terputus saat menyimpan: belum pasti apakah perubahan Anda tersimpan. "
                "Muat ulang halaman untuk memeriksa sebelum mengirimnya lagi."
            )
        )
    return str(
        _(
            "Basis data sedang tidak dapat dihubungi (mungkin sedang dimulai ulang). "
            "Perubahan Anda belum tersimpan; kirim lagi dalam beberapa detik."
        )
    )


def _wants_json() -> bool:
    if request.path.startswith(("/api/", "/tiles/")) or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes.accept_html


def _busy_message() -> str:
    if request.method in READS:
        return str(_("Basis data sedang sibuk dan tidak sempat menjawab. Coba lagi sebentar lagi."))
    return str(
        _(
            "Data yang sama sedang diubah bersamaan dari tempat lain, jadi perubahan Anda "
            "dibatalkan dan tidak ada yang tersimpan. Kirim lagi sebentar lagi."
        )
    )


def unavailable_response(exc: BaseException) -> Any:
    """The answer to a database error that is not the request's fault, with ``Retry-After``.

    An outage (see :func:`database_unavailable`) is a 503 that says whether anything was saved;
    two transactions in each other's way (:func:`transient_conflict`) is a 409, and any other
    operational error (a cancelled statement, say) a 503: PostgreSQL rolled either back, so
    nothing was saved. Every one is logged with its cause, so an operator can tell them apart.
    """
    outage = database_unavailable(exc)
    conflict = not outage and transient_conflict(exc)
    current_app.logger.warning(
        "database error answered %s on %s %s: %r",
        409 if conflict else 503,
        request.method,
        request.path,
        exc,
        exc_info=exc,
    )
    write = request.method not in READS
    in_doubt = outage and write and bool(g.get(_COMMIT_SENT))
    committed = outage and write and not in_doubt and bool(g.get(_COMMITTED))
    message = _message(in_doubt, committed) if outage else _busy_message()
    retry_after = str(int(current_app.config["DB_RETRY_AFTER_S"]))
    if request.path == "/ogc" or request.path.startswith("/ogc/"):
        resp = jsonify(code="ServiceUnavailable", description=message)
    elif _wants_json():
        saved: bool | str = "unknown" if in_doubt else committed
        error = "database_unavailable" if outage else ("conflict" if conflict else "database_busy")
        body: dict[str, Any] = {"error": error, "message": message}
        if request.method not in READS:
            body["saved"] = saved
        resp = jsonify(body)
    else:
        resp = current_app.make_response(
            render_template("error.html", message=message, code=409 if conflict else 503)
        )
    resp.status_code = 409 if conflict else 503
    resp.headers["Retry-After"] = retry_after
    resp.headers["Cache-Control"] = "no-store"
    return resp


def init_faults(app: Flask) -> None:
    """Answer database outages with 503 + Retry-After (see the module's docstring)."""
    for exc_type in (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError):
        app.register_error_handler(exc_type, unavailable_response)
