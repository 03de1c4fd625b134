"""Applications to trade: the public form, the applicant's status page, the planner's queue.

``GET|POST /daftar``                             the phone-first form (no account; CSRF; rate
                                                 limited per IP); the answer shows a status code
``GET|POST /daftar/status``                      the applicant reads the decision with that code
``GET  /planner/applications``                   the review queue (``?status=``), duplicates flagged
``GET  /planner/applications/<id>``              one application: fields, duplicates, photo
``GET  /planner/applications/<id>/photo``        the stall photo (staff only; never under /static)
``POST /planner/applications/<id>/approve``      create the vendor; then print their card
``POST /planner/applications/<id>/reject``       reject with a reason the applicant can read
"""

from __future__ import annotations

from pathlib import Path
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
    send_file,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import clock, ratelimit
from app.auth import permission_required
from app.db import get_session
from app.gis.rules import VENDOR_CATEGORIES
from app.i18n import localize
from app.models import City
from app.services import applications as svc
from app.services import vendor_access
from app.services.audit import acting_as
from app.services.cities import default_city
from app.services.errors import NotFound, ServiceError
from app.services.vendors import VendorValidationError
from app.views.labels import CATEGORY_LABELS

bp = Blueprint("applications", __name__)

STATUS_LABELS = {
    "pending": _l("Menunggu pemeriksaan"),
    "approved": _l("Disetujui"),
    "rejected": _l("Ditolak"),
}
FIELD_LABELS = {
    "owner_name": _l("Nama lengkap"),
    "phone": _l("Nomor HP (WhatsApp)"),
    "business_name": _l("Nama lapak / usaha"),
    "category": _l("Jenis dagangan"),
    "nib": _l("NIB (boleh dikosongkan)"),
    "halal_cert_no": _l("Nomor sertifikat halal (boleh dikosongkan)"),
    "halal_cert_expiry": _l("Sertifikat halal berlaku sampai"),
    "reason": _l("Alasan"),
}
MATCH_LABELS = {"phone": _l("nomor HP sama"), "nib": _l("NIB sama")}


def _city() -> City:
    city = default_city(get_session(), current_app.config["DEFAULT_CITY"])
    if city is None:
        raise NotFound("Kota belum disiapkan.", "The city is not set up yet.")
    return city


def _photo_dir() -> Path:
    return Path(current_app.instance_path) / "application_photos"


def _max_photo_bytes() -> int:
    return int(current_app.config["APPLICATION_PHOTO_MAX_MB"]) * 1024 * 1024


def _private(resp: Response) -> Response:
    resp.headers["Cache-Control"] = "private, no-store"
    resp.headers["Referrer-Policy"] = "same-origin"
    return resp


def _page(template: str, status: int = 200, **context: Any) -> Response:
    return _private(make_response(render_template(template, **context), status))


