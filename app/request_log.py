"""One JSON line per request on stderr: method, path, status, duration_ms, user.

A WSGI middleware measures the whole request (until the body is sent); the user id comes from
Flask-Login only when the request already loaded it, so a static file costs no database query.
The query string is never logged: it may carry tokens or access codes. Nor is a path that is
itself a credential: a vendor's signed link ``/lapak/v/<token>`` is logged as ``/lapak/v/<token>``
literally, since whoever reads the token could act as the vendor for months.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flask import Flask, g

log = logging.getLogger("petalapak.request")
USER_KEY = "petalapak.user"
#: Paths whose rest is a secret (``app.services.vendor_access.LINK_PATH``; a test keeps them equal).
SECRET_PATH_PREFIXES = ("/lapak/v/",)


def loggable_path(path: str) -> str:
    """``path`` with the secret part of a credential-bearing path replaced.

    >>> loggable_path("/lapak/v/WzEsIjE3NzJm.awznFw.a4VZ"), loggable_path("/lapak")
    ('/lapak/v/<token>', '/lapak')
    """
    for prefix in SECRET_PATH_PREFIXES:
        if path.startswith(prefix) and len(path) > len(prefix):
            return prefix + "<token>"
    return path


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time (gunicorn and pytest swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # noqa: BLE001 - logging must never break a request
            self.handleError(record)


class RequestLogMiddleware:
    """Wraps ``app.wsgi_app``; logs when the response body has been sent (or failed)."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]]) -> None:
        self.wsgi_app = wsgi_app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterator[bytes]:
        started = time.perf_counter()
        status: list[int] = [500]

        def _start(status_line: str, headers: list[Any], exc_info: Any = None) -> Any:
            status[0] = int(status_line.split(" ", 1)[0])
            return start_response(status_line, headers, exc_info)

        body = self.wsgi_app(environ, _start)
        try:
            yield from body
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
            record = {
                "method": environ.get("REQUEST_METHOD"),
                "path": loggable_path(
                    environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
                ),
                "status": status[0],
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "user": environ.get(USER_KEY),
                "remote": environ.get("REMOTE_ADDR"),
            }
            log.info(json.dumps(record, ensure_ascii=False))


def init_request_log(app: Flask) -> None:
    """Install the middleware and the handler (once per process)."""
    if not app.config["REQUEST_LOG"]:
        return
    if not any(isinstance(h, _StderrHandler) for h in log.handlers):
        log.addHandler(_StderrHandler())
        log.setLevel(logging.INFO)
        log.propagate = False

    @app.after_request
    def _remember_user(response: Any) -> Any:
        from flask import request

        user = getattr(g, "_login_user", None)  # set by Flask-Login only if it was loaded
        if user is not None and getattr(user, "is_authenticated", False):
            request.environ[USER_KEY] = user.id
        elif getattr(g, "api_token", False):
            request.environ[USER_KEY] = "api-token"
        return response

    app.wsgi_app = RequestLogMiddleware(app.wsgi_app)  # type: ignore[method-assign]
