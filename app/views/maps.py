"""Folium maps for PetaLapak pages: self-hosted assets, escaped popups, one layer per kind.

This module takes plain data (GeoJSON dicts in EPSG:4326, label mappings, a static URL prefix) and
returns folium objects or rendered page parts. It imports nothing from Flask, so a route builds the
data, calls in here, and hands :func:`render_parts` to its template::

    m = base_map(center=(-0.0263, 109.3425), zoom=17, static_base="/static/vendor")
    add_zones(m, zones_fc, labels=zone_labels)
    add_booths(m, booths_fc, labels=booth_labels)
    add_facilities(m, facilities_fc, labels=facility_labels)
    folium.LayerControl(collapsed=False).add_to(m)
    add_legend(m, legend_entries(ZONE_STYLES, zone_labels))  # app.views.map_legend
    parts = render_parts(m)  # {"header": ..., "html": ..., "script": ...}

Two folium behaviours shape it (see ``docs``/stack notes):

* folium does not escape text. Every string that reaches the page here goes through
  :func:`escape_for_folium` first, and popups are built as HTML from escaped values (never
  ``GeoJsonPopup``/``GeoJsonTooltip`` on user text).
* folium loads Leaflet, jQuery, Bootstrap, Font Awesome... from CDNs. :func:`base_map` sets
  ``default_js``/``default_css`` on the map object (never the class-level ``add_js_link``) to the
  files under ``app/static/vendor`` and drops everything else; :func:`self_host` does the same for
  the Draw, GeoMan and VectorGridProtobuf plugins.

The styles themselves are data in :mod:`app.styles` (the print-outs use them too, without folium);
they are re-exported here for the pages.

Embedding a layer inline costs about 1 KB per booth; for thousands of features load them in the
browser from a bbox GeoJSON endpoint or vector tiles instead.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar, cast

import folium
import folium.plugins
from branca.element import Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template
from folium.utilities import JsCode

from app.kinds import FACILITY_STYLES, LANDMARK_STYLES
from app.styles import (
    BACKGROUND_COLOUR,
    BOOTH_STYLES,
    BUILDING_STYLE,
    ROAD_STYLES,
    WATER_FILL,
    WATER_LINE,
    WATER_LINE_WIDTH_PX,
    ZONE_FALLBACK_STYLE,
    ZONE_STYLES,
    MarkerStyle,
    PathStyle,
    booth_state,
)

__all__ = [
    "BOOTH_STYLES",
    "BasemapLayer",
    "FACILITY_STYLES",
    "ZONE_STYLES",
    "MarkerStyle",
    "PathStyle",
    "add_basemap",
    "basemap_client_config",
    "add_booths",
    "add_facilities",
    "add_zones",
    "base_map",
    "booth_state",
    "div_icon_html",
    "escape_for_folium",
    "fit_bounds_of",
    "render_parts",
    "self_host",
    "vendor_url",
]

# --------------------------------------------------------------------------------------------------
# Escaping
# --------------------------------------------------------------------------------------------------

_JS_TEMPLATE_CHARS: Final = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def escape_for_folium(text: str) -> str:
    """Escape text for any HTML folium or Leaflet will put on the page.

    HTML-escapes ``& < > " '`` and also turns the backtick, ``$`` and backslash into character
    references: folium places popup and tooltip HTML inside JavaScript template literals, where a
    backtick ends the string, ``${`` starts an expression and a backslash escapes. As references
    they display as the same characters.

    Parameters
    ----------
    text : str
        Untrusted text (a vendor's name, a zone's note...). ``None`` gives an empty string and
        other values are converted with ``str``.

    Returns
    -------
    str
        Text safe to place in HTML content, a quoted attribute or a folium JS template string.

    Examples
    --------
    >>> escape_for_folium("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    >>> escape_for_folium("Es `teh` ${manis} \\\\ Bu Ani's")
    'Es &#96;teh&#96; &#36;{manis} &#92; Bu Ani&#x27;s'
    """
    if text is None:
        return ""
    return html.escape(str(text), quote=True).translate(_JS_TEMPLATE_CHARS)


# --------------------------------------------------------------------------------------------------
# Self-hosted assets
# --------------------------------------------------------------------------------------------------

#: Files under ``app/static/vendor`` (see its README), relative to ``static_base``.
LEAFLET_JS: Final = "leaflet/leaflet.js"
LEAFLET_CSS: Final = "leaflet/leaflet.css"
JQUERY_JS: Final = "jquery/jquery.min.js"
DRAW_JS: Final = "leaflet-draw/leaflet.draw.js"
DRAW_CSS: Final = "leaflet-draw/leaflet.draw.css"
GEOMAN_JS: Final = "leaflet-geoman-free/leaflet-geoman.min.js"
GEOMAN_CSS: Final = "leaflet-geoman-free/leaflet-geoman.css"
VECTORGRID_JS: Final = "leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js"
#: Where the app serves ``js/map_patterns.js`` (zone fill patterns on canvas and SVG maps).
PATTERNS_SCRIPT_URL: Final = "/static/js/map_patterns.js"


def vendor_url(static_base: str, path: str) -> str:
    """Join the vendor folder's URL and a file in it.

    Examples
    --------
    >>> vendor_url("/static/vendor/", LEAFLET_JS)
    '/static/vendor/leaflet/leaflet.js'
    """
    return f"{static_base.rstrip('/')}/{path.lstrip('/')}"


# (js, css) per plugin class; the names match folium's so nothing else loads a second copy.
_PLUGIN_ASSETS: Final[Mapping[type, tuple[list[tuple[str, str]], list[tuple[str, str]]]]] = {
    folium.plugins.Draw: (
        [("leaflet_draw_js", DRAW_JS)],
        [("leaflet_draw_css", DRAW_CSS)],
    ),
    folium.plugins.GeoMan: (
        [("leaflet_geoman_js", GEOMAN_JS)],
        [("leaflet_geoman_css", GEOMAN_CSS)],
    ),
    folium.plugins.VectorGridProtobuf: ([("vectorGrid", VECTORGRID_JS)], []),
}

_Plugin = TypeVar("_Plugin", bound=JSCSSMixin)


def self_host(plugin: _Plugin, *, static_base: str) -> _Plugin:
    """Point a Draw, GeoMan or VectorGridProtobuf plugin at the vendored files.

    Sets ``default_js``/``default_css`` on this object only (folium's ``add_js_link`` would change
    the class-level list every later map shares).

    Parameters
    ----------
    plugin : folium.plugins.Draw, folium.plugins.GeoMan or folium.plugins.VectorGridProtobuf
        The plugin, before the map is rendered.
    static_base : str
        URL of ``app/static/vendor``, e.g. ``"/static/vendor"``.

    Returns
    -------
    The same plugin, for chaining.

    Raises
    ------
    TypeError
        For a plugin with no vendored assets (it would load from a CDN).

    Examples
    --------
    >>> draw = self_host(folium.plugins.Draw(), static_base="/static/vendor")
    >>> draw.default_js
    [('leaflet_draw_js', '/static/vendor/leaflet-draw/leaflet.draw.js')]
    """
    for cls, (js, css) in _PLUGIN_ASSETS.items():
        if isinstance(plugin, cls):
            plugin.default_js = [(name, vendor_url(static_base, path)) for name, path in js]
            plugin.default_css = [(name, vendor_url(static_base, path)) for name, path in css]
            return plugin
    raise TypeError(f"no vendored assets for {type(plugin).__name__}")


def div_icon_html(style: MarkerStyle) -> str:
    """HTML of the DivIcon for squares, diamonds and lettered circles (constants only)."""
    radius = "50%" if style.shape == "circle" else "2px"
    rotate = "transform:rotate(45deg);" if style.shape == "diamond" else ""
    unrotate = "transform:rotate(-45deg);" if style.shape == "diamond" else ""
    box = (
        f"box-sizing:border-box;width:{style.size_px}px;height:{style.size_px}px;"
        f"background:{style.fill};border:2px solid {style.stroke};border-radius:{radius};"
        f"display:flex;align-items:center;justify-content:center;{rotate}"
    )
    text = (
        f"font:bold {max(style.size_px - 6, 8)}px/1 sans-serif;color:{style.glyph_colour};"
        f"{unrotate}"
    )
    glyph = escape_for_folium(style.glyph)
    return f'<div style="{box}"><span style="{text}">{glyph}</span></div>'


# --------------------------------------------------------------------------------------------------
# Base map
# --------------------------------------------------------------------------------------------------

#: Leaflet's zoom limit; booths are 3 m wide, so street work needs zoom 20+.
MAX_ZOOM: Final = 22


class _MapStyle(MacroElement):
    """Plain light background for the map container, and popup table styling (constants only)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>
            #{{ this._parent.get_name() }} { background: {{ this.colour }}; }
            .pl-popup table { border-collapse: collapse; margin-top: 4px; }
            .pl-popup th { text-align: left; font-weight: normal; color: #555; padding: 0 8px 0 0; }
            .pl-popup ul { margin: 2px 0 0; padding-left: 18px; }
            </style>
        {% endmacro %}
        """
    )

    def __init__(self, colour: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca is untyped
        self._name = "MapStyle"
        self.colour = _checked_colour(colour)


def base_map(
    *,
    center: tuple[float, float],
    zoom: int,
    static_base: str,
    prefer_canvas: bool = True,
    tiles: str | None = None,
    tiles_attribution: str | None = None,
    height: str = "100%",
    jquery: bool = True,
    basemap: BasemapLayer | None = None,
    patterns_url: str = PATTERNS_SCRIPT_URL,
) -> folium.Map:
    """Return a folium map that loads only Leaflet, its fill patterns and jQuery (self-hosted).

    Parameters
    ----------
    center : tuple of float
        ``(lat, lon)`` in EPSG:4326.
    zoom : int
        Initial zoom level.
    static_base : str
        URL of ``app/static/vendor`` (``url_for("static", filename="vendor")`` in a route).
    prefer_canvas : bool, default True
        Draw vector layers on a canvas (much faster with many booths).
    tiles : str, optional
        A tile URL template (``.../{z}/{x}/{y}.png``). By default there are no tiles: the map works
        offline on a plain background.
    tiles_attribution : str, optional
        Required with ``tiles``; shown as plain text.
    height : str, default "100%"
        CSS height of the map (``"70vh"``...); with a percentage the parent element needs a height.
    jquery : bool, default True
        folium's popups need jQuery; pages that build their own popups in JS (the planner's
        workspace, the vendor page) leave it out and save ~30 KB on a slow phone connection.
    basemap : BasemapLayer, optional
        The city's basemap (:func:`add_basemap`), drawn beneath everything else. With a basemap,
        ``tiles`` become a layer to switch on in the layer control (off at first); without one
        they are the background, always on.
    patterns_url : str
        URL of ``js/map_patterns.js``, loaded right after Leaflet: areas whose style has a
        ``fillPattern`` are hatched, cross-hatched or dotted (:data:`app.styles.PATTERNS`).

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> m = base_map(center=(-0.0263, 109.3425), zoom=17, static_base="/static/vendor")
    >>> [url for _, url in m.default_js]  # doctest: +NORMALIZE_WHITESPACE
    ['/static/vendor/leaflet/leaflet.js', '/static/js/map_patterns.js',
     '/static/vendor/jquery/jquery.min.js']
    """
    m = folium.Map(
        location=list(center),
        zoom_start=zoom,
        tiles=None,
        prefer_canvas=prefer_canvas,
        control_scale=True,
        height=height,
    )
    m.options["maxZoom"] = MAX_ZOOM
    # Per object, never add_js_link/add_css_link: those change the list on the class.
    m.default_js = [
        ("leaflet", vendor_url(static_base, LEAFLET_JS)),
        ("petalapak_patterns", patterns_url),
    ]
    if jquery:
        m.default_js.append(("jquery", vendor_url(static_base, JQUERY_JS)))
    m.default_css = [("leaflet_css", vendor_url(static_base, LEAFLET_CSS))]
    _MapStyle(BACKGROUND_COLOUR).add_to(m)
    if tiles and not tiles_attribution:
        raise ValueError("a tile layer needs tiles_attribution")
    if basemap is not None:
        add_basemap(
            m, basemap, static_base=static_base, tiles=tiles, tiles_attribution=tiles_attribution
        )
    elif tiles:
        folium.TileLayer(
            tiles=tiles,
            attr=escape_for_folium(tiles_attribution or ""),
            max_zoom=MAX_ZOOM,
            max_native_zoom=19,
            control=False,
        ).add_to(m)
    return m


# --------------------------------------------------------------------------------------------------
# Basemap: the city's roads, water, buildings and landmarks beneath every map
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BasemapLayer:
    """What a map needs to draw a city's basemap (all text plain; escaped here).

    ``tiles_url`` and ``labels_url`` are templates with ``{z}``, ``{x}`` and ``{y}``
    (``/tiles/basemap/{z}/{x}/{y}.mvt?city=…`` and its label tiles); ``attribution`` is shown in
    the map's corner ("© OpenStreetMap contributors" for OSM data, or what the import said);
    ``name`` and ``online_name`` label the basemap and the online tile layer in the layer control;
    ``script_url`` is where the app serves ``js/basemap.js``, which draws it.
    """

    tiles_url: str
    labels_url: str
    attribution: str
    name: str
    online_name: str = "Online"
    script_url: str = "/static/js/basemap.js"


#: Panes, bottom to top: the basemap between Leaflet's tile pane (200) and the zones and
#: booths (overlay pane, 400); online tiles cover the basemap when switched on; the names just
#: below the zones, so a booth code is never hidden by a street name.
BASEMAP_PANES: Final = (("plBasemap", 250), ("plOnlineTiles", 260), ("plBasemapLabels", 390))
#: Vector tiles are fetched up to this zoom and scaled beyond it (fewer requests at street level).
BASEMAP_MAX_NATIVE_ZOOM: Final = 19
#: Street names show from this zoom (street level), landmarks one zoom earlier.
STREET_LABEL_ZOOM: Final = 16
LANDMARK_LABEL_ZOOM: Final = 15


def _road_styles() -> dict[str, dict[str, Any]]:
    return {
        code: {"fill": s.fill, "casing": s.casing, "width": s.width_px, "dash": s.dash_array}
        for code, s in ROAD_STYLES.items()
    }


def basemap_client_config(basemap: BasemapLayer) -> dict[str, Any]:
    """The basemap for a page that builds its Leaflet map in its own script (``js/basemap.js``).

    The same tiles, styles, panes and label zooms as :func:`add_basemap`, as plain JSON; the
    attribution is HTML-escaped here, as Leaflet shows it as HTML.
    """
    building = BUILDING_STYLE.leaflet()
    return {
        "tiles": basemap.tiles_url,
        "labels": basemap.labels_url,
        "attribution": html.escape(basemap.attribution),
        "panes": [list(p) for p in BASEMAP_PANES],
        "maxNativeZoom": BASEMAP_MAX_NATIVE_ZOOM,
        "maxZoom": MAX_ZOOM,
        "roads": _road_styles(),
        "waterLine": WATER_LINE,
        "waterWidth": dict(WATER_LINE_WIDTH_PX),
        "waterFill": WATER_FILL,
        "building": {
            "stroke": True,
            "weight": building["weight"],
            "color": building["color"],
            "fill": True,
            "fillColor": building["fillColor"],
            "fillOpacity": 1,
        },
        "symbols": {code: [s.fill, s.stroke] for code, s in LANDMARK_STYLES.items()},
        "labelZoom": 16,
        "roadZoom": STREET_LABEL_ZOOM,
        "landmarkZoom": LANDMARK_LABEL_ZOOM,
    }


class _Basemap(JSCSSMixin, MacroElement):
    """The basemap, drawn by the self-hosted ``js/basemap.js`` (``plAddBasemap``).

    The same script draws the basemap of the pages that build their map themselves (/lapor,
    /laporan), so its styles and its street names and landmarks are written once. Its panes,
    vector tiles and label tiles are configured by :func:`basemap_client_config`; in the page's
    script this element's variable holds the vector tile layer. The label CSS rides in the header.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>
            .pl-road-label { white-space: nowrap; font: 600 12px/1 sans-serif; color: #333;
                text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; pointer-events: none; }
            .pl-road-label span { display: inline-block; transform-origin: center;
                transform: translate(-50%, -50%) rotate(var(--pl-angle, 0deg)); }
            .pl-landmark { white-space: nowrap; font: 600 11px/1.1 sans-serif; color: #222;
                text-shadow: 0 0 2px #fff, 0 0 2px #fff; pointer-events: none; }
            .pl-landmark i { display: inline-block; width: 10px; height: 10px; margin-right: 3px;
                border: 1.5px solid; border-radius: 2px; vertical-align: -1px; }
            </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = plAddBasemap(
                {{ this._parent.get_name() }}, {{ this.config|tojson }}
            );
        {% endmacro %}
        """
    )

    def __init__(self, basemap: BasemapLayer, *, static_base: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca is untyped
        self._name = "Basemap"
        self.config = basemap_client_config(basemap)
        # Per object, never add_js_link: that changes the list on the class. VectorGrid first.
        self.default_js = [
            ("vectorGrid", vendor_url(static_base, VECTORGRID_JS)),
            ("petalapak_basemap", basemap.script_url),
        ]
        self.default_css: list[tuple[str, str]] = []


def add_basemap(
    m: folium.Map,
    basemap: BasemapLayer,
    *,
    static_base: str,
    tiles: str | None = None,
    tiles_attribution: str | None = None,
) -> MacroElement:
    """Draw the city's basemap beneath everything: vector tiles, street names, landmarks.

    The roads (by class, a light fill over a darker casing), water and buildings come as vector
    tiles (Leaflet.VectorGrid, self-hosted, on a canvas); street names from zoom
    :data:`STREET_LABEL_ZOOM` and landmarks from :data:`LANDMARK_LABEL_ZOOM` come from label
    tiles. All of it is drawn by ``js/basemap.js`` (:class:`_Basemap`), the one script every map
    uses. ``tiles`` (``MAP_TILES``) become an online tile layer over the basemap, off at first,
    switched on with a small control (:class:`_OnlineToggle`); its attribution shows while it is
    on.
    """
    element = _Basemap(basemap, static_base=static_base)
    element.add_to(m)
    if tiles:
        online = folium.TileLayer(
            tiles=tiles,
            name=escape_for_folium(basemap.online_name),
            attr=escape_for_folium(tiles_attribution or ""),
            max_zoom=MAX_ZOOM,
            max_native_zoom=19,
            overlay=True,
            control=False,
            show=False,
            pane="plOnlineTiles",
        )
        online.add_to(m)
        _OnlineToggle(online, basemap.online_name).add_to(m)
    return element


class _OnlineToggle(MacroElement):
    """A small switch on the map for the online tiles (``MAP_TILES``), off at first.

    Its own control rather than an entry of a layer control: not every page has one (the
    workspace and the home page list their layers themselves).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }}, online = {{ this.layer.get_name() }};
            var Toggle = L.Control.extend({
                options: {position: "bottomleft"},
                onAdd: function () {
                    var box = L.DomUtil.create("label", "leaflet-bar pl-online-toggle");
                    box.style.cssText = "background:#fff;padding:3px 6px;font:12px sans-serif;"
                        + "cursor:pointer;display:flex;gap:4px;align-items:center";
                    var input = L.DomUtil.create("input", "", box);
                    input.type = "checkbox";
                    input.checked = map.hasLayer(online);
                    box.appendChild(document.createTextNode({{ this.label|tojson }}));
                    L.DomEvent.disableClickPropagation(box);
                    L.DomEvent.on(input, "change", function () {
                        if (input.checked) { map.addLayer(online); }
                        else { map.removeLayer(online); }
                    });
                    return box;
                }
            });
            new Toggle().addTo(map);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, layer: folium.TileLayer, label: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca is untyped
        self._name = "OnlineToggle"
        self.layer = layer
        self.label = label


# --------------------------------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------------------------------

# Bound in the browser on every feature: popup and tooltip are server-built, escaped HTML.
_ON_EACH_FEATURE: Final = JsCode(
    """function (feature, layer) {
        var p = feature.properties || {};
        if (p.popup) { layer.bindPopup(p.popup, {maxWidth: 280}); }
        if (p.tooltip) { layer.bindTooltip(p.tooltip, {sticky: true}); }
    }"""
)

_FIELD_DEFAULTS: Final[Mapping[str, str]] = {
    "field.kind": "Kind",
    "field.hours": "Hours",
    "field.vendor": "Vendor",
    "field.category": "Category",
    "field.state": "State",
    "field.problems": "Problems",
}


def _label(labels: Mapping[str, str], key: str, default: str | None = None) -> str:
    return labels.get(key, _FIELD_DEFAULTS.get(key, default if default is not None else key))


def _popup_html(
    title: str,
    rows: Iterable[tuple[str, object]],
    items: Sequence[object] = (),
    items_heading: str = "",
) -> str:
    """Build popup HTML; every argument is untrusted text and is escaped here."""
    parts = [f'<div class="pl-popup"><strong>{escape_for_folium(title)}</strong>']
    body = [
        f"<tr><th>{escape_for_folium(head)}</th><td>{escape_for_folium(str(value))}</td></tr>"
        for head, value in rows
        if value not in (None, "")
    ]
    if body:
        parts.append(f"<table>{''.join(body)}</table>")
    if items:
        parts.append(f"<div>{escape_for_folium(items_heading)}</div><ul>")
        parts.extend(f"<li>{escape_for_folium(str(item))}</li>" for item in items)
        parts.append("</ul>")
    parts.append("</div>")
    return "".join(parts)


def _features(fc: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    if fc.get("type") != "FeatureCollection":
        raise ValueError("expected a GeoJSON FeatureCollection")
    for feature in fc.get("features") or ():
        if feature.get("geometry"):
            yield feature


def _slim_feature(
    feature: Mapping[str, Any], kind: str, popup: str, tooltip: str
) -> dict[str, Any]:
    """Keep geometry, id and the escaped display strings; no other property reaches the page."""
    props = feature.get("properties") or {}
    fid = feature.get("id", props.get("id"))
    out: dict[str, Any] = {
        "type": "Feature",
        "geometry": feature["geometry"],
        "properties": {"kind": kind, "popup": popup, "tooltip": tooltip},
    }
    if fid is not None:
        out["id"] = fid
        out["properties"]["id"] = fid
    return out


def _ordered(groups: Mapping[str, list[dict[str, Any]]], known: Iterable[str]) -> list[str]:
    known = list(known)
    return [k for k in known if k in groups] + sorted(k for k in groups if k not in known)


def _path_layer(
    m: folium.Map, features: list[dict[str, Any]], *, name: str, style: PathStyle
) -> folium.GeoJson:
    leaflet_style = style.leaflet()
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=escape_for_folium(name),
        style_function=lambda _feature: dict(leaflet_style),
        on_each_feature=_ON_EACH_FEATURE,
    )
    layer.add_to(m)
    return layer


def add_zones(
    m: folium.Map, feature_collection: Mapping[str, Any], *, labels: Mapping[str, str]
) -> dict[str, folium.GeoJson]:
    """Add zone polygons, one named layer per ``kind``.

    Parameters
    ----------
    m : folium.Map
        From :func:`base_map`.
    feature_collection : dict
        GeoJSON in EPSG:4326; properties ``kind`` (see :data:`ZONE_STYLES`), optional ``name`` and
        ``hours`` (text such as ``"16:00–22:00"``).
    labels : Mapping[str, str]
        Translated names of the kind codes, plus optional ``"field.kind"``/``"field.hours"``
        popup headings.

    Returns
    -------
    dict of str to folium.GeoJson
        The layer of each kind present. An ``L.GeoJSON`` is an ``L.FeatureGroup``, so a layer can
        go to ``LayerControl`` or be a Draw/GeoMan ``feature_group`` (features keep their ``id``).
    """
    groups: dict[str, list[dict[str, Any]]] = {}
    for feature in _features(feature_collection):
        props = feature.get("properties") or {}
        kind = str(props.get("kind") or "other")
        kind_label = _label(labels, kind)
        name = props.get("name") or kind_label
        popup = _popup_html(
            str(name),
            [
                (_label(labels, "field.kind"), kind_label),
                (_label(labels, "field.hours"), props.get("hours")),
            ],
        )
        groups.setdefault(kind, []).append(
            _slim_feature(feature, kind, popup, escape_for_folium(str(name)))
        )
    return {
        kind: _path_layer(
            m,
            groups[kind],
            name=_label(labels, kind),
            style=ZONE_STYLES.get(kind, ZONE_FALLBACK_STYLE),
        )
        for kind in _ordered(groups, ZONE_STYLES)
    }


def add_booths(
    m: folium.Map, feature_collection: Mapping[str, Any], *, labels: Mapping[str, str]
) -> dict[str, folium.GeoJson]:
    """Add booth footprints, one named layer per state (see :func:`booth_state`).

    Parameters
    ----------
    m : folium.Map
        From :func:`base_map`.
    feature_collection : dict
        GeoJSON in EPSG:4326; properties ``code``, optional ``kind``, ``state``, ``vendor_name``,
        ``category`` (a code, translated through ``labels``) and ``problems`` (list of messages,
        e.g. clearance conflicts).
    labels : Mapping[str, str]
        Translated names of the state and category codes, plus optional popup headings
        ``"field.vendor"``, ``"field.category"``, ``"field.state"``, ``"field.problems"``.

    Returns
    -------
    dict of str to folium.GeoJson
        The layer of each state present.
    """
    groups: dict[str, list[dict[str, Any]]] = {}
    for feature in _features(feature_collection):
        props = feature.get("properties") or {}
        state = booth_state(props)
        code = str(props.get("code") or "")
        category = props.get("category")
        problems = props.get("problems") or ()
        if isinstance(problems, str):
            problems = (problems,)
        popup = _popup_html(
            code,
            [
                (_label(labels, "field.vendor"), props.get("vendor_name")),
                (
                    _label(labels, "field.category"),
                    _label(labels, str(category)) if category else None,
                ),
                (_label(labels, "field.state"), _label(labels, state)),
            ],
            items=list(problems),
            items_heading=_label(labels, "field.problems"),
        )
        groups.setdefault(state, []).append(
            _slim_feature(feature, state, popup, escape_for_folium(code))
        )
    return {
        state: _path_layer(m, groups[state], name=_label(labels, state), style=BOOTH_STYLES[state])
        for state in _ordered(groups, BOOTH_STYLES)
    }


def add_facilities(
    m: folium.Map, fc: Mapping[str, Any], *, labels: Mapping[str, str]
) -> dict[str, folium.GeoJson]:
    """Add facility points, one named layer per ``kind``, each kind with its own symbol.

    Parameters
    ----------
    m : folium.Map
        From :func:`base_map`.
    fc : dict
        GeoJSON points in EPSG:4326; properties ``kind`` (see :data:`FACILITY_STYLES`; unknown kinds
        are drawn as ``other``) and optional ``name``.
    labels : Mapping[str, str]
        Translated names of the kind codes, plus an optional ``"field.kind"`` heading.

    Returns
    -------
    dict of str to folium.GeoJson
        The layer of each kind present.
    """
    groups: dict[str, list[dict[str, Any]]] = {}
    for feature in _features(fc):
        props = feature.get("properties") or {}
        kind = str(props.get("kind") or "other")
        kind_label = _label(labels, kind)
        name = props.get("name") or kind_label
        popup = _popup_html(str(name), [(_label(labels, "field.kind"), kind_label)])
        groups.setdefault(kind, []).append(
            _slim_feature(feature, kind, popup, escape_for_folium(str(name)))
        )
    layers: dict[str, folium.GeoJson] = {}
    for kind in _ordered(groups, FACILITY_STYLES):
        style = FACILITY_STYLES.get(kind, FACILITY_STYLES["other"])
        data = {"type": "FeatureCollection", "features": groups[kind]}
        name = escape_for_folium(_label(labels, kind))
        if style.shape == "circle" and not style.glyph:
            circle_style = {
                "radius": style.size_px / 2,
                "color": style.stroke,
                "weight": 1.5,
                "fill": True,  # folium's CircleMarker defaults to fill=False
                "fillColor": style.fill,
                "fillOpacity": 0.9,
            }
            layer = folium.GeoJson(
                data,
                name=name,
                marker=folium.CircleMarker(),
                style_function=lambda _feature, s=circle_style: dict(s),
                on_each_feature=_ON_EACH_FEATURE,
            )
        else:
            half = style.size_px // 2
            icon = folium.DivIcon(
                html=div_icon_html(style),
                icon_size=(style.size_px, style.size_px),
                icon_anchor=(half, half),
                class_name="pl-facility",
            )
            layer = folium.GeoJson(
                data,
                name=name,
                # not a tab stop each: the page says in words what is near (place line, lists)
                marker=folium.Marker(icon=icon, keyboard=False),
                on_each_feature=_ON_EACH_FEATURE,
            )
        layer.add_to(m)
        layers[kind] = layer
    return layers


# Colours reach CSS and JS: only plain hex or named colours pass.
_COLOUR_RE: Final = re.compile(
    r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|[a-zA-Z]{3,20}"
)


def _checked_colour(colour: str) -> str:
    if not _COLOUR_RE.fullmatch(colour):
        raise ValueError(f"not a CSS hex or named colour: {colour!r}")
    return colour


# --------------------------------------------------------------------------------------------------
# Rendering and bounds
# --------------------------------------------------------------------------------------------------

# Folium's Map header sets a viewport with user-scalable=no (blocks pinch-zoom) and page-wide
# `html, body` / `#map` rules; the host page owns those, so they are cut from the header.
_PAGE_LEVEL_HEADER: Final = (
    re.compile(r"<meta\s+name=\"viewport\"[^>]*>", re.S),
    re.compile(r"<style>\s*html,\s*body\s*\{[^}]*\}\s*</style>", re.S),
    re.compile(r"<style>\s*#map\s*\{[^}]*\}\s*</style>", re.S),
)


def render_parts(m: folium.Map) -> dict[str, str]:
    """Render the map into the three parts a Jinja page places itself.

    Returns
    -------
    dict
        ``header`` (links and styles, for ``<head>``), ``html`` (the map ``<div>``) and ``script``
        (JavaScript, to wrap in ``<script>`` after the ``<div>``). Mark them ``|safe`` in the
        template: user text in them is already escaped.

    Notes
    -----
    Folium's viewport tag (``user-scalable=no``) and its page-wide ``html, body`` and ``#map``
    styles are removed: the page's own layout keeps ``<meta name="viewport"
    content="width=device-width, initial-scale=1">`` so phones can pinch-zoom.
    """
    root = cast(Figure, m.get_root())
    root.render()
    header = root.header.render()
    for pattern in _PAGE_LEVEL_HEADER:
        header = pattern.sub("", header)
    return {"header": header, "html": root.html.render(), "script": root.script.render()}


Bounds = list[list[float]]


def _positions(coords: Any) -> Iterator[tuple[float, float]]:
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        yield float(coords[0]), float(coords[1])
    elif isinstance(coords, (list, tuple)):
        for item in coords:
            yield from _positions(item)


def _geometry_positions(geometry: Mapping[str, Any] | None) -> Iterator[tuple[float, float]]:
    if not geometry:
        return
    if geometry.get("type") == "GeometryCollection":
        for part in geometry.get("geometries") or ():
            yield from _geometry_positions(part)
    else:
        yield from _positions(geometry.get("coordinates"))


def fit_bounds_of(fc: Mapping[str, Any]) -> Bounds | None:
    """Return ``[[south, west], [north, east]]`` of a FeatureCollection, for ``m.fit_bounds``.

    Returns ``None`` when there is no geometry (keep the map's centre and zoom then).

    Examples
    --------
    >>> fc = {"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "properties": {},
    ...      "geometry": {"type": "Point", "coordinates": [109.34, -0.03]}},
    ...     {"type": "Feature", "properties": {},
    ...      "geometry": {"type": "LineString", "coordinates": [[109.33, -0.02], [109.35, -0.04]]}},
    ... ]}
    >>> fit_bounds_of(fc)
    [[-0.04, 109.33], [-0.02, 109.35]]
    >>> fit_bounds_of({"type": "FeatureCollection", "features": []}) is None
    True
    """
    lons: list[float] = []
    lats: list[float] = []
    for feature in fc.get("features") or ():
        for lon, lat in _geometry_positions(feature.get("geometry")):
            lons.append(lon)
            lats.append(lat)
    if not lons:
        return None
    return [[min(lats), min(lons)], [max(lats), max(lons)]]
