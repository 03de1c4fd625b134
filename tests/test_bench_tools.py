"""``make bench`` installs the load tools it drives (wrk, hey) as ``make test`` does Chromium."""

from __future__ import annotations

import concurrent.futures
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


def test_public_map_workload_reports_its_keys(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The public-map line has the keys issue #13 asks for (a tiny run, timings not judged)."""
    from bench import __main__ as bench_main
    from bench import public_map

    assert bench_main.WORKLOADS["public-map"] == ("bench.public_map", "run")
    if not os.environ.get("TEST_DATABASE_URL"):
        import pytest

        pytest.skip("needs a database")
    monkeypatch.setenv("DATABASE_URL", os.environ["TEST_DATABASE_URL"])
    monkeypatch.setattr(public_map, "SECONDS", 1)
    monkeypatch.setattr(public_map, "_load", _tiny_load(public_map._load))
    # In a thread of its own: the suite's browser (Playwright's sync API) keeps an event loop
    # running in this one, and the workload starts its own loops, as a command line program does.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(public_map.run).result()
    for key in (
        "ours_s",
        "baseline",
        "baseline_s",
        "ratio",
        "rps",
        "healthz_rps",
        "ratio_vs_healthz",
        "page_bytes",
        "p99_ms",
        "errors",
        "targets",
        "targets_met",
    ):
        assert key in result, key
    assert "paint_ms" in result or "paint_note" in result  # no Chromium: says why
    assert result["baseline"] == "healthz"
    assert result["page_bytes"] > 0 and result["rps"] > 0 and result["healthz_rps"] > 0
    assert "data" in result["page_bytes_parts"]


def _tiny_load(load):  # type: ignore[no-untyped-def]
    async def tiny(port, seconds, **kwargs):  # type: ignore[no-untyped-def]
        return await load(port, min(seconds, 1), **kwargs)

    return tiny
