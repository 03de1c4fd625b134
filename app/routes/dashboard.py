"""The Dinas dashboard: one page per city and date range, charts drawn on the server as SVG.

``GET /dasbor?from=&to=``               the page: each chart with its title, description, a data
                                        table alternative and a CSV link
``GET /dasbor/<chart>.csv?from=&to=``   one chart's numbers as CSV (formula-safe)
"""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup

from app import clock
from app.auth import permission_required
from app.db import get_session
from app.desk_services import DESK_OUTCOMES, DESK_SERVICES
from app.i18n import current_language
from app.models import REPORT_STATUSES, City
from app.routes.street import COLOUR_LABELS, STATUS_LABELS
from app.services import dashboard as svc
from app.services.cities import default_city
from app.services.errors import NotFound
from app.services.vendors import escape_formula
from app.views.charts import Chart, Series, chart_table, palette, render_svg

bp = Blueprint("dashboard", __name__)

#: Zone colours as the map draws them; ``none``: outside every zone.
ZONE_FILL = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828", "none": "#9e9e9e"}
CHART_KEYS = (
    "occupancy",
    "attendance",
    "conflicts",
    "street_colour",
    "street_status",
    "desk",
    "documents",
)


def _city() -> City:
    city = default_city(get_session(), current_app.config["DEFAULT_CITY"])
    if city is None:
        raise NotFound("Kota belum disiapkan.", "The city is not set up yet.")
    return city


def _day(d: Any) -> str:
    return str(format_date(d, "d MMM yyyy"))


