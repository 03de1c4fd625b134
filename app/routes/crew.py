"""Crew print-outs (staff only: the vendor list carries phone numbers).

``/crew/events/<slug>/layout.pdf``  overview, map segments and the vendor check-in list
``/crew/events/<slug>/vendors.pdf`` the vendor check-in list alone
``/crew/events/<slug>/labels.pdf``  a card per booth with a QR code to its check-in (A4)
``/crew/b/<booth id>``              where that QR code leads: the check-in list at that booth

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

from flask import Blueprint, Response, abort, current_app, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from app.auth import permission_required
from app.cache import get_cache
from app.db import get_session
from app.i18n import current_language
from app.models import Booth, Event
from app.services.errors import ServiceError
from app.services.events import get_event
from app.views.labels import BOOTH_LABELS, as_text
from app.views.print_labels import event_when, print_labels, printed_now

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


def _cached(
    session: Session,
    event: Event,
    parts: list[str],
    build: Callable[[], bytes],
    *,
    layout_only: bool = False,
) -> tuple[bytes, bool]:
    from app.services import printing

    return printing.cached_pdf(
        session,
        event,
        cache=get_cache(),
        ttl=int(current_app.config["CACHE_TTL"]),
        parts=[*parts, str(get_locale() or "")],
        build=build,
        layout_only=layout_only,
    )


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


@bp.get("/events/<slug>/layout.pdf")
@permission_required("prints.read")
def layout_pdf(slug: str) -> Response:
    """The event's layout for the crew, on A3 (default) or A4 landscape."""
    from app.services import printing

    session = get_session()
    event = get_event(session, slug)
    size = printing.paper_size(request.args.get("size"))
    names, everyone = _flag("names"), _everyone()
    body, hit = _cached(
        session,
        event,
        ["layout", size, str(names), str(everyone)],
        lambda: printing.layout_pdf(
            session,
            event,
            labels=print_labels(),
            when=event_when(event),
            printed=printed_now(),
            paper=size,
            names=names,
            everyone=everyone,
            lang=current_language(),
        ),
    )
    suffix = "-nama" if names else ""
    return _pdf(body, f"{event.slug}-tata-letak-{size}{suffix}.pdf", hit)


@bp.get("/events/<slug>/vendors.pdf")
@permission_required("prints.read")
def vendors_pdf(slug: str) -> Response:
    """The vendor check-in list alone (segments as on the map of the same size)."""
    from app.services import printing

    session = get_session()
    event = get_event(session, slug)
    size = printing.paper_size(request.args.get("size"))
    everyone = _everyone()
    body, hit = _cached(
        session,
        event,
        ["vendors", size, str(everyone)],
        lambda: printing.vendor_list_pdf(
            session,
            event,
            labels=print_labels(),
            when=event_when(event),
            printed=printed_now(),
            paper=size,
            everyone=everyone,
            lang=current_language(),
        ),
    )
    return _pdf(body, f"{event.slug}-pedagang-{size}.pdf", hit)


@bp.get("/events/<slug>/labels.pdf")
@permission_required("prints.read")
def booth_labels_pdf(slug: str) -> Response:
    """A card per placed vendor's booth (``?booths=all``: per booth), 21 to an A4 sheet, each
    with a QR code that opens its check-in."""
    from app.printing.booth_labels import LabelTexts
    from app.services import printing

    session = get_session()
    event = get_event(session, slug)
    everyone = _everyone()
    texts = LabelTexts(
        event=event.name,
        when=event_when(event),
        hint=_("Petugas: pindai untuk check-in lapak ini"),
        page=_("Halaman %(n)s dari %(total)s", n="{n}", total="{total}"),
    )
    body, hit = _cached(
        session,
        event,
        ["labels", str(everyone), request.url_root],
        lambda: printing.booth_labels_pdf(
            session,
            event,
            texts=texts,
            kind_captions=as_text(BOOTH_LABELS),
            url_of=booth_url(),
            everyone=everyone,
        ),
        layout_only=True,
    )
    suffix = "-semua" if everyone else ""
    return _pdf(body, f"{event.slug}-label-lapak{suffix}.pdf", hit)


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
