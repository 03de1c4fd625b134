"""Benchmark ``cli-start``: how long a CLI command takes to start, as a whole process.

What it measures
----------------
* ``ours_s``: the median of ``runs`` wall times of ``flask --app app --help`` (the interpreter
  starts, Flask loads the app through ``create_app``, every command is registered, the help is
  printed), each a fresh process.
* ``baseline_s``: the median of as many runs of ``python -c "import flask, sqlalchemy, shapely"``,
  the floor of this stack, run alternately with ours so both see the same machine load.
* ``ratio``: ``ours_s / baseline_s`` (target: 2 or less).

One warm-up run of each first (the file cache). No database is touched: ``--help`` does not
connect.

Run ``python -m bench cli-start``: prints one JSON line.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "import flask, sqlalchemy, shapely"


def _flask() -> list[str]:
    exe = Path(sys.executable).with_name("flask")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "flask"]


def _wall(cmd: list[str]) -> float:
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_APP", "PYTHONPROFILEIMPORTTIME")}
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    return time.perf_counter() - start


def run(*, runs: int = 5) -> dict[str, Any]:
    """Run the benchmark and return its JSON-ready summary."""
    ours_cmd = [*_flask(), "--app", "app", "--help"]
    base_cmd = [sys.executable, "-c", BASELINE]
    _wall(ours_cmd), _wall(base_cmd)  # warm-up: the file cache
    ours: list[float] = []
    base: list[float] = []
    for _ in range(runs):
        ours.append(_wall(ours_cmd))
        base.append(_wall(base_cmd))
    ours_s, base_s = statistics.median(ours), statistics.median(base)
    return {
        "workload": "cli-start",
        "ours_s": round(ours_s, 3),
        "baseline": "python -c 'import flask, sqlalchemy, shapely'",
        "baseline_s": round(base_s, 3),
        "ratio": round(ours_s / base_s, 2),
        "runs": runs,
        "ours_all_s": [round(t, 3) for t in ours],
        "baseline_all_s": [round(t, 3) for t in base],
    }


if __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False))
