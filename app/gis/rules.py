"""Default clearance rules and facility kinds.

The defaults combine published rules (NYC, San Francisco, Redwood City, Permen PUPR 03/2014) because
no Indonesian regulation gives hydrant, bus-stop or ramp distances; every value is editable per city
and stored in the ``clearance_rule`` table. The engine only ever receives a ``{kind: metres}`` map.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

FACILITY_KINDS: Final = (
    "hydrant",
    "bus_stop",
    "crossing",
    "intersection",
    "ramp",
    "driveway",
    "building_entrance",
    "tree",
    "pole",
    "drainage_inlet",
    "manhole",
    "bench",
    "other",
)

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
    {
        "hydrant": 3.0,
        "bus_stop": 3.0,
        "crossing": 3.0,
        "intersection": 3.0,
        "ramp": 3.0,
        "driveway": 3.0,
        "building_entrance": 6.0,
        "tree": 1.0,
        "pole": 1.0,
        "drainage_inlet": 1.0,
        "manhole": 1.0,
        "bench": 1.0,
        "other": 1.0,
    }
)

#: Where each default comes from, shown beside the rule in the planner's rule table.
DEFAULT_CLEARANCE_SOURCES: Final = MappingProxyType(
    {
        "hydrant": "NYC sidewalk cafés 10 ft; SF events 5 ft",
        "bus_stop": "NYC: not within a stop, 5 ft from a shelter",
        "crossing": "NYC 10 ft; California cities 15 ft",
        "intersection": "NYC 10 ft; California cities 15 ft",
        "ramp": "NYC 5–10 ft",
        "driveway": "NYC 5–10 ft",
        "building_entrance": "NYC 20 ft; LA 5 ft",
        "tree": "NYC 8 ft (cafés)",
        "pole": "NYC 8 ft (cafés)",
        "drainage_inlet": "access kept clear; no published rule found",
        "manhole": "access kept clear; no published rule found",
        "bench": "walkway kept clear (PetaLapak default)",
        "other": "PetaLapak default",
    }
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
