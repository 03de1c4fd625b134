"""Map and print styles as data: one table per layer, shared by the web maps and the print-outs.

No map or drawing library here: :mod:`app.views.maps` turns these into folium/Leaflet options and
:mod:`app.printing` into PDF strokes and fills, so a colour is chosen once and both agree. Facility
symbols belong to each kind's entry in :mod:`app.kinds` (``FACILITY_STYLES`` there).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

__all__ = [
    "BACKGROUND_COLOUR",
    "BOARD_STYLES",
    "BOOTH_STYLES",
    "BUILDING_STYLE",
    "CHECKIN_STYLES",
    "LAPAK_STYLES",
    "PATTERNS",
    "ROAD_STYLES",
    "WATER_FILL",
    "WATER_LINE",
    "WATER_LINE_WIDTH_PX",
    "Pattern",
    "ZONE_FALLBACK_STYLE",
    "ZONE_STYLES",
    "LegendShape",
    "MarkerStyle",
    "PathStyle",
    "RoadStyle",
    "booth_state",
]

LegendShape = Literal[
    "area", "dashed", "dotted", "line", "circle", "square", "diamond", "hatch", "crosshatch", "dots"
]
#: Fill patterns drawn over an area's fill in its stroke colour, so its meaning does not rest on
#: colour alone: ``hatch`` diagonal lines (no vending), ``crosshatch`` both diagonals (keep
#: clear), ``dots`` a grid of dots (timed). ``js/map_patterns.js`` draws them on the web maps
#: (canvas and SVG), :mod:`app.printing.map_layers` in the PDFs, the legends as CSS swatches.
Pattern = Literal["hatch", "crosshatch", "dots"]
PATTERNS: Final[tuple[Pattern, ...]] = ("hatch", "crosshatch", "dots")


@dataclass(frozen=True)
class PathStyle:
    """Stroke and fill of a polygon or line layer (Leaflet path options)."""

    color: str
    fill_color: str
    weight: float = 2.0
    opacity: float = 0.9
    fill_opacity: float = 0.25
    dash_array: str | None = None
    pattern: Pattern | None = None

    def leaflet(self) -> dict[str, Any]:
        """Return the Leaflet ``style`` options (``fillPattern`` for ``js/map_patterns.js``).

        Examples
        --------
        >>> PathStyle("#000", "#fff", dash_array="4 4").leaflet()["dashArray"]
        '4 4'
        >>> PathStyle("#000", "#fff", pattern="hatch").leaflet()["fillPattern"]
        'hatch'
        """
        style: dict[str, Any] = {
            "color": self.color,
            "weight": self.weight,
            "opacity": self.opacity,
            "fillColor": self.fill_color,
            "fillOpacity": self.fill_opacity,
        }
        if self.dash_array:
            style["dashArray"] = self.dash_array
        if self.pattern:
            style["fillPattern"] = self.pattern
        return style

    @property
    def legend_colour(self) -> str:
        """Colour shown in the legend."""
        return self.color

    @property
    def legend_shape(self) -> LegendShape:
        """Legend swatch: the fill pattern, else a dotted or dashed outline, else a filled area.

        Examples
        --------
        >>> PathStyle("#000", "#fff", dash_array="1 4").legend_shape
        'dotted'
        >>> PathStyle("#000", "#fff", dash_array="8 6", pattern="crosshatch").legend_shape
        'crosshatch'
        """
        if self.pattern:
            return self.pattern
        if not self.dash_array:
            return "area"
        return "dotted" if self.dash_array.split()[0] in ("1", "2") else "dashed"


@dataclass(frozen=True)
class MarkerStyle:
    """Point symbol: a canvas circle, or a small square/diamond with a letter (no icon fonts)."""

    shape: Literal["circle", "square", "diamond"]
    fill: str
    stroke: str
    size_px: int
    glyph: str = ""
    glyph_colour: str = "#ffffff"

    @property
    def legend_colour(self) -> str:
        """Colour shown in the legend."""
        return self.fill

    @property
    def legend_shape(self) -> LegendShape:
        """Legend swatch shape."""
        return self.shape


#: Zone polygons by ``zone.kind`` (codes from :data:`app.gis.rules.ZONE_KINDS`).
#: Fills from the Okabe–Ito palette (told apart with red–green colour blindness); the outlines
#: are dark shades of them, at least 3:1 against the basemap's background, buildings, roads and
#: water (tests/test_map_contrast.py). Meaning never rests on colour alone: no vending is hatched,
#: timed zones dotted, the emergency lane cross-hatched with a dashed outline.
ZONE_STYLES: Final[Mapping[str, PathStyle]] = {
    "pkl_legal": PathStyle("#006b4f", "#009e73", fill_opacity=0.25),
    "pkl_timed": PathStyle("#6e6000", "#f0e442", fill_opacity=0.35, pattern="dots"),
    "no_vending": PathStyle("#a33f00", "#d55e00", fill_opacity=0.25, pattern="hatch"),
    "cfd_corridor": PathStyle("#546e7a", "#90a4ae", fill_opacity=0.15),
    "emergency_lane": PathStyle(
        "#8a5300", "#e69f00", weight=3, fill_opacity=0.3, dash_array="8 6", pattern="crosshatch"
    ),
    "service_area": PathStyle("#7a3f6a", "#cc79a7", fill_opacity=0.25),
}
#: A zone of a kind with no style of its own.
ZONE_FALLBACK_STYLE: Final = PathStyle("#616161", "#9e9e9e", fill_opacity=0.2)

#: Booth footprints by state (see :func:`booth_state`).
BOOTH_STYLES: Final[Mapping[str, PathStyle]] = {
    "ok": PathStyle("#2e7d32", "#a5d6a7", weight=1.5, fill_opacity=0.2),
    "warning": PathStyle("#7a5500", "#ffe082", weight=2, fill_opacity=0.45),
    "blocking": PathStyle("#b71c1c", "#e53935", weight=2, fill_opacity=0.7),
    "service_desk": PathStyle("#6a1b9a", "#ce93d8", weight=1.5, fill_opacity=0.5),
    "reserved": PathStyle("#616161", "#bdbdbd", weight=1.5, fill_opacity=0.4, dash_array="4 3"),
}

#: Booths on a vendor's own map (``/lapak``), by role: the vendor's booth stands out, the others
#: are quiet greys told apart by fill and outline (dashed: free).
LAPAK_STYLES: Final[Mapping[str, PathStyle]] = {
    "own": PathStyle("#0d47a1", "#1e88e5", weight=3, opacity=1.0, fill_opacity=0.85),
    "occupied": PathStyle("#546e7a", "#b0bec5", weight=1, fill_opacity=0.55),
    "free": PathStyle("#546e7a", "#ffffff", weight=1, fill_opacity=0.4, dash_array="3 3"),
    "service_desk": BOOTH_STYLES["service_desk"],
}

#: Booths on the planner's event page, by board state (:mod:`app.services.event_board`).
#: Colours from the Okabe–Ito palette (told apart with red–green colour blindness), and each state
#: also differs in outline (solid, dashed, dotted, weight) and fill strength, so the map reads
#: without colour too; the legend and every booth's tooltip name the state in words.
BOARD_STYLES: Final[Mapping[str, PathStyle]] = {
    "free": PathStyle(
        "#555555", "#ffffff", weight=1.5, opacity=1.0, fill_opacity=0.6, dash_array="2 3"
    ),
    "assigned": PathStyle("#005f95", "#56b4e9", weight=1.5, opacity=1.0, fill_opacity=0.45),
    "confirmed": PathStyle("#005f95", "#0072b2", weight=2.5, opacity=1.0, fill_opacity=0.75),
    "checked_in": PathStyle("#004d33", "#009e73", weight=3, opacity=1.0, fill_opacity=0.85),
    "conflict": PathStyle(
        "#a84a00", "#e69f00", weight=3, opacity=1.0, fill_opacity=0.6, dash_array="6 3"
    ),
    "blocked": PathStyle(
        "#000000", "#4d4d4d", weight=1.5, opacity=1.0, fill_opacity=0.7, dash_array="1 3"
    ),
    "service_desk": PathStyle("#7a3f6a", "#cc79a7", weight=2, opacity=1.0, fill_opacity=0.6),
}

#: Booths on the crew's check-in map, by the booth's current assignment status (``free``: no
#: vendor; ``service_desk``: a desk). Same palette as the event page: arrived is strong green,
#: not yet seen blue, no-show vermillion with a dotted outline, cancelled and free pale and
#: dashed, so the states also differ without colour.
CHECKIN_STYLES: Final[Mapping[str, PathStyle]] = {
    "assigned": BOARD_STYLES["assigned"],
    "checked_in": BOARD_STYLES["checked_in"],
    "no_show": PathStyle(
        "#a84a00", "#d55e00", weight=2.5, opacity=1.0, fill_opacity=0.55, dash_array="1 3"
    ),
    "cancelled": PathStyle(
        "#555555", "#e0e0e0", weight=1.5, opacity=1.0, fill_opacity=0.6, dash_array="4 3"
    ),
    "free": BOARD_STYLES["free"],
    "service_desk": BOARD_STYLES["service_desk"],
}


def booth_state(properties: Mapping[str, Any]) -> str:
    """Return the style key of a booth feature.

    ``properties["state"]`` wins when it is one of :data:`BOOTH_STYLES`; otherwise the booth kind
    decides (``service_desk``, ``reserved``) and anything else is ``"ok"``.

    Examples
    --------
    >>> booth_state({"state": "blocking", "kind": "vendor"})
    'blocking'
    >>> booth_state({"kind": "service_desk"})
    'service_desk'
    >>> booth_state({})
    'ok'
    """
    state = properties.get("state")
    if isinstance(state, str) and state in BOOTH_STYLES:
        return state
    kind = properties.get("kind")
    if isinstance(kind, str) and kind in BOOTH_STYLES:
        return kind
    return "ok"


# --------------------------------------------------------------------------------------------------
# Basemap (drawn beneath every map and print-out)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoadStyle:
    """A basemap road class: a light fill over a darker casing, ``width_px`` wide at zoom 16.

    The print-outs draw the same colours, ``width_m`` wide on the ground (a typical carriageway of
    the class), so a street reads the same on paper and on screen.
    """

    fill: str
    casing: str | None
    width_px: float
    width_m: float
    dash_array: str | None = None


#: Road classes (:data:`app.models.basemap.ROAD_CLASSES`), biggest first.
ROAD_STYLES: Final[Mapping[str, RoadStyle]] = {
    "primary": RoadStyle("#fcd68a", "#b7862a", 8.0, 10.5),
    "secondary": RoadStyle("#fdf0b2", "#a99a52", 7.0, 8.0),
    "tertiary": RoadStyle("#ffffff", "#8f8f8f", 6.0, 7.0),
    "residential": RoadStyle("#ffffff", "#9e9e9e", 5.0, 5.0),
    "service": RoadStyle("#ffffff", "#b0b0b0", 3.0, 3.5),
    # a light dashed path on a darker casing: every basemap fill stays light, so the map's
    # layers drawn over it keep their 3:1 contrast
    "footway": RoadStyle("#fbe3da", "#c9826b", 1.5, 1.0, dash_array="3 3"),
}
#: The web maps' background where the basemap draws nothing.
BACKGROUND_COLOUR: Final = "#f4f3ef"
#: Water: areas (river banks, lakes) and lines (rivers, canals, drains), by class.
WATER_FILL: Final = "#b3d8ea"
WATER_LINE: Final = "#3f86c2"
WATER_LINE_WIDTH_PX: Final[Mapping[str, float]] = {"river": 4.0, "canal": 3.0, "drain": 2.0}
#: Buildings: light, so booths and zones stay the first thing one sees.
BUILDING_STYLE: Final = PathStyle("#c9c1b5", "#e3ded6", weight=0.6, opacity=1.0, fill_opacity=1.0)
