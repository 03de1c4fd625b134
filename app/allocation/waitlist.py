"""On the day: who takes a no-show's booth, from the published waitlist."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence

from app.allocation.model import AllocationResult, BoothIn, Caps, VendorIn, split_caps

__all__ = ["next_from_waitlist"]


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
