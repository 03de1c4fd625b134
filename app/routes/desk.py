"""MikroDOTS desks: the desk officer's phone pages, the walk-in visitors, the desk reports.

``GET  /layanan``                                     events with service desks
``GET  /layanan/<event>``                             the event's desks, waiting and logged
``GET  /layanan/<event>/meja/<desk>``                 a desk's queue: "Berikutnya", the log form
``GET  /layanan/<event>/meja/<desk>/cari?q=``         the same page with registered vendors found
``POST /layanan/<event>/meja/<desk>/antre``           queue a vendor (``vendor_id``) or a visitor
``POST /layanan/<event>/meja/<desk>/berikutnya``      call the next in the queue
``POST /layanan/kunjungan/<visit>/catat``             log the visit (service, outcome, follow-up)
``POST /layanan/kunjungan/<visit>/batal``             the visitor left
``POST /layanan/kunjungan/<visit>/batalkan-catatan``  take back today's log (documents restored)
``GET  /layanan/pengunjung``                          walk-in visitors to link, with suggestions
``POST /layanan/kunjungan/<visit>/tautkan``           link a visitor's visits to a vendor
``GET  /layanan/<event>/laporan[.pdf]?desk=``         the report per event (or per desk)
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from app import clock
from app.auth import permission_required
from app.db import get_session
from app.desk_services import DESK_OUTCOMES, DESK_SERVICES, services_for_desk
from app.i18n import current_language, localize
from app.models import Booth, City, Event
from app.printing.desk_report import DeskReportData, ReportRow, render_desk_report_pdf
from app.services import desk as svc
from app.services.audit import acting_as
from app.services.cities import default_city
from app.services.errors import NotFound, ServiceError
from app.services.vendors import get_vendor

bp = Blueprint("desk", __name__)


def _city() -> City:
    city = default_city(get_session(), current_app.config["DEFAULT_CITY"])
    if city is None:
        raise NotFound("Kota belum disiapkan.", "The city is not set up yet.")
    return city


def _no_store(resp: Response) -> Response:
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def _page(template: str, **ctx: Any) -> Response:
    lang = current_language()
    return _no_store(
        Response(
            render_template(
                template,
                services={c: s.label(lang) for c, s in DESK_SERVICES.items()},
                outcomes={c: o.label(lang) for c, o in DESK_OUTCOMES.items()},
                **ctx,
            )
        )
    )


def _event(event_slug: str) -> Event:
    return svc.get_desk_event(get_session(), _city(), event_slug)


def _desk(event_slug: str, booth_id: int) -> tuple[Event, Booth]:
    event = _event(event_slug)
    return event, svc.get_desk(get_session(), event, booth_id)


def _optional_id(name: str) -> int | None:
    raw = request.values.get(name, "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 and int(raw) > 0 else None


@bp.get("/layanan")
@permission_required("desk.read")
def events() -> Response:
    """Events with MikroDOTS desks, newest first."""
    return _page(
        "desk/events.html",
        title=_("Meja layanan MikroDOTS"),
        events=svc.desk_events(get_session(), _city()),
        today=clock.today(),
    )


@bp.get("/layanan/<event_slug>")
@permission_required("desk.read")
def event_desks(event_slug: str) -> Response:
    """The event's desks with how many wait and how many were logged."""
    event = _event(event_slug)
    session = get_session()
    return _page(
        "desk/desks.html",
        title=_("Meja layanan: %(name)s", name=event.name),
        event=event,
        desks=svc.desks_of(session, event),
        counts=svc.waiting_counts(session, event),
    )


def _queue_page(event: Event, desk: Booth, *, found: Any = None, q: str = "") -> Response:
    lang = current_language()
    offered = services_for_desk(desk.service)
    return _page(
        "desk/queue.html",
        title=_("Meja %(code)s", code=desk.label or desk.code),
        event=event,
        desk=desk,
        queue=svc.queue_of(get_session(), desk),
        offered=[(s.code, s.label(lang), s.outcomes, s.document) for s in offered],
        found=found,
        q=q,
        today=clock.today(),
        tz=clock.city_timezone(),
    )


@bp.get("/layanan/<event_slug>/meja/<id:booth_id>")
@permission_required("desk.read")
def queue(event_slug: str, booth_id: int) -> Response:
    """A desk's queue on a phone: who is at the desk, who waits, and the log form."""
    event, desk = _desk(event_slug, booth_id)
    return _queue_page(event, desk)


