"""The planner's event page: layout, conflicts, allocation and the event's life cycle."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import parse_qsl

from flask import (
    Blueprint,
    current_app,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth import permission_required
from app.db import get_session
from app.i18n import localize
from app.routes.attendance import event_attendance_context
from app.routes.events import parse_layout_params
from app.services import assignments as assignment_service
from app.services import history as history_svc
from app.services.allocation import allocation_settings, latest_run, run_allocation
from app.services.audit import acting_as
from app.services.conflicts import event_conflicts, summary
from app.services.errors import ServiceError
from app.services.event_board import (
    BOARD_STATES,
    TableQuery,
    board_booths,
    event_figures,
    table_page,
    unplaced_vendors,
    vendor_choice,
    vendor_option,
)
from app.services.events import (
    booth_count,
    copy_event,
    corridor_bounds,
    get_event,
    placed_count,
    set_status,
)
from app.services.geojson import zones_fc
from app.services.layout import generate_event_layout
from app.services.previews import allocation_moves, layout_preview
from app.services.vendors import vendors_by_id
from app.views.labels import BOARD_STATE_LABELS, CATEGORY_LABELS, as_text

bp = Blueprint("event_page", __name__, url_prefix="/planner/events")


def _back(slug: str, anchor: str = "") -> Response:
    """Back to the event page; the table's filters, sort and page come back with a form that
    sends them (``table`` field), and ``anchor`` scrolls to the row acted on."""
    query = TableQuery.from_args(_table_args(request.form.get("table", "")))
    target = url_for("event_page.show", slug=slug, **query.args())
    return redirect(f"{target}#{anchor}" if anchor else target)


def _table_args(raw: str) -> dict[str, str]:
    return dict(parse_qsl(raw[:500]))


def _flash_error(exc: ServiceError) -> None:
    flash(localize(exc.msg), "error")


_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,20}$")


def _row_note(code: str, message: str, *, ok: bool) -> str:
    """Say ``message`` beside booth ``code``'s row after the redirect; the row's anchor.

    The note travels as a flashed message of category ``row-ok``/``row-error`` (the page's
    banner leaves those to the table), so a plain form's answer appears where the planner acted.
    """
    if not _CODE.match(code):
        flash(message, "info" if ok else "error")
        return "booths"
    flash(f"{code}\t{message}", "row-ok" if ok else "row-error")
    return f"b-{code}"


def _row_notes() -> dict[str, tuple[bool, str]]:
    """The notes :func:`_row_note` left for this page: booth code → (ok, message)."""
    notes = {}
    for item in get_flashed_messages(with_categories=True):
        category, text = item if isinstance(item, tuple) else ("", item)
        if category in ("row-ok", "row-error") and "\t" in text:
            code, _tab, message = text.partition("\t")
            notes[code] = (category == "row-ok", message)
    return notes


@bp.get("/<slug>")
@permission_required("events.edit")
def show(slug: str) -> str:
    """Everything about one event on one page: figures, map, booth table, layout, allocation."""
    from app.services.basemap import basemap_source
    from app.views.basemap_view import basemap_layer
    from app.views.event_map import board_styles_json, event_map_parts  # folium: loaded here

    session = get_session()
    event = get_event(session, slug)
    lang = str(get_locale())
    conflicts = event_conflicts(
        session, event, cache=current_app.extensions.get("petalapak.context_cache")
    )
    part = request.args.get("part")
    booths = board_booths(session, event, conflicts, lang=lang, geometry=part != "table")
    query = TableQuery.from_args(request.args)
    table = table_page(booths, query)
    categories = as_text(CATEGORY_LABELS)
    state_labels = as_text(BOARD_STATE_LABELS)
    run = latest_run(session, event)
    unplaced, waitlist = [], []
    if run is not None:
        ids = [u["vendor_id"] for u in run.result.get("unplaced", [])]
        names = vendors_by_id(session, ids)
        unplaced = [
            (
                names.get(u["vendor_id"]),
                u["reason_code"],
                u["explanation_en"] if lang == "en" else u["explanation_id"],
            )
            for u in run.result.get("unplaced", [])
        ]
        waitlist = [names.get(v) for v in run.result.get("waitlist", [])]
    free = unplaced_vendors(session, event) if event.status != "closed" else []
    context = {
        "event": event,
        "table": table,
        "row_notes": _row_notes(),
        # the no-script assign form's list (one per table): "Name · Category (#id)"
        "vendor_options": [
            vendor_option(v.id, v.business_name, categories.get(v.category, v.category))
            for v in free
        ],
        "query": query,
        "states": BOARD_STATES,
        "state_labels": state_labels,
        "sections": sorted({b.section for b in booths if b.kind == "vendor"}),
        "categories": categories,
    }
    if part == "table":  # the page's script swaps the table in place
        return render_template("planner/_booth_table.html", **context)
    if part == "history":  # ...and the undo history after an action
        return render_template(
            "planner/_event_history.html",
            event=event,
            steps=history_svc.history(session, event.city, event, limit=15),
            lang=lang,
        )
    board_map = None
    if booths:
        board_map = event_map_parts(
            [b.to_json() | {"geometry": b.geometry} for b in booths],
            corridors=zones_fc(session, event.city, ids=[z.id for z in event.corridors]),
            state_labels=state_labels,
            corridor_label=_("Koridor acara"),
            legend_title=_("Keadaan lapak"),
            static_base=url_for("static", filename="vendor"),
            bounds=corridor_bounds(session, event),
            tiles=current_app.config["MAP_TILES"],
            tiles_attribution=current_app.config["MAP_TILES_ATTRIBUTION"],
            basemap=basemap_layer(event.city.slug, basemap_source(session, event.city_id)),
        )
    return render_template(
        "planner/event.html",
        **context,
        conflicts=conflicts,
        summary=summary(conflicts),
        figures=event_figures(session, event, conflicts),
        board_map=board_map,
        board_styles=board_styles_json(),
        board=[b.to_json() for b in booths],
        free_vendors=[
            {
                "id": v.id,
                "name": v.business_name,
                "category": categories.get(v.category, v.category),
            }
            for v in free
        ],
        run=run,
        unplaced=unplaced,
        waitlist=waitlist,
        has_booths=booth_count(session, event) > 0,
        placed=placed_count(session, event),
        blocking=sum(1 for c in conflicts if c.severity == "blocking"),
        steps=history_svc.history(session, event.city, event, limit=15),
        next_week=event.date + timedelta(days=7),
        lang=lang,
        today=date.today(),
        **event_attendance_context(event),
    )


@bp.post("/<slug>/status")
@permission_required("events.edit")
def status(slug: str) -> Response | str:
    """Publish (vendors can see their booth), back to draft, or close (the record is frozen).

    Closing asks first ("tidak dapat dibatalkan"); publishing is refused with no vendor placed
    or with blocking conflicts unless a written reason is given (audited).
    """
    session = get_session()
    event = get_event(session, slug)
    target = request.form.get("status", "")
    if target == "closed" and request.form.get("confirm") != "1" and event.status == "published":
        return render_template("planner/event_confirm.html", event=event, action="close")
    try:
        with acting_as(current_user.id, current_user.email):
            set_status(
                session, event, target, override_reason=request.form.get("override_reason", "")
            )
        flash(_("Status acara diperbarui."), "info")
    except ServiceError as exc:
        _flash_error(exc)
    return _back(slug)


@bp.post("/<slug>/copy")
@permission_required("events.edit")
def copy(slug: str) -> Response:
    """Copy to a new date (next Sunday's CFD) with booths, edits and locks."""
    session = get_session()
    event = get_event(session, slug)
    try:
        on = date.fromisoformat(request.form.get("date", ""))
    except ValueError:
        flash(_("Tanggal tidak sah."), "error")
        return _back(slug)
    try:
        with acting_as(current_user.id, current_user.email):
            new = copy_event(session, event, on=on, slug=request.form.get("slug") or None)
    except ServiceError as exc:
        _flash_error(exc)
        return _back(slug)
    flash(
        _("Acara disalin. Jalankan alokasi: pedagang lama diutamakan di lapak yang sama."), "info"
    )
    return _back(new.slug)


@bp.post("/<slug>/layout")
@permission_required("events.edit")
def layout(slug: str) -> Response | str:
    """Generate the layout from the form's parameters (locked booths are kept).

    When the event has booths, the page first shows what the new layout costs (vendors losing
    their booth, locked booths kept) and runs only once that is confirmed.
    """
    session = get_session()
    event = get_event(session, slug)
    try:
        params = parse_layout_params(request.form.to_dict())
        if request.form.get("confirm") != "1" and booth_count(session, event) > 0:
            preview = layout_preview(session, event, params)
            return render_template(
                "planner/event_confirm.html",
                event=get_event(session, slug),
                action="layout",
                preview=preview,
                fields=_form_fields(),
            )
        with acting_as(current_user.id, current_user.email):
            outcome = generate_event_layout(session, event, params)
    except ServiceError as exc:
        session.rollback()
        _flash_error(exc)
        return _back(slug)
    r = outcome.report
    flash(
        _(
            "%(placed)s lapak dibuat (batas per baris %(bound)s, batas aman %(margin)s m); "
            "%(kept)s lapak terkunci dipertahankan; %(conflicts)s konflik.",
            placed=r["placed"],
            bound=r["row_bound"],
            margin=format_decimal(r["safety_margin_m"]),
            kept=outcome.kept_locked,
            conflicts=outcome.conflicts.get("total", 0),
        ),
        "info",
    )
    return _back(slug)


def _form_fields() -> list[tuple[str, str]]:
    """The posted form's fields (CSRF token and confirmation apart), to post again."""
    return [
        (k, v)
        for k, values in request.form.lists()
        if k not in ("csrf_token", "confirm")
        for v in values
    ]


@bp.post("/<slug>/allocate")
@permission_required("events.edit")
def allocate(slug: str) -> Response | str:
    """Run the allocation with the published seed; pins are kept."""
    session = get_session()
    event = get_event(session, slug)
    try:
        settings = allocation_settings(
            seed=request.form.get("seed", ""),
            neighbour_weight=request.form.get("neighbour_weight", ""),
            caps=request.form.get("caps", "").replace("\n", ",").split(","),
        )
        if event.status == "published" and request.form.get("confirm") != "1":
            moves = allocation_moves(session, event, settings)
            return render_template(
                "planner/event_confirm.html",
                event=get_event(session, slug),
                action="allocate",
                moves=moves,
                fields=_form_fields(),
            )
        with acting_as(current_user.id, current_user.email):
            outcome = run_allocation(session, event, settings, user_id=current_user.id)
    except ServiceError as exc:
        _flash_error(exc)
        return _back(slug)
    flash(
        _(
            "%(placed)s pedagang ditempatkan, %(unplaced)s tidak (daftar tunggu %(wait)s).",
            placed=len(outcome.result.placements),
            unplaced=len(outcome.result.unplaced),
            wait=len(outcome.result.waitlist),
        ),
        "info",
    )
    return _back(slug)


@bp.post("/<slug>/assign")
@permission_required("events.edit")
def assign(slug: str) -> Response:
    """Place a vendor on a free booth from the table without script (the page's script uses
    the JSON action): ``booth_code`` and ``vendor`` (an option of the list, ``#id`` or a unique
    name). Back to the same table view, at the row, with the answer beside it."""
    session = get_session()
    event = get_event(session, slug)
    code = request.form.get("booth_code", "").strip().upper()[:20]
    try:
        vendor_id = vendor_choice(session, event, request.form.get("vendor", ""), code)
        with acting_as(current_user.id, current_user.email):
            a = assignment_service.assign(session, event, vendor_id, code)
    except ServiceError as exc:
        session.rollback()
        return _back(slug, _row_note(code, localize(exc.msg), ok=False))
    message = _(
        "%(name)s ditempatkan di lapak %(code)s dan disematkan.",
        name=a.vendor.business_name,
        code=a.booth.code,
    )
    return _back(slug, _row_note(a.booth.code, message, ok=True))


@bp.post("/<slug>/assignments/<id:ident>/move")
@permission_required("events.edit")
def move(slug: str, ident: int) -> Response:
    """Move a vendor to another free booth (the move is pinned)."""
    session = get_session()
    event = get_event(session, slug)
    try:
        with acting_as(current_user.id, current_user.email):
            moved = assignment_service.move(
                session, event, ident, request.form.get("booth_code", "")
            )
        flash(_("Pedagang dipindahkan dan disematkan."), "info")
        return _back(slug, f"b-{moved.booth.code}")
    except ServiceError as exc:
        _flash_error(exc)
    return _back(slug, "booths")


@bp.post("/<slug>/assignments/<id:ident>/pin")
@permission_required("events.edit")
def pin(slug: str, ident: int) -> Response:
    """Pin or unpin an assignment."""
    session = get_session()
    event = get_event(session, slug)
    try:
        with acting_as(current_user.id, current_user.email):
            pinned = assignment_service.set_pin(
                session, event, ident, request.form.get("pinned") == "1"
            )
        return _back(slug, f"b-{pinned.booth.code}")
    except ServiceError as exc:
        _flash_error(exc)
    return _back(slug, "booths")


@bp.post("/<slug>/assignments/<id:ident>/unassign")
@permission_required("events.edit")
def unassign(slug: str, ident: int) -> Response:
    """Take a vendor off their booth (the form asks first; assigning again undoes it)."""
    session = get_session()
    event = get_event(session, slug)
    try:
        with acting_as(current_user.id, current_user.email):
            a = assignment_service.unassign(session, event, ident)
        flash(
            _(
                "%(name)s dilepas dari lapak %(code)s.",
                name=a.vendor.business_name,
                code=a.booth.code,
            ),
            "info",
        )
        return _back(slug, f"b-{a.booth.code}")
    except ServiceError as exc:
        _flash_error(exc)
    return _back(slug, "booths")
