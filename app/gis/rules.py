"""Default clearance rules, kind codes and layout defaults.

Facility kinds and their default clearances are described once, in :mod:`app.kinds` (with the
sources of the numbers); this module exposes them as the plain codes and ``{kind: metres}`` map the
engine works with. Every clearance is editable per city and stored in the ``clearance_rule`` table.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from app.kinds import FACILITY_KIND_REGISTRY

#: Facility kind codes, from the registry (:data:`app.kinds.FACILITY_KIND_REGISTRY`).
FACILITY_KINDS: Final = tuple(FACILITY_KIND_REGISTRY)

ZONE_KINDS: Final = (
    "pkl_legal",
    "pkl_timed",
    "no_vending",
    "cfd_corridor",
    "emergency_lane",
    "service_area",
)

BOOTH_KINDS: Final = ("vendor", "service_desk", "reserved")

#: Default clearance from a booth to a facility of each kind, in metres.
DEFAULT_CLEARANCES_M: Final = MappingProxyType(
    {code: kind.clearance_m for code, kind in FACILITY_KIND_REGISTRY.items()}
)

#: Where each default comes from, shown beside the rule in the planner's rule table.
DEFAULT_CLEARANCE_SOURCES: Final = MappingProxyType(
    {code: kind.clearance_source for code, kind in FACILITY_KIND_REGISTRY.items()}
)

#: Layout defaults (metres) for a closed street on CFD day.
DEFAULT_BOOTH_WIDTH_M: Final = 3.0
DEFAULT_BOOTH_DEPTH_M: Final = 3.0
DEFAULT_GAP_M: Final = 0.0
DEFAULT_BREAK_M: Final = 3.0
DEFAULT_BREAK_EVERY_M: Final = 60.0
DEFAULT_EMERGENCY_LANE_M: Final = 4.3
DEFAULT_KERB_SETBACK_M: Final = 0.0

#: Vendor categories (codes stored in the database; labels translated in the interface).
VENDOR_CATEGORIES: Final = (
    "makanan",
    "minuman",
    "pakaian",
    "kerajinan",
    "aksesoris",
    "mainan",
    "kecantikan",
    "hasil_tani",
)

#: MikroDOTS service desks: government desks among the booths, never allocated to vendors.
SERVICE_DESK_KINDS: Final = ("halal", "nib", "kur", "ojk", "edukasi")
