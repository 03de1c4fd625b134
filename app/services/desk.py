"""MikroDOTS desks on the day: a queue per desk, the log of each visit, linking walk-in visitors
to the registry, the vendor's progress, and the report per event and per desk.

Invariants
----------
* A desk is a booth of the event with ``kind == "service_desk"``; its services come from the
  registry :mod:`app.desk_services` (``Booth.service`` → the services it offers).
* Every write is one transaction and audited: :class:`~app.models.DeskVisit` is watched by
  :mod:`app.services.audit`; a desk outcome that changes the registry's documents (an issued NIB,
  a halal certificate) writes an explicit ``vendor`` audit entry with the before and after.
* Queue numbers are unique per desk (a database constraint); a new number is drawn under a lock
  on the desk's row, so two officers adding at once get two numbers.
* A visitor not in the registry is kept by name and (normalised) phone; linking attaches every
  unlinked visit with the same phone and applies their issued documents to the vendor.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.desk_services import DESK_SERVICES, milestone_of, services_for_desk
from app.models import AuditEntry, Booth, City, DeskVisit, Event, User, Vendor
from app.services.audit import record
from app.services.errors import Conflict, NotFound, ServiceError
from app.services.vendors import clean_vendor_fields, normalise_phone
from app.services.vendors.fields import nib_holder

__all__ = [
    "DeskQueue",
    "DeskReport",
    "FollowUp",
    "ProgressStep",
    "ServiceLine",
    "UnlinkedVisitor",
    "call_next",
    "cancel_visit",
    "desk_events",
    "desk_report",
    "desks_of",
    "enqueue",
    "get_desk",
    "get_desk_event",
    "get_visit",
    "link_visitor",
    "log_visit",
    "lookup_vendors",
    "queue_of",
    "undo_log",
    "unlinked_visitors",
    "vendor_progress",
    "visitor_key",
]

NAME_MAX = 160
TEXT_MAX = 1000
LOOKUP_LIMIT = 10


# -- finding events, desks and visits ---------------------------------------------------------


def desk_events(session: Session, city: City, *, limit: int = 30) -> Sequence[Event]:
    """The city's events that have service desks, newest first."""
    has_desk = select(Booth.id).where(Booth.event_id == Event.id, Booth.kind == "service_desk")
    return session.scalars(
        select(Event)
        .where(Event.city_id == city.id, has_desk.exists())
        .order_by(Event.date.desc(), Event.id.desc())
        .limit(limit)
    ).all()


def get_desk_event(session: Session, city: City, slug: str) -> Event:
    """The city's event ``slug``; :class:`NotFound` otherwise."""
    event = session.scalars(
        select(Event).where(Event.city_id == city.id, Event.slug == slug)
    ).one_or_none()
    if event is None:
        raise NotFound("Acara tidak ditemukan.", "Event not found.")
    return event


def desks_of(session: Session, event: Event) -> Sequence[Booth]:
    """The event's service desks, by code."""
    return session.scalars(
        select(Booth)
        .where(Booth.event_id == event.id, Booth.kind == "service_desk")
        .order_by(Booth.code)
    ).all()


def get_desk(session: Session, event: Event, booth_id: int) -> Booth:
    """The service desk ``booth_id`` of ``event``; :class:`NotFound` otherwise."""
    booth = session.get(Booth, booth_id)
    if booth is None or booth.event_id != event.id or booth.kind != "service_desk":
        raise NotFound("Meja layanan tidak ditemukan.", "Service desk not found.")
    return booth


def get_visit(session: Session, city: City, visit_id: int) -> DeskVisit:
    """The visit ``visit_id`` of one of the city's events; :class:`NotFound` otherwise."""
    visit = session.get(DeskVisit, visit_id)
    if visit is None or visit.event.city_id != city.id:
        raise NotFound("Kunjungan tidak ditemukan.", "Visit not found.")
    return visit


def waiting_counts(session: Session, event: Event) -> dict[int, tuple[int, int]]:
    """Per desk id: (waiting, logged) visits."""
    rows = session.execute(
        select(
            DeskVisit.booth_id,
            func.count().filter(DeskVisit.status == "menunggu"),
            func.count().filter(DeskVisit.status == "selesai"),
        )
        .where(DeskVisit.event_id == event.id)
        .group_by(DeskVisit.booth_id)
    ).all()
    return {booth_id: (int(w), int(d)) for booth_id, w, d in rows}


