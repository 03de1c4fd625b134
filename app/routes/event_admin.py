"""Events made in the app: create, edit and delete, with corridors picked on the city's map.

The service functions are the CLI's (:mod:`app.services.events`); a bad field is a 400 that
names it and re-shows the form with what was typed; nothing is saved.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any, cast

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from app.auth import permission_required
from app.db import get_session
from app.i18n import localize
from app.messages import define
from app.models import City, Event
from app.services import history as history_svc
from app.services.audit import acting_as
from app.services.cities import get_city
from app.services.errors import ServiceError
from app.services.events import (
    CORRIDOR_ZONE_KINDS,
    create_event,
    delete_event,
    delete_preview,
    get_event,
    update_event,
)
from app.services.geojson import zones_fc
from app.services.layout import LayoutParams

bp = Blueprint("event_admin", __name__, url_prefix="/planner/events")

#: The layout settings an event keeps (the names of LayoutParams), in the form's order.
LAYOUT_FIELDS = (
    "booth_width_m",
    "booth_depth_m",
    "gap_m",
    "break_m",
    "break_every_m",
    "emergency_lane_m",
)

_FIELD = define("event_form.field", id="{field}: {problem}", en="{field}: {problem}")
_REQUIRED = define("event_form.required", id="wajib diisi.", en="is required.")
_NOT_DATE = define(
    "event_form.not_date", id="bukan tanggal (TTTT-BB-HH).", en="is not a date (YYYY-MM-DD)."
)
_NOT_TIME = define("event_form.not_time", id="bukan jam (JJ:MM).", en="is not a time (HH:MM).")
_NOT_NUMBER = define("event_form.not_number", id="bukan angka.", en="is not a number.")
_BAD_SLUG = define(
    "event_form.bad_slug",
    id="hanya huruf kecil, angka dan tanda hubung (mis. cfd-2026-12-13).",
    en="only lower-case letters, digits and hyphens (e.g. cfd-2026-12-13).",
)


class FormError(ServiceError):
    """A form field that cannot be read; the message names it."""


def _field_error(field: str, problem: Any) -> FormError:
    return FormError(_FIELD(field=field, problem=problem))


def parse_event_form(form: MultiDict[str, str], *, new: bool) -> dict[str, Any]:
    """The form's values, typed; the first bad field raises :class:`FormError` naming it."""
    import re

    values: dict[str, Any] = {}
    name = form.get("name", "").strip()
    if not name:
        raise _field_error("name", _REQUIRED())
    values["name"] = name
    raw_date = form.get("date", "").strip()
    try:
        values["on"] = date.fromisoformat(raw_date)
    except ValueError:
        raise _field_error("date", _REQUIRED() if not raw_date else _NOT_DATE()) from None
    for key, default in (("start_time", time(6)), ("end_time", time(9))):
        raw = form.get(key, "").strip()
        try:
            values[key] = time.fromisoformat(raw) if raw else default
        except ValueError:
            raise _field_error(key, _NOT_TIME()) from None
    ids = []
    for raw in form.getlist("corridor"):
        if not raw.isdigit() or len(raw) > 9:
            raise _field_error("corridor", _NOT_NUMBER())
        ids.append(int(raw))
    if not ids:
        raise ServiceError(
            "corridor: pilih minimal satu zona koridor di peta.",
            "corridor: pick at least one corridor zone on the map.",
        )
    values["corridor_ids"] = ids
    settings: dict[str, float] = {}
    for key in LAYOUT_FIELDS:
        raw = form.get(key, "").strip()
        if not raw:
            continue
        try:
            settings[key] = float(raw.replace(",", "."))
        except ValueError:
            raise _field_error(key, _NOT_NUMBER()) from None
    # sizes out of range are named as the layout names them
    LayoutParams(**cast(dict[str, Any], settings)).validate()
    values["layout_settings"] = settings or None
    if new:
        slug = form.get("slug", "").strip() or f"cfd-{values['on'].isoformat()}"
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", slug):
            raise _field_error("slug", _BAD_SLUG())
        values["slug"] = slug
    return values


