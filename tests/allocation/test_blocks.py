"""The city's allocation rulebook, rule by rule: several booths side by side, booth properties,
seniority, fixed holders and attendance (no app, no database).

Each scenario names the rule it checks, as a market office's rulebook would; the property tests
at the end draw random rows with breaks and random vendors and check what must always hold.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.allocation import (
    REASON_CODES,
    AllocationResult,
    BoothIn,
    VendorIn,
    allocate,
    next_from_waitlist,
    offer_released,
)
from app.allocation.blocks import allocate_blocks, violations

PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def row(prefix: str, n: int, *, section: str = "A", breaks: Sequence[int] = (), **props: object):
    """``n`` booths in a row; a break after each position in ``breaks`` (1-based) cuts it."""
    booths = []
    for i in range(1, n + 1):
        nb = (f"{prefix}-{i + 1:02d}",) if i < n and i not in breaks else ()
        booths.append(BoothIn(f"{prefix}-{i:02d}", section, neighbours=nb, **props))  # type: ignore[arg-type]
    return booths


def seats(r: AllocationResult) -> dict[int, tuple[str, ...]]:
    return {p.vendor_id: p.codes for p in r.placements}


def reasons(r: AllocationResult) -> dict[int, str]:
    return {u.vendor_id: u.reason_code for u in r.unplaced}


# -- the rulebook ------------------------------------------------------------------------------


def test_fixed_holders_keep_their_booths() -> None:
    booths = row("PT", 4)
    holder = VendorIn(1, "makanan", priority_rank=9, fixed_booths=("PT-02", "PT-03"))
    senior = VendorIn(2, "makanan", priority_rank=0, preferred_booths=("PT-02",))
    for seed in range(10):
        r = allocate([holder, senior], booths, seed=seed)
        assert seats(r)[1] == ("PT-02", "PT-03")
        placed = r.placement_of(1)
        assert placed is not None and placed.phase == "fixed"
        assert seats(r)[2] in {("PT-01",), ("PT-04",)}
        other = r.placement_of(2)
        assert other is not None and other.decided_by == "fixed_holder"
        assert "izin tetap" in other.explanation_id
        assert "fixed holder" in other.explanation_en
        assert not violations([holder, senior], booths, r)


def test_fixed_holder_moves_to_a_free_preferred_booth_with_their_own_as_fallback() -> None:
    booths = row("PT", 4)
    mover = VendorIn(1, "makanan", fixed_booths=("PT-01",), preferred_booths=("PT-04",))
    r = allocate([mover, VendorIn(2, "pakaian", priority_rank=1)], booths, seed=3)
    assert seats(r)[1] == ("PT-04",)
    assert "pindah" in r.placements[0].explanation_id
    # the booth they asked for is another holder's: they keep their own
    other = VendorIn(3, "pakaian", fixed_booths=("PT-04",))
    r = allocate([mover, other], booths, seed=3)
    assert seats(r) == {1: ("PT-01",), 3: ("PT-04",)}


def test_absent_fixed_holders_free_their_booths_for_that_event_only() -> None:
    booths = row("PT", 2)
    holder = VendorIn(1, "makanan", fixed_booths=("PT-01", "PT-02"))
    newcomers = [VendorIn(2, "pakaian", priority_rank=1), VendorIn(3, "pakaian", priority_rank=2)]
    away = allocate([VendorIn(1, "makanan", fixed_booths=holder.fixed_booths, attending=False),
                     *newcomers], booths, seed=1)  # fmt: skip
    assert seats(away) == {2: ("PT-01",), 3: ("PT-02",)}
    assert reasons(away) == {1: "not_attending"}
    assert "tidak terdaftar hadir" in away.unplaced[0].explanation_id
    back = allocate([holder, *newcomers], booths, seed=1)
    assert seats(back) == {1: ("PT-01", "PT-02")}
    assert reasons(back) == {2: "lottery_lost", 3: "lottery_lost"}


def test_a_senior_wins_a_contested_booth_under_every_seed() -> None:
    booths = row("AY", 3)
    junior = VendorIn(1, "makanan", priority_rank=1, preferred_booths=("AY-02",))
    senior = VendorIn(2, "makanan", priority_rank=0, preferred_booths=("AY-02",))
    for seed in range(25):
        r = allocate([junior, senior], booths, seed=seed)
        assert seats(r)[2] == ("AY-02",)
        lost = r.placement_of(1)
        assert lost is not None and lost.decided_by == "seniority"
        assert "AY-02" in lost.explanation_en and "seniority" in lost.explanation_en


def test_equal_seniority_is_decided_by_the_published_draw() -> None:
    booths = row("AY", 2)
    a = VendorIn(1, "makanan", preferred_booths=("AY-01",))
    b = VendorIn(2, "makanan", preferred_booths=("AY-01",))
    winners = set()
    for seed in range(25):
        r = allocate([a, b], booths, seed=seed)
        winner = next(p.vendor_id for p in r.placements if p.codes == ("AY-01",))
        assert r.draws[winner] < r.draws[3 - winner]
        loser = r.placement_of(3 - winner)
        assert loser is not None and loser.decided_by == "draw"
        winners.add(winner)
    assert winners == {1, 2}  # the lower id does not win under every seed


def test_seniority_decides_in_the_one_booth_matching_too() -> None:
    # two one-booth vendors, equal cost: before, the lower id won under every seed
    booths = [BoothIn("A-1", "A"), BoothIn("B-1", "B")]
    vendors = [
        VendorIn(1, "makanan", priority_rank=1, preferred_sections=("A",)),
        VendorIn(2, "makanan", priority_rank=0, preferred_sections=("A",)),
    ]
    for seed in range(25):
        r = allocate(vendors, booths, seed=seed)
        assert {p.vendor_id: p.booth_code for p in r.placements} == {2: "A-1", 1: "B-1"}


def test_special_booths_go_first_to_those_who_need_them() -> None:
    booths = [*row("AY", 2), BoothIn("AY-03", "A", has_electricity=True, cooking_allowed=True)]
    senior = VendorIn(1, "pakaian", priority_rank=0)
    plain = VendorIn(2, "pakaian", priority_rank=1)
    cook = VendorIn(3, "makanan", priority_rank=5, needs_cooking=True, needs_electricity=True)
    late = VendorIn(4, "pakaian", priority_rank=6)
    r = allocate([senior, plain, cook, late], booths, seed=4)
    assert seats(r)[3] == ("AY-03",)
    assert set(seats(r)) == {1, 2, 3}
    assert reasons(r) == {4: "special_booth_reserved"}
    assert 4 in r.waitlist
    # with no one needing it, the special booth goes to the next in line
    r = allocate([senior, plain, late], booths, seed=4)
    assert seats(r)[4] == ("AY-03",)


def test_a_booth_reserved_for_a_category_waits_for_that_category() -> None:
    booths = [BoothIn("K-1", "A"), BoothIn("K-2", "A", reserved_category="kerajinan")]
    crafts = VendorIn(1, "kerajinan", priority_rank=3)
    food = [VendorIn(2, "makanan", priority_rank=0), VendorIn(3, "makanan", priority_rank=1)]
    r = allocate([crafts, *food], booths, seed=0)
    assert seats(r) == {1: ("K-2",), 2: ("K-1",)}
    assert reasons(r) == {3: "special_booth_reserved"}
    r = allocate(food, booths, seed=0)
    assert set(seats(r)) == {2, 3}


def test_minimum_before_maximum() -> None:
    booths = row("AY", 4)
    big = VendorIn(1, "makanan", priority_rank=0, min_booths=1, max_booths=3)
    small = [VendorIn(i, "pakaian", priority_rank=i) for i in (2, 3, 4)]
    r = allocate([big, *small], booths, seed=2)
    assert set(seats(r)) == {1, 2, 3, 4}
    assert len(seats(r)[1]) == 1
    # with room to spare, the big seller grows to its maximum, side by side
    r = allocate([big, small[0]], booths, seed=2)
    assert len(seats(r)[1]) == 3 and not violations([big, small[0]], booths, r)
    # a city rule may grow each vendor to their maximum at their turn instead
    r = allocate([big, *small], booths, seed=2, grow_at_turn=True)
    assert len(seats(r)[1]) == 3 and len(r.placements) == 2


def test_adjacency_never_across_a_break_or_crossing() -> None:
    booths = row("AY", 4, breaks=(2,))  # AY-01 AY-02 | crossing | AY-03 AY-04
    double = VendorIn(1, "makanan", min_booths=2, max_booths=2, preferred_booths=("AY-02", "AY-03"))
    r = allocate([double], booths, seed=0)
    assert seats(r)[1] in {("AY-01", "AY-02"), ("AY-03", "AY-04")}
    triple = VendorIn(2, "makanan", min_booths=3, max_booths=3)
    r = allocate([triple, VendorIn(3, "pakaian")], booths, seed=0)
    assert reasons(r) == {2: "min_not_available"}
    text = r.unplaced[0].explanation_id
    assert "3 lapak kosong berdampingan" in text
    assert "3 suitable free booths side by side" in r.unplaced[0].explanation_en


def test_the_cap_counts_booths_not_vendors() -> None:
    booths = row("AY", 6)
    doubles = [VendorIn(i, "makanan", priority_rank=i, min_booths=2, max_booths=2) for i in (1, 2)]
    r = allocate(doubles, booths, seed=0, caps={(None, "makanan"): 3})
    assert list(seats(r)) == [1]
    assert reasons(r) == {2: "cap_reached"}
    r = allocate(doubles, booths, seed=0, caps={(None, "makanan"): 4})
    assert set(seats(r)) == {1, 2}


def test_needs_are_met_on_every_booth() -> None:
    booths = [
        BoothIn("A-1", "A", neighbours=("A-2",), has_electricity=True),
        BoothIn("A-2", "A", neighbours=("A-3",)),
        BoothIn("A-3", "A", has_electricity=True),
    ]
    v = VendorIn(1, "makanan", min_booths=2, max_booths=2, needs_electricity=True)
    r = allocate([v], booths, seed=0)
    assert reasons(r) == {1: "min_not_available"}
    cook = VendorIn(2, "makanan", needs_cooking=True)
    r = allocate([cook], booths, seed=0)
    assert reasons(r) == {2: "needs_not_met"}
    assert "izin memasak" in r.unplaced[0].explanation_id


def test_not_attending_in_the_one_booth_engine() -> None:
    r = allocate(
        [VendorIn(1, "makanan"), VendorIn(2, "makanan", attending=False)],
        [BoothIn("A-1", "A"), BoothIn("A-2", "A")],
        seed=5,
    )
    assert [p.vendor_id for p in r.placements] == [1]
    assert reasons(r) == {2: "not_attending"}
    assert set(r.draws) == {1, 2}


# -- properties --------------------------------------------------------------------------------

CATS = ("makanan", "minuman", "pakaian")


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[VendorIn], list[BoothIn]]:
    booths: list[BoothIn] = []
    for r in range(draw(st.integers(1, 3))):
        n = draw(st.integers(1, 8))
        breaks = draw(st.sets(st.integers(1, max(n - 1, 1)), max_size=2))
        for b in row(f"R{r}", n, section="AB"[r % 2], breaks=sorted(breaks)):
            booths.append(
                BoothIn(
                    b.code,
                    b.section,
                    neighbours=b.neighbours,
                    has_electricity=draw(st.booleans()),
                    cooking_allowed=draw(st.booleans()),
                    blocked=draw(st.integers(0, 9)) == 0,
                    reserved_category=draw(st.sampled_from((None, None, None, "minuman"))),
                )
            )
    codes = [b.code for b in booths]
    vendors = []
    for i in range(1, draw(st.integers(1, 14)) + 1):
        lo = draw(st.integers(1, 3))
        vendors.append(
            VendorIn(
                i,
                draw(st.sampled_from(CATS)),
                priority_rank=draw(st.integers(0, 4)),
                min_booths=lo,
                max_booths=lo + draw(st.integers(0, 1)),
                needs_electricity=draw(st.integers(0, 3)) == 0,
                needs_cooking=draw(st.integers(0, 3)) == 0,
                preferred_booths=tuple(
                    draw(st.lists(st.sampled_from(codes), max_size=2, unique=True))
                ),
                attending=draw(st.integers(0, 7)) != 0,
            )
        )
    return vendors, booths


def _same_wishes(a: VendorIn, b: VendorIn) -> bool:
    keys = (
        "category",
        "min_booths",
        "max_booths",
        "needs_electricity",
        "needs_cooking",
        "needs_accessibility",
        "preferred_booths",
        "preferred_sections",
        "attending",
    )
    return all(getattr(a, k) == getattr(b, k) for k in keys)


@PROPERTY
@given(instances(), st.integers(0, 2**32 - 1), st.booleans())
def test_rulebook_always_holds(
    inst: tuple[list[VendorIn], list[BoothIn]], seed: int, grow: bool
) -> None:
    vendors, booths = inst
    caps = {(None, "makanan"): 4}
    r = allocate_blocks(vendors, booths, seed=seed, caps=caps, grow_at_turn=grow)
    # no booth twice; every placed vendor within min..max on adjacent booths meeting their needs
    assert violations(vendors, booths, r, caps) == []
    assert {p.vendor_id for p in r.placements} | {u.vendor_id for u in r.unplaced} == {
        v.id for v in vendors
    }
    assert all(u.reason_code in REASON_CODES and u.explanation_en for u in r.unplaced)
    absent = {v.id for v in vendors if not v.attending}
    assert absent == {u.vendor_id for u in r.unplaced if u.reason_code == "not_attending"}
    # no vendor placed while a more senior attending vendor with the same wishes is unplaced
    placed = {p.vendor_id for p in r.placements}
    key = {v.id: (v.priority_rank, r.draws[v.id]) for v in vendors}
    for junior in vendors:
        if junior.id not in placed:
            continue
        for senior in vendors:
            if senior.id not in placed and senior.attending and _same_wishes(senior, junior):
                assert key[senior.id] > key[junior.id], (senior.id, junior.id)
    # the same seed gives the same result whatever the input order
    again = allocate_blocks(list(reversed(vendors)), list(reversed(booths)), seed=seed, caps=caps,
                            grow_at_turn=grow)  # fmt: skip
    assert again.to_dict() == r.to_dict()


def test_a_lost_first_choice_section_is_named_with_what_decided() -> None:
    booths = [BoothIn("A-1", "A"), BoothIn("B-1", "B"), BoothIn("K-1", "K", cooking_allowed=True)]
    senior = VendorIn(1, "makanan", priority_rank=0, preferred_sections=("A",))
    junior = VendorIn(2, "makanan", priority_rank=3, preferred_sections=("A",), needs_cooking=False)
    cook = VendorIn(3, "makanan", priority_rank=9, needs_cooking=True)
    r = allocate([senior, junior, cook], booths, seed=11)
    lost = r.placement_of(2)
    assert lost is not None and lost.codes == ("B-1",) and lost.decided_by == "seniority"
    assert "Bagian pilihan pertamanya (A) sudah terisi" in lost.explanation_id
    assert "first-choice section (A) was filled first; decided by seniority" in (
        lost.explanation_en
    )


# -- the day's release: freed booths to the waitlist, side by side -----------------------------


def _free(booths: Sequence[BoothIn]) -> dict[str, BoothIn]:
    return {b.code: b for b in booths}


def test_a_released_pair_goes_to_a_two_booth_vendor_as_a_pair() -> None:
    booths = row("A", 4)
    vendors = {
        5: VendorIn(5, "makanan", min_booths=2, max_booths=3),
        6: VendorIn(6, "makanan"),
    }
    r = offer_released([5, 6], ["A-02", "A-03"], _free(booths[1:3]), vendors)
    assert r.offers == ((5, ("A-02", "A-03")),)  # the minimum only, not towards max
    assert r.passed_over == {}


def test_a_two_booth_vendor_is_passed_over_when_the_freed_booth_has_no_free_neighbour() -> None:
    booths = row("A", 3)
    vendors = {
        5: VendorIn(5, "makanan", min_booths=2, max_booths=2),
        6: VendorIn(6, "makanan"),
    }
    # A-02 is freed; are still held
    r = offer_released([5, 6], ["A-02"], _free([booths[1]]), vendors)
    assert r.offers == ((6, ("A-02",)),)
    assert r.passed_over == {5: "min_not_available"}


def test_a_free_neighbour_completes_the_pair_but_never_across_a_break() -> None:
    booths = row("A", 4, breaks=[2])  # A-01 A-02 | A-03 A-04
    vendors = {5: VendorIn(5, "makanan", min_booths=2, max_booths=2)}
    across = offer_released([5], ["A-02"], _free([booths[1], booths[2]]), vendors)
    assert across.offers == () and across.passed_over == {5: "min_not_available"}
    beside = offer_released([5], ["A-02"], _free(booths[:2]), vendors)
    assert beside.offers == ((5, ("A-01", "A-02")),)


def test_the_release_keeps_waitlist_order_needs_and_caps_counted_in_booths() -> None:
    booths = row("A", 4)
    vendors = {
        1: VendorIn(1, "makanan", needs_electricity=True),  # no electric booth: not their turn
        2: VendorIn(2, "pakaian", min_booths=2, max_booths=2),  # cap 1 pakaian booth left
        3: VendorIn(3, "pakaian"),
        4: VendorIn(4, "makanan", min_booths=3, max_booths=3),
    }
    caps = {(None, "pakaian"): 2}
    r = offer_released(
        [1, 2, 3, 4], ["A-01", "A-02", "A-03", "A-04"], _free(booths), vendors,
        caps=caps, placed=[("B", "pakaian")],
    )  # fmt: skip
    assert r.offers == ((3, ("A-01",)), (4, ("A-02", "A-03", "A-04")))
    assert r.passed_over == {2: "cap_reached"}


@st.composite
def releases(draw: st.DrawFn) -> tuple[list[VendorIn], list[BoothIn], list[str], list[str]]:
    vendors, booths = draw(instances())
    codes = [b.code for b in booths]
    free = draw(st.lists(st.sampled_from(codes), unique=True)) if codes else []
    released = draw(st.lists(st.sampled_from(free), unique=True)) if free else []
    return vendors, booths, free, released


@PROPERTY
@given(releases(), st.integers(0, 2**32 - 1))
def test_the_release_always_gives_min_booths_side_by_side(
    inst: tuple[list[VendorIn], list[BoothIn], list[str], list[str]], seed: int
) -> None:
    vendors, booths, free_codes, released = inst
    by_code = _free(booths)
    free = {c: by_code[c] for c in free_codes}
    vmap = {v.id: v for v in vendors}
    waitlist = sorted(vmap, key=lambda i: (vmap[i].priority_rank, (i * 7919 + seed) % 104729))
    caps = {(None, "makanan"): 4}
    held = [(by_code[c].section, "makanan") for c in sorted(set(by_code) - set(free))[:2]]
    r = offer_released(waitlist, released, free, vmap, caps=caps, placed=held)
    given_out = [c for _, codes in r.offers for c in codes]
    assert len(given_out) == len(set(given_out))  # no booth twice
    assert [vid for vid, _ in r.offers] == sorted((vid for vid, _ in r.offers), key=waitlist.index)
    for vid, codes in r.offers:
        v = vmap[vid]
        assert len(codes) == v.min_booths
        assert set(codes) <= set(free) and set(codes) & set(released)
        assert all(free[c].fits(v) for c in codes)
        assert all(b in by_code[a].neighbours or a in by_code[b].neighbours
                   for a, b in zip(codes, codes[1:], strict=False))  # fmt: skip
    makanan = sum(vmap[vid].min_booths for vid, _ in r.offers if vmap[vid].category == "makanan")
    assert makanan + len(held) <= max(caps[(None, "makanan")], len(held))
    for vid, reason in r.passed_over.items():
        assert reason in REASON_CODES and vid not in dict(r.offers)
    # one-booth vendors and one freed booth: the same answer as the one-booth release
    if len(released) == 1 and all(v.min_booths == 1 for v in vendors):
        one = next_from_waitlist(waitlist, free[released[0]], vmap, caps=caps, placed=held)
        assert [vid for vid, _ in r.offers] == ([one] if one is not None else [])
