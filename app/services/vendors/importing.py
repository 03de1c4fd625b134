"""Vendor import: checked row by row first, then written in one transaction, or not at all.

The report names the spreadsheet row, the column and what is wrong, in Indonesian and English.
Rows with an ``id`` update that vendor (only the columns present in the file); rows without one
create a vendor. A NIB already held by another vendor, in the file or in the database, refuses
the import: an outside list never silently overwrites a registered vendor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.messages import Msg
from app.models import City, Vendor
from app.services.access_codes import new_access_code
from app.services.vendors.fields import (
    COLUMNS,
    NEEDS_WORDS,
    REQUIRED_COLUMNS,
    clean_vendor_fields,
    commit_vendor_changes,
)


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong with one row (row numbers as a spreadsheet shows them: header = 1)."""

    row: int
    column: str | None
    message_id: str
    message_en: str
    severity: str = "error"  # "error" blocks the import; "warning" is shown but not blocking

    @property
    def msg(self) -> Msg:
        """The problem as a message for the edge (:func:`app.i18n.localize`, the CLI)."""
        return Msg.text(self.message_id, self.message_en)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class PreviewRow:
    """A row as the import understood it, for the preview table."""

    row: int
    action: str  # "create", "update" or "error"
    values: dict[str, Any]


@dataclass
class VendorImportReport:
    """Outcome of a vendor import."""

    total: int = 0
    created: int = 0
    updated: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    written: bool = False
    rows: list[PreviewRow] = field(default_factory=list)

    @property
    def errors(self) -> list[RowProblem]:
        """Problems that stop the import."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[RowProblem]:
        """Problems shown but not blocking."""
        return [p for p in self.problems if p.severity == "warning"]

    def problems_by_row(self) -> dict[int, list[RowProblem]]:
        """Problems grouped by row number, for the preview table."""
        out: dict[int, list[RowProblem]] = {}
        for p in self.problems:
            out.setdefault(p.row, []).append(p)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "written": self.written,
            "problems": [p.to_dict() for p in self.problems],
        }


# ---------------------------------------------------------------------------------------------
# Import


def import_vendors(
    session: Session,
    *,
    city: City,
    rows: Iterable[Mapping[str, str]],
    today: date,
    dry_run: bool = False,
) -> VendorImportReport:
    """Check every row, then create or update vendors in one transaction (or write nothing).

    Rows with an ``id`` update that vendor of ``city``; others create one. Only the columns
    present in the file are changed on an update.
    """
    rows = list(rows)
    report = VendorImportReport()
    columns = {k for row in rows for k in row}
    fields = _import_fields(columns, report)
    known = {v.id: v for v in session.scalars(select(Vendor).where(Vendor.city_id == city.id))}
    db_nib = {v.nib: v for v in known.values() if v.nib}
    seen_nib: dict[str, int] = {}
    seen_phone: dict[str, int] = {}
    plan: list[tuple[Vendor | None, dict[str, Any]]] = []
    for offset, row in enumerate(rows):
        rownum = offset + 2
        if not any((v or "").strip() for v in row.values()):
            continue
        report.total += 1
        n_errors = len(report.errors)
        target, values = _parse_row(row, rownum, fields, known, today, report)
        nib = values.get("nib")
        if nib:
            if nib in seen_nib:
                report.problems.append(
                    RowProblem(
                        rownum,
                        "nib",
                        f"NIB {nib} ganda (sama dengan baris {seen_nib[nib]}).",
                        f"Duplicate NIB {nib} (same as row {seen_nib[nib]}).",
                    )
                )
            else:
                seen_nib[nib] = rownum
            holder = db_nib.get(nib)
            if holder is not None and (target is None or holder.id != target.id):
                report.problems.append(
                    RowProblem(
                        rownum,
                        "nib",
                        f"NIB {nib} sudah terdaftar untuk pedagang #{holder.id} "
                        f"({holder.business_name}); isi kolom id dengan {holder.id} "
                        "untuk memperbarui.",
                        f"NIB {nib} is already registered to vendor #{holder.id} "
                        f"({holder.business_name}); put {holder.id} in the id column to update it.",
                    )
                )
        phone = values.get("phone")
        if phone:
            if phone in seen_phone:
                report.problems.append(
                    RowProblem(
                        rownum,
                        "phone",
                        f"Nomor HP sama dengan baris {seen_phone[phone]}.",
                        f"Same phone number as row {seen_phone[phone]}.",
                        severity="warning",
                    )
                )
            else:
                seen_phone[phone] = rownum
        ok = len(report.errors) == n_errors
        action = "error" if not ok else ("update" if target is not None else "create")
        report.rows.append(PreviewRow(rownum, action, values))
        if ok:
            plan.append((target, values))
    if report.total == 0:
        report.problems.append(
            RowProblem(
                1, None, "Berkas tidak berisi baris pedagang.", "The file holds no vendor rows."
            )
        )
    report.created = sum(1 for target, _ in plan if target is None)
    report.updated = len(plan) - report.created
    if report.errors or dry_run:
        if report.errors:
            report.created = report.updated = 0
        return report
    # Updates first: a vendor giving up a NIB frees it before a new row takes it.
    for target, values in plan:
        if target is not None:
            for key, value in values.items():
                setattr(target, key, value)
    session.flush()
    for target, values in plan:
        if target is None:
            session.add(
                Vendor(city=city, access_code=new_access_code(), **{"active": True, **values})
            )
    commit_vendor_changes(session)
    report.written = True
    return report


def _import_fields(columns: set[str], report: VendorImportReport) -> list[str]:
    """Model fields the file's columns fill; missing required and unknown columns reported."""
    if not columns:
        return []
    for col in REQUIRED_COLUMNS:
        if col not in columns:
            report.problems.append(
                RowProblem(
                    1,
                    col,
                    f"Kolom wajib '{col}' tidak ada.",
                    f"Required column '{col}' is missing.",
                )
            )
    for col in sorted(columns - set(COLUMNS)):
        report.problems.append(
            RowProblem(
                1,
                col,
                f"Kolom '{col}' tidak dikenal; diabaikan.",
                f"Unknown column '{col}'; ignored.",
                "warning",
            )
        )
    fields = [c for c in COLUMNS if c in columns and c not in ("id", "needs")]
    if "needs" in columns:
        fields += ["needs_electricity", "needs_accessibility"]
    return fields


