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
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Final

import numpy as np
from numpy.typing import NDArray

from app.allocation import explain
from app.allocation.blocks import allocate_blocks, needs_blocks
from app.allocation.lottery import draw_numbers
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
    split_caps,
)
from app.allocation.typeflow import TypeFlow

#: ``last_quality`` assumed for newcomers: neither owed a better spot nor due a worse one.
NEWCOMER_LAST_QUALITY: Final = 0.5
#: Relative weight of seniority among placements of equal cost: far below any real difference.
_SENIORITY_TIE: Final = 1e-10


@dataclass
class _Pending:
    vendor: VendorIn
    reason: ReasonCode
    detail: dict[str, Scalar] = field(default_factory=dict)


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
        lottery: list[int] | None = None,
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
        self.event_caps, self.section_caps = split_caps(caps)
        # the published lottery numbers every vendor, attending or not
        self.all_draws = draw_numbers(lottery or (v.id for v in self.vendors), seed)
        self.draws = {v.id: self.all_draws[v.id] for v in self.vendors}
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
        candidates = [v for v in self.order if v.pinned_booth is None and v.id not in self.phase_of]
        # When not everyone fits, vendors who need electricity or step-free access come first:
        # special booths are kept for them while any is left; seniority and the draw order each
        # group.
        contested = sorted(candidates, key=lambda v: (not v.has_special_need, self.seniority[v.id]))
        usable = [i for i, booth in enumerate(self.booths) if not booth.blocked]
        free = [i for i in usable if i not in self.holder]
        booth_kinds = {
            (self.booths[i].allowed_categories, self.booths[i].has_electricity,
             self.booths[i].accessible)
            for i in usable
        }  # fmt: skip
        section_bounds = self._section_cap_bounds(free)
        types = self._type_table(candidates, free)
        # Usually everyone admissible fits: one flow for all at once; else one vendor at a time.
        decided = self._admit_in_order(
            candidates, booth_kinds, section_bounds, types, check_each=False
        ) or self._admit_in_order(contested, booth_kinds, section_bounds, types, check_each=True)
        assert decided is not None
        self.admitted, rejected = decided
        self.pending.extend(rejected)
        return _Admission(free, types.vendor_types, types.fits, types.column_type)

    @staticmethod
    def _never_fits(vendor: VendorIn, booth_kinds: set[_BoothKind]) -> ReasonCode | None:
        """Why no usable booth could ever take ``vendor``, whatever the others do; else None."""
        allowed = [kind for kind in booth_kinds if kind[0] is None or vendor.category in kind[0]]
        if not allowed:
            return "no_allowed_booth"
        if not any(
            (has_power or not vendor.needs_electricity)
            and (step_free or not vendor.needs_accessibility)
            for _, has_power, step_free in allowed
        ):
            return "needs_not_met"
        return None

    def _closed_sections(self) -> set[tuple[str, str]]:
        """(section, category) pairs whose section cap is already full."""
        return {key for key, cap in self.section_caps.items() if self.per_sec[key] >= cap}

    def _section_cap_bounds(self, free: list[int]) -> dict[str, float]:
        """Per category with section caps: how many more it can seat in the free booths.

        A section whose cap for a category is full is closed to it; other section caps bound how
        many of the category can be admitted (exact when needs do not interact).
        """
        bounds: dict[str, float] = {}
        for category in {c for _, c in self.section_caps}:
            free_per_section = Counter(
                self.booths[i].section for i in free if self.booths[i].allows(category)
            )
            bounds[category] = sum(
                min(
                    count,
                    self.section_caps.get((section, category), math.inf)
                    - self.per_sec[(section, category)],
                )
                for section, count in free_per_section.items()
            )
        return bounds

    def _type_table(self, candidates: list[VendorIn], free: list[int]) -> _TypeTable:
        """Vendors and free booths grouped into types, and which vendor type fits which."""
        closed = self._closed_sections()
        vendor_types: dict[tuple[str, bool, bool], int] = {}
        for v in candidates:
            vendor_types.setdefault(_vendor_type_key(v), len(vendor_types))
        booth_types: dict[tuple[frozenset[str] | None, frozenset[str], bool, bool], int] = {}
        booths_per_type: Counter[int] = Counter()
        column_type: list[int] = []
        for i in free:
            booth = self.booths[i]
            shut = frozenset(c for s, c in closed if s == booth.section)
            key = (booth.allowed_categories, shut, booth.has_electricity, booth.accessible)
            booth_type = booth_types.setdefault(key, len(booth_types))
            booths_per_type[booth_type] += 1
            column_type.append(booth_type)
        fits = [
            [
                (allowed is None or category in allowed)
                and category not in shut
                and (has_power or not needs_power)
                and (step_free or not needs_step_free)
                for (allowed, shut, has_power, step_free) in booth_types
            ]
            for (category, needs_power, needs_step_free) in vendor_types
        ]
        capacity = [booths_per_type[t] for t in range(len(booth_types))]
        return _TypeTable(vendor_types, fits, capacity, column_type)

    def _cap_rejection(
        self, vendor: VendorIn, admitted_so_far: Counter[str], section_bounds: dict[str, float]
    ) -> _Pending | None:
        """The vendor's category cap (whole event, or its sections together) is full; else None."""
        category = vendor.category
        event_cap = self.event_caps.get(category)
        if (
            event_cap is not None
            and self.per_cat[category] + admitted_so_far[category] >= event_cap
        ):
            detail = self.detail(vendor) | {"cap": event_cap, "cap_section": None}
            return _Pending(vendor, "cap_reached", detail)
        if admitted_so_far[category] >= section_bounds.get(category, math.inf):
            sections = sorted(s for s, c in self.section_caps if c == category)
            detail = self.detail(vendor) | {
                "cap": int(section_bounds[category]),
                "cap_section": ", ".join(sections),
            }
            return _Pending(vendor, "cap_reached", detail)
        return None

    def _admit_in_order(
        self,
        candidates: list[VendorIn],
        booth_kinds: set[_BoothKind],
        section_bounds: dict[str, float],
        types: _TypeTable,
        *,
        check_each: bool,
    ) -> tuple[list[VendorIn], list[_Pending]] | None:
        """Walk the candidates in priority order, admitting whoever can still be seated.

        ``check_each=False`` admits everyone the caps allow and checks once that they all fit
        (None when they do not); ``check_each=True`` checks every vendor as it comes, so the
        lottery decides who is left out.
        """
        flow = TypeFlow(types.fits, types.capacity)
        admitted_per_category: Counter[str] = Counter()
        admitted: list[VendorIn] = []
        rejected: list[_Pending] = []
        types_full: set[int] = set()
        needy_admitted = False
        for v in candidates:
            reason = self._never_fits(v, booth_kinds)
            if reason is not None:
                detail = self.detail(v) | {
                    "needs_electricity": v.needs_electricity,
                    "needs_accessibility": v.needs_accessibility,
                }
                rejected.append(_Pending(v, reason, detail))
                continue
            over_cap = self._cap_rejection(v, admitted_per_category, section_bounds)
            if over_cap is not None:
                rejected.append(over_cap)
                continue
            vendor_type = types.vendor_types[_vendor_type_key(v)]
            if check_each and (vendor_type in types_full or flow.add(vendor_type) == 0):
                types_full.add(vendor_type)
                if not v.has_special_need and needy_admitted:
                    detail = self.detail(v) | {"decided_by": "special_need"}
                    rejected.append(_Pending(v, "special_booth_reserved", detail))
                else:
                    rejected.append(_Pending(v, "lottery_lost", self.detail(v)))
                continue
            admitted_per_category[v.category] += 1
            admitted.append(v)
            needy_admitted = needy_admitted or v.has_special_need
        if not check_each:
            demand = Counter(types.vendor_types[_vendor_type_key(v)] for v in admitted)
            if any(flow.add(t, k) < k for t, k in sorted(demand.items())):
                return None
        return admitted, rejected

    # -- phase 4: matching ----------------------------------------------------------------------

    def match(self, adm: _Admission) -> None:
        """Seat the admitted vendors in the free booths at the lowest total cost."""
        rows = sorted(self.admitted, key=lambda v: v.id)
        if not rows:
            return
        columns = adm.free
        sections = sorted({b.section for b in self.booths})
        section_index = {s: i for i, s in enumerate(sections)}
        categories = sorted({v.category for v in rows})
        category_index = {c: i for i, c in enumerate(categories)}
        row_category = np.fromiter(
            (category_index[v.category] for v in rows), dtype=np.intp, count=len(rows)
        )
        column_section = np.fromiter(
            (section_index[self.booths[i].section] for i in columns),
            dtype=np.intp,
            count=len(columns),
        )
        column_badness = 1.0 - np.fromiter(
            (self.booths[i].quality for i in columns), dtype=np.float64, count=len(columns)
        )
        row_type = np.fromiter(
            (adm.vtypes[_vendor_type_key(v)] for v in rows), dtype=np.intp, count=len(rows)
        )
        cost = linear_costs(
            self._section_costs(rows, section_index),
            column_section,
            self._quality_weights(rows),
            column_badness,
            row_type=row_type,
            col_type=np.asarray(adm.col_type, dtype=np.intp),
            type_ok=np.asarray(adm.ok, dtype=bool),
        )
        # Contested booths on equal cost go to the more senior vendor (seniority, then the
        # draw), not to the lower id: each vendor's costs weigh a hair more the more senior.
        n_order = max(len(self.order), 1)
        cost *= (
            1.0
            + _SENIORITY_TIE
            * np.fromiter(
                ((n_order - self.seniority[v.id]) / n_order for v in rows),
                dtype=np.float64,
                count=len(rows),
            )[:, None]
        )
        neighbours = self._neighbour_terms(cost, columns, row_category, category_index)
        assignment = assign_rows(
            cost,
            row_cat=row_category,
            n_cat=len(categories),
            col_section=column_section,
            row_seniority=np.fromiter(
                (self.seniority[v.id] for v in rows), dtype=np.intp, count=len(rows)
            ),
            neighbours=neighbours,
            caps=self._section_room(section_index, category_index),
            rounds=self.rounds,
        )
        self._seat(rows, columns, assignment)

    def _section_costs(
        self, rows: list[VendorIn], section_index: dict[str, int]
    ) -> NDArray[np.float64]:
        """Per vendor and section: the cost of a section the vendor did not ask for first, and of
        leaving last event's section."""
        weights = self.w
        has_prefs = np.fromiter(
            (bool(v.preferred_sections) for v in rows), dtype=bool, count=len(rows)
        )
        costs = np.repeat(
            np.where(has_prefs, weights.section_preference, 0.0)[:, None],
            len(section_index),
            axis=1,
        )
        for r, v in enumerate(rows):
            n_prefs = len(v.preferred_sections)
            for rank, section in reversed(list(enumerate(v.preferred_sections))):
                if section in section_index:
                    costs[r, section_index[section]] = weights.section_preference * rank / n_prefs
            previous = self.previous_section(v)
            if previous is not None and weights.keep_previous:
                costs[r] += weights.keep_previous
                costs[r, section_index[previous]] -= weights.keep_previous
        return costs

    def _quality_weights(self, rows: list[VendorIn]) -> NDArray[np.float64]:
        """How much each vendor's booth quality counts: more for those who had a poor one."""
        last = np.fromiter(
            (NEWCOMER_LAST_QUALITY if v.last_quality is None else v.last_quality for v in rows),
            dtype=np.float64,
            count=len(rows),
        )
        weights: NDArray[np.float64] = self.w.quality + self.w.rotation_fairness * (1.0 - last)
        return weights

    def _neighbour_terms(
        self,
        cost: NDArray[np.float64],
        columns: list[int],
        row_category: NDArray[np.intp],
        category_index: dict[str, int],
    ) -> Neighbourhood | None:
        """Same-category neighbours: a cost beside booths already held (added to ``cost``), and
        the pairs of free booths side by side for the matching; None when the weight is 0."""
        weight = self.w.neighbour_same_category
        if weight == 0.0:
            return None
        column_of = {booth: j for j, booth in enumerate(columns)}
        rows_of = {c: np.flatnonzero(row_category == k) for c, k in category_index.items()}
        first: list[int] = []
        second: list[int] = []
        for j, booth in enumerate(columns):
            for beside in sorted(self.adjacent[booth]):
                held = self.holder.get(beside)
                if held is not None and held.category in rows_of:
                    cost[rows_of[held.category], j] += weight
                elif beside in column_of and column_of[beside] > j:
                    first.append(j)
                    second.append(column_of[beside])
        return Neighbourhood(
            np.asarray(first, dtype=np.intp),
            np.asarray(second, dtype=np.intp),
            weight,
            len(columns),
        )

    def _section_room(
        self, section_index: dict[str, int], category_index: dict[str, int]
    ) -> SectionCaps | None:
        """Room left under each section cap, per section and category; None without caps."""
        if not self.section_caps:
            return None
        room = np.full((len(section_index), len(category_index)), np.inf)
        for (section, category), cap in self.section_caps.items():
            if section in section_index and category in category_index:
                room[section_index[section], category_index[category]] = (
                    cap - self.per_sec[(section, category)]
                )
        return SectionCaps(room)

    def _seat(self, rows: list[VendorIn], columns: list[int], assignment: NDArray[np.intp]) -> None:
        """Place every matched vendor; those the matching left out were over a section cap."""
        dropped: list[VendorIn] = []
        for r, v in enumerate(rows):
            if assignment[r] >= 0:
                self.place(v, columns[int(assignment[r])], "priority")
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
        weights = self.w
        parts: dict[int, dict[str, float]] = {}
        for vendor_id, booth_index in self.booth_of.items():
            vendor = self.holder[booth_index]
            parts[vendor_id] = _parts(
                vendor, self.booths[booth_index], self.previous_section(vendor), weights
            )
        if weights.neighbour_same_category != 0.0:
            half = weights.neighbour_same_category / 2.0
            for booth_index, vendor in self.holder.items():
                same = sum(
                    1
                    for beside in self.adjacent[booth_index]
                    if beside in self.holder and self.holder[beside].category == vendor.category
                )
                parts[vendor.id]["neighbour_same_category"] = half * same
        position = {
            v.id: i + 1
            for i, v in enumerate(sorted(self.admitted, key=lambda v: self.seniority[v.id]))
        }
        placements: list[Placement] = []
        for v in self.vendors:
            held = self.booth_of.get(v.id)
            if held is None:
                continue
            booth = self.booths[held]
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
            tuple(placements), tuple(unplaced), waitlist, objective, self.seed, dict(self.all_draws)
        )


