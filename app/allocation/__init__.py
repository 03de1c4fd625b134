"""Fair, explainable booth allocation for Car Free Day vendors (PKL).

Pure functions over frozen records: nothing here imports Flask, SQLAlchemy, GeoAlchemy2 or the
app's models. The service builds :class:`VendorIn` and :class:`BoothIn` from the database, calls
:func:`allocate` with the event's published lottery seed, and stores the
:class:`AllocationResult`; :func:`next_from_waitlist` releases a no-show's booth on the day.

Examples
--------
>>> r = allocate([VendorIn(1, "makanan")], [BoothIn("AY-001", "A")], seed=2025)
>>> r.placements[0].booth_code, r.placements[0].phase
('AY-001', 'priority')
"""

from app.allocation.engine import allocate
from app.allocation.lottery import draw_numbers
from app.allocation.model import (
    PHASES,
    REASON_CODES,
    SCORE_PARTS,
    WAITLIST_REASONS,
    AllocationResult,
    BoothIn,
    Placement,
    Unplaced,
    VendorIn,
    Weights,
)
from app.allocation.waitlist import ReleaseOffers, next_from_waitlist, offer_released

__all__ = [
    "PHASES",
    "REASON_CODES",
    "SCORE_PARTS",
    "WAITLIST_REASONS",
    "AllocationResult",
    "ReleaseOffers",
    "BoothIn",
    "Placement",
    "Unplaced",
    "VendorIn",
    "Weights",
    "allocate",
    "draw_numbers",
    "next_from_waitlist",
    "offer_released",
]
