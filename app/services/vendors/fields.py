"""Vendor fields: the import/export column layout, and the checks every way in shares.

The form, the JSON API and the spreadsheet import all clean a vendor's fields with
:func:`clean_vendor_fields`, so a phone number, a NIB or a date is judged the same wherever it
comes from; each problem names its field, in Indonesian and English.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.gis.rules import VENDOR_CATEGORIES
from app.messages import Msg
from app.models import City, Vendor
from app.services.errors import Conflict, ServiceError

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
    "needs_cooking",
    "min_booths",
    "max_booths",
    "preferred_booths",
    "registered_on",
    "notes",
)
#: Most booths side by side one vendor may take (the database checks the same).
MAX_BOOTHS = 4
#: Most preferred booths a vendor may list.
MAX_PREFERRED_BOOTHS = 10
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
TRUE_WORDS = {"true", "1", "ya", "y", "yes", "aktif"}
FALSE_WORDS = {"false", "0", "tidak", "t", "no", "n", "nonaktif"}
NEEDS_WORDS = {
    "listrik": "needs_electricity",
    "electricity": "needs_electricity",
    "aksesibilitas": "needs_accessibility",
    "accessibility": "needs_accessibility",
}
#: Control characters PostgreSQL (NUL) or XLSX refuse; tab and newline are kept.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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
        return CONTROL_CHARS.sub("", value).strip()
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
    """Booleans, or the words of :data:`TRUE_WORDS` / :data:`FALSE_WORDS`; else ``ValueError``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
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
        elif name in ("min_booths", "max_booths"):
            text = "" if value is None else str(value).strip()
            if not text:
                values[name] = 1
                continue
            try:
                count = int(text)
            except ValueError:
                count = 0
            if not 1 <= count <= MAX_BOOTHS:
                bad(
                    name,
                    f"Jumlah lapak harus bilangan bulat 1–{MAX_BOOTHS}.",
                    f"The number of booths must be a whole number 1–{MAX_BOOTHS}.",
                )
            values[name] = count
        elif name == "preferred_booths":
            parts = value if isinstance(value, list | tuple) else str(value or "").split(",")
            codes = [str(p).strip() for p in parts if str(p).strip()]
            if len(codes) > MAX_PREFERRED_BOOTHS or any(len(c) > 20 for c in codes):
                bad(
                    name,
                    f"Paling banyak {MAX_PREFERRED_BOOTHS} kode lapak, masing-masing paling "
                    "banyak 20 karakter, dipisah koma.",
                    f"At most {MAX_PREFERRED_BOOTHS} booth codes of at most 20 characters each, "
                    "separated by commas.",
                )
            values[name] = codes or None
        elif name in ("needs_electricity", "needs_accessibility", "needs_cooking", "active"):
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
    low, high = values.get("min_booths"), values.get("max_booths")
    if isinstance(low, int) and isinstance(high, int) and 1 <= low <= MAX_BOOTHS and low > high:
        bad(
            "max_booths",
            "Jumlah lapak paling banyak tidak boleh kurang dari paling sedikit.",
            "The most booths may not be fewer than the fewest.",
        )
    expiry = values.get("halal_cert_expiry")
    if expiry is not None and expiry < today:
        bad(
            "halal_cert_expiry",
            f"Sertifikat halal kedaluwarsa sejak {expiry.isoformat()}.",
            f"Halal certificate expired on {expiry.isoformat()}.",
            severity="warning",
        )
    return values, problems


def nib_holder(session: Session, city: City, nib: str, *, exclude_id: int | None) -> Vendor | None:
    stmt = select(Vendor).where(Vendor.city_id == city.id, Vendor.nib == nib)
    if exclude_id is not None:
        stmt = stmt.where(Vendor.id != exclude_id)
    return session.scalars(stmt.limit(1)).one_or_none()


def nib_taken_problem(holder: Vendor) -> FieldProblem:
    return FieldProblem(
        "nib",
        f"NIB {holder.nib} sudah terdaftar untuk pedagang #{holder.id}.",
        f"NIB {holder.nib} is already registered to vendor #{holder.id}.",
    )


def commit_vendor_changes(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(
            "Data bentrok dengan data pedagang lain (misalnya NIB ganda); tidak ada yang disimpan.",
            "The data clashes with another vendor (e.g. a duplicate NIB); nothing was saved.",
        ) from exc
