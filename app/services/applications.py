"""Applications to trade: the public form at ``/daftar`` and the planner's review queue.

Anyone may apply without an account. The answer is the same whether or not the phone number
is already known (no one learns who is registered); the applicant gets a status code to read the
decision later. A planner sees duplicates flagged (the same phone or NIB as a vendor or another
application), approves (a vendor with a fresh access code is created, in the same transaction)
or rejects with a reason the applicant reads with their status code. Every change is audited:
applications through the audit listener, the vendor an approval creates with its own entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.models import City, Vendor, VendorApplication
from app.services.access_codes import new_access_code, normalise_code
from app.services.audit import record
from app.services.errors import Conflict, NotFound
from app.services.photos import store_photo, stored_photo
from app.services.vendors.fields import (
    FieldProblem,
    VendorValidationError,
    clean_vendor_fields,
    commit_vendor_changes,
    nib_holder,
    nib_taken_problem,
)

__all__ = [
    "APPLICATION_FIELDS",
    "Duplicate",
    "PHOTO_MAX_SIDE_PX",
    "REASON_MAX_CHARS",
    "application_photo",
    "approve",
    "duplicates_of",
    "find_by_status_code",
    "get_application",
    "list_applications",
    "reject",
    "submit_application",
]

#: What the form asks, in its order (the photo comes separately).
APPLICATION_FIELDS = (
    "owner_name",
    "phone",
    "business_name",
    "category",
    "nib",
    "halal_cert_no",
    "halal_cert_expiry",
)
#: Longest side of a stored stall photo (pixels).
PHOTO_MAX_SIDE_PX = 1600
REASON_MAX_CHARS = 1000


def submit_application(
    session: Session,
    *,
    city: City,
    data: Mapping[str, Any],
    photo: bytes | None,
    photo_dir: Path,
    max_photo_bytes: int,
    today: date,
) -> VendorApplication:
    """File an application; raise :class:`VendorValidationError` naming each bad field. Commits.

    Known phones and NIBs are accepted like any other (the review flags them), so the answer
    says nothing about who is registered.
    """
    values, problems = clean_vendor_fields(data, fields=APPLICATION_FIELDS, today=today)
    errors = [p for p in problems if p.severity == "error"]
    if not values.get("phone") and not any(p.field == "phone" for p in errors):
        errors.append(FieldProblem("phone", "Wajib diisi.", "Required."))
    if errors:
        raise VendorValidationError(errors)
    photo_name = (
        store_photo(photo, photo_dir, max_bytes=max_photo_bytes, max_side_px=PHOTO_MAX_SIDE_PX)
        if photo
        else None
    )
    application = VendorApplication(
        city_id=city.id,
        status_code=new_access_code(),
        status="pending",
        photo_path=photo_name,
        **values,
    )
    session.add(application)
    session.commit()
    return application


def find_by_status_code(session: Session, code: str) -> VendorApplication | None:
    """The application with this status code (as people type it), or None."""
    normalised = normalise_code(code)
    if not 8 <= len(normalised) <= 16:
        return None
    return session.scalars(
        select(VendorApplication).where(VendorApplication.status_code == normalised)
    ).one_or_none()


def get_application(session: Session, city: City, application_id: int) -> VendorApplication:
    """The application ``application_id`` of ``city``; :class:`NotFound` otherwise."""
    application = session.get(VendorApplication, application_id)
    if application is None or application.city_id != city.id:
        raise NotFound(
            f"Pendaftaran #{application_id} tidak ditemukan.",
            f"Application #{application_id} not found.",
        )
    return application


@dataclass(frozen=True)
class Duplicate:
    """A vendor or another application with the same phone or NIB as an application."""

    kind: str  # "vendor" or "application"
    id: int
    name: str
    match: str  # "phone" or "nib"


def duplicates_of(
    session: Session, applications: Sequence[VendorApplication]
) -> dict[int, list[Duplicate]]:
    """For each application, the vendors and other applications sharing its phone or NIB.

    Two queries for the whole list. A rejected application is not counted against others.
    """
    if not applications:
        return {}
    city_ids = {a.city_id for a in applications}
    phones = {a.phone for a in applications}
    nibs = {a.nib for a in applications if a.nib}
    vendors = session.scalars(
        select(Vendor).where(
            Vendor.city_id.in_(city_ids),
            or_(Vendor.phone.in_(phones), Vendor.nib.in_(nibs)),
        )
    ).all()
    others = session.scalars(
        select(VendorApplication).where(
            VendorApplication.city_id.in_(city_ids),
            VendorApplication.status != "rejected",
            or_(VendorApplication.phone.in_(phones), VendorApplication.nib.in_(nibs)),
        )
    ).all()
    out: dict[int, list[Duplicate]] = {}
    for a in applications:
        found: list[Duplicate] = []
        for v in vendors:
            if v.city_id != a.city_id or v.id == a.vendor_id:
                continue
            match = "phone" if v.phone == a.phone else "nib" if a.nib and v.nib == a.nib else ""
            if match:
                found.append(Duplicate("vendor", v.id, v.business_name, match))
        for o in others:
            if o.id == a.id or o.city_id != a.city_id:
                continue
            match = "phone" if o.phone == a.phone else "nib" if a.nib and o.nib == a.nib else ""
            if match:
                found.append(Duplicate("application", o.id, o.business_name, match))
        out[a.id] = found
    return out


def list_applications(
    session: Session, city: City, *, status: str | None = "pending"
) -> list[VendorApplication]:
    """The city's applications, oldest first (all statuses when ``status`` is None)."""
    stmt = select(VendorApplication).where(VendorApplication.city_id == city.id)
    if status is not None:
        stmt = stmt.where(VendorApplication.status == status)
    return list(session.scalars(stmt.order_by(VendorApplication.id)).all())


