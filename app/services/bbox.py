"""Layers cut to the map's view, with coordinates rounded to about 10 cm for the browser.

Big events (thousands of booths) are fetched by the page as GeoJSON for the visible box rather
than inlined into the HTML: PostGIS filters with the GiST index and writes the JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import JSON, Text, case, cast, func, literal, select
from sqlalchemy.orm import Session

from app.layers import layer_named
from app.models import Booth, City, Event, Facility, Zone
from app.ogc import params as ogc_params
from app.services.errors import ServiceError

#: 6 decimals of a degree ≈ 11 cm at the equator: enough to draw and edit a 3 m booth.
DECIMALS = 6


def parse_bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    """``minlon,minlat,maxlon,maxlat`` → tuple; None when absent; 400 when malformed.

    The OGC parser (:func:`app.ogc.params.parse_bbox`) reads the numbers; the map's view never
    crosses the antimeridian, so a box that does is refused here.
    """
    if not raw:
        return None
    try:
        boxes = ogc_params.parse_bbox(raw)
    except ogc_params.OgcError as exc:
        raise ServiceError(
            "bbox harus empat angka: minlon,minlat,maxlon,maxlat.",
            "bbox must be four numbers: minlon,minlat,maxlon,maxlat.",
        ) from exc
    if boxes is None or len(boxes) != 1:
        raise ServiceError("bbox tidak sah.", "Invalid bbox.")
    return boxes[0]


def _fc_rows(
    session: Session, model: Any, where: list[Any], bbox: tuple[float, float, float, float] | None
) -> list[tuple[Any, str]]:
    if bbox is not None:
        where.append(model.geom.intersects(func.ST_MakeEnvelope(*bbox, 4326)))
    rows = session.execute(
        select(model, func.ST_AsGeoJSON(model.geom, DECIMALS)).where(*where).order_by(model.id)
    ).all()
    return [(obj, str(text)) for obj, text in rows]


def layer_fc(
    session: Session,
    layer: str,
    city: City,
    *,
    event: Event | None,
    bbox: tuple[float, float, float, float] | None,
    states: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One layer as a compact FeatureCollection (only what the map draws and edits)."""
    spec = layer_named(layer)
    if spec is None:
        raise ServiceError(f"Lapisan '{layer}' tidak dikenal.", f"Unknown layer '{layer}'.")
    model: Any = spec.model
    if spec.per_event:
        if event is None:
            raise ServiceError("Lapisan lapak perlu acara.", "The booth layer needs an event.")
        where = [model.event_id == event.id]
    else:
        where = [model.city_id == city.id]
    properties = spec.planner_map_properties
    feats = [
        _f(gj, row.id, properties(row, states or {}))
        for row, gj in _fc_rows(session, model, where, bbox)
    ]
    return {"type": "FeatureCollection", "features": feats}


def zone_map_properties(z: Zone, _states: Mapping[str, str]) -> dict[str, Any]:
    return {
        "kind": z.kind,
        "name": z.name,
        "version": z.version,
        "capacity": z.capacity,
        "hours": _hours(z),
    }


def facility_map_properties(f: Facility, _states: Mapping[str, str]) -> dict[str, Any]:
    return {"kind": f.kind, "name": f.name, "version": f.version}


def booth_map_properties(b: Booth, states: Mapping[str, str]) -> dict[str, Any]:
    props: dict[str, Any] = {"code": b.code, "kind": b.kind, "version": b.version}
    if b.kind == "vendor":
        props["state"] = states.get(b.code, "ok")
    elif b.code in states:
        props["state"] = states[b.code]
    if b.locked:
        props["locked"] = True
    if b.label:
        props["label"] = b.label
    return props


def _hours(z: Zone) -> str | None:
    if z.hours_start and z.hours_end:
        return f"{z.hours_start:%H:%M}–{z.hours_end:%H:%M}"
    return None


def _f(geojson: str, ident: int, props: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": ident,
        "geometry": json.loads(geojson),
        "properties": {"id": ident, **{k: v for k, v in props.items() if v is not None}},
    }


def booths_geojson_text(
    session: Session, event: Event, bbox: tuple[float, float, float, float] | None
) -> str:
    """The event's booths as GeoJSON text written by PostGIS in one query.

    For thousands of booths this is several times faster than building dicts in Python and
    serialising them again; the properties are the ones :func:`layer_fc` gives (no states).
    """
    props = func.json_strip_nulls(
        func.json_build_object(
            "id",
            Booth.id,
            "code",
            Booth.code,
            "kind",
            Booth.kind,
            "version",
            Booth.version,
            "locked",
            case((Booth.locked, True), else_=None),
            "label",
            Booth.label,
            "state",
            case((Booth.kind == "vendor", "ok"), else_=None),
        )
    )
    feature = func.json_build_object(
        "type",
        "Feature",
        "id",
        Booth.id,
        "geometry",
        cast(func.ST_AsGeoJSON(Booth.geom, DECIMALS), JSON),
        "properties",
        props,
    )
    where = [Booth.event_id == event.id]
    if bbox is not None:
        where.append(Booth.geom.intersects(func.ST_MakeEnvelope(*bbox, 4326)))
    inner = select(feature.label("f")).where(*where).order_by(Booth.id).subquery()
    query = select(
        cast(
            func.json_build_object(
                "type",
                "FeatureCollection",
                "features",
                func.coalesce(func.json_agg(inner.c.f), cast(literal("[]"), JSON)),
            ),
            Text,
        )
    )  # as text: the driver would otherwise parse it into dicts
    return str(session.scalar(query))
