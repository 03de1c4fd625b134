"""Fair, explainable booth allocation in phases, after Amsterdam's municipal market system.

Phases
------
1. **Pinned** (``"pinned"``). A vendor the planners pinned to a booth gets it when the booth exists,
   is not blocked, allows the vendor's category and meets their needs; otherwise the vendor is
   reported ``pinned_booth_unusable`` with the reason. Pins count toward caps but are never
   refused for a cap: a pin is a planner's deliberate decision.
2. **Returning** (``"returning"``). A vendor keeps last event's booth when it still exists, is
   not blocked, is free, allows their category, meets their needs and the caps have room. Two
   vendors claiming one booth are settled by priority (rank, then draw).
3. **Priority** (``"priority"``). Everyone else, in priority order: seniority rank first, ties
   broken by the published lottery (:func:`draw_numbers`: ``numpy.random.default_rng(seed)``
   permutes the vendor ids sorted ascending; lower draw numbers go first). A vendor is admitted when
   their category cap has room and the admitted set can still be seated without breaking a hard
   rule (an exact max-flow check between vendor types and booth types); the first vendors who
   do not fit form the waitlist.
4. **Matching.** Admitted vendors get booths at the lowest total cost
   (:mod:`app.allocation.matching`): exactly by ``scipy.optimize.linear_sum_assignment`` when no
   neighbour rule and no section cap is in play, else by iterated penalties and local search.

Hard rules, always held: one booth per vendor and one vendor per booth; the booth's zone allows
the category; electricity and step-free access when needed; blocked booths unused; pins kept;
caps respected (pins aside). Every vendor ends either placed, with a sentence saying why there, or
unplaced with a coded reason (:data:`app.allocation.model.REASON_CODES`) and the numbers behind it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np

from app.allocation import explain
from app.allocation.matching import Neighbourhood, SectionCaps, assign_rows, linear_costs
from app.allocation.model import (
    WAITLIST_REASONS,
    AllocationResult,
    BoothIn,
    Caps,
    Phase,
    Placement,
    ReasonCode,
    Scalar,
    Unplaced,
    VendorIn,
    Weights,
)

#: ``last_quality`` assumed for newcomers: neither owed a better spot nor due a worse one.
NEWCOMER_LAST_QUALITY: Final = 0.5


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


class _TypeFlow:
    """Max flow from vendor types to booth types, answering "can all of them still be seated?".

    Hard rules depend on a vendor only through (category, needs electricity, needs access) and on
    a booth only through (allowed categories, electricity, access), so seating is a transport
    problem between a few dozen types, not thousands of vendors. Adding one vendor is one
    augmenting-path search on that small graph.
    """

    def __init__(self, ok: list[list[bool]], capacity: list[int]) -> None:
        self.edges = [[bt for bt, fine in enumerate(row) if fine] for row in ok]
        self.capacity = capacity
        self.used = [0] * len(capacity)
        self.flow: list[Counter[int]] = [Counter() for _ in ok]
        self.holders: list[set[int]] = [set() for _ in capacity]

    def add(self, vt: int, amount: int = 1) -> int:
        """Seat up to ``amount`` more vendors of type ``vt``; return how many fit."""
        pushed = 0
        while pushed < amount:
            path = self._path(vt)
            if path is None:
                break
            step = min(amount - pushed, self.capacity[path[-1]] - self.used[path[-1]])
            for i in range(1, len(path) - 1, 2):  # backward edges: booth path[i] → vendor path[i+1]
                step = min(step, self.flow[path[i + 1]][path[i]])
            for i in range(0, len(path) - 1, 2):
                v, b = path[i], path[i + 1]
                self.flow[v][b] += step
                self.holders[b].add(v)
                if i + 2 < len(path):
                    w = path[i + 2]
                    self.flow[w][b] -= step
                    if self.flow[w][b] == 0:
                        self.holders[b].discard(w)
            self.used[path[-1]] += step
            pushed += step
        return pushed

    def _path(self, vt: int) -> list[int] | None:
        parent_b: dict[int, int] = {}
        parent_v: dict[int, int] = {vt: -1}
        queue = [vt]
        for v in queue:
            for b in self.edges[v]:
                if b in parent_b:
                    continue
                parent_b[b] = v
                if self.used[b] < self.capacity[b]:
                    path = [b]
                    while True:
                        v0 = parent_b[path[-1]]
                        path.append(v0)
                        if parent_v[v0] < 0:
                            return path[::-1]
                        path.append(parent_v[v0])
                for w in sorted(self.holders[b]):
                    if w not in parent_v:
                        parent_v[w] = b
                        queue.append(w)
        return None


@dataclass
class _Pending:
    vendor: VendorIn
    reason: ReasonCode
    detail: dict[str, Scalar] = field(default_factory=dict)


def _split_caps(caps: Caps | None) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    event: dict[str, int] = {}
    section: dict[tuple[str, str], int] = {}
    for (sec, cat), cap in (caps or {}).items():
        if isinstance(cap, bool) or not isinstance(cap, int | np.integer) or cap < 0:
            raise ValueError(
                f"cap for ({sec!r}, {cat!r}) must be a non-negative integer, got {cap!r}"
            )
        if sec is None:
            event[cat] = int(cap)
        else:
            section[(sec, cat)] = int(cap)
    return event, section


def _unusable_reason(v: VendorIn, booth: BoothIn | None, taken: bool) -> str | None:
    if booth is None:
        return "missing"
    if booth.blocked:
        return "blocked"
    if taken:
        return "taken"
    if not booth.allows(v.category):
        return "category_not_allowed"
    if not booth.meets_needs(v):
        return "needs_not_met"
    return None


def _pref_rank(v: VendorIn, section: str) -> int:
    """1-based rank of ``section`` among the vendor's choices; 0 = not chosen; -1 = no choices."""
    if not v.preferred_sections:
        return -1
    try:
        return v.preferred_sections.index(section) + 1
    except ValueError:
        return 0


