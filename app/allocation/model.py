"""Inputs and outputs of the allocation engine: small frozen records, nothing from the database.

The service layer turns vendor registrations and booth rows into :class:`VendorIn` and
:class:`BoothIn`, calls :func:`app.allocation.allocate`, and stores the :class:`AllocationResult`.
Keeping the records plain (strings, numbers, tuples) is what lets the engine be tested in
milliseconds and lets a vendor re-run the published lottery from a JSON export.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field
from typing import Final, Literal, TypeAlias

import numpy as np

from app.messages import Msg

#: The order in which vendors are placed, after Amsterdam's market system (fixed holders first).
PHASES: Final = ("pinned", "fixed", "returning", "priority")
Phase: TypeAlias = Literal["pinned", "fixed", "returning", "priority"]

#: Why a vendor got no booth. ``inactive`` (registration withdrawn, permit expired…) is decided by
#: the service before the engine runs, so the engine never produces it.
REASON_CODES: Final = (
    "pinned_booth_unusable",
    "no_allowed_booth",
    "needs_not_met",
    "cap_reached",
    "lottery_lost",
    "not_attending",
    "fixed_booth_unusable",
    "min_not_available",
    "special_booth_reserved",
)
ReasonCode: TypeAlias = Literal[
    "pinned_booth_unusable",
    "no_allowed_booth",
    "needs_not_met",
    "cap_reached",
    "lottery_lost",
    "not_attending",
    "fixed_booth_unusable",
    "min_not_available",
    "special_booth_reserved",
]

#: Reasons that keep a vendor on the waitlist: a released booth or a freed cap slot can help them.
WAITLIST_REASONS: Final = frozenset(
    {"cap_reached", "lottery_lost", "min_not_available", "special_booth_reserved"}
)

#: What decided a contested booth or a lost place: the earlier registration, the published draw
#: (same seniority), a special booth kept for those who need it, or a fixed holder's permit.
DECIDED_BY: Final = ("seniority", "draw", "special_need", "fixed_holder")

#: Named parts of a placement's cost, in the order they are shown.
SCORE_PARTS: Final = (
    "section_preference",
    "quality",
    "rotation_fairness",
    "keep_previous",
    "neighbour_same_category",
)

#: A JSON-ready scalar, the only kind of value a reason's ``detail`` holds.
Scalar: TypeAlias = str | int | float | bool | None

#: Caps on a category: ``{(section or None, category): count}``, counted in booths (a vendor on
#: two booths counts two; one-booth vendors count one each).
Caps: TypeAlias = Mapping[tuple[str | None, str], int]


def _check_unit(value: float | None, what: str) -> None:
    if value is not None and not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise ValueError(f"{what} must lie in [0, 1], got {value!r}")


@dataclass(frozen=True)
class VendorIn:
    """One registered vendor, as the engine sees them (fields after ``category`` by keyword).

    ``priority_rank`` orders vendors of the priority phase: lower is more senior (the service
    derives it from the registration date or years of trading); equal ranks are broken by the
    published lottery. ``last_quality`` is the desirability (0..1) of the booth the vendor had at
    the last event, ``None`` for newcomers; vendors who had a poor spot weigh quality more this
    time (rotation fairness).

    Examples
    --------
    >>> VendorIn(7, "makanan", needs_electricity=True, preferred_sections=("A",)).category
    'makanan'
    """

    id: int
    category: str
    _: KW_ONLY
    needs_electricity: bool = False
    needs_accessibility: bool = False
    priority_rank: int = 0
    previous_booth: str | None = None
    pinned_booth: str | None = None
    preferred_sections: tuple[str, ...] = ()
    last_quality: float | None = None
    min_booths: int = 1
    max_booths: int = 1
    needs_cooking: bool = False
    preferred_booths: tuple[str, ...] = ()
    fixed_booths: tuple[str, ...] = ()
    attending: bool = True

    def __post_init__(self) -> None:
        """Refuse a ``last_quality`` outside 0..1 and booth counts that are not 1 ≤ min ≤ max."""
        _check_unit(self.last_quality, f"vendor {self.id}: last_quality")
        if not 1 <= self.min_booths <= self.max_booths:
            raise ValueError(
                f"vendor {self.id}: booths must satisfy 1 <= min <= max, "
                f"got {self.min_booths}..{self.max_booths}"
            )

    @property
    def is_simple(self) -> bool:
        """One booth, no cooking, no booth list, no permanent booths: the one-booth case."""
        return (
            self.max_booths == 1
            and not self.needs_cooking
            and not self.preferred_booths
            and not self.fixed_booths
        )

    @property
    def has_special_need(self) -> bool:
        """Whether the vendor needs a booth property (electricity, cooking, step-free access)."""
        return self.needs_electricity or self.needs_cooking or self.needs_accessibility


@dataclass(frozen=True)
class BoothIn:
    """One booth of the event layout (fields after ``section`` by keyword).

    ``section`` is the stretch of the corridor (or zone) the booth belongs to; preferences and
    section caps refer to it. ``allowed_categories`` is ``None`` when every category may sell
    there. ``blocked`` means the conflict engine found a blocking conflict (hydrant, emergency
    lane…): such a booth is never used. ``neighbours`` are the booths sharing a side wall in the
    same row; the relation is made symmetric by the engine and codes it does not know are ignored.

    Examples
    --------
    >>> b = BoothIn("AY-001", "A", allowed_categories=frozenset({"makanan"}), has_electricity=True)
    >>> b.fits(VendorIn(1, "makanan", needs_electricity=True)), b.fits(VendorIn(2, "pakaian"))
    (True, False)
    """

    code: str
    section: str
    _: KW_ONLY
    allowed_categories: frozenset[str] | None = None
    has_electricity: bool = False
    accessible: bool = False
    blocked: bool = False
    quality: float = 0.5
    neighbours: tuple[str, ...] = ()
    cooking_allowed: bool = False
    reserved_category: str | None = None

    def __post_init__(self) -> None:
        """Refuse a ``quality`` outside 0..1."""
        _check_unit(self.quality, f"booth {self.code}: quality")

    @property
    def special(self) -> bool:
        """Whether the booth has a property some vendors need (kept for them while they last)."""
        return (
            self.has_electricity
            or self.cooking_allowed
            or self.accessible
            or self.reserved_category is not None
        )

    def allows(self, category: str) -> bool:
        """Return whether vendors of ``category`` may sell in this booth's zone."""
        return self.allowed_categories is None or category in self.allowed_categories

    def meets_needs(self, vendor: VendorIn) -> bool:
        """Return whether the booth has the electricity and step-free access the vendor needs."""
        return (
            (self.has_electricity or not vendor.needs_electricity)
            and (self.accessible or not vendor.needs_accessibility)
            and (self.cooking_allowed or not vendor.needs_cooking)
        )

    def fits(self, vendor: VendorIn) -> bool:
        """Return whether every hard rule allows ``vendor`` in this booth (occupancy aside)."""
        return not self.blocked and self.allows(vendor.category) and self.meets_needs(vendor)


