"""Blueprints: thin views that parse input, call a service, and render or return JSON."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Attach the shared input rules, every blueprint and the shared error handlers."""
    from app.routes.errors import register_error_handlers
    from app.routes.inputs import register_inputs

    register_inputs(app)
    from app.routes.api import bp as api_bp
    from app.routes.applications import bp as applications_bp
    from app.routes.attendance import bp as attendance_bp
    from app.routes.auth import bp as auth_bp
    from app.routes.checkin import bp as checkin_bp
    from app.routes.city_rules import bp as city_rules_bp
    from app.routes.crew import bp as crew_bp
    from app.routes.dashboard import bp as dashboard_bp
    from app.routes.desk import bp as desk_bp
    from app.routes.event_admin import bp as event_admin_bp
    from app.routes.event_api import bp as event_api_bp
    from app.routes.events import bp as events_bp
    from app.routes.events_page import bp as event_page_bp
    from app.routes.lapak import bp as lapak_bp
    from app.routes.layers import bp as layers_bp
    from app.routes.main import bp as main_bp
    from app.routes.notices import bp as notices_bp
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
        event_admin_bp,
        city_rules_bp,
        event_page_bp,
        event_api_bp,
        ogc_bp,
        tiles_bp,
        lapak_bp,
        checkin_bp,
        street_bp,
        applications_bp,
        desk_bp,
        dashboard_bp,
        attendance_bp,
        notices_bp,
    ):
        app.register_blueprint(bp)
    register_error_handlers(app)
