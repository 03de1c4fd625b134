"""Vendor registry: planner pages under /planner/vendors and the JSON API under /api/vendors.

Thin views: they parse the request, call :mod:`app.services.vendors` (which validates and
commits once) and render or return JSON. Every view needs the planner role (admins too).

Import keeps the uploaded file in the instance folder under a random token between the preview
and the confirmation, so the planner confirms exactly the file that was checked without sending
it twice; the token is also remembered in the planner's session, so it cannot be confirmed from
another session. The file is checked again at confirmation (the registry may have changed) and
deleted once written; unconfirmed files are removed after a day.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as web_session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField

from app import clock
from app.auth import permission_required
from app.db import get_session
from app.desk_services import DESK_OUTCOMES, DESK_SERVICES, MILESTONES
from app.gis.rules import VENDOR_CATEGORIES
from app.i18n import current_language, localize
from app.models import City, Vendor
from app.routes.attendance import vendor_attendance_context
from app.services import vendor_access
from app.services import vendors as svc
from app.services.audit import acting_as
from app.services.cities import get_city
from app.services.desk import vendor_progress
from app.services.errors import ServiceError
from app.services.vendor_history import vendor_history
from app.views.labels import CATEGORY_LABELS

bp = Blueprint("vendors", __name__)

HALAL_LABELS = {
    "none": _l("Tidak ada"),
    "valid": _l("Berlaku"),
    "expiring": _l("Segera kedaluwarsa"),
    "expired": _l("Kedaluwarsa"),
}
_SESSION_TOKENS = "vendor_import_tokens"


class VendorForm(FlaskForm):
    """Create or edit a vendor. The service checks the values; the form carries CSRF."""

    owner_name = StringField(_l("Nama pemilik"))
    business_name = StringField(_l("Nama usaha"))
    category = SelectField(_l("Kategori"), validate_choice=False)
    nib = StringField(_l("NIB (13 digit)"))
    phone = StringField(_l("Nomor HP"))
    halal_cert_no = StringField(_l("Nomor sertifikat halal"))
    halal_cert_expiry = StringField(
        _l("Sertifikat halal berlaku sampai"), render_kw={"type": "date"}
    )
    registered_on = StringField(_l("Tanggal terdaftar"), render_kw={"type": "date"})
    needs_electricity = BooleanField(_l("Perlu listrik"))
    needs_accessibility = BooleanField(_l("Perlu akses difabel"))
    needs_cooking = BooleanField(_l("Perlu tempat boleh memasak"))
    min_booths = StringField(
        _l("Lapak berdampingan, paling sedikit"),
        default="1",
        render_kw={"type": "number", "min": 1, "max": svc.MAX_BOOTHS},
    )
    max_booths = StringField(
        _l("Lapak berdampingan, paling banyak"),
        default="1",
        render_kw={"type": "number", "min": 1, "max": svc.MAX_BOOTHS},
    )
    preferred_booths = StringField(_l("Lapak pilihan, urut (kode dipisah koma)"))
    notes = TextAreaField(_l("Catatan"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_submitted():
            obj = kwargs.get("obj")
            codes = getattr(obj, "preferred_booths", None) or []
            self.preferred_booths.data = ", ".join(codes)
        self.category.choices = [("", str(_l("— pilih —")))] + [
            (c, str(CATEGORY_LABELS[c])) for c in VENDOR_CATEGORIES
        ]

    def service_data(self) -> dict[str, Any]:
        """The submitted values, keyed by model field."""
        return {name: self[name].data for name in svc.EDITABLE_FIELDS}


class ImportForm(FlaskForm):
    """Upload of a CSV or XLSX file."""

    file = FileField(
        _l("Berkas CSV atau XLSX"),
        validators=[
            FileRequired(_l("Pilih berkas.")),
            FileAllowed(["csv", "xlsx"], _l("Hanya berkas .csv atau .xlsx.")),
        ],
    )


class ConfirmImportForm(FlaskForm):
    """Confirmation of a previewed import."""

    token = HiddenField()


# ---------------------------------------------------------------------------------------------
# Helpers


def _city() -> City:
    return get_city(get_session(), current_app.config["DEFAULT_CITY"])


def _upload_dir() -> Path:
    configured = current_app.config["VENDOR_IMPORT_DIR"]
    return Path(configured) if configured else Path(current_app.instance_path) / "vendor_imports"


def _status_of(today: date) -> Any:
    return lambda v: svc.halal_status(v.halal_cert_expiry, today=today)


def _render_labels() -> dict[str, Any]:
    return {"category_labels": CATEGORY_LABELS, "halal_labels": HALAL_LABELS}


def _vendor_json(vendor: Vendor) -> dict[str, Any]:
    return svc.vendor_to_dict(
        vendor, today=clock.today(), include_access_code=current_user.can("vendors.read_private")
    )


@bp.errorhandler(svc.VendorValidationError)
def _validation_error(exc: svc.VendorValidationError) -> Any:
    if request.path.startswith("/api/"):
        return jsonify(exc.to_dict()), 400
    details = "; ".join(f"{k}: {localize(p.msg)}" for k, p in exc.fields.items())
    return render_template("error.html", message=f"{localize(exc.msg)} {details}"), 400


# ---------------------------------------------------------------------------------------------
# Pages


@bp.get("/planner/vendors/")
@permission_required("vendors.read_private")
def index() -> str:
    """The registry: search by name, business, NIB or phone; filter; one page at a time."""
    query = svc.parse_vendor_query(request.args)
    page_no, per_page = svc.parse_paging(request.args)
    page = svc.search_vendors(
        get_session(), city=_city(), query=query, page=page_no, per_page=per_page
    )
    args = {k: v for k, v in request.args.items() if k in ("q", "category", "active") and v}
    return render_template(
        "vendors/index.html",
        page=page,
        query=query,
        args=args,
        categories=VENDOR_CATEGORIES,
        status_of=_status_of(clock.today()),
        **_render_labels(),
    )


@bp.get("/planner/vendors/<id:vendor_id>")
@permission_required("vendors.read_private")
def detail(vendor_id: int) -> str:
    """One vendor with their documents and access code."""
    vendor = svc.get_vendor(get_session(), vendor_id, city=_city())
    today = clock.today()
    lang = current_language()
    return render_template(
        "vendors/detail.html",
        vendor=vendor,
        today=today,
        progress=vendor_progress(get_session(), vendor, timezone=clock.city_timezone_name()),
        history=vendor_history(get_session(), vendor, today=today),
        assignment_labels={
            "assigned": _("Ditempatkan"),
            "checked_in": _("Hadir"),
            "no_show": _("Tidak hadir"),
            "cancelled": _("Batal"),
        },
        desk_services={c: s.label(lang) for c, s in DESK_SERVICES.items()},
        desk_outcomes={c: o.label(lang) for c, o in DESK_OUTCOMES.items()},
        milestones={c: m.label(lang) for c, m in MILESTONES.items()},
        status=svc.halal_status(vendor.halal_cert_expiry, today=today),
        warning_days=svc.EXPIRY_WARNING_DAYS,
        **_render_labels(),
        **vendor_attendance_context(vendor),
    )


@bp.route("/planner/vendors/new", methods=["GET", "POST"])
@permission_required("vendors.edit")
def create() -> Any:
    """Register a vendor; a fresh access code is made for them."""
    form = VendorForm()
    if form.validate_on_submit():
        try:
            vendor = svc.create_vendor(
                get_session(), city=_city(), data=form.service_data(), today=clock.today()
            )
        except svc.VendorValidationError as exc:
            _form_errors(form, exc)
            return render_template("vendors/form.html", form=form, vendor=None), 400
        flash(_("Pedagang terdaftar. Kode akses: %(code)s", code=vendor.access_code), "info")
        return redirect(url_for("vendors.detail", vendor_id=vendor.id))
    return render_template("vendors/form.html", form=form, vendor=None)


@bp.route("/planner/vendors/<id:vendor_id>/edit", methods=["GET", "POST"])
@permission_required("vendors.edit")
def edit(vendor_id: int) -> Any:
    """Change a vendor's details."""
    vendor = svc.get_vendor(get_session(), vendor_id, city=_city())
    form = VendorForm(obj=vendor)
    if form.validate_on_submit():
        try:
            svc.update_vendor(get_session(), vendor, data=form.service_data(), today=clock.today())
        except svc.VendorValidationError as exc:
            _form_errors(form, exc)
            return render_template("vendors/form.html", form=form, vendor=vendor), 400
        flash(_("Perubahan disimpan."), "info")
        return redirect(url_for("vendors.detail", vendor_id=vendor.id))
    return render_template("vendors/form.html", form=form, vendor=vendor)


