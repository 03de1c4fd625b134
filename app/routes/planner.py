"""Planner pages (login as planner or admin)."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from app.auth import role_required
from app.db import get_session
from app.models import Booth, Event, User, Vendor

bp = Blueprint("planner", __name__, url_prefix="/planner")


@bp.get("/")
@role_required("planner")
def dashboard() -> str:
    """Events with their booth counts, and the vendor registry size."""
    session = get_session()
    rows = session.execute(
        select(Event, func.count(Booth.id))
        .outerjoin(Booth, Booth.event_id == Event.id)
        .group_by(Event.id)
        .order_by(Event.date.desc())
    ).all()
    vendors = session.scalar(select(func.count()).select_from(Vendor).where(Vendor.active))
    return render_template("planner/dashboard.html", events=rows, vendor_count=vendors)


@bp.get("/users")
@role_required("admin")
def users() -> str:
    """Staff accounts (admins only)."""
    accounts = get_session().scalars(select(User).order_by(User.email)).all()
    return render_template("planner/users.html", users=accounts)
