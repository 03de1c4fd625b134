"""Crew print-outs (staff only: the vendor list carries phone numbers).

``/crew/events/<slug>/layout.pdf``  overview, map segments and the vendor check-in list
``/crew/events/<slug>/vendors.pdf`` the vendor check-in list alone

``?size=A3`` (default, landscape) or ``?size=A4``; the segment numbers in the list match the map
printed on the same size.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from app.auth import role_required
from app.db import get_session
from app.services import printing
from app.services.events import get_event
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
    body = printing.layout_pdf(session, event, labels=print_labels(), when=event_when(event),
                               printed=printed_now(), paper=size)
    return _pdf(body, f"{event.slug}-tata-letak-{size}.pdf")


@bp.get("/events/<slug>/vendors.pdf")
@role_required("crew")
def vendors_pdf(slug: str) -> Response:
    """The vendor check-in list alone (segments as on the map of the same size)."""
    session = get_session()
    event = get_event(session, slug)
    size = printing.paper_size(request.args.get("size"))
    body = printing.vendor_list_pdf(session, event, labels=print_labels(),
                                    when=event_when(event), printed=printed_now(), paper=size)
    return _pdf(body, f"{event.slug}-pedagang-{size}.pdf")
