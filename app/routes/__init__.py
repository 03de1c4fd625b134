"""Blueprints: thin views that parse input, call a service, and render or return JSON."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _

from app.i18n import localize
from app.request_limits import size_text
from app.services.errors import ServiceError


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint and the shared error handlers."""
    from app.routes.api import bp as api_bp
    from app.routes.auth import bp as auth_bp
    from app.routes.checkin import bp as checkin_bp
    from app.routes.crew import bp as crew_bp
    from app.routes.events import bp as events_bp
    from app.routes.events_page import bp as event_page_bp
    from app.routes.lapak import bp as lapak_bp
    from app.routes.layers import bp as layers_bp
    from app.routes.main import bp as main_bp
    from app.routes.ogc import bp as ogc_bp
    from app.routes.planner import bp as planner_bp
    from app.routes.street import bp as street_bp
    from app.routes.tiles import bp as tiles_bp
    from app.routes.vendors import bp as vendors_bp
    from app.routes.workspace import bp as workspace_bp

    for bp in (
        main_bp,
        auth_bp,
        api_bp,
        planner_bp,
        events_bp,
        vendors_bp,
        workspace_bp,
        layers_bp,
        crew_bp,
        event_page_bp,
        ogc_bp,
        tiles_bp,
        lapak_bp,
        checkin_bp,
        street_bp,
    ):
        app.register_blueprint(bp)

    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError):  # type: ignore[no-untyped-def]
        if request.path.startswith("/api/"):
            return jsonify(
                error=type(exc).__name__, message=exc.message_id, message_en=exc.message_en
            ), exc.status
        return render_template("error.html", message=localize(exc.msg)), exc.status

    @app.errorhandler(403)
    def _forbidden(exc):  # type: ignore[no-untyped-def]
        return render_template("error.html", message=None, code=403), 403

    @app.errorhandler(404)
    def _not_found(exc):  # type: ignore[no-untyped-def]
        if request.path.startswith("/api/"):
            return jsonify(error="not_found"), 404
        return render_template("error.html", message=None, code=404), 404

    @app.errorhandler(413)
    def _too_large(exc):  # type: ignore[no-untyped-def]
        limit = request.max_content_length or app.config["MAX_CONTENT_LENGTH"]
        msg = _("Kiriman terlalu besar (paling besar %(size)s).", size=size_text(limit))
        if request.path.startswith("/api/") or request.is_json:
            return jsonify(error="too_large", message=msg), 413
        return render_template("error.html", message=msg, code=413), 413
