"""``make bench`` installs the load tools it drives (wrk, hey) as ``make test`` does Chromium."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "ensure_bench_tools.sh"


def _fake_bin(tmp_path: Path, *tools: str, uid: int) -> Path:
    """A PATH holding only bash's basics, the named tools and an ``id`` that reports ``uid``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in tools:
        (bin_dir / tool).write_text("#!/bin/sh\nexit 0\n")
    (bin_dir / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    for path in bin_dir.iterdir():
        path.chmod(0o755)
    return bin_dir


def _run(bin_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": str(bin_dir)}
    return subprocess.run(
        ["/bin/bash", str(SCRIPT)], env=env, capture_output=True, text=True, check=False
    )


def test_the_bench_target_ensures_its_tools_first() -> None:
    target = re.search(r"^bench:.*?(?=^\S|\Z)", (ROOT / "Makefile").read_text(), re.S | re.M)
    assert target is not None
    body = target.group(0)
    assert "scripts/ensure_bench_tools.sh" in body
    assert body.index("ensure_bench_tools.sh") < body.index("-m bench")


def test_present_tools_need_nothing(tmp_path: Path) -> None:
    assert _run(_fake_bin(tmp_path, "wrk", "hey", uid=1000)).returncode == 0


def test_missing_tools_without_root_say_how_to_install(tmp_path: Path) -> None:
    result = _run(_fake_bin(tmp_path, "wrk", uid=1000))
    assert result.returncode == 1
    assert "apt-get install hey" in result.stderr
