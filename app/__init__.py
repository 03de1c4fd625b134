"""PetaLapak: where street vendors may trade, and where each booth stands on CFD day."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Only for annotations: importing the pure engines (``app.gis``, ``app.allocation``,
    # ``app.printing``) runs this module first, and they must not pull in Flask or SQLAlchemy.
    from flask import Flask
    from sqlalchemy.orm import Session


def create_app(config: Mapping[str, Any] | None = None, *, session: Session | None = None) -> Flask:
    """Build the Flask app.

    ``config`` overrides settings read from the environment; ``session`` (tests only) makes every
    request use one given session bound to an outer transaction.
    """
    from app.config import load_config
    from app.faults import PetaLapakFlask

    root = Path(__file__).resolve().parent.parent
    app = PetaLapakFlask(
        __name__,
        template_folder=str(root / "templates"),
        instance_path=str(root / "instance"),
    )
    app.config.update(load_config(Path(app.instance_path)))
    if config:
        app.config.update(config)

    _add_cli(app)

    def set_up() -> None:
        _configure_db(app, session)
        _limit_request_bodies(app)  # before CSRF, which reads the form
        _configure_extensions(app)
        _configure_cache(app)
        _add_blueprints(app)
        _serve_static_compressed(app)
        _configure_serving(app)
        _answer_database_outages(app)
        _keep_staff_pages_out_of_caches(app)
        _add_security_headers(app)

    if _built_by_cli():
        # ``--help`` needs only the command list; the command that runs pushes an app context,
        # which finishes the setup first (see app.deferred_setup).
        app.defer_setup(set_up)
    else:
        set_up()
    return app


def _built_by_cli() -> bool:
    """Whether ``flask --app app …`` (a click command line) is building the app."""
    import click

    return click.get_current_context(silent=True) is not None


#: Staff pages and APIs carry vendors' phone numbers, NIBs and access codes.
STAFF_PREFIXES = ("/planner", "/api/", "/crew")


def _add_security_headers(app: Flask) -> None:
    from app.security_headers import init_security_headers

    init_security_headers(app)


def _keep_staff_pages_out_of_caches(app: Flask) -> None:
    """``private, no-store`` on staff answers that set no caching of their own, so no browser
    disk cache or back button on a shared office PC keeps a vendor's data."""
    from flask import request

    @app.after_request
    def _no_store(response: Any) -> Any:
        if request.path.startswith(STAFF_PREFIXES) and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "private, no-store"
        return response


def _answer_database_outages(app: Flask) -> None:
    """503 + Retry-After (never 500) while PostgreSQL restarts; reads are retried once."""
    from app.faults import init_faults

    init_faults(app)


def _configure_db(app: Flask, session: Session | None) -> None:
    from app.db import init_db
    from app.services import (
        audit,  # noqa: F401 - registers the audit listeners on Session
        data_version,  # noqa: F401 - counts each commit's changes
    )
    from app.services.context_cache import ContextCache

    init_db(app, session)
    events = int(app.config["CONFLICT_CONTEXT_EVENTS"])
    # Each worker process keeps its own: the counters make every entry exact (no sharing needed).
    app.extensions["petalapak.context_cache"] = ContextCache(events) if events > 0 else None


def _limit_request_bodies(app: Flask) -> None:
    from app.request_limits import init_request_limits

    init_request_limits(app)


def _configure_extensions(app: Flask) -> None:
    from app.auth import init_auth
    from app.extensions import compress, csrf
    from app.i18n import init_i18n

    csrf.init_app(app)
    compress.init_app(app)
    init_auth(app)
    init_i18n(app)


def _configure_cache(app: Flask) -> None:
    from app.cache import init_cache

    init_cache(app)


def _configure_serving(app: Flask) -> None:
    """Request logs, and the proxy's forwarded headers when behind nginx."""
    from app.request_log import init_request_log

    init_request_log(app)
    if app.config["PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # X-Forwarded-Prefix is not trusted: the documented nginx does not set it, so a client
        # could (redirects and OGC links to another host).
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_prefix=0
        )


def _add_blueprints(app: Flask) -> None:
    from app.routes import register_blueprints

    register_blueprints(app)


def _serve_static_compressed(app: Flask) -> None:
    from app.static_files import init_static_gzip

    init_static_gzip(app)


def _add_cli(app: Flask) -> None:
    from app.cli import register_cli

    register_cli(app)
