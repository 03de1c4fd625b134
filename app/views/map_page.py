"""The public city map as folium parts for a Jinja page: a small shell, its data fetched.

folium composes the map (self-hosted Leaflet, the layers-and-legend control); the layers
themselves arrive as one compact GeoJSON document (``/peta/data.json``) that
``app/static/js/public_map.js`` draws on a canvas. The page therefore holds no feature, and
its parts depend only on the city's change counter, the event, the language and the tiles, so
the route caches them.
"""

from __future__ import annotations

import re
from typing import Any

from branca.element import MacroElement
from flask_babel import gettext as _
from folium.elements import JSCSSMixin
from folium.template import Template

from app.styles import ZONE_FALLBACK_STYLE
from app.views import map_legend, maps
from app.views.labels import (
    BOOTH_LABELS,
    CATEGORY_LABELS,
    FACILITY_LABELS,
    LANDMARK_LABELS,
    ZONE_LABELS,
    as_text,
)

PONTIANAK_CENTRE = (-0.045, 109.342)
#: Zoom the home map opens at on an event: a 3 m booth is about 5 px wide, a block fits a phone.
EVENT_ZOOM = 18
#: Zoom without an event: the city's zones.
CITY_ZOOM = 15


class _PublicLayers(JSCSSMixin, MacroElement):
    """Fetches the map's data and draws it; the behaviour lives in ``public_map.js``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            PetaLapakPublic.start({{ this._parent.get_name() }}, {{ this.config|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, config: dict[str, Any], script_url: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca is untyped
        self._name = "PublicLayers"
        self.config = config
        self.default_js = [("petalapak_public", script_url)]
        self.default_css: list[tuple[str, str]] = []


def _facility_symbols() -> dict[str, dict[str, Any]]:
    """Each facility kind's symbol for the browser's canvas: shape, colours, size and letter."""
    return {
        kind: {
            "shape": style.shape,
            "fill": style.fill,
            "stroke": style.stroke,
            "size": style.size_px,
            "glyph": style.glyph,
            "glyphColour": style.glyph_colour,
        }
        for kind, style in maps.FACILITY_STYLES.items()
    }


def public_map_parts(
    *,
    static_base: str,
    script_urls: dict[str, str],
    data_url: str,
    search_url: str | None,
    centre: tuple[float, float] | None,
    bounds: list[list[float]] | None,
    tiles: str | None = None,
    tiles_attribution: str | None = None,
    basemap: maps.BasemapLayer | None = None,
) -> dict[str, str]:
    """Build the home map's shell and return its header/html/script parts.

    ``centre`` opens the map there at :data:`EVENT_ZOOM` (an event's booths); otherwise it fits
    ``bounds`` (the city's zones) or shows Pontianak. ``script_urls`` holds the URLs of
    ``legend`` and ``public`` (the two scripts).
    """
    m = maps.base_map(
        center=centre or PONTIANAK_CENTRE,
        zoom=EVENT_ZOOM if centre else CITY_ZOOM,
        static_base=static_base,
        tiles=tiles,
        tiles_attribution=tiles_attribution or ("© " + tiles.split("/")[2] if tiles else None),
        jquery=False,
        basemap=basemap,
    )
    # A fixed name: the page's <div> and its script (served apart, each cached) always match.
    m._id = "home"
    if centre is None and bounds:
        m.fit_bounds(bounds)
    zone_labels = as_text(ZONE_LABELS)
    facility_labels = as_text(FACILITY_LABELS)
    booth_labels = as_text(BOOTH_LABELS)
    map_legend.add_legend(
        m,
        toggle_label=_("Legenda dan lapisan"),
        groups=[
            map_legend.legend_group("booths", _("Lapak"), maps.BOOTH_STYLES, booth_labels),
            map_legend.legend_group(
                "facilities", _("Fasilitas"), maps.FACILITY_STYLES, facility_labels
            ),
            map_legend.legend_group("zones", _("Zona"), maps.ZONE_STYLES, zone_labels),
        ],
        script_url=script_urls["legend"],
    )
    config = {
        "dataUrl": data_url,
        "searchUrl": search_url,
        "styles": {
            "zones": {k: s.leaflet() for k, s in maps.ZONE_STYLES.items()},
            "zoneFallback": ZONE_FALLBACK_STYLE.leaflet(),
            "booths": {k: s.leaflet() for k, s in maps.BOOTH_STYLES.items()},
            "facilities": _facility_symbols(),
        },
        # plain text: the script sets them with textContent
        "labels": {
            "zones": zone_labels,
            "facilities": facility_labels,
            "booths": booth_labels,
            "categories": as_text(CATEGORY_LABELS),
            "landmarks": as_text(LANDMARK_LABELS),
            "kind": _("Jenis"),
            "hours": _("Jam"),
            "stall": _("Lapak"),
            "category": _("Barang"),
            "halal": _("Bersertifikat halal"),
            "state": _("Keadaan"),
            "noResults": _("Tidak ada lapak yang cocok."),
            "searchFailed": _("Pencarian gagal; coba lagi."),
            "loadFailed": _("Data peta tidak dapat dimuat; muat ulang halaman."),
        },
    }
    _PublicLayers(config, script_urls["public"]).add_to(m)
    # Names from the order, not random: the same map gives the same script, byte for byte
    # (its address is its digest, so browsers keep it while nothing public changed).
    for number, child in enumerate(list(m._children.values())):
        child._id = f"home_{number}"
    return _scripts_apart(maps.render_parts(m))


_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def _scripts_apart(parts: dict[str, str]) -> dict[str, str]:
    """Move the header's inline scripts (folium's ``L_NO_TOUCH`` flags) before the map script.

    The home page then holds no inline script at all: its map script is a file of its own
    (``/peta/peta.js``), so the page is the same bytes for every visitor and can be cached
    whole and revalidated with an ETag, with no per-response CSP nonce in it.
    """
    moved = _INLINE_SCRIPT.findall(parts["header"])
    header = _INLINE_SCRIPT.sub("", parts["header"])
    return {**parts, "header": header, "script": "\n".join([*moved, parts["script"]])}
