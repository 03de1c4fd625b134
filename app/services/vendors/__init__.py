"""Vendor registry: search, create and edit, documents, and CSV/XLSX import and export.

Four modules along the seams: :mod:`~app.services.vendors.fields` (the column layout and the field
checks every way in shares), :mod:`~app.services.vendors.registry` (look up, search, create,
edit, documents), :mod:`~app.services.vendors.spreadsheets` (reading and writing CSV/XLSX,
uploads kept between preview and confirmation) and :mod:`~app.services.vendors.importing` (the
all-or-nothing import with its per-row report). Callers import from this package.
"""

from __future__ import annotations

from app.services.errors import ServiceError
from app.services.vendors.fields import (
    COLUMNS,
    EDITABLE_FIELDS,
    EXPIRY_WARNING_DAYS,
    MAX_IMPORT_ROWS,
    MAX_PER_PAGE,
    PER_PAGE,
    REQUIRED_COLUMNS,
    UPLOAD_MAX_AGE_S,
    UPLOAD_SUFFIXES,
    FieldProblem,
    VendorValidationError,
    clean_vendor_fields,
    normalise_phone,
)
from app.services.vendors.importing import (
    PreviewRow,
    RowProblem,
    VendorImportReport,
    import_vendors,
)
from app.services.vendors.registry import (
    VendorPage,
    VendorQuery,
    active_vendor_count,
    create_vendor,
    documents_due,
    get_vendor,
    halal_status,
    parse_paging,
    parse_vendor_query,
    search_vendors,
    set_vendor_active,
    update_vendor,
    vendor_to_dict,
    vendors_by_id,
)
from app.services.vendors.spreadsheets import (
    discard_upload,
    escape_formula,
    export_csv,
    export_table,
    export_xlsx,
    read_csv_text,
    read_rows,
    read_xlsx,
    save_upload,
    unescape_formula,
    upload_path,
)

__all__ = [
    "ServiceError",
    "COLUMNS",
    "EDITABLE_FIELDS",
    "EXPIRY_WARNING_DAYS",
    "FieldProblem",
    "MAX_IMPORT_ROWS",
    "MAX_PER_PAGE",
    "PER_PAGE",
    "PreviewRow",
    "REQUIRED_COLUMNS",
    "RowProblem",
    "UPLOAD_MAX_AGE_S",
    "UPLOAD_SUFFIXES",
    "VendorImportReport",
    "VendorPage",
    "VendorQuery",
    "VendorValidationError",
    "active_vendor_count",
    "clean_vendor_fields",
    "create_vendor",
    "discard_upload",
    "documents_due",
    "escape_formula",
    "export_csv",
    "export_table",
    "export_xlsx",
    "get_vendor",
    "halal_status",
    "import_vendors",
    "normalise_phone",
    "parse_paging",
    "parse_vendor_query",
    "read_csv_text",
    "read_rows",
    "read_xlsx",
    "save_upload",
    "search_vendors",
    "set_vendor_active",
    "unescape_formula",
    "update_vendor",
    "upload_path",
    "vendor_to_dict",
    "vendors_by_id",
]
