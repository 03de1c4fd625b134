"""Vendor page "Cek Lapak Saya" and its JSON twin (vendors have no account).

``GET  /lapak``                         the form, or the vendor's coming booths once looked up
``POST /lapak``                         lookup by access code + last four phone digits (CSRF form)
``GET  /lapak/v/<token>``               signed link / QR code from the vendor card
``POST /lapak/keluar``                  forget the vendor in this browser
``POST /lapak/hadir/<id>``              "Saya hadir"
``POST /lapak/batal/<id>``              "Tidak bisa hadir": the booth goes to the waitlist
``GET  /lapak/kehadiran``               before allocation: a big yes/no for each coming event
``POST /lapak/kehadiran/<id>``          will come to event <id> or not
``POST /lapak/rutin``                   come every CFD Sunday (standing attendance) on/off
``GET|POST /api/lapak``                 the same lookup as JSON (POST {code, phone4}; GET: session)
``POST /api/lapak/assignments/<id>/confirm|cancel``  the two answers as JSON (X-CSRFToken header)

Lookups are rate limited per client IP and per code (:mod:`app.ratelimit`); a failed lookup gives
the same status and body whether the code exists or not. After a lookup the vendor id (with a key
fingerprint, see :mod:`app.services.vendor_access`) is kept in the Flask session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as date_type
from datetime import time
from typing import Any, TypeVar

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response as BaseResponse

from app import clock, ratelimit
from app.cache import get_cache
from app.db import get_read_session, get_session
from app.i18n import localize
from app.models import Vendor
from app.services import attendance, attendance_plan
from app.services import lapak as svc
from app.services import vendor_access as access
from app.services.audit import acting_as
from app.services.errors import ServiceError
from app.views.labels import FACILITY_LABELS, ZONE_LABELS, as_text

bp = Blueprint("lapak", __name__)
R = TypeVar("R", bound=BaseResponse)

SESSION_KEY = "lapak_vendor"

STATUS_LABELS = {
    "assigned": _l("Terdaftar"),
    "checked_in": _l("Sudah check-in"),
    "no_show": _l("Tercatat tidak hadir"),
    "cancelled": _l("Dibatalkan"),
}
LANDMARK_LABELS = {
    "service_desk": _l("Meja layanan"),
    "crossing": FACILITY_LABELS["crossing"],
    "bus_stop": FACILITY_LABELS["bus_stop"],
}


class _Failure(Exception):
    """A lookup that cannot go on; the same answer for the form and the JSON API."""

    def __init__(self, status: int, error: str, message: str, retry_after: int = 0) -> None:
        super().__init__(error)
        self.status, self.error, self.message, self.retry_after = (
            status,
            error,
            message,
            retry_after,
        )


# ---------------------------------------------------------------------------------------------
# Helpers


def _vendor_view(vendor: Vendor) -> svc.VendorView:
    """The vendor's view, from the cache when nothing it is built from changed since."""
    return svc.vendor_view(get_session(), vendor, today=clock.today(), **_cache())


def _cache() -> dict[str, Any]:
    return {"cache": get_cache(), "ttl": int(current_app.config["CACHE_TTL"])}


def _session_vendor(want: str) -> svc.Found | None:
    """The vendor this browser looked up, with their view, in one read (none when the session
    names no vendor, or their access code has changed since)."""
    value = session.get(SESSION_KEY)
    vendor_id = access.session_vendor_id(value)
    if vendor_id is None:
        return None
    found = svc.find_by_id(
        get_read_session(), vendor_id, today=clock.today(), want=want, **_cache()
    )
    if found is None or not access.is_current(found.vendor, value, secret_key=_secret()):
        session.pop(SESSION_KEY, None)  # code reissued or vendor deactivated
        return None
    return found


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _current_vendor() -> Vendor | None:
    value = session.get(SESSION_KEY)
    if value is None:
        return None
    vendor = access.vendor_from_session(get_session(), value, secret_key=_secret())
    if vendor is None:
        session.pop(SESSION_KEY, None)  # code reissued or vendor deactivated
    return vendor


def _remember(vendor: access.Keyed) -> None:
    session[SESSION_KEY] = access.session_value(vendor, secret_key=_secret())


