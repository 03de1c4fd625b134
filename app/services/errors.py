"""Errors services raise for the web layer and CLI to show, in Indonesian and English."""

from __future__ import annotations

from app.messages import Msg, render


class ServiceError(Exception):
    """A request that cannot be carried out as given; nothing was written.

    ``message`` is a :class:`app.messages.Msg`, or the Indonesian sentence with its English
    beside it (``ServiceError("…", "…")``); the edge renders :attr:`msg` in the reader's language.
    """

    status = 400

    def __init__(self, message: Msg | str, message_en: str | None = None) -> None:
        self.msg = message if isinstance(message, Msg) else Msg.text(message, message_en)
        super().__init__(self.message_id)

    @property
    def message_id(self) -> str:
        """The message in Indonesian."""
        return render(self.msg, "id")

    @property
    def message_en(self) -> str:
        """The message in English."""
        return render(self.msg, "en")


class NotFound(ServiceError):
    """The named city, event, zone or booth does not exist."""

    status = 404


class Conflict(ServiceError):
    """The row changed since the client read it (stale version), or a constraint refused it."""

    status = 409
