"""Notices to vendors without an SMS gateway: a ready WhatsApp link and SMS text per vendor.

For each vendor holding booths in a published event: a ``https://wa.me/<62…>?text=…`` link
whose text, in Indonesian, names their booth code(s), the date and hours, where the booth is in
words (:mod:`app.services.places`) and their signed "Cek Lapak Saya" link; and a plain SMS text.
The list shows everyone, or only what changed since each vendor's last notice (a new booth, a
move, a booth from the waitlist). What was sent is recorded in :class:`~app.models.NoticeLog`
with the booth codes it named, which is what "changed" compares against; the CSV for an SMS
gateway records itself as sent. One transaction per write.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import tanggal
from app.messages import render
from app.models import HOLDING_STATUSES, Assignment, Booth, Event, NoticeLog, Vendor
from app.services.allocation import latest_run
from app.services.errors import ServiceError
from app.services.places import event_places
from app.services.vendors import escape_formula, normalise_phone

__all__ = [
    "CHANGES",
    "CSV_COLUMNS",
    "NoticeRow",
    "intl_phone",
    "notice_rows",
    "notices_csv",
    "record_notices",
]

#: What changed for a vendor since their last notice: never told, a booth from the waitlist,
#: moved to other booth(s), nothing.
CHANGES = ("new", "from_waitlist", "moved", "unchanged")
CSV_COLUMNS = ("phone", "message", "vendor_id", "business_name", "booth_codes", "change")
_INTL = re.compile(r"^628\d{7,11}$")


def intl_phone(phone: str | None) -> str | None:
    """An Indonesian mobile number in the international form wa.me and gateways take.

    >>> intl_phone("0812-3456-7890"), intl_phone("+62 812 3456 7890"), intl_phone("8123456789")
    ('6281234567890', '6281234567890', '628123456789')
    >>> intl_phone("021-555") is None, intl_phone(None) is None
    (True, True)
    """
    if not phone:
        return None
    local = normalise_phone(phone)
    intl = "62" + local[1:] if local.startswith("0") else local
    return intl if _INTL.match(intl) else None


@dataclass(frozen=True)
class NoticeRow:
    """One vendor's notice for an event, and what changed since their last one."""

    vendor_id: int
    business_name: str
    owner_name: str
    phone: str | None  # international form (62…), None when missing or not a mobile number
    booth_codes: tuple[str, ...]
    change: str
    previous_codes: tuple[str, ...] | None
    text: str
    sms: str

    @property
    def wa_url(self) -> str | None:
        """The wa.me link with the text pre-filled (None without a usable phone)."""
        if self.phone is None:
            return None
        return f"https://wa.me/{self.phone}?text={quote(self.text, safe='')}"


def _hours(event: Event, tz_name: str) -> str:
    zone = datetime.combine(event.date, event.start_time, tzinfo=ZoneInfo(tz_name)).tzname()
    start, end = event.start_time.strftime("%H.%M"), event.end_time.strftime("%H.%M")
    return f"{start}–{end} {zone or ''}".strip()


def _texts(
    event: Event, vendor: Vendor, codes: Sequence[str], places: Sequence[str], link: str, tz: str
) -> tuple[str, str]:
    booths = ", ".join(codes)
    word = "Lapak" if len(codes) == 1 else "Lapak-lapak"
    where = f" ({'; '.join(places)})" if places else ""
    when = f"{tanggal(event.date)}, pukul {_hours(event, tz)}"
    text = (
        f"Halo {vendor.owner_name} ({vendor.business_name}). {word} Anda di {event.name}: "
        f"{booths}{where}. {when}. Lihat peta dan konfirmasi kehadiran: {link}"
    )
    sms = f"PetaLapak: {vendor.business_name}, lapak {booths}, {when}. Cek: {link}"
    return text, sms


