"""Public pages: the city map with its zones and facilities."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response as BaseResponse

from app.db import get_session
from app.models import City, Event
from app.services.conflicts import event_conflicts
from app.services.geojson import annotate_conflicts, booths_fc, facilities_fc, zones_fc
from app.views.map_page import city_map_parts

bp = Blueprint("main", __name__)


def _default_city() -> City | None:
    session = get_session()
    slug = current_app.config["DEFAULT_CITY"]
    city = session.scalars(select(City).where(City.slug == slug)).one_or_none()
    return city or session.scalars(select(City).order_by(City.id).limit(1)).one_or_none()


@bp.route("/")
def home() -> str:
    """The city map: zones red/yellow/green, facilities by kind, the next event's booths."""
    city = _default_city()
    if city is None:
        return render_template("home_empty.html")
    session = get_session()
    event = session.scalars(
        select(Event)
        .where(Event.city_id == city.id, Event.status == "published")
        .order_by(Event.date.desc())
        .limit(1)
    ).one_or_none()
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
    try:
        get_session().execute(select(1))
    except SQLAlchemyError as exc:
        current_app.logger.warning("healthz: database unavailable: %s", type(exc).__name__)
        return {"status": "unavailable", "database": "down"}, 503, headers
    return {"status": "ok", "database": "ok"}, 200, headers


@bp.route("/favicon.ico")
def favicon() -> BaseResponse:
    """Browsers and GIS clients ask for it unprompted; our pages link the SVG icon."""
    resp = redirect(url_for("static", filename="favicon.svg"), code=301)
    resp.headers["Cache-Control"] = "public, max-age=86400"
    return resp
