"""The engines stay pure: no web framework, no database, no models, no map library in app/gis,
app/allocation, app/printing and the OGC core (app/ogc may use SQLAlchemy expressions for its
provider, but not Flask).

Two checks: the ``ast`` one reads each file's own imports; the transitive one imports the module
in a fresh interpreter and looks at ``sys.modules``, so an import through a neighbour (the print
engine's styles once came from the folium map module) is caught too.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
FORBIDDEN = (
    "flask",
    "sqlalchemy",
    "geoalchemy2",
    "app.models",
    "app.routes",
    "app.services",
    "app.db",
    "werkzeug",
    "folium",
    "branca",
)
PURE = sorted([*APP.glob("gis/*.py"), *APP.glob("allocation/*.py"), *APP.glob("printing/*.py")])

#: Packages the pure modules must not load, even through another module.
FORBIDDEN_TRANSITIVE = ("flask", "werkzeug", "folium", "branca", "app.models", "app.db")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_names(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", PURE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_engine_module_is_pure(path: Path) -> None:
    for name in _imported_names(path):
        assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"


TRANSITIVELY_PURE = sorted(
    {_module_name(p) for p in PURE} | {"app.styles", "app.kinds"},
)


_SCRIPT = """
import importlib, json, sys
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)
print(json.dumps(sorted(sys.modules)))
"""


def _forbidden_loaded_by(modules: list[str]) -> list[str]:
    """Import the modules in a fresh interpreter; return the forbidden modules it then holds."""
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, json.dumps(modules)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [
        m
        for m in json.loads(done.stdout)
        if any(m == f or m.startswith(f + ".") for f in FORBIDDEN_TRANSITIVE)
    ]


def test_pure_modules_load_no_flask_folium_or_models_even_transitively() -> None:
    # One interpreter for all (fast); on a failure, one per module to name the culprit.
    if not _forbidden_loaded_by(TRANSITIVELY_PURE):
        return
    offenders = {m: found for m in TRANSITIVELY_PURE if (found := _forbidden_loaded_by([m]))}
    pytest.fail(f"pure modules that load forbidden packages: {offenders}")
