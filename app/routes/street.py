"""Street reports: the officer's phone page and the office's list, map and status flow.

``GET  /lapor``                          the phone page (GPS or a tap on the map)
``POST /lapor``                          file a report (multipart form, CSRF); answers the rules
                                         for the spot as a page, or as JSON to the page's script
``GET  /laporan``                        the office's list and map, filters, hot spots
``GET  /laporan/<id>``                   one report: the rules' answer, photo, status flow
``POST /laporan/<id>/status``            the next step (``status``, ``note``, relocation zone/booth)
``GET  /laporan/<id>/foto``              the photo (staff only; never under /static)
``GET  /laporan/export.csv|.geojson``    the filtered list as CSV or GeoJSON
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
    send_file,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import clock
from app.auth import permission_required
from app.db import get_session
from app.gis.street import SpotCheck
from app.i18n import current_language, localize
from app.kinds import FACILITY_KIND_REGISTRY
from app.models import City, StreetReport
from app.services import street_reports as svc
from app.services.audit import acting_as
from app.services.basemap import basemap_source
from app.services.cities import default_city
from app.services.errors import NotFound, ServiceError
from app.styles import ZONE_STYLES
from app.views.basemap_view import basemap_layer
from app.views.maps import basemap_client_config

bp = Blueprint("street", __name__)

KIND_LABELS = {"stall": _l("Lapak dagangan"), "cart": _l("Gerobak"), "tent": _l("Tenda")}
STATUS_LABELS = {
    "baru": _l("Baru"),
    "ditinjau": _l("Ditinjau"),
    "ditertibkan": _l("Ditertibkan"),
    "direlokasi": _l("Direlokasi"),
    "selesai": _l("Selesai"),
}
#: The office list's query arguments, carried into its export links.
FILTER_ARGS = ("status", "colour", "facility", "week")
COLOUR_LABELS = {
    "green": _l("Hijau"),
    "yellow": _l("Kuning"),
    "red": _l("Merah"),
    "none": _l("Di luar zona"),
}


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"short_date": lambda d: format_datetime(d, "short")}


def _city() -> City:
    city = default_city(get_session(), current_app.config["DEFAULT_CITY"])
    if city is None:
        raise NotFound("Kota belum disiapkan.", "The city is not set up yet.")
    return city


def _zone_styles() -> dict[str, dict[str, Any]]:
    """Zone styles by kind and by the colour an officer reads (red, yellow, green), for the
    maps' scripts: the same outlines, fills and patterns as every other map."""
    styles: dict[str, dict[str, Any]] = {k: s.leaflet() for k, s in ZONE_STYLES.items()}
    for colour, kind in (("red", "no_vending"), ("yellow", "pkl_timed"), ("green", "pkl_legal")):
        styles[colour] = ZONE_STYLES[kind].leaflet()
    return styles


def _basemap(city: City) -> dict[str, Any] | None:
    """The city's basemap for the page's own map script (``js/basemap.js``), or ``None``."""
    layer = basemap_layer(city.slug, basemap_source(get_session(), city.id))
    return basemap_client_config(layer) if layer is not None else None


def _photo_dir() -> Path:
    return Path(current_app.instance_path) / "street_photos"


def _no_store(resp: Response) -> Response:
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def _number(name: str, kind: type[float] | type[int]) -> Any:
    raw = request.form.get(name, "").strip().replace(",", ".")
    try:
        value = kind(raw) if kind is int else float(raw)
    except ValueError:
        return None
    return value if value == value else None  # NaN is not a number anyone meant


def check_json(check: SpotCheck) -> dict[str, Any]:
    """The rules' answer for a spot, rendered in the reader's language."""
    green = check.nearest_green
    return {
        "allowed": check.allowed,
        "zone": {
            "colour": check.zone.colour,
            "name": check.zone.name,
            "allowed": check.zone.allowed,
            "message": localize(check.zone.message),
        },
        "clearances": [
            {
                "kind": c.kind,
                "name": c.name,
                "distance_m": round(c.distance_m, 2),
                "required_m": c.required_m,
                "message": localize(c.message),
            }
            for c in check.clearances
        ],
        "nearest_green": None
        if green is None
        else {
            "zone_id": green.zone_id,
            "name": green.name,
            "distance_m": round(green.distance_m),
            "free_spots": green.free_spots,
            "message": localize(green.message),
        },
    }


