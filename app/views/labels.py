"""Translated names for the codes stored in the database (zone, facility and booth kinds)."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l

from app.kinds import FACILITY_KIND_REGISTRY, LANDMARK_KIND_REGISTRY
from app.roles import ROLE_REGISTRY


def _in_request_language(text_in: Callable[[str], str]) -> str:
    """Text picked from a registry entry in the request's language (Indonesian by default)."""
    locale = get_locale()
    return text_in(locale.language if locale is not None else "id")


ZONE_LABELS = {
    "pkl_legal": _l("Zona hijau (PKL resmi)"),
    "pkl_timed": _l("Zona kuning (PKL berjam)"),
    "no_vending": _l("Zona merah (dilarang berjualan)"),
    "cfd_corridor": _l("Koridor CFD"),
    "emergency_lane": _l("Jalur darurat"),
    "service_area": _l("Area layanan"),
}

#: Facility kinds' titles come with each kind's entry (both languages) in :mod:`app.kinds`.
FACILITY_LABELS = {
    code: LazyString(_in_request_language, kind.label)
    for code, kind in FACILITY_KIND_REGISTRY.items()
}

#: Landmark kinds' titles come with each kind's entry (both languages) in :mod:`app.kinds`.
LANDMARK_LABELS = {
    code: LazyString(_in_request_language, kind.label)
    for code, kind in LANDMARK_KIND_REGISTRY.items()
}

BOOTH_LABELS = {
    "vendor": _l("Lapak pedagang"),
    "service_desk": _l("Meja layanan MikroDOTS"),
    "reserved": _l("Dicadangkan"),
    "ok": _l("Lapak tanpa konflik"),
    "warning": _l("Lapak dengan peringatan"),
    "blocking": _l("Lapak berkonflik"),
}

#: The event page's booth states (:data:`app.services.event_board.BOARD_STATES`).
BOARD_STATE_LABELS = {
    "free": _l("Kosong"),
    "assigned": _l("Ditempatkan"),
    "confirmed": _l("Dikonfirmasi pedagang"),
    "checked_in": _l("Sudah hadir"),
    "conflict": _l("Berkonflik"),
    "blocked": _l("Tidak dapat dipakai"),
    "service_desk": _l("Meja layanan"),
}

CATEGORY_LABELS = {
    "makanan": _l("Makanan"),
    "minuman": _l("Minuman"),
    "pakaian": _l("Pakaian"),
    "kerajinan": _l("Kerajinan"),
    "aksesoris": _l("Aksesoris"),
    "mainan": _l("Mainan"),
    "kecantikan": _l("Kecantikan"),
    "hasil_tani": _l("Hasil tani"),
}


def as_text(labels: dict[str, object]) -> dict[str, str]:
    """Resolve lazy strings for the current request's locale."""
    return {k: str(v) for k, v in labels.items()}


#: Roles' names come with each role's entry (both languages) in :mod:`app.roles`.
ROLE_LABELS = {
    code: LazyString(_in_request_language, role.label) for code, role in ROLE_REGISTRY.items()
}
