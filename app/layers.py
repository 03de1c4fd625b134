"""The map layers, registered once: what each layer is, for every module that serves one.

Like pygeoapi's provider registry (``pygeoapi/plugin.py``), each layer is one :class:`Layer`
entry in :data:`LAYER_REGISTRY`, keyed by its name in URLs, the CLI and files; the services, the
OGC tiles, the workspace routes and the CLI look the layer up instead of testing
``layer == "zones"``. An entry says:

* ``model`` and ``entity``: the table, and the name the audit log files its changes under;
* ``scope``: whether the layer belongs to a city (zones, facilities) or to an event (booths);
* import rules: the geometry types a file or a drawn feature may have, and the column that
  matches an imported feature to an existing row (re-importing updates it) or ``None`` (always
  added); the property checks themselves are :data:`app.services.layers.PROPERTY_RULES`, keyed
  by the same name;
* ``export_columns``: the columns of a city layer's export (booths add their assignments);
* ``ogc_collection``: the OGC API collection and vector tile layer it is served as;
* ``styles``: its map style table (by kind or state).

Room is left for the next layers (basemap, landmarks, street reports): each is one
registration, plus its property checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

from app.kinds import FACILITY_STYLES
from app.models import Booth, Facility, Zone
from app.models.base import Base
from app.styles import BOOTH_STYLES, ZONE_STYLES, MarkerStyle, PathStyle

__all__ = ["LAYERS", "LAYER_REGISTRY", "Layer", "layer_named"]


@dataclass(frozen=True)
class Layer:
    """One map layer (see the module's docstring for each field)."""

    name: str
    model: type[Base]
    entity: str
    scope: Literal["city", "event"]
    geometry_types: frozenset[str]
    match_column: str | None
    export_columns: tuple[str, ...]
    ogc_collection: str
    styles: Mapping[str, PathStyle] | Mapping[str, MarkerStyle]

    @property
    def per_event(self) -> bool:
        """True for layers that belong to an event (they need one to be read or written)."""
        return self.scope == "event"


def _registry(*layers: Layer) -> Mapping[str, Layer]:
    return MappingProxyType({layer.name: layer for layer in layers})


LAYER_REGISTRY: Final = _registry(
    Layer(
        name="zones",
        model=Zone,
        entity="zone",
        scope="city",
        geometry_types=frozenset({"Polygon"}),
        match_column="name",
        export_columns=(
            "id",
            "name",
            "kind",
            "capacity",
            "allowed_categories",
            "hours_start",
            "hours_end",
            "description",
        ),
        ogc_collection="zones",
        styles=ZONE_STYLES,
    ),
    Layer(
        name="facilities",
        model=Facility,
        entity="facility",
        scope="city",
        geometry_types=frozenset({"Point", "LineString", "Polygon"}),
        match_column=None,
        export_columns=("id", "kind", "name", "source"),
        ogc_collection="facilities",
        styles=FACILITY_STYLES,
    ),
    Layer(
        name="booths",
        model=Booth,
        entity="booth",
        scope="event",
        geometry_types=frozenset({"Polygon"}),
        match_column="code",
        export_columns=(),  # an event's booth table, with assignments (app.services.export)
        ogc_collection="booths",
        styles=BOOTH_STYLES,
    ),
)

#: Layer names, in registration order (CLI choices, URL checks).
LAYERS: Final = tuple(LAYER_REGISTRY)


def layer_named(name: str) -> Layer | None:
    """The registered layer called ``name``, or ``None``."""
    return LAYER_REGISTRY.get(name)
