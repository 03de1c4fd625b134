"""Attendance before allocation: crew and planners answer for vendors, planners set deadlines.

``GET  /crew/events/<slug>/kehadiran``                  every active vendor with their state (?q=)
``POST /crew/events/<slug>/kehadiran/<id>``             yes or no on their behalf (``attending``)
``POST /planner/events/<slug>/batas-pendaftaran``       the event's registration deadline
``POST /planner/vendors/<id>/kehadiran-rutin``          standing attendance on CFD Sundays on/off
``POST /planner/vendors/<id>/absen``                    an absence period (starts_on, ends_on)
``POST /planner/vendors/<id>/absen/<id>/hapus``         remove an absence period

Vendors answer for themselves on ``/lapak`` (:mod:`app.routes.lapak`). The event page and the
vendor page show their part through :func:`event_attendance_context` and
:func:`vendor_attendance_context`, each with its own partial template.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app import clock
from app.auth import permission_required
from app.db import get_session
from app.i18n import localize
from app.models import Event, Vendor
from app.services import attendance_plan as plan
from app.services.audit import acting_as
from app.services.cities import get_city
from app.services.errors import ServiceError
from app.services.events import get_event
from app.services.vendors import get_vendor

bp = Blueprint("attendance", __name__)

STATE_LABELS = {
    "registered": _l("Mendaftar hadir"),
    "standing": _l("Hadir rutin"),
    "declined": _l("Tidak hadir"),
    "absent": _l("Sedang absen"),
    "unanswered": _l("Belum menjawab"),
}
SOURCE_LABELS = {
    "vendor": _l("oleh pedagang"),
    "crew": _l("oleh petugas"),
    "planner": _l("oleh perencana"),
}


def _default_days() -> int:
    return int(current_app.config["ATTENDANCE_DEADLINE_DAYS"])


def deadline_of(event: Event) -> datetime:
    """The event's registration deadline in the city's time zone."""
    tz = clock.city_timezone()
    return plan.registration_deadline(event, default_days=_default_days(), tz=tz).astimezone(tz)


def event_attendance_context(event: Event) -> dict[str, Any]:
    """What the event page's attendance partial (``planner/_attendance.html``) needs."""
    rows = plan.attendance_overview(get_session(), event)
    groups: dict[str, list[plan.AttendanceRow]] = {s: [] for s in plan.ATTENDANCE_STATES}
    for row in rows:
        groups[row.state].append(row)
    deadline = deadline_of(event)
    return {
        "attendance_groups": groups,
        "attendance_labels": STATE_LABELS,
        "attendance_deadline": deadline,
        "attendance_deadline_text": format_datetime(deadline, "medium"),
        "attendance_deadline_is_default": event.registration_deadline is None,
        "attendance_deadline_input": deadline.strftime("%Y-%m-%dT%H:%M"),
        "attendance_closed": clock.now() >= deadline,
    }


def vendor_attendance_context(vendor: Vendor) -> dict[str, Any]:
    """What the vendor page's attendance partial (``vendors/_attendance.html``) needs."""
    session = get_session()
    return {
        "standing_sunday": plan.SUNDAY in plan.standing_weekdays(session, vendor.id),
        "absences": plan.absences_of(session, vendor.id, today=clock.today()),
        "upcoming": plan.upcoming_for_vendor(
            session,
            vendor,
            now=clock.now(),
            default_days=_default_days(),
            tz=clock.city_timezone(),
        ),
        "attendance_labels": STATE_LABELS,
    }


def _source() -> str:
    return "planner" if current_user.can("planner.view") else "crew"


def _no_store(resp: Response) -> Response:
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.get("/crew/events/<slug>/kehadiran")
@permission_required("attendance.write")
def event_list(slug: str) -> Response:
    """Every active vendor of the event's city with their state, and yes/no on their behalf."""
    event = get_event(get_session(), slug)
    rows = plan.attendance_overview(get_session(), event)
    counts = {s: sum(1 for r in rows if r.state == s) for s in plan.ATTENDANCE_STATES}
    query = request.args.get("q", "").strip()[:80]
    if query:
        needle = query.lower()
        rows = [
            r for r in rows if needle in r.business_name.lower() or needle in r.owner_name.lower()
        ]
    html = render_template(
        "crew/attendance.html",
        query=query,
        title=_("Kehadiran: %(name)s", name=event.name),
        event=event,
        rows=rows,
        counts=counts,
        labels=STATE_LABELS,
        sources=SOURCE_LABELS,
        deadline_text=format_datetime(deadline_of(event), "medium"),
    )
    return _no_store(make_response(html))