@bp.get("/layanan/<event_slug>/meja/<id:booth_id>/cari")
@permission_required("vendors.lookup")
def lookup(event_slug: str, booth_id: int) -> Response:
    """The desk's page with the registered vendors whose name or phone matches ``q``."""
    event, desk = _desk(event_slug, booth_id)
    q = request.args.get("q", "")[:80]
    found = svc.lookup_vendors(get_session(), _city(), q)
    return _queue_page(event, desk, found=found, q=q)


def _back_to(event: Event, desk: Booth) -> Any:
    return redirect(url_for("desk.queue", event_slug=event.slug, booth_id=desk.id), 303)


@bp.post("/layanan/<event_slug>/meja/<id:booth_id>/antre")
@permission_required("desk.write")
def enqueue(event_slug: str, booth_id: int) -> Any:
    """Queue a registered vendor (``vendor_id``) or a visitor by ``name`` and ``phone``."""
    event, desk = _desk(event_slug, booth_id)
    session = get_session()
    vendor_id = _optional_id("vendor_id")
    try:
        vendor = get_vendor(session, vendor_id, city=_city()) if vendor_id else None
        with acting_as(current_user.id, current_user.email):
            visit = svc.enqueue(
                session,
                desk,
                vendor=vendor,
                name=request.form.get("name"),
                phone=request.form.get("phone"),
                now=clock.now(),
            )
    except ServiceError as exc:
        flash(localize(exc.msg), "error")
    else:
        flash(_("Nomor antrean %(n)s.", n=visit.queue_no), "info")
    return _back_to(event, desk)


@bp.post("/layanan/<event_slug>/meja/<id:booth_id>/berikutnya")
@permission_required("desk.write")
def next(event_slug: str, booth_id: int) -> Any:  # noqa: A001 - the button's name
    """ "Berikutnya": the first in the queue comes to the desk."""
    event, desk = _desk(event_slug, booth_id)
    try:
        with acting_as(current_user.id, current_user.email):
            visit = svc.call_next(get_session(), desk, now=clock.now(), officer=current_user)
    except ServiceError as exc:
        flash(localize(exc.msg), "error")
    else:
        flash(_("Dipanggil: nomor %(n)s.", n=visit.queue_no), "info")
    return _back_to(event, desk)


def _visit(visit_id: int) -> Any:
    return svc.get_visit(get_session(), _city(), visit_id)


@bp.post("/layanan/kunjungan/<id:visit_id>/catat")
@permission_required("desk.write")
def log(visit_id: int) -> Any:
    """Log the visit: service, outcome, an issued document, note, follow-up and its due date."""
    visit = _visit(visit_id)
    form = request.form
    try:
        with acting_as(current_user.id, current_user.email):
            svc.log_visit(
                get_session(),
                visit,
                service=form.get("service", ""),
                outcome=form.get("outcome", ""),
                document_no=form.get("document_no"),
                document_expiry=form.get("document_expiry"),
                note=form.get("note"),
                follow_up=form.get("follow_up"),
                follow_up_due=form.get("follow_up_due"),
                officer=current_user,
                now=clock.now(),
            )
    except ServiceError as exc:
        flash(localize(exc.msg), "error")
    else:
        flash(_("Kunjungan nomor %(n)s tercatat.", n=visit.queue_no), "info")
    return _back_to(visit.event, visit.booth)


@bp.post("/layanan/kunjungan/<id:visit_id>/batal")
@permission_required("desk.write")
def cancel(visit_id: int) -> Any:
    """The visitor left before being served."""
    visit = _visit(visit_id)
    try:
        with acting_as(current_user.id, current_user.email):
            svc.cancel_visit(get_session(), visit, officer=current_user)
    except ServiceError as exc:
        flash(localize(exc.msg), "error")
    else:
        flash(_("Nomor %(n)s ditandai pergi.", n=visit.queue_no), "info")
    return _back_to(visit.event, visit.booth)


@bp.post("/layanan/kunjungan/<id:visit_id>/batalkan-catatan")
@permission_required("desk.write")
def undo_log(visit_id: int) -> Any:
    """Take back a visit logged today by mistake: it is at the desk again."""
    visit = _visit(visit_id)
    try:
        with acting_as(current_user.id, current_user.email):
            svc.undo_log(
                get_session(), visit, today=clock.today(), timezone=clock.city_timezone_name()
            )
    except ServiceError as exc:
        flash(localize(exc.msg), "error")
    else:
        flash(_("Catatan nomor %(n)s dibatalkan; catat ulang.", n=visit.queue_no), "info")
    return _back_to(visit.event, visit.booth)


