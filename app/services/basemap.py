"""A city's basemap: importing it from OpenStreetMap data (or GeoPackage/GeoJSON), and reading it.

Importing
---------
:func:`read_basemap_file` reads an OpenStreetMap extract (``.osm`` or ``.osm.pbf``, through GDAL's
OSM driver via pyogrio: its ``lines``, ``multipolygons`` and ``points`` layers), a GeoPackage
(every layer) or a GeoJSON file. Each feature is classified from its OpenStreetMap tags
(``highway``, ``waterway``, ``natural=water``, ``building``, and the landmark kinds' tags in
:data:`app.kinds.LANDMARK_KIND_REGISTRY`), so a GeoPackage or GeoJSON file written with the same
tags as properties (the demo's ``data/geo/basemap.geojson``) takes exactly the same path as an
OSM extract. :func:`import_basemap` clips everything to the city's extent and replaces the city's
basemap (roads, water, buildings, imported landmarks; drawn landmarks stay) and its
:class:`~app.models.BasemapSource` row in one transaction: a failure leaves the old basemap.

Reading
-------
:func:`roads_near` and :func:`landmarks_near` are the query helpers the place-in-words line and
search use; :func:`basemap_within` gives the print-outs everything inside an area; and
:func:`basemap_source` the attribution the maps show.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import shapely
from geoalchemy2 import WKBElement
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from app.kinds import LANDMARK_KIND_REGISTRY
from app.messages import define
from app.models import (
    BasemapBuilding,
    BasemapRoad,
    BasemapSource,
    BasemapWater,
    City,
    Landmark,
)
from app.printing.model import PrintBasemap, PrintLandmark, PrintRoad
from app.services.audit import record
from app.services.errors import ServiceError

__all__ = [
    "LABEL_ZOOM",
    "OSM_ATTRIBUTION",
    "TILE_LAYERS",
    "ROAD_CLASS_OF_HIGHWAY",
    "BasemapData",
    "BasemapInArea",
    "ImportSummary",
    "NearLandmark",
    "NearRoad",
    "basemap_for_print",
    "basemap_source",
    "basemap_tile",
    "label_tile",
    "basemap_within",
    "classify",
    "import_basemap",
    "landmarks_near",
    "read_basemap_file",
    "roads_near",
]

#: What every map showing OpenStreetMap data must say (ODbL 1.0).
OSM_ATTRIBUTION = "© OpenStreetMap contributors"

#: OpenStreetMap ``highway`` values → the basemap's road classes (others are not kept).
ROAD_CLASS_OF_HIGHWAY: Mapping[str, str] = {
    **dict.fromkeys(
        ("motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link"),
        "primary",
    ),
    **dict.fromkeys(("secondary", "secondary_link"), "secondary"),
    **dict.fromkeys(("tertiary", "tertiary_link"), "tertiary"),
    **dict.fromkeys(("residential", "unclassified", "living_street", "road"), "residential"),
    "service": "service",
    **dict.fromkeys(
        ("footway", "pedestrian", "path", "cycleway", "steps", "track", "bridleway"), "footway"
    ),
}

#: OpenStreetMap ``waterway`` values (lines) → water classes.
WATER_CLASS_OF_WATERWAY: Mapping[str, str] = {
    "river": "river",
    "stream": "river",
    "canal": "canal",
    "drain": "drain",
    "ditch": "drain",
}

#: Suffixes read through GDAL's OSM driver, and the other formats.
OSM_SUFFIXES = (".osm", ".pbf")
OTHER_SUFFIXES = {".gpkg": "GeoPackage", ".geojson": "GeoJSON", ".json": "GeoJSON"}
#: The OSM driver's layers that hold what a basemap keeps.
OSM_LAYERS = ("lines", "multipolygons", "points")
#: Rows per INSERT batch (and per progress step).
BATCH = 2000

_BAD_FILE = define(
    "basemap.bad_file",
    id="Berkas {name} tidak dapat dibaca sebagai peta dasar: {reason}",
    en="{name} could not be read as a basemap: {reason}",
)
_NO_FILE = define(
    "basemap.no_file", id="Berkas {name} tidak ditemukan.", en="File {name} was not found."
)
_BAD_SUFFIX = define(
    "basemap.bad_suffix",
    id="Berkas {name} bukan .osm, .osm.pbf, .gpkg, .geojson atau .json.",
    en="{name} is not an .osm, .osm.pbf, .gpkg, .geojson or .json file.",
)
_NOTHING_KEPT = define(
    "basemap.nothing_kept",
    id=(
        "Berkas {name} tidak berisi jalan, perairan, bangunan atau tengara di dalam wilayah "
        "kota {city}; peta dasar lama tetap dipakai."
    ),
    en=(
        "{name} holds no roads, water, buildings or landmarks inside {city}'s extent; "
        "the old basemap stays."
    ),
)


# --------------------------------------------------------------------------- reading files


@dataclass
class BasemapData:
    """What a file holds for a basemap: rows ready for the tables (geometries in EPSG:4326)."""

    source: str
    roads: list[dict[str, Any]] = field(default_factory=list)
    water: list[dict[str, Any]] = field(default_factory=list)
    buildings: list[dict[str, Any]] = field(default_factory=list)
    landmarks: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0

    @property
    def total(self) -> int:
        """Rows of every kind."""
        return len(self.roads) + len(self.water) + len(self.buildings) + len(self.landmarks)


_OTHER_TAGS = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')


def parse_other_tags(raw: str | None) -> dict[str, str]:
    """GDAL's ``other_tags`` (hstore text) as a dict.

    >>> parse_other_tags('"amenity"=>"bank","name:en"=>"Bank \\\\"K\\\\""')
    {'amenity': 'bank', 'name:en': 'Bank "K"'}
    """
    if not raw:
        return {}
    return {k.replace('\\"', '"'): v.replace('\\"', '"') for k, v in _OTHER_TAGS.findall(str(raw))}


def _landmark_kind(tags: Mapping[str, str]) -> str | None:
    for kind in LANDMARK_KIND_REGISTRY.values():
        for pair in kind.osm_tags:
            key, _, value = pair.partition("=")
            have = tags.get(key)
            if have and (value == "*" or have == value):
                return kind.code
    return None


def _osm_id(tags: Mapping[str, Any]) -> int | None:
    for key in ("osm_id", "osm_way_id", "@id", "id"):
        raw = str(tags.get(key) or "").strip()
        raw = raw.rsplit("/", 1)[-1]  # "way/123" (overpass exports)
        if raw.lstrip("-").isdigit() and len(raw) < 19:
            return int(raw)
    return None


def _lines(geom: BaseGeometry) -> Iterator[LineString]:
    if isinstance(geom, LineString):
        if geom.length > 0:
            yield geom
    elif isinstance(geom, MultiLineString | shapely.GeometryCollection):
        for part in geom.geoms:
            yield from _lines(part)


def _areas(geom: BaseGeometry) -> BaseGeometry | None:
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    polys = [
        p
        for p in getattr(geom, "geoms", [geom])
        if isinstance(p, Polygon | MultiPolygon) and not p.is_empty
    ]
    if not polys:
        return None
    merged = polys[0] if len(polys) == 1 else shapely.union_all(polys)
    return merged if isinstance(merged, Polygon | MultiPolygon) and merged.is_valid else None


def classify(tags: Mapping[str, Any], geom: BaseGeometry, out: BasemapData) -> None:
    """Add what a feature with these OpenStreetMap ``tags`` gives the basemap to ``out``.

    A road (``highway``) or waterway is a line; water (``natural=water``, ``waterway=riverbank``)
    and buildings are areas; a named feature whose tags match a landmark kind also becomes a
    landmark at a point on it. Anything else is counted in ``out.skipped``.
    """
    text = {str(k): str(v) for k, v in tags.items() if v is not None and str(v) != ""}
    name = (text.get("name") or "").strip() or None
    osm_id = _osm_id(text)
    kept = False
    highway, waterway = text.get("highway", ""), text.get("waterway", "")
    is_line = isinstance(geom, LineString | MultiLineString)
    if highway in ROAD_CLASS_OF_HIGHWAY and is_line:
        for line in _lines(geom):
            out.roads.append(
                {
                    "osm_id": osm_id,
                    "name": name,
                    "ref": text.get("ref") or None,
                    "road_class": ROAD_CLASS_OF_HIGHWAY[highway],
                    "geom": line,
                }
            )
            kept = True
    elif waterway in WATER_CLASS_OF_WATERWAY and is_line:
        for line in _lines(geom):
            out.water.append(
                {
                    "osm_id": osm_id,
                    "name": name,
                    "water_class": WATER_CLASS_OF_WATERWAY[waterway],
                    "geom": line,
                }
            )
            kept = True
    elif not is_line and (
        waterway == "riverbank" or text.get("natural") == "water" or text.get("water")
    ):
        area = _areas(geom)
        if area is not None:
            river = waterway == "riverbank" or text.get("water") in ("river", "canal")
            out.water.append(
                {
                    "osm_id": osm_id,
                    "name": name,
                    "water_class": "riverbank" if river else "water",
                    "geom": area,
                }
            )
            kept = True
    elif text.get("building") not in (None, "no") and not is_line:
        area = _areas(geom)
        if area is not None:
            out.buildings.append({"osm_id": osm_id, "name": name, "geom": area})
            kept = True
    kind = _landmark_kind(text) if name else None
    if kind is not None and name is not None and not geom.is_empty:
        point = geom if isinstance(geom, Point) else geom.representative_point()
        out.landmarks.append(
            {"osm_id": osm_id, "name": name[:200], "kind": kind, "source": "osm", "geom": point}
        )
        kept = True
    if not kept:
        out.skipped += 1


def _read_layer(path: Path, layer: str | None) -> Iterator[tuple[dict[str, Any], BaseGeometry]]:
    import pyogrio.raw

    meta, _fids, geometry, field_data = pyogrio.raw.read(path, layer=layer)
    names = [str(n) for n in meta["fields"]]
    crs = meta.get("crs")
    transformer = None
    if crs and "4326" not in str(crs) and "CRS84" not in str(crs).upper():
        from pyproj import CRS, Transformer

        if not CRS.from_user_input(crs).equals(CRS.from_epsg(4326)):
            transformer = Transformer.from_crs(crs, 4326, always_xy=True)
    if geometry is None:
        return
    for i, wkb in enumerate(geometry):
        if wkb is None:
            continue
        geom = shapely.from_wkb(wkb)
        if geom is None or geom.is_empty:
            continue
        if transformer is not None:
            geom = shapely.transform(geom, lambda xy: _project(transformer, xy), include_z=False)
        tags = {name: field_data[j][i] for j, name in enumerate(names)}
        extra = parse_other_tags(tags.pop("other_tags", None))
        yield {**extra, **{k: v for k, v in tags.items() if v is not None}}, geom


def _project(transformer: Any, xy: Any) -> Any:
    import numpy as np

    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def read_basemap_file(path: Path) -> BasemapData:
    """Read an OSM extract, GeoPackage or GeoJSON into basemap rows (not yet clipped).

    Raises :class:`ServiceError` naming the file when it is missing, of another format, or
    cannot be read.
    """
    name = path.name
    if not path.is_file():
        raise ServiceError(_NO_FILE(name=name))
    suffix = path.suffix.lower()
    if suffix not in OSM_SUFFIXES and suffix not in OTHER_SUFFIXES:
        raise ServiceError(_BAD_SUFFIX(name=name))
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    out = BasemapData(source=name)
    try:
        if suffix in OSM_SUFFIXES:
            layers: Iterable[str | None] = OSM_LAYERS
        else:
            listed = pyogrio.list_layers(path)
            layers = [str(row[0]) for row in listed] or [None]
        for layer in layers:
            for tags, geom in _read_layer(path, layer):
                classify(tags, geom, out)
    except (DataSourceError, DataLayerError, ValueError, RuntimeError, OSError) as exc:
        reason = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        raise ServiceError(_BAD_FILE(name=name, reason=reason)) from exc
    return out


# --------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class ImportSummary:
    """What an import wrote (after clipping to the city's extent)."""

    source: str
    roads: int
    water: int
    buildings: int
    landmarks: int
    skipped: int
    clipped_away: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready counts."""
        return dict(self.__dict__)


def _clip(
    rows: list[dict[str, Any]], extent: BaseGeometry | None, kind: str
) -> list[dict[str, Any]]:
    """Rows clipped to ``extent``; lines split into parts, areas kept as (multi)polygons."""
    if extent is None:
        return rows
    kept: list[dict[str, Any]] = []
    for row in rows:
        geom = row["geom"]
        if extent.contains(geom):
            kept.append(row)
            continue
        if not extent.intersects(geom):
            continue
        part = geom.intersection(extent)
        if kind == "line":
            kept.extend({**row, "geom": line} for line in _lines(part))
        elif kind == "area":
            area = _areas(part)
            if area is not None:
                kept.append({**row, "geom": area})
        elif isinstance(part, Point):
            kept.append(row)
    return kept


def _ewkt(geom: BaseGeometry) -> str:
    return f"SRID=4326;{shapely.to_wkt(geom, rounding_precision=9)}"


def import_basemap(
    session: Session,
    *,
    city: City,
    data: BasemapData,
    now: datetime,
    illustrative: bool = False,
    attribution: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Replace ``city``'s basemap with ``data`` in one transaction (committed here).

    Roads, water, buildings and the landmarks an earlier import brought (``source = 'osm'``) are
    replaced; landmarks planners drew stay. ``progress`` is called with the number of rows each
    written batch held. Nothing is written when nothing of the file lies inside the city's
    extent (:class:`ServiceError`), or when the database refuses a row (the transaction is
    rolled back and the old basemap stays).
    """
    extent = to_shape(city.extent) if city.extent is not None else None
    roads = _clip(data.roads, extent, "line")
    water = _clip([w for w in data.water if isinstance(w["geom"], LineString)], extent, "line")
    water += _clip([w for w in data.water if not isinstance(w["geom"], LineString)], extent, "area")
    buildings = _clip(data.buildings, extent, "area")
    landmarks = _clip(data.landmarks, extent, "point")
    kept = len(roads) + len(water) + len(buildings) + len(landmarks)
    if kept == 0:
        raise ServiceError(_NOTHING_KEPT(name=data.source, city=city.name))
    try:
        session.execute(delete(BasemapRoad).where(BasemapRoad.city_id == city.id))
        session.execute(delete(BasemapWater).where(BasemapWater.city_id == city.id))
        session.execute(delete(BasemapBuilding).where(BasemapBuilding.city_id == city.id))
        session.execute(
            delete(Landmark).where(Landmark.city_id == city.id, Landmark.source == "osm")
        )
        for model, rows in (
            (BasemapRoad, roads),
            (BasemapWater, water),
            (BasemapBuilding, buildings),
            (Landmark, landmarks),
        ):
            for start in range(0, len(rows), BATCH):
                batch = [
                    {**row, "city_id": city.id, "geom": _ewkt(row["geom"])}
                    for row in rows[start : start + BATCH]
                ]
                if model is Landmark:
                    batch = [{**row, "version": 1} for row in batch]
                session.execute(insert(model), batch)
                if progress is not None:
                    progress(len(batch))
        attribution = attribution or OSM_ATTRIBUTION
        meta = session.get(BasemapSource, city.id)
        values = {
            "source": data.source,
            "imported_at": now,
            "illustrative": illustrative,
            "attribution": attribution,
            "roads": len(roads),
            "water": len(water),
            "buildings": len(buildings),
            "landmarks": len(landmarks),
        }
        if meta is None:
            session.add(BasemapSource(city_id=city.id, **values))
        else:
            for key, value in values.items():
                setattr(meta, key, value)
        record(
            session,
            action="import",
            entity="basemap",
            entity_id=city.id,
            after={k: v for k, v in values.items() if k != "imported_at"},
        )
        session.commit()
    except Exception:
        session.rollback()
        raise
    return ImportSummary(
        source=data.source,
        roads=len(roads),
        water=len(water),
        buildings=len(buildings),
        landmarks=len(landmarks),
        skipped=data.skipped,
        clipped_away=data.total - kept,
    )


# --------------------------------------------------------------------------- reading


def city_id_of(session: Session, slug: str) -> int:
    """The id of the city called ``slug`` (:class:`NotFound` when there is none)."""
    from app.services.cities import get_city

    return get_city(session, slug).id


def basemap_source(session: Session, city_id: int) -> BasemapSource | None:
    """The city's basemap metadata (source, when, illustrative, attribution), or ``None``."""
    return session.get(BasemapSource, city_id)


@dataclass(frozen=True)
class NearRoad:
    """A road near a place: its row's values, its distance and its geometry (EPSG:4326)."""

    id: int
    name: str | None
    ref: str | None
    road_class: str
    distance_m: float
    geom: LineString


@dataclass(frozen=True)
class NearLandmark:
    """A landmark near a place: its row's values, its distance and its point (EPSG:4326)."""

    id: int
    name: str
    kind: str
    source: str
    distance_m: float
    geom: Point


def _search_area(geom: BaseGeometry | WKBElement, radius_m: float) -> tuple[Any, float]:
    # the place goes in as text: a WKB parameter inside Geography() does not bind
    """The place as a PostGIS value, and a radius in degrees no smaller than ``radius_m``."""
    shape = to_shape(geom) if isinstance(geom, WKBElement) else geom
    lat = shape.centroid.y
    # a degree of longitude shrinks with the latitude's cosine: divide by the smallest one
    scale = 111_320.0 * max(math.cos(math.radians(min(abs(lat) + 1.0, 89.0))), 0.01)
    return func.ST_GeomFromText(shapely.to_wkt(shape), 4326), radius_m / scale


def roads_near(
    session: Session,
    city_id: int,
    geom_4326: BaseGeometry | WKBElement,
    radius_m: float,
    *,
    named_only: bool = False,
    limit: int | None = None,
) -> list[NearRoad]:
    """The city's basemap roads within ``radius_m`` metres of a geometry, nearest first.

    ``geom_4326`` is a shapely geometry (or a stored value) in EPSG:4326; distances are
    geodesic metres (``geography``). ``named_only`` keeps roads with a name. The GiST index picks
    the candidates. Project the returned geometries to the city's metric CRS
    (:func:`app.gis.crs.to_metric`) before measuring along them.
    """
    place, degrees = _search_area(geom_4326, radius_m)
    distance = func.ST_Distance(func.Geography(BasemapRoad.geom), func.Geography(place)).label(
        "distance"
    )
    stmt = (
        select(BasemapRoad, distance)
        .where(
            BasemapRoad.city_id == city_id,
            func.ST_DWithin(BasemapRoad.geom, place, degrees),
            func.ST_DWithin(
                func.Geography(BasemapRoad.geom), func.Geography(place), float(radius_m)
            ),
        )
        .order_by(distance, BasemapRoad.id)
    )
    if named_only:
        stmt = stmt.where(BasemapRoad.name.isnot(None))
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        NearRoad(
            id=row.id,
            name=row.name,
            ref=row.ref,
            road_class=row.road_class,
            distance_m=float(dist),
            geom=to_shape(row.geom),
        )
        for row, dist in session.execute(stmt).all()
    ]


