"""JSON actions of the planner's event page: assign, move, swap, pin, unpin, unassign.

Each answers with a sentence in the reader's language, the booths it changed (state, vendor) and
the event's new figures, so the page updates the map, the table and the figures in place. Every
action is one transaction in :mod:`app.services.assignments`; a refusal is a 4xx with the reason
(``{"error": …, "message": …}``, from the shared error handler). CSRF: the page sends its token in
the ``X-CSRFToken`` header.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import permission_required
from app.db import get_session
from app.models import Event
from app.routes.inputs import json_object
from app.services import assignments as svc
from app.services.audit import acting_as
from app.services.conflicts import event_conflicts
from app.services.errors import ServiceError
from app.services.event_board import EventFigures, board_booths, event_figures
from app.services.events import get_event
from app.services.params import INT4_MAX, bounded_int

bp = Blueprint("event_api", __name__, url_prefix="/api/events")


def figures_json(figures: EventFigures) -> dict[str, Any]:
    """The figures as the page's script shows them."""
    return {
        "booths": figures.booths,
        "placed": figures.placed,
        "waitlist": figures.waitlist,
        "confirmed": figures.confirmed,
        "checked_in": figures.checked_in,
        "conflicts": figures.conflicts,
        "empty": figures.empty,
        "categories": [
            {
                "category": c.category,
                "section": c.section,
                "placed": c.placed,
                "cap": c.cap,
                "over": c.over,
            }
            for c in figures.categories
        ],
    }


def _answer(event: Event, message: str, codes: list[str]) -> dict[str, Any]:
    session = get_session()
    conflicts = event_conflicts(
        session, event, cache=current_app.extensions.get("petalapak.context_cache")
    )
    booths = board_booths(session, event, conflicts, lang=str(get_locale()), codes=codes)
    return {
        "message": message,
        "booths": [b.to_json() for b in booths],
        "figures": figures_json(event_figures(session, event, conflicts)),
    }


def _booth_code(body: dict[str, Any]) -> str:
    code = body.get("booth_code")
    if not isinstance(code, str) or not code.strip():
        raise ServiceError(
            "booth_code: tulis kode lapak tujuan, mis. AY-0001.",
            "booth_code: give the target booth's code, e.g. AY-0001.",
        )
    return code


@bp.get("/<slug>/board")
@permission_required("events.edit")
def board(slug: str) -> dict[str, Any]:
    """Every booth's state and vendor, and the figures (the page refreshes from here)."""
    session = get_session()
    event = get_event(session, slug)
    conflicts = event_conflicts(
        session, event, cache=current_app.extensions.get("petalapak.context_cache")
    )
    booths = board_booths(session, event, conflicts, lang=str(get_locale()))
    return {
        "booths": [b.to_json() for b in booths],
        "figures": figures_json(event_figures(session, event, conflicts)),
    }


@bp.post("/<slug>/assignments")
@permission_required("events.edit")
def assign(slug: str) -> tuple[dict[str, Any], int]:
    """``{"vendor_id": 12, "booth_code": "AY-0001"}``: place a vendor on a free booth (pinned)."""
    session = get_session()
    event = get_event(session, slug)
    body = json_object()
    vendor_id = bounded_int(body.get("vendor_id"), field="vendor_id", minimum=1, maximum=INT4_MAX)
    with acting_as(current_user.id, current_user.email):
        a = svc.assign(session, event, vendor_id, _booth_code(body))
    message = _(
        "%(name)s ditempatkan di lapak %(code)s dan disematkan.",
        name=a.vendor.business_name,
        code=a.booth.code,
    )
    return _answer(event, message, [a.booth.code]), 201


@bp.post("/<slug>/assignments/<id:ident>/move")
@permission_required("events.edit")
def move(slug: str, ident: int) -> dict[str, Any]:
    """``{"booth_code": "AY-0002"}``: move the vendor to a free booth (pinned)."""
    session = get_session()
    event = get_event(session, slug)
    body = json_object()
    code = _booth_code(body)
    a = svc.get_assignment(session, event, ident)
    before = svc.vendor_booth_codes(session, event, a.vendor_id) or [a.booth.code]
    with acting_as(current_user.id, current_user.email):
        a = svc.move(session, event, ident, code)
    after = svc.vendor_booth_codes(session, event, a.vendor_id)
    message = _(
        "%(name)s dipindahkan dari %(old)s ke %(code)s dan disematkan.",
        name=a.vendor.business_name,
        old=", ".join(before),
        code=", ".join(after),
    )
    return _answer(event, message, sorted(set(before) | set(after)))


@bp.post("/<slug>/assignments/<id:ident>/swap")
@permission_required("events.edit")
def swap(slug: str, ident: int) -> dict[str, Any]:
    """``{"booth_code": "AY-0002"}``: swap booths with the vendor placed there (both pinned)."""
    session = get_session()
    event = get_event(session, slug)
    code = _booth_code(json_object())
    with acting_as(current_user.id, current_user.email):
        a, b = svc.swap(session, event, ident, code)
    message = _(
        "%(a)s (%(code_a)s) dan %(b)s (%(code_b)s) bertukar lapak; keduanya disematkan.",
        a=a.vendor.business_name,
        code_a=a.booth.code,
        b=b.vendor.business_name,
        code_b=b.booth.code,
    )
    return _answer(event, message, [a.booth.code, b.booth.code])


@bp.post("/<slug>/assignments/<id:ident>/pin")
@permission_required("events.edit")
def pin(slug: str, ident: int) -> dict[str, Any]:
    """``{"pinned": true | false}``: pin (kept by the next allocation run) or unpin."""
    session = get_session()
    event = get_event(session, slug)
    pinned = json_object().get("pinned")
    if not isinstance(pinned, bool):
        raise ServiceError("pinned: tulis true atau false.", "pinned: give true or false.")
    with acting_as(current_user.id, current_user.email):
        a = svc.set_pin(session, event, ident, pinned)
    if pinned:
        message = _(
            "Lapak %(code)s disematkan: alokasi berikutnya tidak mengubahnya.", code=a.booth.code
        )
    else:
        message = _("Sematan lapak %(code)s dilepas.", code=a.booth.code)
    return _answer(event, message, [a.booth.code])


@bp.post("/<slug>/assignments/<id:ident>/unassign")
@permission_required("events.edit")
def unassign(slug: str, ident: int) -> dict[str, Any]:
    """Take the vendor off their booth (kept as cancelled; assigning again undoes it)."""
    session = get_session()
    event = get_event(session, slug)
    with acting_as(current_user.id, current_user.email):
        a = svc.unassign(session, event, ident)
    message = _(
        "%(name)s dilepas dari lapak %(code)s. Untuk membatalkan, tempatkan lagi dari daftar "
        "pedagang.",
        name=a.vendor.business_name,
        code=a.booth.code,
    )
    body = _answer(event, message, [a.booth.code])
    body["undo"] = {"vendor_id": a.vendor_id, "booth_code": a.booth.code}
    return body
