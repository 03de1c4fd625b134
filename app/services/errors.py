"""Errors services raise for the web layer and CLI to show, in Indonesian and English."""

from __future__ import annotations


class ServiceError(Exception):
    """A request that cannot be carried out as given; nothing was written."""

    status = 400

    def __init__(self, message_id: str, message_en: str | None = None) -> None:
        super().__init__(message_id)
        self.message_id = message_id
        self.message_en = message_en or message_id


class NotFound(ServiceError):
    """The named city, event, zone or booth does not exist."""

    status = 404


class Conflict(ServiceError):
    """The row changed since the client read it (stale version), or a constraint refused it."""

    status = 409
