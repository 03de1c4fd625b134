"""Event layout and conflict API (staff; layout writes are planner-only)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth import permission_required
from app.db import get_session
from app.i18n import current_language
from app.routes.inputs import json_object
from app.services.audit import acting_as
from app.services.conflicts import event_conflicts, summary
from app.services.errors import ServiceError
from app.services.events import get_event
from app.services.geojson import annotate_conflicts, booths_fc
from app.services.layout import LayoutParams, generate_event_layout

bp = Blueprint("events_api", __name__, url_prefix="/api/events")

_PARAMS = (
    "booth_width_m",
    "booth_depth_m",
    "gap_m",
    "break_m",
    "break_every_m",
    "emergency_lane_m",
    "kerb_setback_m",
    "safety_margin_m",
)


@bp.get("/<slug>/conflicts")
@permission_required("map.read")
def conflicts(slug: str) -> dict[str, Any]:
    """The event's conflict report (same engine as the CLI and the map)."""
    session = get_session()
    found = event_conflicts(session, get_event(session, slug))
    return {"event": slug, "summary": summary(found), "conflicts": [c.to_dict() for c in found]}


@bp.get("/<slug>/booths/status")
@permission_required("map.read")
def booths_with_state(slug: str) -> dict[str, Any]:
    """Booths as GeoJSON, each with its conflict state and messages."""
    session = get_session()
    event = get_event(session, slug)
    return annotate_conflicts(
        booths_fc(session, event), event_conflicts(session, event), lang=str(get_locale() or "id")
    )


def parse_layout_params(data: dict[str, Any]) -> LayoutParams:
    """Numbers from a JSON body or a form; a bad value names its field."""
    values: dict[str, Any] = {}
    for name in _PARAMS:
        raw = data.get(name)
        if raw in (None, ""):
            continue
        try:
            values[name] = float(raw)
        except (TypeError, ValueError) as exc:
            raise ServiceError(
                f"{name}: '{raw}' bukan angka.", f"{name}: '{raw}' is not a number."
            ) from exc
    if data.get("prefix"):
        values["prefix"] = str(data["prefix"]).strip().upper()
    return LayoutParams(**values)


@bp.post("/<slug>/layout")
@permission_required("events.edit")
def layout(slug: str) -> tuple[Response, int]:
    """Generate and store the layout; ``?dry_run=1`` computes without saving."""
    session = get_session()
    event = get_event(session, slug)
    params = parse_layout_params(json_object() if request.is_json else request.form.to_dict())
    with acting_as(current_user.id, current_user.email):
        outcome = generate_event_layout(
            session, event, params, dry_run=request.args.get("dry_run") == "1"
        )
    return jsonify(outcome.to_dict(current_language())), 200
