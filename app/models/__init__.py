"""The data model. Import models from here so that every table is registered on the metadata."""

from app.models.account import ROLES, AuditEntry, User
from app.models.base import Base
from app.models.basemap import (
    LANDMARK_SOURCES,
    ROAD_CLASSES,
    WATER_CLASSES,
    BasemapBuilding,
    BasemapRoad,
    BasemapSource,
    BasemapWater,
    Landmark,
)
from app.models.data_version import DataVersion
from app.models.desk import VISIT_STATUSES, DeskVisit
from app.models.event import EVENT_STATUSES, Booth, Event, event_corridor
from app.models.geo import City, ClearanceRule, Facility, FacilityKindRow, Zone
from app.models.history import HistoryStep
from app.models.print_job import PRINT_DOCUMENTS, PRINT_JOB_STATES, PrintJob
from app.models.season import (
    ANSWER_SOURCES,
    APPLICATION_STATUSES,
    NOTICE_CHANNELS,
    AttendanceAnswer,
    NoticeLog,
    StandingAttendance,
    VendorAbsence,
    VendorApplication,
)
from app.models.street import (
    REPORT_KINDS,
    REPORT_STATUSES,
    StreetReport,
    StreetReportStep,
)
from app.models.vendor import (
    ASSIGNMENT_STATUSES,
    HOLDING_STATUSES,
    AllocationRun,
    Assignment,
    Vendor,
)

__all__ = [
    "PRINT_DOCUMENTS",
    "PRINT_JOB_STATES",
    "PrintJob",
    "ANSWER_SOURCES",
    "APPLICATION_STATUSES",
    "NOTICE_CHANNELS",
    "AttendanceAnswer",
    "NoticeLog",
    "StandingAttendance",
    "VendorAbsence",
    "VendorApplication",
    "ASSIGNMENT_STATUSES",
    "EVENT_STATUSES",
    "HOLDING_STATUSES",
    "LANDMARK_SOURCES",
    "REPORT_KINDS",
    "REPORT_STATUSES",
    "ROAD_CLASSES",
    "ROLES",
    "WATER_CLASSES",
    "VISIT_STATUSES",
    "AllocationRun",
    "Assignment",
    "AuditEntry",
    "Base",
    "BasemapBuilding",
    "BasemapRoad",
    "BasemapSource",
    "BasemapWater",
    "Booth",
    "City",
    "ClearanceRule",
    "DataVersion",
    "DeskVisit",
    "Event",
    "Facility",
    "FacilityKindRow",
    "HistoryStep",
    "Landmark",
    "StreetReport",
    "StreetReportStep",
    "User",
    "Vendor",
    "Zone",
    "event_corridor",
]
