"""A database outage answers 503 + Retry-After in the path's format; reads are retried once."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import exc as sa_exc

from app.faults import database_unavailable, transient_conflict


def _dropped() -> sa_exc.OperationalError:
    return sa_exc.OperationalError(
        "SELECT 1",
        {},
        psycopg.OperationalError("terminating connection due to administrator command"),
    )


class Flaky:
    """A view that fails with a dropped connection the first ``failures`` times it runs."""

    def __init__(self, failures: int) -> None:
        self.failures, self.calls = failures, 0

    def __call__(self) -> Any:
        self.calls += 1
        if self.calls <= self.failures:
            raise _dropped()
        return {"ok": True}


@pytest.fixture
def flaky(app: Flask) -> Any:
    """Install a flaky view under each kind of path; returns a function to set the failures."""
    app.config["DB_RETRY_DELAY_S"] = 0
    views: dict[str, Flaky] = {}

    def install(path: str, failures: int, methods: tuple[str, ...] = ("GET",)) -> Flaky:
        view = Flaky(failures)
        views[path] = view
        app.add_url_rule(path, endpoint=path, view_func=view, methods=list(methods))
        return view

    return install


def test_a_read_is_retried_once_and_succeeds(flaky: Any, client: FlaskClient) -> None:
    view = flaky("/api/uji-baca", failures=1)
    resp = client.get("/api/uji-baca")
    assert resp.status_code == 200 and resp.get_json() == {"ok": True}
    assert view.calls == 2


def test_a_read_failing_twice_is_503_json_with_retry_after(flaky: Any, client: FlaskClient) -> None:
    view = flaky("/api/uji-baca-2", failures=5)
    resp = client.get("/api/uji-baca-2")
    assert resp.status_code == 503
    assert resp.headers["Retry-After"] == "5"
    assert resp.get_json()["error"] == "database_unavailable"
    assert "Coba lagi" in resp.get_json()["message"]
    assert view.calls == 2  # one retry, not more


def test_ogc_gets_an_ogc_exception(flaky: Any, client: FlaskClient) -> None:
    flaky("/ogc/uji", failures=5)
    resp = client.get("/ogc/uji?lang=en")
    assert resp.status_code == 503 and resp.headers["Retry-After"]
    body = resp.get_json()
    assert body["code"] == "ServiceUnavailable"
    assert "database cannot be reached" in body["description"]


def test_a_page_gets_a_page_in_the_readers_language(flaky: Any, client: FlaskClient) -> None:
    flaky("/uji-halaman", failures=5)
    resp = client.get("/uji-halaman")
    assert resp.status_code == 503 and resp.mimetype == "text/html"
    assert "Basis data sedang tidak dapat dihubungi" in resp.get_data(as_text=True)
    client.get("/?lang=en")
    resp = client.get("/uji-halaman")
    assert "The database cannot be reached right now" in resp.get_data(as_text=True)


def test_a_write_is_not_repeated_and_says_nothing_was_saved(
    flaky: Any, client: FlaskClient
) -> None:
    view = flaky("/api/uji-tulis", failures=1, methods=("POST",))
    resp = client.post("/api/uji-tulis", json={})
    assert resp.status_code == 503 and resp.headers["Retry-After"]
    assert view.calls == 1
    body = resp.get_json()
    assert body["saved"] is False
    assert "belum tersimpan" in body["message"]


def test_a_drop_during_commit_is_said_to_be_unknown(app: Flask, client: FlaskClient) -> None:
    from flask import g

    def committing() -> Any:
        g.petalapak_commit_sent = True  # as the engine's commit event sets it
        raise _dropped()

    app.add_url_rule("/api/uji-commit", view_func=committing, methods=["POST"])
    resp = client.post("/api/uji-commit", json={})
    assert resp.status_code == 503
    assert resp.get_json()["saved"] == "unknown"
    assert "belum pasti" in resp.get_json()["message"]


def test_a_drop_after_a_confirmed_commit_says_it_was_saved(
    app: Flask, client: FlaskClient, db: Any
) -> None:
    """Building the answer after COMMIT can meet the outage: the change is stored, so say so."""
    from flask import g

    def committed_then_dropped() -> Any:
        g.petalapak_commit_sent = True  # as the engine's commit event sets it
        db.commit()  # the session's after_commit: the COMMIT was confirmed
        raise _dropped()  # e.g. the conflict answer read after the save

    app.add_url_rule("/api/uji-sesudah", view_func=committed_then_dropped, methods=["POST"])
    resp = client.post("/api/uji-sesudah", json={})
    assert resp.status_code == 503 and resp.headers["Retry-After"]
    body = resp.get_json()
    assert body["saved"] is True
    assert "sudah tersimpan" in body["message"]
    resp = client.post("/api/uji-sesudah?lang=en", json={})
    assert "already saved" in resp.get_json()["message"]


def test_other_database_errors_are_not_outages() -> None:
    integrity = sa_exc.IntegrityError("INSERT", {}, psycopg.errors.UniqueViolation("dup"))
    assert not database_unavailable(integrity)
    assert database_unavailable(_dropped())


def _raised(error: Exception) -> sa_exc.OperationalError:
    return sa_exc.OperationalError("UPDATE event", {}, error)


def test_outages_are_told_by_sqlstate_not_by_class() -> None:
    assert database_unavailable(_raised(psycopg.errors.AdminShutdown("shutting down")))
    assert database_unavailable(_raised(psycopg.errors.TooManyConnections("too many clients")))
    assert database_unavailable(_raised(psycopg.errors.ConnectionFailure("gone")))
    # psycopg raises these as OperationalError too, but the database is there
    assert not database_unavailable(_raised(psycopg.errors.DeadlockDetected("deadlock")))
    assert not database_unavailable(_raised(psycopg.errors.LockNotAvailable("lock timeout")))
    assert not database_unavailable(_raised(psycopg.errors.QueryCanceled("statement timeout")))
    assert transient_conflict(_raised(psycopg.errors.DeadlockDetected("deadlock")))
    assert transient_conflict(_raised(psycopg.errors.SerializationFailure("serialize")))
    assert not transient_conflict(_raised(psycopg.errors.QueryCanceled("statement timeout")))


class Failing:
    """A view that always fails with ``error`` (wrapped as SQLAlchemy does)."""

    def __init__(self, error: Exception) -> None:
        self.error, self.calls = error, 0

    def __call__(self) -> Any:
        self.calls += 1
        raise _raised(self.error)


def test_a_deadlocked_write_is_409_nothing_saved_and_logged(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    view = Failing(psycopg.errors.DeadlockDetected("deadlock detected"))
    app.add_url_rule("/api/uji-kunci", endpoint="uji-kunci", view_func=view, methods=["POST"])
    resp = client.post("/api/uji-kunci", json={})
    assert resp.status_code == 409 and resp.headers["Retry-After"]
    body = resp.get_json()
    assert body["error"] == "conflict" and body["saved"] is False
    assert "tidak ada yang tersimpan" in body["message"]
    assert view.calls == 1
    assert any("deadlock detected" in r.getMessage() for r in caplog.records)
    en = client.post("/api/uji-kunci?lang=en", json={}).get_json()
    assert "nothing was saved" in en["message"]


def test_a_cancelled_read_is_503_busy_not_an_outage(app: Flask, client: FlaskClient) -> None:
    view = Failing(psycopg.errors.QueryCanceled("canceling statement due to statement timeout"))
    app.add_url_rule("/api/uji-batal", endpoint="uji-batal", view_func=view)
    resp = client.get("/api/uji-batal")
    assert resp.status_code == 503 and resp.get_json()["error"] == "database_busy"
    assert view.calls == 1  # not an outage: not retried
