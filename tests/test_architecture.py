"""app/gis stays pure: no web framework, no database, no models."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GIS = Path(__file__).resolve().parent.parent / "app" / "gis"
FORBIDDEN = ("flask", "sqlalchemy", "geoalchemy2", "app.models", "app.routes", "app.services",
             "app.db", "werkzeug")


@pytest.mark.parametrize("path", sorted(GIS.glob("*.py")), ids=lambda p: p.name)
def test_gis_module_is_pure(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"