def _form_errors(form: VendorForm, exc: svc.VendorValidationError) -> None:
    for name, problem in exc.fields.items():
        message = localize(problem.msg)
        if name in form:
            form[name].errors = [*form[name].errors, message]
        else:
            form.form_errors.append(message)


@bp.post("/planner/vendors/<id:vendor_id>/deactivate")
@permission_required("vendors.edit")
def deactivate(vendor_id: int) -> WerkzeugResponse:
    """Deactivate: the vendor stays in the registry but is no longer allocated booths."""
    vendor = svc.get_vendor(get_session(), vendor_id, city=_city())
    svc.set_vendor_active(get_session(), vendor, active=False)
    flash(_("Pedagang dinonaktifkan."), "info")
    return redirect(url_for("vendors.detail", vendor_id=vendor.id))


@bp.post("/planner/vendors/<id:vendor_id>/reactivate")
@permission_required("vendors.edit")
def reactivate(vendor_id: int) -> WerkzeugResponse:
    """Make a deactivated vendor active again."""
    vendor = svc.get_vendor(get_session(), vendor_id, city=_city())
    svc.set_vendor_active(get_session(), vendor, active=True)
    flash(_("Pedagang diaktifkan kembali."), "info")
    return redirect(url_for("vendors.detail", vendor_id=vendor.id))


