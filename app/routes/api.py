"""JSON API: layers as GeoJSON for the browser's maps and for other tools."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth import permission_required
from app.db import get_session
from app.i18n import current_language
from app.kinds import LANDMARK_KIND_REGISTRY
from app.roles import role_can
from app.services import search as search_svc
from app.services.cities import get_city
from app.services.events import get_event
from app.services.geojson import booths_fc, facilities_fc, zones_fc
from app.views.labels import FACILITY_LABELS

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/cities/<slug>/zones")
def zones(slug: str) -> dict[str, Any]:
    """Zones are public: where vending is allowed is what the city wants everyone to know."""
    return zones_fc(get_session(), get_city(get_session(), slug))


@bp.get("/cities/<slug>/facilities")
def facilities(slug: str) -> dict[str, Any]:
    """Public facilities (hydrants, halte…): public information."""
    return facilities_fc(get_session(), get_city(get_session(), slug))


@bp.get("/events/<slug>/booths")
@login_required
def booths(slug: str) -> dict[str, Any]:
    """Booth shapes and codes of an event, for staff maps (no vendor data here)."""
    return booths_fc(get_session(), get_event(get_session(), slug))


def _search_scope() -> search_svc.Scope:
    """Which vendors this staff user may find: by their role's permissions."""
    role = current_user.role
    if role_can(role, "vendors.read_private"):
        return search_svc.Scope.PRIVATE
    if role_can(role, "checkin.write"):
        return search_svc.Scope.EVENT
    return search_svc.Scope.NONE


@bp.get("/search/<city_slug>")
@permission_required("map.read")
def search(city_slug: str) -> Response:
    """The staff map's search box: ``?q=…&event=<slug>`` → booths, vendors, streets, landmarks
    (vendors only as far as the role may see them; see :mod:`app.services.search`)."""
    session = get_session()
    city = get_city(session, city_slug)
    slug = request.args.get("event", "").strip()
    event = get_event(session, slug, city) if slug else None
    lang = current_language()
    labels = {
        "street": _("Jalan"),
        "intersection": str(FACILITY_LABELS["intersection"]),
        **{code: kind.label(lang) for code, kind in LANDMARK_KIND_REGISTRY.items()},
    }
    hits = search_svc.search(
        session,
        city,
        request.args.get("q", ""),
        event=event,
        scope=_search_scope(),
        labels=labels,
    )
    resp = jsonify(results=[h.to_dict() for h in hits])
    resp.headers["Cache-Control"] = "private, no-store"  # may hold vendors' names
    return resp