@dataclass(frozen=True)
class DeskQueue:
    """A desk's queue: who is at the desk now, who waits (in order), who was logged."""

    serving: DeskVisit | None
    waiting: Sequence[DeskVisit]
    done: Sequence[DeskVisit]


def queue_of(session: Session, desk: Booth) -> DeskQueue:
    """The desk's queue on its event's day."""
    visits = session.scalars(
        select(DeskVisit).where(DeskVisit.booth_id == desk.id).order_by(DeskVisit.queue_no)
    ).all()
    serving = next((v for v in visits if v.status == "dilayani"), None)
    return DeskQueue(
        serving=serving,
        waiting=[v for v in visits if v.status == "menunggu"],
        done=sorted(
            (v for v in visits if v.status in ("selesai", "batal")),
            key=lambda v: v.queue_no,
            reverse=True,
        ),
    )


def lookup_vendors(session: Session, city: City, q: str) -> Sequence[Vendor]:
    """Active vendors of the city whose name, business or phone matches ``q`` (at most 10)."""
    text = (q or "").strip()[:80]
    if len(text) < 2:
        return []
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    conditions = [Vendor.owner_name.ilike(like), Vendor.business_name.ilike(like)]
    digits = normalise_phone(text)
    if digits.isdigit() and len(digits) >= 4:
        conditions.append(Vendor.phone.like(f"%{digits[-8:]}%"))
    return session.scalars(
        select(Vendor)
        .where(Vendor.city_id == city.id, Vendor.active.is_(True), or_(*conditions))
        .order_by(Vendor.business_name, Vendor.id)
        .limit(LOOKUP_LIMIT)
    ).all()


# -- the queue ----------------------------------------------------------------------------------


def _clean_text(value: str | None, *, field_id: str, field_en: str, limit: int) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        raise ServiceError(
            f"{field_id} terlalu panjang (paling banyak {limit} karakter).",
            f"{field_en} is too long (at most {limit} characters).",
        )
    return text or None


def _clean_phone(raw: str | None, today: date) -> str | None:
    if not (raw or "").strip():
        return None
    values, problems = clean_vendor_fields({"phone": raw}, fields=["phone"], today=today)
    if problems:
        raise ServiceError(
            f"Nomor HP '{raw}' tidak sah.", f"The phone number '{raw}' is not valid."
        )
    phone: str | None = values["phone"]
    return phone


def enqueue(
    session: Session,
    desk: Booth,
    *,
    vendor: Vendor | None,
    name: str | None,
    phone: str | None,
    now: datetime,
) -> DeskVisit:
    """Give a vendor (or a visitor by name and phone) the desk's next queue number."""
    if vendor is None:
        clean_name = _clean_text(name, field_id="Nama", field_en="The name", limit=NAME_MAX)
        if clean_name is None:
            raise ServiceError(
                "Pilih pedagang terdaftar, atau isi nama pengunjung.",
                "Choose a registered vendor, or enter the visitor's name.",
            )
        clean_phone = _clean_phone(phone, now.date())
    else:
        if desk.event is None or vendor.city_id != desk.event.city_id or not vendor.active:
            raise NotFound("Pedagang tidak ditemukan.", "Vendor not found.")
        clean_name, clean_phone = None, None
        already = session.scalar(
            select(DeskVisit.queue_no).where(
                DeskVisit.booth_id == desk.id,
                DeskVisit.vendor_id == vendor.id,
                DeskVisit.status.in_(("menunggu", "dilayani")),
            )
        )
        if already is not None:
            raise Conflict(
                f"{vendor.business_name} sudah di antrean meja ini (nomor {already}).",
                f"{vendor.business_name} is already in this desk's queue (number {already}).",
            )
    # the desk's row is the queue's lock: numbers are drawn one at a time
    session.execute(select(Booth.id).where(Booth.id == desk.id).with_for_update())
    last = session.scalar(select(func.max(DeskVisit.queue_no)).where(DeskVisit.booth_id == desk.id))
    visit = DeskVisit(
        event_id=desk.event_id,
        booth_id=desk.id,
        queue_no=(last or 0) + 1,
        vendor_id=vendor.id if vendor is not None else None,
        visitor_name=clean_name,
        visitor_phone=clean_phone,
        status="menunggu",
        queued_at=now,
    )
    session.add(visit)
    session.commit()
    return visit


