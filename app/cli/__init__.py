"""``flask --app app …`` commands for city staff who work in bulk, and for setup."""

from __future__ import annotations

from flask import Flask

from app.cli.admin import admin_commands
from app.cli.allocation import allocation_commands
from app.cli.common import add_lang_option
from app.cli.data import data_commands
from app.cli.gis import gis_commands
from app.cli.lapak import lapak_commands


def register_cli(app: Flask) -> None:
    """Attach every command group's commands to the app's CLI."""
    for command in (
        *admin_commands,
        *data_commands,
        *gis_commands,
        *allocation_commands,
        *lapak_commands,
    ):
        app.cli.add_command(add_lang_option(command))
