"""Crew check-in on the event day, on a phone (crew, planners and admins).

``GET  /crew/events/<slug>/checkin``                    booth list with search (``?q=``)
``POST /crew/events/<slug>/checkin/<id>``               mark (form field ``status``; CSRF form)
``POST /crew/events/<slug>/checkin/release``            after the cut-off: release no-shows' booths
``GET  /api/crew/events/<slug>/checkin``                the list as JSON (to refresh)
``POST /api/crew/events/<slug>/checkin/<id>``           mark as JSON ``{status}`` (X-CSRFToken)

The page's script marks optimistically and then shows the status the server answers with; the
forms work without it. Every change is audited under the crew member's account.
"""

from __future__ import annotations

from datetime import datetime, time
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
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from app import clock
from app.auth import permission_required
from app.db import get_session
from app.i18n import localize
from app.models import Event
from app.services import checkin as svc
from app.services.audit import acting_as
from app.services.errors import ServiceError
from app.services.events import corridor_bounds, get_event
from app.services.geojson import zones_fc
from app.services.places import event_places

bp = Blueprint("checkin", __name__)

STATUS_LABELS = {
    "assigned": _l("Belum datang"),
    "checked_in": _l("Hadir"),
    "no_show": _l("Tidak hadir"),
    "cancelled": _l("Dibatalkan pedagang"),
}

#: The map's states: the list's, plus booths nobody holds and the service desks.
MAP_STATE_LABELS = {
    **STATUS_LABELS,
    "free": _l("Lapak kosong"),
    "service_desk": _l("Meja layanan"),
}


def _cutoff(event: Event) -> datetime:
    return svc.cutoff(
        event,
        minutes=int(current_app.config["CHECKIN_CUTOFF_MINUTES"]),
        tz=clock.city_timezone_name(),
    )


def _row_json(row: svc.CheckinRow) -> dict[str, Any]:
    return {
        "assignment_id": row.assignment_id,
        "booth_code": row.booth_code,
        "business_name": row.business_name,
        "owner_name": row.owner_name,
        "status": row.status,
        "confirmed": row.confirmed,
    }


def _places(event: Event, rows: list[svc.CheckinRow]) -> dict[int, str]:
    """Each row's booth's place in words, in the reader's language, by booth id."""
    found = event_places(get_session(), event, [r.booth_id for r in rows])
    return {booth_id: localize(msg) for booth_id, msg in found.items()}


def _map(event: Event, rows: list[svc.CheckinRow]) -> dict[str, str] | None:
    """The event's booths coloured by check-in state, the basemap beneath (None: no booths)."""
    from app.services.basemap import basemap_source
    from app.views.basemap_view import basemap_layer
    from app.views.checkin_map import checkin_map_parts  # folium: loaded here

    session = get_session()
    booths = svc.checkin_map_booths(session, event, rows)
    if not booths:
        return None
    labels = {k: str(v) for k, v in MAP_STATE_LABELS.items()}
    return checkin_map_parts(
        [
            {"code": b.code, "state": b.state, "business_name": b.business_name,
             "geometry": b.geometry}
            for b in booths
        ],
        corridors=zones_fc(session, event.city, ids=[z.id for z in event.corridors]),
        state_labels=labels,
        legend_title=_("Keadaan lapak"),
        toggle_label=_("Legenda"),
        static_base=url_for("static", filename="vendor"),
        bounds=corridor_bounds(session, event),
        tiles=current_app.config["MAP_TILES"],
        tiles_attribution=current_app.config["MAP_TILES_ATTRIBUTION"],
        basemap=basemap_layer(event.city.slug, basemap_source(session, event.city_id)),
    )  # fmt: skip


def _no_store(resp: Response | WerkzeugResponse) -> Any:
    resp.headers["Cache-Control"] = "private, no-store"  # vendors' names
    return resp


def _hours(t: time | datetime) -> str:
    """A time of day as the reader writes it: 06.30 in Indonesian, 06:30 in English."""
    locale = get_locale()
    return t.strftime("%H:%M" if locale is not None and locale.language == "en" else "%H.%M")


