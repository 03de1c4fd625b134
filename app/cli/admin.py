"""Setup commands: migrations, staff accounts."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app.cli.common import service_errors
from app.db import get_session
from app.models import ROLES
from app.services import users as user_svc
from app.services.audit import acting_as
from app.services.users import create_user, find_user


@click.command("db-upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply database migrations (Alembic) up to the newest revision."""
    from app.migrate import upgrade

    upgrade(current_app.config["SQLALCHEMY_DATABASE_URI"])
    click.echo("Skema basis data mutakhir. / Database schema up to date.")


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--password", help="Kata sandi; tanpa ini dibuat acak dan ditampilkan.")
@click.option("--if-missing", is_flag=True, help="Tidak galat bila pengguna sudah ada.")
@with_appcontext
@service_errors
def create_user_command(email: str, role: str, password: str | None, if_missing: bool) -> None:
    """Create a staff account (admin, planner or crew)."""
    session = get_session()
    if if_missing and find_user(session, email) is not None:
        click.echo(f"Pengguna {email} sudah ada. / User exists.")
        return
    shown = password is None
    password = password or user_svc.new_random_password()
    with acting_as(None, "cli:create-user"):
        user = create_user(session, email=email, password=password, role=role)
    click.echo(f"Pengguna dibuat / user created: {user.email} ({user.role})")
    if shown:
        click.echo(f"Kata sandi / password: {password}")


#: Destructive account commands ask first; ``--yes`` answers for scripts.
_yes = click.option("--yes", "-y", is_flag=True, help="Jangan tanya konfirmasi / do not ask.")


def _confirm(question: str, yes: bool) -> None:
    if not yes:
        click.confirm(question, abort=True)


@click.command("list-users")
@with_appcontext
def list_users_command() -> None:
    """List staff accounts: e-mail, role, active."""
    for user in user_svc.list_users(get_session()):
        state = "aktif / active" if user.active else "nonaktif / inactive"
        click.echo(f"{user.id}\t{user.email}\t{user.role}\t{state}")


@click.command("deactivate-user")
@click.argument("email")
@_yes
@with_appcontext
@service_errors
def deactivate_user_command(email: str, yes: bool) -> None:
    """Deactivate a staff account: it cannot log in and its open sessions end at once."""
    session = get_session()
    user = user_svc.user_by_email(session, email)
    _confirm(f"Nonaktifkan / deactivate {user.email}?", yes)
    with acting_as(None, "cli:deactivate-user"):
        changed = user_svc.set_active(session, user, active=False)
    click.echo(
        f"{user.email} dinonaktifkan; semua sesinya berakhir. / deactivated; its sessions ended."
        if changed
        else f"{user.email} sudah nonaktif. / is already inactive."
    )


@click.command("reactivate-user")
@click.argument("email")
@with_appcontext
@service_errors
def reactivate_user_command(email: str) -> None:
    """Let a deactivated staff account log in again."""
    session = get_session()
    user = user_svc.user_by_email(session, email)
    with acting_as(None, "cli:reactivate-user"):
        changed = user_svc.set_active(session, user, active=True)
    click.echo(
        f"{user.email} diaktifkan kembali. / reactivated."
        if changed
        else f"{user.email} sudah aktif. / is already active."
    )


@click.command("set-role")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@_yes
@with_appcontext
@service_errors
def set_role_command(email: str, role: str, yes: bool) -> None:
    """Change a staff account's role; its sessions end (it logs in again under the new role)."""
    session = get_session()
    user = user_svc.user_by_email(session, email)
    if user.role == role:
        click.echo(f"{user.email} sudah berperan {role}. / already has role {role}.")
        return
    _confirm(f"Ubah peran / change role of {user.email}: {user.role} → {role}?", yes)
    with acting_as(None, "cli:set-role"):
        user_svc.set_role(session, user, role=role)
    click.echo(f"{user.email}: {role}; semua sesinya berakhir. / its sessions ended.")


@click.command("reset-password")
@click.argument("email")
@click.option("--password", help="Kata sandi baru; tanpa ini dibuat acak dan ditampilkan sekali.")
@_yes
@with_appcontext
@service_errors
def reset_password_command(email: str, password: str | None, yes: bool) -> None:
    """Give a staff account a new password (random, printed once, unless --password)."""
    session = get_session()
    user = user_svc.user_by_email(session, email)
    _confirm(f"Atur ulang kata sandi / reset the password of {user.email}?", yes)
    with acting_as(None, "cli:reset-password"):
        new = user_svc.reset_password(session, user, password=password)
    click.echo(f"Kata sandi {user.email} diatur ulang; semua sesinya berakhir. / password reset.")
    if password is None:
        click.echo(f"Kata sandi baru / new password: {new}")


admin_commands = (
    db_upgrade,
    create_user_command,
    list_users_command,
    deactivate_user_command,
    reactivate_user_command,
    set_role_command,
    reset_password_command,
)
