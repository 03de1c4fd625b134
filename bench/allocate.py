"""Benchmark: the booth allocation engine against exact solvers on the same problem.

Run with ``python -m bench.allocate``; prints one JSON line per workload. Timings are best-of-3,
interleaved, in one process; the synthetic data come from a fixed seed.

``allocate-2000``
    2,000 vendors and 2,000 booths in 50 sections (preferences, qualities, rotation history,
    electricity and step-free access needs; no neighbour rule, no caps, so the optimum is exactly
    the assignment optimum). ``ours`` is the whole :func:`app.allocation.allocate` call (phases,
    lottery, admission, cost matrix, matching, explanations); ``baseline`` is a bare dense
    ``scipy.optimize.linear_sum_assignment`` on the same cost matrix, built here from the
    documented formulas (only the solver call is timed). ``objective_gap`` is
    (ours − optimum) ÷ optimum. ``baseline_row_reduced_s`` times the same solver on the matrix
    minus each row's minimum, the preprocessing :mod:`app.allocation.matching` applies, so our
    overhead over the identical solver call can be read off too.
``allocate-neighbours-200``
    200 booths in two rows of 100 (neighbours: adjacent in a row), 10 sections, 200 vendors of
    the 8 categories whose preferences cluster by category, same-category neighbours penalised
    (weight 1). The reference is the exact model solved by ``scipy.optimize.milp`` (HiGHS):
    binary ``x[v, b]``, and per neighbour pair and category ``y >= sum_k x[., b1] +
    sum_k x[., b2] - 1``. ``gap_reference`` says whether the gap is against the proven optimum
    (``milp-proven-optimum``) or, when HiGHS stops at its time limit, its lower bound
    (``milp-lower-bound``). ``lsa_lower_bound`` is the optimum without the neighbour term, a
    second proven bound. ``small_*`` keys repeat the comparison on 30 small instances (12 booths
    in two rows of 6), where HiGHS proves every optimum.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, milp

from app.allocation import AllocationResult, BoothIn, VendorIn, Weights, allocate
from app.allocation.engine import NEWCOMER_LAST_QUALITY
from app.gis.rules import VENDOR_CATEGORIES
from bench.timing import timed

SEED = 20251123  # MikroDOTS at the Pontianak CFD, 23 November 2025
LOTTERY_SEED = 2025
ROUNDS = 3
MILP_TIME_LIMIT_S = 120.0


# ----------------------------------------------------------------------------------------------
# The cost matrix, from the documented formulas (app.allocation.model.Weights)
# ----------------------------------------------------------------------------------------------


def reference_costs(
    vendors: Sequence[VendorIn], booths: Sequence[BoothIn], w: Weights
) -> NDArray[np.float64]:
    """Vendors (sorted by id) × booths (sorted by code) linear costs; ``inf`` where forbidden."""
    vs = sorted(vendors, key=lambda v: v.id)
    bs = sorted(booths, key=lambda b: b.code)
    sections = sorted({b.section for b in bs})
    sidx = {s: i for i, s in enumerate(sections)}
    pref = np.zeros((len(vs), len(sections)))
    for r, v in enumerate(vs):
        if v.preferred_sections:
            pref[r] = 1.0
            for k, s in enumerate(v.preferred_sections):
                pref[r, sidx[s]] = min(pref[r, sidx[s]], k / len(v.preferred_sections))
    col_sec = np.array([sidx[b.section] for b in bs])
    bad = 1.0 - np.array([b.quality for b in bs])
    last = np.array(
        [NEWCOMER_LAST_QUALITY if v.last_quality is None else v.last_quality for v in vs]
    )
    cost = w.section_preference * pref[:, col_sec]
    cost += (w.quality + w.rotation_fairness * (1.0 - last))[:, None] * bad[None, :]
    elec = np.array([b.has_electricity for b in bs])
    acc = np.array([b.accessible for b in bs])
    need_e = np.array([v.needs_electricity for v in vs])
    need_a = np.array([v.needs_accessibility for v in vs])
    allowed = (
        np.array([[b.allows(v.category) for b in bs] for v in vs])
        if any(b.allowed_categories is not None for b in bs)
        else True
    )
    ok = allowed & (elec[None, :] | ~need_e[:, None]) & (acc[None, :] | ~need_a[:, None])
    return np.where(ok, cost, np.inf)


# ----------------------------------------------------------------------------------------------
# allocate-2000
# ----------------------------------------------------------------------------------------------


def make_2000(seed: int = SEED) -> tuple[list[VendorIn], list[BoothIn]]:
    """2,000 vendors and 2,000 booths in 50 sections of 40; fixed seed."""
    rng = np.random.default_rng(seed)
    n = 2000
    sections = [f"S{i:02d}" for i in range(1, 51)]
    booths = [
        BoothIn(
            f"AY-{i:04d}",
            sections[i // 40],
            has_electricity=bool(rng.random() < 0.4),
            accessible=bool(rng.random() < 0.3),
            quality=float(np.round(rng.uniform(0.2, 1.0), 3)),
        )
        for i in range(n)
    ]
    vendors = []
    for vid in range(1, n + 1):
        k = int(rng.integers(0, 4))
        prefs = tuple(str(s) for s in rng.choice(sections, size=k, replace=False))
        vendors.append(
            VendorIn(
                vid,
                str(rng.choice(VENDOR_CATEGORIES)),
                needs_electricity=bool(rng.random() < 0.2),
                needs_accessibility=bool(rng.random() < 0.05),
                priority_rank=int(rng.integers(0, 10)),
                preferred_sections=prefs,
                last_quality=None if rng.random() < 0.3 else float(np.round(rng.random(), 3)),
            )
        )
    return vendors, booths


def run_2000() -> dict[str, object]:
    """Time ``allocate`` against a bare ``linear_sum_assignment`` on 2,000 × 2,000."""
    vendors, booths = make_2000()
    w = Weights(neighbour_same_category=0.0)
    cost = reference_costs(vendors, booths, w)
    reduced = cost - cost.min(axis=1)[:, None]

    def ours() -> AllocationResult:
        return allocate(vendors, booths, seed=LOTTERY_SEED, weights=w)

    def baseline() -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        rows, cols = linear_sum_assignment(cost)
        return rows, cols

    def baseline_reduced() -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        rows, cols = linear_sum_assignment(reduced)
        return rows, cols

    ours_t: list[float] = []
    base_t: list[float] = []
    red_t: list[float] = []
    for _ in range(ROUNDS):
        result = timed(ours, ours_t)
        rows, cols = timed(baseline, base_t)
        timed(baseline_reduced, red_t)
    optimum = float(cost[rows, cols].sum())
    ours_s, base_s = min(ours_t), min(base_t)
    return {
        "workload": "allocate-2000",
        "ours_s": round(ours_s, 4),
        "baseline": "scipy-linear_sum_assignment",
        "baseline_s": round(base_s, 4),
        "ratio": round(ours_s / base_s, 3),
        "objective_gap": round((result.objective - optimum) / optimum, 12),
        "baseline_row_reduced_s": round(min(red_t), 4),
        "placed": len(result.placements),
        "hard_violations": hard_violations(result, vendors, booths),
    }


# ----------------------------------------------------------------------------------------------
# allocate-neighbours-200
# ----------------------------------------------------------------------------------------------


def make_rows(
    rng: np.random.Generator, per_row: int, n_sections: int, n_vendors: int, n_cats: int
) -> tuple[list[VendorIn], list[BoothIn]]:
    """Two rows of ``per_row`` booths; sections cut both rows; preferences cluster by category."""
    per_section = per_row // n_sections
    sections = [f"S{i:02d}" for i in range(1, n_sections + 1)]
    booths = []
    for r in "AB":
        codes = [f"{r}-{i:03d}" for i in range(1, per_row + 1)]
        for i, code in enumerate(codes):
            booths.append(
                BoothIn(
                    code,
                    sections[min(i // per_section, n_sections - 1)],
                    quality=float(np.round(rng.uniform(0.2, 1.0), 3)),
                    neighbours=tuple(codes[j] for j in (i - 1, i + 1) if 0 <= j < per_row),
                )
            )
    cats = VENDOR_CATEGORIES[:n_cats]
    home = {c: [sections[(i * 3 + j) % n_sections] for j in range(2)] for i, c in enumerate(cats)}
    vendors = []
    for vid in range(1, n_vendors + 1):
        cat = cats[(vid - 1) % n_cats]
        k = int(rng.integers(1, 3))
        prefs: list[str] = []
        while len(prefs) < k:
            s = str(rng.choice(home[cat])) if rng.random() < 0.7 else str(rng.choice(sections))
            if s not in prefs:
                prefs.append(s)
        vendors.append(
            VendorIn(
                vid,
                cat,
                priority_rank=int(rng.integers(0, 5)),
                preferred_sections=tuple(prefs),
                last_quality=None if rng.random() < 0.3 else float(np.round(rng.random(), 3)),
            )
        )
    return vendors, booths


def neighbour_milp(
    vendors: Sequence[VendorIn], booths: Sequence[BoothIn], w: Weights, time_limit_s: float
) -> tuple[float, float, bool]:
    """Solve the exact neighbour model with HiGHS; return (objective, lower bound, proven)."""
    vs = sorted(vendors, key=lambda v: v.id)
    bs = sorted(booths, key=lambda b: b.code)
    n, m = len(vs), len(bs)
    cost = reference_costs(vs, bs, w)
    bidx = {b.code: i for i, b in enumerate(bs)}
    edges = sorted(
        {
            (min(i, bidx[c]), max(i, bidx[c]))
            for i, b in enumerate(bs)
            for c in b.neighbours
            if c in bidx
        }
    )
    cats = sorted({v.category for v in vs})
    ok = np.isfinite(cost)
    pairs = np.argwhere(ok)  # (vendor, booth) per x variable
    nx = len(pairs)
    ny = len(edges) * len(cats)
    c = np.concatenate([cost[ok], np.full(ny, w.neighbour_same_category)])
    xi = np.arange(nx)
    vendor_rows = sp.csr_matrix((np.ones(nx), (pairs[:, 0], xi)), shape=(n, nx + ny))
    booth_rows = sp.csr_matrix((np.ones(nx), (pairs[:, 1], xi)), shape=(m, nx + ny))
    cat_of = np.array([cats.index(v.category) for v in vs])
    r_idx: list[NDArray[np.intp]] = []
    c_idx: list[NDArray[np.intp]] = []
    vals: list[NDArray[np.float64]] = []
    for e, (b1, b2) in enumerate(edges):
        for k in range(len(cats)):
            row = e * len(cats) + k
            sel = np.flatnonzero(
                ((pairs[:, 1] == b1) | (pairs[:, 1] == b2)) & (cat_of[pairs[:, 0]] == k)
            )
            r_idx += [np.full(len(sel) + 1, row)]
            c_idx += [np.append(sel, nx + row)]
            vals += [np.append(np.ones(len(sel)), -1.0)]
    pair_rows = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(r_idx), np.concatenate(c_idx))), shape=(ny, nx + ny)
    )
    constraints = [
        LinearConstraint(vendor_rows, 1, 1),
        LinearConstraint(booth_rows, 0, 1),
        LinearConstraint(pair_rows, -np.inf, 1),
    ]
    integrality = np.concatenate([np.ones(nx), np.zeros(ny)])
    res = milp(
        c,
        constraints=constraints,
        integrality=integrality,
        bounds=Bounds(0, 1),
        options={"time_limit": time_limit_s, "disp": False},
    )
    bound = float(getattr(res, "mip_dual_bound", np.nan))
    proven = res.status == 0
    return float(res.fun), bound if np.isfinite(bound) else float(res.fun), proven


def hard_violations(
    result: AllocationResult, vendors: Sequence[VendorIn], booths: Sequence[BoothIn]
) -> int:
    """Count broken hard rules: double bookings, unfit booths, vendors placed twice."""
    vmap = {v.id: v for v in vendors}
    bmap = {b.code: b for b in booths}
    codes = [p.booth_code for p in result.placements]
    ids = [p.vendor_id for p in result.placements]
    bad = (len(codes) - len(set(codes))) + (len(ids) - len(set(ids)))
    bad += sum(1 for p in result.placements if not bmap[p.booth_code].fits(vmap[p.vendor_id]))
    return bad


def neighbour_violations(result: AllocationResult, booths: Sequence[BoothIn]) -> int:
    """Count neighbouring booth pairs held by the same category."""
    cat = {p.booth_code: p.category for p in result.placements}
    pairs = {frozenset((b.code, c)) for b in booths for c in b.neighbours}
    return sum(
        1 for pair in pairs if len({cat.get(c) for c in pair}) == 1 and all(c in cat for c in pair)
    )


def run_neighbours() -> dict[str, object]:
    """Time ``allocate`` with the neighbour rule and compare with the MILP optimum or bound."""
    rng = np.random.default_rng(SEED)
    vendors, booths = make_rows(rng, per_row=100, n_sections=10, n_vendors=200, n_cats=8)
    w = Weights()
    cost = reference_costs(vendors, booths, w)
    r, c = linear_sum_assignment(cost)
    lsa_bound = float(cost[r, c].sum())

    def ours() -> AllocationResult:
        return allocate(vendors, booths, seed=LOTTERY_SEED, weights=w)

    ours_t: list[float] = []
    for _ in range(ROUNDS):
        result = timed(ours, ours_t)
    milp_t: list[float] = []
    opt, bound, proven = timed(
        lambda: neighbour_milp(vendors, booths, w, MILP_TIME_LIMIT_S), milp_t
    )
    reference = opt if proven else bound

    small_gaps = []
    small_rng = np.random.default_rng(SEED + 1)
    for _ in range(30):
        sv, sb = make_rows(small_rng, per_row=6, n_sections=2, n_vendors=12, n_cats=3)
        s_opt, _, s_proven = neighbour_milp(sv, sb, w, 60.0)
        assert s_proven
        s_ours = allocate(sv, sb, seed=LOTTERY_SEED, weights=w).objective
        small_gaps.append((s_ours - s_opt) / s_opt)

    ours_s = min(ours_t)
    return {
        "workload": "allocate-neighbours-200",
        "ours_s": round(ours_s, 4),
        "baseline": "scipy-milp-highs" + ("-optimum" if proven else "-time-limited"),
        "baseline_s": round(milp_t[0], 3),
        "ratio": round(ours_s / milp_t[0], 5),
        "objective_gap": round((result.objective - reference) / reference, 6),
        "gap_reference": "milp-proven-optimum" if proven else "milp-lower-bound",
        "hard_violations": hard_violations(result, vendors, booths),
        "neighbour_violations": neighbour_violations(result, booths),
        "objective": round(result.objective, 6),
        "milp_objective": round(opt, 6),
        "milp_lower_bound": round(bound, 6),
        "lsa_lower_bound": round(lsa_bound, 6),
        "small_instances": len(small_gaps),
        "small_optimal": sum(1 for g in small_gaps if g <= 1e-9),
        "small_max_gap": round(max(small_gaps), 6),
    }


if __name__ == "__main__":
    print(json.dumps(run_neighbours()), flush=True)
    print(json.dumps(run_2000()), flush=True)
