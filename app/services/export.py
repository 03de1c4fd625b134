"""Export of map layers as GeoJSON, GeoPackage, CSV or KML, for city staff and GIS tools.

Zones and facilities carry the properties the import reads, so an export can be imported again
(into another city or event) and give the same layer back. An event's booths carry their
assignment: the vendor's business name and category for every member of staff, and the vendor's
private data (owner name, phone, NIB, access code) only when the caller says the user is a
planner (``include_private``).

Everything is written in EPSG:4326 with :data:`EXPORT_DECIMALS` (9: about 0.1 mm). The maps' 7
decimals (about 1 cm) moved booths of a generated layout up to 6 mm, into a clearance or onto a
neighbour, so the same layout read back had conflicts. CSV rows carry the geometry as WKT plus
the lon/lat of its centroid; text cells that a spreadsheet would run as a formula get a leading
apostrophe, which the CSV import removes again.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from app.layers import LAYER_REGISTRY, layer_named
from app.models import HOLDING_STATUSES, Assignment, Booth, City, Event, Vendor
from app.services.errors import ServiceError
from app.services.vendors import escape_formula

#: Decimals of exported EPSG:4326 coordinates: 1e-9° is about 0.1 mm, far inside the layout's
#: safety margin (5 cm) and the conflict engine's tolerances (1 cm, 0.01 m²).
EXPORT_DECIMALS = 9

#: format → (file suffix, MIME type)
EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    "geojson": (".geojson", "application/geo+json"),
    "gpkg": (".gpkg", "application/geopackage+sqlite3"),
    "csv": (".csv", "text/csv; charset=utf-8"),
    "kml": (".kml", "application/vnd.google-earth.kml+xml"),
}

ZONE_COLUMNS = LAYER_REGISTRY["zones"].export_columns
FACILITY_COLUMNS = LAYER_REGISTRY["facilities"].export_columns
BOOTH_COLUMNS = (
    "id",
    "code",
    "kind",
    "service",
    "label",
    "width_m",
    "depth_m",
    "locked",
    "has_electricity",
    "accessible",
    "cooking_allowed",
    "reserved_category",
    "assignment_status",
    "vendor_business_name",
    "vendor_category",
)
PRIVATE_VENDOR_COLUMNS = ("vendor_owner_name", "vendor_phone", "vendor_nib", "vendor_access_code")
_INTEGER_COLUMNS = {"id", "capacity"}
_BOOLEAN_COLUMNS = {"locked", "has_electricity", "accessible", "cooking_allowed"}
_FLOAT_COLUMNS = {"width_m", "depth_m"}


@dataclass(frozen=True)
class ExportFile:
    """A finished export: what to call it, its MIME type and its bytes."""

    filename: str
    mimetype: str
    data: bytes
    private: bool = False  # holds vendors' private data: do not cache


@dataclass(frozen=True)
class LayerTable:
    """A layer as rows of plain properties with their geometries (EPSG:4326)."""

    name: str
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]
    geometries: list[dict[str, Any]]


# ---------------------------------------------------------------------------------------------
# Rows


def layer_table(
    session: Session,
    *,
    city: City,
    layer: str,
    event: Event | None = None,
    include_private: bool = False,
) -> LayerTable:
    """The rows of one layer: a city's zones or facilities, or an event's booths."""
    spec = layer_named(layer)
    if spec is None:
        raise ServiceError(f"Lapisan '{layer}' tidak dikenal.", f"Unknown layer '{layer}'.")
    if spec.per_event:
        if event is None:
            raise ServiceError(
                "Ekspor lapak perlu acara (--event).", "Exporting booths needs an event (--event)."
            )
        if event.city_id != city.id:
            raise ServiceError(
                "Acara ini bukan milik kota tersebut.", "That event does not belong to this city."
            )
        return _booth_table(session, event, include_private=include_private)
    fc = spec.export_features(session, city, decimals=EXPORT_DECIMALS)
    columns = spec.export_columns
    rows = [{c: f["properties"].get(c) for c in columns} for f in fc["features"]]
    return LayerTable(layer, columns, rows, [f["geometry"] for f in fc["features"]])


def _booth_table(session: Session, event: Event, *, include_private: bool) -> LayerTable:
    from sqlalchemy import func

    holding_first = case((Assignment.status.in_(HOLDING_STATUSES), 0), else_=1)
    current = (
        select(
            Assignment.booth_id,
            Assignment.status,
            Assignment.vendor_id,
            func.row_number()
            .over(partition_by=Assignment.booth_id, order_by=(holding_first, Assignment.id.desc()))
            .label("rank"),
        )
        .where(Assignment.event_id == event.id)
        .subquery()
    )
    result = session.execute(
        select(Booth, func.ST_AsGeoJSON(Booth.geom, EXPORT_DECIMALS), current.c.status, Vendor)
        .outerjoin(current, (current.c.booth_id == Booth.id) & (current.c.rank == 1))
        .outerjoin(Vendor, Vendor.id == current.c.vendor_id)
        .where(Booth.event_id == event.id)
        .order_by(Booth.code)
    ).all()
    columns = BOOTH_COLUMNS + (PRIVATE_VENDOR_COLUMNS if include_private else ())
    rows, geometries = [], []
    for booth, gj, status, vendor in result:
        row: dict[str, Any] = {
            "id": booth.id,
            "code": booth.code,
            "kind": booth.kind,
            "service": booth.service,
            "label": booth.label,
            "width_m": booth.width_m,
            "depth_m": booth.depth_m,
            "locked": booth.locked,
            "has_electricity": booth.has_electricity,
            "accessible": booth.accessible,
            "cooking_allowed": booth.cooking_allowed,
            "reserved_category": booth.reserved_category,
            "assignment_status": status,
            "vendor_business_name": vendor.business_name if vendor else None,
            "vendor_category": vendor.category if vendor else None,
        }
        if include_private:
            row.update(
                {
                    "vendor_owner_name": vendor.owner_name if vendor else None,
                    "vendor_phone": vendor.phone if vendor else None,
                    "vendor_nib": vendor.nib if vendor else None,
                    "vendor_access_code": vendor.access_code if vendor else None,
                }
            )
        rows.append(row)
        geometries.append(json.loads(gj))
    return LayerTable("booths", columns, rows, geometries)


# ---------------------------------------------------------------------------------------------
# Formats


def export_layer(
    session: Session,
    *,
    city: City,
    layer: str,
    fmt: str,
    event: Event | None = None,
    include_private: bool = False,
) -> ExportFile:
    """Export one layer in ``fmt`` (``geojson``, ``gpkg``, ``csv`` or ``kml``).

    ``include_private`` adds vendors' owner name, phone, NIB and access code to booth exports;
    pass it only for planners (the route decides from the user's role).
    """
    if fmt not in EXPORT_FORMATS:
        raise ServiceError(
            f"Format '{fmt}' tidak dikenal (pilihan: {', '.join(EXPORT_FORMATS)}).",
            f"Unknown format '{fmt}' (one of: {', '.join(EXPORT_FORMATS)}).",
        )
    table = layer_table(
        session, city=city, layer=layer, event=event, include_private=include_private
    )
    writer = {"geojson": to_geojson, "gpkg": to_gpkg, "csv": to_csv, "kml": to_kml}[fmt]
    suffix, mimetype = EXPORT_FORMATS[fmt]
    per_event = LAYER_REGISTRY[layer].per_event
    stem = f"{city.slug}-{event.slug}-{layer}" if per_event and event else f"{city.slug}-{layer}"
    return ExportFile(
        f"{stem}{suffix}", mimetype, writer(table), private=include_private and per_event
    )


def to_geojson(table: LayerTable) -> bytes:
    """A GeoJSON FeatureCollection (RFC 7946)."""
    features = [
        {"type": "Feature", "id": row.get("id"), "geometry": geom, "properties": row}
        for row, geom in zip(table.rows, table.geometries, strict=True)
    ]
    return json.dumps(
        {"type": "FeatureCollection", "name": table.name, "features": features},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")


def _flat(value: Any) -> Any:
    """Lists (a zone's allowed categories) as ``a;b``, the form the import reads back."""
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return value


def _shapes(table: LayerTable) -> list[BaseGeometry]:
    return [shape(g) for g in table.geometries]


def _frame(table: LayerTable, columns: Sequence[str] | None = None) -> Any:
    import geopandas as gpd
    import pandas as pd

    columns = tuple(columns or table.columns)
    data: dict[str, Any] = {}
    for col in columns:
        values = [_flat(row.get(col)) for row in table.rows]
        if col in _INTEGER_COLUMNS:
            data[col] = pd.array(values, dtype="Int64")
        elif col in _BOOLEAN_COLUMNS:
            data[col] = pd.array(values, dtype="boolean")
        elif col in _FLOAT_COLUMNS:
            data[col] = pd.array(values, dtype="Float64")
        else:
            data[col] = pd.array(values, dtype=object)
    return gpd.GeoDataFrame(
        data, geometry=gpd.GeoSeries(_shapes(table), crs="EPSG:4326"), crs="EPSG:4326"
    )


def _write_ogr(frame: Any, *, driver: str, layer: str, geometry_type: str | None) -> bytes:
    import pyogrio

    buffer = io.BytesIO()
    kwargs: dict[str, Any] = {}
    if geometry_type:
        kwargs["geometry_type"] = geometry_type
    pyogrio.write_dataframe(frame, buffer, driver=driver, layer=layer, **kwargs)
    return buffer.getvalue()


def _geometry_type(table: LayerTable) -> str:
    kinds = {g["type"] for g in table.geometries}
    return kinds.pop() if len(kinds) == 1 else "Unknown"


def to_gpkg(table: LayerTable) -> bytes:
    """A GeoPackage with one layer named after the PetaLapak layer."""
    return _write_ogr(
        _frame(table), driver="GPKG", layer=table.name, geometry_type=_geometry_type(table)
    )


def to_kml(table: LayerTable) -> bytes:
    """KML (Google Earth, phones): placemarks named by zone/facility name or booth code."""
    import pyogrio

    frame = _frame(table)
    if "name" not in frame.columns and "code" in frame.columns:
        frame.insert(0, "name", frame["code"])  # a placemark's label
    driver = "LIBKML" if "LIBKML" in pyogrio.list_drivers(write=True) else "KML"
    return _write_ogr(frame, driver=driver, layer=table.name, geometry_type=None)


def _csv_cell(value: Any) -> str:
    value = _flat(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return escape_formula(str(value))


def to_csv(table: LayerTable) -> bytes:
    """CSV with a ``wkt`` geometry column and the ``lon``/``lat`` of each centroid.

    UTF-8 with a byte-order mark, so that spreadsheet programs read the names correctly.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*table.columns, "wkt", "lon", "lat"])
    for row, geom in zip(table.rows, _shapes(table), strict=True):
        centroid = geom.centroid
        writer.writerow(
            [
                *(_csv_cell(row.get(c)) for c in table.columns),
                shapely.to_wkt(geom, rounding_precision=EXPORT_DECIMALS, trim=True),
                f"{centroid.x:.{EXPORT_DECIMALS}f}",
                f"{centroid.y:.{EXPORT_DECIMALS}f}",
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
