"""Undo and redo: named steps of the planner's map workspace and of an event page.

A step holds every row it changed, before and after (as the audit log writes them), and the
version each row must still have for the step to be undone or redone: someone else's later edit
is never overwritten. One stack per city workspace (``event_id`` NULL) and one per event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class HistoryStep(Base):
    """One named step ("Pindah AY-1001 ke AY-1004") that can be undone, then redone."""

    __tablename__ = "history_step"
    __table_args__ = (Index("ix_history_step_scope", "city_id", "event_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"), nullable=False)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    label_id: Mapped[str] = mapped_column(String(200), nullable=False)
    label_en: Mapped[str] = mapped_column(String(200), nullable=False)
    #: ``[{"entity": "booth", "id": 7, "before": {...} | null, "after": {...} | null}]``
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False)
    #: False once undone (and True again when redone); a new step drops the undone ones above it.
    applied: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
