"""The landmarks layer's own code, named by its entry in :mod:`app.layers`.

Landmarks (a mosque, a market, a bank, a monument…) are points people find their way by. An
import of the basemap brings them (``source = 'osm'``, :mod:`app.services.basemap`); planners draw
and edit more in the workspace (``source = 'drawn'``), and an import of a landmarks file through
``import-layer --layer landmarks`` adds drawn ones too. Kinds come from
:data:`app.kinds.LANDMARK_KIND_REGISTRY`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.kinds import LANDMARK_KINDS
from app.models import City, Landmark
from app.ogc.provider import CityCollection, Source

__all__ = [
    "LANDMARK_COLLECTION",
    "landmark_edit_properties",
    "landmark_map_properties",
    "landmark_values",
    "landmarks_fc",
]

#: Longest landmark name (the same limit as a facility's).
NAME_MAX = 200


def landmark_values(props: Mapping[str, Any], chk: Any) -> dict[str, Any]:
    """Import and editor checks: a name, and a registered kind (``other`` when not given)."""
    name = str(props.get("name") or "").strip()
    if not name:
        chk.problem("name", "Tengara perlu nama.", "A landmark needs a name.")
    elif len(name) > NAME_MAX:
        chk.problem(
            "name",
            f"Nama tengara paling panjang {NAME_MAX} karakter.",
            f"A landmark's name has at most {NAME_MAX} characters.",
        )
    kind = props.get("kind") or "other"
    if kind not in LANDMARK_KINDS:
        chk.problem(
            "kind",
            f"Jenis tengara '{kind}' tidak dikenal (pilihan: {', '.join(LANDMARK_KINDS)}).",
            f"Unknown landmark kind '{kind}' (one of: {', '.join(LANDMARK_KINDS)}).",
        )
    source = props.get("source") or "drawn"
    return {"name": name, "kind": kind, "source": "osm" if source == "osm" else "drawn"}


def landmark_edit_properties(row: Landmark) -> dict[str, Any]:
    """What the workspace's form shows of a landmark."""
    return {"name": row.name, "kind": row.kind, "source": row.source}


def landmark_map_properties(row: Landmark, _states: Mapping[str, str]) -> dict[str, Any]:
    """What the planner's map draws of a landmark."""
    return {"name": row.name, "kind": row.kind, "version": row.version}


def landmarks_fc(session: Session, city: City, *, decimals: int) -> dict[str, Any]:
    """The city's landmarks as GeoJSON (the export's source)."""
    rows = session.execute(
        select(Landmark, func.ST_AsGeoJSON(Landmark.geom, decimals))
        .where(Landmark.city_id == city.id)
        .order_by(Landmark.kind, Landmark.id)
    ).all()
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": row.id,
                "geometry": json.loads(gj),
                "properties": {
                    "id": row.id,
                    "name": row.name,
                    "kind": row.kind,
                    "source": row.source,
                    "version": row.version,
                },
            }
            for row, gj in rows
        ],
    }


def _landmark_source() -> Source:
    props = {"name": Landmark.name, "kind": Landmark.kind, "city": City.slug}
    base = select().select_from(Landmark).join(City, City.id == Landmark.city_id)
    return Landmark.id, Landmark.geom, [], props, base


LANDMARK_COLLECTION = CityCollection(
    "Tengara / Landmarks",
    "Places people find their way by: mosques, markets, schools, banks, malls, offices, parks.",
    properties={
        "name": {"type": "string"},
        "kind": {"type": "string", "enum": list(LANDMARK_KINDS)},
        "city": {"type": "string"},
    },
    filters={"kind": LANDMARK_KINDS},
    source=_landmark_source,
)