@bp.get("/layanan/pengunjung")
@permission_required("desk.read")
def visitors() -> Response:
    """Walk-in visitors not linked to a vendor, with the vendors their phone matches."""
    return _page(
        "desk/visitors.html",
        title=_("Pengunjung belum tertaut"),
        visitors=svc.unlinked_visitors(get_session(), _city()),
    )


@bp.post("/layanan/kunjungan/<id:visit_id>/tautkan")
@permission_required("desk.write")
def link(visit_id: int) -> Any:
    """Link the visitor's visits to a registered vendor (``vendor_id``)."""
    visit = _visit(visit_id)
    session = get_session()
    vendor_id = _optional_id("vendor_id")
    try:
        if vendor_id is None:
            raise ServiceError(
                "Pilih pedagang yang akan ditautkan.", "Choose the vendor to link to."
            )
        vendor = get_vendor(session, vendor_id, city=_city())
        with acting_as(current_user.id, current_user.email):
            count = svc.link_visitor(session, visit, vendor)
    except ServiceError as exc:
        flash(localize(exc.msg), "error")
    else:
        flash(
            _("%(n)s kunjungan ditautkan ke %(name)s.", n=count, name=vendor.business_name),
            "info",
        )
    return redirect(url_for("desk.visitors"), 303)


def _report(event_slug: str) -> svc.DeskReport:
    event = _event(event_slug)
    desk_id = _optional_id("desk")
    desk = svc.get_desk(get_session(), event, desk_id) if desk_id is not None else None
    return svc.desk_report(get_session(), event, desk=desk, today=clock.today())


@bp.get("/layanan/<event_slug>/laporan")
@permission_required("desk.read")
def report(event_slug: str) -> Response:
    """The desk report of the event (or one desk): services, outcomes, follow-ups due."""
    rep = _report(event_slug)
    return _page(
        "desk/report.html",
        title=_("Laporan layanan: %(name)s", name=rep.event.name),
        rep=rep,
        desks=svc.desks_of(get_session(), rep.event),
    )


@bp.get("/layanan/<event_slug>/laporan.pdf")
@permission_required("desk.read")
def report_pdf(event_slug: str) -> Response:
    """The same report as a PDF for the Dinas' files."""
    rep = _report(event_slug)
    lang = current_language()
    data = DeskReportData(
        title=_("Laporan layanan MikroDOTS"),
        subtitle=rep.event.name
        + (f" · {_('Meja')} {rep.desk.label or rep.desk.code}" if rep.desk else ""),
        totals=_(
            "%(v)s kunjungan tercatat, %(p)s pedagang/pengunjung dibantu, %(w)s menunggu.",
            v=rep.visits,
            p=rep.vendors,
            w=rep.waiting,
        ),
        service_heading=(_("Layanan"), _("Kunjungan"), _("Pedagang"), _("Hasil")),
        services=[
            ReportRow(
                (
                    DESK_SERVICES[line.service].label(lang),
                    str(line.visits),
                    str(line.vendors),
                    "; ".join(
                        f"{DESK_OUTCOMES[o].label(lang)}: {n}"
                        for o, n in sorted(line.outcomes.items())
                    )
                    or "—",
                )
            )
            for line in rep.lines
        ],
        follow_up_title=_("Tindak lanjut"),
        follow_up_heading=(_("Jatuh tempo"), _("Pedagang"), _("Layanan"), _("Tindak lanjut")),
        follow_ups=[
            ReportRow(
                (
                    format_date(f.due, "medium") + (f" ({_('lewat')})" if f.overdue else ""),
                    f.who + (f" · {f.phone}" if f.phone else ""),
                    DESK_SERVICES[f.service].label(lang) if f.service in DESK_SERVICES else "",
                    f.follow_up,
                ),
                highlight=f.overdue,
            )
            for f in rep.follow_ups
        ],
        none_text=_("Tidak ada."),
        footer=_("Dicetak %(when)s dari PetaLapak", when=format_date(clock.today(), "long")),
    )
    resp = Response(render_desk_report_pdf(data), mimetype="application/pdf")
    name = f"laporan-layanan-{rep.event.slug}" + (f"-meja-{rep.desk.id}" if rep.desk else "")
    resp.headers["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return _no_store(resp)
