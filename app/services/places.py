"""Each booth's place in words (:mod:`app.gis.place_words`) for the vendor page, the crew's
check-in list and the vendor list PDF: one line per booth, the same everywhere.

The road line of a booth is the centreline of the event corridor nearest to it
(:func:`app.gis.centreline.derive_centreline`, kept per corridor shape in the process: the
corridor's own bytes are the key, so it is never stale); the road's name is the named basemap
road running along that line by the booth, else the corridor zone's name
(:func:`app.gis.place_words.road_name_near`). Cross streets are the named basemap roads and the
city's named ``intersection`` facilities ("Simpang Pajak"); landmarks are the city's landmark
layer.

Two paths build the same inputs: :func:`inputs_json` is a SQL expression that the vendor page's
one lookup statement (:mod:`app.services.lapak`) carries per booking, so a vendor's look stays
one round trip; :func:`event_places` loads a whole event's for the check-in list and the PDFs.
Both project in PostGIS and list candidates in id order, and every candidate the engine could
pick lies inside the per-booth windows (:data:`JUNCTION_WINDOW_M`, :data:`LANDMARK_WINDOW_M`),
so both give the same line.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Text, cast, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from app.gis.centreline import derive_centreline
from app.gis.place_words import (
    JUNCTION_MAX_M,
    JUNCTION_REACH_M,
    LANDMARK_MAX_M,
    Named,
    NameProfile,
    describe_place,
    junctions_on,
    name_profile,
    road_name_near,
)
from app.messages import Msg
from app.models import BasemapRoad, Booth, Event, Facility, Landmark, Zone
from app.models.event import event_corridor

__all__ = [
    "JUNCTION_WINDOW_M",
    "LANDMARK_WINDOW_M",
    "event_places",
    "inputs_json",
    "place_from_inputs",
    "place_of",
]

#: Roads and junctions are looked for this far around a booth (metres): every junction the
#: engine may name is at most JUNCTION_MAX_M along the road, so it lies inside.
JUNCTION_WINDOW_M = JUNCTION_MAX_M + JUNCTION_REACH_M + 50.0
#: Landmarks are looked for this far around a booth (metres).
LANDMARK_WINDOW_M = LANDMARK_MAX_M + 10.0


@dataclass
class _Memo:
    """What the booths of one event share: per corridor, the road-name profile and, per road
    name, the junctions on its line."""

    profiles: dict[bytes, NameProfile] = field(default_factory=dict)
    junctions: dict[tuple[bytes, str], tuple[tuple[float, str], ...]] = field(default_factory=dict)


@lru_cache(maxsize=32)
def _centreline(corridor_wkb: bytes) -> LineString:
    """The centreline of a corridor given as metric WKB (the bytes are the cache key)."""
    return derive_centreline(shapely.from_wkb(corridor_wkb))


def place_of(
    booth_m: BaseGeometry,
    corridor_name: str,
    corridor_wkb: bytes,
    roads: Sequence[Named],
    junctions: Sequence[Named],
    landmarks: Sequence[Named],
    memo: _Memo | None = None,
) -> Msg | None:
    """The place in words of one booth (metric geometry), or None without a corridor line.

    ``memo`` keeps each corridor's road-name profile and junctions across calls that pass the
    same roads and cross streets (one event's booths)."""
    line = _centreline(corridor_wkb)
    if line.is_empty or line.length == 0:
        return None
    profile = None
    if memo is not None:
        profile = memo.profiles.get(corridor_wkb)
        if profile is None:
            profile = memo.profiles[corridor_wkb] = name_profile(line, roads)
    name = road_name_near(line, booth_m, roads, corridor_name, profile)
    crossings = None
    if memo is not None:
        key = (corridor_wkb, name)
        if key not in memo.junctions:
            memo.junctions[key] = junctions_on(line, name, [*junctions, *roads])
        crossings = memo.junctions[key]
    return describe_place(
        booth_m,
        line,
        name,
        cross_streets=[*junctions, *roads],
        landmarks=landmarks,
        junctions=crossings,
    ).msg


def _named(pairs: Sequence[Sequence[str]] | None) -> list[Named]:
    return [
        Named(name.strip(), shapely.from_wkb(bytes.fromhex(hexwkb)))
        for name, hexwkb in (pairs or [])
        if name and name.strip()
    ]


def place_from_inputs(text: str | None) -> Msg | None:
    """The place from :func:`inputs_json`'s text (None when the booking has no corridor)."""
    if not text:
        return None
    data = json.loads(text)
    corridor = data.get("corridor")
    if not corridor:
        return None
    return place_of(
        shapely.from_wkb(bytes.fromhex(data["booth"])),
        corridor[0],
        bytes.fromhex(corridor[1]),
        _named(data.get("roads")),
        _named(data.get("junctions")),
        _named(data.get("marks")),
    )


# -- SQL -----------------------------------------------------------------------------------------


def _hex(geom: Any, epsg: Any) -> Any:
    return func.encode(func.ST_AsBinary(func.ST_Transform(geom, epsg)), "hex")


def _pairs(name: Any, geom: Any, order: Any, epsg: Any) -> Any:
    return func.json_agg(aggregate_order_by(func.json_build_array(name, _hex(geom, epsg)), order))


def _roads_where(city_id: Any) -> list[Any]:
    return [
        BasemapRoad.city_id == city_id,
        BasemapRoad.name.isnot(None),
        func.btrim(BasemapRoad.name) != "",
        BasemapRoad.road_class != "footway",
    ]


def _junctions_where(city_id: Any) -> list[Any]:
    return [
        Facility.city_id == city_id,
        Facility.kind == "intersection",
        Facility.name.isnot(None),
        func.btrim(Facility.name) != "",
    ]


def inputs_json(
    booth_geom: Any, booth_m: Any, event_id: Any, city_id: Any, epsg: Any, *correlate: Any
) -> Any:
    """A SQL expression: one booth's place inputs as JSON text (metric WKB in hex).

    ``booth_geom`` is the stored booth (EPSG:4326), ``booth_m`` the same in the metric CRS;
    ``correlate`` names the outer query's tables.
    """
    centre_m = func.ST_Centroid(booth_m)

    def window(radius: float) -> Any:
        return func.ST_Transform(func.ST_Expand(centre_m, radius), 4326)

    corridor = (
        select(func.json_build_array(Zone.name, _hex(Zone.geom, epsg)))
        .join(event_corridor, event_corridor.c.zone_id == Zone.id)
        .where(event_corridor.c.event_id == event_id)
        .order_by(func.ST_Distance(func.ST_Transform(Zone.geom, epsg), booth_m), Zone.id)
        .limit(1)
        .correlate(*correlate)
        .scalar_subquery()
    )
    roads = (
        select(_pairs(BasemapRoad.name, BasemapRoad.geom, BasemapRoad.id, epsg))
        .where(
            *_roads_where(city_id),
            func.ST_Intersects(BasemapRoad.geom, window(JUNCTION_WINDOW_M)),
        )
        .correlate(*correlate)
        .scalar_subquery()
    )
    junctions = (
        select(_pairs(Facility.name, Facility.geom, Facility.id, epsg))
        .where(
            *_junctions_where(city_id),
            func.ST_Intersects(Facility.geom, window(JUNCTION_WINDOW_M)),
        )
        .correlate(*correlate)
        .scalar_subquery()
    )
    marks = (
        select(_pairs(Landmark.name, Landmark.geom, Landmark.id, epsg))
        .where(
            Landmark.city_id == city_id,
            func.ST_Intersects(Landmark.geom, window(LANDMARK_WINDOW_M)),
        )
        .correlate(*correlate)
        .scalar_subquery()
    )
    return cast(
        func.json_build_object(
            literal("booth"),
            func.encode(func.ST_AsBinary(booth_m), "hex"),
            literal("corridor"),
            corridor,
            literal("roads"),
            roads,
            literal("junctions"),
            junctions,
            literal("marks"),
            marks,
        ),
        Text,
    )


def event_places(
    session: Session, event: Event, booth_ids: Sequence[int] | None = None
) -> dict[int, Msg]:
    """Every booth's place in words for one event (``booth_ids``: those booths only), by booth
    id (see the module's description)."""
    epsg = event.city.metric_epsg
    corridors = session.execute(
        select(Zone.id, Zone.name, func.ST_AsBinary(func.ST_Transform(Zone.geom, epsg)))
        .join(event_corridor, event_corridor.c.zone_id == Zone.id)
        .where(event_corridor.c.event_id == event.id)
        .order_by(Zone.id)
    ).all()
    chosen = [Booth.event_id == event.id]
    if booth_ids is not None:
        chosen.append(Booth.id.in_(list(booth_ids)))
    booths = session.execute(
        select(Booth.id, func.ST_AsBinary(func.ST_Transform(Booth.geom, epsg)))
        .where(*chosen)
        .order_by(Booth.id)
    ).all()
    if not corridors or not booths:
        return {}
    # every candidate of every booth: around all the event's booths
    around = (
        select(
            func.ST_Transform(
                func.ST_Expand(
                    func.ST_Envelope(func.ST_Collect(func.ST_Transform(Booth.geom, epsg))),
                    JUNCTION_WINDOW_M,
                ),
                4326,
            )
        )
        .where(*chosen)
        .scalar_subquery()
    )
    city_id = event.city_id

    def named(name: Any, geom: Any, ident: Any, where: list[Any]) -> list[Named]:
        rows = session.execute(
            select(name, func.ST_AsBinary(func.ST_Transform(geom, epsg)))
            .where(*where, func.ST_Intersects(geom, around))
            .order_by(ident)
        ).all()
        return [Named(n.strip(), shapely.from_wkb(bytes(g))) for n, g in rows if n and n.strip()]

    roads = named(BasemapRoad.name, BasemapRoad.geom, BasemapRoad.id, _roads_where(city_id))
    junctions = named(Facility.name, Facility.geom, Facility.id, _junctions_where(city_id))
    marks = named(Landmark.name, Landmark.geom, Landmark.id, [Landmark.city_id == city_id])
    areas = [(name, bytes(wkb), shapely.from_wkb(bytes(wkb))) for _, name, wkb in corridors]
    out: dict[int, Msg] = {}
    memo = _Memo()
    for booth_id, wkb in booths:
        shape = shapely.from_wkb(bytes(wkb))
        # the nearest corridor, the first in id order on a tie (as the lookup's ORDER BY)
        name, corridor_wkb, _ = min(areas, key=lambda a: a[2].distance(shape))
        centre = shape.centroid
        near_marks = [m for m in marks if m.geom.distance(centre) <= LANDMARK_WINDOW_M]
        # every road and junction of the event: a superset of each booth's window, which
        # changes nothing the engine picks (see the module's description)
        msg = place_of(shape, name, corridor_wkb, roads, junctions, near_marks, memo)
        if msg is not None:
            out[booth_id] = msg
    return out