def call_next(session: Session, desk: Booth, *, now: datetime, officer: User) -> DeskVisit:
    """ "Berikutnya": the first waiting visitor comes to the desk."""
    serving = session.scalar(
        select(DeskVisit).where(DeskVisit.booth_id == desk.id, DeskVisit.status == "dilayani")
    )
    if serving is not None:
        raise Conflict(
            f"Catat dulu kunjungan nomor {serving.queue_no} (atau tandai pergi).",
            f"Log visit number {serving.queue_no} first (or mark it as gone).",
        )
    visit = session.scalar(
        select(DeskVisit)
        .where(DeskVisit.booth_id == desk.id, DeskVisit.status == "menunggu")
        .order_by(DeskVisit.queue_no)
        .limit(1)
        .with_for_update()
    )
    if visit is None:
        raise ServiceError("Antrean kosong.", "The queue is empty.")
    visit.status = "dilayani"
    visit.called_at = now
    visit.officer_id = officer.id
    session.commit()
    return visit


def cancel_visit(session: Session, visit: DeskVisit, *, officer: User) -> DeskVisit:
    """The visitor left before being served: the number is closed (kept in the log as gone)."""
    if visit.status not in ("menunggu", "dilayani"):
        raise ServiceError(
            "Kunjungan ini sudah dicatat atau ditutup.", "This visit is already logged or closed."
        )
    visit.status = "batal"
    visit.officer_id = officer.id
    session.commit()
    return visit


# -- the log --------------------------------------------------------------------------------------


def _document_values(
    service: str, document_no: str | None, expiry: str | date | None, today: date
) -> tuple[str, date | None]:
    """Check an issued document's number (and a halal certificate's expiry)."""
    entry = DESK_SERVICES[service]
    if entry.document == "nib":
        values, problems = clean_vendor_fields({"nib": document_no}, fields=["nib"], today=today)
        if problems or not values["nib"]:
            raise ServiceError(
                "NIB yang terbit harus 13 digit angka.", "The issued NIB must be 13 digits."
            )
        return str(values["nib"]), None
    values, problems = clean_vendor_fields(
        {"halal_cert_no": document_no, "halal_cert_expiry": expiry},
        fields=["halal_cert_no", "halal_cert_expiry"],
        today=today,
    )
    if not values.get("halal_cert_no"):
        raise ServiceError(
            "Isi nomor sertifikat halal yang terbit.", "Enter the issued halal certificate number."
        )
    if problems:
        first = problems[0]
        raise ServiceError(
            f"Sertifikat halal: {first.message_id}", f"Halal certificate: {first.message_en}"
        )
    return str(values["halal_cert_no"]), values["halal_cert_expiry"]


def _apply_documents(session: Session, visit: DeskVisit) -> None:
    """Write an issued NIB or halal certificate to the visit's vendor, with an audit entry."""
    vendor = visit.vendor
    if vendor is None or visit.outcome != "terbit" or visit.service is None:
        return
    document = DESK_SERVICES[visit.service].document
    if document is None or not visit.document_no:
        return
    if document == "nib":
        if vendor.nib == visit.document_no:
            return
        holder = nib_holder(session, vendor.city, visit.document_no, exclude_id=vendor.id)
        if holder is not None:
            raise Conflict(
                f"NIB {visit.document_no} sudah terdaftar untuk pedagang #{holder.id}.",
                f"NIB {visit.document_no} is already registered to vendor #{holder.id}.",
            )
        before: dict[str, Any] = {"nib": vendor.nib}
        vendor.nib = visit.document_no
        after: dict[str, Any] = {"nib": vendor.nib}
    else:
        before = {
            "halal_cert_no": vendor.halal_cert_no,
            "halal_cert_expiry": vendor.halal_cert_expiry.isoformat()
            if vendor.halal_cert_expiry
            else None,
        }
        vendor.halal_cert_no = visit.document_no
        vendor.halal_cert_expiry = visit.document_expiry
        after = {
            "halal_cert_no": vendor.halal_cert_no,
            "halal_cert_expiry": vendor.halal_cert_expiry.isoformat()
            if vendor.halal_cert_expiry
            else None,
        }
    after["desk_visit_id"] = visit.id
    record(
        session, action="update", entity="vendor", entity_id=vendor.id, before=before, after=after
    )


