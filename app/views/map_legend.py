"""The map legend: a Leaflet control of (swatch, label) rows built from escaped text.

Split from :mod:`app.views.maps` (one idea per module); the pages import it from there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Final, Literal

import folium
from branca.element import MacroElement
from folium.template import Template

from app.styles import ZONE_STYLES, MarkerStyle, PathStyle
from app.views.maps import _checked_colour, _label, escape_for_folium

__all__ = ["ZONE_STYLES", "add_legend", "legend_entries"]

_LEGEND_SHAPES: Final = frozenset({"area", "dashed", "line", "circle", "square", "diamond"})


def _swatch(colour: str, shape: str) -> str:
    colour = _checked_colour(colour)
    if shape not in _LEGEND_SHAPES:
        raise ValueError(f"unknown legend shape {shape!r}; use one of {sorted(_LEGEND_SHAPES)}")
    # A white inset shadow lightens the fill like a translucent polygon, for any colour syntax.
    pale = "box-shadow:inset 0 0 0 10px rgba(255,255,255,.55);"
    css = {
        "area": f"background:{colour};border:2px solid {colour};{pale}",
        "dashed": f"background:{colour};border:2px dashed {colour};{pale}",
        "line": f"height:0;margin-top:6px;border-top:3px solid {colour};",
        "circle": f"background:{colour};border-radius:50%;",
        "square": f"background:{colour};border:1px solid #333;",
        "diamond": f"background:{colour};transform:rotate(45deg) scale(.8);",
    }[shape]
    return f'<i class="pl-swatch" style="{css}"></i>'


class _Legend(MacroElement):
    """A Leaflet control listing (swatch, label) rows; the HTML is built from escaped text."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>
            .pl-legend { background: rgba(255,255,255,.92); padding: 6px 8px; border-radius: 4px;
                box-shadow: 0 1px 4px rgba(0,0,0,.3); line-height: 18px; font-size: 12px;
                max-height: 50vh; overflow-y: auto; }
            .pl-legend .pl-row { display: flex; align-items: center; gap: 6px;
                white-space: nowrap; }
            .pl-legend .pl-swatch { display: inline-block; box-sizing: border-box; width: 14px;
                height: 14px; flex: none; }
            .pl-legend .pl-title { font-weight: bold; margin-bottom: 2px; }
            </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
            {{ this.get_name() }}.onAdd = function () {
                var div = L.DomUtil.create("div", "pl-legend");
                div.innerHTML = {{ this.legend_html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, legend_html: str, position: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca is untyped
        self._name = "Legend"
        self.legend_html = legend_html
        self.position = position


def legend_entries(
    styles: Mapping[str, PathStyle] | Mapping[str, MarkerStyle],
    labels: Mapping[str, str],
    kinds: Iterable[str] | None = None,
) -> list[tuple[str, str, str]]:
    """Return ``(label, colour, shape)`` rows for :func:`add_legend` from a style table.

    Examples
    --------
    >>> legend_entries(ZONE_STYLES, {"pkl_legal": "Zona PKL"}, kinds=["pkl_legal"])
    [('Zona PKL', '#2e7d32', 'area')]
    """
    chosen = list(styles) if kinds is None else [k for k in kinds if k in styles]
    return [(_label(labels, k), styles[k].legend_colour, styles[k].legend_shape) for k in chosen]


def add_legend(
    m: folium.Map,
    entries: Sequence[tuple[str, str, str]],
    *,
    title: str | None = None,
    position: Literal["topleft", "topright", "bottomleft", "bottomright"] = "bottomright",
) -> MacroElement:
    """Add a legend control to the map.

    Parameters
    ----------
    m : folium.Map
        The map.
    entries : sequence of (label, colour, shape)
        ``colour`` a CSS hex or named colour; ``shape`` one of ``area``, ``dashed``, ``line``,
        ``circle``, ``square``, ``diamond``. Labels are escaped.
    title : str, optional
        Heading of the legend (escaped).
    position : str, default "bottomright"
        Leaflet control corner.

    Returns
    -------
    branca.element.MacroElement
        The legend element, already added to ``m``.

    Raises
    ------
    ValueError
        For a colour that is not a plain CSS colour or an unknown shape.
    """
    rows = [f'<div class="pl-title">{escape_for_folium(title)}</div>'] if title else []
    rows.extend(
        f'<div class="pl-row">{_swatch(colour, shape)}<span>{escape_for_folium(label)}</span></div>'
        for label, colour, shape in entries
    )
    legend = _Legend("".join(rows), position)
    legend.add_to(m)
    return legend