@dataclass(frozen=True)
class Weights:
    """Weights of the soft goals; each is the cost of one unit of the named shortfall.

    ``section_preference``
        Cost of a booth outside the vendor's preferred sections (1 unit); the k-th of n
        preferences costs (k - 1) / n units, so a first choice is free.
    ``quality``
        Cost of booth undesirability, ``1 - quality``, for everybody.
    ``rotation_fairness``
        Extra cost of undesirability for vendors who had a poor spot last time:
        ``(1 - last_quality) * (1 - quality)``; newcomers count as ``last_quality = 0.5``.
    ``keep_previous``
        Cost of landing outside the section of last event's booth, for a vendor who could not keep
        that booth (regular customers look for them in the same stretch).
    ``neighbour_same_category``
        Cost of each pair of neighbouring booths held by the same category. Negative values reward
        such pairs instead (a food court that should cluster).

    Examples
    --------
    >>> Weights(neighbour_same_category=-0.5).quality
    1.0
    """

    section_preference: float = 1.0
    rotation_fairness: float = 0.5
    keep_previous: float = 0.5
    neighbour_same_category: float = 1.0
    quality: float = 1.0

    def __post_init__(self) -> None:
        """Refuse non-finite weights and negative ones (except the neighbour weight)."""
        for name in SCORE_PARTS:
            value = getattr(self, name)
            if not math.isfinite(value):
                raise ValueError(f"weight {name} must be finite, got {value!r}")
            if name != "neighbour_same_category" and value < 0:
                raise ValueError(f"weight {name} must not be negative, got {value!r}")


