"""Crew print-outs (staff only: the vendor list carries phone numbers).

``/crew/events/<slug>/layout.pdf``  overview, map segments and the vendor check-in list
``/crew/events/<slug>/vendors.pdf`` the vendor check-in list alone
``/crew/events/<slug>/labels.pdf``  a card per booth with a QR code to its check-in (A4)
``/crew/b/<booth id>``              where that QR code leads: the check-in list at that booth

``?size=A3`` (default, landscape) or ``?size=A4``; the segment numbers in the list match the map
printed on the same size.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from app.auth import role_required
from app.db import get_session
from app.models import Booth
from app.printing.booth_labels import LabelTexts
from app.services import printing
from app.services.events import get_event
from app.views.labels import BOOTH_LABELS, as_text
from app.views.print_labels import event_when, print_labels, printed_now

bp = Blueprint("crew", __name__, url_prefix="/crew")


def _pdf(body: bytes, filename: str) -> Response:
    resp = Response(body, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    resp.headers["Cache-Control"] = "private, no-store"  # vendors' phone numbers
    return resp


@bp.get("/events/<slug>/layout.pdf")
@role_required("crew")
def layout_pdf(slug: str) -> Response:
    """The event's layout for the crew, on A3 (default) or A4 landscape."""
    session = get_session()
    event = get_event(session, slug)
    size = printing.paper_size(request.args.get("size"))
    body = printing.layout_pdf(
        session,
        event,
        labels=print_labels(),
        when=event_when(event),
        printed=printed_now(),
        paper=size,
    )
    return _pdf(body, f"{event.slug}-tata-letak-{size}.pdf")


@bp.get("/events/<slug>/vendors.pdf")
@role_required("crew")
def vendors_pdf(slug: str) -> Response:
    """The vendor check-in list alone (segments as on the map of the same size)."""
    session = get_session()
    event = get_event(session, slug)
    size = printing.paper_size(request.args.get("size"))
    body = printing.vendor_list_pdf(
        session,
        event,
        labels=print_labels(),
        when=event_when(event),
        printed=printed_now(),
        paper=size,
    )
    return _pdf(body, f"{event.slug}-pedagang-{size}.pdf")


@bp.get("/events/<slug>/labels.pdf")
@role_required("crew")
def booth_labels_pdf(slug: str) -> Response:
    """A card per booth, 21 to an A4 sheet, each with a QR code that opens its check-in."""
    session = get_session()
    event = get_event(session, slug)
    texts = LabelTexts(
        event=event.name,
        when=event_when(event),
        hint=_("Petugas: pindai untuk check-in lapak ini"),
        page=_("Halaman %(n)s dari %(total)s", n="{n}", total="{total}"),
    )
    body = printing.booth_labels_pdf(
        session,
        event,
        texts=texts,
        kind_captions=as_text(BOOTH_LABELS),
        url_of=lambda ident: url_for("crew.booth_checkin", booth_id=ident, _external=True),
    )
    return _pdf(body, f"{event.slug}-label-lapak.pdf")


@bp.get("/b/<int:booth_id>")
@role_required("crew")
def booth_checkin(booth_id: int) -> BaseResponse:
    """A booth label's QR code: the check-in list of the booth's event, at that booth.

    Short on purpose (a QR code of a short address has bigger modules on a small label).
    """
    booth = get_session().get(Booth, booth_id)
    if booth is None or booth.event is None:
        abort(404)
    return redirect(url_for("checkin.page", slug=booth.event.slug, q=booth.code))