def _private(resp: R) -> R:
    resp.headers["Cache-Control"] = "private, no-store"
    resp.headers["Referrer-Policy"] = "same-origin"
    return resp


def _minutes(seconds: int) -> int:
    return max(1, -(-seconds // 60))


def _lookup(code: str, phone4_raw: str, *, want: str) -> svc.Found:
    """Rate limits, input shape, then the constant-work lookup (with the vendor's view when
    ``want`` says so, in the same statement); raises :class:`_Failure`."""
    ip = request.remote_addr or "unknown"
    normalised = access.typed_code(code)
    checks = [("lapak-ip", ip, "LAPAK_LIMIT_PER_IP")]
    if normalised:
        checks.append(("lapak-code", normalised, "LAPAK_LIMIT_PER_CODE"))
    wait = ratelimit.hit_all(*checks)  # per IP, then per code: one round trip
    if wait:
        raise _Failure(
            429,
            "rate_limited",
            _("Terlalu banyak percobaan. Silakan coba lagi dalam %(n)s menit.", n=_minutes(wait)),
            wait,
        )
    phone4 = access.clean_phone4(phone4_raw)
    if not access.valid_input(code, phone4):
        raise _Failure(400, "invalid", _("Isi kode akses dan 4 angka terakhir nomor HP Anda."))
    found = svc.find_by_code(
        get_read_session(), code, phone4, today=clock.today(), want=want, **_cache()
    )
    if found is None:
        raise _Failure(
            401,
            "not_matched",
            _(
                "Kode akses atau nomor HP tidak cocok. Periksa kartu pedagang Anda, "
                "atau tanyakan ke petugas."
            ),
        )
    return found


def _labels() -> dict[str, str]:
    labels = as_text(ZONE_LABELS) | as_text(FACILITY_LABELS)
    labels.update(
        {
            "own": _("Lapak Anda"),
            "occupied": _("Lapak terisi"),
            "free": _("Lapak kosong"),
            "service_desk": _("Meja layanan MikroDOTS"),
            "crossing": FACILITY_LABELS["crossing"],
            "legend": _("Legenda"),
            "field.kind": _("Jenis"),
            "field.hours": _("Jam"),
        }
    )
    return labels


def _hours(t: time) -> str:
    locale = get_locale()
    return (
        t.strftime("%H:%M")
        if locale is not None and locale.language == "en"
        else t.strftime("%H.%M")
    )


def _basemap(booking: svc.Booking, layer: Any) -> Any:
    """The basemap beneath a booking's map (its city's, read with the booking), or None."""
    if booking.basemap is None:
        return None
    slug, illustrative, attribution = booking.basemap
    return layer(slug, _Source(illustrative=illustrative, attribution=attribution))


@dataclass(frozen=True)
class _Source:
    illustrative: bool
    attribution: str


def _render(
    vendor: Vendor | None,
    *,
    view: svc.VendorView | None = None,
    error: str | None = None,
    status: int = 200,
    retry_after: int = 0,
) -> Response:
    from app.views.basemap_view import basemap_layer  # folium: loaded on use
    from app.views.lapak_map import booking_map_parts

    view = view or (_vendor_view(vendor) if vendor else None)
    labels = _labels()
    parts: dict[int, dict[str, str]] = {}
    if view is not None:
        static_base = url_for("static", filename="vendor").rstrip("/")
        tiles = current_app.config["MAP_TILES"]
        parts = {
            b.assignment_id: booking_map_parts(
                b.map,
                b.view_bounds,
                labels=labels,
                static_base=static_base,
                tiles=tiles,
                tiles_attribution=current_app.config["MAP_TILES_ATTRIBUTION"]
                or "© OpenStreetMap contributors",
                basemap=_basemap(b, basemap_layer),
            )
            for b in view.bookings
            if b.holding
        }
    html = render_template(
        "lapak/page.html",
        view=view,
        maps=parts,
        error=error,
        title=_("Cek Lapak Saya"),
        status_labels=STATUS_LABELS,
        landmark_labels=LANDMARK_LABELS,
        long_date=lambda d: format_date(d, "full"),
        hours=_hours,
        zone=clock.now().tzname() or "",
        localize=localize,
    )
    resp = make_response(html, status)
    if retry_after:
        resp.headers["Retry-After"] = str(retry_after)
    return _private(resp)


def _json(body: dict[str, Any], status: int = 200, retry_after: int = 0) -> Response:
    resp = jsonify(body)
    resp.status_code = status
    if retry_after:
        resp.headers["Retry-After"] = str(retry_after)
    return _private(resp)


def _failure_json(exc: _Failure) -> Response:
    body: dict[str, Any] = {"error": exc.error, "message": exc.message}
    if exc.retry_after:
        body["retry_after"] = exc.retry_after
    return _json(body, exc.status, exc.retry_after)


@bp.errorhandler(CSRFError)
def _csrf_error(exc: CSRFError) -> Any:
    message = _("Sesi formulir kedaluwarsa; muat ulang halaman dan coba lagi.")
    if request.path.startswith("/api/"):
        return _json({"error": "csrf", "message": message}, 400)
    return _render(_current_vendor(), error=message, status=400)


# ---------------------------------------------------------------------------------------------
# Page


@bp.get("/lapak")
def page() -> Response:
    """The lookup form, or the vendor's coming booths when this browser already looked up."""
    found = _session_vendor("view")
    return _render(None, view=found.view if found else None)


@bp.post("/lapak")
def lookup() -> BaseResponse:
    """Check the code and the phone's last four digits; remember the vendor in the session."""
    try:
        found = _lookup(request.form.get("code", ""), request.form.get("phone4", ""), want="none")
    except _Failure as exc:
        return _render(None, error=exc.message, status=exc.status, retry_after=exc.retry_after)
    _remember(found.vendor)
    return _private(redirect(url_for("lapak.page"), 303))


@bp.get(f"{access.LINK_PATH}<token>")
def signed_link(token: str) -> BaseResponse:
    """A vendor card's link or QR code: remember the vendor, then drop the token from the URL."""
    max_age = int(current_app.config["VENDOR_LINK_MAX_AGE_DAYS"]) * 86400
    vendor = access.vendor_from_token(get_session(), token, secret_key=_secret(), max_age_s=max_age)
    if vendor is None:
        return _render(
            None,
            status=404,
            error=_(
                "Tautan ini tidak sah atau sudah kedaluwarsa. Masukkan kode akses Anda, atau minta "
                "kartu baru ke petugas."
            ),
        )
    _remember(vendor)
    return _private(redirect(url_for("lapak.page"), 303))


@bp.post("/lapak/keluar")
def logout() -> BaseResponse:
    """Forget the vendor in this browser (staff logins are untouched)."""
    session.pop(SESSION_KEY, None)
    return _private(redirect(url_for("lapak.page"), 303))


def _answer(assignment_id: int, action: str) -> tuple[Vendor | None, str | None]:
    """Run confirm/cancel for the session's vendor; returns (vendor, message to show)."""
    vendor = _current_vendor()
    if vendor is None:
        return None, None
    db = get_session()
    with acting_as(None, f"vendor:{vendor.id}"):
        if action == "confirm":
            attendance.confirm_attendance(
                db, vendor, assignment_id, today=clock.today(), now=clock.now()
            )
            return vendor, _("Terima kasih, kehadiran Anda sudah dicatat.")
        attendance.cancel_attendance(db, vendor, assignment_id, today=clock.today())
        return vendor, _("Lapak Anda sudah dilepas untuk pedagang di daftar tunggu.")


def _answer_page(assignment_id: int, action: str) -> BaseResponse:
    try:
        vendor, message = _answer(assignment_id, action)
    except ServiceError as exc:
        flash(localize(exc.msg), "error")
        return _private(redirect(url_for("lapak.page"), 303))
    if vendor is None:
        return _private(redirect(url_for("lapak.page"), 303))
    flash(message or "", "info")
    return _private(redirect(url_for("lapak.page") + f"#lapak-{assignment_id}", 303))


@bp.post("/lapak/hadir/<id:assignment_id>")
def confirm(assignment_id: int) -> BaseResponse:
    """ "Saya hadir" for one coming booth."""
    return _answer_page(assignment_id, "confirm")


@bp.post("/lapak/batal/<id:assignment_id>")
def cancel(assignment_id: int) -> BaseResponse:
    """ "Tidak bisa hadir": the booth is released and offered to the waitlist."""
    return _answer_page(assignment_id, "cancel")


@bp.get("/lapak/kehadiran")
def attendance_page() -> BaseResponse:
    """Will the vendor come to the next events? A page of its own, so that /lapak stays one
    statement (see tests/routes/test_lapak_statements.py)."""
    vendor = _current_vendor()
    if vendor is None:
        return _private(redirect(url_for("lapak.page"), 303))
    db = get_session()
    tz = clock.city_timezone()
    upcoming = attendance_plan.upcoming_for_vendor(
        db,
        vendor,
        now=clock.now(),
        default_days=int(current_app.config["ATTENDANCE_DEADLINE_DAYS"]),
        tz=tz,
    )
    today = clock.now().astimezone(tz).date()
    absences = attendance_plan.absences_of(db, vendor.id, today=today)
    # "Hapus" first shows what removing the period changes, and asks (?hapus=<id>)
    asked = next((a for a in absences if str(a.id) == request.args.get("hapus", "")), None)
    html = render_template(
        "lapak/attendance.html",
        title=_("Apakah Anda datang?"),
        vendor=vendor,
        upcoming=upcoming,
        standing_sunday=attendance_plan.SUNDAY in attendance_plan.standing_weekdays(db, vendor.id),
        absences=absences,
        asked=asked,
        asked_events=(
            attendance_plan.events_in_absence(db, vendor, asked, today=today) if asked else []
        ),
        today=today,
        max_days=attendance_plan.OWN_ABSENCE_MAX_DAYS,
        deadline_text=lambda d: format_datetime(d.astimezone(tz), "medium"),
        long_date=lambda d: format_date(d, "full"),
        hours=_hours,
        zone=clock.now().tzname() or "",
    )
    return _private(make_response(html))


#: The absence form's date fields, named as the form labels them (Indonesian, English).
_ABSENCE_FIELDS = {"starts_on": ("Mulai", "From"), "ends_on": ("Sampai", "Until")}


def _form_date(name: str) -> date_type:
    raw = request.form.get(name, "").strip()[:20]
    try:
        return date_type.fromisoformat(raw)
    except ValueError as exc:
        label_id, label_en = _ABSENCE_FIELDS[name]
        raise ServiceError(
            f"{label_id}: tanggal tidak sah; pilih tanggal dari kalender (TTTT-BB-HH).",
            f"{label_en}: not a valid date; pick one from the calendar (YYYY-MM-DD).",
        ) from exc


@bp.post("/lapak/absen")
def add_absence() -> BaseResponse:
    """A regular enters a period they are away (standing attendance does not apply in it)."""
    vendor = _current_vendor()
    if vendor is None:
        return _private(redirect(url_for("lapak.page"), 303))
    try:
        starts_on = _form_date("starts_on")
        ends_on = _form_date("ends_on")
        with acting_as(None, f"vendor:{vendor.id}"):
            attendance_plan.add_own_absence(
                get_session(),
                vendor,
                starts_on=starts_on,
                ends_on=ends_on,
                reason=request.form.get("reason", "")[:500],
                now=clock.now(),
                default_days=int(current_app.config["ATTENDANCE_DEADLINE_DAYS"]),
                tz=clock.city_timezone(),
            )
    except ServiceError as exc:  # refused before anything was written
        flash(localize(exc.msg), "error")
    else:
        flash(
            _(
                "Masa absen %(start)s – %(end)s dicatat. Anda tidak dihitung datang pada acara "
                "di masa itu.",
                start=format_date(starts_on, "medium"),
                end=format_date(ends_on, "medium"),
            ),
            "info",
        )
    return _private(redirect(url_for("lapak.attendance_page") + "#absen", 303))


@bp.post("/lapak/absen/<id:absence_id>/hapus")
def remove_absence(absence_id: int) -> BaseResponse:
    """Take back an absence period (asked first on the page: ``?hapus=<id>``)."""
    vendor = _current_vendor()
    if vendor is None:
        return _private(redirect(url_for("lapak.page"), 303))
    try:
        with acting_as(None, f"vendor:{vendor.id}"):
            gone = attendance_plan.remove_own_absence(
                get_session(),
                vendor,
                absence_id,
                now=clock.now(),
                default_days=int(current_app.config["ATTENDANCE_DEADLINE_DAYS"]),
                tz=clock.city_timezone(),
            )
    except ServiceError as exc:  # refused before anything was written
        flash(localize(exc.msg), "error")
    else:
        flash(
            _(
                "Masa absen %(start)s – %(end)s dihapus.",
                start=format_date(gone.starts_on, "medium"),
                end=format_date(gone.ends_on, "medium"),
            ),
            "info",
        )
    return _private(redirect(url_for("lapak.attendance_page") + "#absen", 303))


@bp.post("/lapak/kehadiran/<id:event_id>")
def attend(event_id: int) -> BaseResponse:
    """Before allocation: the vendor will come to the event (``attending=ya``) or not."""
    vendor = _current_vendor()
    if vendor is None:
        return _private(redirect(url_for("lapak.page"), 303))
    attending = request.form.get("attending") == "ya"
    try:
        with acting_as(None, f"vendor:{vendor.id}"):
            attendance_plan.answer_for_event(
                get_session(),
                event_id,
                vendor,
                attending=attending,
                now=clock.now(),
                default_days=int(current_app.config["ATTENDANCE_DEADLINE_DAYS"]),
                tz=clock.city_timezone(),
            )
    except ServiceError as exc:
        flash(localize(exc.msg), "error")
    else:
        flash(
            _("Terima kasih, Anda tercatat akan datang.")
            if attending
            else _("Terima kasih, Anda tercatat tidak datang."),
            "info",
        )
    return _private(redirect(url_for("lapak.attendance_page") + f"#acara-{event_id}", 303))


@bp.post("/lapak/rutin")
def standing() -> BaseResponse:
    """Come every CFD Sunday (``on=1``), or stop."""
    vendor = _current_vendor()
    if vendor is None:
        return _private(redirect(url_for("lapak.page"), 303))
    on = request.form.get("on") == "1"
    with acting_as(None, f"vendor:{vendor.id}"):
        attendance_plan.set_standing(
            get_session(), vendor, weekday=attendance_plan.SUNDAY, on=on, user_id=None
        )
    flash(
        _("Anda tercatat datang setiap Minggu CFD.")
        if on
        else _("Kehadiran rutin Anda dihentikan."),
        "info",
    )
    return _private(redirect(url_for("lapak.attendance_page") + "#rutin", 303))


# ---------------------------------------------------------------------------------------------
# JSON


def _view_json(found: svc.Found) -> Response:
    return _private(Response(found.view_json, mimetype="application/json"))


def _login_required_json() -> Response:
    return _json(
        {
            "error": "login_required",
            "message": _("Masukkan kode akses dan 4 angka terakhir nomor HP."),
        },
        401,
    )


@bp.route("/api/lapak", methods=["GET", "POST"])
def api_lookup() -> Response:
    """POST ``{code, phone4}``: lookup (rate limited); GET: the session's vendor."""
    if request.method == "GET":
        found = _session_vendor("json")
        return _view_json(found) if found is not None else _login_required_json()
    data = request.get_json(silent=True)
    data = data if isinstance(data, dict) else {}
    try:
        found = _lookup(str(data.get("code") or ""), str(data.get("phone4") or ""), want="json")
    except _Failure as exc:
        return _failure_json(exc)
    _remember(found.vendor)
    return _view_json(found)


@bp.post("/api/lapak/assignments/<id:assignment_id>/<any(confirm, cancel):action>")
def api_answer(assignment_id: int, action: str) -> Response:
    """Confirm or cancel as JSON; answers with the vendor's updated view."""
    vendor, message = _answer(assignment_id, action)
    if vendor is None:
        return _login_required_json()
    body = _vendor_view(vendor).to_dict()
    body["message"] = message
    return _json(body)