def log_visit(
    session: Session,
    visit: DeskVisit,
    *,
    service: str,
    outcome: str,
    document_no: str | None = None,
    document_expiry: str | date | None = None,
    note: str | None = None,
    follow_up: str | None = None,
    follow_up_due: str | date | None = None,
    officer: User,
    now: datetime,
) -> DeskVisit:
    """Log what the desk did for the visitor: service, outcome, follow-up and its due date.

    An issued NIB or halal certificate is written to the linked vendor's record (audited).
    """
    if visit.status not in ("menunggu", "dilayani"):
        raise ServiceError(
            "Kunjungan ini sudah dicatat atau ditutup.", "This visit is already logged or closed."
        )
    entry = DESK_SERVICES.get(service)
    if entry is None:
        raise ServiceError("Pilih layanan.", "Choose a service.")
    if outcome not in entry.outcomes:
        raise ServiceError(
            f"Hasil '{outcome}' tidak berlaku untuk layanan {entry.label_id}.",
            f"Outcome '{outcome}' does not apply to the {entry.label_en} service.",
        )
    today = now.date()
    number, expiry = None, None
    if outcome == "terbit" and entry.document is not None:
        number, expiry = _document_values(service, document_no, document_expiry, today)
    clean_follow = _clean_text(
        follow_up, field_id="Tindak lanjut", field_en="The follow-up", limit=TEXT_MAX
    )
    due: date | None = None
    if follow_up_due not in (None, ""):
        try:
            due = (
                follow_up_due
                if isinstance(follow_up_due, date)
                else date.fromisoformat(str(follow_up_due).strip())
            )
        except ValueError as exc:
            raise ServiceError(
                "Tanggal tindak lanjut tidak sah (TTTT-BB-HH).",
                "The follow-up date is not valid (YYYY-MM-DD).",
            ) from exc
        if clean_follow is None:
            raise ServiceError(
                "Isi tindak lanjutnya bila ada tanggal jatuh tempo.",
                "Describe the follow-up when it has a due date.",
            )
        if due < today:
            raise ServiceError(
                "Tanggal tindak lanjut tidak boleh sebelum hari ini.",
                "The follow-up date cannot be before today.",
            )
    visit.service = service
    visit.outcome = outcome
    visit.document_no = number
    visit.document_expiry = expiry
    visit.note = _clean_text(note, field_id="Catatan", field_en="The note", limit=TEXT_MAX)
    visit.follow_up = clean_follow
    visit.follow_up_due = due
    visit.status = "selesai"
    visit.officer_id = officer.id
    visit.called_at = visit.called_at or now
    visit.logged_at = now
    session.flush()
    try:
        _apply_documents(session, visit)
    except ServiceError:
        session.rollback()
        raise
    session.commit()
    return visit


