"""Street reports: filing one from an officer's phone, the office's list, hot spots, status flow.

Invariants
----------
* A report is judged by the one conflict engine (:func:`app.gis.street.check_spot`): the answer on
  the officer's phone is what a planner's map would say about that spot at that time. What the
  officer was told (zone colour, facility kinds too close) is stored with the report, so the office
  filters by what was seen on the street, not by a map edited since.
* Every write is one transaction and audited: the report and each step of its status flow are
  watched by :mod:`app.services.audit`; each step also keeps who, when and the note.
* Photos are re-encoded as JPEG without EXIF (no GPS or device tags leave the phone), stored under
  the instance folder (outside the web root) and served only to staff with ``reports.read``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point
from sqlalchemy import and_, func, select, union, union_all
from sqlalchemy.orm import Session

from app.gis.crs import to_metric
from app.gis.shapes import FacilityShape, ZoneShape
from app.gis.street import ZONE_COLOURS, SpotCheck, check_spot
from app.models import (
    HOLDING_STATUSES,
    REPORT_KINDS,
    REPORT_STATUSES,
    Assignment,
    Booth,
    City,
    Facility,
    StreetReport,
    StreetReportStep,
    User,
    Zone,
)
from app.services.cities import clearances_for
from app.services.errors import NotFound, ServiceError
from app.services.photos import store_photo, stored_photo
from app.services.vendors import escape_formula

__all__ = [
    "MAX_PHOTO_BYTES",
    "CSV_COLUMNS",
    "NEXT_STATUSES",
    "HotSpot",
    "ReportFilters",
    "city_bounds",
    "city_map_bounds",
    "file_report",
    "free_booths",
    "free_spots",
    "green_zones",
    "get_report",
    "hot_spots",
    "list_reports",
    "move_report",
    "photo_file",
    "report_feature",
    "report_point",
    "step_users",
    "relocation_text",
    "reports_csv",
    "spot_check",
]

#: The status flow: from each status, where a report may go next.
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    "baru": ("ditinjau",),
    "ditinjau": ("ditertibkan", "direlokasi"),
    "ditertibkan": ("selesai",),
    "direlokasi": ("selesai",),
    "selesai": (),
}

#: Largest photo accepted (bytes): a phone photo is 2–5 MB; more is not a photo of a stall.
MAX_PHOTO_BYTES = 8 * 1024 * 1024
#: Longest side of a stored photo (pixels): enough to see the stall, small on the office's disk.
PHOTO_MAX_SIDE_PX = 1600
#: How far (metres) to look for facilities and zones around a spot: above any clearance, and
#: far enough for the nearest green zone in a city centre.
SEARCH_RADIUS_M = 3000.0
#: Hot spots: reports within this many metres of each other belong to one place…
HOT_SPOT_EPS_M = 30.0
#: …and a place with at least this many reports is a hot spot.
HOT_SPOT_MIN_REPORTS = 3
NOTE_MAX_CHARS = 1000


def _where(lon: float, lat: float, city: City) -> Point:
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise ServiceError("Lokasi tidak valid.", "The location is not valid.")
    if city.extent is not None:
        extent = to_shape(city.extent)
        if not extent.buffer(0.05).covers(Point(lon, lat)):
            raise ServiceError(
                f"Lokasi berada di luar wilayah {city.name}.",
                f"The location is outside {city.name}.",
            )
    return Point(lon, lat)


def free_booths(session: Session, zone: Zone, on: date) -> Sequence[Booth]:
    """The zone's permanent vendor booths that no permit holds on day ``on``, by code."""
    return session.scalars(
        select(Booth)
        .where(
            Booth.zone_id == zone.id,
            Booth.event_id.is_(None),
            Booth.kind == "vendor",
            Booth.id.not_in(_held_booths(on)),
        )
        .order_by(Booth.code)
    ).all()


def green_zones(session: Session, city: City) -> Sequence[Zone]:
    """The city's green (legal PKL) zones, by name."""
    return session.scalars(
        select(Zone).where(Zone.city_id == city.id, Zone.kind == "pkl_legal").order_by(Zone.name)
    ).all()


def _held_booths(on: date) -> Any:
    """Permanent booths taken on ``on``: by a permit, or by vendors relocated there."""
    permits = select(Assignment.booth_id).where(
        Assignment.event_id.is_(None),
        Assignment.status.in_(HOLDING_STATUSES),
        Assignment.valid_from <= on,
        (Assignment.valid_to.is_(None)) | (Assignment.valid_to >= on),
    )
    relocated = select(StreetReport.relocation_booth_id).where(
        StreetReport.relocation_booth_id.is_not(None),
        StreetReport.status.in_(("direlokasi", "selesai")),
    )
    return union(permits, relocated).scalar_subquery()


