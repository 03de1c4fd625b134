"""Setup commands: migrations, users."""

from __future__ import annotations

import secrets

import click
from flask import current_app
from flask.cli import with_appcontext

from app.cli.common import service_errors
from app.db import get_session
from app.models import ROLES
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
    password = password or secrets.token_urlsafe(12)
    user = create_user(session, email=email, password=password, role=role)
    click.echo(f"Pengguna dibuat / user created: {user.email} ({user.role})")
    if shown:
        click.echo(f"Kata sandi / password: {password}")


admin_commands = (db_upgrade, create_user_command)
