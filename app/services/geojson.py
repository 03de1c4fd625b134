"""Layers as GeoJSON FeatureCollections (EPSG:4326) for maps, the API and exports.

PostGIS writes the geometry (``ST_AsGeoJSON`` with 7 decimals ≈ 1 cm for maps and the API; exports
ask for more, see :data:`app.services.export.EXPORT_DECIMALS`) so Python never parses WKB just to
print it again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.messages import render
from app.models import Booth, City, Event, Facility, Zone


def _fc(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


#: Decimals of EPSG:4326 coordinates on maps and in the API: 1e-7° is about 1 cm.
MAP_DECIMALS = 7


def zones_fc(
    session: Session,
    city: City,
    *,
    decimals: int = MAP_DECIMALS,
    ids: Sequence[int] | None = None,
) -> dict[str, Any]:
    """The city's zones (or only ``ids``) with kind, hours and rules as properties."""
    query = (
        select(Zone, func.ST_AsGeoJSON(Zone.geom, decimals))
        .where(Zone.city_id == city.id)
        .order_by(Zone.kind, Zone.name)
    )
    if ids is not None:
        query = query.where(Zone.id.in_(list(ids)))
    rows = session.execute(query).all()
    return _fc(
        [
            {
                "type": "Feature",
                "id": z.id,
                "geometry": json.loads(gj),
                "properties": {
                    "id": z.id,
                    "name": z.name,
                    "kind": z.kind,
                    "capacity": z.capacity,
                    "allowed_categories": z.allowed_categories,
                    "hours_start": z.hours_start.strftime("%H:%M") if z.hours_start else None,
                    "hours_end": z.hours_end.strftime("%H:%M") if z.hours_end else None,
                    "description": z.description,
                    "version": z.version,
                },
            }
            for z, gj in rows
        ]
    )


def facilities_fc(session: Session, city: City, *, decimals: int = MAP_DECIMALS) -> dict[str, Any]:
    """The city's public facilities."""
    rows = session.execute(
        select(Facility, func.ST_AsGeoJSON(Facility.geom, decimals))
        .where(Facility.city_id == city.id)
        .order_by(Facility.kind, Facility.id)
    ).all()
    return _fc(
        [
            {
                "type": "Feature",
                "id": f.id,
                "geometry": json.loads(gj),
                "properties": {
                    "id": f.id,
                    "kind": f.kind,
                    "name": f.name,
                    "source": f.source,
                    "version": f.version,
                },
            }
            for f, gj in rows
        ]
    )


def booths_fc(session: Session, event: Event) -> dict[str, Any]:
    """An event's booths (no vendor data: callers add what the viewer may see)."""
    rows = session.execute(
        select(Booth, func.ST_AsGeoJSON(Booth.geom, 7))
        .where(Booth.event_id == event.id)
        .order_by(Booth.code)
    ).all()
    return _fc(
        [
            {
                "type": "Feature",
                "id": b.id,
                "geometry": json.loads(gj),
                "properties": {
                    "id": b.id,
                    "code": b.code,
                    "kind": b.kind,
                    "service": b.service,
                    "label": b.label,
                    "locked": b.locked,
                    "version": b.version,
                },
            }
            for b, gj in rows
        ]
    )


def annotate_conflicts(fc: dict[str, Any], conflicts: list[Any], *, lang: str) -> dict[str, Any]:
    """Give each booth feature its worst conflict state and the messages, in ``lang``.

    Booths with no conflict get state ``ok`` (vendor booths) or keep their kind's colour.
    """
    by_code: dict[str, list[Any]] = {}
    for c in conflicts:
        by_code.setdefault(c.booth_code, []).append(c)
    for feature in fc["features"]:
        props = feature["properties"]
        found = by_code.get(props["code"], [])
        if found:
            props["state"] = (
                "blocking" if any(c.severity == "blocking" for c in found) else "warning"
            )
            props["problems"] = [render(c.message, lang) for c in found]
        elif props.get("kind") == "vendor":
            props["state"] = "ok"
    return fc