def undo_log(session: Session, visit: DeskVisit, *, today: date, timezone: str) -> DeskVisit:
    """Take back a visit logged today by mistake: it is at the desk again, to be logged anew.

    A document the log wrote to the vendor's record is put back as it was (audited), unless the
    record changed since; another visitor at the desk must be logged first.
    """
    logged_on = visit.logged_at.astimezone(ZoneInfo(timezone)).date() if visit.logged_at else None
    if visit.status != "selesai" or logged_on != today:
        raise ServiceError(
            "Hanya catatan hari ini yang dapat dibatalkan.",
            "Only a visit logged today can be taken back.",
        )
    serving = session.scalar(
        select(DeskVisit.queue_no).where(
            DeskVisit.booth_id == visit.booth_id, DeskVisit.status == "dilayani"
        )
    )
    if serving is not None:
        raise Conflict(
            f"Catat dulu kunjungan nomor {serving} yang sedang dilayani.",
            f"Log visit number {serving}, at the desk now, first.",
        )
    vendor = visit.vendor
    written = None
    if vendor is not None:
        written = session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.entity == "vendor",
                AuditEntry.entity_id == vendor.id,
                AuditEntry.after["desk_visit_id"].as_integer() == visit.id,
            )
            .order_by(AuditEntry.id.desc())
            .limit(1)
        ).one_or_none()
    if vendor is not None and written is not None and written.before is not None:
        after = {k: v for k, v in (written.after or {}).items() if k != "desk_visit_id"}
        now_values = {
            "nib": vendor.nib,
            "halal_cert_no": vendor.halal_cert_no,
            "halal_cert_expiry": vendor.halal_cert_expiry.isoformat()
            if vendor.halal_cert_expiry
            else None,
        }
        if any(now_values[k] != v for k, v in after.items()):
            raise Conflict(
                "Dokumen pedagang sudah diubah sejak kunjungan ini; ubah di data pedagang.",
                "The vendor's documents changed since this visit; edit the vendor's record.",
            )
        for key, value in written.before.items():
            if key == "halal_cert_expiry":
                vendor.halal_cert_expiry = date.fromisoformat(value) if value else None
            else:
                setattr(vendor, key, value)
        record(
            session,
            action="update",
            entity="vendor",
            entity_id=vendor.id,
            before=after,
            after={**written.before, "desk_visit_undone": visit.id},
        )
    visit.status = "dilayani"
    visit.service = visit.outcome = None
    visit.document_no = visit.note = visit.follow_up = None
    visit.document_expiry = visit.follow_up_due = visit.logged_at = None
    session.commit()
    return visit


# -- walk-in visitors and the registry ------------------------------------------------------


def visitor_key(visit: DeskVisit) -> str:
    """Who a visit counts as: the vendor, else the visitor's phone, else their name."""
    if visit.vendor_id is not None:
        return f"v{visit.vendor_id}"
    if visit.visitor_phone:
        return f"p{visit.visitor_phone}"
    return f"n{(visit.visitor_name or '').strip().lower()}"


@dataclass(frozen=True)
class UnlinkedVisitor:
    """A visitor logged by name and phone, with the registered vendors their phone matches."""

    visit: DeskVisit
    visits: int
    suggestions: Sequence[Vendor]


def unlinked_visitors(session: Session, city: City) -> list[UnlinkedVisitor]:
    """Visitors not linked to a vendor (one row per phone, or per name), newest first."""
    visits = session.scalars(
        select(DeskVisit)
        .join(Event, Event.id == DeskVisit.event_id)
        .where(
            Event.city_id == city.id,
            DeskVisit.vendor_id.is_(None),
            DeskVisit.status != "batal",
        )
        .order_by(DeskVisit.queued_at.desc(), DeskVisit.id.desc())
    ).all()
    grouped: dict[str, list[DeskVisit]] = defaultdict(list)
    for visit in visits:
        grouped[visitor_key(visit)].append(visit)
    phones = {v.visitor_phone for v in visits if v.visitor_phone}
    by_phone: dict[str, list[Vendor]] = defaultdict(list)
    if phones:
        for vendor in session.scalars(
            select(Vendor)
            .where(Vendor.city_id == city.id, Vendor.phone.in_(phones))
            .order_by(Vendor.id)
        ):
            by_phone[vendor.phone or ""].append(vendor)
    return [
        UnlinkedVisitor(
            visit=group[0],
            visits=len(group),
            suggestions=by_phone.get(group[0].visitor_phone or "", []),
        )
        for group in grouped.values()
    ]


def link_visitor(session: Session, visit: DeskVisit, vendor: Vendor) -> int:
    """Link a walk-in visitor's visits (this one, and every unlinked one with the same phone or,
    without a phone, the same name) to ``vendor``; their issued documents go to the vendor's
    record. Returns how many visits were linked."""
    if visit.vendor_id is not None:
        raise ServiceError(
            "Kunjungan ini sudah tertaut ke pedagang.", "This visit is already linked to a vendor."
        )
    if vendor.city_id != visit.event.city_id:
        raise NotFound("Pedagang tidak ditemukan.", "Vendor not found.")
    key = visitor_key(visit)
    same = session.scalars(
        select(DeskVisit)
        .join(Event, Event.id == DeskVisit.event_id)
        .where(Event.city_id == vendor.city_id, DeskVisit.vendor_id.is_(None))
        .order_by(DeskVisit.logged_at.nulls_last(), DeskVisit.id)
    ).all()
    linked = [v for v in same if visitor_key(v) == key]
    try:
        for each in linked:
            each.vendor_id = vendor.id
            each.vendor = vendor
        session.flush()
        for each in linked:
            _apply_documents(session, each)
        session.commit()
    except ServiceError:
        session.rollback()
        raise
    return len(linked)


