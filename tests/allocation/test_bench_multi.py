"""The ``allocate-multi-1000`` workload on a tiny instance: its JSON keys and no hard violation.

No timing is asserted; the workload's numbers are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import json

from app.allocation import allocate
from app.allocation.blocks import violations
from bench.allocate_multi import LOTTERY_SEED, make_instance, objective, reference_milp, run


def test_workload_reports_its_keys_and_keeps_every_hard_rule() -> None:
    out = run(n_rows=2, per_row=20, n_vendors=30, time_limit_s=20.0)
    for key in ("ours_s", "baseline", "baseline_s", "ratio", "objective_gap", "gap_reference",
                "hard_violations"):  # fmt: skip
        assert key in out
    assert out["workload"] == "allocate-multi-1000"
    assert out["gap_reference"] in ("optimum", "bound")
    assert out["hard_violations"] == 0
    json.dumps(out)


def test_the_reference_is_a_lower_bound_of_ours() -> None:
    vendors, booths, caps = make_instance(n_rows=2, per_row=20, n_vendors=30)
    result = allocate(vendors, booths, seed=LOTTERY_SEED, caps=caps)
    assert violations(vendors, booths, result, caps) == []
    fun, bound, proven, n_var = reference_milp(vendors, booths, caps, 20.0)
    assert proven and n_var > 0
    assert bound <= fun + 1e-6
    assert fun <= objective(vendors, result) + 1e-6
    assert any(len(p.codes) > 1 for p in result.placements)