def _picker(city: City, chosen: list[int]) -> dict[str, Any]:
    """The corridor picker's map and the zones it offers (corridors and PKL zones)."""
    from app.views import maps  # folium: loaded when a map is drawn
    from app.views.labels import ZONE_LABELS, as_text
    from app.views.map_page import PONTIANAK_CENTRE

    session = get_session()
    fc = zones_fc(session, city)
    fc["features"] = [f for f in fc["features"] if f["properties"]["kind"] in CORRIDOR_ZONE_KINDS]
    static_base = url_for("static", filename="vendor").rstrip("/")
    m = maps.base_map(
        center=PONTIANAK_CENTRE, zoom=15, static_base=static_base, jquery=False, height="420px"
    )
    labels = as_text(ZONE_LABELS)
    zones = [
        {
            "id": f["properties"]["id"],
            "name": f["properties"]["name"],
            "kind": labels.get(f["properties"]["kind"], f["properties"]["kind"]),
        }
        for f in fc["features"]
    ]
    config = {
        "map": m.get_name(),
        "zones": fc,
        "chosen": chosen,
        "styles": {k: s.leaflet() for k, s in maps.ZONE_STYLES.items()},
    }
    return {"map": maps.render_parts(m), "config": config, "zones": zones}


def _render_form(
    city: City, event: Event | None, form: MultiDict[str, str], status: int = 200
) -> tuple[str, int]:
    chosen = [int(v) for v in form.getlist("corridor") if v.isdigit() and len(v) < 10]
    return (
        render_template(
            "planner/event_form.html",
            city=city,
            event=event,
            form=form,
            picker=_picker(city, chosen),
            layout_fields=LAYOUT_FIELDS,
            defaults=LayoutParams(),
        ),
        status,
    )


def _event_form_values(event: Event) -> MultiDict[str, str]:
    values: list[tuple[str, str]] = [
        ("name", event.name),
        ("date", event.date.isoformat()),
        ("start_time", event.start_time.strftime("%H:%M")),
        ("end_time", event.end_time.strftime("%H:%M")),
    ]
    values += [("corridor", str(z.id)) for z in event.corridors]
    for key, value in (event.layout_settings or {}).items():
        values.append((key, f"{value:g}" if isinstance(value, float | int) else str(value)))
    return MultiDict(values)


@bp.get("/new")
@permission_required("events.edit")
def new() -> tuple[str, int]:
    """A new event: name, date, hours, corridors on the map, layout settings."""
    session = get_session()
    city = get_city(session, request.args.get("city", "pontianak"))
    return _render_form(city, None, MultiDict(request.args))


@bp.post("/new")
@permission_required("events.edit")
def create() -> Response | tuple[str, int]:
    """Create the event (audited), then open its page."""
    session = get_session()
    city = get_city(session, request.form.get("city") or "pontianak")
    try:
        values = parse_event_form(request.form, new=True)
        with acting_as(current_user.id, current_user.email):
            event = create_event(
                session,
                city=city,
                slug=values["slug"],
                name=values["name"],
                on=values["on"],
                start=values["start_time"],
                end=values["end_time"],
                corridor_ids=values["corridor_ids"],
                layout_settings=values["layout_settings"],
                existing_ok=False,
            )
    except ServiceError as exc:
        session.rollback()
        flash(localize(exc.msg), "error")
        return _render_form(city, None, request.form, exc.status)
    flash(_("Acara dibuat. Buat tata letaknya di bawah."), "info")
    return redirect(url_for("event_page.show", slug=event.slug))


@bp.get("/<slug>/edit")
@permission_required("events.edit")
def edit(slug: str) -> tuple[str, int]:
    """The event's form, filled in."""
    session = get_session()
    event = get_event(session, slug)
    return _render_form(event.city, event, _event_form_values(event))


@bp.post("/<slug>/edit")
@permission_required("events.edit")
def update(slug: str) -> Response | tuple[str, int]:
    """Save the event's changes (audited); a closed event is refused."""
    session = get_session()
    event = get_event(session, slug)
    city = event.city
    try:
        values = parse_event_form(request.form, new=False)
        with acting_as(current_user.id, current_user.email):
            update_event(
                session,
                event,
                name=values["name"],
                on=values["on"],
                start=values["start_time"],
                end=values["end_time"],
                corridor_ids=values["corridor_ids"],
                layout_settings=values["layout_settings"],
            )
    except ServiceError as exc:
        session.rollback()
        flash(localize(exc.msg), "error")
        return _render_form(city, get_event(session, slug), request.form, exc.status)
    flash(_("Perubahan acara disimpan."), "info")
    return redirect(url_for("event_page.show", slug=slug))


@bp.get("/<slug>/delete")
@permission_required("events.edit")
def confirm_delete(slug: str) -> str:
    """What deleting the event takes with it, and the button that does it."""
    session = get_session()
    event = get_event(session, slug)
    preview = delete_preview(session, event)
    return render_template(
        "planner/event_delete.html",
        event=event,
        preview=preview,
        reason=localize(preview.reason) if preview.reason else None,
    )


