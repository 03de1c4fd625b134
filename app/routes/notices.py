"""Notices to the vendors of a published event, without an SMS gateway.

``GET  /planner/events/<slug>/pemberitahuan``            everyone, or ``?only=changes``
``POST /planner/events/<slug>/pemberitahuan/catat``      record as sent (``channel`` wa or sms;
                                                         ``vendor_id`` for one, else the list)
``POST /planner/events/<slug>/pemberitahuan.csv``        the CSV for an SMS gateway; recorded
"""

from __future__ import annotations

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
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app import clock
from app.auth import permission_required
from app.db import get_session
from app.i18n import localize
from app.models import Event, Vendor
from app.services import notices as svc
from app.services import vendor_access
from app.services.audit import acting_as
from app.services.errors import ServiceError
from app.services.events import get_event

bp = Blueprint("notices", __name__)

CHANGE_LABELS = {
    "new": _l("Belum pernah diberi tahu"),
    "from_waitlist": _l("Dapat lapak dari daftar tunggu"),
    "moved": _l("Pindah lapak"),
    "unchanged": _l("Tidak berubah"),
}
CHANNEL_LABELS = {"wa": _l("WhatsApp"), "sms": _l("SMS")}


def _link(vendor: Vendor) -> str:
    return vendor_access.vendor_link(
        vendor, secret_key=current_app.config["SECRET_KEY"], base_url=request.host_url
    )


def _only_changes() -> bool:
    return (request.values.get("only") or "") == "changes"


def _rows(event: Event) -> list[svc.NoticeRow]:
    return svc.notice_rows(
        get_session(),
        event,
        link_for=_link,
        tz_name=clock.city_timezone_name(),
        only_changes=_only_changes(),
    )


def _back(slug: str) -> BaseResponse:
    if _only_changes():
        return redirect(url_for("notices.page", slug=slug, only="changes"), 303)
    return redirect(url_for("notices.page", slug=slug), 303)


@bp.get("/planner/events/<slug>/pemberitahuan")
@permission_required("notices.send")
def page(slug: str) -> Any:
    """The notice list: a WhatsApp link and an SMS text per vendor."""
    event = get_event(get_session(), slug)
    rows = _rows(event)
    html = render_template(
        "notices/list.html",
        title=_("Pemberitahuan: %(name)s", name=event.name),
        event=event,
        rows=rows,
        only_changes=_only_changes(),
        change_labels=CHANGE_LABELS,
        channel_labels=CHANNEL_LABELS,
        missing_phone=sum(1 for r in rows if r.phone is None),
    )
    resp = make_response(html)
    resp.headers["Cache-Control"] = "private, no-store"
    resp.headers["Referrer-Policy"] = "same-origin"  # the page holds signed links
    return resp


@bp.post("/planner/events/<slug>/pemberitahuan/catat")
@permission_required("notices.send")
def record(slug: str) -> BaseResponse:
    """Record notices as sent: one vendor's (``vendor_id``) or the whole list shown."""
    event = get_event(get_session(), slug)
    channel = request.form.get("channel", "")
    try:
        rows = _rows(event)
        wanted = request.form.get("vendor_id", "").strip()
        if wanted:
            rows = [r for r in rows if str(r.vendor_id) == wanted]
        with acting_as(current_user.id, current_user.email):
            svc.record_notices(get_session(), event, rows, channel=channel, user_id=current_user.id)
    except ServiceError as exc:
        flash(localize(exc.msg), "error")
    else:
        flash(
            ngettext(
                "%(num)s pemberitahuan dicatat terkirim.",
                "%(num)s pemberitahuan dicatat terkirim.",
                len(rows),
            ),
            "info",
        )
    return _back(slug)


@bp.post("/planner/events/<slug>/pemberitahuan.csv")
@permission_required("notices.send")
def export_csv(slug: str) -> Any:
    """The list as CSV for an SMS gateway (formula-safe), recorded as sent."""
    event = get_event(get_session(), slug)
    try:
        rows = [r for r in _rows(event) if r.phone is not None]
        with acting_as(current_user.id, current_user.email):
            svc.record_notices(get_session(), event, rows, channel="csv", user_id=current_user.id)
    except ServiceError as exc:
        flash(localize(exc.msg), "error")
        return _back(slug)
    resp = Response(svc.notices_csv(rows), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="pemberitahuan-{event.slug}.csv"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
