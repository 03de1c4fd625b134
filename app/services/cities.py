"""Cities: creation with a metric CRS, and their clearance rules."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Polygon, box
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.gis.crs import CRSError, require_metric, utm_epsg_for
from app.gis.rules import DEFAULT_CLEARANCE_SOURCES, DEFAULT_CLEARANCES_M
from app.kinds import FACILITY_KIND_REGISTRY
from app.models import City, ClearanceRule, Facility
from app.services.columns import refuse_unstorable
from app.services.errors import NotFound, ServiceError


def get_city(session: Session, slug: str) -> City:
    """Return the city with ``slug`` or raise :class:`NotFound`."""
    city = session.scalars(select(City).where(City.slug == slug)).one_or_none()
    if city is None:
        raise NotFound(f"Kota '{slug}' tidak ditemukan.", f"City '{slug}' not found.")
    return city


def create_city(
    session: Session,
    *,
    name: str,
    slug: str,
    metric_epsg: int | None = None,
    extent: tuple[float, float, float, float] | None = None,
) -> City:
    """Create a city with its default clearance rules (idempotent on ``slug``).

    Without ``metric_epsg`` the UTM zone is estimated from the centre of ``extent``.
    """
    refuse_unstorable(City, {"name": name, "slug": slug})
    existing = session.scalars(select(City).where(City.slug == slug)).one_or_none()
    if existing is not None:
        return existing
    if extent is not None:
        minx, miny, maxx, maxy = extent
        if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
            raise ServiceError(
                f"Batas wilayah {extent} bukan bujur/lintang yang sah (min < maks).",
                f"Extent {extent} is not a valid lon/lat box (min < max).",
            )
    if metric_epsg is None:
        if extent is None:
            raise ServiceError(
                "Sebutkan --crs atau batas wilayah agar CRS metrik dapat diperkirakan.",
                "Give --crs, or an extent from which the metric CRS can be estimated.",
            )
        metric_epsg = utm_epsg_for((extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2)
    try:
        require_metric(metric_epsg)
    except CRSError as exc:
        raise ServiceError(f"EPSG:{metric_epsg} bukan CRS metrik.", str(exc)) from exc
    city = City(name=name, slug=slug, metric_epsg=metric_epsg)
    if extent is not None:
        city.extent = from_shape(box(*extent), srid=4326)
    session.add(city)
    for kind, metres in DEFAULT_CLEARANCES_M.items():
        city.clearance_rules.append(
            ClearanceRule(facility_kind=kind, metres=metres, source=DEFAULT_CLEARANCE_SOURCES[kind])
        )
    session.flush()
    return city


#: The booth properties a new layout gives, per city unless its rules say otherwise
#: (:func:`booth_defaults_for`): power reaches booths within 15 m of a street-light pole (a PLN
#: temporary supply), new booths are step-free, and none may cook until a planner says so.
BOOTH_DEFAULTS: Final[Mapping[str, float | bool]] = MappingProxyType(
    {"power_reach_m": 15.0, "accessible": True, "cooking_allowed": False}
)


def booth_defaults_for(city: City) -> dict[str, float | bool]:
    """The city's booth properties for new layouts, the defaults filling what it has not set.

    >>> from app.models import City
    >>> booth_defaults_for(City(booth_defaults={"power_reach_m": 25.0}))["power_reach_m"]
    25.0
    >>> booth_defaults_for(City())["accessible"]
    True
    """
    own = city.booth_defaults or {}
    return {key: type(value)(own.get(key, value)) for key, value in BOOTH_DEFAULTS.items()}


def clearances_for(city: City) -> dict[str, float]:
    """The city's clearance table, falling back to defaults for kinds it has not set."""
    rules = dict(DEFAULT_CLEARANCES_M)
    rules.update({r.facility_kind: r.metres for r in city.clearance_rules})
    return rules


def blocking_kinds_for(city: City) -> frozenset[str]:
    """The facility kinds whose clearance blocks in this city: the registry's, as the city's
    rules change them (a rule's ``blocking`` None keeps the kind's own)."""
    kinds = {code for code, kind in FACILITY_KIND_REGISTRY.items() if kind.blocking}
    for rule in city.clearance_rules:
        if rule.blocking is True:
            kinds.add(rule.facility_kind)
        elif rule.blocking is False:
            kinds.discard(rule.facility_kind)
    return frozenset(kinds)


def city_extent(city: City) -> Polygon | None:
    """The city's extent as a shapely polygon in EPSG:4326, if set."""
    if city.extent is None:
        return None
    shape = to_shape(city.extent)
    return shape if isinstance(shape, Polygon) else None


def default_city(session: Session, slug: str) -> City | None:
    """The city named ``slug``, else the first city there is, else None (an empty database)."""
    city = session.scalars(select(City).where(City.slug == slug)).one_or_none()
    return city or session.scalars(select(City).order_by(City.id).limit(1)).one_or_none()


def facility_count(session: Session, city: City) -> int:
    """How many facilities the city has."""
    count = session.scalar(
        select(func.count()).select_from(Facility).where(Facility.city_id == city.id)
    )
    return int(count or 0)


def database_error(session: Session) -> str | None:
    """None when the database answers a round trip, else the error's type name (no details)."""
    try:
        session.execute(select(1))
    except SQLAlchemyError as exc:
        return type(exc).__name__
    return None