@bp.get("/planner/vendors/documents")
@permission_required("vendors.read_private")
def documents() -> str:
    """Active vendors whose halal certificate has expired or expires within 60 days."""
    today = clock.today()
    due = svc.documents_due(get_session(), city=_city(), today=today)
    return render_template(
        "vendors/documents.html",
        vendors=due,
        today=today,
        status_of=_status_of(today),
        warning_days=svc.EXPIRY_WARNING_DAYS,
        **_render_labels(),
    )


@bp.get("/planner/vendors/export.<any(csv, xlsx):fmt>")
@permission_required("vendors.read_private")
def export(fmt: str) -> Response:
    """The registry (with the list's filters) as CSV or XLSX, safe to open in a spreadsheet."""
    city = _city()
    query = svc.parse_vendor_query(request.args)
    if fmt == "csv":
        data = svc.export_csv(get_session(), city=city, query=query)
        mimetype = "text/csv; charset=utf-8"
    else:
        data = svc.export_xlsx(get_session(), city=city, query=query)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    filename = f"pedagang-{city.slug}-{clock.today().isoformat()}.{fmt}"
    return Response(
        data,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@bp.route("/planner/vendors/import", methods=["GET", "POST"])
@permission_required("vendors.edit")
def import_upload() -> Any:
    """Upload a CSV or XLSX file and see what the import would do, row by row."""
    form = ImportForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("vendors/import.html", form=form, report=None), status
    upload = form.file.data
    directory = _upload_dir()
    token = ""
    try:
        token = svc.save_upload(directory, filename=upload.filename or "", data=upload.read())
        rows = svc.read_rows(svc.upload_path(directory, token))
    except ServiceError as exc:
        if token:
            svc.discard_upload(directory, token)
        form.file.errors = [*form.file.errors, localize(exc.msg)]
        return render_template("vendors/import.html", form=form, report=None), 400
    report = svc.import_vendors(
        get_session(), city=_city(), rows=rows, today=clock.today(), dry_run=True
    )
    if report.errors:
        svc.discard_upload(directory, token)
        confirm = None
    else:
        web_session[_SESSION_TOKENS] = [*web_session.get(_SESSION_TOKENS, [])[-4:], token]
        confirm = ConfirmImportForm(token=token)
    return render_template(
        "vendors/import.html",
        form=ImportForm(formdata=None),
        report=report,
        confirm=confirm,
        filename=upload.filename,
        **_render_labels(),
    )


@bp.post("/planner/vendors/import/confirm")
@permission_required("vendors.edit")
def import_confirm() -> Any:
    """Write the previewed file: all rows, or none when something changed since the preview."""
    form = ConfirmImportForm()
    token = form.token.data or ""
    if not form.validate_on_submit() or token not in web_session.get(_SESSION_TOKENS, []):
        flash(_("Pratinjau impor tidak ditemukan; unggah berkas lagi."), "error")
        return redirect(url_for("vendors.import_upload"))
    directory = _upload_dir()
    rows = svc.read_rows(svc.upload_path(directory, token))
    report = svc.import_vendors(get_session(), city=_city(), rows=rows, today=clock.today())
    if not report.written:
        return render_template(
            "vendors/import.html",
            form=ImportForm(formdata=None),
            report=report,
            confirm=None,
            **_render_labels(),
        ), 409
    svc.discard_upload(directory, token)
    web_session[_SESSION_TOKENS] = [t for t in web_session.get(_SESSION_TOKENS, []) if t != token]
    flash(
        _(
            "Impor selesai: %(created)s pedagang baru, %(updated)s diperbarui.",
            created=report.created,
            updated=report.updated,
        ),
        "info",
    )
    return redirect(url_for("vendors.index"))


# ---------------------------------------------------------------------------------------------
# JSON API


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ServiceError(
            "Isi permintaan harus objek JSON.", "The request body must be a JSON object."
        )
    return body


@bp.get("/api/vendors")
@permission_required("vendors.read_private")
def api_list() -> Any:
    """Search the registry: ``q``, ``category``, ``active`` (1/0), ``page``, ``per_page``."""
    query = svc.parse_vendor_query(request.args)
    page_no, per_page = svc.parse_paging(request.args)
    page = svc.search_vendors(
        get_session(), city=_city(), query=query, page=page_no, per_page=per_page
    )
    return {
        "items": [_vendor_json(v) for v in page.items],
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages,
    }


@bp.get("/api/vendors/<id:vendor_id>")
@permission_required("vendors.read_private")
def api_get(vendor_id: int) -> Any:
    """One vendor."""
    return _vendor_json(svc.get_vendor(get_session(), vendor_id, city=_city()))


@bp.post("/api/vendors")
@permission_required("vendors.edit")
def api_create() -> Any:
    """Register a vendor; 201 with the vendor (and its access code)."""
    vendor = svc.create_vendor(get_session(), city=_city(), data=_json_body(), today=clock.today())
    return _vendor_json(vendor), 201, {"Location": url_for("vendors.api_get", vendor_id=vendor.id)}


@bp.patch("/api/vendors/<id:vendor_id>")
@permission_required("vendors.edit")
def api_update(vendor_id: int) -> Any:
    """Change the given fields only."""
    vendor = svc.get_vendor(get_session(), vendor_id, city=_city())
    svc.update_vendor(get_session(), vendor, data=_json_body(), today=clock.today())
    return _vendor_json(vendor)


@bp.post("/api/vendors/<id:vendor_id>/deactivate")
@permission_required("vendors.edit")
def api_deactivate(vendor_id: int) -> Any:
    """Deactivate a vendor."""
    vendor = svc.get_vendor(get_session(), vendor_id, city=_city())
    svc.set_vendor_active(get_session(), vendor, active=False)
    return _vendor_json(vendor)


@bp.post("/api/vendors/<id:vendor_id>/reactivate")
@permission_required("vendors.edit")
def api_reactivate(vendor_id: int) -> Any:
    """Reactivate a vendor."""
    vendor = svc.get_vendor(get_session(), vendor_id, city=_city())
    svc.set_vendor_active(get_session(), vendor, active=True)
    return _vendor_json(vendor)


@bp.get("/planner/vendors/<id:vendor_id>/card")
@permission_required("vendors.read_private")
def card(vendor_id: int) -> str:
    """A printable vendor card: access code and a QR code of the vendor's signed link."""
    from app.views.qr import qr_svg

    vendor = svc.get_vendor(get_session(), vendor_id, city=_city())
    link = _signed_link(vendor)
    return render_template(
        "vendors/card.html",
        vendor=vendor,
        link=link,
        qr=qr_svg(link),
        # the full address, so a vendor without a QR reader can type it
        lapak_url=url_for("lapak.page", _external=True),
        **_render_labels(),
    )


def _signed_link(vendor: Vendor) -> str:
    return vendor_access.vendor_link(
        vendor, secret_key=current_app.config["SECRET_KEY"], base_url=request.host_url
    )


def _issue_new_code(vendor_id: int) -> Vendor:
    vendor = svc.get_vendor(get_session(), vendor_id, city=_city())
    with acting_as(current_user.id, current_user.email):
        vendor_access.issue_new_code(get_session(), vendor)
    return vendor


@bp.post("/planner/vendors/<id:vendor_id>/new-code")
@permission_required("vendors.edit")
def new_code(vendor_id: int) -> WerkzeugResponse:
    """A new access code: the old code, links and QR codes stop working; print the new card."""
    vendor = _issue_new_code(vendor_id)
    flash(
        _(
            "Kode akses baru dibuat. Kode lama, tautan, dan kode QR lama tidak berlaku lagi: "
            "cetak kartu baru ini untuk pedagang."
        ),
        "info",
    )
    return redirect(url_for("vendors.card", vendor_id=vendor.id))


@bp.post("/api/vendors/<id:vendor_id>/new-code")
@permission_required("vendors.edit")
def api_new_code(vendor_id: int) -> Any:
    """Issue a new access code; the answer has it, the new signed link and the card's address."""
    vendor = _issue_new_code(vendor_id)
    return {
        **_vendor_json(vendor),
        "link": _signed_link(vendor),
        "card_url": url_for("vendors.card", vendor_id=vendor.id, _external=True),
    }
