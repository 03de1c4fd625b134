"""Importing a city's basemap (OSM extract, GeoJSON) and the query helpers over it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskCliRunner
from geoalchemy2.shape import from_shape
from shapely import Point
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import BasemapBuilding, BasemapRoad, BasemapSource, BasemapWater, City, Landmark
from app.services.basemap import (
    OSM_ATTRIBUTION,
    BasemapData,
    import_basemap,
    landmarks_near,
    read_basemap_file,
    roads_near,
)
from app.services.demo import DATA
from app.services.errors import ServiceError

NOW = datetime(2026, 12, 6, 5, 0, tzinfo=UTC)
#: A small city around (109.34, -0.05); the OSM file below reaches beyond its east edge.
EXTENT = (109.330, -0.060, 109.350, -0.040)

OSM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
  <node id="1" lat="-0.0500" lon="109.3350"/>
  <node id="2" lat="-0.0500" lon="109.3450"/>
  <node id="3" lat="-0.0500" lon="109.3600"/>
  <node id="10" lat="-0.0480" lon="109.3400"/>
  <node id="11" lat="-0.0480" lon="109.3402"/>
  <node id="12" lat="-0.0478" lon="109.3402"/>
  <node id="13" lat="-0.0478" lon="109.3400"/>
  <node id="20" lat="-0.0510" lon="109.3350"/>
  <node id="21" lat="-0.0510" lon="109.3450"/>
  <node id="30" lat="-0.0490" lon="109.3420">
    <tag k="amenity" v="place_of_worship"/>
    <tag k="religion" v="muslim"/>
    <tag k="name" v="Masjid Uji"/>
  </node>
  <node id="31" lat="-0.0300" lon="109.3420">
    <tag k="amenity" v="bank"/>
    <tag k="name" v="Bank di luar kota"/>
  </node>
  <node id="32" lat="-0.0495" lon="109.3430">
    <tag k="amenity" v="bench"/>
  </node>
  <way id="100">
    <nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="primary"/>
    <tag k="name" v="Jl. Uji Raya"/>
    <tag k="ref" v="N1"/>
  </way>
  <way id="101">
    <nd ref="10"/><nd ref="11"/><nd ref="12"/><nd ref="13"/><nd ref="10"/>
    <tag k="building" v="yes"/>
    <tag k="amenity" v="bank"/>
    <tag k="name" v="Bank Uji"/>
  </way>
  <way id="102">
    <nd ref="20"/><nd ref="21"/>
    <tag k="waterway" v="drain"/>
    <tag k="name" v="Parit Uji"/>
  </way>
</osm>
"""


@pytest.fixture
def city(make_city: Any) -> City:
    c: City = make_city(extent=EXTENT)
    return c


@pytest.fixture
def osm_file(tmp_path: Path) -> Path:
    path = tmp_path / "kota-uji.osm"
    path.write_text(OSM_XML, encoding="utf-8")
    return path


def _count(db: Session, model: Any, city: City) -> int:
    return int(
        db.scalar(select(func.count()).select_from(model).where(model.city_id == city.id)) or 0
    )


def test_an_osm_extract_is_read_through_gdal_and_clipped_to_the_city(
    db: Session, city: City, osm_file: Path
) -> None:
    data = read_basemap_file(osm_file)
    summary = import_basemap(db, city=city, data=data, now=NOW)
    road = db.scalars(select(BasemapRoad).where(BasemapRoad.city_id == city.id)).one()
    assert (road.name, road.ref, road.road_class, road.osm_id) == (
        "Jl. Uji Raya",
        "N1",
        "primary",
        100,
    )
    # the road ran to 109.36; the city ends at 109.35
    assert db.scalar(func.ST_XMax(road.geom)) == pytest.approx(109.35)
    water = db.scalars(select(BasemapWater).where(BasemapWater.city_id == city.id)).one()
    assert (water.name, water.water_class) == ("Parit Uji", "drain")
    building = db.scalars(select(BasemapBuilding).where(BasemapBuilding.city_id == city.id)).one()
    assert building.name == "Bank Uji"
    marks = {
        (m.name, m.kind, m.source)
        for m in db.scalars(select(Landmark).where(Landmark.city_id == city.id))
    }
    # the bank outside the extent is left out, and a bench is no landmark
    assert marks == {("Masjid Uji", "mosque", "osm"), ("Bank Uji", "bank", "osm")}
    meta = db.get(BasemapSource, city.id)
    assert meta is not None and meta.source == "kota-uji.osm" and not meta.illustrative
    assert meta.attribution == OSM_ATTRIBUTION
    assert (meta.roads, meta.water, meta.buildings, meta.landmarks) == (1, 1, 1, 2)
    assert summary.clipped_away == 1


