"""Cities and their map layers: zones, public facilities and clearance rules."""

from __future__ import annotations

from datetime import time
from typing import Any

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.gis.rules import ZONE_KINDS
from app.models.base import Base, Timestamped, in_list


class City(Timestamped, Base):
    """A city using PetaLapak, with the metric CRS all its measurements are made in."""

    __tablename__ = "city"
    __table_args__ = (CheckConstraint("metric_epsg BETWEEN 1024 AND 999999", name="metric_epsg"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    slug: Mapped[str] = mapped_column(String(60), unique=True, nullable=False)
    metric_epsg: Mapped[int] = mapped_column(Integer, nullable=False)
    extent: Mapped[WKBElement | None] = mapped_column(Geometry("POLYGON", srid=4326))
    #: Raised by every change to the city's rules (clearances, category caps); each change is
    #: audited with the version it made (:mod:`app.services.city_rules`).
    rules_version: Mapped[int] = mapped_column(
        Integer, nullable=False, default=1, server_default="1"
    )
    #: Per goods category, the most booths one event gives it (the allocation's default caps).
    category_caps: Mapped[dict[str, int] | None] = mapped_column(JSONB)
    #: The city's rule for vendors on several booths: False (default) grows them towards their
    #: maximum only once every vendor had their minimum; True gives each their maximum at their
    #: turn.
    grow_at_turn: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default="false"
    )
    #: What the booths of a new layout get in this city (``None``: the defaults, see
    #: :data:`app.services.cities.BOOTH_DEFAULTS`): how far power reaches from a street-light pole,
    #: and whether new booths are step-free and may cook.
    booth_defaults: Mapped[dict[str, Any] | None] = mapped_column(JSONB)

    zones: Mapped[list[Zone]] = relationship(back_populates="city", cascade="all, delete-orphan")
    facilities: Mapped[list[Facility]] = relationship(
        back_populates="city", cascade="all, delete-orphan"
    )
    clearance_rules: Mapped[list[ClearanceRule]] = relationship(
        back_populates="city", cascade="all, delete-orphan"
    )


class Zone(Timestamped, Base):
    """A polygon where vending is allowed, timed, banned, or a CFD corridor / emergency lane."""

    __tablename__ = "zone"
    __table_args__ = (
        UniqueConstraint("city_id", "name", name="uq_zone_city_name"),
        CheckConstraint(in_list("kind", ZONE_KINDS), name="kind"),
        CheckConstraint("ST_IsValid(geom)", name="geom_valid"),
        CheckConstraint(
            "kind <> 'pkl_timed' OR (hours_start IS NOT NULL AND hours_end IS NOT NULL)",
            name="timed_has_hours",
        ),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(160), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    geom: Mapped[WKBElement] = mapped_column(Geometry("POLYGON", srid=4326), nullable=False)
    allowed_categories: Mapped[list[str] | None] = mapped_column(ARRAY(String(40)))
    capacity: Mapped[int | None] = mapped_column(Integer)
    hours_start: Mapped[time | None] = mapped_column(Time)
    hours_end: Mapped[time | None] = mapped_column(Time)
    description: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    city: Mapped[City] = relationship(back_populates="zones")

    __mapper_args__ = {"version_id_col": version}


class FacilityKindRow(Base):
    """A registered facility kind: the database's copy of :data:`app.kinds.FACILITY_KIND_REGISTRY`.

    ``facility.kind`` and ``clearance_rule.facility_kind`` refer to it, so the database refuses a
    kind no one registered. Its rows are written by :func:`app.migrate.sync_facility_kinds` after
    every migration run, never by the app.
    """

    __tablename__ = "facility_kind"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    label_id: Mapped[str] = mapped_column(String(80), nullable=False)
    label_en: Mapped[str] = mapped_column(String(80), nullable=False)
    blocking: Mapped[bool] = mapped_column(Boolean, nullable=False)


class Facility(Timestamped, Base):
    """A public facility that booths must keep clear of (hydrant, halte, crossing, drain…)."""

    __tablename__ = "facility"
    __table_args__ = (
        CheckConstraint("ST_IsValid(geom)", name="geom_valid"),
        CheckConstraint(
            "GeometryType(geom) IN ('POINT', 'LINESTRING', 'POLYGON')", name="geom_type"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(
        String(30), ForeignKey("facility_kind.code", onupdate="CASCADE"), nullable=False
    )
    name: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(200))
    geom: Mapped[WKBElement] = mapped_column(Geometry("GEOMETRY", srid=4326), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    city: Mapped[City] = relationship(back_populates="facilities")

    __mapper_args__ = {"version_id_col": version}


class ClearanceRule(Timestamped, Base):
    """How far (metres) a booth must stay from a facility kind, per city."""

    __tablename__ = "clearance_rule"
    __table_args__ = (
        UniqueConstraint("city_id", "facility_kind", name="uq_clearance_rule_city_kind"),
        CheckConstraint("metres >= 0 AND metres <= 100", name="metres"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"), index=True)
    facility_kind: Mapped[str] = mapped_column(
        String(30), ForeignKey("facility_kind.code", onupdate="CASCADE"), nullable=False
    )
    metres: Mapped[float] = mapped_column(Float, nullable=False)
    source: Mapped[str | None] = mapped_column(String(300))
    #: Blocking (True) or a warning (False) in this city; None: as the kind's registry entry says.
    blocking: Mapped[bool | None] = mapped_column(Boolean)

    city: Mapped[City] = relationship(back_populates="clearance_rules")
