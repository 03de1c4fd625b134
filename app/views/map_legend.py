"""The map's one control for layers and legend: collapsible, made for phones.

A Leaflet control (``app/static/js/map_legend.js``) with a button that opens and closes it and,
per layer group, a checkbox that shows or hides the layer and a (swatch, label) row per kind. A
page's script tells the control which layer holds which kinds (``control.track(name, layer,
kindOf)``); the control then lists only the groups and kinds present in the map's view, and
updates on every move. A group nobody tracks is always listed whole (a plain legend). It opens
closed on screens up to :data:`PHONE_MAX_WIDTH_PX` wide, open on wider ones; the button is a
real ``<button>`` with ``aria-expanded``, the toggles real checkboxes, so the keyboard works.

Split from :mod:`app.views.maps` (one idea per module); the pages import it from there. Labels
and titles are escaped here (:func:`app.views.maps.escape_for_folium`); swatches are built from
checked colours and a fixed set of shapes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import folium
from branca.element import MacroElement
from flask_babel import lazy_gettext as _l
from folium.elements import JSCSSMixin
from folium.template import Template

from app.styles import ZONE_STYLES, MarkerStyle, PathStyle
from app.views.maps import _checked_colour, _label, escape_for_folium

__all__ = [
    "PHONE_MAX_WIDTH_PX",
    "SCRIPT_URL",
    "ZONE_STYLES",
    "LegendGroup",
    "add_legend",
    "legend_entries",
    "legend_group",
]

_LEGEND_SHAPES: Final = frozenset(
    {
        "area",
        "dashed",
        "dotted",
        "line",
        "circle",
        "square",
        "diamond",
        "hatch",
        "crosshatch",
        "dots",
    }
)
#: Screens up to this width (phones) open the map with the control closed: the map comes first.
PHONE_MAX_WIDTH_PX: Final = 600
#: Where the app serves the control's script (``url_for("static", filename="js/map_legend.js")``).
SCRIPT_URL: Final = "/static/js/map_legend.js"

Position = Literal["topleft", "topright", "bottomleft", "bottomright"]


def _swatch(colour: str, shape: str) -> str:
    colour = _checked_colour(colour)
    if shape not in _LEGEND_SHAPES:
        raise ValueError(f"unknown legend shape {shape!r}; use one of {sorted(_LEGEND_SHAPES)}")
    # A white inset shadow lightens the fill like a translucent polygon, for any colour syntax.
    pale = "box-shadow:inset 0 0 0 10px rgba(255,255,255,.55);"
    css = {
        "area": f"background:{colour};border:2px solid {colour};{pale}",
        "dashed": f"background:{colour};border:2px dashed {colour};{pale}",
        "dotted": f"background:{colour};border:2px dotted {colour};{pale}",
        "line": f"height:0;margin-top:6px;border-top:3px solid {colour};",
        "circle": f"background:{colour};border-radius:50%;",
        "square": f"background:{colour};border:1px solid #333;",
        "diamond": f"background:{colour};transform:rotate(45deg) scale(.8);",
        # the map's fill patterns (js/map_patterns.js), in the outline colour on white
        "hatch": f"background:repeating-linear-gradient(-45deg,{colour} 0 1.5px,#fff 1.5px 5px);"
        f"border:2px solid {colour};",
        "crosshatch": f"background:repeating-linear-gradient(-45deg,{colour} 0 1.5px,"
        f"transparent 1.5px 5px),repeating-linear-gradient(45deg,{colour} 0 1.5px,#fff 1.5px 5px);"
        f"border:2px dashed {colour};",
        "dots": f"background:radial-gradient(circle,{colour} 1.3px,#fff 1.6px) 0 0/5px 5px;"
        f"border:2px solid {colour};",
    }[shape]
    return f'<i class="pl-swatch" style="{css}" aria-hidden="true"></i>'


@dataclass(frozen=True)
class LegendGroup:
    """One layer in the control: its name (what a page's script tracks), title and rows.

    ``rows`` are ``(kind, label, colour, shape)``; ``kind`` is what the script reports as
    present in view (``None``: always listed).
    """

    name: str
    title: str
    rows: Sequence[tuple[str | None, str, str, str]] = field(default_factory=tuple)

    def config(self) -> dict[str, Any]:
        """The group for the browser: escaped title, each row's kind and escaped HTML."""
        return {
            "name": self.name,
            "title": escape_for_folium(self.title),
            "entries": [
                {
                    "kind": kind,
                    "html": f"{_swatch(colour, shape)}<span>{escape_for_folium(label)}</span>",
                }
                for kind, label, colour, shape in self.rows
            ],
        }


def legend_entries(
    styles: Mapping[str, PathStyle] | Mapping[str, MarkerStyle],
    labels: Mapping[str, str],
    kinds: Iterable[str] | None = None,
) -> list[tuple[str, str, str]]:
    """Return ``(label, colour, shape)`` rows for :func:`add_legend` from a style table.

    Examples
    --------
    >>> legend_entries(ZONE_STYLES, {"pkl_legal": "Zona PKL"}, kinds=["pkl_legal"])
    [('Zona PKL', '#006b4f', 'area')]
    """
    chosen = list(styles) if kinds is None else [k for k in kinds if k in styles]
    return [(_label(labels, k), styles[k].legend_colour, styles[k].legend_shape) for k in chosen]


def legend_group(
    name: str,
    title: str,
    styles: Mapping[str, PathStyle] | Mapping[str, MarkerStyle],
    labels: Mapping[str, str],
) -> LegendGroup:
    """A tracked group with one row per style key (listed when that kind is in view).

    Examples
    --------
    >>> legend_group("zones", "Zona", ZONE_STYLES, {"pkl_legal": "Zona PKL"}).rows[0]
    ('pkl_legal', 'Zona PKL', '#006b4f', 'area')
    """
    return LegendGroup(
        name,
        title,
        tuple(
            (kind, _label(labels, kind), style.legend_colour, style.legend_shape)
            for kind, style in styles.items()
        ),
    )


class _LegendControl(JSCSSMixin, MacroElement):
    """The control; its behaviour lives in the self-hosted ``map_legend.js``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = PetaLapakLegend.add(
                {{ this._parent.get_name() }}, {{ this.config|tojson }}
            );
        {% endmacro %}
        """
    )

    def __init__(self, config: dict[str, Any], script_url: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca is untyped
        self._name = "Legend"
        self.config = config
        # Per object, never add_js_link: that changes the list on the class.
        self.default_js = [("petalapak_legend", script_url)]
        self.default_css: list[tuple[str, str]] = []


def add_legend(
    m: folium.Map,
    entries: Sequence[tuple[str, str, str]] = (),
    *,
    title: str | None = None,
    groups: Sequence[LegendGroup] = (),
    toggle_label: str | None = None,
    position: Position = "topright",
    open_on_phone: bool = False,
    script_url: str = SCRIPT_URL,
) -> MacroElement:
    """Add the layers-and-legend control to the map.

    Parameters
    ----------
    m : folium.Map
        The map.
    entries : sequence of (label, colour, shape)
        Rows always listed (a legend with no layer behind it). ``colour`` a CSS hex or named
        colour; ``shape`` one of ``area``, ``dashed``, ``dotted``, ``line``, ``circle``, ``square``,
        ``diamond``, or a fill pattern (``hatch``, ``crosshatch``, ``dots``). Labels are escaped.
    title : str, optional
        Heading inside the control (escaped).
    groups : sequence of LegendGroup
        Layers whose rows the page's script tracks (see the module's docstring).
    toggle_label : str, optional
        Text of the open/close button (escaped); ``title`` by default.
    position : str, default "topright"
        Leaflet control corner.
    open_on_phone : bool, default False
        Whether screens up to :data:`PHONE_MAX_WIDTH_PX` open with the control open.
    script_url : str
        URL of ``map_legend.js``.

    Returns
    -------
    branca.element.MacroElement
        The control, already added to ``m``; in the page's script its variable holds the
        control (``track``, ``update``, ``open``, ``close``), also at ``map.petaLapakLegend``.

    Raises
    ------
    ValueError
        For a colour that is not a plain CSS colour or an unknown shape.
    """
    all_groups = list(groups)
    if entries:
        all_groups.insert(
            0,
            LegendGroup(
                "", "", tuple((None, label, colour, shape) for label, colour, shape in entries)
            ),
        )
    config = {
        "title": escape_for_folium(title) if title else "",
        "toggle": escape_for_folium(toggle_label or title or str(_l("Legenda"))),
        "position": position,
        "phoneMaxWidth": PHONE_MAX_WIDTH_PX,
        "openOnPhone": open_on_phone,
        "groups": [group.config() for group in all_groups],
    }
    control = _LegendControl(config, script_url)
    control.add_to(m)
    return control