def free_spots(session: Session, city: City, on: date) -> dict[int | str, int]:
    """Free spots per green zone on day ``on``.

    A zone with permanent booths counts those without a permit holding them that day; a zone with
    no booths drawn yet counts its capacity (no capacity either: no free spots known).
    """
    held = _held_booths(on)
    rows = session.execute(
        select(
            Zone.id,
            Zone.capacity,
            func.count(Booth.id),
            func.count(Booth.id).filter(Booth.id.not_in(held)),
        )
        .outerjoin(
            Booth, and_(Booth.zone_id == Zone.id, Booth.event_id.is_(None), Booth.kind == "vendor")
        )
        .where(Zone.city_id == city.id, Zone.kind == "pkl_legal")
        .group_by(Zone.id, Zone.capacity)
    ).all()
    out: dict[int | str, int] = {}
    for zone_id, capacity, booths, free in rows:
        if booths:
            out[zone_id] = int(free)
        elif capacity:
            out[zone_id] = int(capacity)
    return out


def spot_check(session: Session, city: City, point: Point, at: datetime) -> SpotCheck:
    """What the rules say about ``point`` (EPSG:4326) at ``at`` (city time)."""
    epsg = city.metric_epsg
    geog = func.ST_SetSRID(func.ST_MakePoint(point.x, point.y), 4326)
    # A box in degrees uses the GiST indexes; the engine measures exactly in metres afterwards.
    radius_deg = SEARCH_RADIUS_M / 111_000.0
    box = func.ST_Expand(geog, radius_deg)
    facilities = session.scalars(
        select(Facility)
        .where(Facility.city_id == city.id, func.ST_Intersects(Facility.geom, box))
        .order_by(Facility.id)
    ).all()
    zones = session.scalars(
        select(Zone)
        .where(
            Zone.city_id == city.id,
            Zone.kind.in_(tuple(ZONE_COLOURS)),
            func.ST_Intersects(Zone.geom, box),
        )
        .order_by(Zone.id)
    ).all()
    return check_spot(
        to_metric(point, epsg),
        facilities=[
            FacilityShape(f.id, f.kind, to_metric(to_shape(f.geom), epsg), f.name or "")
            for f in facilities
        ],
        zones=[
            ZoneShape(
                z.id,
                z.kind,
                to_metric(to_shape(z.geom), epsg),
                z.name,
                (z.hours_start, z.hours_end)
                if z.hours_start is not None and z.hours_end is not None
                else None,
            )
            for z in zones
        ],
        clearances_m=clearances_for(city),
        at=time(at.hour, at.minute),
        free_spots=free_spots(session, city, at.date()),
    )


def _clean_note(note: str | None) -> str | None:
    text = (note or "").strip()
    if len(text) > NOTE_MAX_CHARS:
        raise ServiceError(
            f"Catatan terlalu panjang (paling banyak {NOTE_MAX_CHARS} karakter).",
            f"The note is too long (at most {NOTE_MAX_CHARS} characters).",
        )
    return text or None


def _store_photo(photo: bytes, photo_dir: Path) -> str:
    """Re-encode ``photo`` as a JPEG without EXIF under ``photo_dir``; return its file name."""
    return store_photo(photo, photo_dir, max_bytes=MAX_PHOTO_BYTES, max_side_px=PHOTO_MAX_SIDE_PX)


def photo_file(report: StreetReport, photo_dir: Path) -> Path | None:
    """The stored photo of ``report``, if it has one and the file is there."""
    return stored_photo(report.photo_path, photo_dir)


def file_report(
    session: Session,
    *,
    city: City,
    lon: float,
    lat: float,
    kind: str,
    count: int,
    note: str | None,
    photo: bytes | None,
    photo_dir: Path,
    reporter: User,
    now: datetime,
) -> tuple[StreetReport, SpotCheck]:
    """File a report at (``lon``, ``lat``) and return it with the rules' answer for that spot."""
    if kind not in REPORT_KINDS:
        raise ServiceError("Pilih lapak, gerobak atau tenda.", "Choose a stall, cart or tent.")
    if not 1 <= count <= 500:
        raise ServiceError(
            "Jumlah harus antara 1 dan 500.", "The number must be between 1 and 500."
        )
    point = _where(lon, lat, city)
    clean_note = _clean_note(note)
    check = spot_check(session, city, point, now)
    photo_name = _store_photo(photo, photo_dir) if photo else None
    report = StreetReport(
        city_id=city.id,
        geom=from_shape(point, 4326),
        kind=kind,
        count=count,
        note=clean_note,
        photo_path=photo_name,
        status="baru",
        reporter_id=reporter.id,
        reported_at=now,
        zone_colour=check.zone.colour,
        facility_kinds=sorted({c.kind for c in check.clearances}) or None,
    )
    report.steps.append(StreetReportStep(status="baru", note=clean_note, user_id=reporter.id))
    session.add(report)
    session.commit()
    return report, check