def landmarks_near(
    session: Session,
    city_id: int,
    geom_4326: BaseGeometry | WKBElement,
    radius_m: float,
    *,
    kinds: Iterable[str] | None = None,
    limit: int | None = None,
) -> list[NearLandmark]:
    """The city's landmarks (imported and drawn) within ``radius_m`` metres, nearest first.

    Same conventions as :func:`roads_near`; ``kinds`` keeps only those landmark kinds
    (codes of :data:`app.kinds.LANDMARK_KIND_REGISTRY`).
    """
    place, degrees = _search_area(geom_4326, radius_m)
    distance = func.ST_Distance(func.Geography(Landmark.geom), func.Geography(place)).label(
        "distance"
    )
    stmt = (
        select(Landmark, distance)
        .where(
            Landmark.city_id == city_id,
            func.ST_DWithin(Landmark.geom, place, degrees),
            func.ST_DWithin(func.Geography(Landmark.geom), func.Geography(place), float(radius_m)),
        )
        .order_by(distance, Landmark.id)
    )
    if kinds is not None:
        stmt = stmt.where(Landmark.kind.in_(list(kinds)))
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        NearLandmark(
            id=row.id,
            name=row.name,
            kind=row.kind,
            source=row.source,
            distance_m=float(dist),
            geom=to_shape(row.geom),
        )
        for row, dist in session.execute(stmt).all()
    ]


