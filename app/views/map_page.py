"""The city map as folium parts for a Jinja page: zones, facilities, booths, legend."""

from __future__ import annotations

from typing import Any

import folium
from flask_babel import gettext as _

from app.views import map_legend, maps
from app.views.labels import BOOTH_LABELS, FACILITY_LABELS, ZONE_LABELS, as_text

PONTIANAK_CENTRE = (-0.045, 109.342)


def city_map_parts(
    *,
    zones: dict[str, Any],
    facilities: dict[str, Any],
    booths: dict[str, Any] | None,
    static_base: str,
    tiles: str | None = None,
    tiles_attribution: str | None = None,
) -> dict[str, str]:
    """Build the city map and return its header/html/script parts."""
    m = maps.base_map(
        center=PONTIANAK_CENTRE,
        zoom=15,
        static_base=static_base,
        tiles=tiles,
        tiles_attribution=tiles_attribution or ("© " + tiles.split("/")[2] if tiles else None),
    )
    zone_labels = as_text(ZONE_LABELS)
    facility_labels = as_text(FACILITY_LABELS)
    booth_labels = as_text(BOOTH_LABELS)
    _hours_text(zones)
    maps.add_zones(m, zones, labels=zone_labels)
    maps.add_facilities(m, facilities, labels=facility_labels)
    if booths is not None and booths["features"]:
        maps.add_booths(m, booths, labels=booth_labels)
    entries = map_legend.legend_entries(
        maps.ZONE_STYLES, zone_labels, kinds=_kinds(zones)
    ) + map_legend.legend_entries(maps.FACILITY_STYLES, facility_labels, kinds=_kinds(facilities))
    if booths is not None and booths["features"]:
        entries += map_legend.legend_entries(maps.BOOTH_STYLES, booth_labels)
    map_legend.add_legend(m, entries, title=_("Legenda"))
    folium.LayerControl(collapsed=True).add_to(m)
    bounds = maps.fit_bounds_of(zones)
    if bounds:
        m.fit_bounds(bounds)
    return maps.render_parts(m)


def _kinds(fc: dict[str, Any]) -> list[str]:
    seen: dict[str, None] = {}
    for f in fc["features"]:
        seen.setdefault(f["properties"].get("kind"), None)
    return list(seen)


def _hours_text(zones: dict[str, Any]) -> None:
    for f in zones["features"]:
        p = f["properties"]
        if p.get("hours_start") and p.get("hours_end"):
            p["hours"] = f"{p['hours_start']}–{p['hours_end']}"