@bp.post("/<slug>/delete")
@permission_required("events.edit")
def delete(slug: str) -> Response:
    """Delete a draft event with its booths and assignments, once confirmed."""
    session = get_session()
    event = get_event(session, slug)
    if request.form.get("confirm") != "1":
        return redirect(url_for("event_admin.confirm_delete", slug=slug))
    try:
        with acting_as(current_user.id, current_user.email):
            gone = delete_event(session, event)
    except ServiceError as exc:
        flash(localize(exc.msg), "error")
        return redirect(url_for("event_page.show", slug=slug))
    flash(
        _(
            "Acara %(slug)s dihapus bersama %(booths)s lapak dan %(assignments)s penempatan.",
            slug=slug,
            booths=gone.booths,
            assignments=gone.assignments,
        ),
        "info",
    )
    return redirect(url_for("planner.dashboard"))


def next_week(event: Event) -> date:
    """The default date of "Salin ke minggu depan": the same weekday a week later."""
    return event.date + timedelta(days=7)


@bp.get("/<slug>/booths")
@permission_required("events.edit")
def booths(slug: str) -> tuple[str, int]:
    """Set electricity, accessible or locked on many booths at once."""
    session = get_session()
    return _booths_page(get_event(session, slug), request.args)


def _booths_page(event: Event, form: Any, status: int = 200) -> tuple[str, int]:
    from app.services.booth_props import BOOTH_PROPERTIES

    lang = str(get_locale())
    props = [(p.column, p.label_en if lang == "en" else p.label_id) for p in BOOTH_PROPERTIES]
    return (
        render_template("planner/event_booths.html", event=event, props=props, form=form),
        status,
    )


@bp.post("/<slug>/booths")
@permission_required("events.edit")
def set_booths(slug: str) -> Response | tuple[str, int]:
    """Store the properties for the named booths (one step of the event's history)."""
    from app.services.booth_props import BOOTH_PROPERTIES, parse_codes, set_properties
    from app.services.conflicts import event_conflicts

    session = get_session()
    event = get_event(session, slug)
    values: dict[str, bool] = {}
    for prop in BOOTH_PROPERTIES:
        choice = request.form.get(prop.column, "")
        if choice in ("1", "0"):
            values[prop.column] = choice == "1"
        elif choice:
            flash(localize(_field_error(prop.column, _NOT_CHOICE()).msg), "error")
            return _booths_page(event, request.form, 400)
    try:
        codes = parse_codes(request.form.get("codes", ""))
        with acting_as(current_user.id, current_user.email):
            changed = set_properties(session, event, codes, values)
    except ServiceError as exc:
        session.rollback()
        flash(localize(exc.msg), "error")
        return _booths_page(get_event(session, slug), request.form, exc.status)
    found = event_conflicts(session, event)
    flash(
        _(
            "%(n)s lapak diubah. Konflik diperiksa ulang: %(c)s (%(b)s menghalangi).",
            n=changed,
            c=len(found),
            b=sum(1 for c in found if c.severity == "blocking"),
        ),
        "info",
    )
    return redirect(url_for("event_page.show", slug=slug))


_NOT_CHOICE = define(
    "event_form.not_choice",
    id="pilih: tidak diubah, ya, atau tidak.",
    en="choose: unchanged, yes or no.",
)


@bp.post("/<slug>/undo")
@permission_required("events.edit")
def undo(slug: str) -> Response:
    """Undo the newest step of the event's history (a move, a pin); never a redo."""
    return _replay(slug, redo=False)


@bp.post("/<slug>/redo")
@permission_required("events.edit")
def redo(slug: str) -> Response:
    """Apply again the step undone last."""
    return _replay(slug, redo=True)


def _replay(slug: str, *, redo: bool) -> Response:
    session = get_session()
    event = get_event(session, slug)
    if event.status == "closed":
        flash(_("Acara sudah ditutup; langkahnya tidak dapat dibatalkan."), "error")
        return redirect(url_for("event_page.show", slug=slug))
    try:
        with acting_as(current_user.id, current_user.email):
            if redo:
                step = history_svc.redo(session, event.city, event)
            else:
                step = history_svc.undo(session, event.city, event)
    except ServiceError as exc:
        flash(localize(exc.msg), "error")
        return redirect(url_for("event_page.show", slug=slug))
    label = step.label_en if str(get_locale()) == "en" else step.label_id
    if redo:
        flash(_("Diulangi: %(step)s", step=label), "info")
    else:
        flash(_("Dibatalkan: %(step)s", step=label), "info")
    return redirect(url_for("event_page.show", slug=slug))
