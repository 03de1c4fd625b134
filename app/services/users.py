"""Staff accounts."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import ROLES, User
from app.services.errors import ServiceError


def create_user(session: Session, *, email: str, password: str, role: str) -> User:
    """Create a staff account; e-mail addresses are unique, case-insensitively."""
    email = email.strip().lower()
    if role not in ROLES:
        raise ServiceError(f"Peran '{role}' tidak dikenal.", f"Unknown role '{role}'.")
    if "@" not in email:
        raise ServiceError("Alamat e-mail tidak sah.", "Invalid e-mail address.")
    if len(password) < 10:
        raise ServiceError("Kata sandi minimal 10 karakter.", "Password needs 10+ characters.")
    if find_user(session, email) is not None:
        raise ServiceError(f"Pengguna {email} sudah ada.", f"User {email} already exists.")
    user = User(email=email, role=role)
    user.set_password(password)
    session.add(user)
    session.commit()
    return user


def find_user(session: Session, email: str) -> User | None:
    """Look a user up by e-mail, case-insensitively."""
    return session.scalars(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).one_or_none()
