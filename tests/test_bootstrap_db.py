"""``scripts/bootstrap_db.py`` prints the database URL and nothing else on stdout.

The Makefile captures its stdout as ``DATABASE_URL``; on a fresh machine the script runs
apt-get and dpkg, whose progress lines once ended up inside the URL.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Runs the script's main() with the server search replaced by a noisy child process, as apt-get
#: is when PostGIS has to be installed.
_DRIVER = """
import runpy, subprocess, sys
sys.argv = ["bootstrap_db.py", "petalapak_x"]
mod = runpy.run_path(sys.argv_path, run_name="bootstrap")
def noisy_server():
    subprocess.run(["echo", "Selecting previously unselected package gdal-data."], check=True)
    print("a stray print")
    return "postgresql://u@127.0.0.1:5432/postgres"
mod["main"].__globals__["find_server"] = noisy_server
mod["main"].__globals__["ensure_database"] = lambda server, db, explicit: server[:-8] + db
mod["main"]()
"""


def test_only_the_url_reaches_stdout() -> None:
    driver = _DRIVER.replace("sys.argv_path", repr(str(ROOT / "scripts" / "bootstrap_db.py")))
    done = subprocess.run(
        [sys.executable, "-c", driver], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout == "postgresql+psycopg://u@127.0.0.1:5432/petalapak_x\n"
    assert "gdal-data" in done.stderr and "a stray print" in done.stderr
