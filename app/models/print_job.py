"""Crew prints rendered in the background: one row per print-out being made or made.

A row is keyed like the PDF cache (:func:`app.services.printing.print_key`: the event, which
print-out with its options and language, and the city's change counter read before the data),
so a second request for the same print-out while it renders finds the row and follows it, and a
finished one is served from the row by any worker. Progress is in pages (``pages_total`` is 0
until the data is loaded and the pages are known); ``updated_at`` is the renderer's heartbeat,
so a row whose worker died is taken over. See :mod:`app.services.print_jobs`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

#: ``running`` (loading or drawing), ``done`` (``body`` holds the PDF), ``failed`` (the message).
PRINT_JOB_STATES = ("running", "done", "failed")
#: The print-outs that can be made in the background.
PRINT_DOCUMENTS = ("layout", "vendors", "labels")


class PrintJob(Base):
    """One print-out of an event at one change counter, its progress and, when done, its PDF."""

    __tablename__ = "print_job"
    __table_args__ = (
        CheckConstraint(
            "state IN ('running', 'done', 'failed')",
            name="state_known",
        ),
        CheckConstraint("document IN ('layout', 'vendors', 'labels')", name="document_known"),
        CheckConstraint(
            "pages_done >= 0 AND pages_total >= 0 AND pages_done <= pages_total",
            name="pages_in_range",
        ),
        Index("ix_print_job_event_variant", "event_id", "variant"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the cache key: event, print-out, options, language and change counter
    key: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    #: the same without the counter: older rows of the same print-out are dropped when one is done
    variant: Mapped[str] = mapped_column(String(64), nullable=False)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), nullable=False
    )
    document: Mapped[str] = mapped_column(String(20), nullable=False)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="running")
    #: who renders it now (a random token); a renderer that lost its row stops
    owner: Mapped[str] = mapped_column(String(32), nullable=False)
    pages_done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    pages_total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    error_id: Mapped[str | None] = mapped_column(String(500))
    error_en: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    started_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
