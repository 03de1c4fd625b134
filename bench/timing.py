"""Timing shared by the workloads: one run of a callable, recorded after a garbage collection."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def timed(fn: Callable[[], T], timings: list[float]) -> T:
    """Run ``fn`` once, append its wall time to ``timings``; callers keep the best of several."""
    gc.collect()
    start = time.perf_counter()
    result = fn()
    timings.append(time.perf_counter() - start)
    return result