def _pending(session: Session, application: VendorApplication) -> VendorApplication:
    locked = session.scalars(
        select(VendorApplication)
        .where(VendorApplication.id == application.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if locked.status != "pending":
        raise Conflict(
            "Pendaftaran ini sudah diputuskan.", "This application has already been decided."
        )
    return locked


def approve(
    session: Session,
    application: VendorApplication,
    *,
    user_id: int | None,
    today: date,
    now: datetime,
) -> Vendor:
    """Create the vendor with a fresh access code and mark the application approved. Commits.

    Refused when the NIB is already a vendor's (the planner edits or rejects instead).
    """
    application = _pending(session, application)
    data = {f: getattr(application, f) for f in APPLICATION_FIELDS}
    values, problems = clean_vendor_fields(data, fields=APPLICATION_FIELDS, today=today)
    errors = [p for p in problems if p.severity == "error"]
    if not errors and values.get("nib"):
        holder = nib_holder(session, application.city, values["nib"], exclude_id=None)
        if holder is not None:
            errors.append(nib_taken_problem(holder))
    if errors:
        raise VendorValidationError(errors)
    vendor = Vendor(
        city_id=application.city_id,
        access_code=new_access_code(),
        active=True,
        registered_on=today,
        **values,
    )
    session.add(vendor)
    session.flush()
    application.status = "approved"
    application.vendor_id = vendor.id
    application.reviewed_by = user_id
    application.reviewed_at = now
    record(
        session,
        action="create",
        entity="vendor",
        entity_id=vendor.id,
        after={"from_application": application.id, "business_name": vendor.business_name},
    )
    commit_vendor_changes(session)
    return vendor


def reject(
    session: Session,
    application: VendorApplication,
    *,
    reason: str,
    user_id: int | None,
    now: datetime,
) -> VendorApplication:
    """Reject with a reason the applicant reads with their status code. Commits."""
    text = (reason or "").strip()
    if not text:
        raise VendorValidationError(
            [FieldProblem("reason", "Tuliskan alasan penolakan.", "Write the reason.")]
        )
    if len(text) > REASON_MAX_CHARS:
        raise VendorValidationError(
            [
                FieldProblem(
                    "reason",
                    f"Paling banyak {REASON_MAX_CHARS} karakter.",
                    f"At most {REASON_MAX_CHARS} characters.",
                )
            ]
        )
    application = _pending(session, application)
    application.status = "rejected"
    application.reject_reason = text
    application.reviewed_by = user_id
    application.reviewed_at = now
    session.commit()
    return application


def application_photo(application: VendorApplication, photo_dir: Path) -> Path | None:
    """The stored stall photo of ``application``, if any."""
    return stored_photo(application.photo_path, photo_dir)
