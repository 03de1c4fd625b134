"""The planner's event map: every booth coloured by its board state, with a legend.

Built with folium through :mod:`app.views.maps` (self-hosted Leaflet, no tiles unless
``MAP_TILES`` is set). The page's script (``static/js/event.js``) does the rest: a click on a booth
opens the action panel beside the map, and after each action it restyles the booths the answer
names. For that every booth's Leaflet layer is kept in ``window.plBoard.layers`` by code, and the
styles of :data:`app.styles.BOARD_STYLES` travel to the page as data (:func:`board_styles_json`).

Every text shown (a vendor's business name, a conflict message) is escaped here, before folium
sees it (:func:`app.views.maps.escape_for_folium`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import folium
from folium.utilities import JsCode

from app.styles import BOARD_STYLES, ZONE_STYLES, PathStyle
from app.views import map_legend, maps

__all__ = ["board_styles_json", "booth_tooltip", "event_map_parts"]

_ON_EACH_BOOTH: Final = JsCode(
    """function (feature, layer) {
        var p = feature.properties || {};
        var board = window.plBoard = window.plBoard || {layers: {}};
        board.layers[p.code] = layer;
        if (p.tooltip) { layer.bindTooltip(p.tooltip, {sticky: true}); }
        layer.on("click", function () {
            document.dispatchEvent(new CustomEvent("pl:booth", {detail: {code: p.code}}));
        });
    }"""
)


def board_styles_json() -> dict[str, dict[str, Any]]:
    """Leaflet path options of each board state, for the page's script to restyle booths."""
    return {state: style.leaflet() for state, style in BOARD_STYLES.items()}


def booth_tooltip(booth: Mapping[str, Any], state_labels: Mapping[str, str]) -> str:
    """Escaped hover text: code, state in words, and the vendor's business name when placed.

    Examples
    --------
    >>> booth_tooltip({"code": "AY-1", "state": "assigned", "vendor_name": "<b>Kopi</b>"},
    ...               {"assigned": "Ditempatkan"})
    'AY-1 · Ditempatkan · &lt;b&gt;Kopi&lt;/b&gt;'
    """
    parts = [str(booth["code"]), state_labels.get(booth["state"], booth["state"])]
    if booth.get("vendor_name"):
        parts.append(str(booth["vendor_name"]))
    return " · ".join(maps.escape_for_folium(p) for p in parts)


def _board_style(feature: Mapping[str, Any]) -> dict[str, Any]:
    style: PathStyle = BOARD_STYLES[feature["properties"]["state"]]
    return style.leaflet()


def event_base_map(
    corridors: Mapping[str, Any],
    *,
    corridor_name: str,
    static_base: str,
    tiles: str | None,
    tiles_attribution: str | None,
    basemap: maps.BasemapLayer | None,
) -> folium.Map:
    """An event's map before its booths: the basemap, then the corridors drawn faintly (not
    clickable). The event page's and the check-in page's maps both start from it."""
    m = maps.base_map(
        center=(-0.045, 109.342),
        zoom=17,
        static_base=static_base,
        tiles=tiles,
        tiles_attribution=tiles_attribution or ("© " + tiles.split("/")[2] if tiles else None),
        jquery=False,
        basemap=basemap,
    )
    corridor_style = ZONE_STYLES["cfd_corridor"].leaflet()
    folium.GeoJson(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "geometry": f["geometry"], "properties": {}}
                for f in corridors.get("features", ())
                if f.get("geometry")
            ],
        },
        name=corridor_name,
        style_function=lambda _f: dict(corridor_style),
        interactive=False,
    ).add_to(m)
    return m


def event_map_parts(
    booths: Sequence[Mapping[str, Any]],
    *,
    corridors: Mapping[str, Any],
    state_labels: Mapping[str, str],
    corridor_label: str,
    legend_title: str,
    static_base: str,
    bounds: Sequence[Sequence[float]] | None,
    tiles: str | None = None,
    tiles_attribution: str | None = None,
    basemap: maps.BasemapLayer | None = None,
) -> dict[str, str]:
    """The event map as header/html/script parts (see :func:`app.views.maps.render_parts`).

    Parameters
    ----------
    booths : sequence of dict
        :meth:`app.services.event_board.BoardBooth.to_json` plus ``geometry`` (GeoJSON, 4326).
    corridors : dict
        The event's corridor zones as a FeatureCollection (drawn faintly beneath the booths).
    state_labels : Mapping[str, str]
        Each board state in the reader's language (legend and tooltips).
    corridor_label, legend_title : str
        The corridor's legend row and the legend's heading.
    static_base : str
        URL of ``app/static/vendor``.
    bounds : [[south, west], [north, east]], optional
        Where the map opens (the corridors); the booths' extent when not given.
    basemap : BasemapLayer, optional
        The city's streets, names and landmarks beneath the booths.
    """
    m = event_base_map(
        corridors,
        corridor_name=maps.escape_for_folium(corridor_label),
        static_base=static_base,
        tiles=tiles,
        tiles_attribution=tiles_attribution,
        basemap=basemap,
    )
    features = [
        {
            "type": "Feature",
            "id": b["id"],
            "geometry": b["geometry"],
            "properties": {
                "code": maps.escape_for_folium(str(b["code"])),
                "state": b["state"],
                "tooltip": booth_tooltip(b, state_labels),
            },
        }
        for b in booths
        if b.get("geometry")
    ]
    fc = {"type": "FeatureCollection", "features": features}
    folium.GeoJson(
        fc,
        name="booths",
        style_function=_board_style,
        on_each_feature=_ON_EACH_BOOTH,
    ).add_to(m)
    entries = [(corridor_label, ZONE_STYLES["cfd_corridor"].legend_colour, "area")]
    entries += [
        # the fill tells states apart in the swatch (assigned and confirmed share an outline)
        (
            state_labels.get(state, state),
            style.color if state == "free" else style.fill_color,
            style.legend_shape,
        )
        for state, style in BOARD_STYLES.items()
    ]
    map_legend.add_legend(m, entries, title=legend_title)
    view = bounds or maps.fit_bounds_of(fc)
    if view:
        m.fit_bounds([list(view[0]), list(view[1])])
    return maps.render_parts(m)
