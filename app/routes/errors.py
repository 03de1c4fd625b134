"""Error answers in the form each area speaks, in the reader's language.

``/ogc`` answers the OGC exception document (``{"code", "description"}``, English as the
standard's clients expect); ``/api/…`` and requests that send or accept JSON answer
``{"error", "message", …}``; everything else answers the site's error page. No 4xx is
Werkzeug's English HTML.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.i18n import localize
from app.request_limits import size_text
from app.services.errors import ServiceError

#: OGC exception codes by status (the standard's ``exception.yaml`` leaves them free-form)
_OGC_CODES = {400: "InvalidParameterValue", 404: "NotFound", 405: "InvalidRequest"}


def wants_json() -> bool:
    """JSON for the APIs, for clients that send JSON, and for those that ask for it first."""
    return (
        request.path.startswith("/api/")
        or request.is_json
        or request.accept_mimetypes.best == "application/json"
    )


def error_response(
    status: int,
    code: str,
    message: str | None,
    *,
    message_en: str | None = None,
    page_code: int | None = None,
    **extra: Any,
) -> tuple[Response | str, int]:
    """One error in the area's form; ``message`` is already in the reader's language."""
    if request.path == "/ogc" or request.path.startswith("/ogc/"):
        body = {
            "code": _OGC_CODES.get(status, code),
            "description": message_en or message or code,
        }
        resp = Response(json.dumps(body), status=status, mimetype="application/json")
        resp.headers["Cache-Control"] = "no-store"
        return resp, status
    if wants_json():
        payload: dict[str, Any] = {"error": code}
        if message is not None:
            payload["message"] = message
        if message_en is not None:
            payload["message_en"] = message_en
        payload.update(extra)
        return jsonify(payload), status
    return render_template("error.html", message=message, code=page_code), status


def register_error_handlers(app: Flask) -> None:
    """App-wide handlers; a blueprint's own handler (e.g. ``/lapak``'s page) still wins."""

    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError) -> Any:
        return error_response(
            exc.status, type(exc).__name__, localize(exc.msg), message_en=exc.message_en
        )

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> Any:
        return error_response(
            400,
            "csrf",
            _("Sesi formulir kedaluwarsa; muat ulang halaman dan coba lagi."),
            message_en="The form session has expired; reload the page and try again.",
        )

    @app.errorhandler(400)
    def _bad_request(exc: HTTPException) -> Any:
        return error_response(
            400, "bad_request", _("Permintaan tidak sah."), message_en="Bad request."
        )

    @app.errorhandler(403)
    def _forbidden(exc: HTTPException) -> Any:
        return error_response(
            403, "forbidden", _("Tidak diizinkan."), message_en="Forbidden.", page_code=403
        )

    @app.errorhandler(404)
    def _not_found(exc: HTTPException) -> Any:
        return error_response(
            404, "not_found", _("Tidak ditemukan."), message_en="Not found.", page_code=404
        )

    @app.errorhandler(405)
    def _method_not_allowed(exc: HTTPException) -> Any:
        resp, status = error_response(
            405,
            "method_not_allowed",
            _("Metode permintaan ini tidak didukung di alamat ini."),
            message_en="This request method is not supported at this address.",
        )
        if isinstance(resp, Response) and getattr(exc, "valid_methods", None):
            resp.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
        return resp, status

    @app.errorhandler(413)
    def _too_large(exc: HTTPException) -> Any:
        limit = request.max_content_length or app.config["MAX_CONTENT_LENGTH"]
        return error_response(
            413,
            "too_large",
            _("Kiriman terlalu besar (paling besar %(size)s).", size=size_text(limit)),
            page_code=413,
        )
