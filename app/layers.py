"""The map layers, registered once: what each layer is, for every module that serves one.

Like pygeoapi's provider registry (``pygeoapi/plugin.py``), each layer is one :class:`Layer`
entry in :data:`LAYER_REGISTRY`, keyed by its name in URLs, the CLI and files; the services, the
OGC tiles, the workspace routes and the CLI look the layer up instead of testing
``layer == "zones"``. An entry says:

* ``model`` and ``entity``: the table, and the name the audit log files its changes under;
* ``scope``: whether the layer belongs to a city (zones, facilities) or to an event (booths);
* import rules: the geometry types a file or a drawn feature may have, the column that
  matches an imported feature to an existing row (re-importing updates it) or ``None`` (always
  added), and ``import_rules``, the property checks (properties and a checker in, the model's
  column values out);
* ``edit_properties``: what the map editor's form gets of a feature (a row in, a dict out);
* ``restore_columns``: the columns undo puts back from the audit log (besides the geometry);
* ``map_properties``: what the planner's map draws of a feature (a row and the booths'
  conflict states in);
* ``export_columns`` and ``export_source``: the columns of a city layer's export and the
  function that reads its features (an event layer has its own table, with assignments);
* ``ogc_collection`` and ``ogc``: the OGC API collection and vector tile layer it is served as,
  and for a city layer its description (title, property schema, filters) and the source
  expressions its item pages and tiles are drawn from (an event layer's collections, one per
  event, are the provider's own);
* ``styles``: its map style table (by kind or state).

The code a layer's features need lives beside the service that uses it; the entry names it as
``"module:attribute"`` (as pygeoapi's registry names its providers), loaded on first use, so this
module imports no service and the services read everything from here. A new layer (basemap,
landmarks, street reports) is one registration.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any, Final, Literal

from app.kinds import FACILITY_STYLES, LANDMARK_STYLES
from app.models import Booth, Facility, Landmark, Zone
from app.models.base import Base
from app.styles import BOOTH_STYLES, ZONE_STYLES, MarkerStyle, PathStyle

__all__ = ["LAYERS", "LAYER_REGISTRY", "Layer", "layer_named", "layer_of_entity"]


@dataclass(frozen=True)
class Layer:
    """One map layer (see the module's docstring for each field)."""

    name: str
    model: type[Base]
    entity: str
    scope: Literal["city", "event"]
    geometry_types: frozenset[str]
    match_column: str | None
    import_rules: str
    edit_properties: str
    restore_columns: tuple[str, ...]
    map_properties: str
    export_columns: tuple[str, ...]
    export_source: str | None
    ogc_collection: str
    ogc: str | None
    styles: Mapping[str, PathStyle] | Mapping[str, MarkerStyle]

    @property
    def per_event(self) -> bool:
        """True for layers that belong to an event (they need one to be read or written)."""
        return self.scope == "event"

    def check_properties(self, props: Mapping[str, Any], checker: Any) -> dict[str, Any]:
        """The model's column values of a feature's ``props``; problems go to ``checker``."""
        values: dict[str, Any] = load(self.import_rules)(props, checker)
        return values

    def editor_properties(self, row: Any) -> dict[str, Any]:
        """The editable properties the map's form gets for ``row``."""
        values: dict[str, Any] = load(self.edit_properties)(row)
        return values

    def planner_map_properties(self, row: Any, states: Mapping[str, str]) -> dict[str, Any]:
        """What the planner's map gets of ``row`` (``states``: booth code → conflict state)."""
        values: dict[str, Any] = load(self.map_properties)(row, states)
        return values

    def export_features(self, session: Any, city: Any, *, decimals: int) -> dict[str, Any]:
        """A city layer's features as a GeoJSON FeatureCollection (dict)."""
        if self.export_source is None:
            raise LookupError(f"layer {self.name!r} has no city export source")
        fc: dict[str, Any] = load(self.export_source)(session, city, decimals=decimals)
        return fc

    def ogc_description(self) -> Any:
        """The OGC collection of a city layer (``app.ogc.provider.CityCollection``) or None."""
        return None if self.ogc is None else load(self.ogc)


@cache
def load(ref: str) -> Any:
    """The object a ``"module:attribute"`` reference names (imported on first use).

    >>> load("app.styles:ZONE_STYLES") is ZONE_STYLES
    True
    """
    module, _, attribute = ref.partition(":")
    return getattr(importlib.import_module(module), attribute)


#: Every registered layer by name. Registration order is the order of ``LAYERS``.
_ENTRIES: dict[str, Layer] = {}


def _registry(*layers: Layer) -> Mapping[str, Layer]:
    for layer in layers:
        _ENTRIES[layer.name] = layer
    return MappingProxyType(_ENTRIES)


LAYER_REGISTRY: Final = _registry(
    Layer(
        name="zones",
        model=Zone,
        entity="zone",
        scope="city",
        geometry_types=frozenset({"Polygon"}),
        match_column="name",
        import_rules="app.services.layers:zone_values",
        edit_properties="app.services.features:zone_edit_properties",
        restore_columns=(
            "name",
            "kind",
            "capacity",
            "allowed_categories",
            "hours_start",
            "hours_end",
            "description",
            "city_id",
        ),
        map_properties="app.services.bbox:zone_map_properties",
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
        export_source="app.services.geojson:zones_fc",
        ogc_collection="zones",
        ogc="app.ogc.provider:ZONE_COLLECTION",
        styles=ZONE_STYLES,
    ),
    Layer(
        name="facilities",
        model=Facility,
        entity="facility",
        scope="city",
        geometry_types=frozenset({"Point", "LineString", "Polygon"}),
        match_column=None,
        import_rules="app.services.layers:facility_values",
        edit_properties="app.services.features:facility_edit_properties",
        restore_columns=("kind", "name", "source", "city_id"),
        map_properties="app.services.bbox:facility_map_properties",
        export_columns=("id", "kind", "name", "source"),
        export_source="app.services.geojson:facilities_fc",
        ogc_collection="facilities",
        ogc="app.ogc.provider:FACILITY_COLLECTION",
        styles=FACILITY_STYLES,
    ),
    Layer(
        name="booths",
        model=Booth,
        entity="booth",
        scope="event",
        geometry_types=frozenset({"Polygon"}),
        match_column="code",
        import_rules="app.services.layers:booth_values",
        edit_properties="app.services.features:booth_edit_properties",
        restore_columns=(
            "code",
            "kind",
            "service",
            "label",
            "locked",
            "has_electricity",
            "accessible",
            "cooking_allowed",
            "reserved_category",
            "width_m",
            "depth_m",
            "event_id",
            "zone_id",
            "side",
            "chainage_m",
        ),
        map_properties="app.services.bbox:booth_map_properties",
        export_columns=(),  # an event's booth table, with assignments (app.services.export)
        export_source=None,
        ogc_collection="booths",
        ogc=None,  # one collection per event (and a private one with vendors): app.ogc.provider
        styles=BOOTH_STYLES,
    ),
    Layer(
        name="landmarks",
        model=Landmark,
        entity="landmark",
        scope="city",
        geometry_types=frozenset({"Point"}),
        match_column=None,
        import_rules="app.services.landmarks:landmark_values",
        edit_properties="app.services.landmarks:landmark_edit_properties",
        restore_columns=("name", "kind", "source", "osm_id", "city_id"),
        map_properties="app.services.landmarks:landmark_map_properties",
        export_columns=("id", "name", "kind", "source"),
        export_source="app.services.landmarks:landmarks_fc",
        ogc_collection="landmarks",
        ogc="app.services.landmarks:LANDMARK_COLLECTION",
        styles=LANDMARK_STYLES,
    ),
)

#: Layer names, in registration order (CLI choices, URL checks).
LAYERS: Final = tuple(LAYER_REGISTRY)


def layer_named(name: str) -> Layer | None:
    """The registered layer called ``name``, or ``None``."""
    return LAYER_REGISTRY.get(name)


def layer_of_entity(entity: str) -> Layer | None:
    """The registered layer whose changes the audit log files under ``entity``, or ``None``."""
    for layer in LAYER_REGISTRY.values():
        if layer.entity == entity:
            return layer
    return None