@dataclass(frozen=True)
class BasemapInArea:
    """Everything of a city's basemap inside an area (EPSG:4326 shapely geometries)."""

    roads: list[tuple[str | None, str, LineString]]
    water: list[tuple[str, BaseGeometry]]
    buildings: list[BaseGeometry]
    landmarks: list[tuple[str, str, Point]]

    @property
    def empty(self) -> bool:
        """True when the area holds nothing of the basemap."""
        return not (self.roads or self.water or self.buildings or self.landmarks)


def basemap_within(session: Session, city_id: int, area_4326: BaseGeometry) -> BasemapInArea:
    """The roads ``(name, class, line)``, water ``(class, geometry)``, buildings and landmarks
    ``(name, kind, point)`` of the city that touch ``area_4326`` (for the print-outs)."""
    area = from_shape(area_4326, 4326)
    roads = session.execute(
        select(BasemapRoad.name, BasemapRoad.road_class, BasemapRoad.geom)
        .where(BasemapRoad.city_id == city_id, func.ST_Intersects(BasemapRoad.geom, area))
        .order_by(BasemapRoad.id)
    ).all()
    water = session.execute(
        select(BasemapWater.water_class, BasemapWater.geom)
        .where(BasemapWater.city_id == city_id, func.ST_Intersects(BasemapWater.geom, area))
        .order_by(BasemapWater.id)
    ).all()
    buildings = session.scalars(
        select(BasemapBuilding.geom)
        .where(BasemapBuilding.city_id == city_id, func.ST_Intersects(BasemapBuilding.geom, area))
        .order_by(BasemapBuilding.id)
    ).all()
    landmarks = session.execute(
        select(Landmark.name, Landmark.kind, Landmark.geom)
        .where(Landmark.city_id == city_id, func.ST_Intersects(Landmark.geom, area))
        .order_by(Landmark.id)
    ).all()
    return BasemapInArea(
        roads=[(n, c, to_shape(g)) for n, c, g in roads],
        water=[(c, to_shape(g)) for c, g in water],
        buildings=[to_shape(g) for g in buildings],
        landmarks=[(n, k, to_shape(g)) for n, k, g in landmarks],
    )


