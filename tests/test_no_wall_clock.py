"""No test asserts how long something took: a busy machine fails such a test for nothing.

Timings belong in ``make bench``. Stopwatches (``perf_counter``, ``process_time``) have no other
use in a test, so none may appear; deadlines that only bound a wait (``time.monotonic``) may.

The timing side-channel tests (unknown login address, unknown vendor code) check the mechanism
instead: the same hash work, the same statements and comparison.
"""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
STOPWATCH = re.compile(r"\b(perf_counter|process_time)\b")


def test_no_test_times_itself() -> None:
    offenders = [
        f"{path.relative_to(TESTS)}:{n}"
        for path in sorted(TESTS.rglob("*.py"))
        if path.name != Path(__file__).name
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if STOPWATCH.search(line)
    ]
    assert offenders == []