def test_the_demo_geojson_is_an_illustrative_basemap_of_pontianak(
    db: Session, make_city: Any
) -> None:
    city = make_city(extent=(109.25, -0.12, 109.42, 0.06))
    data = read_basemap_file(DATA / "basemap.geojson")
    import_basemap(db, city=city, data=data, now=NOW, illustrative=True, attribution="PetaLapak")
    names = set(db.scalars(select(BasemapRoad.name).where(BasemapRoad.city_id == city.id)).all())
    assert {"Jl. Ahmad Yani", "Jl. Perdana", "Jl. Gajah Mada", "Jl. Tanjungpura"} <= names
    # both carriageways of A. Yani
    assert (
        db.scalar(
            select(func.count())
            .select_from(BasemapRoad)
            .where(BasemapRoad.city_id == city.id, BasemapRoad.name == "Jl. Ahmad Yani")
        )
        == 2
    )
    drains = db.scalars(
        select(BasemapWater.name).where(
            BasemapWater.city_id == city.id, BasemapWater.water_class == "drain"
        )
    ).all()
    assert drains == ["Parit Jl. Ahmad Yani"]
    kinds = dict(
        db.execute(select(Landmark.name, Landmark.kind).where(Landmark.city_id == city.id)).all()
    )
    assert kinds["Masjid Raya Mujahidin"] == "mosque"
    assert kinds["Pasar Tengah"] == "market"
    assert kinds["Tugu Khatulistiwa"] == "place"
    meta = db.get(BasemapSource, city.id)
    assert meta is not None and meta.illustrative and meta.buildings > 100


def test_a_reimport_replaces_the_basemap_and_keeps_drawn_landmarks(
    db: Session, city: City, osm_file: Path, tmp_path: Path
) -> None:
    import_basemap(db, city=city, data=read_basemap_file(osm_file), now=NOW)
    drawn = Landmark(
        city_id=city.id,
        name="Warung Kopi Uji",
        kind="other",
        source="drawn",
        geom=from_shape(Point(109.341, -0.049), 4326),
    )
    db.add(drawn)
    db.commit()
    second = tmp_path / "kedua.geojson"
    second.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"highway": "residential", "name": "Gang Baru"},
                        "geometry": {
                            "type": "LineString",
                            "coordinates": [[109.338, -0.045], [109.339, -0.046]],
                        },
                    }
                ],
            }
        )
    )
    import_basemap(db, city=city, data=read_basemap_file(second), now=NOW)
    assert db.scalars(select(BasemapRoad.name).where(BasemapRoad.city_id == city.id)).all() == [
        "Gang Baru"
    ]
    assert _count(db, BasemapWater, city) == 0 and _count(db, BasemapBuilding, city) == 0
    assert db.scalars(select(Landmark.name).where(Landmark.city_id == city.id)).all() == [
        "Warung Kopi Uji"
    ]
    meta = db.get(BasemapSource, city.id)
    assert meta is not None and (meta.source, meta.roads, meta.landmarks) == ("kedua.geojson", 1, 0)