@bp.get("/lapor")
@permission_required("reports.write")
def lapor_page() -> Any:
    """The phone page: where (GPS or a tap), what and how many, an optional photo and note."""
    city = _city()
    return _no_store(
        Response(
            render_template(
                "street/lapor.html",
                title=_("Lapor PKL"),
                city=city,
                bounds=svc.city_map_bounds(get_session(), city),
                kinds=KIND_LABELS,
                max_photo_mb=svc.MAX_PHOTO_BYTES // (1024 * 1024),
                tiles=current_app.config["MAP_TILES"],
                tiles_attribution=current_app.config["MAP_TILES_ATTRIBUTION"],
                basemap=_basemap(city),
                zone_styles=_zone_styles(),
            )
        )
    )


@bp.post("/lapor")
@permission_required("reports.write")
def lapor_submit() -> Any:
    """File the report; answer with the rules for the spot (JSON to the script, else a page)."""
    wants_json = request.accept_mimetypes.best == "application/json"
    city = _city()
    lon, lat = _number("lon", float), _number("lat", float)
    count = _number("count", int)
    photo = request.files.get("photo")
    photo_bytes = photo.read(svc.MAX_PHOTO_BYTES + 1) if photo and photo.filename else None
    try:
        if lon is None or lat is None:
            raise ServiceError(
                "Tentukan lokasi: pakai GPS atau ketuk peta.",
                "Set the location: use GPS or tap the map.",
            )
        if count is None:
            raise ServiceError("Isi jumlahnya (angka).", "Enter how many (a number).")
        with acting_as(current_user.id, current_user.email):
            report, check = svc.file_report(
                get_session(),
                city=city,
                lon=lon,
                lat=lat,
                kind=request.form.get("kind", ""),
                count=count,
                note=request.form.get("note"),
                photo=photo_bytes,
                photo_dir=_photo_dir(),
                reporter=current_user,
                now=clock.now(),
            )
    except ServiceError as exc:
        if wants_json:
            return jsonify(error="invalid", message=localize(exc.msg)), exc.status
        flash(localize(exc.msg), "error")
        return redirect(url_for("street.lapor_page"), 303)
    answer = check_json(check)
    if wants_json:
        return jsonify(
            id=report.id, url=url_for("street.report_page", report_id=report.id), check=answer
        ), 201
    flash(_("Laporan tersimpan."), "info")
    return redirect(url_for("street.report_page", report_id=report.id), 303)


def _filters() -> svc.ReportFilters:
    week_raw = request.args.get("week", "").strip()
    week: date | None = None
    if week_raw:
        try:
            week = date.fromisoformat(week_raw[:10])
        except ValueError as exc:
            raise ServiceError(
                "Minggu tidak valid (format TTTT-BB-HH).", "Invalid week (format YYYY-MM-DD)."
            ) from exc
    kind = request.args.get("facility") or None
    if kind is not None and kind not in FACILITY_KIND_REGISTRY:
        raise ServiceError("Jenis fasilitas tidak dikenal.", "Unknown facility kind.")
    return svc.ReportFilters(
        status=request.args.get("status") or None,
        colour=request.args.get("colour") or None,
        facility_kind=kind,
        week=week,
    )


def _filtered() -> tuple[City, svc.ReportFilters, Any]:
    city = _city()
    filters = _filters()
    reports = svc.list_reports(get_session(), city, filters, timezone=clock.city_timezone_name())
    return city, filters, reports


