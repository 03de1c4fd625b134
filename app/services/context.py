"""An event's or a zone's geometry, loaded from PostGIS and projected to the city's metric CRS.

The conflict engine and the layout generator work in metres on plain shapely values; this module
is the one boundary where stored EPSG:4326 rows become those values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import time

from geoalchemy2.shape import to_shape
from shapely import from_wkb, union_all
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.gis.conflicts import BLOCKING_FACILITY_KINDS, ConflictChecker
from app.gis.crs import to_metric, to_metric_all
from app.gis.shapes import BoothShape, FacilityShape, ZoneShape
from app.models import Booth, City, Event, Facility, Zone
from app.services.cities import blocking_kinds_for, clearances_for

#: Facilities and rule zones are loaded this far around the corridors (degrees, ≈ 110 m):
#: larger than any clearance, small enough to keep the load proportional to the corridor.
MARGIN_DEG = 0.001
RULE_ZONE_KINDS = ("no_vending", "emergency_lane", "pkl_timed")


@dataclass
class SiteContext:
    """Everything the engine needs about one event's (or zone's) ground, in metres."""

    city: City
    epsg: int
    areas: list[BaseGeometry]
    area_zones: list[Zone]
    facilities: list[FacilityShape]
    zones: list[ZoneShape]
    clearances_m: dict[str, float]
    event_window: tuple[time, time] | None
    blocking_kinds: frozenset[str] = BLOCKING_FACILITY_KINDS
    booths: list[BoothShape] = field(default_factory=list)
    booth_rows: dict[str, Booth] = field(default_factory=dict)

    @property
    def area(self) -> BaseGeometry:
        """The union of the corridors / zones the booths must lie in."""
        return union_all(self.areas)


def _envelope(session: Session, zone_ids: list[int]):  # type: ignore[no-untyped-def]
    return (
        select(func.ST_Expand(func.ST_Envelope(func.ST_Collect(Zone.geom)), MARGIN_DEG))
        .where(Zone.id.in_(zone_ids))
        .scalar_subquery()
    )


def load_site(
    session: Session,
    city: City,
    area_zones: list[Zone],
    *,
    event_window: tuple[time, time] | None = None,
) -> SiteContext:
    """Load the area zones plus the facilities and rule zones around them, projected."""
    epsg = city.metric_epsg
    ids = [z.id for z in area_zones]
    envelope = _envelope(session, ids)
    facilities = session.scalars(
        select(Facility)
        .where(Facility.city_id == city.id, func.ST_Intersects(Facility.geom, envelope))
        .order_by(Facility.id)
    ).all()
    rule_zones = session.scalars(
        select(Zone)
        .where(
            Zone.city_id == city.id,
            Zone.kind.in_(RULE_ZONE_KINDS),
            Zone.id.not_in(ids),
            func.ST_Intersects(Zone.geom, envelope),
        )
        .order_by(Zone.id)
    ).all()
    return SiteContext(
        city=city,
        epsg=epsg,
        areas=[to_metric(to_shape(z.geom), epsg) for z in area_zones],
        area_zones=list(area_zones),
        facilities=[
            FacilityShape(f.id, f.kind, geom, f.name or "")
            for f, geom in zip(facilities, _projected(facilities, epsg), strict=True)
        ],
        zones=[
            ZoneShape(
                z.id,
                z.kind,
                to_metric(to_shape(z.geom), epsg),
                z.name,
                (z.hours_start, z.hours_end) if z.hours_start and z.hours_end else None,
            )
            for z in rule_zones
        ],
        clearances_m=clearances_for(city),
        event_window=event_window,
        blocking_kinds=blocking_kinds_for(city),
    )


def _projected(rows: Sequence[Booth] | Sequence[Facility], epsg: int) -> list[BaseGeometry]:
    """The rows' geometries in the metric CRS, decoded and projected in one pass each."""
    return to_metric_all(list(from_wkb([bytes(r.geom.data) for r in rows])), epsg)


def booth_shape(booth: Booth, epsg: int) -> BoothShape:
    """A stored booth as the engine sees it."""
    return BoothShape(
        booth.code,
        to_metric(to_shape(booth.geom), epsg),
        booth.kind,
        {"id": booth.id, "locked": booth.locked},
    )


def load_event(session: Session, event: Event, *, locked_only: bool = False) -> SiteContext:
    """The event's corridors, surroundings and booths (``locked_only``: only its locked ones,
    for a layout that replaces all the others)."""
    ctx = load_site(
        session, event.city, list(event.corridors), event_window=(event.start_time, event.end_time)
    )
    query = select(Booth).where(Booth.event_id == event.id)
    if locked_only:
        query = query.where(Booth.locked)
    booths = session.scalars(query.order_by(Booth.code)).all()
    ctx.booths = [
        BoothShape(b.code, geom, b.kind, {"id": b.id, "locked": b.locked})
        for b, geom in zip(booths, _projected(booths, ctx.epsg), strict=True)
    ]
    ctx.booth_rows = {b.code: b for b in booths}
    return ctx


def checker_for(ctx: SiteContext) -> ConflictChecker:
    """A warm checker over the context's booths, facilities, rule zones and corridors."""
    return ConflictChecker(
        booths=ctx.booths,
        facilities=ctx.facilities,
        zones=ctx.zones,
        clearances_m=ctx.clearances_m,
        areas=ctx.areas,
        event_window=ctx.event_window,
        blocking_kinds=ctx.blocking_kinds,
    )