@pytest.mark.parametrize(
    ("name", "content", "expect"),
    [
        ("rusak.osm", "<osm><way id='1'>", "rusak.osm"),
        ("rusak.geojson", "{not json", "rusak.geojson"),
        ("peta.txt", "x", ".osm.pbf"),
    ],
)
def test_a_bad_file_is_refused_with_its_name_and_the_old_basemap_stays(
    db: Session, city: City, osm_file: Path, tmp_path: Path, name: str, content: str, expect: str
) -> None:
    import_basemap(db, city=city, data=read_basemap_file(osm_file), now=NOW)
    bad = tmp_path / name
    bad.write_text(content)
    with pytest.raises(ServiceError) as refused:
        import_basemap(db, city=city, data=read_basemap_file(bad), now=NOW)
    assert expect in refused.value.message_id and expect in refused.value.message_en
    assert _count(db, BasemapRoad, city) == 1


def test_a_file_with_nothing_inside_the_city_writes_nothing(
    db: Session, city: City, osm_file: Path, tmp_path: Path
) -> None:
    import_basemap(db, city=city, data=read_basemap_file(osm_file), now=NOW)
    far = tmp_path / "jauh.geojson"
    far.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"highway": "primary", "name": "Jl. Jauh"},
                        "geometry": {"type": "LineString", "coordinates": [[110, 1], [110.1, 1]]},
                    }
                ],
            }
        )
    )
    with pytest.raises(ServiceError) as refused:
        import_basemap(db, city=city, data=read_basemap_file(far), now=NOW)
    assert "jauh.geojson" in refused.value.message_en
    assert _count(db, BasemapRoad, city) == 1


def test_a_row_the_database_refuses_rolls_the_whole_import_back(
    db: Session, city: City, osm_file: Path
) -> None:
    import_basemap(db, city=city, data=read_basemap_file(osm_file), now=NOW)
    data = read_basemap_file(osm_file)
    bad = BasemapData(source="x.geojson", roads=[{**data.roads[0], "road_class": "jalan_tol"}])
    bad.water = data.water
    with pytest.raises(IntegrityError):
        import_basemap(db, city=city, data=bad, now=NOW)
    assert db.scalars(select(BasemapRoad.name).where(BasemapRoad.city_id == city.id)).all() == [
        "Jl. Uji Raya"
    ]
    meta = db.get(BasemapSource, city.id)
    assert meta is not None and meta.source == "kota-uji.osm"


def test_roads_and_landmarks_near_a_place_nearest_first(
    db: Session, city: City, osm_file: Path
) -> None:
    import_basemap(db, city=city, data=read_basemap_file(osm_file), now=NOW)
    here = Point(109.3420, -0.0497)  # 33 m north of Jl. Uji Raya, 78 m from Bank Uji
    [road] = roads_near(db, city.id, here, 50)
    assert road.name == "Jl. Uji Raya" and road.distance_m == pytest.approx(33.2, abs=0.5)
    assert roads_near(db, city.id, here, 20) == []
    marks = landmarks_near(db, city.id, here, 300)
    assert [m.name for m in marks] == ["Masjid Uji", "Bank Uji"]
    assert marks[0].distance_m < marks[1].distance_m
    assert [m.name for m in landmarks_near(db, city.id, here, 300, kinds=["bank"])] == ["Bank Uji"]


def test_the_cli_imports_with_progress_and_refuses_a_bad_file_cleanly(
    runner: FlaskCliRunner, db: Session, city: City, osm_file: Path, tmp_path: Path
) -> None:
    result = runner.invoke(args=["import-basemap", str(osm_file), "--city", city.slug])
    assert result.exit_code == 0, result.output
    assert "1 jalan" in result.output and "2 tengara" in result.output
    bad = tmp_path / "rusak.osm"
    bad.write_text("bukan osm")
    refused = runner.invoke(args=["import-basemap", str(bad), "--city", city.slug, "--lang", "en"])
    assert refused.exit_code != 0 and "rusak.osm could not be read" in refused.output
    assert "Traceback" not in refused.output
