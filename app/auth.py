"""Login handling and role checks for staff pages and JSON writes."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.db import get_session
from app.extensions import login_manager
from app.models import User

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


def role_required(role: str) -> Callable[[F], F]:
    """Allow the view to users whose role is at least ``role`` (crew < planner < admin)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.can(role):
                if _wants_json():
                    return jsonify(error="forbidden", message=str(_l("Tidak diizinkan."))), 403
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
