"""Spreadsheet I/O for the vendor registry: reading CSV/XLSX, writing exports, keeping uploads.

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
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import City, Vendor
from app.services.errors import NotFound, ServiceError
from app.services.vendors.fields import (
    COLUMNS,
    CONTROL_CHARS,
    MAX_IMPORT_ROWS,
    UPLOAD_MAX_AGE_S,
    UPLOAD_SUFFIXES,
)
from app.services.vendors.registry import VendorQuery, filtered_query

#: Cells starting with one of these would run as a formula in a spreadsheet program.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: An upload's token: 32 URL-safe characters (the file name it was saved under).
UPLOAD_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


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
    if value.startswith(FORMULA_START) or (
        value.startswith("'") and value[1:2] != "" and value[1:2] in (*FORMULA_START, "'")
    ):
        return "'" + value
    return value


def unescape_formula(value: str) -> str:
    """Remove the apostrophe :func:`escape_formula` added (and only that one)."""
    if value.startswith("'") and value[1:2] != "" and value[1:2] in (*FORMULA_START, "'"):
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
    if UPLOAD_TOKEN.match(token):
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
    stmt = filtered_query(select(Vendor), city=city, query=query or VendorQuery())
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
            [escape_formula(CONTROL_CHARS.sub("", c)) if isinstance(c, str) else c for c in row]
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
