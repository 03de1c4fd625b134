"""The engines stay pure: no web framework, no database, no models, no map library in app/gis,
app/allocation, app/printing, and no Flask or models in the OGC core (app/ogc/core, params,
openapi, collection; only its PostGIS provider touches the database). Routes build no queries.

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
#: The OGC core: it may not use Flask or the models (the PostGIS provider may; the core reaches it
#: only through the ``FeatureProvider`` protocol).
OGC_CORE = sorted(
    APP / "ogc" / f"{name}.py" for name in ("core", "params", "openapi", "collection")
)
OGC_FORBIDDEN = (
    "flask",
    "werkzeug",
    "folium",
    "branca",
    "app.models",
    "app.db",
    "app.ogc.provider",
)
ROUTES = sorted((APP / "routes").glob("*.py"))

#: Route modules that still build queries themselves (``sqlalchemy.select``). Queries belong in
#: services; this list only ever shrinks, and is empty now that every route calls a service.
ROUTES_STILL_SELECTING: frozenset[str] = frozenset()

#: Packages the pure modules must not load, even through another module.
FORBIDDEN_TRANSITIVE = (
    "flask",
    "werkzeug",
    "folium",
    "branca",
    "sqlalchemy",
    "geoalchemy2",
    "app.models",
    "app.db",
    "app.services",
    "app.routes",
    "app.ogc.provider",
)


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


@pytest.mark.parametrize("path", OGC_CORE, ids=lambda p: f"ogc/{p.name}")
def test_ogc_core_module_uses_no_flask_or_models(path: Path) -> None:
    for name in _imported_names(path):
        assert not name.startswith(OGC_FORBIDDEN), f"{path.name} imports {name}"


def _imports_select(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            if any(alias.name == "select" for alias in node.names):
                return True
        elif isinstance(node, ast.Attribute) and node.attr == "select":
            value = node.value
            if isinstance(value, ast.Name) and value.id in ("sa", "sqlalchemy"):
                return True
    return False


@pytest.mark.parametrize("path", ROUTES, ids=lambda p: f"routes/{p.name}")
def test_route_module_builds_no_queries(path: Path) -> None:
    if path.stem in ROUTES_STILL_SELECTING:
        assert _imports_select(path), f"{path.name} no longer selects: drop it from the allowlist"
    else:
        assert not _imports_select(path), f"{path.name} runs select(): move the query to a service"


TRANSITIVELY_PURE = sorted(
    {_module_name(p) for p in [*PURE, *OGC_CORE]}
    | {"app.styles", "app.kinds", "app.roles", "app.desk_services", "app.views.charts"},
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