def notice_rows(
    session: Session,
    event: Event,
    *,
    link_for: Callable[[Vendor], str],
    tz_name: str,
    only_changes: bool = False,
) -> list[NoticeRow]:
    """Every vendor holding booths in the published ``event``, in booth order, with their
    notice (``only_changes``: those whose booths changed since their last notice)."""
    if event.status != "published":
        raise ServiceError(
            "Pemberitahuan hanya untuk acara yang sudah diterbitkan.",
            "Notices are only for published events.",
        )
    held = session.execute(
        select(Vendor, Booth.id, Booth.code)
        .join(Assignment, Assignment.vendor_id == Vendor.id)
        .join(Booth, Booth.id == Assignment.booth_id)
        .where(Assignment.event_id == event.id, Assignment.status.in_(HOLDING_STATUSES))
        .order_by(Booth.code, Vendor.id)
    ).all()
    by_vendor: dict[int, tuple[Vendor, list[int], list[str]]] = {}
    for vendor, booth_id, code in held:
        entry = by_vendor.setdefault(vendor.id, (vendor, [], []))
        entry[1].append(booth_id)
        entry[2].append(code)
    last_ids = (
        select(func.max(NoticeLog.id))
        .where(NoticeLog.event_id == event.id)
        .group_by(NoticeLog.vendor_id)
        .scalar_subquery()
    )
    previous = {
        n.vendor_id: tuple(n.booth_codes)
        for n in session.scalars(select(NoticeLog).where(NoticeLog.id.in_(last_ids)))
    }
    run = latest_run(session, event)
    waitlisted = set(run.result.get("waitlist", [])) if run is not None else set()
    places = event_places(session, event, [b for _, ids, _ in by_vendor.values() for b in ids])
    rows = []
    for vendor_id, (vendor, booth_ids, codes) in by_vendor.items():
        before = previous.get(vendor_id)
        now_codes = tuple(codes)
        if before == now_codes:
            change = "unchanged"
        elif before:
            change = "moved"
        elif vendor_id in waitlisted:
            change = "from_waitlist"
        else:
            change = "new"
        if only_changes and change == "unchanged":
            continue
        words = [render(places[b], "id") for b in booth_ids if b in places]
        text, sms = _texts(event, vendor, now_codes, words, link_for(vendor), tz_name)
        rows.append(
            NoticeRow(
                vendor_id=vendor_id,
                business_name=vendor.business_name,
                owner_name=vendor.owner_name,
                phone=intl_phone(vendor.phone),
                booth_codes=now_codes,
                change=change,
                previous_codes=before,
                text=text,
                sms=sms,
            )
        )
    return rows


def record_notices(
    session: Session,
    event: Event,
    rows: Sequence[NoticeRow],
    *,
    channel: str,
    user_id: int | None,
) -> int:
    """Record that ``rows`` were sent through ``channel`` (wa, sms or csv); returns the batch
    number they share. Commits."""
    if channel not in ("wa", "sms", "csv"):
        raise ServiceError("Saluran tidak dikenal.", "Unknown channel.")
    if not rows:
        raise ServiceError("Tidak ada pemberitahuan untuk dicatat.", "No notices to record.")
    # one batch number per event at a time: serialise with other recordings of this event
    session.execute(select(Event.id).where(Event.id == event.id).with_for_update())
    batch = (
        session.scalar(select(func.max(NoticeLog.batch)).where(NoticeLog.event_id == event.id)) or 0
    ) + 1
    session.add_all(
        NoticeLog(
            event_id=event.id,
            vendor_id=row.vendor_id,
            booth_codes=list(row.booth_codes),
            channel=channel,
            user_id=user_id,
            batch=batch,
        )
        for row in rows
    )
    session.commit()
    return batch


def notices_csv(rows: Sequence[NoticeRow]) -> str:
    """The notices as CSV for an SMS gateway (phone in the 62… form, the SMS text); text a
    spreadsheet would run as a formula is escaped. Vendors without a usable phone are left out."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        if row.phone is None:
            continue
        writer.writerow(
            [
                row.phone,
                escape_formula(row.sms),
                row.vendor_id,
                escape_formula(row.business_name),
                escape_formula(" ".join(row.booth_codes)),
                row.change,
            ]
        )
    return out.getvalue()
