"""Starting a CLI command loads no heavy library: they are imported where they are used.

Every ``flask --app app …`` command builds the app first; the map library (folium), the PDF
code (reportlab), geopandas, scipy and pandas are loaded by the pages and services that use
them, so ``--help`` or a quick command does not wait for them. ``--help`` does not load the
models, services, routes, GeoAlchemy2 or psycopg either: the commands' modules load when a
command runs, and the app built by the CLI finishes its setup then. Checked in a fresh process
by what ends up in ``sys.modules`` (not by timing).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HEAVY = (
    "matplotlib",
    "folium",
    "reportlab",
    "geopandas",
    "scipy",
    "pandas",
    "zxingcpp",
    # the app's own database and web layers, which only a running command needs
    "app.models",
    "app.services",
    "app.routes",
    "app.cli.data",
    "geoalchemy2",
    "psycopg",
    "wtforms",
)

SCRIPT = f"""
import sys
from flask.cli import main
sys.argv = ["flask", "--app", "app", "--help"]
try:
    main()
except SystemExit:
    pass
print("LOADED=" + ",".join(sorted(m for m in {HEAVY!r} if m in sys.modules)))
"""


def test_flask_help_imports_no_heavy_library() -> None:
    env = {k: v for k, v in os.environ.items() if k != "FLASK_APP"}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "create-city" in out.stdout  # the commands are all there
    loaded = [line for line in out.stdout.splitlines() if line.startswith("LOADED=")]
    assert loaded == ["LOADED="], out.stdout[-500:]


def test_the_command_list_matches_the_commands() -> None:
    """The static table of ``--help`` holds each command's module and first help paragraph."""
    from app.cli import COMMANDS, LazyCommand, load_command
    from app.cli.admin import admin_commands
    from app.cli.allocation import allocation_commands
    from app.cli.data import data_commands
    from app.cli.gis import gis_commands
    from app.cli.lapak import lapak_commands

    groups = (admin_commands, data_commands, gis_commands, allocation_commands, lapak_commands)
    assert [c.name for group in groups for c in group] == list(COMMANDS)  # none left out

    for name, (_module, _attribute, summary) in COMMANDS.items():
        real = load_command(name)
        assert real.name == name
        assert (real.help or "").split("\n\n")[0] == summary, name
        stub = LazyCommand(name)
        for limit in (20, 45, 80, 200):
            assert stub.get_short_help_str(limit) == real.get_short_help_str(limit), name
        assert stub.hidden == real.hidden and stub.deprecated == real.deprecated


def test_a_command_runs_with_the_whole_app_and_its_own_help() -> None:
    """A command run through the CLI gets the full app set up; its help is its own."""
    from click.testing import CliRunner
    from flask.cli import FlaskGroup

    from app import create_app
    from app.cli.gis import layout_command

    app = create_app({"TESTING": True})
    runner = app.test_cli_runner()
    out = runner.invoke(args=["layout", "--help"])
    assert out.exit_code == 0, out.output
    assert "--booth-width" in out.output and "--lang" in out.output
    assert out.output == runner.invoke(layout_command, args=["--help"]).output.replace(
        "Usage: layout", "Usage: app layout"
    )

    built: list[Any] = []

    def factory() -> Any:
        built.append(create_app({"TESTING": True}))
        assert built[-1]._pending_setup is not None  # inside the click context: deferred
        return built[-1]

    plain = CliRunner()  # the app's own runner would hand over the app built above
    out = plain.invoke(FlaskGroup(create_app=factory), args=["routes"])
    assert out.exit_code == 0, out.output
    assert "/ogc" in out.output  # the blueprints were registered before the command read them
    assert built[-1]._pending_setup is None

    out = plain.invoke(FlaskGroup(create_app=factory), args=["vendor-link", "0"])
    assert built[-1]._pending_setup is None  # finished before the command ran
    assert "petalapak.engine" in built[-1].extensions
    assert out.exit_code != 0 and "0" in out.output


def test_an_app_built_outside_the_cli_is_set_up_at_once() -> None:
    from app import create_app

    app = create_app({"TESTING": True})
    assert app._pending_setup is None  # type: ignore[attr-defined]
    assert "petalapak.engine" in app.extensions
