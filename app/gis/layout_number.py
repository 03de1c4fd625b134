"""Number placed booths in walking order and hand the nearest ones to reserved slots.

Vendor booths are numbered in walking order: the left side first (left of the centreline's
direction), from its start to its end, row 0 (against the kerb) before rows nearer the centre, then
the right side the same way: ``AY-001``, ``AY-002`` … (three digits, more when a layout has 1,000
booths or more). Reserved slots are numbered apart, in the same walking order: service desks
``AY-D01``…, other reservations ``AY-R01``…
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np
import shapely
from shapely.geometry import LineString

from app.gis.layout_place import Placed
from app.gis.layout_spec import ReservedSlot
from app.gis.shapes import BoothShape
from app.messages import Msg, define

__all__ = ["SLOT_UNPLACED", "number_booths"]

SLOT_UNPLACED = define(
    "layout.slot_unplaced",
    id="Slot '{label}' tidak dapat ditempatkan: tidak ada lapak tersisa di sisi yang diminta.",
    en="Slot '{label}' could not be placed: no booth left on the requested side.",
)


def number_booths(
    placed: Sequence[Placed],
    centreline: LineString,
    *,
    prefix: str,
    reserved_slots: Sequence[ReservedSlot],
) -> tuple[list[BoothShape], list[Msg]]:
    """Give codes in walking order; hand the booths nearest to each request to reserved slots."""
    notes: list[Msg] = []
    if not placed:
        for slot in reserved_slots:
            notes.append(_unplaced(slot))
        return [], notes
    centres = np.array([p.centre for p in placed], dtype=float)
    chainage = shapely.line_locate_point(centreline, shapely.points(centres))
    taken: dict[int, ReservedSlot] = {}
    geoms = np.empty(len(placed), dtype=object)
    geoms[:] = [p.geometry for p in placed]
    for slot in reserved_slots:
        free = np.array(
            [
                i not in taken and (slot.side is None or placed[i].side == slot.side)
                for i in range(len(placed))
            ]
        )
        if not free.any():
            notes.append(_unplaced(slot))
            continue
        order = np.arange(len(placed))
        if slot.near is not None:
            gap = shapely.distance(geoms, slot.near)
            centre_gap = np.hypot(centres[:, 0] - slot.near.x, centres[:, 1] - slot.near.y)
            keys = np.lexsort((order, centre_gap, gap))
        else:
            position = float(cast(float, slot.position_m))
            keys = np.lexsort((order, np.abs(chainage - position)))
        pick = next(int(i) for i in keys if free[i])
        taken[pick] = slot

    width = max(3, len(str(len(placed) - len(taken))))
    counters: dict[str, int] = {}
    vendor = 0
    booths: list[BoothShape] = []
    for i, p in enumerate(placed):
        props: dict[str, object] = {
            "side": p.side,
            "row": p.row,
            "chainage_m": round(float(chainage[i]), 3),
            "facing_deg": round(p.facing_deg, 1),
        }
        reserved = taken.get(i)
        if reserved is None:
            vendor += 1
            code = f"{prefix}-{vendor:0{width}d}"
            kind = "vendor"
        else:
            letter = "D" if reserved.kind == "service_desk" else "R"
            counters[letter] = counters.get(letter, 0) + 1
            code = f"{prefix}-{letter}{counters[letter]:02d}"
            kind = reserved.kind
            props["label"] = reserved.label
        booths.append(BoothShape(code=code, geometry=p.geometry, kind=kind, properties=props))
    return booths, notes


def _unplaced(slot: ReservedSlot) -> Msg:
    return SLOT_UNPLACED(label=slot.label)
