"""The layer registry (app/layers.py): every layer complete, and a new layer one registration.

``test_a_new_layer_is_one_registration`` registers a throwaway ``monuments`` layer (stored, for
the test, in the facility table; the real ``landmarks`` layer has its own) and shows that every
consumer serves it with no other edit: import checks, the editor, the planner's map, the export,
the OGC collection list, its items and its vector tiles.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from shapely.geometry import Point
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from app import layers as registry
from app.layers import LAYER_REGISTRY, LAYERS, Layer, layer_of_entity, load
from app.models import City, Facility
from app.ogc.provider import CityCollection, Provider, Source, collection_kind
from app.ogc.tiles import render_tile, resolve_layer
from app.services import bbox, export, features
from app.services import layers as layer_service
from app.services.audit import AUDITED
from app.styles import MarkerStyle

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
    assert layer_of_entity(layer.entity) is layer
    # undo puts every restored column back, and the row's scope with them
    assert set(layer.restore_columns) <= columns
    assert ("event_id" if layer.per_event else "city_id") in layer.restore_columns


@pytest.mark.parametrize("layer", REGISTERED, ids=lambda layer: layer.name)
def test_every_layer_names_its_code(layer: Layer) -> None:
    """Each reference of an entry loads: the services find a layer's code through it alone."""
    for ref in (layer.import_rules, layer.edit_properties, layer.map_properties):
        assert callable(load(ref))
    # a city layer is exported from its source and served as one OGC collection; an event
    # layer has its own export table and one collection per event
    assert (layer.export_source is None) == layer.per_event == (layer.ogc is None)
    if not layer.per_event:
        assert layer.export_source is not None
        assert callable(load(layer.export_source))
        described = layer.ogc_description()
        assert isinstance(described, CityCollection)
        assert collection_kind(layer.ogc_collection) == layer.ogc_collection


def test_no_service_keeps_a_table_by_layer_name() -> None:
    for module, table in (
        (layer_service, "PROPERTY_RULES"),
        (features, "EDIT_PROPERTIES"),
        (features, "MODELS"),
        (bbox, "MAP_PROPERTIES"),
        (export, "_CITY_LAYER_FC"),
        (features, "_RESTORABLE"),
    ):
        assert not hasattr(module, table), f"{module.__name__}.{table}: read the registry instead"


# -- a throwaway layer: everything it takes is this block --------------------------------------


def landmark_values(props: Mapping[str, Any], chk: Any) -> dict[str, Any]:
    """Import rules: a landmark needs a name."""
    name = str(props.get("name") or "").strip()
    if not name:
        chk.problem("name", "Tengara perlu nama.", "A landmark needs a name.")
    return {"kind": "hydrant", "name": name, "source": props.get("source")}


def landmark_edit_properties(row: Facility) -> dict[str, Any]:
    return {"name": row.name, "source": row.source}


def landmark_map_properties(row: Facility, _states: Mapping[str, str]) -> dict[str, Any]:
    return {"name": row.name, "version": row.version}


def landmarks_fc(session: Session, city: City, *, decimals: int) -> dict[str, Any]:
    rows = session.execute(
        select(Facility, func.ST_AsGeoJSON(Facility.geom, decimals))
        .where(Facility.city_id == city.id)
        .order_by(Facility.id)
    ).all()
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": json.loads(gj),
                "properties": {"id": row.id, "name": row.name, "source": row.source},
            }
            for row, gj in rows
        ],
    }


def _landmark_source() -> Source:
    props = {"name": Facility.name, "city": City.slug}
    base = select().select_from(Facility).join(City, City.id == Facility.city_id)
    return Facility.id, Facility.geom, [], props, base


LANDMARK_COLLECTION = CityCollection(
    "Tengara / Landmarks",
    "Places people find their way by.",
    properties={"name": {"type": "string"}, "city": {"type": "string"}},
    filters={},
    source=_landmark_source,
)