#: A usable booth's (allowed categories, has electricity, step-free) as phase 3 first sees it.
_BoothKind = tuple[frozenset[str] | None, bool, bool]


def _vendor_type_key(v: VendorIn) -> tuple[str, bool, bool]:
    return (v.category, v.needs_electricity, v.needs_accessibility)


@dataclass(frozen=True)
class _TypeTable:
    """Vendor types (category and needs) and free-booth types, and which fits which."""

    vendor_types: dict[tuple[str, bool, bool], int]
    fits: list[list[bool]]  # [vendor type][booth type]
    capacity: list[int]  # free booths per booth type
    column_type: list[int]  # booth type of each free booth, in ``free`` order


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
    grow_at_turn: bool = False,
) -> AllocationResult:
    """Allocate booths to vendors in phases and explain every decision.

    Vendors on several booths, cooking needs, preferred booths, fixed holders and booths reserved
    for a category go through :func:`app.allocation.blocks.allocate_blocks` (same result type);
    ``grow_at_turn`` is its city rule. Vendors not attending are reported ``not_attending``.

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
    vendors, booths = list(vendors), list(booths)
    if needs_blocks(vendors, booths):
        return allocate_blocks(
            vendors, booths, seed=seed, weights=weights, caps=caps, grow_at_turn=grow_at_turn
        )
    absent = [v for v in vendors if not v.attending]
    run = _Run(
        [v for v in vendors if v.attending],
        booths,
        seed,
        weights if weights is not None else Weights(),
        caps,
        rounds,
        lottery=[v.id for v in vendors],
    )
    run.pins()
    run.returning()
    run.match(run.admit())
    return _with_absent(run.result(), absent, seed) if absent else run.result()


def _with_absent(present: AllocationResult, absent: list[VendorIn], seed: int) -> AllocationResult:
    """The result for the attending vendors, plus a ``not_attending`` record for each absentee
    (the published draw numbers everyone, so numbers do not depend on who comes)."""
    draws = present.draws
    extra = []
    for v in absent:
        detail: dict[str, Scalar] = {
            "category": v.category, "rank": v.priority_rank, "draw": draws[v.id], "seed": seed,
        }  # fmt: skip
        extra.append(
            Unplaced(v.id, "not_attending", detail, explain.unplaced("not_attending", detail))
        )
    unplaced = tuple(sorted((*present.unplaced, *extra), key=lambda u: u.vendor_id))
    return replace(present, unplaced=unplaced)