def _parse_row(
    row: Mapping[str, str],
    rownum: int,
    fields: list[str],
    known: Mapping[int, Vendor],
    today: date,
    report: VendorImportReport,
) -> tuple[Vendor | None, dict[str, Any]]:
    def cell(col: str) -> str:
        return (row.get(col) or "").strip()

    target: Vendor | None = None
    if cell("id"):
        try:
            target = known.get(int(cell("id")))
        except ValueError:
            target = None
        if target is None:
            report.problems.append(
                RowProblem(
                    rownum,
                    "id",
                    f"Pedagang dengan id '{cell('id')}' tidak ada di kota ini.",
                    f"No vendor with id '{cell('id')}' in this city.",
                )
            )
    raw: dict[str, Any] = {f: cell(f) for f in fields if f not in NEEDS_WORDS.values()}
    if "needs_electricity" in fields:
        needs = {n.strip().lower() for n in cell("needs").split(";") if n.strip()}
        unknown = needs - set(NEEDS_WORDS)
        if unknown:
            report.problems.append(
                RowProblem(
                    rownum,
                    "needs",
                    f"Kebutuhan tidak dikenal: {', '.join(sorted(unknown))}",
                    f"Unknown needs: {', '.join(sorted(unknown))}",
                )
            )
        raw["needs_electricity"] = bool(needs & {"listrik", "electricity"})
        raw["needs_accessibility"] = bool(needs & {"aksesibilitas", "accessibility"})
    values, problems = clean_vendor_fields(raw, fields=fields, today=today)
    for p in problems:
        column = "needs" if p.field in NEEDS_WORDS.values() else p.field
        report.problems.append(RowProblem(rownum, column, p.message_id, p.message_en, p.severity))
    return target, values
