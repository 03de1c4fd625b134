"""Starting a CLI command loads no heavy library: they are imported where they are used.

Every ``flask --app app …`` command builds the app first; the map library (folium), the PDF
code (reportlab), geopandas, scipy and pandas are loaded by the pages and services that use
them, so ``--help`` or a quick command does not wait for them. Checked in a fresh process by
what ends up in ``sys.modules`` (not by timing).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("matplotlib", "folium", "reportlab", "geopandas", "scipy", "pandas", "zxingcpp")

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
