"""Vendor registry: search, create and edit, documents, and CSV/XLSX import and export.

Import and export share one column layout (:data:`COLUMNS`). An import is checked row by row
first and then written in one transaction, or not at all; the report names the spreadsheet row,
the column and what is wrong, in Indonesian and English.

Rows with an ``id`` update that vendor (only the columns present in the file); rows without one
create a vendor. A NIB already held by another vendor, in the file or in the database, refuses
the import: an outside list never silently overwrites a registered vendor.

Spreadsheet formula injection: exported text cells that start with ``= + - @``, a tab or a
carriage return get a leading apostrophe (OWASP's advice); the import removes it again, so
export → import gives back the same values.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import time
import warnings
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.gis.rules import VENDOR_CATEGORIES
from app.messages import Msg
from app.models import City, Vendor
from app.services.access_codes import new_access_code
from app.services.errors import Conflict, NotFound, ServiceError

#: Columns of the import/export layout, in export order. Only ``owner_name``, ``business_name``
#: and ``category`` are required in an import file.
COLUMNS = (
    "id",
    "owner_name",
    "business_name",
    "category",
    "nib",
    "halal_cert_no",
    "halal_cert_expiry",
    "phone",
    "needs",
    "registered_on",
    "active",
    "notes",
)
REQUIRED_COLUMNS = ("owner_name", "business_name", "category")
#: Fields a planner may set through the form or the JSON API (``active`` has its own action).
EDITABLE_FIELDS = (
    "owner_name",
    "business_name",
    "category",
    "nib",
    "halal_cert_no",
    "halal_cert_expiry",
    "phone",
    "needs_electricity",
    "needs_accessibility",
    "registered_on",
    "notes",
)
#: A halal certificate expiring within this many days is flagged as "expiring".
EXPIRY_WARNING_DAYS = 60
MAX_IMPORT_ROWS = 20_000
PER_PAGE = 25
MAX_PER_PAGE = 100
UPLOAD_SUFFIXES = (".csv", ".xlsx")
UPLOAD_MAX_AGE_S = 24 * 3600

_MAX_LENGTH = {"owner_name": 160, "business_name": 200, "halal_cert_no": 60, "notes": 2000}
_PHONE = re.compile(r"^(\+62|62|0)8\d{7,11}$")
_NIB = re.compile(r"^\d{13}$")
_TRUE = {"true", "1", "ya", "y", "yes", "aktif"}
_FALSE = {"false", "0", "tidak", "t", "no", "n", "nonaktif"}
_NEEDS = {
    "listrik": "needs_electricity",
    "electricity": "needs_electricity",
    "aksesibilitas": "needs_accessibility",
    "accessibility": "needs_accessibility",
}
#: Control characters PostgreSQL (NUL) or XLSX refuse; tab and newline are kept.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


# ---------------------------------------------------------------------------------------------
# Problems and reports


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with one field of a vendor (form, API or import row)."""

    field: str
    message_id: str
    message_en: str
    severity: str = "error"  # "error" refuses the change; "warning" is shown but not blocking

    @property
    def msg(self) -> Msg:
        """The problem as a message for :func:`app.i18n.localize`."""
        return Msg.text(self.message_id, self.message_en)


class VendorValidationError(ServiceError):
    """Vendor data with field-level errors; nothing was written."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        super().__init__("Data pedagang belum benar.", "The vendor data is not valid.")
        self.fields: dict[str, FieldProblem] = {}
        for p in problems:
            self.fields.setdefault(p.field, p)

    def to_dict(self) -> dict[str, Any]:
        """JSON body for a 400 answer."""
        return {
            "error": "validation",
            "message": self.message_id,
            "message_en": self.message_en,
            "fields": {
                k: {"message": p.message_id, "message_en": p.message_en}
                for k, p in self.fields.items()
            },
        }


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
# Field cleaning, shared by the form, the JSON API and the import


def normalise_phone(raw: str) -> str:
    """Digits only, Indonesian form starting with 0 (``+62812…`` → ``0812…``).

    A leading zero that a spreadsheet dropped (``812…``) is put back.
    """
    digits = re.sub(r"[\s\-().]", "", raw)
    if digits.startswith("+62"):
        digits = "0" + digits[3:]
    elif digits.startswith("62"):
        digits = "0" + digits[2:]
    elif digits.startswith("8") and 8 <= len(digits) <= 12:
        digits = "0" + digits
    return digits


def _as_text(value: Any) -> str | None:
    """Strings (stripped, control characters removed) and integers as text; else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _CONTROL.sub("", value).strip()
    return None


