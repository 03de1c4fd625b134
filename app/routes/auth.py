"""Login and logout for city staff."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from app import ratelimit
from app.db import get_session
from app.services.users import find_user

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    """E-mail and password; CSRF-protected by Flask-WTF."""

    email = EmailField("E-mail", validators=[DataRequired(), Email(check_deliverability=False)])
    password = PasswordField("Kata sandi", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Ingat saya")


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so the login page cannot be used as an open redirect."""
    if not target:
        return url_for("main.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("main.home")
    return target


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    """A hash to check when no account has the e-mail: an unknown address then costs the same
    scrypt work as a known one, so timing does not tell which staff addresses exist."""
    return generate_password_hash("no account has this address")


def _too_many(email: str) -> int:
    """Seconds to wait before another attempt from this client or for this address, or 0."""
    wait = ratelimit.hit("login-ip", request.remote_addr or "unknown", "LOGIN_LIMIT_PER_IP")
    if not wait:
        wait = ratelimit.hit("login-email", email.strip().lower(), "LOGIN_LIMIT_PER_EMAIL")
    return wait


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int, dict[str, str]]:
    """Show the form; on valid credentials start a session and go back where the user was.

    Attempts are limited per client and per address (password guessing); a refused attempt
    checks no password.
    """
    form = LoginForm()
    if form.validate_on_submit():
        email, password = form.email.data or "", form.password.data or ""
        wait = _too_many(email)
        if wait:
            flash(
                _(
                    "Terlalu banyak percobaan masuk. Silakan coba lagi dalam %(n)s menit.",
                    n=max(1, -(-wait // 60)),
                ),
                "error",
            )
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(wait)}
        user = find_user(get_session(), email)
        if user is None:
            check_password_hash(_decoy_hash(), password)
        elif user.active and user.check_password(password):
            login_user(user, remember=bool(form.remember.data))
            return redirect(_safe_next(request.args.get("next")))
        flash(_("E-mail atau kata sandi salah."), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """End the session (POST with CSRF token, so a link elsewhere cannot log a user out)."""
    logout_user()
    return redirect(url_for("main.home"))
