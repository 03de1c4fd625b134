"""Login handling and permission checks for staff pages and JSON writes."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, current_app, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from itsdangerous import BadData, URLSafeTimedSerializer

from app import ratelimit
from app.db import get_session
from app.extensions import login_manager
from app.models import User
from app.roles import check_permission

F = TypeVar("F", bound=Callable[..., Any])


def init_auth(app: Flask) -> None:
    """Bind Flask-Login: session cookies only, login page for HTML, 401 JSON for the API."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Silakan masuk untuk membuka halaman ini.")
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def _load(token: str) -> User | None:
        return user_from_token(token)

    @login_manager.unauthorized_handler
    def _unauthorized() -> Any:
        if _wants_json():
            return jsonify(error="login_required", message=str(_l("Perlu masuk."))), 401
        from flask import redirect, url_for

        return redirect(url_for("auth.login", next=request.full_path))


def user_from_token(token: str) -> User | None:
    """The active user a session or remember cookie names, if issued under their current version.

    ``token`` is :meth:`User.get_id` at login: ``"<id>:<session_version>"``. Logout, a password
    change, deactivation and a role change raise the version, so every older cookie of that user,
    in any browser, stops loading them. Cookies from before versions existed (a bare id) are
    refused too: one more login.
    """
    user_id, sep, version = str(token).partition(":")
    if not sep or not user_id.isdigit() or not version.isdigit() or len(user_id) > 18:
        return None
    user = get_session().get(User, int(user_id))
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return user


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def permission_required(permission: str) -> Callable[[F], F]:
    """Allow the view to users whose role grants ``permission`` (see :mod:`app.roles`).

    The permission is checked when the module is imported (a typo fails at start-up, not at the
    first request) and kept on the view as ``required_permission`` for the route walk in tests.
    """
    check_permission(permission)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.can(permission):
                if _wants_json():
                    return jsonify(error="forbidden", message=str(_l("Tidak diizinkan."))), 403
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_permission = permission  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


# --- login attempts ---------------------------------------------------------------------------
#
# Failed logins only are counted (an attempt is counted before its password is checked and taken
# back when it succeeds). Per client address a hard limit (LOGIN_LIMIT_PER_IP); per
# account a growing delay (LOGIN_BACKOFF_*), so guessing from many addresses is slowed to a
# trickle. The owner is never locked out by it: a browser that has logged in to the account
# before carries a signed "known browser" mark and skips the account's delay (its address's limit
# still holds), and from any other browser the delay is at most LOGIN_BACKOFF_MAX_S.

KNOWN_BROWSER_COOKIE = "petalapak_known"
_KNOWN_SALT = "petalapak.known-browser.v1"
_KNOWN_MAX_ACCOUNTS = 5
_KNOWN_MAX_AGE_S = 365 * 24 * 3600


def _account_mark(email: str) -> str:
    """A keyed hash of the account's e-mail: the cookie names no address."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"known\x1f{email}".encode(), hashlib.sha256).hexdigest()[:20]


def _known_marks(cookies: Mapping[str, str]) -> list[str]:
    raw = cookies.get(KNOWN_BROWSER_COOKIE)
    if not raw:
        return []
    serializer = URLSafeTimedSerializer(str(current_app.config["SECRET_KEY"]), salt=_KNOWN_SALT)
    try:
        marks = serializer.loads(raw, max_age=_KNOWN_MAX_AGE_S)
    except BadData:
        return []
    if not isinstance(marks, list):
        return []
    return [m for m in marks if isinstance(m, str)][:_KNOWN_MAX_ACCOUNTS]


@dataclass(frozen=True)
class LoginAttempt:
    """An attempt let through (``wait_s == 0``, counted as a failure until it succeeds) or
    refused (``wait_s`` seconds to wait, nothing counted)."""

    wait_s: int
    email: str
    address: str
    ip_ticket: str | None = None
    account_ticket: str | None = None


def start_login_attempt(email: str, address: str, cookies: Mapping[str, str]) -> LoginAttempt:
    """Count the attempt against the client address and the account, or refuse it.

    Counting happens before the password is checked, atomically with the limit's check, so
    parallel guesses cannot slip through one opening together; :func:`login_succeeded` takes
    the count back, so only failures stay counted. A known browser skips the account's delay.
    """
    wait, ip_ticket = ratelimit.reserve(
        "login-ip", address, ratelimit.limit_rule("LOGIN_LIMIT_PER_IP")
    )
    if wait:
        return LoginAttempt(wait, email, address)
    account_ticket = None
    if _account_mark(email) not in _known_marks(cookies):
        wait, account_ticket = ratelimit.reserve(
            "login-account", email, ratelimit.login_backoff_rule()
        )
        if wait:
            ratelimit.release("login-ip", address, ip_ticket)
            return LoginAttempt(wait, email, address)
    return LoginAttempt(0, email, address, ip_ticket, account_ticket)


def login_succeeded(attempt: LoginAttempt) -> None:
    """The right password: this attempt does not count against the address or the account."""
    ratelimit.release("login-ip", attempt.address, attempt.ip_ticket)
    ratelimit.release("login-account", attempt.email, attempt.account_ticket)


def remember_browser(response: Any, email: str, cookies: Mapping[str, str]) -> None:
    """After a successful login: mark this browser as known for the account (the newest five)."""
    mark = _account_mark(email)
    marks = [m for m in _known_marks(cookies) if m != mark][-(_KNOWN_MAX_ACCOUNTS - 1) :] + [mark]
    serializer = URLSafeTimedSerializer(str(current_app.config["SECRET_KEY"]), salt=_KNOWN_SALT)
    response.set_cookie(
        KNOWN_BROWSER_COOKIE,
        serializer.dumps(marks),
        max_age=_KNOWN_MAX_AGE_S,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
    )