def _form_page(
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    return _page(
        "applications/apply.html",
        status,
        title=_("Daftar jadi pedagang"),
        values=values or {},
        errors=errors or {},
        error=error,
        labels=FIELD_LABELS,
        categories=[(c, str(CATEGORY_LABELS[c])) for c in VENDOR_CATEGORIES],
        max_photo_mb=int(current_app.config["APPLICATION_PHOTO_MAX_MB"]),
    )


def _minutes(seconds: int) -> int:
    return max(1, -(-seconds // 60))


def _limited(bucket: str, config_key: str) -> str | None:
    wait = ratelimit.hit(bucket, request.remote_addr or "unknown", config_key)
    if wait:
        return str(
            _("Terlalu banyak percobaan. Silakan coba lagi dalam %(n)s menit.", n=_minutes(wait))
        )
    return None


# ---------------------------------------------------------------------------------------------
# Public


@bp.get("/daftar")
def form() -> Response:
    """The application form."""
    return _form_page()


@bp.post("/daftar")
def submit() -> Response:
    """File an application; the same answer whether or not the phone is known."""
    values = {f: request.form.get(f, "") for f in svc.APPLICATION_FIELDS}
    limited = _limited("apply-ip", "APPLY_LIMIT_PER_IP")
    if limited:
        return _form_page(values, error=limited, status=429)
    photo = request.files.get("photo")
    photo_bytes = photo.read(_max_photo_bytes() + 1) if photo and photo.filename else None
    try:
        with acting_as(None, "applicant"):
            application = svc.submit_application(
                get_session(),
                city=_city(),
                data=values,
                photo=photo_bytes,
                photo_dir=_photo_dir(),
                max_photo_bytes=_max_photo_bytes(),
                today=clock.today(),
            )
    except VendorValidationError as exc:
        errors = {k: localize(p.msg) for k, p in exc.fields.items()}
        return _form_page(values, errors=errors, error=localize(exc.msg), status=400)
    except ServiceError as exc:
        return _form_page(values, error=localize(exc.msg), status=exc.status)
    return _page(
        "applications/received.html",
        title=_("Pendaftaran diterima"),
        status_code=application.status_code,
    )


@bp.route("/daftar/status", methods=["GET", "POST"])
def status() -> Response:
    """The applicant reads the decision with their status code."""
    if request.method == "GET":
        return _page("applications/status.html", title=_("Cek status pendaftaran"), found=None)
    limited = _limited("apply-status-ip", "APPLY_STATUS_LIMIT_PER_IP")
    if limited:
        return _page(
            "applications/status.html", 429, title=_("Cek status pendaftaran"), error=limited
        )
    application = svc.find_by_status_code(get_session(), request.form.get("code", ""))
    if application is None:
        return _page(
            "applications/status.html",
            404,
            title=_("Cek status pendaftaran"),
            error=_("Kode status tidak ditemukan. Periksa lagi kode yang Anda simpan."),
        )
    link = None
    if application.status == "approved" and application.vendor is not None:
        link = vendor_access.vendor_link(
            application.vendor,
            secret_key=current_app.config["SECRET_KEY"],
            base_url=request.host_url,
        )
    return _page(
        "applications/status.html",
        title=_("Cek status pendaftaran"),
        found=application,
        status_labels=STATUS_LABELS,
        lapak_link=link,
    )


# ---------------------------------------------------------------------------------------------
# Planner review


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "short_date": lambda d: format_datetime(d, "short"),
        "category_labels": CATEGORY_LABELS,
        "status_labels": STATUS_LABELS,
        "match_labels": MATCH_LABELS,
    }


@bp.get("/planner/applications")
@permission_required("applications.review")
def queue() -> Response:
    """The review queue, duplicates flagged."""
    wanted = request.args.get("status", "pending")
    status_filter = wanted if wanted in STATUS_LABELS else None
    items = svc.list_applications(get_session(), _city(), status=status_filter)
    return _page(
        "applications/queue.html",
        title=_("Pendaftaran pedagang"),
        items=items,
        duplicates=svc.duplicates_of(get_session(), items),
        wanted=status_filter or "all",
    )


@bp.get("/planner/applications/<id:application_id>")
@permission_required("applications.review")
def detail(application_id: int) -> Response:
    """One application with its duplicates, photo and the two decisions."""
    application = svc.get_application(get_session(), _city(), application_id)
    return _page(
        "applications/detail.html",
        title=_("Pendaftaran #%(id)s", id=application.id),
        item=application,
        duplicates=svc.duplicates_of(get_session(), [application])[application.id],
        labels=FIELD_LABELS,
        has_photo=svc.application_photo(application, _photo_dir()) is not None,
        reason_max=svc.REASON_MAX_CHARS,
    )


@bp.get("/planner/applications/<id:application_id>/photo")
@permission_required("applications.review")
def photo(application_id: int) -> Any:
    """The stall photo (re-encoded, no EXIF); staff only."""
    application = svc.get_application(get_session(), _city(), application_id)
    path = svc.application_photo(application, _photo_dir())
    if path is None:
        raise NotFound("Foto tidak ada.", "No photo.")
    return _private(send_file(path, mimetype="image/jpeg"))


@bp.post("/planner/applications/<id:application_id>/approve")
@permission_required("applications.review")
def approve(application_id: int) -> Any:
    """Create the vendor with a fresh access code; the planner then prints the card."""
    application = svc.get_application(get_session(), _city(), application_id)
    try:
        with acting_as(current_user.id, current_user.email):
            vendor = svc.approve(
                get_session(),
                application,
                user_id=current_user.id,
                today=clock.today(),
                now=clock.now(),
            )
    except VendorValidationError as exc:
        details = "; ".join(localize(p.msg) for p in exc.fields.values())
        flash(f"{localize(exc.msg)} {details}", "error")
        return redirect(url_for("applications.detail", application_id=application_id), 303)
    except ServiceError as exc:
        flash(localize(exc.msg), "error")
        return redirect(url_for("applications.detail", application_id=application_id), 303)
    flash(
        _(
            "Pendaftaran disetujui. Pedagang #%(id)s terdaftar; cetak kartunya.",
            id=vendor.id,
        ),
        "info",
    )
    return redirect(url_for("applications.detail", application_id=application_id), 303)


@bp.post("/planner/applications/<id:application_id>/reject")
@permission_required("applications.review")
def reject(application_id: int) -> Any:
    """Reject with a reason the applicant reads with their status code."""
    application = svc.get_application(get_session(), _city(), application_id)
    try:
        with acting_as(current_user.id, current_user.email):
            svc.reject(
                get_session(),
                application,
                reason=request.form.get("reason", ""),
                user_id=current_user.id,
                now=clock.now(),
            )
    except VendorValidationError as exc:
        details = "; ".join(localize(p.msg) for p in exc.fields.values())
        flash(f"{FIELD_LABELS['reason']}: {details}", "error")
        return redirect(url_for("applications.detail", application_id=application_id), 303)
    except ServiceError as exc:
        flash(localize(exc.msg), "error")
        return redirect(url_for("applications.detail", application_id=application_id), 303)
    flash(_("Pendaftaran ditolak; pelamar dapat membaca alasannya dengan kode status."), "info")
    return redirect(url_for("applications.queue"), 303)