# --------------------------------------------------------------------------- tiles

#: Layers of a basemap vector tile (``ST_AsMVT`` layer names), bottom to top.
TILE_LAYERS = ("water_area", "building", "water_line", "road")
#: Below this zoom a tile leaves out buildings and paths (too small to see; keeps tiles light).
DETAIL_ZOOM = 14
#: The zoom of the label tiles (street names and landmarks), whatever the map's zoom.
LABEL_ZOOM = 16
#: A street piece shorter than this inside a label tile gets no label there (unless it is the
#: whole street): the neighbouring tile holds the longer piece and labels it.
LABEL_MIN_LENGTH_M = 120.0
_MVT_EXTENT, _MVT_BUFFER = 4096, 64
_WORLD = 20037508.342789244


def _mvt_layer(
    name: str, table: Any, columns: list[Any], where: list[Any], z: int, x: int, y: int
) -> Any:
    envelope = func.ST_TileEnvelope(z, x, y)
    world = func.ST_MakeEnvelope(-_WORLD, -_WORLD, _WORLD, _WORLD, 3857)
    search = func.ST_Transform(
        func.ST_TileEnvelope(z, x, y, world, _MVT_BUFFER / _MVT_EXTENT), 4326
    )
    rows = (
        select(
            func.ST_AsMVTGeom(
                func.ST_Transform(table.geom, 3857), envelope, _MVT_EXTENT, _MVT_BUFFER, True
            ).label("geom"),
            *columns,
        )
        .where(*where, table.geom.intersects(search))
        .subquery(name)
    )
    return (
        select(func.coalesce(func.ST_AsMVT(rows.table_valued(), name, _MVT_EXTENT, "geom"), b""))
        .select_from(rows)
        .where(rows.c.geom.isnot(None))
        .scalar_subquery()
    )


