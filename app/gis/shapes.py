"""Plain value types the engine takes and returns.

Frozen dataclasses rather than ORM rows so that :mod:`app.gis` stays pure: the service layer builds
them from the database (already projected to the city's metric CRS) and turns results back into
rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class FacilityShape:
    """A public facility (hydrant, halte, crossing…) in the metric CRS."""

    id: int | str
    kind: str
    geometry: BaseGeometry
    name: str = ""


@dataclass(frozen=True)
class ZoneShape:
    """A zone polygon in the metric CRS; ``hours`` only for ``pkl_timed`` zones."""

    id: int | str
    kind: str
    geometry: BaseGeometry
    name: str = ""
    hours: tuple[time, time] | None = None


@dataclass(frozen=True)
class BoothShape:
    """A booth footprint in the metric CRS."""

    code: str
    geometry: Polygon
    kind: str = "vendor"
    properties: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
