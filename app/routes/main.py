"""Public pages: the city map with its zones and facilities."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from app.db import get_session
from app.models import City
from app.services.cities import database_error, default_city
from app.services.conflicts import event_conflicts
from app.services.events import latest_published
from app.services.geojson import annotate_conflicts, booths_fc, facilities_fc, zones_fc

bp = Blueprint("main", __name__)


def _default_city() -> City | None:
    return default_city(get_session(), current_app.config["DEFAULT_CITY"])


@bp.route("/")
def home() -> str:
    """The city map: zones red/yellow/green, facilities by kind, the next event's booths."""
    from app.views.map_page import city_map_parts  # folium: loaded when a map is drawn

    city = _default_city()
    if city is None:
        return render_template("home_empty.html")
    session = get_session()
    event = latest_published(session, city)
    booths = None
    if event is not None:
        booths = annotate_conflicts(
            booths_fc(session, event),
            event_conflicts(session, event),
            lang=str(get_locale() or "id"),
        )
    parts = city_map_parts(
        zones=zones_fc(session, city),
        facilities=facilities_fc(session, city),
        booths=booths,
        static_base=url_for("static", filename="vendor").rstrip("/"),
        tiles=current_app.config["MAP_TILES"],
        tiles_attribution=current_app.config["MAP_TILES_ATTRIBUTION"],
    )
    return render_template("home.html", city=city, event=event, map=parts, title=_("Peta Zona PKL"))


@bp.route("/healthz")
def healthz() -> tuple[dict[str, str], int, dict[str, str]]:
    """Liveness plus a database round trip: 503 when the database does not answer."""
    headers = {"Cache-Control": "no-store"}
    error = database_error(get_session())
    if error is not None:
        current_app.logger.warning("healthz: database unavailable: %s", error)
        return {"status": "unavailable", "database": "down"}, 503, headers
    return {"status": "ok", "database": "ok"}, 200, headers


@bp.route("/favicon.ico")
def favicon() -> BaseResponse:
    """Browsers and GIS clients ask for it unprompted; our pages link the SVG icon."""
    resp = redirect(url_for("static", filename="favicon.svg"), code=301)
    resp.headers["Cache-Control"] = "public, max-age=86400"
    return resp
