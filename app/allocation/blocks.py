"""Vendors on several booths side by side, booths with properties, and fixed holders.

:func:`app.allocation.allocate` hands the event to this module when a vendor needs more than one
booth, needs a cooking booth, names preferred booths or holds permanent booths, or when a booth is
reserved for a goods category; the one-booth optimal matching (:mod:`app.allocation.engine`)
keeps every other event. The rules, in the order they decide:

1. **Attendance.** A vendor who will not come is left out (``not_attending``); a fixed holder's
   booths are then free for this event only.
2. **Pins** (``"pinned"``): a booth the planners pinned stays with its vendor.
3. **Fixed holders** (``"fixed"``): a permanent permit keeps its booths. A holder who asked for
   preferred booths moves there when a run of them is free (their own booths are then free for
   others); otherwise they keep their own.
4. **Minimum first, special booths first.** Vendors who need a booth property (electricity,
   cooking, step-free access) or whose goods category has reserved booths choose first, then
   everyone else; within each group the order is seniority (``priority_rank``: earlier
   registration first), then the published draw. Each vendor takes the cheapest free run of
   ``min_booths`` booths side by side that every hard rule allows: adjacent booths (the
   ``neighbours`` the layout's geometry gave, :func:`app.gis.adjacency.booth_adjacency`), the
   category allowed and the booth not reserved for another category, every booth meeting the
   vendor's needs, caps counted in booths. Special booths are kept for those who need them while
   any such vendor is still to be placed.
5. **Growth** towards ``max_booths``, one booth per vendor per round in priority order, only after
   everyone had their minimum (``grow_at_turn=True``, a city's rule, grows each vendor to their
   maximum at their turn instead).

Every vendor ends placed, with a sentence saying which rule decided (``decided_by`` when their
first choice went to someone earlier), or unplaced with a coded reason
(:data:`~app.allocation.model.REASON_CODES`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
from numpy.typing import NDArray

from app.allocation import explain
from app.allocation.lottery import draw_numbers
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

__all__ = ["adjacent_runs", "allocate_blocks", "needs_blocks", "pref_cost", "violations"]

#: A booth not among the vendor's preferred ones (or sections) costs one unit.
_MISS: Final = 1.0
#: Tie-breakers, far below one preference step: keep runs flush against their neighbours (so the
#: row is not cut into unusable pieces), keep special booths for later, favour better booths.
_LOOSE_END: Final = 1e-3
_SPECIAL_USED: Final = 1e-2
_QUALITY: Final = 1e-4
_PRESSURE: Final = 1e-2
_GROWTH_ROOM: Final = 3e-3
#: Runs a waiting vendor tries when one-booth vendors would have to move aside for them.
_REPAIR_TRIES: Final = 40


def needs_blocks(vendors: Sequence[VendorIn], booths: Sequence[BoothIn]) -> bool:
    """Whether the event needs this module rather than the one-booth matching."""
    return any(not v.is_simple for v in vendors) or any(
        b.reserved_category is not None for b in booths
    )


def pref_cost(v: VendorIn, codes: Sequence[str], sections: Sequence[str]) -> float:
    """Cost (0..1) of a run of booths for the vendor's preferences: the k-th of n preferred booths
    (or sections) costs (k - 1) / n, none of them 1; no preferences cost nothing.

    >>> v = VendorIn(1, "makanan", preferred_booths=("A-2", "A-5"))
    >>> pref_cost(v, ["A-4", "A-5"], ["A", "A"]), pref_cost(v, ["B-1"], ["B"])
    (0.5, 1.0)
    """
    prefs: tuple[str, ...] = v.preferred_booths or v.preferred_sections
    keys = codes if v.preferred_booths else sections
    if not prefs:
        return 0.0
    ranks = [prefs.index(k) for k in keys if k in prefs]
    return min(ranks) / len(prefs) if ranks else _MISS


@dataclass
class _Holding:
    vendor: VendorIn
    run: list[int]
    phase: Phase
    decided_by: str | None = None
    wanted: str | None = None  # the first choice that went to someone earlier
    wanted_kind: str | None = None  # "booth", "section" or "previous" (last event's booth)


@dataclass
class _Lost:
    vendor: VendorIn
    reason: ReasonCode
    detail: dict[str, Scalar] = field(default_factory=dict)


class _Blocks:
    def __init__(
        self,
        vendors: Iterable[VendorIn],
        booths: Iterable[BoothIn],
        seed: int,
        weights: Weights,
        caps: Caps | None,
        grow_at_turn: bool,
    ) -> None:
        self.vendors = sorted(vendors, key=lambda v: v.id)
        if len({v.id for v in self.vendors}) != len(self.vendors):
            raise ValueError("vendor ids must be unique")
        self.booths = sorted(booths, key=lambda b: b.code)
        self.bidx = {b.code: i for i, b in enumerate(self.booths)}
        if len(self.bidx) != len(self.booths):
            raise ValueError("booth codes must be unique")
        n = len(self.booths)
        self.adjacent: list[set[int]] = [set() for _ in range(n)]
        for i, b in enumerate(self.booths):
            for code in b.neighbours:
                j = self.bidx.get(code)
                if j is not None and j != i:
                    self.adjacent[i].add(j)
                    self.adjacent[j].add(i)
        self.seed = seed
        self.w = weights
        self.grow_at_turn = grow_at_turn
        self.event_caps, self.section_caps = split_caps(caps)
        self.draws = draw_numbers((v.id for v in self.vendors), seed)
        self.key = {v.id: (v.priority_rank, self.draws[v.id]) for v in self.vendors}
        self.order = sorted(self.vendors, key=lambda v: self.key[v.id])
        self.sections = sorted({b.section for b in self.booths})
        self.sec_of = np.array(
            [self.sections.index(b.section) for b in self.booths], dtype=np.intp
        ).reshape(-1)
        self.usable = np.array([not b.blocked for b in self.booths], dtype=bool).reshape(-1)
        self.special = np.array([b.special for b in self.booths], dtype=bool).reshape(-1)
        self.elec = np.array([b.has_electricity for b in self.booths], dtype=bool).reshape(-1)
        self.cook = np.array([b.cooking_allowed for b in self.booths], dtype=bool).reshape(-1)
        self.access = np.array([b.accessible for b in self.booths], dtype=bool).reshape(-1)
        self.quality = np.array([b.quality for b in self.booths], dtype=np.float64).reshape(-1)
        self.reserved_for = {b.reserved_category for b in self.booths if not b.blocked} - {None}
        self.max_k = max([v.max_booths for v in self.vendors] + [1])
        self.runs = self._runs()
        self.outside = {k: self._outside(r) for k, r in self.runs.items()}
        self.demand = np.zeros(len(self.sections))
        self.growth_room = np.zeros(len(self.booths), dtype=np.intp)
        self._compat: dict[tuple[object, ...], NDArray[np.bool_]] = {}
        # decisions
        self.holder: dict[int, _Holding] = {}  # booth index → holding
        self.held: dict[int, _Holding] = {}  # vendor id → holding
        self.lost: list[_Lost] = []
        self.per_cat: Counter[str] = Counter()
        self.per_sec: Counter[tuple[str, str]] = Counter()
        self.claimed_first: dict[int, int] = {}  # booth → vendor id who took it in the main pass

    # -- runs of adjacent booths ----------------------------------------------------------------

    def _runs(self) -> dict[int, NDArray[np.intp]]:
        """For each length k, every set of k usable booths forming a chain of neighbours."""
        runs: dict[int, set[tuple[int, ...]]] = {1: {(i,) for i in range(len(self.booths))}}
        paths: set[tuple[int, ...]] = {(i,) for i in range(len(self.booths)) if self.usable[i]}
        for k in range(2, self.max_k + 1):
            longer: set[tuple[int, ...]] = set()
            for path in paths:
                for end, grow in ((path[-1], False), (path[0], True)):
                    for j in self.adjacent[end]:
                        if j in path or not self.usable[j]:
                            continue
                        longer.add((j, *path) if grow else (*path, j))
            paths = longer
            runs[k] = {tuple(sorted(p)) for p in paths}
        return {k: np.array(sorted(r), dtype=np.intp).reshape(-1, k) for k, r in runs.items()}

    def _outside(self, runs: NDArray[np.intp]) -> NDArray[np.intp]:
        """Per run, the booths beside it that are not in it (padded with -1)."""
        rows = [
            sorted({j for b in run for j in self.adjacent[b]} - set(run.tolist())) for run in runs
        ]
        width = max((len(r) for r in rows), default=0)
        out = np.full((len(runs), max(width, 1)), -1, dtype=np.intp)
        for i, r in enumerate(rows):
            out[i, : len(r)] = r
        return out

    def is_chain(self, run: Sequence[int]) -> bool:
        """Whether the booths form one chain of neighbours (connected by shared side walls)."""
        todo = set(run)
        stack = [run[0]]
        todo.discard(run[0])
        while stack:
            here = stack.pop()
            for j in self.adjacent[here] & todo:
                todo.discard(j)
                stack.append(j)
        return not todo

    # -- helpers --------------------------------------------------------------------------------

    def detail(self, v: VendorIn) -> dict[str, Scalar]:
        return {
            "category": v.category,
            "rank": v.priority_rank,
            "draw": self.draws[v.id],
            "seed": self.seed,
            "min_booths": v.min_booths,
            "max_booths": v.max_booths,
        }

    def take(self, h: _Holding) -> None:
        for b in h.run:
            self.holder[b] = h
            self.per_cat[h.vendor.category] += 1
            self.per_sec[(self.booths[b].section, h.vendor.category)] += 1
        self.held[h.vendor.id] = h
        self._room(h, +1)

    def release(self, h: _Holding) -> None:
        self._room(h, -1)
        for b in h.run:
            del self.holder[b]
            self.per_cat[h.vendor.category] -= 1
            self.per_sec[(self.booths[b].section, h.vendor.category)] -= 1
        del self.held[h.vendor.id]

    def _room(self, h: _Holding, sign: int) -> None:
        """Mark the booths beside a vendor who may still grow (others leave them while they can)."""
        if len(h.run) >= h.vendor.max_booths or h.phase in ("pinned", "fixed"):
            return
        members = set(h.run)
        for b in h.run:
            for j in self.adjacent[b]:
                if j not in members:
                    self.growth_room[j] += sign

    def free_mask(self) -> NDArray[np.bool_]:
        free = self.usable.copy()
        if self.holder:
            free[np.fromiter(self.holder, dtype=np.intp)] = False
        return free

    def compatible(self, v: VendorIn, *, reserve: bool) -> NDArray[np.bool_]:
        """Booths whose hard rules let ``v`` in (occupancy aside); with ``reserve``, booths
        reserved for another category are kept back."""
        key = (v.category, v.needs_electricity, v.needs_cooking, v.needs_accessibility, reserve)
        cached = self._compat.get(key)
        if cached is not None:
            return cached
        ok = np.array(
            [
                b.allows(v.category)
                and b.meets_needs(v)
                and (b.reserved_category in (None, v.category) or not reserve)
                for b in self.booths
            ],
            dtype=bool,
        ).reshape(-1)
        self._compat[key] = ok & self.usable
        return self._compat[key]

    def _unneeded_special(self, v: VendorIn) -> NDArray[np.bool_]:
        """Booths with a property ``v`` does not need (kept for others while it can be)."""
        key = ("unneeded", v.category, v.needs_electricity, v.needs_cooking, v.needs_accessibility)
        cached = self._compat.get(key)
        if cached is not None:
            return cached
        out: NDArray[np.bool_] = (
            (self.elec & (not v.needs_electricity))
            | (self.cook & (not v.needs_cooking))
            | (self.access & (not v.needs_accessibility))
            | (self.reserved_other(v))
        )
        self._compat[key] = out
        return out

    def reserved_other(self, v: VendorIn) -> NDArray[np.bool_]:
        return np.array(
            [b.reserved_category not in (None, v.category) for b in self.booths], dtype=bool
        ).reshape(-1)

    def needy(self, v: VendorIn) -> bool:
        return v.has_special_need or v.category in self.reserved_for

    def cap_ok(self, v: VendorIn, runs: NDArray[np.intp]) -> NDArray[np.bool_]:
        """Which runs keep the vendor's category within its caps (counted in booths)."""
        k = runs.shape[1]
        ok = np.ones(len(runs), dtype=bool)
        event_cap = self.event_caps.get(v.category)
        if event_cap is not None and self.per_cat[v.category] + k > event_cap:
            ok[:] = False
            return ok
        for (section, category), cap in self.section_caps.items():
            if category != v.category or section not in self.sections:
                continue
            s = self.sections.index(section)
            count = (self.sec_of[runs] == s).sum(axis=1)
            ok &= self.per_sec[(section, category)] + count <= cap
        return ok

    def booth_costs(self, v: VendorIn) -> NDArray[np.float64]:
        """Preference cost of each booth alone; a run costs its best booth's."""
        if v.preferred_booths:
            n = len(v.preferred_booths)
            cost = np.full(len(self.booths), _MISS)
            for rank, code in reversed(list(enumerate(v.preferred_booths))):
                if code in self.bidx:
                    cost[self.bidx[code]] = rank / n
            return cost
        prefs = v.preferred_sections
        if not prefs and v.previous_booth in self.bidx:
            cost = np.full(len(self.booths), _MISS / 2)
            cost[self.bidx[str(v.previous_booth)]] = 0.0
            return cost
        if not prefs:
            return np.zeros(len(self.booths))
        per_section = np.full(len(self.sections), _MISS)
        for rank, s in reversed(list(enumerate(prefs))):
            if s in self.sections:
                per_section[self.sections.index(s)] = rank / len(prefs)
        out: NDArray[np.float64] = per_section[self.sec_of]
        return out

    def best_run(
        self, v: VendorIn, k: int, ok: NDArray[np.bool_], free: NDArray[np.bool_]
    ) -> list[int] | None:
        """The cheapest free run of ``k`` booths the vendor may take, or None."""
        runs = self.runs.get(k)
        if runs is None or len(runs) == 0:
            return None
        good = (ok & free)[runs].all(axis=1)
        if not good.any():
            return None
        cand = runs[good]
        keep = self.cap_ok(v, cand)
        cand = cand[keep]
        if len(cand) == 0:
            return None
        free_per_section = np.bincount(self.sec_of[free], minlength=len(self.sections))
        pressure = _PRESSURE * (self.demand / np.maximum(free_per_section, 1))[self.sec_of]
        pref = (self.booth_costs(v) + pressure)[cand].min(axis=1)
        unneeded = self._unneeded_special(v)
        outside = self.outside[k][good][keep]
        free_pad = np.append(free, False)  # index -1 (no neighbour) reads False
        loose = free_pad[outside].sum(axis=1).astype(np.float64)
        if v.max_booths > k:
            loose = -loose  # room to grow is welcome
        cost = (
            pref
            + _LOOSE_END * loose
            + _SPECIAL_USED * unneeded[cand].sum(axis=1)
            + _GROWTH_ROOM * (self.growth_room[cand] > 0).sum(axis=1)
            - _SPECIAL_USED / 2 * (self.special & ~unneeded)[cand].sum(axis=1)
            + _QUALITY * (1.0 - self.quality[cand]).mean(axis=1)
        )
        best = int(np.argmin(cost))
        return [int(b) for b in cand[best]]

    # -- phases ---------------------------------------------------------------------------------

    def attendance(self) -> list[VendorIn]:
        present = []
        for v in self.order:
            if v.attending:
                present.append(v)
            else:
                self.lost.append(_Lost(v, "not_attending", self.detail(v)))
        return present

    def pins(self, present: list[VendorIn]) -> list[VendorIn]:
        rest = []
        for v in present:
            if v.pinned_booth is None:
                rest.append(v)
                continue
            b = self.bidx.get(v.pinned_booth)
            why = self._unusable(v, b)
            if why is None and b is not None:
                self.take(_Holding(v, [b], "pinned"))
            else:
                d = self.detail(v) | {"booth_code": v.pinned_booth, "why": why}
                self.lost.append(_Lost(v, "pinned_booth_unusable", d))
        return rest

    def _unusable(self, v: VendorIn, b: int | None) -> str | None:
        if b is None:
            return "missing"
        booth = self.booths[b]
        if booth.blocked:
            return "blocked"
        if b in self.holder:
            return "taken"
        if not booth.allows(v.category):
            return "category_not_allowed"
        if not booth.meets_needs(v):
            return "needs_not_met"
        return None

    def fixed(self, present: list[VendorIn]) -> list[VendorIn]:
        """Fixed holders keep their booths; those who asked move to preferred free booths."""
        holders = [v for v in present if v.fixed_booths]
        own: dict[int, list[int]] = {}
        for v in holders:
            booths = [self.bidx.get(c) for c in v.fixed_booths]
            whys = [self._unusable(v, b) for b in booths]
            why = next((w for w in whys if w is not None), None)
            if why is None:
                h = _Holding(v, [b for b in booths if b is not None], "fixed", "fixed_holder")
                self.take(h)
                own[v.id] = h.run
            else:
                own[v.id] = []
                code = v.fixed_booths[whys.index(why)]
                self.lost.append(
                    _Lost(
                        v, "fixed_booth_unusable", self.detail(v) | {"booth_code": code, "why": why}
                    )
                )
        for v in holders:
            if not v.preferred_booths:
                continue
            current = self.held.get(v.id)
            if current is not None:
                self.release(current)
            wanted = np.zeros(len(self.booths), dtype=bool)
            wanted[[self.bidx[c] for c in v.preferred_booths if c in self.bidx]] = True
            ok = self.compatible(v, reserve=False) & wanted
            k = len(current.run) if current is not None else v.min_booths
            run = self.best_run(v, k, ok, self.free_mask())
            if run is not None and (current is None or set(run) != set(current.run)):
                self.take(_Holding(v, run, "fixed", "fixed_holder"))
                self.lost = [x for x in self.lost if x.vendor.id != v.id]
            elif current is not None:
                self.take(current)
        return [v for v in present if not v.fixed_booths]

    def main(self, rest: list[VendorIn]) -> None:
        """Those who need a special booth choose first, among the booths kept for them; then
        everyone else (and any needer still without a place) in priority order."""
        # Sections that vendors still to come asked for cost a hair more to those indifferent
        # between booths, in proportion to the share of their free booths still wanted.
        for v in rest:
            self._want(v, +1)
        later = []
        for v in rest:
            if not self.needy(v):
                later.append(v)
                continue
            self._want(v, -1)
            if not self.place_one(v, reserve=True):
                later.append(v)
                self._want(v, +1)
        for v in later:
            self._want(v, -1)
            self.place_one(v, reserve=False, last=True)

    def _want(self, v: VendorIn, sign: int) -> None:
        for s in v.preferred_sections[:1]:
            if s in self.sections:
                self.demand[self.sections.index(s)] += sign * v.min_booths

    def place_one(self, v: VendorIn, *, reserve: bool, last: bool = False) -> bool:
        free = self.free_mask()
        ok = self.compatible(v, reserve=reserve)
        sizes = range(v.max_booths, v.min_booths - 1, -1) if self.grow_at_turn else [v.min_booths]
        run: list[int] | None = None
        for k in sizes:
            run = self.best_run(v, k, ok, free)
            if run is not None:
                break
        if run is None:
            if last:
                self.lost.append(self._why_not(v, ok, free))
            return False
        h = _Holding(v, run, "priority")
        costs = self.booth_costs(v)
        best = float(costs.min()) if costs.size else _MISS
        if best < _MISS and costs[run].min() > best:
            # their first choice went to someone earlier: name it and what decided
            first = np.flatnonzero((costs == best) & ok)
            takers = [self.holder[int(b)] for b in first if int(b) in self.holder]
            if takers:
                taker = max(takers, key=lambda t: self.key[t.vendor.id])
                spot = self.booths[int(first[0])]
                if v.preferred_booths:
                    h.wanted, h.wanted_kind = spot.code, "booth"
                elif v.preferred_sections:
                    h.wanted, h.wanted_kind = spot.section, "section"
                else:
                    h.wanted, h.wanted_kind = spot.code, "previous"
                h.decided_by = self._decided_by(v, taker)
        if v.previous_booth in self.bidx and self.bidx[str(v.previous_booth)] in run:
            h.phase = "returning"
        self.take(h)
        return True

    def _decided_by(self, v: VendorIn, taker: _Holding) -> str:
        if taker.phase == "fixed":
            return "fixed_holder"
        if taker.phase == "pinned":
            return "seniority"
        if self.needy(taker.vendor) and not self.needy(v):
            return "special_need"
        return "draw" if taker.vendor.priority_rank == v.priority_rank else "seniority"

    def _why_not(self, v: VendorIn, ok: NDArray[np.bool_], free: NDArray[np.bool_]) -> _Lost:
        d = self.detail(v)
        allowed = np.array([b.allows(v.category) for b in self.booths], dtype=bool) & self.usable
        if not allowed.any():
            return _Lost(v, "no_allowed_booth", d)
        if not ok.any():
            d |= {
                "needs_electricity": v.needs_electricity,
                "needs_accessibility": v.needs_accessibility,
                "needs_cooking": v.needs_cooking,
            }
            return _Lost(v, "needs_not_met", d)
        event_cap = self.event_caps.get(v.category)
        if event_cap is not None and self.per_cat[v.category] + v.min_booths > event_cap:
            return _Lost(v, "cap_reached", d | {"cap": event_cap, "cap_section": None})
        runs = self.runs.get(v.min_booths)
        if runs is not None and len(runs):
            fits_free = runs[(ok & free)[runs].all(axis=1)]
            if len(fits_free) and not self.cap_ok(v, fits_free).any():
                full = sorted(
                    s
                    for (s, c), cap in self.section_caps.items()
                    if c == v.category and self.per_sec[(s, c)] + 1 > cap
                )
                cap = sum(self.section_caps[(s, v.category)] for s in full)
                return _Lost(v, "cap_reached", d | {"cap": cap, "cap_section": ", ".join(full)})
        if not self.needy(v):
            kept = free | np.array(
                [
                    b in self.holder
                    and self.needy(self.holder[b].vendor)
                    and self.holder[b].phase == "priority"
                    for b in range(len(self.booths))
                ],
                dtype=bool,
            )
            if runs is not None and len(runs) and (ok & kept)[runs].all(axis=1).any():
                return _Lost(v, "special_booth_reserved", d | {"decided_by": "special_need"})
        if v.min_booths > 1 and (ok & free).any():
            return _Lost(v, "min_not_available", d)
        return _Lost(v, "lottery_lost", d)

    def repair(self) -> None:
        """Seat those still waiting by moving one-booth vendors aside, never to a booth they like
        less: a vendor needing k booths side by side takes a run whose occupants can each move to
        another free booth. Walked in priority order; once a vendor cannot be seated, no one
        later with the same wishes is tried."""
        movable = np.zeros(len(self.booths), dtype=bool)
        failed: set[tuple[object, ...]] = set()
        for x in sorted(list(self.lost), key=lambda x: self.key[x.vendor.id]):
            if x.reason not in ("min_not_available", "special_booth_reserved", "lottery_lost"):
                continue
            v = x.vendor
            wish = _wish(v)
            if wish in failed:
                continue
            movable[:] = False
            for b, h in self.holder.items():
                movable[b] = h.phase == "priority" and len(h.run) == 1
            if self._repair_one(v, movable):
                self.lost.remove(x)
            else:
                failed.add(wish)

    def improve(self) -> None:
        """Move vendors on several booths who missed their preferred booths (or sections) into a
        better run when one-booth vendors can step aside for them, in priority order."""
        movable = np.zeros(len(self.booths), dtype=bool)
        for v in self.order:
            h = self.held.get(v.id)
            if h is None or h.phase != "priority" or len(h.run) < 2:
                continue
            now = float(self.booth_costs(v)[h.run].min())
            if now <= 0.0:
                continue
            self.release(h)
            movable[:] = False
            for b, other in self.holder.items():
                movable[b] = other.phase == "priority" and len(other.run) == 1
            if not self._repair_one(v, movable, below=now, size=len(h.run), holding=h):
                self.take(h)

    def _repair_one(
        self,
        v: VendorIn,
        movable: NDArray[np.bool_],
        *,
        below: float = math.inf,
        size: int | None = None,
        holding: _Holding | None = None,
    ) -> bool:
        runs = self.runs.get(size or v.min_booths)
        if runs is None or len(runs) == 0:
            return False
        free = self.free_mask()
        ok = self.compatible(v, reserve=False)
        room = ok & (free | movable)
        good = room[runs].all(axis=1)
        if not good.any():
            return False
        cand = runs[good]
        cand = cand[self.cap_ok(v, cand)]
        pref = self.booth_costs(v)[cand].min(axis=1)
        cand = cand[pref < below - 1e-12]
        pref = pref[pref < below - 1e-12]
        blockers = movable[cand].sum(axis=1)
        cost = blockers + pref
        for c in np.argsort(cost, kind="stable")[:_REPAIR_TRIES]:
            run = [int(b) for b in cand[c]]
            moves = self._moves(run, free)
            if moves is None:
                continue
            for h, target in moves:
                self.release(h)
                h.run = [target]
                self.take(h)
            if holding is not None:
                holding.run = run
                self.take(holding)
            else:
                self.take(_Holding(v, run, "priority"))
            return True
        return False

    def _moves(self, run: list[int], free: NDArray[np.bool_]) -> list[tuple[_Holding, int]] | None:
        """Where each occupant of ``run`` can go (free, allowed, liked as much, cap kept)."""
        taken = free.copy()
        taken[run] = False
        moves: list[tuple[_Holding, int]] = []
        for b in run:
            h = self.holder.get(b)
            if h is None:
                continue
            u = h.vendor
            costs = self.booth_costs(u)
            spots = self.compatible(u, reserve=False) & taken & (costs <= costs[b] + 1e-12)
            options = [
                int(j)
                for j in np.flatnonzero(spots)
                if self.booths[j].section == self.booths[b].section
                or self.cap_ok(u, np.array([[j]], dtype=np.intp))[0]
            ]
            if not options:
                return None
            # the spot with the fewest free neighbours: leave long free stretches whole
            pad = np.append(taken, False)
            target = min(options, key=lambda j: (int(pad[self.outside[1][j]].sum()), costs[j], j))
            taken[target] = False
            moves.append((h, target))
        return moves

    def grow(self) -> None:
        """Grow vendors towards their maximum, one booth each per round, in priority order."""
        growing = [
            h
            for v in self.order
            if (h := self.held.get(v.id)) is not None
            and h.phase in ("priority", "returning")
            and len(h.run) < v.max_booths
        ]
        while growing:
            still = []
            free = self.free_mask()
            for h in growing:
                v = h.vendor
                ok = self.compatible(v, reserve=False) & free
                edge = sorted({j for b in h.run for j in self.adjacent[b] if ok[j]})
                added = False
                for j in edge:
                    if self.cap_ok(v, np.array([[j]], dtype=np.intp))[0]:
                        self.release(h)
                        h.run = sorted([*h.run, j])
                        self.take(h)
                        free[j] = False
                        added = True
                        break
                if added and len(h.run) < v.max_booths:
                    still.append(h)
            growing = still

    # -- result ---------------------------------------------------------------------------------

    def result(self) -> AllocationResult:
        placements: list[Placement] = []
        parts_total: list[float] = []
        for v in self.vendors:
            h = self.held.get(v.id)
            if h is None:
                continue
            run = sorted(h.run, key=lambda b: self.booths[b].code)
            codes = tuple(self.booths[b].code for b in run)
            first = self.booths[run[0]]
            parts = self._parts(v, run)
            parts_total.extend(parts.values())
            d = self.detail(v) | {
                "booth_code": codes[0],
                "booth_codes": ", ".join(codes),
                "n_booths": len(codes),
                "section": first.section,
                "preference": _pref_rank(v, codes, [self.booths[b].section for b in run]),
                "decided_by": h.decided_by,
                "wanted": h.wanted,
                "wanted_kind": h.wanted_kind,
                "quality": float(np.mean([self.booths[b].quality for b in run])),
            }
            placements.append(
                Placement(
                    v.id,
                    codes[0],
                    first.section,
                    v.category,
                    h.phase,
                    self.draws[v.id],
                    parts,
                    explain.placed_blocks(h.phase, d),
                    booth_codes=codes,
                    decided_by=h.decided_by,
                )
            )
        waiting = sorted(
            (x for x in self.lost if x.reason in WAITLIST_REASONS),
            key=lambda x: self.key[x.vendor.id],
        )
        for i, x in enumerate(waiting, start=1):
            x.detail["waitlist_position"] = i
            if x.reason == "lottery_lost":
                rivals = [
                    h.vendor
                    for h in self.held.values()
                    if h.phase == "priority" and h.vendor.priority_rank == x.vendor.priority_rank
                ]
                x.detail["decided_by"] = "draw" if rivals else "seniority"
        unplaced = [
            Unplaced(x.vendor.id, x.reason, x.detail, explain.unplaced(x.reason, x.detail))
            for x in sorted(self.lost, key=lambda x: x.vendor.id)
        ]
        return AllocationResult(
            tuple(placements),
            tuple(unplaced),
            tuple(x.vendor.id for x in waiting),
            math.fsum(parts_total),
            self.seed,
            dict(self.draws),
        )

    def _parts(self, v: VendorIn, run: list[int]) -> dict[str, float]:
        w = self.w
        codes = [self.booths[b].code for b in run]
        sections = [self.booths[b].section for b in run]
        badness = float(np.mean([1.0 - self.booths[b].quality for b in run]))
        last = 0.5 if v.last_quality is None else v.last_quality
        previous = self.bidx.get(v.previous_booth) if v.previous_booth else None
        moved = previous is not None and self.booths[previous].section not in sections
        return {
            "section_preference": w.section_preference * pref_cost(v, codes, sections),
            "quality": w.quality * badness,
            "rotation_fairness": w.rotation_fairness * (1.0 - last) * badness,
            "keep_previous": w.keep_previous if moved else 0.0,
            "neighbour_same_category": 0.0,
        }


