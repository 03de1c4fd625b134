"""The layer registry (app/layers.py): every layer complete, and every per-layer table of the
services covering exactly the registered layers (so a new layer fails here until it is whole)."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from app.layers import LAYER_REGISTRY, LAYERS, Layer
from app.services import bbox, export, features
from app.services import layers as layer_service
from app.services.audit import AUDITED

REGISTERED = list(LAYER_REGISTRY.values())


@pytest.mark.parametrize("layer", REGISTERED, ids=lambda layer: layer.name)
def test_every_layer_is_complete(layer: Layer) -> None:
    columns = {c.key for c in inspect(layer.model).columns}
    assert {"id", "geom", "version"} <= columns
    assert ("event_id" if layer.per_event else "city_id") in columns
    assert AUDITED[layer.model] == layer.entity  # edits are audited, so undo can find them
    assert layer.geometry_types and layer.geometry_types <= {"Point", "LineString", "Polygon"}
    assert layer.match_column is None or layer.match_column in columns
    assert set(layer.export_columns) <= columns | {"hours_start", "hours_end"}
    assert layer.per_event or layer.export_columns  # an event layer has its own export table
    assert layer.ogc_collection and layer.styles


def test_service_tables_cover_exactly_the_registered_layers() -> None:
    assert set(layer_service.PROPERTY_RULES) == set(LAYERS)
    assert set(features.EDIT_PROPERTIES) == set(LAYERS)
    assert set(features.MODELS) == set(LAYERS)
    assert set(bbox.MAP_PROPERTIES) == set(LAYERS)
    city_layers = {layer.name for layer in REGISTERED if not layer.per_event}
    assert set(export._CITY_LAYER_FC) == city_layers


def test_cli_offers_the_registered_layers() -> None:
    from app.cli.data import export_layer_command, import_layer_command

    for command in (import_layer_command, export_layer_command):
        [option] = [p for p in command.params if p.name == "layer"]
        assert tuple(option.type.choices) == LAYERS