@bp.post("/crew/events/<slug>/kehadiran/<id:vendor_id>")
@permission_required("attendance.write")
def answer_for(slug: str, vendor_id: int) -> BaseResponse:
    """Record a vendor's yes or no on their behalf (allowed after the deadline too)."""
    session = get_session()
    event = get_event(session, slug)
    vendor = get_vendor(session, vendor_id, city=event.city)
    attending = request.form.get("attending") == "ya"
    try:
        with acting_as(current_user.id, current_user.email):
            plan.set_answer(
                session,
                event,
                vendor,
                attending=attending,
                source=_source(),
                user_id=current_user.id,
                now=clock.now(),
                default_days=_default_days(),
                tz=clock.city_timezone(),
            )
    except ServiceError as exc:
        flash(localize(exc.msg), "error")
    else:
        flash(
            _("%(name)s: hadir.", name=vendor.business_name)
            if attending
            else _("%(name)s: tidak hadir.", name=vendor.business_name),
            "info",
        )
    query = request.form.get("q", "").strip()[:80]
    target = (
        url_for("attendance.event_list", slug=slug, q=query)
        if query
        else url_for("attendance.event_list", slug=slug)
    )
    return redirect(target + f"#v-{vendor.id}", 303)


@bp.post("/planner/events/<slug>/batas-pendaftaran")
@permission_required("events.edit")
def set_deadline(slug: str) -> BaseResponse:
    """Set the registration deadline (``deadline``, local time), or clear it (``default``)."""
    session = get_session()
    event = get_event(session, slug)
    tz = clock.city_timezone()
    deadline: datetime | None = None
    try:
        if not request.form.get("default"):
            raw = request.form.get("deadline", "").strip()
            try:
                deadline = datetime.fromisoformat(raw).replace(tzinfo=tz)
            except ValueError as exc:
                raise ServiceError(
                    "Batas pendaftaran tidak sah (tanggal dan jam).",
                    "Invalid registration deadline (date and time).",
                ) from exc
        with acting_as(current_user.id, current_user.email):
            plan.set_registration_deadline(session, event, deadline, tz=tz)
    except ServiceError as exc:
        flash(localize(exc.msg), "error")
    else:
        flash(_("Batas pendaftaran kehadiran disimpan."), "info")
    return redirect(url_for("event_page.show", slug=slug) + "#kehadiran", 303)


def _vendor(vendor_id: int) -> Vendor:
    city = get_city(get_session(), current_app.config["DEFAULT_CITY"])
    return get_vendor(get_session(), vendor_id, city=city)


def _back(vendor: Vendor) -> BaseResponse:
    return redirect(url_for("vendors.detail", vendor_id=vendor.id) + "#kehadiran", 303)


@bp.post("/planner/vendors/<id:vendor_id>/kehadiran-rutin")
@permission_required("attendance.write")
def standing(vendor_id: int) -> BaseResponse:
    """Standing attendance every CFD Sunday on (``on=1``) or off."""
    vendor = _vendor(vendor_id)
    with acting_as(current_user.id, current_user.email):
        plan.set_standing(
            get_session(),
            vendor,
            weekday=plan.SUNDAY,
            on=request.form.get("on") == "1",
            user_id=current_user.id,
        )
    flash(_("Kehadiran rutin disimpan."), "info")
    return _back(vendor)


def _date(name: str) -> date:
    try:
        return date.fromisoformat(request.form.get(name, "").strip())
    except ValueError as exc:
        raise ServiceError("Tanggal tidak sah (TTTT-BB-HH).", "Invalid date (YYYY-MM-DD).") from exc


@bp.post("/planner/vendors/<id:vendor_id>/absen")
@permission_required("attendance.write")
def add_absence(vendor_id: int) -> BaseResponse:
    """An absence period: standing attendance does not apply within it."""
    vendor = _vendor(vendor_id)
    try:
        with acting_as(current_user.id, current_user.email):
            plan.add_absence(
                get_session(),
                vendor,
                starts_on=_date("starts_on"),
                ends_on=_date("ends_on"),
                reason=request.form.get("reason"),
                user_id=current_user.id,
            )
    except ServiceError as exc:
        flash(localize(exc.msg), "error")
    else:
        flash(_("Masa absen dicatat."), "info")
    return _back(vendor)


@bp.post("/planner/vendors/<id:vendor_id>/absen/<id:absence_id>/hapus")
@permission_required("attendance.write")
def remove_absence(vendor_id: int, absence_id: int) -> BaseResponse:
    """Remove an absence period (entered by mistake, or the vendor came back early)."""
    vendor = _vendor(vendor_id)
    with acting_as(current_user.id, current_user.email):
        plan.remove_absence(get_session(), vendor, absence_id)
    flash(_("Masa absen dihapus."), "info")
    return _back(vendor)