@bp.get("/laporan")
@permission_required("reports.read")
def office_list() -> Any:
    """The office's list and map of reports with filters and hot spots."""
    city, filters, reports = _filtered()
    hot = svc.hot_spots(get_session(), city)
    html = render_template(
        "street/list.html",
        title=_("Laporan PKL di jalan"),
        city=city,
        filters=filters,
        reports=reports,
        hot_spots=hot,
        hot_json=[[h.lat, h.lon, h.reports] for h in hot],
        min_reports=svc.HOT_SPOT_MIN_REPORTS,
        eps_m=int(svc.HOT_SPOT_EPS_M),
        bounds=svc.city_map_bounds(get_session(), city),
        kinds=KIND_LABELS,
        statuses=STATUS_LABELS,
        colours=COLOUR_LABELS,
        facility_kinds={
            code: kind.label(current_language()) for code, kind in FACILITY_KIND_REGISTRY.items()
        },
        # only the filters go back into the export links (never url_for's own _external, …)
        query={k: v for k, v in request.args.items() if k in FILTER_ARGS and v},
        tiles=current_app.config["MAP_TILES"],
        tiles_attribution=current_app.config["MAP_TILES_ATTRIBUTION"],
        basemap=_basemap(city),
        zone_styles=_zone_styles(),
    )
    return _no_store(Response(html))


@bp.get("/laporan/export.csv")
@permission_required("reports.read")
def export_csv() -> Any:
    """The filtered reports as CSV (formula-safe)."""
    _city_, _f, reports = _filtered()
    resp = Response(svc.reports_csv(reports), mimetype="text/csv; charset=utf-8")
    resp.headers["Content-Disposition"] = 'attachment; filename="laporan-pkl.csv"'
    return _no_store(resp)


@bp.get("/laporan/export.geojson")
@permission_required("reports.read")
def export_geojson() -> Any:
    """The filtered reports as GeoJSON (EPSG:4326)."""
    _city_, _f, reports = _filtered()
    resp = jsonify(type="FeatureCollection", features=[svc.report_feature(r) for r in reports])
    resp.mimetype = "application/geo+json"
    resp.headers["Content-Disposition"] = 'attachment; filename="laporan-pkl.geojson"'
    return _no_store(resp)


def _report(report_id: int) -> StreetReport:
    return svc.get_report(get_session(), _city(), report_id)


@bp.get("/laporan/<id:report_id>")
@permission_required("reports.read")
def report_page(report_id: int) -> Any:
    """One report: what the rules say about its spot now, its photo and its status flow."""
    session = get_session()
    report = _report(report_id)
    city = _city()
    point = svc.report_point(report)
    check = svc.spot_check(session, city, point, clock.now())
    zones = svc.green_zones(session, city)
    booths = {z.id: svc.free_booths(session, z, clock.today()) for z in zones}
    html = render_template(
        "street/report.html",
        title=_("Laporan #%(id)s", id=report.id),
        report=report,
        point=point,
        check=check_json(check),
        kinds=KIND_LABELS,
        statuses=STATUS_LABELS,
        colours=COLOUR_LABELS,
        next_statuses=svc.NEXT_STATUSES[report.status],
        green_zones=zones,
        free_booths=booths,
        users=svc.step_users(session, report),
        relocation_text=svc.relocation_text(session, report),
    )
    return _no_store(Response(html))


@bp.post("/laporan/<id:report_id>/status")
@permission_required("reports.write")
def report_status(report_id: int) -> Any:
    """Take the report one step along its flow; every step is audited with who and the note."""
    report = _report(report_id)
    zone_id, booth_id = _optional_int("zone_id"), _optional_int("booth_id")
    try:
        with acting_as(current_user.id, current_user.email):
            svc.move_report(
                get_session(),
                report,
                to=request.form.get("status", ""),
                note=request.form.get("note"),
                user=current_user,
                on=clock.today(),
                zone_id=zone_id,
                booth_id=booth_id,
            )
    except ServiceError as exc:
        if exc.status == 404:
            raise
        flash(localize(exc.msg), "error")
    else:
        flash(_("Status laporan diperbarui."), "info")
    return redirect(url_for("street.report_page", report_id=report_id), 303)


def _optional_int(name: str) -> int | None:
    raw = request.form.get(name, "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@bp.get("/laporan/<id:report_id>/foto")
@permission_required("reports.read")
def report_photo(report_id: int) -> Any:
    """The report's photo, to staff only (private, never cached by a proxy)."""
    path = svc.photo_file(_report(report_id), _photo_dir())
    if path is None:
        raise NotFound("Laporan ini tidak berfoto.", "This report has no photo.")
    return _no_store(send_file(path, mimetype="image/jpeg"))