def _pref_cost(rank: int, n_prefs: int) -> float:
    if rank < 0:
        return 0.0
    if rank == 0:
        return 1.0
    return (rank - 1) / n_prefs


def _parts(
    v: VendorIn, booth: BoothIn, previous_section: str | None, w: Weights
) -> dict[str, float]:
    """Return the linear cost parts of ``v`` in ``booth`` (the neighbour part is added later)."""
    badness = 1.0 - booth.quality
    last = NEWCOMER_LAST_QUALITY if v.last_quality is None else v.last_quality
    moved = previous_section is not None and previous_section != booth.section
    return {
        "section_preference": w.section_preference
        * _pref_cost(_pref_rank(v, booth.section), len(v.preferred_sections)),
        "quality": w.quality * badness,
        "rotation_fairness": w.rotation_fairness * (1.0 - last) * badness,
        "keep_previous": w.keep_previous if moved else 0.0,
        "neighbour_same_category": 0.0,
    }


class _Run:
    """One allocation: the inputs, indexed once, and what each phase decided so far."""

    def __init__(
        self,
        vendors: Iterable[VendorIn],
        booths: Iterable[BoothIn],
        seed: int,
        weights: Weights,
        caps: Caps | None,
        rounds: int,
    ) -> None:
        self.vendors = sorted(vendors, key=lambda v: v.id)
        if len({v.id for v in self.vendors}) != len(self.vendors):
            raise ValueError("vendor ids must be unique")
        self.booths = sorted(booths, key=lambda b: b.code)
        self.bidx = {b.code: i for i, b in enumerate(self.booths)}
        if len(self.bidx) != len(self.booths):
            raise ValueError("booth codes must be unique")
        self.adjacent: list[set[int]] = [set() for _ in self.booths]
        for i, b in enumerate(self.booths):
            for code in b.neighbours:
                j = self.bidx.get(code)
                if j is not None and j != i:
                    self.adjacent[i].add(j)
                    self.adjacent[j].add(i)
        self.seed = seed
        self.w = weights
        self.rounds = rounds
        self.event_caps, self.section_caps = _split_caps(caps)
        self.draws = draw_numbers((v.id for v in self.vendors), seed)
        self.order = sorted(self.vendors, key=lambda v: (v.priority_rank, self.draws[v.id]))
        self.seniority = {v.id: i for i, v in enumerate(self.order)}
        # decisions
        self.holder: dict[int, VendorIn] = {}  # booth index → vendor
        self.phase_of: dict[int, Phase] = {}
        self.booth_of: dict[int, int] = {}
        self.per_cat: Counter[str] = Counter()
        self.per_sec: Counter[tuple[str, str]] = Counter()
        self.pending: list[_Pending] = []
        self.previous_lost: dict[int, str] = {}
        self.admitted: list[VendorIn] = []

    # -- helpers --------------------------------------------------------------------------------

    def detail(self, v: VendorIn) -> dict[str, Scalar]:
        d: dict[str, Scalar] = {
            "category": v.category,
            "rank": v.priority_rank,
            "draw": self.draws[v.id],
            "seed": self.seed,
        }
        if v.id in self.previous_lost:
            d["previous_booth"] = v.previous_booth
            d["previous_lost"] = self.previous_lost[v.id]
        return d

    def place(self, v: VendorIn, b: int, phase: Phase) -> None:
        self.holder[b] = v
        self.phase_of[v.id] = phase
        self.booth_of[v.id] = b
        self.per_cat[v.category] += 1
        self.per_sec[(self.booths[b].section, v.category)] += 1

    def cap_room(self, v: VendorIn, booth: BoothIn) -> bool:
        cat_cap = self.event_caps.get(v.category)
        sec_cap = self.section_caps.get((booth.section, v.category))
        return (cat_cap is None or self.per_cat[v.category] < cat_cap) and (
            sec_cap is None or self.per_sec[(booth.section, v.category)] < sec_cap
        )

    def previous_section(self, v: VendorIn) -> str | None:
        b = self.bidx.get(v.previous_booth) if v.previous_booth is not None else None
        return self.booths[b].section if b is not None else None

    # -- phases 1 and 2 -------------------------------------------------------------------------

    def claim(self, v: VendorIn, code: str) -> str | None:
        """Place ``v`` in booth ``code`` if every hard rule allows; else return why not."""
        b = self.bidx.get(code)
        booth = self.booths[b] if b is not None else None
        why = _unusable_reason(v, booth, b in self.holder)
        if why is not None or b is None:
            return why or "missing"
        self.place(v, b, "pinned" if v.pinned_booth is not None else "returning")
        return None

    def pins(self) -> None:
        for v in self.order:
            if v.pinned_booth is not None:
                why = self.claim(v, v.pinned_booth)
                if why is not None:
                    detail = self.detail(v) | {"booth_code": v.pinned_booth, "why": why}
                    self.pending.append(_Pending(v, "pinned_booth_unusable", detail))

    def returning(self) -> None:
        for v in self.order:
            if v.pinned_booth is not None or v.previous_booth is None:
                continue
            b = self.bidx.get(v.previous_booth)
            if b is not None and not self.cap_room(v, self.booths[b]):
                if _unusable_reason(v, self.booths[b], b in self.holder) is None:
                    self.previous_lost[v.id] = "cap_reached"
                    continue
            why = self.claim(v, v.previous_booth)
            if why is not None:
                self.previous_lost[v.id] = why

    # -- phase 3: admission ---------------------------------------------------------------------

    def admit(self) -> _Admission:
        """Admit the remaining vendors in priority order while they can all still be seated."""
        bs = self.booths
        candidates = [v for v in self.order if v.pinned_booth is None and v.id not in self.phase_of]
        usable = [i for i, b in enumerate(bs) if not b.blocked]
        free = [i for i in usable if i not in self.holder]
        static_types = {
            (bs[i].allowed_categories, bs[i].has_electricity, bs[i].accessible) for i in usable
        }

        def static_reason(v: VendorIn) -> ReasonCode | None:
            allowed = [t for t in static_types if t[0] is None or v.category in t[0]]
            if not allowed:
                return "no_allowed_booth"
            if not any(
                (e or not v.needs_electricity) and (a or not v.needs_accessibility)
                for _, e, a in allowed
            ):
                return "needs_not_met"
            return None

        # A section whose cap for a category is full is closed to it; other section caps bound
        # how many of the category can be admitted (exact when needs do not interact).
        closed = {key for key, cap in self.section_caps.items() if self.per_sec[key] >= cap}
        bound: dict[str, float] = {}
        for cat in {c for _, c in self.section_caps}:
            per_section = Counter(bs[i].section for i in free if bs[i].allows(cat))
            bound[cat] = sum(
                min(n, self.section_caps.get((s, cat), math.inf) - self.per_sec[(s, cat)])
                for s, n in per_section.items()
            )

        vtypes: dict[tuple[str, bool, bool], int] = {}
        for v in candidates:
            vtypes.setdefault((v.category, v.needs_electricity, v.needs_accessibility), len(vtypes))
        btypes: dict[tuple[frozenset[str] | None, frozenset[str], bool, bool], int] = {}
        bcount: Counter[int] = Counter()
        col_type: list[int] = []
        for i in free:
            b = bs[i]
            shut = frozenset(c for s, c in closed if s == b.section)
            t = btypes.setdefault(
                (b.allowed_categories, shut, b.has_electricity, b.accessible), len(btypes)
            )
            bcount[t] += 1
            col_type.append(t)
        ok = [
            [
                (allowed is None or cat in allowed)
                and cat not in shut
                and (e or not ne)
                and (a or not na)
                for (allowed, shut, e, a) in btypes
            ]
            for (cat, ne, na) in vtypes
        ]
        capacity = [bcount[t] for t in range(len(btypes))]

        def run(check_each: bool) -> tuple[list[VendorIn], list[_Pending]] | None:
            flow = _TypeFlow(ok, capacity)
            taken: Counter[str] = Counter()
            out: list[VendorIn] = []
            rejected: list[_Pending] = []
            failed: set[int] = set()
            for v in candidates:
                reason = static_reason(v)
                if reason is not None:
                    detail = self.detail(v) | {
                        "needs_electricity": v.needs_electricity,
                        "needs_accessibility": v.needs_accessibility,
                    }
                    rejected.append(_Pending(v, reason, detail))
                    continue
                cat_cap = self.event_caps.get(v.category)
                if cat_cap is not None and self.per_cat[v.category] + taken[v.category] >= cat_cap:
                    detail = self.detail(v) | {"cap": cat_cap, "cap_section": None}
                    rejected.append(_Pending(v, "cap_reached", detail))
                    continue
                if taken[v.category] >= bound.get(v.category, math.inf):
                    sections = sorted(s for s, c in self.section_caps if c == v.category)
                    detail = self.detail(v) | {
                        "cap": int(bound[v.category]),
                        "cap_section": ", ".join(sections),
                    }
                    rejected.append(_Pending(v, "cap_reached", detail))
                    continue
                t = vtypes[(v.category, v.needs_electricity, v.needs_accessibility)]
                if check_each and (t in failed or flow.add(t) == 0):
                    failed.add(t)
                    rejected.append(_Pending(v, "lottery_lost", self.detail(v)))
                    continue
                taken[v.category] += 1
                out.append(v)
            if not check_each:
                demand = Counter(
                    vtypes[(v.category, v.needs_electricity, v.needs_accessibility)] for v in out
                )
                if any(flow.add(t, k) < k for t, k in sorted(demand.items())):
                    return None
            return out, rejected

        # Usually everyone admissible fits: one flow for all at once; else one vendor at a time.
        decided = run(check_each=False) or run(check_each=True)
        assert decided is not None
        self.admitted, rejected = decided
        self.pending.extend(rejected)
        return _Admission(free, vtypes, ok, col_type)

    # -- phase 4: matching ----------------------------------------------------------------------

    def match(self, adm: _Admission) -> None:
        """Seat the admitted vendors in the free booths at the lowest total cost."""
        rows = sorted(self.admitted, key=lambda v: v.id)
        n, w, bs = len(rows), self.w, self.booths
        if n == 0:
            return
        cols = adm.free
        sections = sorted({b.section for b in bs})
        sidx = {s: i for i, s in enumerate(sections)}
        cats = sorted({v.category for v in rows})
        kidx = {c: i for i, c in enumerate(cats)}
        row_cat = np.fromiter((kidx[v.category] for v in rows), dtype=np.intp, count=n)

        has_prefs = np.fromiter((bool(v.preferred_sections) for v in rows), dtype=bool, count=n)
        section_cost = np.repeat(
            np.where(has_prefs, w.section_preference, 0.0)[:, None], len(sections), axis=1
        )
        for r, v in enumerate(rows):
            k = len(v.preferred_sections)
            for rank, s in reversed(list(enumerate(v.preferred_sections))):
                if s in sidx:
                    section_cost[r, sidx[s]] = w.section_preference * rank / k
            prev = self.previous_section(v)
            if prev is not None and w.keep_previous:
                section_cost[r] += w.keep_previous
                section_cost[r, sidx[prev]] -= w.keep_previous
        last = np.fromiter(
            (NEWCOMER_LAST_QUALITY if v.last_quality is None else v.last_quality for v in rows),
            dtype=np.float64,
            count=n,
        )
        quality_weight = w.quality + w.rotation_fairness * (1.0 - last)
        col_section = np.fromiter(
            (sidx[bs[i].section] for i in cols), dtype=np.intp, count=len(cols)
        )
        col_badness = 1.0 - np.fromiter(
            (bs[i].quality for i in cols), dtype=np.float64, count=len(cols)
        )
        row_type = np.fromiter(
            (adm.vtypes[(v.category, v.needs_electricity, v.needs_accessibility)] for v in rows),
            dtype=np.intp,
            count=n,
        )
        cost = linear_costs(
            section_cost,
            col_section,
            quality_weight,
            col_badness,
            row_type=row_type,
            col_type=np.asarray(adm.col_type, dtype=np.intp),
            type_ok=np.asarray(adm.ok, dtype=bool),
        )

        neighbours: Neighbourhood | None = None
        wn = w.neighbour_same_category
        if wn != 0.0:
            col_of = {b: j for j, b in enumerate(cols)}
            rows_of = {c: np.flatnonzero(row_cat == k) for c, k in kidx.items()}
            first: list[int] = []
            second: list[int] = []
            for j, b in enumerate(cols):
                for a in sorted(self.adjacent[b]):
                    held = self.holder.get(a)
                    if held is not None and held.category in rows_of:
                        cost[rows_of[held.category], j] += wn
                    elif a in col_of and col_of[a] > j:
                        first.append(j)
                        second.append(col_of[a])
            neighbours = Neighbourhood(
                np.asarray(first, dtype=np.intp), np.asarray(second, dtype=np.intp), wn, len(cols)
            )
        caps: SectionCaps | None = None
        if self.section_caps:
            room = np.full((len(sections), len(cats)), np.inf)
            for (s, c), cap in self.section_caps.items():
                if s in sidx and c in kidx:
                    room[sidx[s], kidx[c]] = cap - self.per_sec[(s, c)]
            caps = SectionCaps(room)
        seniority = np.fromiter((self.seniority[v.id] for v in rows), dtype=np.intp, count=n)
        assign = assign_rows(
            cost,
            row_cat=row_cat,
            n_cat=len(cats),
            col_section=col_section,
            row_seniority=seniority,
            neighbours=neighbours,
            caps=caps,
            rounds=self.rounds,
        )
        dropped: list[VendorIn] = []
        for r, v in enumerate(rows):
            if assign[r] >= 0:
                self.place(v, cols[int(assign[r])], "priority")
            else:
                dropped.append(v)
        for v in dropped:  # over a section cap that the matching could not avoid
            full = sorted(
                s
                for (s, c), cap in self.section_caps.items()
                if c == v.category and self.per_sec[(s, c)] >= cap
            )
            cap_total = sum(self.section_caps[(s, v.category)] for s in full)
            detail = self.detail(v) | {"cap": cap_total, "cap_section": ", ".join(full)}
            self.pending.append(_Pending(v, "cap_reached", detail))
        self.admitted = [v for v in self.admitted if v.id in self.phase_of]

    # -- result ---------------------------------------------------------------------------------

    def result(self) -> AllocationResult:
        w, bs = self.w, self.booths
        parts: dict[int, dict[str, float]] = {}
        for vid, b in self.booth_of.items():
            v = self.holder[b]
            parts[vid] = _parts(v, bs[b], self.previous_section(v), w)
        if w.neighbour_same_category != 0.0:
            half = w.neighbour_same_category / 2.0
            for b, v in self.holder.items():
                same = sum(
                    1
                    for a in self.adjacent[b]
                    if a in self.holder and self.holder[a].category == v.category
                )
                parts[v.id]["neighbour_same_category"] = half * same
        position = {
            v.id: i + 1
            for i, v in enumerate(sorted(self.admitted, key=lambda v: self.seniority[v.id]))
        }
        placements: list[Placement] = []
        for v in self.vendors:
            b_or_none = self.booth_of.get(v.id)
            if b_or_none is None:
                continue
            booth = bs[b_or_none]
            phase = self.phase_of[v.id]
            d = self.detail(v) | {
                "booth_code": booth.code,
                "section": booth.section,
                "quality": booth.quality,
                "preference": _pref_rank(v, booth.section),
                "position": position.get(v.id),
                "admitted": len(position),
            }
            placements.append(
                Placement(
                    v.id,
                    booth.code,
                    booth.section,
                    v.category,
                    phase,
                    self.draws[v.id],
                    parts[v.id],
                    explain.placed(phase, d),
                )
            )
        waiting = sorted(
            (p for p in self.pending if p.reason in WAITLIST_REASONS),
            key=lambda p: self.seniority[p.vendor.id],
        )
        waitlist = tuple(p.vendor.id for p in waiting)
        admitted_draws: dict[int, list[int]] = {}
        for v in self.admitted:
            admitted_draws.setdefault(v.priority_rank, []).append(self.draws[v.id])
        for i, p in enumerate(waiting, start=1):
            p.detail["waitlist_position"] = i
            if p.reason == "lottery_lost":
                rivals = admitted_draws.get(p.vendor.priority_rank, [])
                by_draw = any(d < self.draws[p.vendor.id] for d in rivals)
                p.detail["decided_by"] = "draw" if by_draw else "seniority"
        unplaced = []
        for p in sorted(self.pending, key=lambda p: p.vendor.id):
            reason = explain.unplaced(p.reason, p.detail)
            unplaced.append(Unplaced(p.vendor.id, p.reason, p.detail, reason))
        objective = math.fsum(x for d in parts.values() for x in d.values())
        return AllocationResult(
            tuple(placements), tuple(unplaced), waitlist, objective, self.seed, dict(self.draws)
        )


