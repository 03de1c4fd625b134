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
    "BOOTH_STYLES",
    "ZONE_FALLBACK_STYLE",
    "ZONE_STYLES",
    "LegendShape",
    "MarkerStyle",
    "PathStyle",
    "booth_state",
]

LegendShape = Literal["area", "dashed", "line", "circle", "square", "diamond"]


@dataclass(frozen=True)
class PathStyle:
    """Stroke and fill of a polygon or line layer (Leaflet path options)."""

    color: str
    fill_color: str
    weight: float = 2.0
    opacity: float = 0.9
    fill_opacity: float = 0.25
    dash_array: str | None = None

    def leaflet(self) -> dict[str, Any]:
        """Return the Leaflet ``style`` options.

        Examples
        --------
        >>> PathStyle("#000", "#fff", dash_array="4 4").leaflet()["dashArray"]
        '4 4'
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
        return style

    @property
    def legend_colour(self) -> str:
        """Colour shown in the legend."""
        return self.color

    @property
    def legend_shape(self) -> LegendShape:
        """Legend swatch: a dashed outline for dashed styles, else a filled area."""
        return "dashed" if self.dash_array else "area"


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
ZONE_STYLES: Final[Mapping[str, PathStyle]] = {
    "pkl_legal": PathStyle("#2e7d32", "#66bb6a", fill_opacity=0.25),
    "pkl_timed": PathStyle("#f9a825", "#fdd835", fill_opacity=0.3),
    "no_vending": PathStyle("#c62828", "#e53935", fill_opacity=0.3),
    "cfd_corridor": PathStyle("#546e7a", "#90a4ae", fill_opacity=0.15),
    # Canvas paths cannot take an SVG hatch pattern: a dashed orange outline reads as "hatched".
    "emergency_lane": PathStyle(
        "#ef6c00", "#ffb74d", weight=3, fill_opacity=0.35, dash_array="8 6"
    ),
    "service_area": PathStyle("#6a1b9a", "#ab47bc", fill_opacity=0.25),
}
#: A zone of a kind with no style of its own.
ZONE_FALLBACK_STYLE: Final = PathStyle("#616161", "#9e9e9e", fill_opacity=0.2)

#: Booth footprints by state (see :func:`booth_state`).
BOOTH_STYLES: Final[Mapping[str, PathStyle]] = {
    "ok": PathStyle("#2e7d32", "#a5d6a7", weight=1.5, fill_opacity=0.2),
    "warning": PathStyle("#f9a825", "#ffe082", weight=2, fill_opacity=0.45),
    "blocking": PathStyle("#b71c1c", "#e53935", weight=2, fill_opacity=0.7),
    "service_desk": PathStyle("#6a1b9a", "#ce93d8", weight=1.5, fill_opacity=0.5),
    "reserved": PathStyle("#757575", "#bdbdbd", weight=1.5, fill_opacity=0.4, dash_array="4 3"),
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
