"""The vendor registry: look up, search, create, edit, deactivate, and documents due.

One transaction per change; a NIB already held by another vendor of the city is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from app.gis.rules import VENDOR_CATEGORIES
from app.models import City, Vendor
from app.services.access_codes import new_access_code
from app.services.errors import NotFound
from app.services.params import INT4_MAX, bounded_int
from app.services.vendors.fields import (
    CONTROL_CHARS,
    EDITABLE_FIELDS,
    EXPIRY_WARNING_DAYS,
    FALSE_WORDS,
    MAX_PER_PAGE,
    PER_PAGE,
    TRUE_WORDS,
    FieldProblem,
    VendorValidationError,
    clean_vendor_fields,
    commit_vendor_changes,
    nib_holder,
    nib_taken_problem,
    normalise_phone,
)

# ---------------------------------------------------------------------------------------------
# Registry: look up, search, create, edit, deactivate


def get_vendor(session: Session, vendor_id: int, *, city: City) -> Vendor:
    """Return the vendor ``vendor_id`` of ``city`` or raise :class:`NotFound`."""
    vendor = session.get(Vendor, vendor_id)
    if vendor is None or vendor.city_id != city.id:
        raise NotFound(f"Pedagang #{vendor_id} tidak ditemukan.", f"Vendor #{vendor_id} not found.")
    return vendor


def create_vendor(session: Session, *, city: City, data: Mapping[str, Any], today: date) -> Vendor:
    """Register a vendor with a fresh access code; raise :class:`VendorValidationError`."""
    unknown = [
        FieldProblem(k, f"Kolom '{k}' tidak dapat diisi.", f"Field '{k}' cannot be set.")
        for k in data
        if k not in EDITABLE_FIELDS
    ]
    values, problems = clean_vendor_fields(data, fields=EDITABLE_FIELDS, today=today)
    errors = unknown + [p for p in problems if p.severity == "error"]
    if not errors and values.get("nib"):
        holder = nib_holder(session, city, values["nib"], exclude_id=None)
        if holder is not None:
            errors.append(nib_taken_problem(holder))
    if errors:
        raise VendorValidationError(errors)
    vendor = Vendor(city=city, access_code=new_access_code(), active=True, **values)
    session.add(vendor)
    commit_vendor_changes(session)
    return vendor


def update_vendor(
    session: Session, vendor: Vendor, *, data: Mapping[str, Any], today: date
) -> Vendor:
    """Change the fields present in ``data`` (a partial update); raise on any field error."""
    unknown = [
        FieldProblem(k, f"Kolom '{k}' tidak dapat diubah.", f"Field '{k}' cannot be changed.")
        for k in data
        if k not in EDITABLE_FIELDS
    ]
    fields = [k for k in EDITABLE_FIELDS if k in data]
    values, problems = clean_vendor_fields(data, fields=fields, today=today)
    errors = unknown + [p for p in problems if p.severity == "error"]
    if not errors and values.get("nib"):
        holder = nib_holder(session, vendor.city, values["nib"], exclude_id=vendor.id)
        if holder is not None:
            errors.append(nib_taken_problem(holder))
    if errors:
        raise VendorValidationError(errors)
    for key, value in values.items():
        setattr(vendor, key, value)
    commit_vendor_changes(session)
    return vendor


def set_vendor_active(session: Session, vendor: Vendor, *, active: bool) -> Vendor:
    """Deactivate (kept in the registry, no longer allocated) or reactivate a vendor."""
    vendor.active = active
    commit_vendor_changes(session)
    return vendor


@dataclass(frozen=True)
class VendorQuery:
    """Search filters for the registry list, the API and the export."""

    q: str = ""
    category: str | None = None
    active: bool | None = None  # None: both


@dataclass(frozen=True)
class VendorPage:
    """One page of search results."""

    items: list[Vendor]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, -(-self.total // self.per_page))


def parse_vendor_query(args: Mapping[str, str]) -> VendorQuery:
    """Read ``q``, ``category`` and ``active`` (``1``/``0``/blank) from query parameters."""
    problems = []
    category = (args.get("category") or "").strip().lower() or None
    if category is not None and category not in VENDOR_CATEGORIES:
        problems.append(
            FieldProblem(
                "category",
                f"Kategori '{category}' tidak dikenal.",
                f"Unknown category '{category}'.",
            )
        )
    raw_active = (args.get("active") or "").strip().lower()
    active: bool | None = None
    if raw_active in TRUE_WORDS:
        active = True
    elif raw_active in FALSE_WORDS:
        active = False
    elif raw_active not in ("", "all", "semua"):
        problems.append(
            FieldProblem("active", "Nilai harus 1, 0 atau kosong.", "Must be 1, 0 or empty.")
        )
    if problems:
        raise VendorValidationError(problems)
    return VendorQuery(
        q=CONTROL_CHARS.sub("", args.get("q") or "").strip()[:100], category=category, active=active
    )


def parse_paging(args: Mapping[str, str], *, default_per_page: int = PER_PAGE) -> tuple[int, int]:
    """``page`` (from 1) and ``per_page`` (1 to :data:`MAX_PER_PAGE`); words fall back.

    A page number past :data:`~app.services.params.INT4_MAX` is refused (400) rather than
    handed to PostgreSQL's OFFSET, which cannot hold it.
    """

    def number(key: str, default: int) -> int:
        raw = (args.get(key) or "").strip()
        if re.fullmatch(r"[+-]?[0-9]+", raw):
            return bounded_int(raw, field=key, minimum=-INT4_MAX, maximum=INT4_MAX)
        return default

    page = max(1, number("page", 1))
    per_page = min(MAX_PER_PAGE, max(1, number("per_page", default_per_page)))
    return page, per_page


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filtered_query(stmt: Select[Any], *, city: City, query: VendorQuery) -> Select[Any]:
    stmt = stmt.where(Vendor.city_id == city.id)
    if query.category:
        stmt = stmt.where(Vendor.category == query.category)
    if query.active is not None:
        stmt = stmt.where(Vendor.active.is_(query.active))
    if query.q:
        pattern = f"%{_escape_like(query.q)}%"
        terms = [
            Vendor.owner_name.ilike(pattern, escape="\\"),
            Vendor.business_name.ilike(pattern, escape="\\"),
        ]
        digits = re.sub(r"\D", "", query.q)
        if len(digits) >= 3 and re.fullmatch(r"[\d\s\-+().]+", query.q):
            terms.append(Vendor.nib.like(f"%{digits}%"))
            terms.append(Vendor.phone.like(f"%{normalise_phone(query.q)}%"))
            terms.append(Vendor.phone.like(f"%{digits}%"))
        stmt = stmt.where(or_(*terms))
    return stmt


def search_vendors(
    session: Session, *, city: City, query: VendorQuery, page: int = 1, per_page: int = PER_PAGE
) -> VendorPage:
    """Vendors of ``city`` matching ``query`` (name, business, NIB or phone), one page."""
    total = (
        session.scalar(
            filtered_query(select(func.count()).select_from(Vendor), city=city, query=query)
        )
        or 0
    )
    items = session.scalars(
        filtered_query(select(Vendor), city=city, query=query)
        .order_by(func.lower(Vendor.business_name), Vendor.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return VendorPage(items=list(items), total=total, page=page, per_page=per_page)


# ---------------------------------------------------------------------------------------------
# Documents


def halal_status(expiry: date | None, *, today: date) -> str:
    """``none``, ``expired``, ``expiring`` (within :data:`EXPIRY_WARNING_DAYS`) or ``valid``.

    >>> halal_status(date(2026, 1, 31), today=date(2026, 1, 1))
    'expiring'
    >>> halal_status(date(2025, 12, 31), today=date(2026, 1, 1))
    'expired'
    """
    if expiry is None:
        return "none"
    if expiry < today:
        return "expired"
    if expiry <= today + timedelta(days=EXPIRY_WARNING_DAYS):
        return "expiring"
    return "valid"


def documents_due(
    session: Session, *, city: City, today: date, include_inactive: bool = False
) -> list[Vendor]:
    """Vendors whose halal certificate has expired or expires within 60 days, soonest first."""
    stmt = select(Vendor).where(
        Vendor.city_id == city.id,
        Vendor.halal_cert_expiry <= today + timedelta(days=EXPIRY_WARNING_DAYS),
    )
    if not include_inactive:
        stmt = stmt.where(Vendor.active.is_(True))
    return list(session.scalars(stmt.order_by(Vendor.halal_cert_expiry, Vendor.id)).all())


def vendor_to_dict(vendor: Vendor, *, today: date, include_access_code: bool) -> dict[str, Any]:
    """JSON form of a vendor; the access code only for planners."""
    out: dict[str, Any] = {"id": vendor.id, "active": vendor.active}
    for name in EDITABLE_FIELDS:
        value = getattr(vendor, name)
        out[name] = value.isoformat() if isinstance(value, date) else value
    out["halal_status"] = halal_status(vendor.halal_cert_expiry, today=today)
    if include_access_code:
        out["access_code"] = vendor.access_code
    return out


def vendors_by_id(session: Session, ids: Iterable[int]) -> dict[int, Vendor]:
    """The vendors with these ids, by id (ids that do not exist are left out)."""
    wanted = list(ids)
    if not wanted:
        return {}
    return {v.id: v for v in session.scalars(select(Vendor).where(Vendor.id.in_(wanted)))}


def active_vendor_count(session: Session) -> int:
    """How many vendors are active (may be allocated booths)."""
    count = session.scalar(select(func.count()).select_from(Vendor).where(Vendor.active))
    return int(count or 0)