def _wish(v: VendorIn) -> tuple[object, ...]:
    return (
        v.category,
        v.min_booths,
        v.max_booths,
        v.needs_electricity,
        v.needs_cooking,
        v.needs_accessibility,
        v.preferred_booths,
        v.preferred_sections,
        v.previous_booth,
    )


def _pref_rank(v: VendorIn, codes: Sequence[str], sections: Sequence[str]) -> int:
    """1-based rank of the best-ranked preferred booth (or section) held; 0 none; -1 no choices."""
    prefs = v.preferred_booths or v.preferred_sections
    keys = codes if v.preferred_booths else sections
    if not prefs:
        return -1
    ranks = [prefs.index(k) + 1 for k in keys if k in prefs]
    return min(ranks) if ranks else 0


def allocate_blocks(
    vendors: Iterable[VendorIn],
    booths: Iterable[BoothIn],
    *,
    seed: int,
    weights: Weights | None = None,
    caps: Caps | None = None,
    grow_at_turn: bool = False,
) -> AllocationResult:
    """Allocate runs of adjacent booths (see the module's rules); the same result type as
    :func:`app.allocation.allocate`, each placement listing its ``booth_codes``.

    Examples
    --------
    >>> row = [BoothIn(f"A-{i}", "A", neighbours=(f"A-{i + 1}",)) for i in range(1, 4)]
    >>> r = allocate_blocks([VendorIn(1, "makanan", min_booths=2, max_booths=3),
    ...                      VendorIn(2, "pakaian")], row, seed=7)
    >>> [(p.vendor_id, p.codes) for p in r.placements]
    [(1, ('A-1', 'A-2')), (2, ('A-3',))]
    """
    run = _Blocks(
        vendors, booths, seed, weights if weights is not None else Weights(), caps, grow_at_turn
    )
    present = run.attendance()
    rest = run.pins(present)
    rest = run.fixed(rest)
    run.main(rest)
    run.repair()
    run.improve()
    run.grow()
    return run.result()


