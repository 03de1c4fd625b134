"""CI runs what a developer runs: the whole suite, then make lint (issue #11)."""

from __future__ import annotations

from pathlib import Path

CI = Path(__file__).resolve().parent.parent / ".ci" / "run"


def test_ci_runs_the_tests_then_lint() -> None:
    commands = [line.strip() for line in CI.read_text().splitlines()]
    assert "set -euo pipefail" in commands  # a failing step fails the run
    assert "make test" in commands and "make lint" in commands
    assert commands.index("make test") < commands.index("make lint")
