"""The allocation engine: hard rules, determinism, lottery, caps, waitlist and optimality.

No app, no database: everything runs on small records in milliseconds. Property tests draw random
layouts (sections, allowed categories, electricity, access, blocked booths, neighbours) and random
vendors (pins, previous booths, preferences, ranks with ties) and check what must always hold.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.allocation import (
    REASON_CODES,
    SCORE_PARTS,
    AllocationResult,
    BoothIn,
    VendorIn,
    Weights,
    allocate,
    draw_numbers,
    next_from_waitlist,
)
from app.allocation.engine import NEWCOMER_LAST_QUALITY
from app.gis.rules import VENDOR_CATEGORIES

CATS = VENDOR_CATEGORIES[:4]  # makanan, minuman, pakaian, kerajinan
SECTIONS = ("A", "B", "C")
QUALITIES = (0.0, 0.2, 0.35, 0.5, 0.7, 0.9, 1.0)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ----------------------------------------------------------------------------------------------
# Instances
# ----------------------------------------------------------------------------------------------

Instance = tuple[list[VendorIn], list[BoothIn], dict[tuple[str | None, str], int]]


@st.composite
def instances(
    draw: st.DrawFn,
    *,
    max_booths: int = 12,
    max_vendors: int = 14,
    history: bool = True,
    caps: bool = True,
    blocked: bool = True,
) -> Instance:
    """A random layout (rows per section, neighbours adjacent in a row) and random vendors."""
    n_booths = draw(st.integers(0, max_booths))
    sections = [draw(st.sampled_from(SECTIONS)) for _ in range(n_booths)]
    codes = [f"{s}-{i:02d}" for i, s in enumerate(sections)]
    booths = []
    for i, (code, sec) in enumerate(zip(codes, sections, strict=True)):
        row = [c for c, s in zip(codes, sections, strict=True) if s == sec]
        k = row.index(code)
        nbrs = tuple(row[j] for j in (k - 1, k + 1) if 0 <= j < len(row))
        allowed = draw(st.one_of(st.none(), st.frozensets(st.sampled_from(CATS), min_size=1)))
        booths.append(
            BoothIn(
                code,
                sec,
                allowed_categories=allowed,
                has_electricity=draw(st.booleans()),
                accessible=draw(st.booleans()),
                blocked=blocked and draw(st.integers(0, 9)) == 0,
                quality=draw(st.sampled_from(QUALITIES)),
                neighbours=nbrs,
            )
        )
        del i
    n_vendors = draw(st.integers(0, max_vendors))
    ids = draw(st.lists(st.integers(1, 500), min_size=n_vendors, max_size=n_vendors, unique=True))
    known = [*codes, "Z-99"]  # Z-99: a booth that is no longer in the layout
    vendors = []
    for vid in ids:
        pinned = previous = None
        if history and codes:
            choice = draw(st.integers(0, 9))
            if choice == 0:
                pinned = draw(st.sampled_from(known))
            elif choice <= 3:
                previous = draw(st.sampled_from(known))
        vendors.append(
            VendorIn(
                vid,
                draw(st.sampled_from(CATS)),
                needs_electricity=draw(st.integers(0, 3)) == 0,
                needs_accessibility=draw(st.integers(0, 5)) == 0,
                priority_rank=draw(st.integers(0, 3)),
                previous_booth=previous,
                pinned_booth=pinned,
                preferred_sections=tuple(
                    draw(st.lists(st.sampled_from(SECTIONS), max_size=2, unique=True))
                ),
                last_quality=draw(st.one_of(st.none(), st.sampled_from(QUALITIES))),
            )
        )
    cap_map: dict[tuple[str | None, str], int] = {}
    if caps:
        for key in draw(
            st.lists(
                st.tuples(st.sampled_from((None, *SECTIONS)), st.sampled_from(CATS)),
                max_size=3,
                unique=True,
            )
        ):
            cap_map[key] = draw(st.integers(0, 4))
    return vendors, booths, cap_map


# ----------------------------------------------------------------------------------------------
# Reference scoring, written from the documented formulas (independent of the engine)
# ----------------------------------------------------------------------------------------------


def linear_cost(v: VendorIn, b: BoothIn, booths: dict[str, BoothIn], w: Weights) -> float:
    prefs = v.preferred_sections
    if not prefs:
        pref = 0.0
    elif b.section in prefs:
        pref = prefs.index(b.section) / len(prefs)
    else:
        pref = 1.0
    last = NEWCOMER_LAST_QUALITY if v.last_quality is None else v.last_quality
    prev = booths.get(v.previous_booth or "")
    moved = prev is not None and prev.section != b.section
    return (
        w.section_preference * pref
        + w.quality * (1 - b.quality)
        + w.rotation_fairness * (1 - last) * (1 - b.quality)
        + (w.keep_previous if moved else 0.0)
    )


def total_cost(
    seating: dict[int, str], vendors: Sequence[VendorIn], booths: Sequence[BoothIn], w: Weights
) -> float:
    """Cost of a complete seating (vendor id → booth code) with the neighbour term."""
    vmap = {v.id: v for v in vendors}
    bmap = {b.code: b for b in booths}
    cat_at = {code: vmap[vid].category for vid, code in seating.items()}
    total = math.fsum(linear_cost(vmap[vid], bmap[code], bmap, w) for vid, code in seating.items())
    pairs = {frozenset((b.code, n)) for b in booths for n in b.neighbours if n in bmap}
    same = sum(
        1
        for pair in pairs
        if len(pair) == 2
        and len({cat_at.get(c) for c in pair} - {None}) == 1
        and all(c in cat_at for c in pair)
    )
    return total + w.neighbour_same_category * same


def seating(result: AllocationResult) -> dict[int, str]:
    return {p.vendor_id: p.booth_code for p in result.placements}


# ----------------------------------------------------------------------------------------------
# Invariants
# ----------------------------------------------------------------------------------------------


def check_invariants(
    result: AllocationResult,
    vendors: list[VendorIn],
    booths: list[BoothIn],
    caps: dict[tuple[str | None, str], int],
    seed: int,
) -> None:
    vmap = {v.id: v for v in vendors}
    bmap = {b.code: b for b in booths}
    placed = [p.vendor_id for p in result.placements]
    codes = [p.booth_code for p in result.placements]
    unplaced = [u.vendor_id for u in result.unplaced]
    # one booth per vendor, one vendor per booth, everyone accounted for exactly once
    assert len(set(codes)) == len(codes)
    assert sorted(placed + unplaced) == sorted(vmap)
    for p in result.placements:
        v, b = vmap[p.vendor_id], bmap[p.booth_code]
        assert not b.blocked
        assert b.allows(v.category)
        assert b.meets_needs(v)
        assert p.section == b.section
        assert p.category == v.category
        assert p.explanation_id
        assert p.explanation_en
        assert p.booth_code in p.explanation_en
        assert set(p.score_parts) == set(SCORE_PARTS)
        assert p.draw == result.draws[v.id]
        if v.pinned_booth is not None:
            assert p.phase == "pinned"
            assert p.booth_code == v.pinned_booth
        elif p.phase == "returning":
            assert p.booth_code == v.previous_booth
    for u in result.unplaced:
        v = vmap[u.vendor_id]
        assert u.reason_code in REASON_CODES
        assert u.explanation_id
        assert u.explanation_en
        assert u.detail["seed"] == seed
        assert u.detail["draw"] == result.draws[v.id]
        if u.reason_code == "pinned_booth_unusable":
            assert v.pinned_booth is not None
            booth = bmap.get(v.pinned_booth)
            assert (
                booth is None
                or not booth.fits(v)
                or any(p.booth_code == booth.code for p in result.placements)
            )
        else:
            assert v.pinned_booth is None
    # pins kept whenever possible: a usable pinned booth goes to a pinned vendor
    for v in vendors:
        b = bmap.get(v.pinned_booth or "")
        if b is not None and b.fits(v):
            holder = next((p for p in result.placements if p.booth_code == b.code), None)
            assert holder is not None
            assert holder.phase == "pinned"
    # caps respected (pins may exceed a cap: a pin is never refused for one)
    for (sec, cat), cap in caps.items():
        group = [
            p for p in result.placements if p.category == cat and (sec is None or p.section == sec)
        ]
        pinned = sum(1 for p in group if p.phase == "pinned")
        assert len(group) <= max(cap, pinned)
    # waitlist: the lottery losers, cap victims and those kept off special booths, in priority
    # order
    waiting = [
        u.vendor_id
        for u in result.unplaced
        if u.reason_code in ("lottery_lost", "cap_reached", "special_booth_reserved")
    ]
    assert sorted(result.waitlist) == sorted(waiting)
    key = [(vmap[i].priority_rank, result.draws[i]) for i in result.waitlist]
    assert key == sorted(key)
    # objective is the sum of the parts, and the parts match the documented formulas
    assert math.isclose(
        result.objective, math.fsum(p.cost for p in result.placements), rel_tol=1e-9, abs_tol=1e-9
    )
    json.dumps(result.to_dict())


# ----------------------------------------------------------------------------------------------
# Properties
# ----------------------------------------------------------------------------------------------


@PROPERTY
@given(instances(), st.integers(0, 2**32 - 1))
def test_hard_rules_always_hold(inst: Instance, seed: int) -> None:
    vendors, booths, caps = inst
    result = allocate(vendors, booths, seed=seed, caps=caps)
    check_invariants(result, vendors, booths, caps, seed)
    assert math.isclose(
        result.objective,
        total_cost(seating(result), vendors, booths, Weights()),
        rel_tol=1e-9,
        abs_tol=1e-9,
    )


@PROPERTY
@given(
    instances(),
    st.integers(0, 2**32 - 1),
    st.floats(-2, 2, allow_nan=False).filter(lambda x: abs(x) > 0.01),
)
def test_hard_rules_hold_with_any_neighbour_weight(inst: Instance, seed: int, wn: float) -> None:
    vendors, booths, caps = inst
    w = Weights(neighbour_same_category=wn)
    result = allocate(vendors, booths, seed=seed, caps=caps, weights=w)
    check_invariants(result, vendors, booths, caps, seed)
    assert math.isclose(
        result.objective,
        total_cost(seating(result), vendors, booths, w),
        rel_tol=1e-9,
        abs_tol=1e-9,
    )


@PROPERTY
@given(instances(), st.integers(0, 2**32 - 1), st.randoms(use_true_random=False))
def test_same_seed_same_result_whatever_the_input_order(
    inst: Instance, seed: int, rnd: random.Random
) -> None:
    vendors, booths, caps = inst
    first = allocate(vendors, booths, seed=seed, caps=caps)
    rnd.shuffle(vendors)
    rnd.shuffle(booths)
    again = allocate(vendors, booths, seed=seed, caps=caps)
    assert first.to_dict() == again.to_dict()


@PROPERTY
@given(instances(), st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1))
def test_other_seed_changes_only_lottery_decided_places(inst: Instance, s1: int, s2: int) -> None:
    vendors, booths, caps = inst
    a = allocate(vendors, booths, seed=s1, caps=caps)
    b = allocate(vendors, booths, seed=s2, caps=caps)

    # Pins are kept whatever the seed, unless two vendors share one pin (then priority decides).
    shared = {c for c, k in Counter(v.pinned_booth for v in vendors).items() if k > 1}

    def fixed(r: AllocationResult) -> set[tuple[int, str, str]]:
        return {
            (p.vendor_id, p.booth_code, p.phase)
            for p in r.placements
            if p.phase == "pinned" and p.booth_code not in shared
        }

    assert fixed(a) == fixed(b)
    # With distinct seniority ranks the lottery decides nothing: same places, same reasons.
    distinct = [
        replace(v, priority_rank=i, pinned_booth=None, previous_booth=None)
        for i, v in enumerate(vendors)
    ]
    a = allocate(distinct, booths, seed=s1, caps=caps)
    b = allocate(distinct, booths, seed=s2, caps=caps)
    assert seating(a) == seating(b)
    assert {u.vendor_id: u.reason_code for u in a.unplaced} == {
        u.vendor_id: u.reason_code for u in b.unplaced
    }
    assert a.waitlist == b.waitlist


@PROPERTY
@given(instances(max_booths=7, max_vendors=7, caps=False), st.integers(0, 2**32 - 1), st.booleans())
def test_objective_equals_brute_force_optimum(inst: Instance, seed: int, history: bool) -> None:
    vendors, booths, _ = inst
    if not history:
        vendors = [replace(v, pinned_booth=None, previous_booth=None) for v in vendors]
    w = Weights(neighbour_same_category=0.0)
    result = allocate(vendors, booths, seed=seed, weights=w)
    bmap = {b.code: b for b in booths}
    vmap = {v.id: v for v in vendors}
    fixed = {p.vendor_id: p.booth_code for p in result.placements if p.phase != "priority"}
    movers = [vmap[p.vendor_id] for p in result.placements if p.phase == "priority"]
    free = [b for b in booths if not b.blocked and b.code not in fixed.values()]
    best = math.inf
    for perm in itertools.permutations(free, len(movers)):
        if all(b.fits(v) for v, b in zip(movers, perm, strict=True)):
            best = min(
                best,
                math.fsum(linear_cost(v, b, bmap, w) for v, b in zip(movers, perm, strict=True)),
            )
    ours = math.fsum(p.cost for p in result.placements if p.phase == "priority")
    if movers:
        assert math.isclose(ours, best, rel_tol=1e-9, abs_tol=1e-9)
    # and no waitlisted vendor could have been seated next to the admitted ones
    for vid in [u.vendor_id for u in result.unplaced if u.reason_code == "lottery_lost"]:
        v = vmap[vid]
        assert not any(
            all(b.fits(x) for x, b in zip([*movers, v], perm, strict=True))
            for perm in itertools.permutations(free, len(movers) + 1)
        )


@PROPERTY
@given(instances(max_booths=10, max_vendors=10, caps=False), st.integers(0, 2**32 - 1))
def test_neighbour_rule_never_worse_than_ignoring_it(inst: Instance, seed: int) -> None:
    vendors, booths, _ = inst
    w = Weights()
    blind = allocate(vendors, booths, seed=seed, weights=Weights(neighbour_same_category=0.0))
    aware = allocate(vendors, booths, seed=seed, weights=w)
    assert set(seating(blind)) == set(seating(aware))  # admission ignores soft goals
    assert aware.objective <= total_cost(seating(blind), vendors, booths, w) + 1e-9


@PROPERTY
@given(instances(), st.integers(0, 2**32 - 1), st.data())
def test_waitlist_release_picks_the_next_eligible(
    inst: Instance, seed: int, data: st.DataObject
) -> None:
    vendors, booths, caps = inst
    result = allocate(vendors, booths, seed=seed, caps=caps)
    if not result.placements:
        return
    gone = data.draw(st.sampled_from(result.placements))
    booth = next(b for b in booths if b.code == gone.booth_code)
    chosen = next_from_waitlist(result, booth, vendors, caps=caps)
    vmap = {v.id: v for v in vendors}
    holders = Counter((p.section, p.category) for p in result.placements if p is not gone)

    def eligible(vid: int) -> bool:
        v = vmap[vid]
        if not booth.fits(v):
            return False
        for (sec, cat), cap in caps.items():
            if cat == v.category and sec in (None, booth.section):
                used = sum(n for (s, c), n in holders.items() if c == cat and sec in (None, s))
                if used >= cap:
                    return False
        return True

    expected = next((vid for vid in result.waitlist if eligible(vid)), None)
    assert chosen == expected


# ----------------------------------------------------------------------------------------------
# Examples
# ----------------------------------------------------------------------------------------------


def row(prefix: str, n: int) -> list[BoothIn]:
    """A row of ``n`` booths in section ``prefix``, each neighbouring the next."""
    codes = [f"{prefix}-{i}" for i in range(1, n + 1)]
    return [
        BoothIn(c, prefix, neighbours=tuple(codes[j] for j in (i - 1, i + 1) if 0 <= j < n))
        for i, c in enumerate(codes)
    ]


def test_pins_then_returning_then_priority() -> None:
    booths = row("A", 4)
    vendors = [
        VendorIn(1, "makanan", pinned_booth="A-3"),
        VendorIn(2, "minuman", previous_booth="A-3"),  # lost to the pin
        VendorIn(3, "pakaian", previous_booth="A-1"),
        VendorIn(4, "kerajinan"),
    ]
    r = allocate(vendors, booths, seed=1)
    by = {p.vendor_id: p for p in r.placements}
    assert (by[1].booth_code, by[1].phase) == ("A-3", "pinned")
    assert (by[3].booth_code, by[3].phase) == ("A-1", "returning")
    assert by[2].phase == "priority"
    assert "A-3" in by[2].explanation_en
    assert "dipegang pedagang lain" in by[2].explanation_id
    assert by[4].phase == "priority"


def test_unusable_pin_is_reported_with_its_reason() -> None:
    booths = [
        BoothIn("A-1", "A", blocked=True),
        BoothIn("A-2", "A", allowed_categories=frozenset({"pakaian"})),
    ]
    vendors = [
        VendorIn(1, "makanan", pinned_booth="A-1"),
        VendorIn(2, "makanan", pinned_booth="A-2"),
        VendorIn(3, "makanan", pinned_booth="Z-9"),
    ]
    r = allocate(vendors, booths, seed=1)
    why = {u.vendor_id: (u.reason_code, u.detail["why"]) for u in r.unplaced}
    assert why == {
        1: ("pinned_booth_unusable", "blocked"),
        2: ("pinned_booth_unusable", "category_not_allowed"),
        3: ("pinned_booth_unusable", "missing"),
    }
    assert r.placements == ()


def test_lottery_loser_gets_seed_draw_and_waitlist_position() -> None:
    booths = [BoothIn("A-1", "A")]
    vendors = [VendorIn(i, "makanan", priority_rank=0) for i in (10, 11, 12)]
    seed = 20251123
    r = allocate(vendors, booths, seed=seed)
    draws = draw_numbers([10, 11, 12], seed)
    winner = min(draws, key=draws.__getitem__)
    assert [p.vendor_id for p in r.placements] == [winner]
    assert list(r.waitlist) == sorted((i for i in draws if i != winner), key=draws.__getitem__)
    for pos, vid in enumerate(r.waitlist, start=1):
        u = next(u for u in r.unplaced if u.vendor_id == vid)
        assert u.reason_code == "lottery_lost"
        assert u.detail == {
            "category": "makanan",
            "rank": 0,
            "draw": draws[vid],
            "seed": seed,
            "waitlist_position": pos,
            "decided_by": "draw",
        }
        assert f"seed {seed}" in u.explanation_en
        assert f"nomor undian {draws[vid]}" in u.explanation_id


def test_seniority_beats_the_draw() -> None:
    booths = [BoothIn("A-1", "A")]
    vendors = [VendorIn(1, "makanan", priority_rank=5), VendorIn(2, "makanan", priority_rank=1)]
    for seed in range(20):
        r = allocate(vendors, booths, seed=seed)
        assert [p.vendor_id for p in r.placements] == [2]
        assert r.unplaced[0].detail["decided_by"] == "seniority"


def test_static_reasons() -> None:
    booths = [
        BoothIn("A-1", "A", allowed_categories=frozenset({"makanan"})),
        BoothIn(
            "A-2",
            "A",
            allowed_categories=frozenset({"makanan"}),
            blocked=True,
            has_electricity=True,
        ),
    ]
    vendors = [VendorIn(1, "pakaian"), VendorIn(2, "makanan", needs_electricity=True)]
    r = allocate(vendors, booths, seed=3)
    assert {u.vendor_id: u.reason_code for u in r.unplaced} == {
        1: "no_allowed_booth",
        2: "needs_not_met",
    }
    assert r.waitlist == ()
    assert "listrik" in r.unplaced[1].explanation_id


def test_needs_shape_admission_not_just_counts() -> None:
    # two booths, one with electricity; the senior vendor needs none, the next two need it
    booths = [BoothIn("A-1", "A", has_electricity=True, quality=0.1), BoothIn("A-2", "A")]
    vendors = [
        VendorIn(1, "makanan", priority_rank=0),
        VendorIn(2, "makanan", priority_rank=1, needs_electricity=True),
        VendorIn(3, "makanan", priority_rank=2, needs_electricity=True),
    ]
    r = allocate(vendors, booths, seed=0)
    assert seating(r) == {1: "A-2", 2: "A-1"}  # vendor 1 leaves the electric booth to vendor 2
    assert [(u.vendor_id, u.reason_code) for u in r.unplaced] == [(3, "lottery_lost")]


def test_event_and_section_caps() -> None:
    booths = row("A", 3) + row("B", 3)
    vendors = [
        VendorIn(i, "makanan", priority_rank=i, preferred_sections=("A",)) for i in range(1, 6)
    ]
    caps: dict[tuple[str | None, str], int] = {(None, "makanan"): 4, ("A", "makanan"): 1}
    r = allocate(vendors, booths, seed=9, caps=caps, weights=Weights(neighbour_same_category=0))
    in_a = [p for p in r.placements if p.section == "A"]
    assert len(r.placements) == 4
    assert len(in_a) == 1
    assert [(u.vendor_id, u.reason_code, u.detail["cap"]) for u in r.unplaced] == [
        (5, "cap_reached", 4)
    ]
    assert "Kuota makanan (4 pedagang, seluruh acara)" in r.unplaced[0].explanation_id


def test_section_cap_enforced_when_only_that_section_fits() -> None:
    # only section A has electricity; a cap of 1 there leaves the second food vendor waiting
    booths = [
        BoothIn("A-1", "A", has_electricity=True),
        BoothIn("A-2", "A", has_electricity=True),
        BoothIn("B-1", "B"),
    ]
    vendors = [
        VendorIn(1, "makanan", priority_rank=0),
        VendorIn(2, "makanan", priority_rank=1, needs_electricity=True),
        VendorIn(3, "makanan", priority_rank=2, needs_electricity=True),
    ]
    caps: dict[tuple[str | None, str], int] = {("A", "makanan"): 1}
    r = allocate(vendors, booths, seed=9, caps=caps)
    assert seating(r) == {1: "B-1", 2: "A-1"} or seating(r) == {1: "B-1", 2: "A-2"}
    assert [(u.vendor_id, u.reason_code) for u in r.unplaced] == [(3, "cap_reached")]
    assert r.waitlist == (3,)


def test_pins_count_toward_caps_but_are_never_refused() -> None:
    booths = row("A", 3)
    vendors = [
        VendorIn(1, "makanan", pinned_booth="A-1"),
        VendorIn(2, "makanan", pinned_booth="A-3"),
        VendorIn(3, "makanan"),
    ]
    r = allocate(vendors, booths, seed=2, caps={(None, "makanan"): 1})
    assert {p.vendor_id for p in r.placements} == {1, 2}
    assert r.unplaced[0].reason_code == "cap_reached"


def test_neighbour_rule_separates_and_negative_weight_clusters() -> None:
    booths = row("A", 4)
    vendors = [
        VendorIn(1, "makanan"),
        VendorIn(2, "makanan"),
        VendorIn(3, "pakaian"),
        VendorIn(4, "pakaian"),
    ]
    apart = allocate(vendors, booths, seed=0)
    cats = [
        next(p.category for p in apart.placements if p.booth_code == f"A-{i}") for i in range(1, 5)
    ]
    assert all(a != b for a, b in itertools.pairwise(cats))
    assert apart.objective == pytest.approx(total_cost(seating(apart), vendors, booths, Weights()))
    together = allocate(vendors, booths, seed=0, weights=Weights(neighbour_same_category=-1.0))
    cats = [
        next(p.category for p in together.placements if p.booth_code == f"A-{i}")
        for i in range(1, 5)
    ]
    assert sum(a == b for a, b in itertools.pairwise(cats)) == 2


def test_rotation_fairness_gives_last_times_worst_spot_the_best_one() -> None:
    booths = [BoothIn("A-1", "A", quality=1.0), BoothIn("A-2", "A", quality=0.0)]
    vendors = [VendorIn(1, "makanan", last_quality=1.0), VendorIn(2, "makanan", last_quality=0.0)]
    r = allocate(vendors, booths, seed=0, weights=Weights(neighbour_same_category=0))
    assert seating(r) == {1: "A-2", 2: "A-1"}
    parts = {p.vendor_id: p.score_parts for p in r.placements}
    assert parts[1]["rotation_fairness"] == 0.0
    assert parts[2]["rotation_fairness"] == 0.0


def test_explanations_name_the_preference() -> None:
    booths = [BoothIn("A-1", "A"), BoothIn("B-1", "B")]
    r = allocate([VendorIn(1, "makanan", preferred_sections=("B", "A"))], booths, seed=0)
    p = r.placements[0]
    assert p.booth_code == "B-1"
    assert "1st choice" in p.explanation_en
    assert "pilihan ke-1" in p.explanation_id


def test_waitlist_release_examples() -> None:
    booths = [BoothIn("A-1", "A", has_electricity=True), BoothIn("A-2", "A")]
    vendors = [
        VendorIn(1, "makanan", priority_rank=0),
        VendorIn(2, "makanan", priority_rank=1),
        VendorIn(3, "makanan", priority_rank=2, needs_electricity=True),
        VendorIn(4, "pakaian", priority_rank=3),
        VendorIn(5, "makanan", priority_rank=4),
        VendorIn(6, "makanan", priority_rank=0, needs_electricity=True),
    ]
    r = allocate(vendors, booths, seed=0)
    # the electric booth is kept for those who need it: vendor 6 (senior of the two) has it,
    # vendor 2 is kept off it although more senior than vendor 3
    assert seating(r) == {6: "A-1", 1: "A-2"}
    assert r.waitlist == (2, 3, 4, 5)
    assert next(u for u in r.unplaced if u.vendor_id == 2).reason_code == "special_booth_reserved"
    plain = next(b for b in booths if b.code == "A-2")
    assert next_from_waitlist(r, plain, vendors) == 2
    assert next_from_waitlist(r, plain, vendors, skip={2}) == 4  # 3 needs electricity
    assert next_from_waitlist(r, plain, vendors, skip={2, 4}) == 5
    food_only = BoothIn("A-2", "A", allowed_categories=frozenset({"makanan"}))
    assert next_from_waitlist(r.waitlist, food_only, {v.id: v for v in vendors}, skip={2}) == 5
    assert next_from_waitlist(r, BoothIn("A-2", "A", blocked=True), vendors) is None
    capped = {(None, "pakaian"): 0}
    assert next_from_waitlist(r, plain, vendors, caps=capped, skip={2}) == 5
    with pytest.raises(ValueError, match="placed="):
        next_from_waitlist(r.waitlist, plain, vendors, caps=capped)


def test_draws_are_a_published_permutation() -> None:
    d = draw_numbers(range(1, 101), 20251123)
    assert sorted(d.values()) == list(range(1, 101))
    assert d != draw_numbers(range(1, 101), 20251124)
    with pytest.raises(ValueError, match="non-negative"):
        draw_numbers([1], -1)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        allocate([VendorIn(1, "makanan"), VendorIn(1, "pakaian")], [], seed=0)
    with pytest.raises(ValueError, match="unique"):
        allocate([], [BoothIn("A", "A"), BoothIn("A", "B")], seed=0)
    with pytest.raises(ValueError, match="cap"):
        allocate([], [], seed=0, caps={(None, "makanan"): -1})
    with pytest.raises(ValueError, match="quality"):
        BoothIn("A", "A", quality=1.5)
    with pytest.raises(ValueError, match="last_quality"):
        VendorIn(1, "makanan", last_quality=-0.1)
    with pytest.raises(ValueError, match="negative"):
        Weights(quality=-1)


def test_empty_inputs() -> None:
    r = allocate([], [], seed=0)
    assert r.placements == ()
    assert r.unplaced == ()
    assert r.objective == 0.0
    r = allocate([VendorIn(1, "makanan")], [], seed=0)
    assert r.unplaced[0].reason_code == "no_allowed_booth"