@dataclass(frozen=True)
class Placement:
    """A vendor placed in a booth, with the cost parts and a sentence saying why.

    ``score_parts`` holds the weighted cost of each soft goal (:data:`SCORE_PARTS`; lower is
    better); a same-category neighbour pair is split half and half between its two vendors, so the
    parts of all placements add up to :attr:`AllocationResult.objective`. ``draw`` is the vendor's
    number in the published lottery.
    """

    vendor_id: int
    booth_code: str
    section: str
    category: str
    phase: Phase
    draw: int
    score_parts: Mapping[str, float]
    explanation: Msg
    booth_codes: tuple[str, ...] = ()
    decided_by: str | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        """Every booth the vendor holds, side by side (one for a one-booth vendor)."""
        return self.booth_codes or (self.booth_code,)

    @property
    def explanation_id(self) -> str:
        """The explanation in Indonesian."""
        return self.explanation.render("id")

    @property
    def explanation_en(self) -> str:
        """The explanation in English."""
        return self.explanation.render("en")

    @property
    def cost(self) -> float:
        """Return the sum of :attr:`score_parts`."""
        return math.fsum(self.score_parts.values())

    def to_dict(self) -> dict[str, object]:
        """Return the placement as a JSON-ready dict."""
        return {
            "vendor_id": self.vendor_id,
            "booth_code": self.booth_code,
            "booth_codes": list(self.codes),
            "section": self.section,
            "category": self.category,
            "phase": self.phase,
            "draw": self.draw,
            "score_parts": dict(self.score_parts),
            "cost": self.cost,
            "decided_by": self.decided_by,
            "explanation_id": self.explanation_id,
            "explanation_en": self.explanation_en,
        }


@dataclass(frozen=True)
class Unplaced:
    """A vendor without a booth, with a coded reason (:data:`REASON_CODES`) and its numbers.

    ``detail`` always carries ``seed``, ``draw`` and ``priority_rank`` so a lottery loss can be
    checked by anyone who re-runs the draw; other keys depend on the reason.
    """

    vendor_id: int
    reason_code: ReasonCode
    detail: Mapping[str, Scalar]
    explanation: Msg

    @property
    def explanation_id(self) -> str:
        """The explanation in Indonesian."""
        return self.explanation.render("id")

    @property
    def explanation_en(self) -> str:
        """The explanation in English."""
        return self.explanation.render("en")

    def to_dict(self) -> dict[str, object]:
        """Return the record as a JSON-ready dict."""
        return {
            "vendor_id": self.vendor_id,
            "reason_code": self.reason_code,
            "detail": dict(self.detail),
            "explanation_id": self.explanation_id,
            "explanation_en": self.explanation_en,
        }


@dataclass(frozen=True)
class AllocationResult:
    """Everything one run of :func:`app.allocation.allocate` decided.

    ``placements`` and ``unplaced`` are sorted by vendor id; ``waitlist`` lists the vendors who
    lost the lottery or hit a cap, in priority order (rank, then draw). ``draws`` is the whole
    published lottery: every vendor's draw number for ``seed``. ``objective`` is the total cost
    (sum of every placement's :attr:`Placement.score_parts`); lower is better.
    """

    placements: tuple[Placement, ...]
    unplaced: tuple[Unplaced, ...]
    waitlist: tuple[int, ...]
    objective: float
    seed: int
    draws: Mapping[int, int] = field(default_factory=dict)

    def placement_of(self, vendor_id: int) -> Placement | None:
        """Return the vendor's placement, or ``None`` when they have none."""
        for p in self.placements:
            if p.vendor_id == vendor_id:
                return p
        return None

    def to_dict(self) -> dict[str, object]:
        """Return the result as a JSON-ready dict (string keys, lists, numbers)."""
        return {
            "seed": self.seed,
            "objective": self.objective,
            "placements": [p.to_dict() for p in self.placements],
            "unplaced": [u.to_dict() for u in self.unplaced],
            "waitlist": list(self.waitlist),
            "draws": {str(k): v for k, v in sorted(self.draws.items())},
        }


def split_caps(caps: Caps | None) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """Caps for the whole event (by category) and per section (by section and category).

    Raises
    ------
    ValueError
        When a cap is not a non-negative integer.
    """
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