def basemap_tile(session: Session, city_id: int, z: int, x: int, y: int) -> bytes:
    """One Mapbox vector tile of the city's basemap (empty bytes when nothing is there).

    Layers (:data:`TILE_LAYERS`): ``water_area`` and ``water_line`` (property ``class``),
    ``building``, ``road`` (``class``, ``name``). Below :data:`DETAIL_ZOOM` buildings, service
    roads and paths are left out.
    """
    road_where: list[Any] = [BasemapRoad.city_id == city_id]
    if z < DETAIL_ZOOM:
        road_where.append(BasemapRoad.road_class.notin_(("service", "footway")))
    is_line = func.GeometryType(BasemapWater.geom) == "LINESTRING"
    parts = [
        _mvt_layer(
            "water_area",
            BasemapWater,
            [BasemapWater.water_class.label("class")],
            [BasemapWater.city_id == city_id, ~is_line],
            z,
            x,
            y,
        ),
        _mvt_layer(
            "water_line",
            BasemapWater,
            [BasemapWater.water_class.label("class"), BasemapWater.name.label("name")],
            [BasemapWater.city_id == city_id, is_line],
            z,
            x,
            y,
        ),
        _mvt_layer(
            "road",
            BasemapRoad,
            [BasemapRoad.road_class.label("class"), BasemapRoad.name.label("name")],
            road_where,
            z,
            x,
            y,
        ),
    ]
    if z >= DETAIL_ZOOM:
        parts.insert(
            1,
            _mvt_layer(
                "building", BasemapBuilding, [], [BasemapBuilding.city_id == city_id], z, x, y
            ),
        )
    data = session.execute(select(_concat(parts))).scalar()
    return bytes(data or b"")