def get_report(session: Session, city: City, report_id: int) -> StreetReport:
    """The report ``report_id`` of ``city``; :class:`NotFound` otherwise."""
    report = session.get(StreetReport, report_id)
    if report is None or report.city_id != city.id:
        raise NotFound("Laporan tidak ditemukan.", "Report not found.")
    return report


def move_report(
    session: Session,
    report: StreetReport,
    *,
    to: str,
    note: str | None,
    user: User,
    on: date,
    zone_id: int | None = None,
    booth_id: int | None = None,
) -> StreetReport:
    """Take ``report`` one step along its flow; a relocation names a green zone (and a booth)."""
    if to not in REPORT_STATUSES or to not in NEXT_STATUSES[report.status]:
        raise ServiceError(
            f"Laporan berstatus '{report.status}' tidak dapat diubah menjadi '{to}'.",
            f"A report with status '{report.status}' cannot be moved to '{to}'.",
        )
    if to == "direlokasi":
        zone = session.get(Zone, zone_id) if zone_id is not None else None
        if zone is None or zone.city_id != report.city_id or zone.kind != "pkl_legal":
            raise ServiceError(
                "Untuk relokasi, pilih zona hijau (zona PKL resmi).",
                "For a relocation, choose a green zone (a legal PKL zone).",
            )
        if booth_id is not None:
            if booth_id not in {b.id for b in free_booths(session, zone, on)}:
                raise ServiceError(
                    "Lapak yang dipilih tidak kosong atau tidak berada di zona tersebut.",
                    "The chosen booth is taken or not in that zone.",
                )
        report.relocation_zone_id = zone.id
        report.relocation_booth_id = booth_id
    report.status = to
    report.steps.append(StreetReportStep(status=to, note=_clean_note(note), user_id=user.id))
    session.commit()
    return report


@dataclass(frozen=True)
class ReportFilters:
    """The office list's filters; ``None`` means any."""

    status: str | None = None
    colour: str | None = None
    facility_kind: str | None = None
    week: date | None = None  # any day of the week (Monday to Sunday) to show

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in REPORT_STATUSES:
            raise ServiceError("Status tidak dikenal.", "Unknown status.")
        if self.colour is not None and self.colour not in (*set(ZONE_COLOURS.values()), "none"):
            raise ServiceError("Warna zona tidak dikenal.", "Unknown zone colour.")


def list_reports(
    session: Session, city: City, filters: ReportFilters, *, timezone: str, limit: int = 1000
) -> Sequence[StreetReport]:
    """The city's reports matching ``filters``, newest first; weeks run in ``timezone``."""
    query = select(StreetReport).where(StreetReport.city_id == city.id)
    if filters.status:
        query = query.where(StreetReport.status == filters.status)
    if filters.colour == "none":
        query = query.where(StreetReport.zone_colour.is_(None))
    elif filters.colour:
        query = query.where(StreetReport.zone_colour == filters.colour)
    if filters.facility_kind:
        query = query.where(StreetReport.facility_kinds.contains([filters.facility_kind]))
    if filters.week:
        monday = filters.week - timedelta(days=filters.week.weekday())
        local_day = func.date(func.timezone(timezone, StreetReport.reported_at))
        query = query.where(local_day >= monday, local_day < monday + timedelta(days=7))
    return session.scalars(
        query.order_by(StreetReport.reported_at.desc(), StreetReport.id.desc()).limit(limit)
    ).all()


@dataclass(frozen=True)
class HotSpot:
    """Reports clustered by place: where they are, how many, over how many weeks."""

    lon: float
    lat: float
    reports: int
    weeks: int
    first: datetime
    last: datetime


def hot_spots(session: Session, city: City) -> list[HotSpot]:
    """Places with repeated reports (DBSCAN in the city's metric CRS), most reports first."""
    metric = func.ST_Transform(StreetReport.geom, city.metric_epsg)
    cluster = (
        func.ST_ClusterDBSCAN(metric, HOT_SPOT_EPS_M, HOT_SPOT_MIN_REPORTS).over().label("cluster")
    )
    clustered = (
        select(StreetReport.geom, StreetReport.reported_at, cluster)
        .where(StreetReport.city_id == city.id)
        .subquery()
    )
    centre = func.ST_Centroid(func.ST_Collect(clustered.c.geom))
    rows = session.execute(
        select(
            func.ST_X(centre),
            func.ST_Y(centre),
            func.count(),
            func.count(func.distinct(func.date_trunc("week", clustered.c.reported_at))),
            func.min(clustered.c.reported_at),
            func.max(clustered.c.reported_at),
        )
        .where(clustered.c.cluster.is_not(None))
        .group_by(clustered.c.cluster)
        .order_by(func.count().desc())
    ).all()
    return [HotSpot(float(x), float(y), int(n), int(w), a, b) for x, y, n, w, a, b in rows]


