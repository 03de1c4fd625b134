"""Login and logout for city staff."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response
from wtforms import BooleanField, EmailField, Field, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from app.auth import login_succeeded, remember_browser, start_login_attempt
from app.db import get_session
from app.i18n import localize
from app.services.audit import acting_as
from app.services.errors import ServiceError
from app.services.users import change_password as change_password_of
from app.services.users import end_sessions, find_user, normalise_email

bp = Blueprint("auth", __name__)


def staff_email(form: FlaskForm, field: Field) -> None:
    """The same e-mail rule as ``create-user`` (:func:`app.services.users.normalise_email`)."""
    try:
        normalise_email(field.data or "")
    except ServiceError as exc:
        raise ValidationError(localize(exc.msg)) from exc


class LoginForm(FlaskForm):
    """E-mail and password; CSRF-protected by Flask-WTF."""

    email = EmailField("E-mail", validators=[DataRequired(), staff_email])
    password = PasswordField("Kata sandi", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Ingat saya")


def landing(user: Any) -> str:
    """Where a staff user starts after logging in: their own work, not the public map.

    Planners and admins: the planner's home; crew: their event list; desk officers: the desks;
    enforcement officers: the street report form.
    """
    for permission, endpoint in (
        ("planner.view", "planner.dashboard"),
        ("checkin.write", "crew.events"),
        ("desk.read", "desk.events"),
        ("reports.write", "street.lapor_page"),
    ):
        if user.can(permission):
            return url_for(endpoint)
    return url_for("main.home")


def _safe_next(target: str | None, user: Any) -> str:
    """Only same-site paths, so the login page cannot be used as an open redirect."""
    if not target:
        return landing(user)
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return landing(user)
    return target


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    """A hash to check when no account has the e-mail: an unknown address then costs the same
    scrypt work as a known one, so timing does not tell which staff addresses exist."""
    return generate_password_hash("no account has this address")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int, dict[str, str]]:
    """Show the form; on valid credentials start a session and go back where the user was.

    Failed attempts are limited per client address and slowed per account (password guessing,
    :func:`app.auth.start_login_attempt`); a refused attempt checks no password.
    """
    form = LoginForm()
    if form.validate_on_submit():
        email, password = normalise_email(form.email.data or ""), form.password.data or ""
        attempt = start_login_attempt(email, request.remote_addr or "unknown", request.cookies)
        if attempt.wait_s:
            wait = attempt.wait_s
            flash(_too_many_message(wait), "error")
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(wait)}
        user = find_user(get_session(), email)
        if user is None:
            check_password_hash(_decoy_hash(), password)
        elif user.active and user.check_password(password):
            login_succeeded(attempt)
            login_user(user, remember=bool(form.remember.data))
            response = redirect(_safe_next(request.args.get("next"), user))
            remember_browser(response, email, request.cookies)
            return response
        flash(_("E-mail atau kata sandi salah."), "error")
    return render_template("auth/login.html", form=form)


def _too_many_message(wait: int) -> str:
    if wait < 120:
        return str(
            _("Terlalu banyak percobaan masuk. Silakan coba lagi dalam %(n)s detik.", n=wait)
        )
    return str(
        _("Terlalu banyak percobaan masuk. Silakan coba lagi dalam %(n)s menit.", n=-(-wait // 60))
    )


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """End every session of the user: this one, other browsers', and every "remember me" cookie.

    POST with CSRF token, so a link elsewhere cannot log a user out.
    """
    if current_user.is_authenticated:
        end_sessions(get_session(), current_user._get_current_object())
    logout_user()
    return redirect(url_for("main.home"))


class PasswordForm(FlaskForm):
    """A user's own password change: the current password, then the new one twice."""

    current = PasswordField(_l("Kata sandi saat ini"), validators=[DataRequired(), Length(max=200)])
    new = PasswordField(_l("Kata sandi baru"), validators=[DataRequired(), Length(max=200)])
    repeat = PasswordField(
        _l("Ulangi kata sandi baru"),
        validators=[DataRequired(), EqualTo("new", message=_l("Kedua kata sandi baru berbeda."))],
    )


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response | tuple[str, int]:
    """ "Ubah kata sandi" for every staff user; ends every other session and remember cookie.

    This browser stays logged in (under the new session version).
    """
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            with acting_as(user.id, user.email):
                change_password_of(
                    get_session(), user, current=form.current.data or "", new=form.new.data or ""
                )
        except ServiceError as exc:
            flash(localize(exc.msg), "error")
            return render_template("auth/password.html", form=form), 400
        remember_cookie = current_app.config["REMEMBER_COOKIE_NAME"]
        login_user(user, remember=remember_cookie in request.cookies)
        flash(_("Kata sandi diubah. Semua sesi lain sudah diakhiri."), "info")
        return redirect(url_for("main.home"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/password.html", form=form), status