def adjacent_runs(booths: Iterable[BoothIn], max_k: int) -> dict[int, list[tuple[str, ...]]]:
    """Every set of k usable booths side by side (a chain of neighbours), k = 1..max_k, as codes.

    >>> row = [BoothIn(f"A-{i}", "A", neighbours=(f"A-{i + 1}",)) for i in range(1, 4)]
    >>> adjacent_runs(row, 2)[2]
    [('A-1', 'A-2'), ('A-2', 'A-3')]
    """
    probe = _Blocks([VendorIn(0, "-", min_booths=max_k, max_booths=max_k)], booths, 0, Weights(),
                    None, False)  # fmt: skip
    return {
        k: [
            tuple(probe.booths[i].code for i in run)
            for run in runs.tolist()
            if k > 1 or probe.usable[run[0]]
        ]
        for k, runs in probe.runs.items()
    }


def violations(
    vendors: Iterable[VendorIn],
    booths: Iterable[BoothIn],
    result: AllocationResult,
    caps: Caps | None = None,
) -> list[str]:
    """Every hard rule the result breaks, one line each (empty when it holds them all).

    Checked: no booth twice, no vendor twice, no blocked or unknown booth, each placed vendor's
    booths one chain of neighbours within ``min_booths..max_booths`` (pins and fixed holders
    keep what they hold), category allowed, every booth meeting the vendor's needs, caps counted
    in booths (pins and fixed holders count but may exceed them).
    """
    vs = {v.id: v for v in vendors}
    bs = list(booths)
    checker = _Blocks(vs.values(), bs, 0, Weights(), None, False)
    event_caps, section_caps = split_caps(caps)
    out: list[str] = []
    seen: Counter[str] = Counter()
    per_cat: Counter[str] = Counter()
    per_sec: Counter[tuple[str, str]] = Counter()
    placed: Counter[int] = Counter()
    for p in result.placements:
        v = vs[p.vendor_id]
        placed[v.id] += 1
        seen.update(p.codes)
        idx = [checker.bidx.get(c) for c in p.codes]
        if any(i is None for i in idx):
            out.append(f"vendor {v.id}: unknown booth in {p.codes}")
            continue
        run = [i for i in idx if i is not None]
        for i in run:
            b = checker.booths[i]
            if b.blocked:
                out.append(f"vendor {v.id}: blocked booth {b.code}")
            if not b.allows(v.category):
                out.append(f"vendor {v.id}: category not allowed in {b.code}")
            if not b.meets_needs(v):
                out.append(f"vendor {v.id}: needs not met in {b.code}")
            per_cat[v.category] += 1
            per_sec[(b.section, v.category)] += 1
        if p.phase in ("pinned", "fixed"):
            continue
        if not v.min_booths <= len(run) <= v.max_booths:
            out.append(f"vendor {v.id}: {len(run)} booths outside {v.min_booths}..{v.max_booths}")
        if not checker.is_chain(run):
            out.append(f"vendor {v.id}: booths {p.codes} not side by side")
    out += [f"booth {c} given {n} times" for c, n in seen.items() if n > 1]
    out += [f"vendor {i} placed {n} times" for i, n in placed.items() if n > 1]
    pinned_or_fixed = Counter(
        vs[p.vendor_id].category
        for p in result.placements
        if p.phase in ("pinned", "fixed")
        for _ in p.codes
    )
    for cat, cap in event_caps.items():
        if per_cat[cat] > max(cap, pinned_or_fixed[cat]):
            out.append(f"cap {cat}: {per_cat[cat]} booths > {cap}")
    for (sec, cat), cap in section_caps.items():
        if per_sec[(sec, cat)] > cap and not pinned_or_fixed[cat]:
            out.append(f"cap {sec}:{cat}: {per_sec[(sec, cat)]} booths > {cap}")
    return out


def booth_counts(result: AllocationResult) -> Mapping[int, int]:
    """Booths held by each placed vendor."""
    return {p.vendor_id: len(p.codes) for p in result.placements}