def _as_date(value: Any) -> date | None:
    """ISO dates (``2026-12-31``), ``31/12/2026``, or date objects; ``ValueError`` otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError(value)
    raw = value.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError(raw)


def _as_bool(value: Any) -> bool:
    """Booleans, or the words of :data:`_TRUE` / :data:`_FALSE`; ``ValueError`` otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError(value)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_vendor_fields(
    raw: Mapping[str, Any], *, fields: Iterable[str], today: date
) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Check and convert the named ``fields`` of ``raw`` to model values.

    A missing or blank optional field becomes ``None`` (booleans ``False``). Returns the values
    and the problems; an expired halal certificate is a warning only.
    """
    values: dict[str, Any] = {}
    problems: list[FieldProblem] = []

    def bad(name: str, msg_id: str, msg_en: str, severity: str = "error") -> None:
        problems.append(FieldProblem(name, msg_id, msg_en, severity))

    for name in fields:
        value = raw.get(name)
        if name in ("owner_name", "business_name", "halal_cert_no", "notes"):
            text = _as_text(value) if value is not None else ""
            if text is None:
                bad(name, "Harus berupa teks.", "Must be text.")
                continue
            if not text and name in ("owner_name", "business_name"):
                bad(name, "Wajib diisi.", "Required.")
            elif len(text) > _MAX_LENGTH[name]:
                bad(
                    name,
                    f"Paling banyak {_MAX_LENGTH[name]} karakter.",
                    f"At most {_MAX_LENGTH[name]} characters.",
                )
            values[name] = text if name in ("owner_name", "business_name") else (text or None)
        elif name == "category":
            text = (_as_text(value) or "").lower() if value is not None else ""
            if not text:
                bad(name, "Wajib diisi.", "Required.")
            elif text not in VENDOR_CATEGORIES:
                bad(name, f"Kategori '{text}' tidak dikenal.", f"Unknown category '{text}'.")
            values[name] = text
        elif name == "nib":
            text = _as_text(value) if value is not None else ""
            text = re.sub(r"\s", "", text) if text is not None else None
            if text is None or (text and not _NIB.match(text)):
                bad(name, "NIB harus 13 digit angka.", "NIB must be 13 digits.")
            values[name] = text or None
        elif name == "phone":
            text = _as_text(value) if value is not None else ""
            phone = normalise_phone(text) if text else ""
            if text is None or (phone and not _PHONE.match(phone)):
                bad(name, f"Nomor HP '{value}' tidak sah.", f"Bad phone number '{value}'.")
            values[name] = phone or None
        elif name in ("halal_cert_expiry", "registered_on"):
            values[name] = None
            if not _blank(value):
                try:
                    values[name] = _as_date(value)
                except ValueError:
                    bad(
                        name,
                        f"Tanggal '{value}' tidak sah (TTTT-BB-HH).",
                        f"Bad date '{value}' (YYYY-MM-DD).",
                    )
        elif name in ("needs_electricity", "needs_accessibility", "active"):
            if _blank(value):
                values[name] = name == "active"
                continue
            try:
                values[name] = _as_bool(value)
            except ValueError:
                bad(
                    name,
                    f"Nilai '{value}' harus ya/tidak (true/false).",
                    f"'{value}' must be true/false.",
                )
        else:
            bad(name, f"Kolom '{name}' tidak dikenal.", f"Unknown field '{name}'.")
    expiry = values.get("halal_cert_expiry")
    if expiry is not None and expiry < today:
        bad(
            "halal_cert_expiry",
            f"Sertifikat halal kedaluwarsa sejak {expiry.isoformat()}.",
            f"Halal certificate expired on {expiry.isoformat()}.",
            severity="warning",
        )
    return values, problems


def _nib_holder(session: Session, city: City, nib: str, *, exclude_id: int | None) -> Vendor | None:
    stmt = select(Vendor).where(Vendor.city_id == city.id, Vendor.nib == nib)
    if exclude_id is not None:
        stmt = stmt.where(Vendor.id != exclude_id)
    return session.scalars(stmt.limit(1)).one_or_none()


def _nib_taken(holder: Vendor) -> FieldProblem:
    return FieldProblem(
        "nib",
        f"NIB {holder.nib} sudah terdaftar untuk pedagang #{holder.id}.",
        f"NIB {holder.nib} is already registered to vendor #{holder.id}.",
    )


def _commit(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(
            "Data bentrok dengan data pedagang lain (misalnya NIB ganda); tidak ada yang disimpan.",
            "The data clashes with another vendor (e.g. a duplicate NIB); nothing was saved.",
        ) from exc


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
        holder = _nib_holder(session, city, values["nib"], exclude_id=None)
        if holder is not None:
            errors.append(_nib_taken(holder))
    if errors:
        raise VendorValidationError(errors)
    vendor = Vendor(city=city, access_code=new_access_code(), active=True, **values)
    session.add(vendor)
    _commit(session)
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
        holder = _nib_holder(session, vendor.city, values["nib"], exclude_id=vendor.id)
        if holder is not None:
            errors.append(_nib_taken(holder))
    if errors:
        raise VendorValidationError(errors)
    for key, value in values.items():
        setattr(vendor, key, value)
    _commit(session)
    return vendor


def set_vendor_active(session: Session, vendor: Vendor, *, active: bool) -> Vendor:
    """Deactivate (kept in the registry, no longer allocated) or reactivate a vendor."""
    vendor.active = active
    _commit(session)
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
    if raw_active in _TRUE:
        active = True
    elif raw_active in _FALSE:
        active = False
    elif raw_active not in ("", "all", "semua"):
        problems.append(
            FieldProblem("active", "Nilai harus 1, 0 atau kosong.", "Must be 1, 0 or empty.")
        )
    if problems:
        raise VendorValidationError(problems)
    return VendorQuery(
        q=_CONTROL.sub("", args.get("q") or "").strip()[:100], category=category, active=active
    )


def parse_paging(args: Mapping[str, str], *, default_per_page: int = PER_PAGE) -> tuple[int, int]:
    """``page`` (from 1) and ``per_page`` (1 to :data:`MAX_PER_PAGE`); bad values fall back."""

    def number(key: str, default: int) -> int:
        try:
            return int(args.get(key) or default)
        except ValueError:
            return default

    page = max(1, number("page", 1))
    per_page = min(MAX_PER_PAGE, max(1, number("per_page", default_per_page)))
    return page, per_page


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(stmt: Select[Any], *, city: City, query: VendorQuery) -> Select[Any]:
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
        session.scalar(_filtered(select(func.count()).select_from(Vendor), city=city, query=query))
        or 0
    )
    items = session.scalars(
        _filtered(select(Vendor), city=city, query=query)
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


# ---------------------------------------------------------------------------------------------
# Formula injection


def escape_formula(value: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would run as a formula (OWASP).

    Text that already starts with an apostrophe followed by such a character (or another
    apostrophe) is prefixed too, so that :func:`unescape_formula` always reverses this.

    >>> escape_formula("=1+1")
    "'=1+1"
    >>> unescape_formula(escape_formula("'=1+1"))
    "'=1+1"
    """
    if value.startswith(_FORMULA_START) or (
        value.startswith("'") and value[1:2] != "" and value[1:2] in (*_FORMULA_START, "'")
    ):
        return "'" + value
    return value


