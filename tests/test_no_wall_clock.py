"""No test asserts how long something took: a busy machine fails such a test for nothing.

Timings belong in ``make bench``. Stopwatches (``perf_counter``, ``process_time``) have no other
use in a test, so none may appear; deadlines that only bound a wait (``time.monotonic``) may.

The two timing side-channel tests compare one path's median with another's (no fixed bound);
they are listed here until they check the mechanism (the decoy hash, the single query) instead.
"""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
STOPWATCH = re.compile(r"\b(perf_counter|process_time)\b")
RELATIVE_TIMING = {"routes/test_auth.py", "routes/test_lapak.py"}


def test_no_test_times_itself() -> None:
    offenders = [
        f"{path.relative_to(TESTS)}:{n}"
        for path in sorted(TESTS.rglob("*.py"))
        if path.name != Path(__file__).name and str(path.relative_to(TESTS)) not in RELATIVE_TIMING
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if STOPWATCH.search(line)
    ]
    assert offenders == []
