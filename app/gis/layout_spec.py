"""What a booth layout is asked for: the planner's settings (:class:`LayoutSpec`) and the slots
kept for non-vendor uses (:class:`ReservedSlot`).

Both are frozen and validated when made, so the generator's phases (:mod:`app.gis.layout_rows`,
:mod:`app.gis.layout_place`, :mod:`app.gis.layout_number`) can trust every size they read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Final, Literal

from shapely.geometry import Point

__all__ = ["DEFAULT_SAFETY_MARGIN_M", "LayoutSpec", "Mode", "ReservedSlot", "Side"]

#: The margin (m) an event's layout keeps at every clearance and edge unless the planner sets
#: another (the event's ``layout_safety_margin_m``). Exported layouts are rounded (7 decimals of a
#: degree move a point up to 6 mm); without a margin, booths generated exactly on a clearance edge
#: were read back millimetres inside it. 5 cm is far beyond any rounding and costs about one booth
#: per kilometre of row.
DEFAULT_SAFETY_MARGIN_M: Final = 0.05

Side = Literal["left", "right"]
Mode = Literal["corridor", "sidewalk"]


@dataclass(frozen=True, kw_only=True)
class LayoutSpec:
    """The settings of one layout run, in metres.

    Attributes
    ----------
    booth_width_m, booth_depth_m : float
        Booth footprint: width along the street, depth from kerb toward the centre (> 0).
    gap_m : float
        Space between neighbouring booths of a run (0: shared side walls).
    break_m, break_every_m : float
        A break of at least ``break_m`` after at most ``break_every_m`` of booths (0: no breaks).
    emergency_lane_m : float
        Width of the central lane kept clear (corridor mode).
    kerb_setback_m : float
        Space kept between the kerb and the back of the booths.
    prefix : str
        Corridor code at the start of every booth code (``AY-001``).
    mode : {"corridor", "sidewalk"}
        ``"corridor"``: rows along both kerbs and a central emergency lane. ``"sidewalk"``: one
        row along the kerb edge (``kerb_side`` of the centreline) and a ``walkway_m`` strip kept
        clear along the other edge; booths shrink (down to 0.6 m) when the strip cannot hold both.
    walkway_m : float
        Clear walkway in sidewalk mode (Permen PUPR 03/2014 keeps the pedestrian way and the tactile
        guiding strip free).
    kerb_side : {"left", "right"}
        Sidewalk mode: which edge of the strip, seen along the centreline, is the kerb.
    safety_margin_m : float
        Kept beyond every facility clearance, always (a booth stands at least clearance + margin
        from the facility); kept off the kerb as far as the row's slack allows (up to the
        margin; the rest of the slack goes to the lane or walkway side), and then the corridor's
        edge is checked to the millimetre instead of with 6 mm of tolerance. 0 (the engine's
        default) places booths exactly on clearance edges; events use
        :data:`DEFAULT_SAFETY_MARGIN_M` unless set otherwise.

    Raises
    ------
    ValueError
        When a size is negative or not a number, a booth has no width or depth, or the mode or
        kerb side is unknown.

    Examples
    --------
    >>> spec = LayoutSpec(booth_width_m=2.5, break_m=0.0)
    >>> spec.booth_width_m, spec.pitch_m, spec.breaks
    (2.5, 2.5, False)
    >>> LayoutSpec(gap_m=-1.0)
    Traceback (most recent call last):
    ...
    ValueError: gap_m must be a finite number of metres ≥ 0, not -1.0
    >>> LayoutSpec(mode="grid")  # type: ignore[arg-type]
    Traceback (most recent call last):
    ...
    ValueError: mode must be 'corridor' or 'sidewalk', not 'grid'
    """

    booth_width_m: float = 3.0
    booth_depth_m: float = 3.0
    gap_m: float = 0.0
    break_m: float = 3.0
    break_every_m: float = 60.0
    emergency_lane_m: float = 4.3
    kerb_setback_m: float = 0.0
    prefix: str = "AY"
    mode: Mode = "corridor"
    walkway_m: float = 2.0
    kerb_side: Side = "left"
    safety_margin_m: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            if not f.name.endswith("_m"):
                continue
            value = getattr(self, f.name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise ValueError(f"{f.name} must be a finite number of metres ≥ 0, not {value!r}")
        for name in ("booth_width_m", "booth_depth_m"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be greater than 0 m")
        if self.mode not in ("corridor", "sidewalk"):
            raise ValueError(f"mode must be 'corridor' or 'sidewalk', not {self.mode!r}")
        if self.kerb_side not in ("left", "right"):
            raise ValueError(f"kerb_side must be 'left' or 'right', not {self.kerb_side!r}")

    @property
    def pitch_m(self) -> float:
        """Distance from one booth's start to the next one's in a run."""
        return self.booth_width_m + self.gap_m

    @property
    def breaks(self) -> bool:
        """Whether runs of booths are broken up at all."""
        return self.break_m > 0 and self.break_every_m > 0

    @property
    def keep_clear_key(self) -> str:
        """The name of the strip kept clear in reports: the emergency lane or the walkway."""
        return "emergency_lane" if self.mode == "corridor" else "walkway"


@dataclass(frozen=True)
class ReservedSlot:
    """A booth position kept for a non-vendor use, such as a MikroDOTS service desk.

    Give either ``near`` (a point in the metric CRS: the booth nearest to it is reserved) or
    ``position_m`` (chainage along the centreline, with ``side`` when it matters).

    Examples
    --------
    >>> ReservedSlot("Halal", position_m=120.0, side="left").kind
    'service_desk'
    >>> ReservedSlot("OJK")
    Traceback (most recent call last):
    ...
    ValueError: reserved slot 'OJK' needs a point (near=) or a chainage (position_m=)
    """

    label: str
    kind: str = "service_desk"
    near: Point | None = None
    position_m: float | None = None
    side: Side | None = None

    def __post_init__(self) -> None:
        if self.near is None and self.position_m is None:
            raise ValueError(
                f"reserved slot {self.label!r} needs a point (near=) or a chainage (position_m=)"
            )
        if self.side not in (None, "left", "right"):
            raise ValueError(f"side must be 'left', 'right' or None, not {self.side!r}")
