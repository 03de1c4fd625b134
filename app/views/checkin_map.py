"""The crew's check-in map: the event's booths coloured by check-in state, basemap beneath.

Built with folium through :mod:`app.views.maps` (self-hosted Leaflet, the city's basemap, the
one legend control of :mod:`app.views.map_legend`). The page's script (``static/js/checkin.js``)
does the rest: its search highlights the booths it finds, a tap on a booth goes to its row in the
list, and a mark restyles the booth at once. For that every booth's Leaflet layer is kept in
``window.plCheckin.layers`` by code, the map in ``window.plCheckin.map`` and the styles of
:data:`app.styles.CHECKIN_STYLES` in ``window.plCheckin.styles``.

Every text shown (a vendor's business name) is escaped here, before folium sees it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import folium
from branca.element import MacroElement
from folium.template import Template
from folium.utilities import JsCode

from app.styles import CHECKIN_STYLES
from app.views import map_legend, maps
from app.views.event_map import event_base_map

__all__ = ["checkin_map_parts", "checkin_styles_json"]

_ON_EACH_BOOTH: Final = JsCode(
    """function (feature, layer) {
        var p = feature.properties || {};
        var board = window.plCheckin = window.plCheckin || {layers: {}};
        board.layers[p.code] = layer;
        // above the booth: a found booth's name stays on a phone's narrow map
        if (p.tooltip) { layer.bindTooltip(p.tooltip, {direction: "top", offset: [0, -4]}); }
        layer.on("click", function () {
            document.dispatchEvent(new CustomEvent("pl:checkin-booth", {detail: {code: p.code}}));
        });
    }"""
)


def checkin_styles_json() -> dict[str, dict[str, Any]]:
    """Leaflet path options of each check-in state, for the page's script to restyle booths."""
    return {state: style.leaflet() for state, style in CHECKIN_STYLES.items()}


def _style(feature: Mapping[str, Any]) -> dict[str, Any]:
    return CHECKIN_STYLES[feature["properties"]["state"]].leaflet()


class _CheckinHooks(MacroElement):
    """Hands the map, its booth layer, the styles and the legend to ``checkin.js``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var board = window.plCheckin = window.plCheckin || {layers: {}};
            board.map = {{ this._parent.get_name() }};
            board.booths = {{ this.booths.get_name() }};
            board.styles = {{ this.styles|tojson }};
            board.legend = {{ this.legend.get_name() }};
            board.legend.track("booths", board.booths, function (l) {
                return l.feature.properties.state;
            });
            document.dispatchEvent(new CustomEvent("pl:checkin-map"));
        })();
        {% endmacro %}
        """
    )

    def __init__(self, booths: folium.GeoJson, legend: MacroElement) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca is untyped
        self._name = "CheckinHooks"
        self.booths = booths
        self.legend = legend
        self.styles = checkin_styles_json()


def checkin_map_parts(
    booths: Sequence[Mapping[str, Any]],
    *,
    corridors: Mapping[str, Any],
    state_labels: Mapping[str, str],
    legend_title: str,
    toggle_label: str,
    static_base: str,
    bounds: Sequence[Sequence[float]] | None,
    tiles: str | None = None,
    tiles_attribution: str | None = None,
    basemap: maps.BasemapLayer | None = None,
) -> dict[str, str]:
    """The check-in map as header/html/script parts (see :func:`app.views.maps.render_parts`).

    Parameters
    ----------
    booths : sequence of dict
        ``code``, ``state`` (a key of :data:`app.styles.CHECKIN_STYLES`), optional
        ``business_name`` and ``geometry`` (GeoJSON, EPSG:4326).
    corridors : dict
        The event's corridor zones as a FeatureCollection (drawn faintly beneath the booths).
    state_labels : Mapping[str, str]
        Each state in the reader's language (legend and tooltips).
    legend_title, toggle_label : str
        The legend group's heading and the text of the button that opens the legend.
    static_base : str
        URL of ``app/static/vendor``.
    bounds : [[south, west], [north, east]], optional
        Where the map opens (the corridors); the booths' extent when not given.
    basemap : BasemapLayer, optional
        The city's streets, names and landmarks beneath the booths.
    """
    m = event_base_map(
        corridors,
        corridor_name="corridor",
        static_base=static_base,
        tiles=tiles,
        tiles_attribution=tiles_attribution,
        basemap=basemap,
    )
    features = []
    for b in booths:
        if not b.get("geometry"):
            continue
        parts = [str(b["code"]), state_labels.get(b["state"], b["state"])]
        if b.get("business_name"):
            parts.append(str(b["business_name"]))
        features.append(
            {
                "type": "Feature",
                "geometry": b["geometry"],
                "properties": {
                    "code": maps.escape_for_folium(str(b["code"])),
                    "state": b["state"],
                    "tooltip": " · ".join(maps.escape_for_folium(p) for p in parts),
                },
            }
        )
    fc = {"type": "FeatureCollection", "features": features}
    layer = folium.GeoJson(fc, name="booths", style_function=_style, on_each_feature=_ON_EACH_BOOTH)
    layer.add_to(m)
    legend = map_legend.add_legend(
        m,
        groups=[map_legend.legend_group("booths", legend_title, CHECKIN_STYLES, state_labels)],
        toggle_label=toggle_label,
    )
    _CheckinHooks(layer, legend).add_to(m)
    view = bounds or maps.fit_bounds_of(fc)
    if view:
        m.fit_bounds([list(view[0]), list(view[1])])
    return maps.render_parts(m)
