"""The engines stay pure: no web framework, no database, no models in app/gis, app/allocation,
app/printing and the OGC core (app/ogc may use SQLAlchemy expressions for its provider, but not
Flask)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
FORBIDDEN = (
    "flask",
    "sqlalchemy",
    "geoalchemy2",
    "app.models",
    "app.routes",
    "app.services",
    "app.db",
    "werkzeug",
)
PURE = sorted([*APP.glob("gis/*.py"), *APP.glob("allocation/*.py"), *APP.glob("printing/*.py")])


@pytest.mark.parametrize("path", PURE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_engine_module_is_pure(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"