def _concat(parts: list[Any]) -> Any:
    out = parts[0]
    for part in parts[1:]:
        out = out.op("||")(part)
    return out


def _tile_bounds_4326(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """The tile's (west, south, east, north) in degrees (Web Mercator tiling)."""
    n = 2.0**z
    west, east = x / n * 360.0 - 180.0, (x + 1) / n * 360.0 - 180.0
    north = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    south = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + 1) / n))))
    return west, south, east, north


def _mercator(lon: float, lat: float) -> tuple[float, float]:
    x = math.radians(lon) * 6378137.0
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * 6378137.0
    return x, y


def label_tile(session: Session, city_id: int, z: int, x: int, y: int) -> dict[str, Any]:
    """Street-name and landmark labels inside one tile (normally at :data:`LABEL_ZOOM`).

    Vector tiles carry no text placement, so the map draws names from these: per named road the
    longest piece inside the tile gives one label at its middle, with the road's angle on screen
    (degrees, clockwise, kept upright); every landmark gives its name and kind. Compact JSON:
    ``{"roads": [[lat, lon, angle, name, class]], "landmarks": [[lat, lon, kind, name]]}``.
    """
    west, south, east, north = _tile_bounds_4326(z, x, y)
    cell = shapely.box(west, south, east, north)
    found = basemap_within(session, city_id, cell)
    best: dict[str, tuple[float, LineString, str]] = {}
    # a piece cut short by the tile's edge would repeat the neighbour tile's label beside it
    shortest = LABEL_MIN_LENGTH_M / (111_320.0 * max(math.cos(math.radians(south)), 0.01))
    for name, road_class, line in found.roads:
        if not name:
            continue
        for part in _lines(line.intersection(cell)):
            length = part.length
            if length < shortest and not cell.contains(line):
                continue
            if name not in best or length > best[name][0]:
                best[name] = (length, part, road_class)
    roads = []
    for name, (_length, part, road_class) in sorted(best.items()):
        mid = part.interpolate(0.5, normalized=True)
        a = part.interpolate(0.45, normalized=True)
        b = part.interpolate(0.55, normalized=True)
        (ax, ay), (bx, by) = _mercator(a.x, a.y), _mercator(b.x, b.y)
        angle = -math.degrees(math.atan2(by - ay, bx - ax))  # screen y points down
        if angle > 90:
            angle -= 180
        elif angle < -90:
            angle += 180
        roads.append([round(mid.y, 6), round(mid.x, 6), round(angle, 1), name, road_class])
    landmarks = [
        [round(p.y, 6), round(p.x, 6), kind, name]
        for name, kind, p in found.landmarks
        if cell.contains(p)
    ]
    return {"roads": roads, "landmarks": landmarks}