def city_bounds(city: City) -> list[float]:
    """The city's extent as ``[min lon, min lat, max lon, max lat]`` (the world if unset)."""
    if city.extent is not None:
        return [float(v) for v in to_shape(city.extent).bounds]
    return [-180.0, -85.0, 180.0, 85.0]


#: The smallest view :func:`city_map_bounds` opens on, in degrees (about 220 m at the equator):
#: one facility alone would otherwise open the map at its highest zoom.
MIN_VIEW_DEG = 0.002


def city_map_bounds(session: Session, city: City) -> list[float]:
    """Where a city's street maps open: ``[min lon, min lat, max lon, max lat]``.

    The extent of the city's zones and facilities, where the streets are (the city's boundary
    holds much more: rice fields, the river, the suburbs, and a street is a speck in it). A city
    with neither opens on its boundary (:func:`city_bounds`). A very small extent is widened
    around its centre to at least :data:`MIN_VIEW_DEG` on each side.
    """
    geoms = union_all(
        select(Zone.geom.label("g")).where(Zone.city_id == city.id),
        select(Facility.geom.label("g")).where(Facility.city_id == city.id),
    ).subquery()
    extent = func.ST_Extent(geoms.c.g)
    box = session.execute(
        select(
            func.ST_XMin(extent), func.ST_YMin(extent), func.ST_XMax(extent), func.ST_YMax(extent)
        )
    ).one()
    if box[0] is None:
        return city_bounds(city)
    west, south, east, north = (float(v) for v in box)
    half_w = max((east - west) / 2, MIN_VIEW_DEG / 2)
    half_h = max((north - south) / 2, MIN_VIEW_DEG / 2)
    cx, cy = (west + east) / 2, (south + north) / 2
    return [cx - half_w, cy - half_h, cx + half_w, cy + half_h]


def report_point(report: StreetReport) -> Point:
    """The report's spot (EPSG:4326)."""
    point = to_shape(report.geom)
    assert isinstance(point, Point)
    return point


def step_users(session: Session, report: StreetReport) -> dict[int, str]:
    """E-mail of each staff member who filed or moved ``report``, by user id."""
    ids = {s.user_id for s in report.steps if s.user_id is not None}
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.email).where(User.id.in_(ids)))
    return {user_id: email for user_id, email in rows}


def relocation_text(session: Session, report: StreetReport) -> str:
    """Where the report's vendors were moved: ``"Pasar Tengah · PT-012"`` (empty when not)."""
    zone = session.get(Zone, report.relocation_zone_id) if report.relocation_zone_id else None
    if zone is None:
        return ""
    booth = session.get(Booth, report.relocation_booth_id) if report.relocation_booth_id else None
    return f"{zone.name} · {booth.code}" if booth is not None else zone.name


def report_feature(report: StreetReport) -> dict[str, Any]:
    """The report as a GeoJSON feature (no reporter identity, no photo path)."""
    point = to_shape(report.geom)
    return {
        "type": "Feature",
        "id": report.id,
        "geometry": {"type": "Point", "coordinates": [point.x, point.y]},
        "properties": {
            "id": report.id,
            "kind": report.kind,
            "count": report.count,
            "status": report.status,
            "zone_colour": report.zone_colour,
            "facility_kinds": report.facility_kinds or [],
            "note": report.note,
            "reported_at": report.reported_at.isoformat(),
            "relocation_zone_id": report.relocation_zone_id,
            "relocation_booth_id": report.relocation_booth_id,
            "has_photo": bool(report.photo_path),
        },
    }


#: CSV columns of the office's export, in order.
CSV_COLUMNS = (
    "id",
    "reported_at",
    "lon",
    "lat",
    "kind",
    "count",
    "status",
    "zone_colour",
    "facility_kinds",
    "relocation_zone_id",
    "relocation_booth_id",
    "note",
)


def reports_csv(reports: Sequence[StreetReport]) -> str:
    """The reports as CSV; text a spreadsheet would run as a formula is escaped."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for report in reports:
        point = to_shape(report.geom)
        writer.writerow(
            [
                report.id,
                report.reported_at.isoformat(),
                f"{point.x:.7f}",
                f"{point.y:.7f}",
                report.kind,
                report.count,
                report.status,
                report.zone_colour or "",
                " ".join(report.facility_kinds or []),
                report.relocation_zone_id or "",
                report.relocation_booth_id or "",
                escape_formula(report.note or ""),
            ]
        )
    return out.getvalue()
