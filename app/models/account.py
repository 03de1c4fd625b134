"""Staff accounts and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.models.base import Base, Timestamped, in_list
from app.roles import ROLE_REGISTRY, role_can

#: Role codes, from :data:`app.roles.ROLE_REGISTRY` (a new role also needs its migration widening
#: the CHECK below).
ROLES = tuple(ROLE_REGISTRY)


class User(UserMixin, Timestamped, Base):
    """A city staff member. Vendors have no account; they use an access code."""

    __tablename__ = "app_user"
    __table_args__ = (CheckConstraint(in_list("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(300), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    #: Part of every session and "remember me" cookie (see :meth:`get_id`): raising it on logout,
    #: a password change, deactivation or a role change ends every session of this user at once.
    session_version: Mapped[int] = mapped_column(
        Integer, nullable=False, default=1, server_default="1"
    )

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash; the plain password is never kept."""
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        """Compare in constant time through werkzeug."""
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """The session token Flask-Login stores: ``"<id>:<session_version>"``.

        Flask-Login's "alternative tokens": a session or remember cookie names the version it was
        issued under, and :func:`app.auth.user_from_token` accepts only the current one.
        """
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        """Deactivated accounts cannot log in (Flask-Login reads this)."""
        return self.active

    def can(self, permission: str) -> bool:
        """Whether this user's role grants ``permission`` (see :mod:`app.roles`).

        Raises ``ValueError`` for a permission no one registered (a typo in a guard).
        """
        return role_can(self.role, permission)


class AuditEntry(Base):
    """Who changed what and when, with the row before and after as JSON."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False, index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    actor: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(10), nullable=False)
    entity: Mapped[str] = mapped_column(String(30), nullable=False, index=True)
    entity_id: Mapped[int | None] = mapped_column(Integer, index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)

    user: Mapped[User | None] = relationship()