def unescape_formula(value: str) -> str:
    """Remove the apostrophe :func:`escape_formula` added (and only that one)."""
    if value.startswith("'") and value[1:2] != "" and value[1:2] in (*_FORMULA_START, "'"):
        return value[1:]
    return value


# ---------------------------------------------------------------------------------------------
# Reading import files


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as the text the import parses."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unescape_formula(str(value))


def _header_key(value: Any) -> str:
    return _cell_text(value).strip().lower()


def _to_rows(records: Iterable[Sequence[Any]]) -> list[dict[str, str]]:
    """Header row, then one dict per row; a blank row stays (as ``{}``) to keep numbering."""
    it = iter(records)
    header = next(it, None)
    if header is None or not any(_header_key(h) for h in header):
        raise ServiceError(
            "Berkas kosong: baris pertama harus berisi nama kolom.",
            "Empty file: the first row must hold the column names.",
        )
    keys = [_header_key(h) for h in header]
    rows: list[dict[str, str]] = []
    for record in it:
        if len(rows) >= MAX_IMPORT_ROWS:
            raise ServiceError(
                f"Terlalu banyak baris (maksimal {MAX_IMPORT_ROWS}).",
                f"Too many rows (at most {MAX_IMPORT_ROWS}).",
            )
        cells = [_cell_text(c) for c in record]
        if not any(c.strip() for c in cells):
            rows.append({})
            continue
        rows.append({k: (cells[i] if i < len(cells) else "") for i, k in enumerate(keys) if k})
    return rows


def read_csv_text(text: str) -> list[dict[str, str]]:
    """Rows of a CSV text (comma or semicolon separated)."""
    first = text.splitlines()[0] if text else ""
    # Only the delimiter is guessed (from the header): the sniffer's other guesses, taken from
    # a header without quotes, would turn off Excel's doubled quotes ("").
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return _to_rows(csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter))