@bp.get("/crew/events/<slug>/checkin")
@permission_required("checkin.write")
def page(slug: str) -> Any:
    """The booth list: search, one tap to mark checked in or no-show."""
    session = get_session()
    event = get_event(session, slug)
    query = request.args.get("q", "").strip()[:80]
    every_row = svc.checkin_rows(session, event)
    rows = [r for r in every_row if r.matches(query)] if query else every_row
    counts = {s: 0 for s in STATUS_LABELS}
    for row in every_row:
        counts[row.status] += 1
    cut = _cutoff(event)
    api_base = url_for("checkin.api_mark", slug=event.slug, assignment_id=0)[:-1]
    html = render_template(
        "crew/checkin.html",
        event=event,
        rows=rows,
        places=_places(event, rows),
        query=query,
        counts=counts,
        status_labels=STATUS_LABELS,
        status_text={k: str(v) for k, v in STATUS_LABELS.items()},
        cutoff=cut,
        after_cutoff=clock.now() >= cut,
        api_base=api_base,
        checkin_map=_map(event, every_row),
        title=_("Check-in %(name)s", name=event.name),
        long_date=lambda d: format_date(d, "full"),
        hours=_hours,
    )
    return _no_store(Response(html))


def _mark(slug: str, assignment_id: int, status: str) -> svc.MarkResult:
    session = get_session()
    event = get_event(session, slug)
    with acting_as(current_user.id, current_user.email):
        return svc.mark(session, event, assignment_id, status)


@bp.post("/crew/events/<slug>/checkin/<id:assignment_id>")
@permission_required("checkin.write")
def mark(slug: str, assignment_id: int) -> Any:
    """Mark from the plain form (no script): back to the list at the same booth."""
    try:
        _mark(slug, assignment_id, request.form.get("status", ""))
    except ServiceError as exc:
        if exc.status == 404:
            raise
        flash(localize(exc.msg), "error")
    back = url_for("checkin.page", slug=slug, q=request.form.get("q") or None)
    return redirect(f"{back}#a-{assignment_id}", 303)


@bp.post("/crew/events/<slug>/checkin/release")
@permission_required("checkin.write")
def release(slug: str) -> Any:
    """After the cut-off: free the no-shows' booths and offer each to the waitlist's next."""
    session = get_session()
    event = get_event(session, slug)
    try:
        with acting_as(current_user.id, current_user.email):
            released = svc.release_no_shows(
                session,
                event,
                now=clock.now(),
                cutoff_minutes=int(current_app.config["CHECKIN_CUTOFF_MINUTES"]),
                tz=clock.city_timezone_name(),
            )
    except ServiceError as exc:
        if exc.status == 404:
            raise
        flash(localize(exc.msg), "error")
        return redirect(url_for("checkin.page", slug=slug), 303)
    offered = [r for r in released if r.offer is not None]
    if not released:
        flash(_("Tidak ada lapak pedagang tidak hadir yang perlu dilepas."), "info")
    else:
        flash(
            ngettext(
                "%(num)s lapak dilepas; %(offered)s ditawarkan ke daftar tunggu.",
                "%(num)s lapak dilepas; %(offered)s ditawarkan ke daftar tunggu.",
                len(released),
                offered=len(offered),
            ),
            "info",
        )
    return redirect(url_for("checkin.page", slug=slug), 303)


@bp.get("/api/crew/events/<slug>/checkin")
@permission_required("checkin.write")
def api_list(slug: str) -> Any:
    """Every booth's current assignment, for the page to refresh what other crew marked."""
    event = get_event(get_session(), slug)
    rows = svc.checkin_rows(get_session(), event, query=request.args.get("q", ""))
    return _no_store(jsonify(event=event.slug, rows=[_row_json(r) for r in rows]))


@bp.post("/api/crew/events/<slug>/checkin/<id:assignment_id>")
@permission_required("checkin.write")
def api_mark(slug: str, assignment_id: int) -> Any:
    """Mark as JSON ``{"status": "checked_in" | "no_show" | "assigned"}``; answers the stored
    status (another crew member's later tap may already have changed it)."""
    data = request.get_json(silent=True)
    status = str(data.get("status", "")) if isinstance(data, dict) else ""
    result = _mark(slug, assignment_id, status)
    a = result.assignment
    return _no_store(
        jsonify(
            assignment_id=a.id,
            booth_code=a.booth.code,
            status=a.status,
            status_label=str(STATUS_LABELS[a.status]),
            previous=result.previous,
            changed=result.changed,
        )
    )
