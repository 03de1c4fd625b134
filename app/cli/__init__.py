"""``flask --app app …`` commands for city staff who work in bulk, and for setup.

The commands' modules import the models and services, so they are loaded only when a command
runs or shows its own help: ``flask --app app --help`` lists them from :data:`COMMANDS`, a
small table of where each command lives and the first paragraph of its help
(``tests/test_cli_start.py`` checks it against the commands themselves).
"""

from __future__ import annotations

import importlib
from typing import Any

import click
from flask import Flask

#: name: (module, attribute, the first paragraph of the command's help), in registration order.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "db-upgrade": (
        "app.cli.admin",
        "db_upgrade",
        "Apply database migrations (Alembic) up to the newest revision.",
    ),
    "create-user": (
        "app.cli.admin",
        "create_user_command",
        "Create a staff account (admin, planner or crew).",
    ),
    "list-users": (
        "app.cli.admin",
        "list_users_command",
        "List staff accounts: e-mail, role, active.",
    ),
    "deactivate-user": (
        "app.cli.admin",
        "deactivate_user_command",
        "Deactivate a staff account: it cannot log in and its open sessions end at once.",
    ),
    "reactivate-user": (
        "app.cli.admin",
        "reactivate_user_command",
        "Let a deactivated staff account log in again.",
    ),
    "set-role": (
        "app.cli.admin",
        "set_role_command",
        "Change a staff account's role; its sessions end (it logs in again under the new role).",
    ),
    "reset-password": (
        "app.cli.admin",
        "reset_password_command",
        "Give a staff account a new password (random, printed once, unless --password).",
    ),
    "create-city": (
        "app.cli.data",
        "create_city_command",
        "Create a city with its default clearance rules.",
    ),
    "create-event": (
        "app.cli.data",
        "create_event_command",
        "Create an event (e.g. a CFD Sunday) on one or more corridor zones.",
    ),
    "import-layer": (
        "app.cli.data",
        "import_layer_command",
        "Import zones, facilities or an event's booths, all or nothing.",
    ),
    "export-layer": (
        "app.cli.data",
        "export_layer_command",
        "Export zones, facilities or an event's booths as GeoJSON, GeoPackage, CSV or KML.",
    ),
    "import-basemap": (
        "app.cli.basemap",
        "import_basemap_command",
        "Replace a city's basemap (roads, water, buildings, landmarks) from an OSM extract.",
    ),
    "import-vendors": (
        "app.cli.data",
        "import_vendors_command",
        "Import vendors from CSV or XLSX with a per-row report; one bad row writes nothing.",
    ),
    "seed-demo": (
        "app.cli.data",
        "seed_demo_command",
        "Load Pontianak's illustrative demo data (safe to run again: loads only what is missing).",
    ),
    "layout": (
        "app.cli.gis",
        "layout_command",
        "Generate and store the event's booths (unlocked ones replaced, locked ones kept).",
    ),
    "conflicts": (
        "app.cli.gis",
        "conflicts_command",
        "Print every conflict of the event's booths with facilities and zones.",
    ),
    "allocate": (
        "app.cli.allocation",
        "allocate_command",
        "Assign active vendors to the event's booths (pins kept) and explain every decision.",
    ),
    "vendor-link": (
        "app.cli.lapak",
        "vendor_link_command",
        'Print the signed "Cek Lapak Saya" link of vendor VENDOR_ID.',
    ),
    "vendor-new-code": (
        "app.cli.lapak",
        "vendor_new_code_command",
        "Give vendor VENDOR_ID a new access code and print it with the new signed link.",
    ),
}

_loaded: dict[str, click.Command] = {}


def load_command(name: str) -> click.Command:
    """The real command ``name`` (its module imported now), with the ``--lang`` option."""
    command = _loaded.get(name)
    if command is None:
        from app.cli.common import add_lang_option

        module, attribute, _help = COMMANDS[name]
        command = add_lang_option(getattr(importlib.import_module(module), attribute))
        _loaded[name] = command
    return command


class LazyCommand(click.Command):
    """Stands in for a command in the list; anything beyond its name and summary loads it."""

    def __init__(self, name: str) -> None:
        super().__init__(name, help=COMMANDS[name][2])

    @property
    def real(self) -> click.Command:
        return load_command(self.name or "")

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        _finish_app_setup()
        return self.real.make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        _finish_app_setup()
        return self.real.invoke(ctx)

    def main(self, *args: Any, **kwargs: Any) -> Any:  # standalone: its context finishes setup
        return self.real.main(*args, **kwargs)

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return self.real.get_params(ctx)

    def get_help(self, ctx: click.Context) -> str:
        return self.real.get_help(ctx)

    def get_usage(self, ctx: click.Context) -> str:
        return self.real.get_usage(ctx)

    def to_info_dict(self, ctx: click.Context) -> dict[str, Any]:
        return self.real.to_info_dict(ctx)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> Any:
        return self.real.shell_complete(ctx, incomplete)


def _finish_app_setup() -> None:
    """A command is about to run: the app's deferred setup (app.deferred_setup) runs first."""
    from flask import current_app, has_app_context

    if has_app_context():
        finish = getattr(current_app, "finish_setup", None)
        if finish is not None:
            finish()


def register_cli(app: Flask) -> None:
    """Attach every command group's commands to the app's CLI (each loaded when it runs)."""
    for name in COMMANDS:
        app.cli.add_command(LazyCommand(name))
