"""End-to-end fixtures: the real app on a loopback port, driven by Debian's headless Chromium.

The server uses its own connections to the seeded test database (no per-test rollback is
possible across processes), so e2e tests clean up what they create.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]

pytestmark = pytest.mark.e2e


@contextlib.contextmanager
def serving(config: dict[str, Any]) -> Iterator[str]:
    """Run the app with ``config`` on a free loopback port; yields its base URL."""
    from app import create_app

    app = create_app(
        {
            "TESTING": False,
            "SECRET_KEY": "e2e-secret-key-0123456789abcdef",
            "REQUEST_LOG": False,
            **config,
        }
    )
    # Requests still running when a test ends (a map asking for tiles as its page closes) must
    # finish before the engine is disposed, or their connection outlives the pool.
    running = [0]
    idle = threading.Condition()

    def counted(environ: Any, start_response: Any) -> Any:
        with idle:
            running[0] += 1
        try:
            body = app(environ, start_response)
            try:
                return list(body)
            finally:
                if hasattr(body, "close"):
                    body.close()  # static files: the file is closed here
        finally:
            with idle:
                running[0] -= 1
                idle.notify_all()

    server = make_server("127.0.0.1", 0, counted, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        with idle:
            idle.wait_for(lambda: running[0] == 0, timeout=30)
        app.extensions["petalapak.engine"].dispose()


def under_csp(page: Any) -> list[str]:
    """Watch ``page`` for what the Content-Security-Policy blocks; returns the list it fills.

    Chromium reports every blocked thing (an inline script without the nonce, an inline handler,
    an image from elsewhere) on the console. Playwright's ``wait_for_function`` compiles its
    predicate with ``new Function`` inside the page, which the policy (no ``'unsafe-eval'``)
    refuses; here it polls with ``page.evaluate`` instead, which runs through the debugger
    protocol that the policy does not govern, so tests keep the page's real policy.
    """
    blocked: list[str] = []
    page.on(
        "console",
        lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None,
    )

    def wait_for_function(
        expression: str, arg: Any = None, *, timeout: float = 30_000, polling: Any = None
    ) -> Any:
        deadline = time.monotonic() + timeout / 1000
        while True:
            value = page.evaluate(expression, arg)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"not true after {timeout:.0f} ms: {expression}")
            page.wait_for_timeout(50)

    page.wait_for_function = wait_for_function
    return blocked


@pytest.fixture(scope="session")
def live_server(engine: Engine, database_url: str) -> Iterator[str]:
    with serving({"SQLALCHEMY_DATABASE_URI": database_url}) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (make test installs it when root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh context per test; any request leaving the machine fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    external: list[str] = []

    def _guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(live_server) or url.startswith("data:") or url.startswith("blob:"):
            route.continue_()
        else:
            external.append(url)
            route.abort()

    context.route("**/*", _guard)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    blocked = under_csp(pg)
    pg.base_url = live_server  # type: ignore[attr-defined]
    yield pg
    context.close()
    assert external == [], f"pages requested external URLs: {external}"
    assert errors == [], f"JavaScript errors: {errors}"
    assert blocked == [], f"blocked by the Content-Security-Policy: {blocked}"


@pytest.fixture
def staff_user(engine: Engine) -> Iterator[Any]:
    """A committed planner account (the live server cannot see uncommitted rows)."""
    from app.models import User
    from app.services.users import create_user

    made: list[int] = []

    def _make(role: str = "planner") -> tuple[str, str]:
        email = f"e2e-{role}-{len(made)}@test.pontianak.go.id"
        with Session(engine) as s:
            user = create_user(s, email=email, password="password123!", role=role)
            made.append(user.id)
        return email, "password123!"

    yield _make
    with Session(engine) as s:
        s.execute(delete(User).where(User.id.in_(made)))
        s.commit()


def log_out(page: Any) -> None:
    """Press "Keluar" / "Log out"; on a phone the menu is opened first (the header folds it)."""
    toggle = page.locator(".topbar .nav-toggle")
    if toggle.count() and toggle.is_visible():
        toggle.click()
    page.click("form[action='/logout'] button[type=submit]")
    page.wait_for_load_state()
