"""How much a request may send before anything reads it.

Staff sessions keep ``MAX_CONTENT_LENGTH`` (layer and vendor uploads, ``MAX_UPLOAD_MB``). Every
other request that carries a body (the vendor page ``/lapak`` and ``/api/lapak``, the login
form, anything posted without a staff login) may send ``MAX_ANONYMOUS_BODY_KB`` (16 KB): their
forms and JSON hold a code, four digits or a password, and a bigger body is refused with 413
before it is parsed (a 24 MB access code once kept a worker busy for seconds). The one
exception is the application form at ``/daftar`` (:data:`PHOTO_ENDPOINTS`), which may carry a stall
photo of ``APPLICATION_PHOTO_MAX_MB`` plus its fields.

The hook is registered before CSRF protection, which reads the form first.
"""

from __future__ import annotations

from flask import Flask, request
from flask_login import current_user

#: Methods whose requests carry a body; GET pages never touch the session here (no Vary: Cookie).
_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Anonymous endpoints that take a photo, and the room their other fields get beside it.
PHOTO_ENDPOINTS = frozenset({"applications.submit"})
_FIELDS_ROOM = 64 * 1024


def init_request_limits(app: Flask) -> None:
    """Cap the body of requests without a staff login (see the module's docstring)."""

    @app.before_request
    def _cap_anonymous_bodies() -> None:
        if request.method in _WITH_BODY and not current_user.is_authenticated:
            if request.endpoint in PHOTO_ENDPOINTS:
                limit = int(app.config["APPLICATION_PHOTO_MAX_MB"]) * 1024 * 1024 + _FIELDS_ROOM
            else:
                limit = int(app.config["MAX_ANONYMOUS_BODY_KB"]) * 1024
            request.max_content_length = limit


def size_text(limit: int) -> str:
    """A byte limit as people read it.

    >>> size_text(16 * 1024), size_text(25 * 1024 * 1024)
    ('16 KB', '25 MB')
    """
    if limit >= 1024 * 1024:
        return f"{limit // (1024 * 1024)} MB"
    return f"{max(1, limit // 1024)} KB"
