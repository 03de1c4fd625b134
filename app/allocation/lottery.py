"""The published lottery that breaks ties of seniority in the allocation.

Anyone can re-run it: ``numpy.random.default_rng(seed)`` permutes the vendor ids sorted ascending,
so the same seed and the same vendors always give the same draw numbers.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

__all__ = ["draw_numbers"]


def draw_numbers(vendor_ids: Iterable[int], seed: int) -> dict[int, int]:
    """Return each vendor's number (1 = first) in the lottery published with ``seed``.

    The ids are sorted ascending and permuted by ``numpy.random.default_rng(seed)``; the vendor at
    position ``i`` of the sorted list gets ``permutation[i] + 1``. Anyone with the vendor list and
    the seed can repeat it, and the input order of the vendors does not matter.

    Examples
    --------
    >>> d = draw_numbers([30, 10, 20], seed=20251123)
    >>> sorted(d.values()), d == draw_numbers([10, 20, 30], seed=20251123)
    ([1, 2, 3], True)
    """
    if seed < 0:
        raise ValueError(f"the lottery seed must be a non-negative integer, got {seed}")
    ids = sorted(vendor_ids)
    perm = np.random.default_rng(seed).permutation(len(ids))
    return {vid: int(p) + 1 for vid, p in zip(ids, perm, strict=True)}
