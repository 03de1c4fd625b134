"""Vendor registry: import from CSV with a per-row report, all or nothing."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.gis.rules import VENDOR_CATEGORIES
from app.models import City, Vendor
from app.services.access_codes import new_access_code
from app.services.errors import ServiceError

COLUMNS = (
    "owner_name", "business_name", "category", "nib", "halal_cert_no", "halal_cert_expiry",
    "phone", "needs", "registered_on", "active",
)
_PHONE = re.compile(r"^(\+62|62|0)8\d{7,11}$")
_NIB = re.compile(r"^\d{13}$")
_TRUE = {"true", "1", "ya", "y", "yes", "aktif"}
_FALSE = {"false", "0", "tidak", "t", "no", "n", "nonaktif"}


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong with one row (row numbers as a spreadsheet shows them: header = 1)."""

    row: int
    column: str | None
    message_id: str
    message_en: str
    severity: str = "error"  # "error" blocks the import; "warning" is shown but not blocking

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return dict(self.__dict__)


@dataclass
class VendorImportReport:
    """Outcome of a vendor import."""

    total: int = 0
    created: int = 0
    updated: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    written: bool = False

    @property
    def errors(self) -> list[RowProblem]:
        """Problems that stop the import."""
        return [p for p in self.problems if p.severity == "error"]

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"total": self.total, "created": self.created, "updated": self.updated,
                "written": self.written, "problems": [p.to_dict() for p in self.problems]}


def normalise_phone(raw: str) -> str:
    """Digits only, Indonesian form starting with 0 (``+62812…`` → ``0812…``)."""
    digits = re.sub(r"[\s\-().]", "", raw)
    if digits.startswith("+62"):
        digits = "0" + digits[3:]
    elif digits.startswith("62"):
        digits = "0" + digits[2:]
    return digits


def read_rows(path: Path) -> list[dict[str, str]]:
    """Read a CSV file of vendors (UTF-8, with or without BOM; comma or semicolon)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ServiceError(f"Berkas {path.name} tidak dapat dibaca: {exc}",
                           f"Cannot read {path.name}: {exc}") from exc
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;") if text else csv.excel
    return list(csv.DictReader(text.splitlines(), dialect=dialect))


def import_vendors(
    session: Session, *, city: City, rows: Iterable[Mapping[str, str]], today: date,
    dry_run: bool = False,
) -> VendorImportReport:
    """Check every row, then create or update vendors (matched by NIB) in one transaction."""
    report = VendorImportReport()
    seen_nib: dict[str, int] = {}
    seen_phone: dict[str, int] = {}
    parsed: list[dict[str, Any]] = []
    for offset, row in enumerate(rows):
        rownum = offset + 2
        report.total += 1
        values, ok = _parse_row(row, rownum, today, report)
        nib = values.get("nib")
        if nib:
            if nib in seen_nib:
                report.problems.append(RowProblem(
                    rownum, "nib", f"NIB {nib} ganda (sama dengan baris {seen_nib[nib]}).",
                    f"Duplicate NIB {nib} (same as row {seen_nib[nib]})."))
                ok = False
            seen_nib[nib] = rownum
        phone = values.get("phone")
        if phone:
            if phone in seen_phone:
                report.problems.append(RowProblem(
                    rownum, "phone", f"Nomor HP ganda (sama dengan baris {seen_phone[phone]}).",
                    f"Duplicate phone (same as row {seen_phone[phone]})."))
                ok = False
            seen_phone[phone] = rownum
        if ok:
            parsed.append(values)
    if report.errors or dry_run:
        return report
    existing = {
        v.nib: v for v in session.scalars(select(Vendor).where(Vendor.city_id == city.id)) if v.nib
    }
    for values in parsed:
        vendor = existing.get(values["nib"]) if values.get("nib") else None
        if vendor is None:
            session.add(Vendor(city=city, access_code=new_access_code(), **values))
            report.created += 1
        else:
            for key, value in values.items():
                setattr(vendor, key, value)
            report.updated += 1
    session.commit()
    report.written = True
    return report


def _parse_row(
    row: Mapping[str, str], rownum: int, today: date, report: VendorImportReport
) -> tuple[dict[str, Any], bool]:
    ok = True

    def err(col: str, msg_id: str, msg_en: str, severity: str = "error") -> None:
        nonlocal ok
        report.problems.append(RowProblem(rownum, col, msg_id, msg_en, severity))
        if severity == "error":
            ok = False

    def cell(col: str) -> str:
        return (row.get(col) or "").strip()

    values: dict[str, Any] = {}
    for col in ("owner_name", "business_name"):
        if not cell(col):
            err(col, "Wajib diisi.", "Required.")
        values[col] = cell(col)[:200]
    category = cell("category").lower()
    if category not in VENDOR_CATEGORIES:
        err("category", f"Kategori '{category}' tidak dikenal.", f"Unknown category '{category}'.")
    values["category"] = category
    nib = cell("nib")
    if nib and not _NIB.match(nib):
        err("nib", "NIB harus 13 digit angka.", "NIB must be 13 digits.")
    values["nib"] = nib or None
    phone = normalise_phone(cell("phone")) if cell("phone") else ""
    if phone and not _PHONE.match(phone):
        err("phone", f"Nomor HP '{cell('phone')}' tidak sah.", f"Bad phone number '{cell('phone')}'.")
    values["phone"] = phone or None
    values["halal_cert_no"] = cell("halal_cert_no") or None
    for col in ("halal_cert_expiry", "registered_on"):
        raw = cell(col)
        values[col] = None
        if raw:
            try:
                values[col] = date.fromisoformat(raw)
            except ValueError:
                err(col, f"Tanggal '{raw}' tidak sah (TTTT-BB-HH).", f"Bad date '{raw}' (YYYY-MM-DD).")
    expiry = values["halal_cert_expiry"]
    if expiry is not None and expiry < today:
        err("halal_cert_expiry", f"Sertifikat halal kedaluwarsa sejak {expiry.isoformat()}.",
            f"Halal certificate expired on {expiry.isoformat()}.", severity="warning")
    needs = {n.strip().lower() for n in cell("needs").split(";") if n.strip()}
    unknown = needs - {"listrik", "aksesibilitas", "electricity", "accessibility"}
    if unknown:
        err("needs", f"Kebutuhan tidak dikenal: {', '.join(sorted(unknown))}",
            f"Unknown needs: {', '.join(sorted(unknown))}")
    values["needs_electricity"] = bool(needs & {"listrik", "electricity"})
    values["needs_accessibility"] = bool(needs & {"aksesibilitas", "accessibility"})
    active = cell("active").lower()
    if active and active not in _TRUE | _FALSE:
        err("active", f"Nilai '{active}' harus true/false.", f"'{active}' must be true/false.")
    values["active"] = active not in _FALSE
    return values, ok