# --------------------------------------------------------------------------- print-outs

ILLUSTRATIVE = define(
    "basemap.illustrative",
    id="Peta dasar ilustrasi (bukan survei)",
    en="Illustrative basemap (not surveyed)",
)
#: How far around the corridor the print-outs draw the basemap (metres).
PRINT_MARGIN_M = 250.0


def basemap_for_print(
    session: Session, city_id: int, area_m: BaseGeometry, epsg: int, *, lang: str
) -> PrintBasemap:
    """The city's basemap around ``area_m`` (a metric geometry), projected for the print-outs."""
    from app.gis.crs import to_metric, to_wgs84
    from app.messages import render

    meta = basemap_source(session, city_id)
    if meta is None:
        return PrintBasemap()
    found = basemap_within(session, city_id, to_wgs84(area_m.buffer(PRINT_MARGIN_M), epsg))
    attribution = meta.attribution
    if meta.illustrative:
        attribution = f"{render(ILLUSTRATIVE(), lang)} · {attribution}"
    return PrintBasemap(
        roads=[PrintRoad(c, to_metric(g, epsg), n or "") for n, c, g in found.roads],
        water=[(c, to_metric(g, epsg)) for c, g in found.water],
        buildings=[to_metric(g, epsg) for g in found.buildings],
        landmarks=[PrintLandmark(k, to_metric(p, epsg), n) for n, k, p in found.landmarks],
        attribution=attribution,
    )
