"""The basemap a city supplies (from OpenStreetMap or drawn), and its landmarks.

Read-only reference geometry drawn beneath every map and print-out: roads with their names and
classes, water (rivers, canals, drains, river banks), buildings, and one metadata row per city
saying where the basemap came from. Everything is stored in EPSG:4326 like the rest of the model;
``flask --app app import-basemap`` replaces a city's basemap in one transaction
(:mod:`app.services.basemap`).

Landmarks are a map layer of their own (:mod:`app.layers`): imported with the basemap
(``source = 'osm'``) or drawn and edited in the planner's workspace (``source = 'drawn'``); a
re-import replaces only the imported ones.
"""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.kinds import LANDMARK_KINDS
from app.models.base import Base, Timestamped, in_list

#: Road classes, from the biggest down; an OSM ``highway`` tag maps onto one of them
#: (:data:`app.services.basemap.ROAD_CLASS_OF_HIGHWAY`).
ROAD_CLASSES = ("primary", "secondary", "tertiary", "residential", "service", "footway")

#: Water classes: lines (river, canal, drain) and areas (riverbank, water).
WATER_CLASSES = ("river", "canal", "drain", "riverbank", "water")

#: Where a landmark came from: a basemap import, or a planner's drawing.
LANDMARK_SOURCES = ("osm", "drawn")


class BasemapRoad(Base):
    """A road or path of the basemap: one LINESTRING (an OSM way; multi-part ways are split)."""

    __tablename__ = "basemap_road"
    __table_args__ = (
        CheckConstraint(in_list("road_class", ROAD_CLASSES), name="road_class"),
        CheckConstraint("ST_IsValid(geom)", name="geom_valid"),
        Index(
            "ix_basemap_road_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"), index=True)
    osm_id: Mapped[int | None] = mapped_column(BigInteger)
    name: Mapped[str | None] = mapped_column(Text)
    ref: Mapped[str | None] = mapped_column(Text)
    road_class: Mapped[str] = mapped_column(String(30), nullable=False)
    geom: Mapped[WKBElement] = mapped_column(Geometry("LINESTRING", srid=4326), nullable=False)


class BasemapWater(Base):
    """A river, canal or drain (a line) or a river bank or lake (a polygon) of the basemap."""

    __tablename__ = "basemap_water"
    __table_args__ = (
        CheckConstraint(in_list("water_class", WATER_CLASSES), name="water_class"),
        CheckConstraint("ST_IsValid(geom)", name="geom_valid"),
        CheckConstraint(
            "GeometryType(geom) IN ('LINESTRING', 'POLYGON', 'MULTIPOLYGON')", name="geom_type"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"), index=True)
    osm_id: Mapped[int | None] = mapped_column(BigInteger)
    name: Mapped[str | None] = mapped_column(Text)
    water_class: Mapped[str] = mapped_column(String(20), nullable=False)
    geom: Mapped[WKBElement] = mapped_column(Geometry("GEOMETRY", srid=4326), nullable=False)


class BasemapBuilding(Base):
    """A building footprint of the basemap (POLYGON or MULTIPOLYGON)."""

    __tablename__ = "basemap_building"
    __table_args__ = (
        CheckConstraint("ST_IsValid(geom)", name="geom_valid"),
        CheckConstraint("GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON')", name="geom_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"), index=True)
    osm_id: Mapped[int | None] = mapped_column(BigInteger)
    name: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[WKBElement] = mapped_column(Geometry("GEOMETRY", srid=4326), nullable=False)


class BasemapSource(Base):
    """Where a city's basemap came from: one row per city, rewritten by every import."""

    __tablename__ = "basemap_source"

    city_id: Mapped[int] = mapped_column(
        ForeignKey("city.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    #: The file it was read from (its name, never a server path) and its format.
    source: Mapped[str] = mapped_column(Text, nullable=False)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    #: True for drawn demo data (not surveyed); the maps then say so in their attribution.
    illustrative: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: Shown on every map that draws the basemap ("© OpenStreetMap contributors" for OSM data).
    attribution: Mapped[str] = mapped_column(Text, nullable=False)
    roads: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    water: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    buildings: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    landmarks: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Landmark(Timestamped, Base):
    """A named place people find their way by: a mosque, a market, a bank, a monument…"""

    __tablename__ = "landmark"
    __table_args__ = (
        CheckConstraint(in_list("kind", LANDMARK_KINDS), name="kind"),
        CheckConstraint(in_list("source", LANDMARK_SOURCES), name="source"),
        CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),
        Index(
            "ix_landmark_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"), index=True)
    osm_id: Mapped[int | None] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False, default="other")
    geom: Mapped[WKBElement] = mapped_column(Geometry("POINT", srid=4326), nullable=False)
    source: Mapped[str] = mapped_column(String(10), nullable=False, default="drawn")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
