"""Crew print-outs (staff only: the vendor list carries phone numbers).

``/crew/events/<slug>/layout.pdf``  overview, map segments and the vendor check-in list
``/crew/events/<slug>/vendors.pdf`` the vendor check-in list alone
``/crew/events/<slug>/labels.pdf``  a card per booth with a QR code to its check-in (A4)
``/crew/b/<booth id>``              where that QR code leads: the check-in list at that booth

``POST /crew/events/<slug>/prints/<layout|vendors|labels>`` (same query as the PDF link) makes
the print-out in the background, or joins the request making it (:mod:`app.services.print_jobs`);
``/crew/prints/<id>`` answers its progress in pages (JSON) and ``/crew/prints/<id>/pdf`` the
finished PDF. The event page uses these; the plain links above still work without a script
(they wait for a background job of the same print-out rather than draw it twice).

``?size=A3`` (default, landscape) or ``?size=A4``; the segment numbers in the list match the map
printed on the same size. ``?booths=all`` puts every booth on the list and the labels (default:
the placed vendors only); ``?names=1`` prints each stall's name under its code, at 1:500.

A finished PDF is kept in the app's cache under the city's change counter, so the next download
of the same print-out is instant until something it shows changes. The PDF code (reportlab, the
QR encoder) is imported by the views that use it, not when the app starts (every CLI command
starts the app).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, abort, current_app, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from app.auth import permission_required
from app.cache import get_cache
from app.db import get_session
from app.i18n import current_language, localize
from app.models import PRINT_DOCUMENTS, Booth, Event
from app.services.errors import NotFound, ServiceError
from app.services.events import get_event
from app.views.labels import BOOTH_LABELS, as_text
from app.views.print_labels import event_when, print_labels, printed_now

if TYPE_CHECKING:
    from app.services.print_jobs import JobView
    from app.services.printing import PrintOrder

bp = Blueprint("crew", __name__, url_prefix="/crew")

_YES = {"1", "true", "yes", "ya"}
_NO = {"", "0", "false", "no", "tidak"}


def _flag(name: str) -> bool:
    """A yes/no query parameter; anything else is a clear 400."""
    value = (request.args.get(name) or "").strip().lower()
    if value in _YES | _NO:
        return value in _YES
    raise ServiceError(
        f"Nilai '{value}' untuk '{name}' tidak dikenal (1 atau 0).",
        f"Unknown value '{value}' for '{name}' (1 or 0).",
    )


def _everyone() -> bool:
    """``?booths=all``: every booth; ``placed`` (default): the placed vendors only."""
    value = (request.args.get("booths") or "placed").strip().lower()
    if value not in ("placed", "all"):
        raise ServiceError(
            f"Pilihan lapak '{value}' tidak dikenal (placed atau all).",
            f"Unknown booth choice '{value}' (placed or all).",
        )
    return value == "all"


def booth_url() -> Callable[[int], str]:
    """The address a booth's QR code opens, by booth id: ``url_for`` once, the id spliced in
    (a thousand ``url_for`` calls cost about a third of a second)."""
    marker = 987654321
    head, tail = url_for("crew.booth_checkin", booth_id=marker, _external=True).split(str(marker))
    return lambda ident: f"{head}{int(ident)}{tail}"


def _pdf(body: bytes, filename: str, hit: bool) -> Response:
    resp = Response(body, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    resp.headers["Cache-Control"] = "private, no-store"  # vendors' phone numbers
    resp.headers["X-Cache"] = "hit" if hit else "miss"
    return resp


@bp.get("/")
@permission_required("checkin.write")
def events() -> str:
    """The crew's home: coming events first (check-in, print-outs), then past ones."""
    from flask import render_template

    from app import clock
    from app.services.event_board import figures_by_event
    from app.services.events import events_with_booth_counts

    session = get_session()
    every = [event for event, _booths in events_with_booth_counts(session)]
    today = clock.today()
    coming = sorted((e for e in every if e.date >= today), key=lambda e: e.date)
    past = [e for e in every if e.date < today]
    return render_template(
        "crew/events.html",
        coming=coming,
        past=past[:10],
        figures=figures_by_event(session, coming + past[:10]),
        title=_("Acara untuk petugas lapangan"),
    )


