"""Translated texts for the crew print-outs (:mod:`app.printing` takes them as plain strings)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _

from app.models import Event
from app.printing.model import PrintLabels
from app.views.labels import BOOTH_LABELS, CATEGORY_LABELS, FACILITY_LABELS, ZONE_LABELS, as_text


def print_labels() -> PrintLabels:
    """Every text of the layout and vendor-list PDFs in the request's language."""
    return PrintLabels(
        map_title=_("Peta tata letak lapak"),
        overview_title=_("Ikhtisar koridor"),
        list_title=_("Daftar pedagang & check-in"),
        segment=_("Segmen %(n)s", n="{n}"),
        page=_("Halaman %(n)s dari %(total)s", n="{n}", total="{total}"),
        continue_to=_("lanjut ke segmen %(n)s →", n="{n}"),
        continued_from=_("← dari segmen %(n)s", n="{n}"),
        match_line=_("batas segmen %(a)s | %(b)s", a="{a}", b="{b}"),
        chainage=_("%(a)s–%(b)s m", a="{a}", b="{b}"),
        booth_count=_("%(n)s lapak", n="{n}"),
        scale=_("Skala 1:%(scale)s pada kertas %(paper)s", scale="{scale}", paper="{paper}"),
        north=_("U"),
        legend=_("Keterangan"),
        neighbour=_("Lapak milik segmen sebelah (tanpa kode)"),
        emergency_lane=str(ZONE_LABELS["emergency_lane"]),
        corridor=str(ZONE_LABELS["cfd_corridor"]),
        desks=_("meja layanan"),
        table_segment=_("Segmen"),
        table_page=_("Halaman"),
        table_chainage=_("Jarak dari ujung barat"),
        table_booths=_("Lapak"),
        table_desks=_("Meja layanan"),
        overview_hint=_(
            "Cara membaca peta:\n"
            "• Koridor dibagi menjadi segmen bernomor (kotak berwarna di atas).\n"
            "• Setiap lapak tercetak tepat satu kali, di segmen yang memuat titik tengahnya.\n"
            "• Lapak abu-abu di luar garis batas merah milik segmen sebelah.\n"
            "• Di setiap segmen jalan digambar dari atas ke bawah; kode lapak tertulis\n"
            "   mendatar di samping lapaknya. Warna lapak = status konflik, sama seperti\n"
            "   peta daring.\n"
            "• Jalur darurat (arsir oranye) harus tetap kosong sepanjang acara.\n"
            "• Daftar check-in pedagang ada di halaman setelah peta."
        ),
        col_booth=_("Lapak"),
        col_segment=_("Seg."),
        col_business=_("Nama usaha (pemilik)"),
        col_category=_("Kategori"),
        col_phone=_("Telepon"),
        col_check_in=_("Hadir"),
        col_notes=_("Catatan"),
        list_hint=_(
            "Urut menurut kode lapak. Centang kotak “Hadir” saat pedagang tiba; "
            "kolom Seg. menunjukkan segmen peta."
        ),
        booth_states=as_text(dict(BOOTH_LABELS)),
        facilities=as_text(dict(FACILITY_LABELS)),
        zones=as_text(dict(ZONE_LABELS)),
        categories=as_text(dict(CATEGORY_LABELS)),
    )


def event_when(event: Event) -> str:
    """The event's date and hours, e.g. ``Minggu, 6 Desember 2026 · 06.00–09.00``."""
    day = format_date(event.date, "EEEE, d MMMM yyyy")
    hours = f"{event.start_time:%H.%M}–{event.end_time:%H.%M}"
    return str(_("%(day)s · pukul %(hours)s", day=day, hours=hours))


def printed_now(now: datetime | None = None) -> str:
    """``Dicetak …`` with the time in the app's time zone (Asia/Pontianak: WIB)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    now = (now or datetime.now(zone)).astimezone(zone)
    when = format_datetime(now, "d MMMM yyyy, HH.mm")
    return str(_("Dicetak %(when)s %(zone)s", when=when, zone=now.tzname() or ""))
