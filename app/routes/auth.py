"""Login and logout for city staff."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

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


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """Show the form; on valid credentials start a session and go back where the user was."""
    form = LoginForm()
    if form.validate_on_submit():
        user = find_user(get_session(), form.email.data or "")
        if user is not None and user.active and user.check_password(form.password.data or ""):
            login_user(user, remember=bool(form.remember.data))
            return redirect(_safe_next(request.args.get("next")))
        flash(_("E-mail atau kata sandi salah."), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """End the session (POST with CSRF token, so a link elsewhere cannot log a user out)."""
    logout_user()
    return redirect(url_for("main.home"))
