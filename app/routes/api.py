"""JSON API: layers as GeoJSON for the browser's maps and for other tools."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_login import login_required

from app.db import get_session
from app.services.cities import get_city
from app.services.events import get_event
from app.services.geojson import booths_fc, facilities_fc, zones_fc

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