@dataclass(frozen=True)
class _Admission:
    free: list[int]
    vtypes: dict[tuple[str, bool, bool], int]
    ok: list[list[bool]]
    col_type: list[int]


def allocate(
    vendors: Iterable[VendorIn],
    booths: Iterable[BoothIn],
    *,
    seed: int,
    weights: Weights | None = None,
    caps: Caps | None = None,
    rounds: int = 24,
) -> AllocationResult:
    """Allocate booths to vendors in phases and explain every decision.

    Parameters
    ----------
    vendors
        Every vendor taking part (the service leaves out inactive ones). Ids must be unique.
    booths
        The event's booths; codes must be unique. Blocked booths are never used.
    seed
        The published lottery seed (non-negative integer); see :func:`draw_numbers`.
    weights
        Weights of the soft goals (:class:`~app.allocation.model.Weights`); defaults if ``None``.
    caps
        ``{(section or None, category): max vendors}``; ``None`` as section caps the whole event.
    rounds
        Multiplier rounds of the matching when a neighbour rule or a section cap is in play
        (:func:`app.allocation.matching.assign_rows`).

    Returns
    -------
    AllocationResult
        Placements, unplaced vendors with reasons, the waitlist, total cost and the lottery.

    Examples
    --------
    >>> booths = [BoothIn("A-1", "A", quality=0.9), BoothIn("A-2", "A", quality=0.4),
    ...           BoothIn("B-1", "B", allowed_categories=frozenset({"pakaian"}))]
    >>> vendors = [VendorIn(1, "makanan", priority_rank=1),
    ...            VendorIn(2, "makanan", priority_rank=2, last_quality=0.1),
    ...            VendorIn(3, "makanan", priority_rank=3)]
    >>> r = allocate(vendors, booths, seed=42)
    >>> [(p.vendor_id, p.booth_code, p.phase) for p in r.placements]
    [(1, 'A-2', 'priority'), (2, 'A-1', 'priority')]
    >>> [(u.vendor_id, u.reason_code) for u in r.unplaced], r.waitlist
    ([(3, 'lottery_lost')], (3,))

    Vendor 2 had a poor spot last time (``last_quality=0.1``), so rotation fairness gives them the
    better booth; vendor 3, least senior, waits for a no-show.
    """
    run = _Run(vendors, booths, seed, weights if weights is not None else Weights(), caps, rounds)
    run.pins()
    run.returning()
    run.match(run.admit())
    return run.result()


