"""The vendor page's small maps: the vendor's booth highlighted among occupied/free shapes, with
the service desks, crossings, bus stops and the emergency lane as landmarks.

Built with folium through :mod:`app.views.maps` (self-hosted Leaflet, no jQuery, no tiles unless
``MAP_TILES`` is set), drawn with SVG so the highlighted booth is a DOM element (the browser test
finds ``path.pl-own-booth``). A page may hold one map per coming event: Leaflet's script and
stylesheet are stripped from each map's header and loaded once by the template (and VectorGrid
after it, for the basemap).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

import folium
from branca.element import MacroElement
from folium.template import Template
from folium.utilities import JsCode

from app.styles import LAPAK_STYLES
from app.views import map_legend, maps

#: Booth shapes by role in the vendor's map (:data:`app.styles.LAPAK_STYLES`); only "own" carries a
#: label (its code).
ROLE_STYLES: Final = LAPAK_STYLES
#: CSS class of each role's SVG paths.
ROLE_CLASSES: Final[Mapping[str, str]] = {
    "own": "pl-own-booth",
    "occupied": "pl-booth-occupied",
    "free": "pl-booth-free",
    "service_desk": "pl-service-desk",
}

_BIND_LABEL: Final = JsCode(
    """function (feature, layer) {
        var p = feature.properties || {};
        if (p.label) {
            layer.bindTooltip(p.label, p.permanent
                ? {permanent: true, direction: "top", offset: [0, -6], className: "pl-own-label"}
                : {sticky: true});
        }
    }"""
)

_SHARED_HEADER: Final = (
    re.compile(r"<meta\s+http-equiv=\"content-type\"[^>]*>", re.I),
    re.compile(r"<script\s+src=\"[^\"]*leaflet\.js\"></script>"),
    re.compile(r"<link\s+rel=\"stylesheet\"\s+href=\"[^\"]*leaflet\.css\"\s*/?>"),
    re.compile(r"<script\s+src=\"[^\"]*Leaflet\.VectorGrid[^\"]*\"></script>"),
    re.compile(r"<script\s+src=\"[^\"]*/js/basemap\.js\"></script>"),
    re.compile(r"<script\s+src=\"[^\"]*/js/map_patterns\.js\"></script>"),
    re.compile(r"<script\s+src=\"[^\"]*/js/map_legend\.js\"></script>"),
)


def _role_layer(m: folium.Map, features: list[dict[str, Any]], role: str) -> folium.GeoJson:
    style = dict(ROLE_STYLES[role].leaflet(), className=ROLE_CLASSES[role])
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=role,
        style_function=lambda _f, s=style: dict(s),
        on_each_feature=_BIND_LABEL,
    )
    layer.add_to(m)
    return layer


class _LegendTracker(MacroElement):
    """Tells the legend control which kinds are in view: a row per layer present on screen."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var layers = {
                {%- for kind, layer in this.layers %}
                {{ kind|tojson }}: {{ layer.get_name() }},
                {%- endfor %}
            };
            {{ this.legend.get_name() }}.track("lapak", null, function (bounds) {
                return Object.keys(layers).filter(function (kind) {
                    var hit = false;
                    layers[kind].eachLayer(function (l) {
                        if (hit) { return; }
                        if (l.getLatLng) { hit = bounds.contains(l.getLatLng()); }
                        else if (l.getBounds) { hit = bounds.intersects(l.getBounds()); }
                    });
                    return hit;
                });
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, legend: MacroElement, layers: Mapping[str, folium.GeoJson]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca is untyped
        self._name = "LegendTracker"
        self.legend = legend
        self.layers = list(layers.items())


def legend_rows(
    labels: Mapping[str, str], facility_kinds: Sequence[str] = ()
) -> list[tuple[str, str, str, str]]:
    """(kind, label, colour, shape) rows of the vendor map's legend, in the control's order.

    The booth roles, the emergency lane (cross-hatched, as drawn) and the symbol of each
    facility kind on the map (crossings, bus stops).
    """
    lane = maps.ZONE_STYLES["emergency_lane"]
    rows = [
        ("own", labels["own"], ROLE_STYLES["own"].fill_color, "area"),
        ("occupied", labels["occupied"], ROLE_STYLES["occupied"].fill_color, "area"),
        ("free", labels["free"], ROLE_STYLES["free"].color, "dashed"),
        ("service_desk", labels["service_desk"], ROLE_STYLES["service_desk"].fill_color, "area"),
        ("emergency_lane", labels["emergency_lane"], lane.legend_colour, lane.legend_shape),
    ]
    for kind in facility_kinds:
        style = maps.FACILITY_STYLES.get(kind, maps.FACILITY_STYLES["other"])
        rows.append((kind, labels.get(kind, kind), style.legend_colour, style.legend_shape))
    return rows


def booking_map_parts(
    fc: Mapping[str, Any],
    view_bounds: Sequence[Sequence[float]],
    *,
    labels: Mapping[str, str],
    static_base: str,
    tiles: str | None = None,
    tiles_attribution: str | None = None,
    basemap: maps.BasemapLayer | None = None,
) -> dict[str, str]:
    """One booking's map as header/html/script parts (see :func:`app.views.maps.render_parts`).

    ``fc`` is :attr:`app.services.lapak.Booking.map`: features with a ``role`` property (own,
    occupied, free, service_desk, facility, emergency_lane). Every text shown is escaped here.
    """
    (south, west), (north, east) = view_bounds
    m = maps.base_map(
        center=((south + north) / 2, (west + east) / 2),
        zoom=19,
        static_base=static_base,
        prefer_canvas=False,
        tiles=tiles,
        tiles_attribution=tiles_attribution,
        height="100%",
        jquery=False,
        basemap=basemap,
    )
    by_role: dict[str, list[dict[str, Any]]] = {}
    for feature in fc.get("features") or ():
        by_role.setdefault(feature["properties"]["role"], []).append(feature)

    lanes = [
        {
            "type": "Feature",
            "geometry": f["geometry"],
            "properties": {"kind": "emergency_lane", "name": f["properties"].get("name")},
        }
        for f in by_role.get("emergency_lane", [])
    ]
    present: dict[str, folium.GeoJson] = {}
    if lanes:
        present.update(
            maps.add_zones(m, {"type": "FeatureCollection", "features": lanes}, labels=labels)
        )
    for role in ("free", "occupied", "service_desk", "own"):
        shown = []
        for f in by_role.get(role, []):
            props = f["properties"]
            text = props.get("code") if role == "own" else props.get("name")
            label = maps.escape_for_folium(str(text)) if text else None
            shown.append(
                {
                    "type": "Feature",
                    "geometry": f["geometry"],
                    "properties": {"label": label, "permanent": role == "own"},
                }
            )
        if shown:
            present[role] = _role_layer(m, shown, role)
    points = [
        {
            "type": "Feature",
            "geometry": f["geometry"],
            "properties": {"kind": f["properties"]["kind"], "name": f["properties"]["name"]},
        }
        for f in by_role.get("facility", [])
    ]
    if points:
        present.update(
            maps.add_facilities(m, {"type": "FeatureCollection", "features": points}, labels=labels)
        )
    # the one legend control of every map: closed on a phone, one tap opens it, and it lists
    # only what is in view
    legend = map_legend.add_legend(
        m,
        groups=[
            map_legend.LegendGroup(
                "lapak",
                "",
                tuple(legend_rows(labels, sorted({p["properties"]["kind"] for p in points}))),
            )
        ],
        toggle_label=labels.get("legend", "Legenda"),
    )
    _LegendTracker(legend, present).add_to(m)
    m.fit_bounds([list(view_bounds[0]), list(view_bounds[1])])
    parts = maps.render_parts(m)
    header = parts["header"]
    for pattern in _SHARED_HEADER:
        header = pattern.sub("", header)
    parts["header"] = header
    # the template loads the plugin once, after Leaflet
    parts["vectorgrid"] = maps.vendor_url(static_base, maps.VECTORGRID_JS) if basemap else ""
    parts["basemap_js"] = basemap.script_url if basemap else ""
    return parts
