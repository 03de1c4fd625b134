"""Single-feature edits from the planner's map: create, update, delete.

Each edit is one transaction, validated exactly like a file import (:func:`check_feature`),
carries the feature's version (a stale version is a 409 with the current feature, so no update
is lost), and is audited by the session listener. Each edit is also a named step of an undo stack
(:mod:`app.services.history`): an event's booth is its event's (the event page lists it too), any
other feature the city workspace's. Deleting a booth deletes the assignments on it in the same
step (audited), so its undo brings them back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.gis.validate import DEFAULT_MAX_VERTICES
from app.layers import LAYER_REGISTRY, layer_named
from app.models import Assignment, Booth, City, Event, Facility, Zone
from app.services.audit import row_values
from app.services.cities import city_extent
from app.services.errors import Conflict, NotFound, ServiceError
from app.services.history import feature_label, record_step
from app.services.layers import ImportReport, check_feature


class InvalidFeature(ServiceError):
    """The feature failed validation; ``problems`` say which field and why."""

    def __init__(self, report: ImportReport) -> None:
        first = report.problems[0]
        super().__init__(first.message_id, first.message_en)
        self.problems = [p.to_dict() for p in report.problems]


class StaleVersion(Conflict):
    """Someone saved this feature since the client loaded it."""

    def __init__(self, current: dict[str, Any]) -> None:
        super().__init__(
            "Fitur ini sudah diubah orang lain; peta menampilkan versi terbaru.",
            "Someone else changed this feature; the map now shows the newest version.",
        )
        self.current = current


@dataclass(frozen=True)
class Target:
    """Where a new feature belongs: a city, and for booths an event."""

    city: City
    event: Event | None = None


def feature_json(session: Session, layer: str, obj: Any) -> dict[str, Any]:
    """One feature as GeoJSON in EPSG:4326 (7 decimals), with its version."""
    model: Any = LAYER_REGISTRY[layer].model
    geometry = session.scalar(select(func.ST_AsGeoJSON(model.geom, 7)).where(model.id == obj.id))
    props: dict[str, Any] = {"id": obj.id, "version": obj.version, "layer": layer}
    props.update(LAYER_REGISTRY[layer].editor_properties(obj))
    return {
        "type": "Feature",
        "id": obj.id,
        "geometry": json.loads(geometry or "null"),
        "properties": props,
    }


def zone_edit_properties(obj: Zone) -> dict[str, Any]:
    return {
        "name": obj.name,
        "kind": obj.kind,
        "capacity": obj.capacity,
        "allowed_categories": obj.allowed_categories,
        "description": obj.description,
        "hours_start": obj.hours_start.strftime("%H:%M") if obj.hours_start else None,
        "hours_end": obj.hours_end.strftime("%H:%M") if obj.hours_end else None,
    }


def facility_edit_properties(obj: Facility) -> dict[str, Any]:
    return {"kind": obj.kind, "name": obj.name, "source": obj.source}


def booth_edit_properties(obj: Booth) -> dict[str, Any]:
    return {
        "code": obj.code,
        "kind": obj.kind,
        "service": obj.service,
        "label": obj.label,
        "locked": obj.locked,
        "has_electricity": obj.has_electricity,
        "accessible": obj.accessible,
        "cooking_allowed": obj.cooking_allowed,
        "reserved_category": obj.reserved_category or "",
        "width_m": obj.width_m,
        "depth_m": obj.depth_m,
    }


def _get(session: Session, layer: str, ident: int, city: City) -> Any:
    spec = layer_named(layer)
    if spec is None:
        raise NotFound(f"Lapisan '{layer}' tidak dikenal.", f"Unknown layer '{layer}'.")
    obj = session.get(spec.model, ident)
    owner = (
        obj.event.city_id if isinstance(obj, Booth) and obj.event else getattr(obj, "city_id", None)
    )
    if isinstance(obj, Booth) and obj.zone is not None:
        owner = obj.zone.city_id
    if obj is None or owner != city.id:
        raise NotFound(
            f"Fitur {layer}/{ident} tidak ditemukan.", f"Feature {layer}/{ident} not found."
        )
    return obj


def _values(
    feature: dict[str, Any],
    layer: str,
    city: City,
    *,
    base: dict[str, Any] | None,
    repair: bool = False,
    max_vertices: int | None = DEFAULT_MAX_VERTICES,
) -> dict[str, Any]:
    """Merge the sent properties over the stored ones and validate the whole feature."""
    props = dict(base or {})
    props.update(feature.get("properties") or {})
    merged = {"type": "Feature", "geometry": feature.get("geometry"), "properties": props}
    report = ImportReport(layer=layer)
    values = check_feature(
        merged,
        layer=layer,
        extent=city_extent(city),
        repair=repair,
        report=report,
        max_vertices=max_vertices,
    )
    if values is None:
        raise InvalidFeature(report)
    return values


def _closed(event: Event | None) -> None:
    if event is not None and event.status == "closed":
        raise ServiceError(
            "Acara sudah ditutup; lapaknya tidak dapat diubah.",
            "The event is closed; its booths cannot change.",
        )


def _feature_object(feature: object) -> dict[str, Any]:
    """The sent feature as a dict (none sent: ``{}``); any other shape is a clear 400."""
    if feature is None:
        return {}
    if not isinstance(feature, dict) or not isinstance(feature.get("properties") or {}, dict):
        raise ServiceError(
            "feature: harus berupa GeoJSON Feature (objek dengan geometry dan properties).",
            "feature: must be a GeoJSON Feature (an object with geometry and properties).",
        )
    return feature


def create_feature(
    session: Session,
    layer: str,
    feature: object,
    target: Target,
    *,
    max_vertices: int | None = DEFAULT_MAX_VERTICES,
) -> Any:
    """Validate and store a new zone, facility or booth (at most ``max_vertices`` coordinates)."""
    feature = _feature_object(feature)
    spec = layer_named(layer)
    if spec is None:
        raise NotFound(f"Lapisan '{layer}' tidak dikenal.", f"Unknown layer '{layer}'.")
    if spec.per_event:
        if target.event is None:
            raise ServiceError("Lapak baru perlu acara.", "A new booth needs an event.")
        _closed(target.event)
    values = _values(feature, layer, target.city, base=None, max_vertices=max_vertices)
    model: Any = spec.model
    if spec.per_event:
        obj: Any = model(event=target.event, **values)
    else:
        obj = model(city_id=target.city.id, **values)
    session.add(obj)
    _flush(session)
    _step(session, "create", layer, obj, [_created(spec.entity, obj)], target.city.id)
    session.commit()
    return obj


def update_feature(
    session: Session,
    layer: str,
    ident: int,
    feature: object,
    version: int,
    city: City,
    *,
    max_vertices: int | None = DEFAULT_MAX_VERTICES,
) -> Any:
    """Apply an edit made on ``version``; a newer stored version raises :class:`StaleVersion`."""
    feature = _feature_object(feature)
    obj = _get(session, layer, ident, city)
    if isinstance(obj, Booth):
        _closed(obj.event)
    if obj.version != version:
        raise StaleVersion(feature_json(session, layer, obj))
    before = row_values(obj)
    base = feature_json(session, layer, obj)
    if feature.get("geometry") is None:
        feature = {**feature, "geometry": base["geometry"]}
    values = _values(feature, layer, city, base=base["properties"], max_vertices=max_vertices)
    for key, value in values.items():
        setattr(obj, key, value)
    try:
        _flush(session)
    except StaleDataError as exc:  # a concurrent save between our read and our write
        session.rollback()
        fresh = session.get(LAYER_REGISTRY[layer].model, ident)
        raise StaleVersion(feature_json(session, layer, fresh)) from exc
    change = {"entity": LAYER_REGISTRY[layer].entity, "id": obj.id, "before": before}
    _step(session, "update", layer, obj, [change | {"after": row_values(obj)}], city.id)
    session.commit()
    return obj


def delete_feature(session: Session, layer: str, ident: int, version: int, city: City) -> None:
    """Delete a feature the client saw at ``version``."""
    obj = _get(session, layer, ident, city)
    if isinstance(obj, Booth):
        _closed(obj.event)
    if obj.version != version:
        raise StaleVersion(feature_json(session, layer, obj))
    changes = []
    if isinstance(obj, Booth):  # its assignments go with it: as rows of the step, audited
        for held in session.scalars(
            select(Assignment).where(Assignment.booth_id == obj.id).order_by(Assignment.id)
        ):
            changes.append({"entity": "assignment", "id": held.id, "before": row_values(held)})
            session.delete(held)
    changes.append(
        {"entity": LAYER_REGISTRY[layer].entity, "id": obj.id, "before": row_values(obj)}
    )
    label = feature_label("delete", layer, obj)
    event_id = _event_of(obj)
    session.delete(obj)
    _flush(session)
    record_step(
        session,
        city_id=city.id,
        event_id=event_id,
        label=label,
        changes=[c | {"after": None} for c in changes],
    )
    session.commit()


def _created(entity: str, obj: Any) -> dict[str, Any]:
    return {"entity": entity, "id": obj.id, "before": None, "after": row_values(obj)}


def _step(
    session: Session,
    action: str,
    layer: str,
    obj: Any,
    changes: list[dict[str, Any]],
    city_id: int,
) -> None:
    """The edit as a named step of its undo stack (same transaction)."""
    label = feature_label(action, layer, obj)
    record_step(session, city_id=city_id, event_id=_event_of(obj), label=label, changes=changes)


def _event_of(obj: Any) -> int | None:
    """The event whose stack an edit of ``obj`` goes on: an event's booth's; None: the city's."""
    return obj.event_id if isinstance(obj, Booth) else None


def _flush(session: Session) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        detail = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
        raise Conflict(
            f"Basis data menolak perubahan: {detail}", f"The database refused the change: {detail}"
        ) from exc