def read_xlsx(source: Path | io.BytesIO) -> list[dict[str, str]]:
    """Rows of the first worksheet of an XLSX workbook (values, not formulas)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    name = source.name if isinstance(source, Path) else "XLSX"
    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it drops (data validation, styles of
            # other tools); the values it reads are unaffected.
            warnings.simplefilter("ignore", UserWarning)
            workbook = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ServiceError(
            f"Berkas {name} bukan buku kerja XLSX yang dapat dibaca.",
            f"{name} is not a readable XLSX workbook.",
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        return _to_rows(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def read_rows(path: Path) -> list[dict[str, str]]:
    """Read an import file: CSV (UTF-8, with or without BOM; comma or semicolon) or XLSX."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return read_xlsx(path)
    if suffix not in (".csv", ".txt"):
        raise ServiceError(
            f"Jenis berkas {path.name} tidak didukung: gunakan .csv atau .xlsx.",
            f"Unsupported file {path.name}: use .csv or .xlsx.",
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ServiceError(
            f"Berkas {path.name} tidak dapat dibaca (harus CSV UTF-8): {exc}",
            f"Cannot read {path.name} (must be UTF-8 CSV): {exc}",
        ) from exc
    return read_csv_text(text)


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
    _commit(session)
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
    raw: dict[str, Any] = {f: cell(f) for f in fields if f not in _NEEDS.values()}
    if "needs_electricity" in fields:
        needs = {n.strip().lower() for n in cell("needs").split(";") if n.strip()}
        unknown = needs - set(_NEEDS)
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
        column = "needs" if p.field in _NEEDS.values() else p.field
        report.problems.append(RowProblem(rownum, column, p.message_id, p.message_en, p.severity))
    return target, values


# ---------------------------------------------------------------------------------------------
# Uploads kept between preview and confirmation


def save_upload(directory: Path, *, filename: str, data: bytes) -> str:
    """Keep an uploaded import file under a random token; return the token.

    Files older than a day are removed on the way.
    """
    suffix = Path(filename).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise ServiceError("Unggah berkas .csv atau .xlsx.", "Upload a .csv or .xlsx file.")
    directory.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - UPLOAD_MAX_AGE_S
    for old in directory.iterdir():
        if old.is_file() and old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    path = directory / f"{token}{suffix}"
    path.write_bytes(data)
    path.chmod(0o600)
    return token


def upload_path(directory: Path, token: str) -> Path:
    """The file kept under ``token``, or :class:`NotFound` (expired, used, or never there)."""
    if _TOKEN.match(token):
        for suffix in UPLOAD_SUFFIXES:
            path = directory / f"{token}{suffix}"
            if path.is_file():
                return path
    raise NotFound(
        "Berkas unggahan tidak ditemukan atau kedaluwarsa; unggah lagi.",
        "The uploaded file was not found or has expired; upload it again.",
    )


def discard_upload(directory: Path, token: str) -> None:
    """Remove the file kept under ``token`` (no error when it is gone)."""
    try:
        upload_path(directory, token).unlink(missing_ok=True)
    except NotFound:
        pass


# ---------------------------------------------------------------------------------------------
# Export


def export_table(
    session: Session, *, city: City, query: VendorQuery | None = None
) -> list[list[Any]]:
    """Header and one row per vendor in :data:`COLUMNS` order; text escaped against formulas.

    Dates stay :class:`date` objects (the XLSX writer keeps them as dates).
    """
    stmt = _filtered(select(Vendor), city=city, query=query or VendorQuery())
    table: list[list[Any]] = [list(COLUMNS)]
    for v in session.scalars(stmt.order_by(Vendor.id)):
        needs = [
            n
            for n, on in (
                ("listrik", v.needs_electricity),
                ("aksesibilitas", v.needs_accessibility),
            )
            if on
        ]
        row: list[Any] = [
            v.id,
            v.owner_name,
            v.business_name,
            v.category,
            v.nib,
            v.halal_cert_no,
            v.halal_cert_expiry,
            v.phone,
            ";".join(needs),
            v.registered_on,
            "true" if v.active else "false",
            v.notes,
        ]
        table.append(
            [escape_formula(_CONTROL.sub("", c)) if isinstance(c, str) else c for c in row]
        )
    return table


def export_csv(session: Session, *, city: City, query: VendorQuery | None = None) -> bytes:
    """The registry as UTF-8 CSV with a BOM (so spreadsheets guess the encoding)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    for row in export_table(session, city=city, query=query):
        writer.writerow(
            ["" if c is None else c.isoformat() if isinstance(c, date) else c for c in row]
        )
    return out.getvalue().encode("utf-8-sig")


def export_xlsx(session: Session, *, city: City, query: VendorQuery | None = None) -> bytes:
    """The registry as an XLSX workbook; every text cell is stored as text, never a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "pedagang"
    for r, row in enumerate(export_table(session, city=city, query=query), start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            if r == 1:
                cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for letter, width in zip(
        "ABCDEFGHIJKL", (6, 24, 30, 12, 16, 22, 14, 15, 20, 14, 8, 30), strict=True
    ):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


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
