"""Login limits count failures only; the per-account limit is a growing delay that slows a
guesser and never locks the owner out; the hard limit applies per client address."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import ratelimit

PASSWORD = "password123!"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The limiter's clock, moved by the test (no sleeping, no wall-clock assertions)."""
    now = [5000.0]
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: now[0])
    return now


def _attempt(client: FlaskClient, email: str, password: str, address: str) -> Any:
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_ten_wrong_passwords_from_ten_addresses_do_not_lock_the_owner_out(
    app: Flask, make_user: Callable[..., Any], clock: list[float]
) -> None:
    user = make_user(role="planner")
    owner = app.test_client()  # the owner's usual browser: logged in before
    assert _attempt(owner, user.email, PASSWORD, "10.1.1.1").status_code == 302
    owner.post("/logout")

    attacker = app.test_client()
    for i in range(10):
        resp = _attempt(attacker, user.email, f"tebakan-{i}", f"203.0.113.{i}")
        assert resp.status_code in (200, 429)

    # The owner's browser gets straight in with the right password...
    assert _attempt(owner, user.email, PASSWORD, "10.1.1.1").status_code == 302
    # ...and from a new browser the owner waits at most LOGIN_BACKOFF_MAX_S, never 15 minutes.
    new_browser = app.test_client()
    slowed = _attempt(new_browser, user.email, PASSWORD, "10.1.1.2")
    if slowed.status_code == 429:
        wait = int(slowed.headers["Retry-After"])
        assert 0 < wait <= app.config["LOGIN_BACKOFF_MAX_S"]
        clock[0] += wait
    assert _attempt(new_browser, user.email, PASSWORD, "10.1.1.2").status_code == 302


def test_the_delay_grows_with_each_failure_and_is_capped(
    app: Flask, client: FlaskClient, make_user: Callable[..., Any], clock: list[float]
) -> None:
    app.config.update(LOGIN_BACKOFF_AFTER=2, LOGIN_BACKOFF_MAX_S=8)
    user = make_user(role="planner")
    waits = []
    for i in range(8):
        resp = _attempt(client, user.email, "salah-sekali", f"198.51.100.{i}")
        if resp.status_code == 429:
            wait = int(resp.headers["Retry-After"])
            waits.append(wait)
            clock[0] += wait
            resp = _attempt(client, user.email, "salah-sekali", f"198.51.100.{i}")
        assert resp.status_code == 200  # a guess that waited is checked (and fails)
    assert waits == [1, 2, 4, 8, 8, 8]


def test_successful_logins_do_not_count(
    app: Flask, make_user: Callable[..., Any], clock: list[float]
) -> None:
    app.config.update(LOGIN_LIMIT_PER_IP="3/600", LOGIN_BACKOFF_AFTER=2)
    user = make_user(role="crew")
    for _ in range(6):  # twice the address limit, three times the account's free failures
        client = app.test_client()
        assert _attempt(client, user.email, PASSWORD, "192.0.2.7").status_code == 302
    client = app.test_client()
    assert _attempt(client, user.email, "salah-sekali", "192.0.2.7").status_code == 200
    assert _attempt(client, user.email, PASSWORD, "192.0.2.7").status_code == 302


def test_the_hard_limit_is_per_address_even_for_a_known_browser(
    app: Flask, make_user: Callable[..., Any], clock: list[float]
) -> None:
    app.config["LOGIN_LIMIT_PER_IP"] = "4/600"
    user = make_user(role="planner")
    browser = app.test_client()
    assert _attempt(browser, user.email, PASSWORD, "192.0.2.9").status_code == 302
    codes = [
        _attempt(browser, user.email, "salah-sekali", "192.0.2.9").status_code for _ in range(5)
    ]
    assert codes == [200, 200, 200, 200, 429]
    assert _attempt(browser, user.email, PASSWORD, "192.0.2.10").status_code == 302
    clock[0] += 600
    assert _attempt(app.test_client(), user.email, PASSWORD, "192.0.2.9").status_code == 302


def test_known_browser_mark_names_no_address_and_cannot_be_forged(
    app: Flask, make_user: Callable[..., Any], clock: list[float]
) -> None:
    app.config["LOGIN_BACKOFF_AFTER"] = 1
    user = make_user(role="planner")
    browser = app.test_client()
    _attempt(browser, user.email, PASSWORD, "192.0.2.20")
    mark = browser.get_cookie("petalapak_known")
    assert mark is not None and user.email not in mark.value and mark.http_only
    forged = app.test_client()
    forged.set_cookie("petalapak_known", mark.value[:-2] + "xx")
    _attempt(forged, user.email, "salah-sekali", "192.0.2.21")
    assert _attempt(forged, user.email, PASSWORD, "192.0.2.21").status_code == 429
    assert _attempt(browser, user.email, PASSWORD, "192.0.2.20").status_code == 302
