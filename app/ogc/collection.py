"""What the OGC core needs to know of its data: collections, and a provider to read them from.

Pure: the core (:mod:`app.ogc.core`, :mod:`app.ogc.openapi`) imports only this and
:mod:`app.ogc.params`, never the PostGIS provider (:mod:`app.ogc.provider`) or the models, so it can
run (and be tested) with any object that has :class:`FeatureProvider`'s methods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from app.ogc.params import BBox

__all__ = ["Collection", "FeatureProvider"]


@dataclass(frozen=True)
class Collection:
    """One OGC collection: a layer (``zones``, ``facilities``) or one event's booths."""

    id: str
    kind: str  # zones | facilities | booths | vendors
    title: str
    description: str
    private: bool = False
    event_id: int | None = None
    event_date: date | None = None
    event_begins: datetime | None = None
    event_ends: datetime | None = None
    city: str | None = None
    extent: tuple[float, float, float, float] | None = None
    #: property name → JSON schema, in output order (for the OpenAPI document and the HTML page)
    properties: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: query parameters that filter on a property: name → allowed values
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def temporal(self) -> bool:
        """Event collections have a date; zones and facilities have none."""
        return self.event_date is not None


class FeatureProvider(Protocol):
    """The data side of the API (:class:`app.ogc.provider.Provider` over PostGIS)."""

    def collections(self, *, private: bool, with_extent: bool = True) -> list[Collection]:
        """Every collection the caller may see."""
        ...

    def collection(self, collection_id: str, *, private: bool) -> Collection | None:
        """The collection called ``collection_id``, if the caller may see it."""
        ...

    def with_extent(self, coll: Collection) -> Collection:
        """``coll`` with its bounding box filled in."""
        ...

    def filters_of(self, collection_id: str) -> dict[str, tuple[str, ...]]:
        """The property filters of a collection, known from its id alone (no data read)."""
        ...

    def items_page(
        self,
        collection_id: str,
        *,
        private: bool,
        bbox: list[BBox] | None,
        limit: int,
        offset: int,
        equals: dict[str, str] | None = None,
    ) -> tuple[Collection, int, int, str] | None:
        """(collection, numberMatched, numberReturned, JSON text of the features array) for one
        page, or None when the caller may not see such a collection."""
        ...

    def item(self, coll: Collection, feature_id: int) -> str | None:
        """One feature as GeoJSON text, or None when it is not in ``coll``."""
        ...
