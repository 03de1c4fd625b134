"""Plain data the print-outs are drawn from: features in a metric CRS, texts already translated."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

__all__ = [
    "PAPERS",
    "LayoutData",
    "Paper",
    "PrintBooth",
    "PrintFeature",
    "PrintBasemap",
    "PrintLabels",
    "PrintLandmark",
    "PrintRoad",
    "VendorRow",
]


@dataclass(frozen=True)
class PrintBooth:
    """A booth to draw: its code, footprint, kind and conflict state (a ``BOOTH_STYLES`` key)."""

    code: str
    geometry: Polygon
    kind: str = "vendor"
    state: str = "ok"
    label: str = ""


@dataclass(frozen=True)
class PrintFeature:
    """A facility or zone to draw (``kind`` from ``FACILITY_STYLES`` / ``ZONE_STYLES``)."""

    kind: str
    geometry: BaseGeometry
    name: str = ""


@dataclass(frozen=True)
class PrintRoad:
    """A basemap street (``road_class`` from ``ROAD_STYLES``) and its name."""

    road_class: str
    geometry: LineString
    name: str = ""


@dataclass(frozen=True)
class PrintLandmark:
    """A landmark (``kind`` from ``LANDMARK_STYLES``) at a point, with its name."""

    kind: str
    geometry: BaseGeometry
    name: str


@dataclass(frozen=True)
class PrintBasemap:
    """The city's basemap around the corridor, drawn beneath the booths (metric CRS).

    ``water`` holds ``(class, geometry)`` pairs (lines and areas); ``attribution`` is printed in
    the small print ("© OpenStreetMap contributors", or that the basemap is illustrative).
    """

    roads: Sequence[PrintRoad] = ()
    water: Sequence[tuple[str, BaseGeometry]] = ()
    buildings: Sequence[BaseGeometry] = ()
    landmarks: Sequence[PrintLandmark] = ()
    attribution: str = ""


@dataclass(frozen=True)
class VendorRow:
    """One line of the vendor check-in list: a booth and, when assigned, its vendor."""

    booth_code: str
    kind: str = "vendor"
    business_name: str = ""
    owner_name: str = ""
    category: str = ""
    phone: str = ""
    checked_in: bool = False
    #: where the booth is, in words, in the reader's language (printed under the name)
    place: str = ""


@dataclass(frozen=True)
class LayoutData:
    """An event's ground for printing, everything in one metric CRS.

    ``title`` is the event's name, ``when`` its date and hours and ``printed`` the print timestamp,
    all already formatted for the reader; ``place`` names the city and corridor and ``note`` is
    the small print (CRS, data source).
    """

    title: str
    when: str
    place: str
    printed: str
    corridor: BaseGeometry
    booths: Sequence[PrintBooth]
    facilities: Sequence[PrintFeature] = ()
    zones: Sequence[PrintFeature] = ()
    centreline: LineString | None = None
    vendors: Sequence[VendorRow] = ()
    note: str = ""
    basemap: PrintBasemap = field(default_factory=PrintBasemap)


@dataclass(frozen=True)
class Paper:
    """A sheet size (landscape) and the map scale used on it; lengths in millimetres."""

    name: str
    width_mm: float
    height_mm: float
    margin_mm: float
    header_mm: float
    footer_mm: float
    scale: int
    title_pt: float
    text_pt: float


#: Booth codes are set at 6.5 pt whatever the paper; the scale keeps 3 m booths 4 mm apart.
PAPERS: Mapping[str, Paper] = {
    "A3": Paper("A3", 420.0, 297.0, 10.0, 17.0, 30.0, 750, 15.0, 8.0),
    "A4": Paper("A4", 297.0, 210.0, 8.0, 14.0, 27.0, 750, 12.0, 7.0),
}


@dataclass(frozen=True)
class PrintLabels:
    """Every text of the print-outs, translated by the caller.

    Templates use ``str.format`` fields: ``{n}``, ``{total}``, ``{a}``, ``{b}``, ``{scale}``,
    ``{paper}``, ``{when}``.
    """

    map_title: str
    overview_title: str
    list_title: str
    segment: str
    page: str
    continue_to: str
    continued_from: str
    match_line: str
    chainage: str
    booth_count: str
    scale: str
    north: str
    legend: str
    neighbour: str
    emergency_lane: str
    corridor: str
    desks: str
    table_segment: str
    table_page: str
    table_chainage: str
    table_booths: str
    table_desks: str
    overview_hint: str
    col_booth: str
    col_segment: str
    col_business: str
    col_category: str
    col_phone: str
    col_check_in: str
    col_notes: str
    list_hint: str
    booth_states: Mapping[str, str] = field(default_factory=dict)
    facilities: Mapping[str, str] = field(default_factory=dict)
    zones: Mapping[str, str] = field(default_factory=dict)
    categories: Mapping[str, str] = field(default_factory=dict)
