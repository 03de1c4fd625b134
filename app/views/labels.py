"""Translated names for the codes stored in the database (zone, facility and booth kinds)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ZONE_LABELS = {
    "pkl_legal": _l("Zona hijau (PKL resmi)"),
    "pkl_timed": _l("Zona kuning (PKL berjam)"),
    "no_vending": _l("Zona merah (dilarang berjualan)"),
    "cfd_corridor": _l("Koridor CFD"),
    "emergency_lane": _l("Jalur darurat"),
    "service_area": _l("Area layanan"),
}

FACILITY_LABELS = {
    "hydrant": _l("Hidran"),
    "bus_stop": _l("Halte"),
    "crossing": _l("Penyeberangan"),
    "intersection": _l("Persimpangan"),
    "ramp": _l("Ram difabel"),
    "driveway": _l("Akses kendaraan"),
    "building_entrance": _l("Pintu masuk gedung"),
    "tree": _l("Pohon"),
    "pole": _l("Tiang"),
    "drainage_inlet": _l("Saluran air (inlet parit)"),
    "manhole": _l("Lubang kontrol (manhole)"),
    "bench": _l("Bangku"),
    "other": _l("Lainnya"),
}

BOOTH_LABELS = {
    "vendor": _l("Lapak pedagang"),
    "service_desk": _l("Meja layanan MikroDOTS"),
    "reserved": _l("Dicadangkan"),
    "ok": _l("Lapak tanpa konflik"),
    "warning": _l("Lapak dengan peringatan"),
    "blocking": _l("Lapak berkonflik"),
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


ROLE_LABELS = {
    "admin": _l("Admin"),
    "planner": _l("Perencana"),
    "crew": _l("Petugas lapangan"),
}
