"""Staff accounts: creation, the one e-mail rule, passwords, roles, and ending sessions.

Three rules hold here:

* one e-mail rule (:func:`normalise_email`) for ``create-user``, the admin pages and the login
  form, so an account that can be made can also log in;
* every change that should take a credential back (logout, a password change or reset,
  deactivation, a role change) raises the user's ``session_version``, which ends every session
  and "remember me" cookie of that user, in every browser, at once
  (see :func:`app.auth.user_from_token`);
* each operation is one transaction, audited (``entity="user"``) without hashes or passwords.
"""

from __future__ import annotations

import secrets

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import ROLES, User
from app.roles import roles_with
from app.services import audit
from app.services.errors import NotFound, ServiceError

#: The ``email`` column's length.
MAX_EMAIL_LENGTH = 200
MIN_PASSWORD_LENGTH = 10
#: The login form accepts no longer password; scrypt hashes any length, but a limit keeps a
#: megabyte "password" from costing the server.
MAX_PASSWORD_LENGTH = 200
#: Special-use top-level names (RFC 6761) that an office or a test setup really uses for mail:
#: ``petugas@dinas.local``, ``x@y.test``. email-validator refuses every special-use name whatever
#: its options; ``invalid``, ``onion`` and ``arpa`` stay refused.
INTERNAL_TLDS = frozenset({"local", "localhost", "test"})
#: An ordinary top-level name put in place of an internal one while the syntax is checked.
_STAND_IN_TLD = "id"


def normalise_email(raw: str) -> str:
    """The address in the form it is stored and looked up in, or :class:`ServiceError`.

    A syntactically valid address: a non-empty local part, ``@``, a domain (dots optional), no
    spaces, quotes or IP literals; whether mail is deliverable is not checked (no DNS). Internal
    and test domains are accepted. The whole address is lower-cased (look-ups ignore case).

    >>> normalise_email(" Petugas@Dinas.Local ")
    'petugas@dinas.local'
    >>> normalise_email("x@y.test")
    'x@y.test'
    >>> normalise_email("@dinas.local")
    Traceback (most recent call last):
    ...
    app.services.errors.ServiceError: Alamat e-mail tidak sah: bagian sebelum @ kosong.
    """
    text = (raw or "").strip()
    local, at, domain = text.rpartition("@")
    if not at:
        raise ServiceError(
            "Alamat e-mail tidak sah: tidak ada tanda @.",
            "Invalid e-mail address: there is no @ sign.",
        )
    if not local:
        raise ServiceError(
            "Alamat e-mail tidak sah: bagian sebelum @ kosong.",
            "Invalid e-mail address: nothing before the @ sign.",
        )
    if not domain:
        raise ServiceError(
            "Alamat e-mail tidak sah: bagian sesudah @ kosong.",
            "Invalid e-mail address: nothing after the @ sign.",
        )
    if len(text) > MAX_EMAIL_LENGTH:
        raise ServiceError(
            f"Alamat e-mail terlalu panjang (maksimal {MAX_EMAIL_LENGTH} karakter).",
            f"The e-mail address is too long (at most {MAX_EMAIL_LENGTH} characters).",
        )
    head, dot, tld = domain.rpartition(".")
    internal = tld.lower() in INTERNAL_TLDS
    checked_domain = f"{head}{dot}{_STAND_IN_TLD}" if internal else domain
    try:
        checked = validate_email(
            f"{local}@{checked_domain}", check_deliverability=False, globally_deliverable=False
        )
    except EmailNotValidError as exc:
        raise ServiceError(
            f"Alamat e-mail tidak sah: {text}.", f"Invalid e-mail address: {text} ({exc})."
        ) from exc
    normalised_domain = checked.domain
    if internal:
        normalised_domain = normalised_domain[: -len(_STAND_IN_TLD)] + tld
    return f"{checked.local_part}@{normalised_domain}".lower()


