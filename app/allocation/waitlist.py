"""On the day: who takes a no-show's booths, from the published waitlist.

:func:`next_from_waitlist` answers for one freed booth and one-booth vendors;
:func:`offer_released` for a vendor's whole set of freed booths and vendors of any size: a
vendor who needs ``min_booths`` side by side is offered that many adjacent free booths (at least
one of them freed now) or is passed over with a coded reason.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from app.allocation.model import AllocationResult, BoothIn, Caps, VendorIn, split_caps

__all__ = ["ReleaseOffers", "next_from_waitlist", "offer_released"]


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
    event_caps, section_caps = split_caps(caps)
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


@dataclass(frozen=True)
class ReleaseOffers:
    """What :func:`offer_released` decided.

    ``offers`` are ``(vendor id, booth codes side by side in row order)`` in waitlist order;
    ``passed_over`` maps a waitlisted vendor whom a freed booth would have suited, but who could
    not be given one, to the reason (``min_not_available``: not enough adjacent free booths for
    their minimum; ``cap_reached``: the category's cap in booths has no room).
    """

    offers: tuple[tuple[int, tuple[str, ...]], ...]
    passed_over: Mapping[int, str]

    @property
    def offered_codes(self) -> dict[str, int]:
        """Each offered booth code with the vendor it went to."""
        return {code: vid for vid, codes in self.offers for code in codes}


def offer_released(
    waitlist: Sequence[int],
    released: Sequence[str],
    free: Mapping[str, BoothIn],
    vendors: Mapping[int, VendorIn],
    *,
    caps: Caps | None = None,
    placed: Iterable[tuple[str, str]] = (),
    skip: Collection[int] = (),
) -> ReleaseOffers:
    """Offer freed booths to the waitlist, each vendor as many side by side as they need.

    The waitlist is walked in its published order (rank, then draw) while a freed booth is left.
    A vendor needing ``min_booths`` = k is offered k booths that are one chain of neighbours
    (:attr:`BoothIn.neighbours`), all free, all meeting their needs and category, with at least
    one of them among ``released`` (other free booths may complete the chain). Among such chains
    the one holding the most freed booths wins, then the first in booth order. A vendor is given
    their minimum only: growing towards ``max_booths`` is the planner's allocation, not the
    day's release. Caps count booths, as in the allocation.

    Parameters
    ----------
    waitlist
        Vendor ids in published order.
    released
        Codes of the booths freed now (a no-show's or a cancelling vendor's, all of them).
    free
        Every booth free now, by code, the released ones included; blocked ones are skipped.
    vendors
        The waitlisted vendors by id.
    caps, placed
        The allocation's caps, and ``(section, category)`` of each booth held now.
    skip
        Vendor ids to pass over (holding a booth, released, or absent today).

    Examples
    --------
    >>> row = [BoothIn("A-1", "A", neighbours=("A-2",)), BoothIn("A-2", "A", neighbours=("A-1",)),
    ...        BoothIn("A-3", "A")]  # a break between A-2 and A-3
    >>> vendors = {5: VendorIn(5, "makanan", min_booths=2, max_booths=2), 6: VendorIn(6, "makanan")}
    >>> r = offer_released([5, 6], ["A-2", "A-3"], {b.code: b for b in row}, vendors)
    >>> r.offers
    ((5, ('A-1', 'A-2')), (6, ('A-3',)))
    >>> offer_released([5, 6], ["A-3"], {b.code: b for b in row[2:]}, vendors).passed_over
    {5: 'min_not_available'}
    """
    usable = {code: b for code, b in free.items() if not b.blocked}
    order = {code: i for i, code in enumerate(sorted(usable, key=_natural))}
    left = {code for code in released if code in usable}
    taken: set[str] = set()
    caps_split = split_caps(caps)
    per_sec = Counter(placed)
    per_cat = Counter(c for _, c in per_sec.elements())
    offers: list[tuple[int, tuple[str, ...]]] = []
    passed: dict[int, str] = {}
    for vid in waitlist:
        if not left:
            break
        v = vendors.get(vid)
        if vid in skip or v is None:
            continue
        if not any(usable[c].fits(v) for c in left):
            continue  # no freed booth suits them at all: not their turn, no reason to record
        every = _chains(v, v.min_booths, left, usable, taken, order)
        room = [c for c in every if _cap_room(v, c, usable, per_cat, per_sec, caps_split)]
        if not room:
            passed[vid] = "cap_reached" if every else "min_not_available"
            continue
        best = min(room, key=lambda c: (-len(left & set(c)), [order[x] for x in c]))
        offers.append((vid, best))
        taken.update(best)
        left.difference_update(best)
        for code in best:
            per_sec[(usable[code].section, v.category)] += 1
            per_cat[v.category] += 1
    return ReleaseOffers(tuple(offers), passed)


def _natural(code: str) -> tuple[object, ...]:
    """Booth codes in human order (AY-2 before AY-10)."""
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", code))


def _chains(
    vendor: VendorIn,
    k: int,
    left: set[str],
    usable: Mapping[str, BoothIn],
    taken: set[str],
    order: Mapping[str, int],
) -> list[tuple[str, ...]]:
    """Every chain of ``k`` neighbouring free booths suiting ``vendor`` that holds a freed one,
    each once, in row order (the end with the lower booth order first)."""
    ok = {c for c, b in usable.items() if c not in taken and b.fits(vendor)}
    links: dict[str, set[str]] = {c: set() for c in ok}
    for c in ok:
        for n in usable[c].neighbours:
            if n in ok and n != c:
                links[c].add(n)
                links[n].add(c)
    found: set[tuple[str, ...]] = set()

    def walk(path: list[str]) -> None:
        if len(path) == k:
            if left.intersection(path):
                found.add(min(tuple(path), tuple(reversed(path)), key=lambda p: order[p[0]]))
            return
        for n in sorted(links[path[-1]], key=order.__getitem__):
            if n not in path:
                path.append(n)
                walk(path)
                path.pop()

    # a chain holding a freed booth lies within k - 1 steps of it: start the walks there
    starts: set[str] = set()
    frontier = {c for c in left if c in ok}
    for _ in range(k):
        starts |= frontier
        frontier = {n for c in frontier for n in links[c]} - starts
    for start in sorted(starts, key=order.__getitem__):
        walk([start])
    return sorted(found, key=lambda p: [order[x] for x in p])


def _cap_room(
    vendor: VendorIn,
    chain: Sequence[str],
    usable: Mapping[str, BoothIn],
    per_cat: Counter[str],
    per_sec: Counter[tuple[str, str]],
    caps: tuple[Mapping[str, int], Mapping[tuple[str, str], int]],
) -> bool:
    """Whether the caps (counted in booths) leave room for ``vendor`` on all of ``chain``."""
    event_caps, section_caps = caps
    cat = vendor.category
    cap = event_caps.get(cat)
    if cap is not None and per_cat[cat] + len(chain) > cap:
        return False
    extra = Counter(usable[c].section for c in chain)
    for sec, n in extra.items():
        sec_cap = section_caps.get((sec, cat))
        if sec_cap is not None and per_sec[(sec, cat)] + n > sec_cap:
            return False
    return True