LANDMARKS = Layer(
    name="monuments",
    model=Facility,  # a real layer has its own table; the test borrows the facilities'
    entity="facility",
    scope="city",
    geometry_types=frozenset({"Point"}),
    match_column=None,
    import_rules=f"{__name__}:landmark_values",
    edit_properties=f"{__name__}:landmark_edit_properties",
    restore_columns=("kind", "name", "source", "city_id"),
    map_properties=f"{__name__}:landmark_map_properties",
    export_columns=("id", "name", "source"),
    export_source=f"{__name__}:landmarks_fc",
    ogc_collection="monuments",
    ogc=f"{__name__}:LANDMARK_COLLECTION",
    styles={"landmark": MarkerStyle("circle", "#6a1b9a", "#4a148c", 10, "T")},
)


@pytest.fixture
def landmarks(monkeypatch: pytest.MonkeyPatch) -> Layer:
    monkeypatch.setitem(registry._ENTRIES, LANDMARKS.name, LANDMARKS)
    return LANDMARKS


def test_a_new_layer_is_one_registration(
    landmarks: Layer,
    db: Session,
    make_city: Callable[..., Any],
    make_facility: Callable[..., Any],
) -> None:
    assert registry.layer_named("monuments") is landmarks
    city = make_city()
    tugu = make_facility(city=city, name="Tugu Khatulistiwa", source="survey")

    # import checks (the file import and the map editor share them)
    report = layer_service.ImportReport(layer="monuments")
    feature = {"type": "Feature", "geometry": Point(109.3, -0.05).__geo_interface__}
    values = layer_service.check_feature(
        {**feature, "properties": {"name": "Masjid Jami"}},
        layer="monuments",
        extent=None,
        repair=False,
        report=report,
    )
    assert values is not None and values["name"] == "Masjid Jami" and report.ok
    refused = layer_service.check_feature(
        {**feature, "properties": {}},
        layer="monuments",
        extent=None,
        repair=False,
        report=report,
        index=1,
    )
    assert refused is None and [p.field for p in report.problems] == ["name"]

    # the editor's form
    edited = features.feature_json(db, "monuments", tugu)
    assert edited["properties"] == {
        "id": tugu.id,
        "version": tugu.version,
        "layer": "monuments",
        "name": "Tugu Khatulistiwa",
        "source": "survey",
    }

    # the planner's map
    drawn = bbox.layer_fc(db, "monuments", city, event=None, bbox=None)
    assert [f["properties"] for f in drawn["features"]] == [
        {"id": tugu.id, "name": "Tugu Khatulistiwa", "version": tugu.version}
    ]

    # the export
    table = export.layer_table(db, city=city, layer="monuments")
    assert table.columns == ("id", "name", "source")
    assert table.rows == [{"id": tugu.id, "name": "Tugu Khatulistiwa", "source": "survey"}]

    # the OGC API: the collection list, the collection, one page of items, the vector tiles
    provider = Provider(db)
    listed = [c.id for c in provider.collections(private=False, with_extent=False)]
    assert listed[:4] == ["zones", "facilities", "landmarks", "monuments"]
    coll = provider.collection("monuments", private=False)
    assert coll is not None and coll.title == "Tengara / Landmarks"
    assert provider.with_extent(coll).extent is not None
    page = provider.items_page("monuments", private=False, bbox=None, limit=1000, offset=0)
    assert page is not None
    items = json.loads(page[3])
    assert {"id": tugu.id, "name": "Tugu Khatulistiwa"} in [
        {"id": f["id"], "name": f["properties"]["name"]} for f in items
    ]
    tile_layer = resolve_layer(provider, "monuments", None, staff=False)
    assert render_tile(provider, tile_layer, 0, 0, 0)


def test_cli_offers_the_registered_layers() -> None:
    from app.cli.data import export_layer_command, import_layer_command

    for command in (import_layer_command, export_layer_command):
        [option] = [p for p in command.params if p.name == "layer"]
        assert tuple(option.type.choices) == LAYERS