def print_order(event: Event, document: str) -> PrintOrder:
    """The print-out ``document`` of ``event`` as this request asks for it (``size``, ``names``,
    ``booths``), every text translated now: it may be drawn in the background."""
    from app.printing.booth_labels import LabelTexts
    from app.services import printing

    if document not in PRINT_DOCUMENTS:
        raise ServiceError(
            f"Cetakan '{document}' tidak dikenal (layout, vendors atau labels).",
            f"Unknown print-out '{document}' (layout, vendors or labels).",
        )
    everyone = _everyone()
    if document == "labels":
        return printing.PrintOrder(
            "labels",
            everyone=everyone,
            lang=current_language(),
            texts=LabelTexts(
                event=event.name,
                when=event_when(event),
                hint=_("Petugas: pindai untuk check-in lapak ini"),
                page=_("Halaman %(n)s dari %(total)s", n="{n}", total="{total}"),
            ),
            url_of=booth_url(),
            url_root=request.url_root,
            kind_captions=as_text(BOOTH_LABELS),
        )
    return printing.PrintOrder(
        document,
        paper=printing.paper_size(request.args.get("size")),
        names=_flag("names") if document == "layout" else False,
        everyone=everyone,
        lang=current_language(),
        when=event_when(event),
        printed=printed_now(),
        labels=print_labels(),
    )


def _download(slug: str, document: str) -> Response:
    from app.services import print_jobs, printing

    session = get_session()
    event = get_event(session, slug)
    order = print_order(event, document)
    body, hit = print_jobs.fetch_or_build(
        session,
        event,
        order,
        lambda: printing.render_order(session, event, order),
        cache=get_cache(),
        ttl=int(current_app.config["CACHE_TTL"]),
        stale_s=int(current_app.config["PRINT_JOB_STALE_S"]),
    )
    return _pdf(body, order.filename(event.slug), hit)


@bp.get("/events/<slug>/layout.pdf")
@permission_required("prints.read")
def layout_pdf(slug: str) -> Response:
    """The event's layout for the crew, on A3 (default) or A4 landscape."""
    return _download(slug, "layout")


@bp.get("/events/<slug>/vendors.pdf")
@permission_required("prints.read")
def vendors_pdf(slug: str) -> Response:
    """The vendor check-in list alone (segments as on the map of the same size)."""
    return _download(slug, "vendors")


@bp.get("/events/<slug>/labels.pdf")
@permission_required("prints.read")
def booth_labels_pdf(slug: str) -> Response:
    """A card per placed vendor's booth (``?booths=all``: per booth), 21 to an A4 sheet, each
    with a QR code that opens its check-in."""
    return _download(slug, "labels")


# -- the same print-outs made in the background, with progress (the event page's buttons) ------


def _job_json(job: JobView) -> dict[str, Any]:
    return {
        "id": job.id,
        "state": job.state,
        "done": job.pages_done,
        "total": job.pages_total,
        "stale": job.stale,
        "message": localize(job.message) if job.message is not None else "",
        "filename": job.filename,
        "status_url": url_for("crew.print_job", job_id=job.id),
        "file_url": url_for("crew.print_job_file", job_id=job.id),
    }


@bp.post("/events/<slug>/prints/<document>")
@permission_required("prints.read")
def start_print(slug: str, document: str) -> tuple[dict[str, Any], int]:
    """Start making a print-out (same query as its PDF link), or join the one under way.

    202 while it is being made, 200 when it is ready (``file_url``).
    """
    from app.services import print_jobs

    session = get_session()
    event = get_event(session, slug)
    order = print_order(event, document)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    job = print_jobs.start_print(
        session,
        event,
        order,
        app=app,
        runner=print_jobs.runner_for(app),
        cache=get_cache(),
        ttl=int(current_app.config["CACHE_TTL"]),
        stale_s=int(current_app.config["PRINT_JOB_STALE_S"]),
        keep_s=int(current_app.config["PRINT_JOB_KEEP_S"]),
    )
    return _job_json(job), 200 if job.state == "done" else 202


@bp.get("/prints/<id:job_id>")
@permission_required("prints.read")
def print_job(job_id: int) -> dict[str, Any]:
    """A print-out's progress: ``state`` (running, done, failed), pages ``done`` of ``total``."""
    from app.services import print_jobs

    job = print_jobs.print_status(
        get_session(), job_id, stale_s=int(current_app.config["PRINT_JOB_STALE_S"])
    )
    if job is None:
        raise NotFound(
            "Pencetakan ini tidak ada (lagi); minta cetak sekali lagi.",
            "This print is not there (any more); ask for it again.",
        )
    return _job_json(job)


@bp.get("/prints/<id:job_id>/pdf")
@permission_required("prints.read")
def print_job_file(job_id: int) -> Response:
    """The finished print-out, as made by its job."""
    from app.services import print_jobs

    found = print_jobs.print_file(get_session(), job_id)
    if found is None:
        abort(404)
    filename, body = found
    return _pdf(body, filename, True)


@bp.get("/b/<id:booth_id>")
@permission_required("checkin.write")
def booth_checkin(booth_id: int) -> BaseResponse:
    """A booth label's QR code: the check-in list of the booth's event, at that booth.

    Short on purpose (a QR code of a short address has bigger modules on a small label).
    """
    booth = get_session().get(Booth, booth_id)
    if booth is None or booth.event is None:
        abort(404)
    return redirect(url_for("checkin.page", slug=booth.event.slug, q=booth.code))