def next_from_waitlist(
    source: AllocationResult | Sequence[int],
    free_booth: BoothIn,
    vendors: Iterable[VendorIn] | Mapping[int, VendorIn],
    *,
    caps: Caps | None = None,
    placed: Iterable[tuple[str, str]] | None = None,
    skip: Collection[int] = (),
) -> int | None:
    """Return the first waitlisted vendor who may take ``free_booth`` (a no-show's), or ``None``.

    The waitlist is walked in its published order (rank, then draw) and the first vendor whose
    category the booth allows, whose needs it meets and whose caps have room is chosen; soft goals
    play no part, so the release is as easy to check as the lottery.

    Parameters
    ----------
    source
        The allocation result, or the waitlist itself (vendor ids in order).
    free_booth
        The booth being released. A blocked booth is given to nobody.
    vendors
        The vendors, as records or a mapping by id (at least those on the waitlist).
    caps
        The caps of the allocation; checked when given.
    placed
        ``(section, category)`` of every vendor holding a booth now, the released one excluded.
        When ``None`` and ``source`` is a result, it is taken from the result's placements minus
        the one in ``free_booth``; with a bare waitlist and caps it must be given.
    skip
        Vendor ids to pass over (already promoted elsewhere, or absent today).

    Examples
    --------
    >>> wl = [5, 6, 7]
    >>> vendors = [VendorIn(5, "makanan", needs_electricity=True), VendorIn(6, "pakaian"),
    ...            VendorIn(7, "makanan")]
    >>> next_from_waitlist(wl, BoothIn("A-1", "A", allowed_categories=frozenset({"makanan"})),
    ...                    vendors)
    7
    """
    by_id = dict(vendors) if isinstance(vendors, Mapping) else {v.id: v for v in vendors}
    if free_booth.blocked:
        return None
    event_caps, section_caps = _split_caps(caps)
    if isinstance(source, AllocationResult):
        waitlist: Sequence[int] = source.waitlist
        if placed is None:
            placed = [
                (p.section, p.category)
                for p in source.placements
                if p.booth_code != free_booth.code
            ]
    else:
        waitlist = source
        if placed is None and caps:
            raise ValueError("with a bare waitlist and caps, pass placed= to count cap use")
    per_sec = Counter(placed or ())
    per_cat = Counter(c for _, c in per_sec.elements())
    for vid in waitlist:
        v = by_id.get(vid)
        if vid in skip or v is None or not free_booth.fits(v):
            continue
        cat_cap = event_caps.get(v.category)
        sec_cap = section_caps.get((free_booth.section, v.category))
        if cat_cap is not None and per_cat[v.category] >= cat_cap:
            continue
        if sec_cap is not None and per_sec[(free_booth.section, v.category)] >= sec_cap:
            continue
        return vid
    return None
