"""Benchmark ``allocate-multi-1000``: vendors on several adjacent booths, booths with properties.

1,000 vendors on 1,200 booths in rows (40 rows of 30 booths, a crossing after every 10th booth,
so no run crosses it; 2 % blocked), 6 sections of 200 booths. 20 % of the vendors need 2–3
booths side by side (10 % 2..3, 5 % exactly 2, 5 % exactly 3); 8 goods categories; electricity on
15 % of the booths, cooking allowed on 10 %, step-free access at the row ends, 30 booths reserved
for crafts (``kerajinan``); caps counted in booths (food 330 in all, drinks 25 in section A);
half the vendors prefer one or two sections; seniority ranks with ties.

The measure both sides are scored on (lower is better), :func:`objective`: per placed vendor the
preference cost of their run (:func:`app.allocation.blocks.pref_cost`, 0..1) minus
``GROW`` (0.25) per booth beyond their minimum; per unplaced vendor ``UNPLACED`` (2) per booth of
their minimum.

``ours`` is the whole :func:`app.allocation.allocate` call (rules, lottery, explanations).
``baseline`` is the same instance as a MILP solved by ``scipy.optimize.milp`` (HiGHS) in the same
process: vendors with identical wishes grouped into types, a binary per (type, run of adjacent
booths it may take), each booth used at most once, each type at most its count, caps in booths.
It knows nothing of seniority, the draw or special booths kept for those who need them, so its
optimum is a lower bound on any allocation that follows the rulebook. ``gap_reference`` says
whether HiGHS proved its optimum (``"optimum"``) or stopped at ``MILP_TIME_LIMIT_S`` with its best
bound (``"bound"``); ``objective_gap`` is (ours − reference) ÷ |reference|. ``hard_violations``
counts broken hard rules (:func:`app.allocation.blocks.violations`: booths twice, adjacency,
min..max, needs, categories, caps).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from app.allocation import AllocationResult, BoothIn, VendorIn, allocate
from app.allocation.blocks import adjacent_runs, pref_cost, violations
from app.gis.rules import VENDOR_CATEGORIES
from bench.timing import timed

SEED = 20251207
LOTTERY_SEED = 2025
ROUNDS = 3
MILP_TIME_LIMIT_S = 60.0
GROW = 0.25
UNPLACED = 2.0
Caps = dict[tuple[str | None, str], int]


def make_instance(
    seed: int = SEED, *, n_rows: int = 40, per_row: int = 30, n_vendors: int = 1000
) -> tuple[list[VendorIn], list[BoothIn], Caps]:
    """The synthetic event: booths in rows with crossings, vendors, caps (fixed seed)."""
    rng = np.random.default_rng(seed)
    n_booths = n_rows * per_row
    sections = "ABCDEF"
    per_section = max(n_booths // len(sections), 1)
    booths: list[BoothIn] = []
    crafts = set(rng.choice(n_booths, size=max(n_booths // 40, 1), replace=False).tolist())
    for r in range(n_rows):
        for i in range(per_row):
            k = r * per_row + i
            code = f"R{r:02d}-{i:02d}"
            crossing_after = (i + 1) % 10 == 0
            nb = (f"R{r:02d}-{i + 1:02d}",) if i + 1 < per_row and not crossing_after else ()
            booths.append(
                BoothIn(
                    code,
                    sections[min(k // per_section, len(sections) - 1)],
                    neighbours=nb,
                    has_electricity=bool(rng.random() < 0.15),
                    cooking_allowed=bool((r % 10) == 3 or rng.random() < 0.03),
                    accessible=i % 10 in (0, 9),
                    blocked=bool(rng.random() < 0.02),
                    reserved_category="kerajinan" if k in crafts else None,
                    quality=float(round(rng.uniform(0.2, 1.0), 2)),
                )
            )
    cats = list(VENDOR_CATEGORIES[:8])
    weights = np.array([0.3, 0.15, 0.15, 0.1, 0.1, 0.08, 0.07, 0.05][: len(cats)])
    weights = weights / weights.sum()
    vendors: list[VendorIn] = []
    for vid in range(1, n_vendors + 1):
        cat = str(rng.choice(cats, p=weights))
        u = rng.random()
        lo, hi = (2, 3) if u < 0.10 else (2, 2) if u < 0.15 else (3, 3) if u < 0.20 else (1, 1)
        prefs: tuple[str, ...] = ()
        if rng.random() < 0.5:
            prefs = tuple(
                str(s)
                for s in rng.choice(list(sections), size=int(rng.integers(1, 3)), replace=False)
            )
        vendors.append(
            VendorIn(
                vid,
                cat,
                priority_rank=int(rng.integers(0, 300)),
                min_booths=lo,
                max_booths=hi,
                needs_electricity=bool(rng.random() < 0.10),
                needs_cooking=cat == "makanan" and bool(rng.random() < 0.15),
                needs_accessibility=bool(rng.random() < 0.02),
                preferred_sections=prefs,
            )
        )
    caps: Caps = {(None, "makanan"): 330, ("A", "minuman"): 25}
    return vendors, booths, caps


def objective(vendors: Sequence[VendorIn], result: AllocationResult) -> float:
    """The measure both sides are scored on (see the module's docstring); lower is better."""
    placed = {p.vendor_id: p for p in result.placements}
    total = 0.0
    for v in vendors:
        p = placed.get(v.id)
        if p is None:
            total += UNPLACED * v.min_booths
        else:
            sections = [p.section] * len(p.codes)
            total += pref_cost(v, p.codes, sections) - GROW * (len(p.codes) - v.min_booths)
    return total


def reference_milp(
    vendors: Sequence[VendorIn], booths: Sequence[BoothIn], caps: Caps, time_limit_s: float
) -> tuple[float, float, bool, int]:
    """The instance as a MILP; return (objective, lower bound, proven optimal, variables).

    Exact, and small enough for HiGHS: a vendor's cost depends only on the section of their run
    and its length, and which booths they may use only on their needs (and, for the capped
    categories, their category). So binaries ``z[g, run]`` say a run is taken by someone of group
    g = (capped category or any, needs), and integers ``w[t, s, k]`` say how many vendors of
    type t (same wishes) take a run of k booths in section s; per (g, s, k) the two counts agree.
    Each booth once, each type at most its count, caps in booths.
    """
    bmap = {b.code: b for b in booths}
    bidx = {c: i for i, c in enumerate(sorted(bmap))}
    runs = adjacent_runs(booths, max(v.max_booths for v in vendors))
    capped = {cat for _, cat in caps}
    sections = sorted({b.section for b in booths})

    def group(v: VendorIn) -> tuple[object, ...]:
        cat = v.category if v.category in capped else "*"
        return (cat, v.needs_electricity, v.needs_cooking, v.needs_accessibility)

    types: dict[tuple[object, ...], list[VendorIn]] = defaultdict(list)
    for v in vendors:
        key = (v.category, v.needs_electricity, v.needs_cooking, v.needs_accessibility,
               v.min_booths, v.max_booths, v.preferred_sections)  # fmt: skip
        types[key].append(v)
    sizes: dict[tuple[object, ...], set[int]] = defaultdict(set)
    for members in types.values():
        v = members[0]
        sizes[group(v)].update(range(v.min_booths, v.max_booths + 1))
    cost: list[float] = []
    integral: list[int] = []
    upper: list[float] = []
    booth_rc: tuple[list[int], list[int]] = ([], [])
    link: dict[tuple[object, ...], list[tuple[int, float]]] = defaultdict(list)
    cap_keys = sorted(caps, key=str)
    cap_rcv: tuple[list[int], list[int], list[float]] = ([], [], [])
    for g, ks in sizes.items():
        probe = VendorIn(0, str(g[0]) if g[0] != "*" else "-", needs_electricity=bool(g[1]),
                         needs_cooking=bool(g[2]), needs_accessibility=bool(g[3]))  # fmt: skip
        usable = {c: (not b.blocked) and b.meets_needs(probe) for c, b in bmap.items()}
        for k in sorted(ks):
            for run in runs.get(k, []):
                if not all(usable[c] for c in run):
                    continue
                j = len(cost)
                cost.append(0.0)
                integral.append(1)
                upper.append(1.0)
                for c in run:
                    booth_rc[0].append(bidx[c])
                    booth_rc[1].append(j)
                section = bmap[min(run)].section
                link[(g, section, k)].append((j, 1.0))
                for ci, (sec, cat) in enumerate(cap_keys):
                    if cat == g[0] and (sec is None or sec == section):
                        cap_rcv[0].append(ci)
                        cap_rcv[1].append(j)
                        cap_rcv[2].append(float(k))
    type_rc: tuple[list[int], list[int]] = ([], [])
    constant = 0.0
    for t, members in enumerate(types.values()):
        v = members[0]
        constant += UNPLACED * v.min_booths * len(members)
        for s in sections:
            for k in range(v.min_booths, v.max_booths + 1):
                if (group(v), s, k) not in link:
                    continue
                j = len(cost)
                cost.append(
                    pref_cost(v, (), [s]) - GROW * (k - v.min_booths) - UNPLACED * v.min_booths
                )
                integral.append(1)
                upper.append(float(len(members)))
                type_rc[0].append(t)
                type_rc[1].append(j)
                link[(group(v), s, k)].append((j, -1.0))
    n_var = len(cost)
    booth_m = sp.csr_matrix((np.ones(len(booth_rc[0])), booth_rc), shape=(len(bidx), n_var))
    counts = np.array([len(m) for m in types.values()], dtype=float)
    type_m = sp.csr_matrix((np.ones(len(type_rc[0])), type_rc), shape=(len(types), n_var))
    lr: list[int] = []
    lc: list[int] = []
    lv: list[float] = []
    for i, entries in enumerate(link.values()):
        for j, val in entries:
            lr.append(i)
            lc.append(j)
            lv.append(val)
    link_m = sp.csr_matrix((lv, (lr, lc)), shape=(len(link), n_var))
    constraints = [
        LinearConstraint(booth_m, 0, 1),
        LinearConstraint(type_m, 0, counts),
        LinearConstraint(link_m, 0, 0),
    ]
    if cap_keys:
        cap_m = sp.csr_matrix((cap_rcv[2], (cap_rcv[0], cap_rcv[1])), shape=(len(cap_keys), n_var))
        constraints.append(
            LinearConstraint(cap_m, -np.inf, np.array([caps[k] for k in cap_keys], dtype=float))
        )
    res = milp(
        np.array(cost),
        constraints=constraints,
        integrality=np.array(integral),
        bounds=Bounds(0, np.array(upper)),
        options={"time_limit": time_limit_s, "disp": False},
    )
    fun = float(res.fun) + constant if res.fun is not None else float("nan")
    bound = getattr(res, "mip_dual_bound", None)
    bound_v = float(bound) + constant if bound is not None and np.isfinite(bound) else fun
    return fun, bound_v, res.status == 0, n_var


def run(
    *,
    n_rows: int = 40,
    per_row: int = 30,
    n_vendors: int = 1000,
    time_limit_s: float = MILP_TIME_LIMIT_S,
) -> dict[str, object]:
    """Time ``allocate`` on the instance and compare with the MILP's optimum or bound."""
    vendors, booths, caps = make_instance(n_rows=n_rows, per_row=per_row, n_vendors=n_vendors)
    ours_t: list[float] = []
    for _ in range(ROUNDS):
        result = timed(lambda: allocate(vendors, booths, seed=LOTTERY_SEED, caps=caps), ours_t)
    base_t: list[float] = []
    fun, bound, proven, n_var = timed(
        lambda: reference_milp(vendors, booths, caps, time_limit_s), base_t
    )
    ours = objective(vendors, result)
    reference = fun if proven else bound
    ours_s, base_s = min(ours_t), base_t[0]
    reasons: dict[str, int] = defaultdict(int)
    for u in result.unplaced:
        reasons[u.reason_code] += 1
    return {
        "workload": "allocate-multi-1000",
        "ours_s": round(ours_s, 4),
        "baseline": "scipy-milp-highs" + ("-optimum" if proven else "-time-limited"),
        "baseline_s": round(base_s, 3),
        "ratio": round(ours_s / base_s, 5),
        "objective": round(ours, 4),
        "reference_objective": round(reference, 4),
        "objective_gap": round((ours - reference) / max(abs(reference), 1e-9), 5),
        "gap_reference": "optimum" if proven else "bound",
        "hard_violations": len(violations(vendors, booths, result, caps)),
        "placed": len(result.placements),
        "booths_used": sum(len(p.codes) for p in result.placements),
        "unplaced_reasons": dict(sorted(reasons.items())),
        "milp_variables": n_var,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), ensure_ascii=False))