def _charts(city: City, span: svc.DateRange, only: str | None = None) -> list[Chart]:
    """The dashboard's charts (``only``: just that one), with labels in the reader's language."""
    session = get_session()
    tz = clock.city_timezone_name()
    lang = current_language()
    empty = _("Tidak ada acara pada rentang ini.")
    charts: list[Chart] = []
    want = (lambda key: key == only) if only else (lambda key: True)
    if want("occupancy") or want("attendance") or want("conflicts"):
        events = svc.events_in_range(session, city, span)
        cats = tuple(f"{_day(e.on)} · {e.slug}" for e in events)
        if want("occupancy"):
            colours = palette(2)
            charts.append(
                Chart(
                    "occupancy",
                    _("Keterisian lapak per acara"),
                    _(
                        "Lapak pedagang yang terisi (ditempatkan atau sudah hadir) dan yang "
                        "kosong pada setiap acara di rentang ini."
                    ),
                    _("Acara"),
                    cats,
                    (
                        Series(_("Terisi"), tuple(float(e.held) for e in events), colours[0]),
                        Series(
                            _("Kosong"),
                            tuple(float(max(e.booths - e.held, 0)) for e in events),
                            "#bdbdbd",
                        ),
                    ),
                    kind="stacked",
                    empty_text=empty,
                )
            )
        if want("attendance"):
            colours = palette(3)
            charts.append(
                Chart(
                    "attendance",
                    _("Tidak hadir dan daftar tunggu"),
                    _(
                        "Per acara: pedagang yang tidak hadir, yang membatalkan, dan lapak yang "
                        "diberikan lagi kepada pedagang dari daftar tunggu."
                    ),
                    _("Acara"),
                    cats,
                    (
                        Series(
                            _("Tidak hadir"), tuple(float(e.no_shows) for e in events), "#D55E00"
                        ),
                        Series(_("Batal"), tuple(float(e.cancelled) for e in events), colours[1]),
                        Series(
                            _("Diisi dari daftar tunggu"),
                            tuple(float(e.from_waitlist) for e in events),
                            colours[2],
                        ),
                    ),
                    empty_text=empty,
                )
            )
        if want("conflicts"):
            counts = svc.conflicts_per_event(session, events)
            charts.append(
                Chart(
                    "conflicts",
                    _("Konflik per acara"),
                    _(
                        "Konflik tata letak lapak tiap acara dengan fasilitas dan zona: yang "
                        "menghalangi dan yang berupa peringatan."
                    ),
                    _("Acara"),
                    cats,
                    (
                        Series(
                            _("Menghalangi"),
                            tuple(float(counts[e.event_id]["blocking"]) for e in events),
                            "#c62828",
                        ),
                        Series(
                            _("Peringatan"),
                            tuple(float(counts[e.event_id]["warning"]) for e in events),
                            "#f9a825",
                        ),
                    ),
                    kind="stacked",
                    empty_text=empty,
                )
            )
    if want("street_colour") or want("street_status"):
        weeks, by_colour, by_status = svc.street_reports_per_week(session, city, span, timezone=tz)
        cats = tuple(_day(w) for w in weeks)
        if want("street_colour"):
            charts.append(
                Chart(
                    "street_colour",
                    _("Laporan PKL per minggu menurut warna zona"),
                    _(
                        "Laporan petugas Satpol PP per minggu (mulai Senin), menurut warna zona "
                        "di titik laporan."
                    ),
                    _("Minggu mulai"),
                    cats,
                    tuple(
                        Series(
                            str(COLOUR_LABELS[c]),
                            tuple(float(by_colour[(w, c)]) for w in weeks),
                            ZONE_FILL[c],
                        )
                        for c in ("red", "yellow", "green", "none")
                    ),
                    kind="stacked",
                    empty_text=empty,
                )
            )
        if want("street_status"):
            colours = palette(len(REPORT_STATUSES))
            charts.append(
                Chart(
                    "street_status",
                    _("Akhir laporan PKL per minggu"),
                    _("Status laporan saat ini, menurut minggu laporan dibuat."),
                    _("Minggu mulai"),
                    cats,
                    tuple(
                        Series(
                            str(STATUS_LABELS[s]),
                            tuple(float(by_status[(w, s)]) for w in weeks),
                            colours[i],
                        )
                        for i, s in enumerate(REPORT_STATUSES)
                    ),
                    kind="stacked",
                    empty_text=empty,
                )
            )
    if want("desk"):
        outcomes = svc.desk_outcomes(session, city, span, timezone=tz)
        colours = palette(len(DESK_OUTCOMES))
        charts.append(
            Chart(
                "desk",
                _("Layanan meja MikroDOTS dan hasilnya"),
                _("Kunjungan yang tercatat di meja layanan per layanan, menurut hasilnya."),
                _("Layanan"),
                tuple(s.label(lang) for s in DESK_SERVICES.values()),
                tuple(
                    Series(
                        o.label(lang),
                        tuple(float(outcomes[(s, code)]) for s in DESK_SERVICES),
                        colours[i],
                    )
                    for i, (code, o) in enumerate(DESK_OUTCOMES.items())
                ),
                kind="stacked",
                empty_text=empty,
            )
        )
    if want("documents"):
        points = svc.documents_over_time(session, city, span, timezone=tz)
        colours = palette(2)
        charts.append(
            Chart(
                "documents",
                _("Dokumen pedagang dari waktu ke waktu"),
                _(
                    "Jumlah pedagang aktif yang memiliki NIB dan sertifikat halal pada akhir "
                    "setiap bulan (dihitung sejak dokumen terbit di meja layanan, atau sejak "
                    "terdaftar bila sudah dimiliki saat mendaftar)."
                ),
                _("Tanggal"),
                tuple(_day(p[0]) for p in points),
                (
                    Series(_("Memiliki NIB"), tuple(float(p[1]) for p in points), colours[0]),
                    Series(
                        _("Bersertifikat halal"), tuple(float(p[2]) for p in points), colours[1]
                    ),
                ),
                kind="line",
                empty_text=empty,
            )
        )
    return charts


def _span() -> svc.DateRange:
    return svc.parse_range(request.args.get("from"), request.args.get("to"), today=clock.today())


@bp.get("/dasbor")
@permission_required("dashboard.read")
def page() -> Response:
    """Every chart for the range, each with its data table and CSV link."""
    city = _city()
    span = _span()
    charts = [
        (c, Markup(render_svg(c)), chart_table(c))  # noqa: S704 - render_svg escapes every text
        for c in _charts(city, span)
    ]
    html = render_template(
        "dashboard/page.html",
        title=_("Dasbor Dinas"),
        city=city,
        span=span,
        charts=charts,
        query={"from": span.start.isoformat(), "to": span.end.isoformat()},
    )
    resp = Response(html)
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.get("/dasbor/<any(" + ", ".join(CHART_KEYS) + "):chart>.csv")
@permission_required("dashboard.read")
def chart_csv(chart: str) -> Response:
    """One chart's numbers as CSV; text a spreadsheet would run as a formula is escaped."""
    span = _span()
    (found,) = _charts(_city(), span, only=chart)
    header, rows = chart_table(found)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([escape_formula(h) for h in header])
    for row in rows:
        writer.writerow([escape_formula(row[0]), *row[1:]])
    resp = Response(out.getvalue(), mimetype="text/csv; charset=utf-8")
    name = f"dasbor-{chart}-{span.start.isoformat()}-{span.end.isoformat()}.csv"
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
