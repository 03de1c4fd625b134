"""make bench installs wrk and hey on a fresh machine (as make test installs Chromium)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "ensure_bench_tools.sh"


def _fake(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


def _run(tmp_path: Path, *, have: tuple[str, ...], uid: str) -> tuple[int, list[str]]:
    """The script on a machine with only ``have`` of wrk/hey, as user ``uid``; apt-get's calls."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "apt.log"
    _fake(bin_dir, "id", f"echo {uid}")
    _fake(bin_dir, "apt-get", f'echo "$*" >> {log}')
    for tool in have:
        _fake(bin_dir, tool, "exit 0")
    bash = shutil.which("bash")
    assert bash is not None
    done = subprocess.run(
        [bash, str(SCRIPT)], env={"PATH": str(bin_dir)}, capture_output=True, text=True
    )
    calls = log.read_text().splitlines() if log.exists() else []
    return done.returncode, calls


def test_bench_target_installs_its_tools_first() -> None:
    recipe = re.search(r"^bench:[^\n]*\n(?:\t[^\n]*\n)*", (ROOT / "Makefile").read_text(), re.M)
    assert recipe is not None
    body = recipe.group(0)
    assert "scripts/ensure_bench_tools.sh" in body
    assert body.index("ensure_bench_tools.sh") < body.index("-m bench")


def test_root_on_a_fresh_machine_installs_wrk_and_hey(tmp_path: Path) -> None:
    code, calls = _run(tmp_path, have=(), uid="0")
    assert code == 0
    installs = [c for c in calls if c.startswith("install")]
    assert len(installs) == 1
    assert {"wrk", "hey"} <= set(installs[0].split())


def test_only_the_missing_tool_is_installed(tmp_path: Path) -> None:
    code, calls = _run(tmp_path, have=("wrk",), uid="0")
    assert code == 0
    installs = [c.split() for c in calls if c.startswith("install")]
    assert len(installs) == 1 and "hey" in installs[0] and "wrk" not in installs[0]


def test_nothing_to_do_when_both_are_there(tmp_path: Path) -> None:
    assert _run(tmp_path, have=("wrk", "hey"), uid="0") == (0, [])


def test_without_root_it_says_how_and_installs_nothing(tmp_path: Path) -> None:
    code, calls = _run(tmp_path, have=(), uid="1000")
    assert code != 0 and calls == []