def check_new_password(password: str) -> None:
    """Refuse a password that is too short or too long."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(
            f"Kata sandi minimal {MIN_PASSWORD_LENGTH} karakter.",
            f"The password needs at least {MIN_PASSWORD_LENGTH} characters.",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ServiceError(
            f"Kata sandi maksimal {MAX_PASSWORD_LENGTH} karakter.",
            f"The password may have at most {MAX_PASSWORD_LENGTH} characters.",
        )


def new_random_password() -> str:
    """A random password of 16 URL-safe characters (96 bits), shown once to whoever sets it."""
    return secrets.token_urlsafe(12)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ServiceError(f"Peran '{role}' tidak dikenal.", f"Unknown role '{role}'.")


def create_user(session: Session, *, email: str, password: str, role: str) -> User:
    """Create a staff account; e-mail addresses are unique, case-insensitively."""
    email = normalise_email(email)
    _check_role(role)
    check_new_password(password)
    if find_user(session, email) is not None:
        raise ServiceError(f"Pengguna {email} sudah ada.", f"User {email} already exists.")
    user = User(email=email, role=role)
    user.set_password(password)
    session.add(user)
    session.flush()
    audit.record(
        session,
        action="create",
        entity="user",
        entity_id=user.id,
        after={"email": email, "role": role, "active": True},
    )
    session.commit()
    return user


def find_user(session: Session, email: str) -> User | None:
    """Look a user up by e-mail, case-insensitively."""
    return session.scalars(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).one_or_none()


def get_user(session: Session, user_id: int) -> User:
    """The user with this id, or :class:`NotFound`."""
    user = session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None:
        raise NotFound(f"Pengguna {user_id} tidak ditemukan.", f"User {user_id} not found.")
    return user


def user_by_email(session: Session, email: str) -> User:
    """The user with this e-mail, or :class:`NotFound` (for the CLI)."""
    user = find_user(session, email)
    if user is None:
        raise NotFound(f"Pengguna {email} tidak ditemukan.", f"User {email} not found.")
    return user


def list_users(session: Session) -> list[User]:
    """Every staff account, by e-mail."""
    return list(session.scalars(select(User).order_by(User.email)))


def _bump_session_version(user: User) -> None:
    """Old cookies name the old version; the database adds one, so two requests cannot race."""
    user.session_version = User.session_version + 1


def end_sessions(session: Session, user: User) -> None:
    """Log the user out everywhere: every session and "remember me" cookie stops working."""
    _bump_session_version(user)
    session.commit()


def change_password(session: Session, user: User, *, current: str, new: str) -> None:
    """A user's own password change; needs the current password. Ends every session."""
    if not user.check_password(current):
        raise ServiceError("Kata sandi saat ini salah.", "The current password is wrong.")
    check_new_password(new)
    user.set_password(new)
    _bump_session_version(user)
    audit.record(session, action="password", entity="user", entity_id=user.id)
    session.commit()


def reset_password(session: Session, user: User, *, password: str | None = None) -> str:
    """An admin's reset: a new (random unless given) password, returned to be shown once.

    Ends every session of the user, who logs in again with the new password.
    """
    password = new_random_password() if password is None else password
    check_new_password(password)
    user.set_password(password)
    _bump_session_version(user)
    audit.record(session, action="reset_pw", entity="user", entity_id=user.id)
    session.commit()
    return password


def _lock_active_admins(session: Session) -> list[int]:
    """Ids of the active users who may manage accounts (admins), locked until commit: two admins
    demoting each other at once cannot leave the city with none."""
    managers = roles_with("users.manage")
    return list(
        session.scalars(
            select(User.id).where(User.role.in_(managers), User.active).with_for_update()
        )
    )


def _refuse_own_account(user: User, *, acting_user_id: int | None) -> None:
    if acting_user_id is not None and acting_user_id == user.id:
        raise ServiceError(
            "Anda tidak dapat menonaktifkan akun sendiri atau mengubah peran sendiri.",
            "You cannot deactivate your own account or change your own role.",
        )


def _refuse_last_admin(session: Session, user: User) -> None:
    if user.can("users.manage") and user.active and _lock_active_admins(session) == [user.id]:
        raise ServiceError(
            "Ini admin aktif terakhir; jadikan pengguna lain admin terlebih dahulu.",
            "This is the last active admin; make another user an admin first.",
        )


def set_active(
    session: Session, user: User, *, active: bool, acting_user_id: int | None = None
) -> bool:
    """Deactivate or reactivate; a deactivated user's sessions end at once.

    Returns whether anything changed. ``acting_user_id`` is the admin doing it (None from the
    CLI): nobody deactivates themselves, and the last active admin stays.
    """
    if user.active == active:
        return False
    if not active:
        _refuse_own_account(user, acting_user_id=acting_user_id)
        _refuse_last_admin(session, user)
    user.active = active
    _bump_session_version(user)
    audit.record(
        session,
        action="reactivate" if active else "deactivate",
        entity="user",
        entity_id=user.id,
        before={"active": not active},
        after={"active": active},
    )
    session.commit()
    return True


def set_role(session: Session, user: User, *, role: str, acting_user_id: int | None = None) -> bool:
    """Change a user's role; their sessions end (they log in again under the new role).

    Returns whether anything changed. The same guards as :func:`set_active`.
    """
    _check_role(role)
    if user.role == role:
        return False
    _refuse_own_account(user, acting_user_id=acting_user_id)
    _refuse_last_admin(session, user)
    before = user.role
    user.role = role
    _bump_session_version(user)
    audit.record(
        session,
        action="role",
        entity="user",
        entity_id=user.id,
        before={"role": before},
        after={"role": role},
    )
    session.commit()
    return True