# -- progress and reports -------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressStep:
    """A milestone a vendor reached at a desk, or a logged visit without one."""

    on: date
    service: str
    outcome: str
    milestone: str | None
    event_name: str
    document_no: str | None


def vendor_progress(session: Session, vendor: Vendor, *, timezone: str) -> list[ProgressStep]:
    """The vendor's logged desk visits, oldest first, each with the milestone it reached."""
    rows = session.execute(
        select(DeskVisit, Event.name)
        .join(Event, Event.id == DeskVisit.event_id)
        .where(DeskVisit.vendor_id == vendor.id, DeskVisit.status == "selesai")
        .order_by(DeskVisit.logged_at, DeskVisit.id)
    ).all()
    tz = ZoneInfo(timezone)
    out = []
    for visit, event_name in rows:
        service, outcome = visit.service or "", visit.outcome or ""
        logged = visit.logged_at.astimezone(tz).date() if visit.logged_at else visit.event.date
        out.append(
            ProgressStep(
                on=logged,
                service=service,
                outcome=outcome,
                milestone=milestone_of(service, outcome),
                event_name=event_name,
                document_no=visit.document_no,
            )
        )
    return out


@dataclass(frozen=True)
class FollowUp:
    """A follow-up promised at a desk, with its due date."""

    due: date
    overdue: bool
    who: str
    #: A walk-in visitor's phone as the desk took it (a registered vendor's stays in the registry)
    phone: str | None
    service: str
    follow_up: str
    desk_code: str


@dataclass
class ServiceLine:
    """One service in a desk report: visits, distinct vendors helped, outcomes."""

    service: str
    visits: int = 0
    vendors: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class DeskReport:
    """A report per event (or one desk of it): services, outcomes, follow-ups due."""

    event: Event
    desk: Booth | None
    lines: list[ServiceLine]
    visits: int
    vendors: int
    waiting: int
    follow_ups: list[FollowUp]


def desk_report(session: Session, event: Event, *, desk: Booth | None, today: date) -> DeskReport:
    """The event's logged visits (one desk's when ``desk`` is given), counted per service."""
    query = (
        select(DeskVisit, Booth.code)
        .join(Booth, Booth.id == DeskVisit.booth_id)
        .where(DeskVisit.event_id == event.id)
    )
    if desk is not None:
        query = query.where(DeskVisit.booth_id == desk.id)
    rows = session.execute(query.order_by(DeskVisit.id)).all()
    logged = [(v, code) for v, code in rows if v.status == "selesai"]
    lines = {code: ServiceLine(code) for code in DESK_SERVICES}
    helped: dict[str, set[str]] = defaultdict(set)
    for visit, _code in logged:
        line = lines[visit.service or ""]
        line.visits += 1
        line.outcomes[visit.outcome or ""] += 1
        helped[visit.service or ""].add(visitor_key(visit))
    for code, keys in helped.items():
        lines[code].vendors = len(keys)
    follow_ups = sorted(
        (
            FollowUp(
                due=v.follow_up_due,
                overdue=v.follow_up_due < today,
                who=v.vendor.business_name if v.vendor is not None else (v.visitor_name or ""),
                phone=v.visitor_phone,
                service=v.service or "",
                follow_up=v.follow_up or "",
                desk_code=code,
            )
            for v, code in logged
            if v.follow_up_due is not None
        ),
        key=lambda f: (f.due, f.who),
    )
    offered = {s.code for s in services_for_desk(desk.service)} if desk is not None else set(lines)
    return DeskReport(
        event=event,
        desk=desk,
        lines=[line for code, line in lines.items() if code in offered or line.visits],
        visits=len(logged),
        vendors=len({visitor_key(v) for v, _ in logged}),
        waiting=sum(1 for v, _ in rows if v.status == "menunggu"),
        follow_ups=follow_ups,
    )
