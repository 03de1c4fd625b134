"""The numeric core: cost matrices and the assignment of admitted vendors to free booths.

Rows are vendors, columns are booths; every entry is the weighted cost of that pair and ``inf``
where a hard rule forbids it. Without a neighbour rule and without section caps the problem is a
plain rectangular assignment, solved exactly by :func:`scipy.optimize.linear_sum_assignment`.

A same-category-neighbour rule makes the cost quadratic (it depends on who sits next door), and a
cap per (section, category) is a side constraint no assignment solver takes. Both are handled the
same way, deterministically (no randomness beyond the published lottery, which is not used here):

1. *Lagrangian rounds.* Each neighbour pair and category, and each capped (section, category),
   gets a multiplier that is added to the cost of the booths concerned; each round is one
   ``linear_sum_assignment`` and gives both a candidate and a lower bound. Multipliers follow the
   subgradient with Polyak steps towards the best cost found so far (:class:`_Context`).
2. *Repair.* Vendors beyond a section cap are taken out, least senior first, and put back one by
   one in the cheapest free booth whose section still has room.
3. *Local search.* Swaps of two vendors and moves to an empty booth, priced exactly (linear part
   plus neighbour change) for all pairs at once with numpy; improving moves that do not touch
   each other are applied together, best first, until none is left. Moves never break a hard
   rule or a cap.

The best few round candidates are repaired and improved; the best by (cap excess, true cost) wins.
On two rows of 100 booths with 8 categories this lands within about 1 % of the optimum proven by
``scipy.optimize.milp`` in under 0.1 s (see ``bench/allocate.py``). A negative neighbour weight
(clustering, e.g. a food court) is a reward, not a constraint; its rounds price each booth by its
current neighbours instead (damped), followed by the same local search.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]

#: Improvements smaller than this are rounding noise, not progress.
_EPS: Final = 1e-9

#: Problem size (rows × columns) up to which every multiplier round and polish is spent; larger
#: problems get proportionally fewer rounds (at least 2) and one polish, so a 1,000-booth event
#: with a neighbour rule stays within seconds.
_FULL_EFFORT_SIZE: Final = 500 * 500


def linear_costs(
    section_cost: FloatArray,
    col_section: IntArray,
    quality_weight: FloatArray,
    col_badness: FloatArray,
    *,
    row_type: IntArray | None = None,
    col_type: IntArray | None = None,
    type_ok: BoolArray | None = None,
) -> FloatArray:
    """Build the vendor × booth cost matrix in three vectorised passes.

    The cost splits into a part that depends on the vendor and the booth's *section* only
    (preferences, keeping last event's section) and a product of a vendor factor and a booth
    factor (undesirability weighted by quality and rotation fairness), so the matrix is one
    gather of an ``n × sections`` table plus one outer product: no Python loop over pairs.

    Parameters
    ----------
    section_cost
        ``(n, S)`` weighted cost of each vendor in each section.
    col_section
        ``(m,)`` section index of each booth.
    quality_weight
        ``(n,)`` weight each vendor gives to booth undesirability.
    col_badness
        ``(m,)`` booth undesirability, ``1 - quality``.
    row_type, col_type, type_ok
        Hard rules at type level: vendor type × booth type → allowed. Pairs not allowed cost
        ``inf``. Leave all three ``None`` when everything is allowed.

    Returns
    -------
    numpy.ndarray
        ``(n, m)`` float64 costs.

    Examples
    --------
    >>> c = linear_costs(np.array([[0.0, 1.0]]), np.array([0, 1, 1]), np.array([2.0]),
    ...                  np.array([0.5, 0.0, 0.25]), row_type=np.array([0]),
    ...                  col_type=np.array([0, 0, 1]), type_ok=np.array([[True, False]]))
    >>> c.tolist()
    [[1.0, 1.0, inf]]
    """
    cost = np.take(section_cost, col_section, axis=1)
    cost += np.multiply.outer(quality_weight, col_badness)
    if type_ok is not None and row_type is not None and col_type is not None:
        if not type_ok.all():
            forbidden = ~type_ok[row_type][:, col_type]
            cost[forbidden] = np.inf
    return cost


@dataclass(frozen=True)
class Neighbourhood:
    """Undirected neighbour edges between columns, and the weight of a same-category pair.

    Examples
    --------
    >>> nb = Neighbourhood(np.array([0, 1]), np.array([1, 2]), 1.0, 3)
    >>> nb.conflicts(np.array([0, 0, 1])), nb.conflicts(np.array([0, 1, 0]))
    (1, 0)
    """

    first: IntArray
    second: IntArray
    weight: float
    n_cols: int

    @property
    def active(self) -> bool:
        """Return whether the rule can change anything (edges exist and the weight is not 0)."""
        return self.weight != 0.0 and len(self.first) > 0

    def same(self, col_cat: IntArray) -> BoolArray:
        """Return, per edge, whether both booths hold vendors of the same category."""
        a, b = col_cat[self.first], col_cat[self.second]
        same: BoolArray = (a == b) & (a >= 0)
        return same

    def conflicts(self, col_cat: IntArray) -> int:
        """Count edges whose two booths hold the same category (``-1`` = empty booth)."""
        return int(self.same(col_cat).sum())

    def counts(self, col_cat: IntArray, n_cat: int) -> FloatArray:
        """Return ``(m, n_cat + 1)``: per booth, how many neighbours hold each category.

        The last column (empty booths) is kept at zero so that it can be indexed freely.
        """
        cc = np.where(col_cat < 0, n_cat, col_cat)
        out = np.zeros((self.n_cols, n_cat + 1))
        np.add.at(out, (self.first, cc[self.second]), 1.0)
        np.add.at(out, (self.second, cc[self.first]), 1.0)
        out[:, n_cat] = 0.0
        return out

    def dense(self) -> FloatArray:
        """Return the ``(m, m)`` adjacency matrix as floats."""
        adj = np.zeros((self.n_cols, self.n_cols))
        adj[self.first, self.second] = 1.0
        adj[self.second, self.first] = 1.0
        return adj


@dataclass(frozen=True)
class SectionCaps:
    """Room left per (section, category) for the vendors being matched; ``inf`` = no cap.

    Examples
    --------
    >>> caps = SectionCaps(np.array([[1.0, np.inf]]))
    >>> caps.excess(np.array([0, 0]), np.array([0, 0]), 2).tolist()
    [[1.0, 0.0]]
    """

    room: FloatArray  # (S, K)

    @property
    def active(self) -> bool:
        """Return whether any cap is finite."""
        return bool(np.isfinite(self.room).any())

    def used(self, col_section: IntArray, placed_cat: IntArray, n_cat: int) -> FloatArray:
        """Count placed vendors per (section, category); arguments are per placed vendor."""
        out = np.zeros((self.room.shape[0], n_cat))
        np.add.at(out, (col_section, placed_cat), 1.0)
        return out

    def excess(self, col_section: IntArray, placed_cat: IntArray, n_cat: int) -> FloatArray:
        """Return how far each (section, category) is over its cap (0 when within)."""
        over: FloatArray = np.maximum(self.used(col_section, placed_cat, n_cat) - self.room, 0.0)
        return over


def _lsa(cost: FloatArray) -> IntArray:
    """Solve the rectangular assignment (rows ≤ columns) and return the column of each row.

    Each row is first reduced by its smallest cost: the optimum is unchanged (every row is
    assigned exactly once) and scipy's shortest-augmenting-path solver starts from a tighter
    point, which shortened its runs on the tie-rich matrices preferences produce (from a few
    percent up to half the time, depending on the matrix).
    """
    from scipy.optimize import linear_sum_assignment  # ~0.3 s to import: on use

    n = cost.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    row_min = cost.min(axis=1)
    if np.isfinite(row_min).all():
        cost = cost - row_min[:, None]
    rows, cols = linear_sum_assignment(cost)
    out = np.empty(n, dtype=np.intp)
    out[rows] = cols
    return out


def _col_cat(assign: IntArray, row_cat: IntArray, n_cols: int) -> IntArray:
    out = np.full(n_cols, -1, dtype=np.intp)
    placed = assign >= 0
    out[assign[placed]] = row_cat[placed]
    return out


def true_cost(
    cost: FloatArray, assign: IntArray, row_cat: IntArray, nb: Neighbourhood | None
) -> float:
    """Return the linear cost of the placed rows plus the neighbour term of the assignment.

    Examples
    --------
    >>> cost = np.zeros((2, 2))
    >>> nb = Neighbourhood(np.array([0]), np.array([1]), 2.0, 2)
    >>> true_cost(cost, np.array([0, 1]), np.array([3, 3]), nb)
    2.0
    """
    placed = assign >= 0
    total = float(cost[np.flatnonzero(placed), assign[placed]].sum())
    if nb is not None and nb.active:
        total += nb.weight * nb.conflicts(_col_cat(assign, row_cat, cost.shape[1]))
    return total


def assign_rows(
    cost: FloatArray,
    *,
    row_cat: IntArray,
    n_cat: int,
    col_section: IntArray,
    row_seniority: IntArray,
    neighbours: Neighbourhood | None = None,
    caps: SectionCaps | None = None,
    rounds: int = 24,
    polish: int = 3,
) -> IntArray:
    """Assign every row to a distinct column, minimising cost, neighbour term and cap excess.

    Parameters
    ----------
    cost
        ``(n, m)`` linear costs with ``n <= m``; ``inf`` marks forbidden pairs. A complete
        assignment avoiding ``inf`` must exist (the caller admits vendors so that it does).
    row_cat
        ``(n,)`` category index of each row, ``0 <= row_cat < n_cat``.
    col_section
        ``(m,)`` section index of each column (for ``caps``).
    row_seniority
        ``(n,)`` position of each row in the priority order (0 = first); the cap repair removes
        the least senior vendors first.
    neighbours
        The same-category neighbour rule, or ``None``.
    caps
        Room per (section, category), or ``None``.
    rounds
        Multiplier rounds for the neighbour rule and section caps (scaled down beyond
        500 × 500, see :data:`_FULL_EFFORT_SIZE`).
    polish
        How many of the best round solutions are repaired and improved by local search.

    Returns
    -------
    numpy.ndarray
        ``(n,)`` column of each row, ``-1`` for a row dropped to respect a section cap.

    Examples
    --------
    Two food vendors, three booths in a row: the neighbour rule keeps them apart.

    >>> nb = Neighbourhood(np.array([0, 1]), np.array([1, 2]), 1.0, 3)
    >>> cost = np.array([[0.0, 0.1, 0.3], [0.0, 0.1, 0.2]])
    >>> assign_rows(cost, row_cat=np.array([0, 0]), n_cat=1, col_section=np.zeros(3, np.intp),
    ...             row_seniority=np.array([0, 1]), neighbours=nb).tolist()
    [0, 2]
    """
    nb = neighbours if neighbours is not None and neighbours.active else None
    cp = caps if caps is not None and caps.active else None
    if nb is None and cp is None:
        return _lsa(cost)
    size = cost.shape[0] * cost.shape[1]
    if size > _FULL_EFFORT_SIZE:  # each round re-solves the whole assignment: fewer when large
        rounds = max(2, rounds * _FULL_EFFORT_SIZE // size)
        polish = 1
    ctx = _Context(cost, row_cat, n_cat, col_section, row_seniority, nb, cp)
    if nb is not None and nb.weight < 0:
        found = ctx.gradient_rounds(rounds)
    else:
        found = ctx.lagrangian_rounds(rounds)
    best: IntArray | None = None
    best_key = (np.inf, np.inf)
    for _, _, assign, polished in sorted(found, key=lambda t: (t[0], t[1]))[: max(1, polish)]:
        if not polished:
            assign = ctx.improve(assign)
        key = ctx.key(assign)
        if key < best_key:
            best, best_key = assign, key
    assert best is not None
    return best


#: A solution found by a multiplier round: (cap excess, true cost, assignment, already polished).
_Found = tuple[float, float, IntArray, bool]


class _Context:
    """One matching problem with a neighbour rule and/or section caps, and its heuristics.

    The neighbour rule is the constraint ``z[b1, k] + z[b2, k] <= 1 + y[e, k]`` per neighbour
    pair ``e = (b1, b2)`` and category ``k`` (``z`` = category ``k`` sits in booth ``b``,
    ``y`` = the pair is paid for, weight ``w``); a section cap is ``used[s, k] <= room[s, k]``.
    Relaxing both with multipliers leaves a plain assignment whose costs grow by the multipliers
    of the booth's pairs and section (a Lagrangian relaxation): each round is one
    ``linear_sum_assignment``, gives a lower bound and a candidate; multipliers follow the
    subgradient with Polyak steps towards the best known cost.
    """

    def __init__(
        self,
        cost: FloatArray,
        row_cat: IntArray,
        n_cat: int,
        col_section: IntArray,
        row_seniority: IntArray,
        nb: Neighbourhood | None,
        cp: SectionCaps | None,
    ) -> None:
        self.cost, self.row_cat, self.n_cat = cost, row_cat, n_cat
        self.col_section, self.row_seniority = col_section, row_seniority
        self.nb, self.cp = nb, cp
        n, m = cost.shape
        self.n, self.m = n, m
        self.adjacent: list[list[int]] = [[] for _ in range(m)]
        if nb is not None:
            for a, b in zip(nb.first.tolist(), nb.second.tolist(), strict=True):
                self.adjacent[a].append(b)
                self.adjacent[b].append(a)
        self.adj = nb.dense() if nb is not None else None
        finite = cost[np.isfinite(cost)]
        self.spread = max(float(finite.max() - finite.min()) if finite.size else 1.0, 1.0)
        self.lower_bound = -np.inf

    def excess(self, assign: IntArray) -> float:
        """Return how far ``assign`` is from feasible: cap excess plus rows left unseated."""
        placed = assign >= 0
        dropped = float(len(assign) - int(placed.sum()))
        if self.cp is None:
            return dropped
        over = self.cp.excess(self.col_section[assign[placed]], self.row_cat[placed], self.n_cat)
        return float(over.sum()) + dropped

    def key(self, assign: IntArray) -> tuple[float, float]:
        """Rank solutions: infeasibility (:meth:`excess`) first, then true cost."""
        return (self.excess(assign), true_cost(self.cost, assign, self.row_cat, self.nb))

    def found(self, assign: IntArray) -> tuple[float, float, IntArray]:
        return (*self.key(assign), assign)

    def improve(self, assign: IntArray) -> IntArray:
        assign = assign.copy()
        if self.cp is not None and self.excess(assign) > 0:
            assign = _repair_caps(
                self.cost,
                assign,
                self.row_cat,
                self.n_cat,
                self.col_section,
                self.row_seniority,
                self.nb,
                self.cp,
            )
        return self.local_search(assign)

    def lagrangian_rounds(self, rounds: int) -> list[_Found]:
        """Subgradient rounds on the neighbour pairs' and section caps' multipliers."""
        nb, cp, cost, row_cat, n_cat = self.nb, self.cp, self.cost, self.row_cat, self.n_cat
        start = _lsa(cost)
        conflicts = nb.conflicts(_col_cat(start, row_cat, self.m)) if nb is not None else 0
        if conflicts == 0 and self.excess(start) == 0:
            return [(*self.found(start), True)]  # the relaxation's optimum breaks nothing
        first = self.improve(start)
        found = [(*self.found(first), True)]
        ub = found[0][1] if found[0][0] == 0 else np.inf
        n_edges = len(nb.first) if nb is not None else 0
        lam = np.zeros((n_edges, n_cat))
        mu = np.zeros(cp.room.shape) if cp is not None else None
        finite_room = np.where(np.isfinite(cp.room), cp.room, 0.0) if cp is not None else None
        theta, best_lb, stall = 1.0, -np.inf, 0
        rows = np.arange(self.n)
        for _ in range(rounds):
            pen = np.zeros((self.m, n_cat))
            if nb is not None:
                np.add.at(pen, nb.first, lam)
                np.add.at(pen, nb.second, lam)
            if mu is not None:
                pen += mu[self.col_section]
            work = cost + pen[:, row_cat].T
            assign = _lsa(work)
            lb = float(work[rows, assign].sum()) - float(lam.sum())
            if mu is not None and finite_room is not None:
                lb -= float((mu * finite_room).sum())
            found.append((*self.found(assign), False))
            if found[-1][0] == 0:
                ub = min(ub, found[-1][1])
            if lb > best_lb + 1e-9:
                best_lb, stall = lb, 0
            else:
                stall += 1
                if stall >= 4:
                    theta, stall = theta / 2, 0
            grads: list[FloatArray] = []
            if nb is not None:
                z = np.zeros((self.m, n_cat + 1))
                cc = _col_cat(assign, row_cat, self.m)
                z[np.arange(self.m), np.where(cc < 0, n_cat, cc)] = 1.0
                g = z[nb.first, :n_cat] + z[nb.second, :n_cat] - 1.0
                g[((lam <= 0) & (g < 0)) | ((lam >= nb.weight) & (g > 0))] = 0.0
                grads.append(g)
            if cp is not None and mu is not None:
                used = cp.used(self.col_section[assign], row_cat, n_cat)
                gc = np.where(
                    np.isfinite(cp.room), used - np.where(np.isfinite(cp.room), cp.room, 0.0), 0.0
                )
                gc[(mu <= 0) & (gc < 0)] = 0.0
                grads.append(gc)
            norm = sum(float((g * g).sum()) for g in grads)
            proven = np.isfinite(ub) and ub - best_lb <= 1e-9 * max(1.0, abs(ub))
            if norm == 0.0 or theta < 1e-3 or proven:
                break  # converged, or the best solution is proven optimal
            target = ub if np.isfinite(ub) else lb + self.spread
            step = theta * max(target - lb, 1e-3 * self.spread) / norm
            if nb is not None:
                lam = np.clip(lam + step * grads[0], 0.0, nb.weight)
            if mu is not None:
                mu = np.maximum(mu + step * grads[-1], 0.0)
        if nb is not None and nb.weight > 0:
            self.lower_bound = best_lb
        return found

    def gradient_rounds(self, rounds: int) -> list[_Found]:
        """Rounds for a negative (clustering) weight: price each booth by its neighbours now."""
        nb, cost, row_cat, n_cat = self.nb, self.cost, self.row_cat, self.n_cat
        assert nb is not None
        penalty = np.zeros((self.m, n_cat))
        mu = np.zeros(self.cp.room.shape) if self.cp is not None else None
        found: list[_Found] = []
        for _ in range(max(1, rounds)):
            extra = penalty if mu is None else penalty + mu[self.col_section]
            assign = _lsa(cost + extra[:, row_cat].T)
            found.append((*self.found(assign), False))
            col_cat = _col_cat(assign, row_cat, self.m)
            grad = nb.weight * nb.counts(col_cat, n_cat)[:, :n_cat]
            done = bool(np.allclose(grad, penalty))
            penalty = 0.5 * penalty + 0.5 * grad
            if mu is not None and self.cp is not None:
                over = self.cp.excess(self.col_section[assign], row_cat, n_cat)
                if over.any():
                    done = False
                    mu += 0.25 * self.spread * (over > 0)
            if done:
                break
        return found

    def local_search(self, assign: IntArray, max_batches: int = 200) -> IntArray:
        """Apply improving swaps and moves, many non-interfering ones per pricing, until none.

        Every move of placed row ``v`` (booth ``b``, category ``k1``) to booth ``b2`` (holder
        ``u`` of category ``k2``, or empty) is priced at once::

            linear    = C[v, b2] - C[v, b] + C[u, b] - C[u, b2]
            neighbour = w * (N[b, k2] - N[b, k1] + N[b2, k1] - N[b2, k2] - A[b, b2] * (1 + [u]))

        where ``N[b, k]`` counts neighbours of ``b`` holding ``k`` and ``A`` is adjacency; the
        last term removes the pair ``(b, b2)`` itself, counted once too often. Same-category swaps
        change only the linear part. The improving moves are then applied best first, skipping
        any whose booths or neighbours a move of the same batch already changed, so that each
        applied move gains exactly its price. Moves never break a hard rule or a cap.
        """
        cost, row_cat, n_cat, nb, cp = self.cost, self.row_cat, self.n_cat, self.nb, self.cp
        n, m = self.n, self.m
        rows_all = np.arange(n)
        cols_all = np.arange(m)
        for _ in range(max_batches):
            placed = assign >= 0
            if not placed.any():
                break
            occ = np.full(m, -1, dtype=np.intp)
            occ[assign[placed]] = rows_all[placed]
            has_u = occ >= 0
            u = np.where(has_u, occ, 0)
            rows = rows_all[placed]
            b = assign[placed]
            k1 = row_cat[rows]
            k2 = np.where(has_u, row_cat[u], n_cat)
            cur_v = cost[rows, b]
            cur_u = np.where(has_u, cost[u, cols_all], 0.0)
            u_at_b = np.where(has_u[None, :], cost[u[None, :], b[:, None]], 0.0)
            delta = cost[rows] - cur_v[:, None] + u_at_b - cur_u[None, :]
            same_cat = k1[:, None] == k2[None, :]
            if nb is not None and self.adj is not None:
                counts = nb.counts(np.where(has_u, k2, -1), n_cat)
                nbd = (
                    counts[b[:, None], k2[None, :]]
                    - counts[b, k1][:, None]
                    + counts[cols_all[None, :], k1[:, None]]
                    - counts[cols_all, k2][None, :]
                    - self.adj[b] * (1.0 + has_u)[None, :]
                )
                delta += np.where(same_cat, 0.0, nb.weight * nbd)
            cand = np.flatnonzero(delta < -_EPS)
            if cand.size == 0:
                break
            cand = cand[np.argsort(delta.flat[cand], kind="stable")]
            room = None
            if cp is not None:
                room = cp.room - cp.used(self.col_section[b], k1, n_cat)
            changed = np.zeros(m, dtype=bool)
            zones = np.zeros(m, dtype=bool)
            for flat in cand.tolist():
                i, b2 = divmod(flat, m)
                v, bv = int(rows[i]), int(b[i])
                if changed[bv] or changed[b2] or zones[bv] or zones[b2]:
                    continue
                zone = [bv, b2, *self.adjacent[bv], *self.adjacent[b2]]
                if changed[zone].any():
                    continue
                kv, ku = int(k1[i]), int(k2[b2])
                if room is not None and kv != ku:
                    sv, su = int(self.col_section[bv]), int(self.col_section[b2])
                    if sv != su:
                        if room[su, kv] <= 0 or (ku < n_cat and room[sv, ku] <= 0):
                            continue
                        room[su, kv] -= 1
                        room[sv, kv] += 1
                        if ku < n_cat:
                            room[sv, ku] -= 1
                            room[su, ku] += 1
                if has_u[b2]:
                    assign[int(occ[b2])] = bv
                assign[v] = b2
                changed[[bv, b2]] = True
                zones[zone] = True
        return assign


def _repair_caps(
    cost: FloatArray,
    assign: IntArray,
    row_cat: IntArray,
    n_cat: int,
    col_section: IntArray,
    row_seniority: IntArray,
    nb: Neighbourhood | None,
    cp: SectionCaps,
) -> IntArray:
    """Drop the least senior vendors of over-cap sections, then re-seat them where room is left.

    Dropped vendors are re-seated one by one, most senior first, in the cheapest free booth
    (linear cost plus the neighbours they would have now) whose section has room for their
    category; those who find none stay dropped (``-1``).
    """
    m = cost.shape[1]
    used = cp.used(col_section[assign], row_cat, n_cat)
    dropped: list[int] = []
    for s, k in zip(*np.nonzero(used > cp.room), strict=True):
        rows = np.flatnonzero(
            (row_cat == k) & (assign >= 0) & (col_section[np.maximum(assign, 0)] == s)
        )
        rows = rows[np.argsort(row_seniority[rows], kind="stable")]
        extra = int(used[s, k] - cp.room[s, k])
        for r in rows[len(rows) - extra :]:
            assign[r] = -1
            dropped.append(int(r))
        used[s, k] -= extra
    taken = np.zeros(m, dtype=bool)
    taken[assign[assign >= 0]] = True
    for r in sorted(dropped, key=lambda i: int(row_seniority[i])):
        k = int(row_cat[r])
        row = cost[r].copy()
        if nb is not None:
            row += nb.weight * nb.counts(_col_cat(assign, row_cat, m), n_cat)[:, k]
        row[taken] = np.inf
        row[used[col_section, k] >= cp.room[col_section, k]] = np.inf
        b = int(np.argmin(row))
        if np.isfinite(row[b]):
            assign[r] = b
            taken[b] = True
            used[col_section[b], k] += 1
    return assign
