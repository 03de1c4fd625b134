"""The basemap tables: they count in the city's change counter like every other layer."""

from __future__ import annotations

from geoalchemy2.shape import from_shape
from shapely import LineString, Point, box
from sqlalchemy.orm import Session

from app.models import BasemapBuilding, BasemapRoad, BasemapWater, Landmark
from app.services.data_version import city_version


def test_each_basemap_table_counts_in_the_change_counter(db: Session, make_city) -> None:  # type: ignore[no-untyped-def]
    city = make_city()
    db.commit()
    rows = [
        BasemapRoad(
            city_id=city.id,
            road_class="primary",
            name="Jl. Uji",
            geom=from_shape(LineString([(109.34, -0.05), (109.35, -0.05)]), 4326),
        ),
        BasemapWater(
            city_id=city.id,
            water_class="drain",
            geom=from_shape(LineString([(109.34, -0.051), (109.35, -0.051)]), 4326),
        ),
        BasemapBuilding(
            city_id=city.id, geom=from_shape(box(109.34, -0.06, 109.3401, -0.0599), 4326)
        ),
        Landmark(
            city_id=city.id,
            name="Masjid Uji",
            kind="mosque",
            source="drawn",
            geom=from_shape(Point(109.345, -0.05), 4326),
        ),
    ]
    for row in rows:
        before = city_version(db, city.id)
        db.add(row)
        db.commit()
        assert city_version(db, city.id) == before + 1, type(row).__name__
