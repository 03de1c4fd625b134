"""Planner pages (login as planner or admin), and the admins' staff accounts page."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth import permission_required
from app.db import get_session
from app.i18n import localize
from app.models import ROLES
from app.services import users as user_svc
from app.services.audit import acting_as
from app.services.errors import NotFound, ServiceError
from app.services.event_board import conflict_counts, figures_by_event
from app.services.events import events_with_booth_counts
from app.services.vendors import active_vendor_count
from app.views.labels import ROLE_LABELS

bp = Blueprint("planner", __name__, url_prefix="/planner")


@bp.get("/")
@permission_required("planner.view")
def dashboard() -> str:
    """The planner's home: a new event, and every event with its figures (one grouped query)
    and its blocking and warning conflicts (the geometry engine, per open event)."""
    session = get_session()
    events = [event for event, _booths in events_with_booth_counts(session)]
    return render_template(
        "planner/dashboard.html",
        events=events,
        figures=figures_by_event(session, events),
        conflicts=conflict_counts(
            session, events, cache=current_app.extensions.get("petalapak.context_cache")
        ),
        vendor_count=active_vendor_count(session),
    )


@bp.get("/users")
@permission_required("users.manage")
def users() -> str:
    """Staff accounts (admins only): deactivate, reactivate, change role, reset password."""
    return render_template(
        "planner/users.html",
        users=user_svc.list_users(get_session()),
        roles=ROLES,
        role_labels=ROLE_LABELS,
    )


def _account_action(user_id: int, action: str) -> Response | str:
    """Run one admin action on a staff account, attributed to the admin, and report it."""
    session = get_session()
    try:
        user = user_svc.get_user(session, user_id)
        with acting_as(current_user.id, current_user.email):
            if action == "deactivate":
                user_svc.set_active(session, user, active=False, acting_user_id=current_user.id)
                flash(
                    _("%(email)s dinonaktifkan; semua sesinya berakhir.", email=user.email), "info"
                )
            elif action == "reactivate":
                user_svc.set_active(session, user, active=True, acting_user_id=current_user.id)
                flash(_("%(email)s diaktifkan kembali.", email=user.email), "info")
            elif action == "role":
                role = request.form.get("role", "")
                user_svc.set_role(session, user, role=role, acting_user_id=current_user.id)
                label = ROLE_LABELS.get(role, role)
                flash(_("Peran %(email)s sekarang %(role)s.", email=user.email, role=label), "info")
            else:  # reset
                password = user_svc.reset_password(session, user)
                # Shown once, in this answer only (staff pages are no-store), never in a flash
                # message: those travel in the session cookie.
                return render_template("planner/password_reset.html", user=user, password=password)
    except NotFound:
        raise  # the 404 page, not a message on the list
    except ServiceError as exc:
        flash(localize(exc.msg), "error")
    return redirect(url_for("planner.users"))


@bp.post("/users/<id:user_id>/deactivate")
@permission_required("users.manage")
def deactivate_user(user_id: int) -> Response | str:
    """Deactivate an account: its sessions end at once and it cannot log in."""
    return _account_action(user_id, "deactivate")


@bp.post("/users/<id:user_id>/reactivate")
@permission_required("users.manage")
def reactivate_user(user_id: int) -> Response | str:
    """Let a deactivated account log in again."""
    return _account_action(user_id, "reactivate")


@bp.post("/users/<id:user_id>/role")
@permission_required("users.manage")
def change_role(user_id: int) -> Response | str:
    """Give an account another role (``role`` in the form); its sessions end."""
    return _account_action(user_id, "role")


@bp.post("/users/<id:user_id>/reset-password")
@permission_required("users.manage")
def reset_password(user_id: int) -> Response | str:
    """Set a new random password, shown once to the admin; the user's sessions end."""
    return _account_action(user_id, "reset")
