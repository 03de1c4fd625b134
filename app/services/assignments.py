"""Manual changes to an event's assignments: assign, move, swap, pin or unpin, unassign.

Each function is one transaction: it checks, writes and commits, or raises a
:class:`~app.services.errors.ServiceError` with nothing written (the audit listener records the
change in the same transaction). A planner's decision is pinned, so the next allocation run keeps
it; unassigning keeps the assignment as ``cancelled`` (the record stays; assigning again undoes
it).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.messages import NOTHING, Msg, define, render, to_json
from app.models import HOLDING_STATUSES, Assignment, Booth, Event, Vendor
from app.services.audit import row_values
from app.services.errors import Conflict, NotFound, ServiceError
from app.services.history import MOVE, PIN, SWAP, UNPIN, record_step

_NOT_IN_EVENT = define(
    "assignment.booth_not_in_event",
    id="Lapak {code} tidak ada di acara ini.",
    en="Booth {code} is not in this event.",
)
_NOT_VENDOR_BOOTH = define(
    "assignment.not_vendor_booth",
    id="Lapak {code} bukan lapak pedagang.",
    en="Booth {code} is not a vendor booth.",
)
_TAKEN = define(
    "assignment.booth_taken", id="Lapak {code} sudah terisi.", en="Booth {code} is taken."
)
_NO_VENDOR = define(
    "assignment.vendor_not_found",
    id="Pedagang {vendor} tidak terdaftar di kota ini.",
    en="Vendor {vendor} is not registered in this city.",
)
_VENDOR_INACTIVE = define(
    "assignment.vendor_inactive",
    id="{name} sudah dinonaktifkan dan tidak dapat ditempatkan.",
    en="{name} has been deactivated and cannot be placed.",
)
_ALREADY_PLACED = define(
    "assignment.vendor_already_placed",
    id="{name} sudah punya lapak {code} di acara ini; gunakan Pindah.",
    en="{name} already has booth {code} in this event; use Move.",
)
_SWAP_SELF = define(
    "assignment.swap_same_booth",
    id="Pilih lapak lain untuk ditukar.",
    en="Pick another booth to swap with.",
)
_SWAP_EMPTY = define(
    "assignment.swap_empty_booth",
    id="Lapak {code} kosong; gunakan Pindah.",
    en="Booth {code} is empty; use Move.",
)
#: A planner's reason for an assignment, stored as its code and booth (:func:`app.messages.to_json`)
#: and shown in the reader's language by :func:`app.services.reasons.reason_text`.
_REASONS = {
    "assigned": define(
        "assignment.reason.assigned",
        id="Ditempatkan perencana di lapak {code}.",
        en="Placed by a planner on booth {code}.",
    ),
    "moved": define(
        "assignment.reason.moved",
        id="Dipindahkan perencana ke lapak {code}.",
        en="Moved by a planner to booth {code}.",
    ),
    "swapped": define(
        "assignment.reason.swapped",
        id="Ditukar perencana ke lapak {code}.",
        en="Swapped by a planner onto booth {code}.",
    ),
    "unassigned": define(
        "assignment.reason.unassigned",
        id="Dilepas perencana dari lapak {code}.",
        en="Taken off booth {code} by a planner.",
    ),
}


def _reason(kind: str, code: str) -> dict[str, object]:
    return to_json(_REASONS[kind](code=code))


def reason_text(explanation: str | None, lang: str) -> str:
    """An older row's planner sentence (stored in Indonesian before reasons were stored as codes)
    in ``lang``; other text is returned as it is (:func:`app.services.reasons.reason_text`).

    >>> reason_text("Dipindahkan perencana ke lapak AY-0007.", "en")
    'Moved by a planner to booth AY-0007.'
    >>> reason_text("Tahap 2: pedagang lama.", "en")
    'Tahap 2: pedagang lama.'
    """
    if not explanation:
        return ""
    if lang != "id":
        for template in _REASONS.values():
            prefix, _code, suffix = render(template(code="\x00"), "id").partition("\x00")
            if explanation.startswith(prefix) and explanation.endswith(suffix):
                code = explanation[len(prefix) : len(explanation) - len(suffix)]
                if code and " " not in code:
                    return render(template(code=code), lang)
    return explanation


#: Names of the steps in the event's undo history (moves and pins are named in
#: :mod:`app.services.history`).
_ASSIGN_STEP = define(
    "history.assign", id="Tempatkan {name} di {code}", en="Place {name} on {code}"
)
_UNASSIGN_STEP = define(
    "history.unassign", id="Lepaskan {name} dari {code}", en="Take {name} off {code}"
)
_BLOCK_NO_ROOM = define(
    "assignment.block_no_room",
    id=(
        "{name} menempati {count} lapak berdampingan ({codes}). Di sekitar {code} tidak ada "
        "{count} lapak kosong berdampingan di sisi jalan yang sama{blocked}; pilih lapak lain."
    ),
    en=(
        "{name} holds {count} booths side by side ({codes}). Around {code} there are not "
        "{count} free booths side by side on the same side of the street{blocked}; pick "
        "another booth."
    ),
)
_BLOCK_TAKEN = define(
    "assignment.block_taken_note",
    id=" ({codes} terisi)",
    en=" ({codes} taken)",
)
_BLOCK_SAME = define(
    "assignment.block_same",
    id="{name} sudah menempati {codes}.",
    en="{name} already holds {codes}.",
)
_NOT_PLACED = define(
    "assignment.not_placed",
    id="Penempatan ini sudah tidak memegang lapak.",
    en="This assignment no longer holds a booth.",
)


def _open(event: Event) -> None:
    if event.status == "closed":
        raise ServiceError("Acara sudah ditutup.", "The event is closed.")


def get_assignment(session: Session, event: Event, ident: int) -> Assignment:
    """The event's assignment ``ident``; refused when missing or when the event is closed."""
    a = session.get(Assignment, ident)
    if a is None or a.event_id != event.id:
        raise NotFound("Penempatan tidak ditemukan.", "Assignment not found.")
    _open(event)
    return a


def _holding(a: Assignment) -> None:
    if a.status not in HOLDING_STATUSES:
        raise Conflict(_NOT_PLACED())


def _booth(session: Session, event: Event, booth_code: str) -> Booth:
    code = booth_code.strip().upper()[:20]
    booth = session.scalars(
        select(Booth).where(Booth.event_id == event.id, Booth.code == code)
    ).first()
    if booth is None:
        raise NotFound(_NOT_IN_EVENT(code=booth_code.strip()[:20] or "—"))
    if booth.kind != "vendor":
        raise ServiceError(_NOT_VENDOR_BOOTH(code=booth.code))
    return booth


def _category_allowed(event: Event, vendor: Vendor) -> None:
    for corridor in event.corridors:
        if corridor.allowed_categories and vendor.category not in corridor.allowed_categories:
            raise ServiceError(
                "Kategori pedagang tidak diizinkan di koridor ini.",
                "The vendor's category is not allowed in this corridor.",
            )


def _holder(session: Session, event: Event, booth: Booth) -> Assignment | None:
    return session.scalars(
        select(Assignment).where(
            Assignment.event_id == event.id,
            Assignment.booth_id == booth.id,
            Assignment.status.in_(HOLDING_STATUSES),
        )
    ).first()


def _flush_or_taken(session: Session, booth: Booth) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(_TAKEN(code=booth.code)) from exc


def assign(
    session: Session, event: Event, vendor_id: int, booth_code: str, *, pin: bool = True
) -> Assignment:
    """Place a vendor with no booth in this event on a free vendor booth (pinned by default)."""
    _open(event)
    vendor = session.get(Vendor, vendor_id)
    if vendor is None or vendor.city_id != event.city_id:
        raise NotFound(_NO_VENDOR(vendor=vendor_id))
    if not vendor.active:
        raise ServiceError(_VENDOR_INACTIVE(name=vendor.business_name))
    booth = _booth(session, event, booth_code)
    current = session.scalars(
        select(Assignment).where(
            Assignment.event_id == event.id,
            Assignment.vendor_id == vendor.id,
            Assignment.status.in_(HOLDING_STATUSES),
        )
    ).first()
    if current is not None:
        raise Conflict(_ALREADY_PLACED(name=vendor.business_name, code=current.booth.code))
    _category_allowed(event, vendor)
    if _holder(session, event, booth) is not None:
        raise Conflict(_TAKEN(code=booth.code))
    a = Assignment(
        event_id=event.id,
        booth=booth,
        vendor=vendor,
        status="assigned",
        pinned=pin,
        explanation=_reason("assigned", booth.code),
    )
    session.add(a)
    _flush_or_taken(session, booth)
    _step(session, event, a, None, _ASSIGN_STEP(name=vendor.business_name, code=booth.code))
    session.commit()
    return a


def move(
    session: Session, event: Event, ident: int, booth_code: str, *, pin: bool = True
) -> Assignment:
    """Move a vendor to a free vendor booth of the same event (pinned by default: a planner's
    decision should survive the next allocation run).

    A vendor on several booths moves whole (:func:`move_block`); the assignment returned is the
    one on ``booth_code``.
    """
    a = get_assignment(session, event, ident)
    booth = _booth(session, event, booth_code)
    _category_allowed(event, a.vendor)
    if a.status in HOLDING_STATUSES:
        siblings = _vendor_parts(session, event, a.vendor_id)
        if len(siblings) > 1:
            moved = move_block(session, event, siblings, a, booth, pin=pin)
            return next(x for x in moved if x.booth_id == booth.id)
    before, old_code = row_values(a), a.booth.code
    a.booth = booth
    a.pinned = pin
    a.explanation = _reason("moved", booth.code)
    _flush_or_taken(session, booth)
    _step(session, event, a, before, MOVE(old=old_code, new=booth.code))
    session.commit()
    return a


def vendor_booth_codes(session: Session, event: Event, vendor_id: int) -> list[str]:
    """The codes of the booths the vendor holds in the event, in their order (``part``)."""
    return list(
        session.scalars(
            select(Booth.code)
            .join(Assignment, Assignment.booth_id == Booth.id)
            .where(
                Assignment.event_id == event.id,
                Assignment.vendor_id == vendor_id,
                Assignment.status.in_(HOLDING_STATUSES),
            )
            .order_by(Assignment.part, Booth.code)
        )
    )


def _vendor_parts(session: Session, event: Event, vendor_id: int) -> list[Assignment]:
    """The vendor's booths in the event (holding), locked for this transaction."""
    return list(
        session.scalars(
            select(Assignment)
            .where(
                Assignment.event_id == event.id,
                Assignment.vendor_id == vendor_id,
                Assignment.status.in_(HOLDING_STATUSES),
            )
            .order_by(Assignment.part, Assignment.id)
            .with_for_update()
        )
    )


def _codes(codes: list[str]) -> str:
    return ", ".join(codes)


def move_block(
    session: Session,
    event: Event,
    parts: list[Assignment],
    clicked: Assignment,
    target: Booth,
    *,
    pin: bool = True,
) -> list[Assignment]:
    """Move a vendor's booths side by side to as many free booths side by side that include
    ``target``, keeping their order along the row; the booth the planner clicked lands on
    ``target`` when the row allows. Commits; refuses (409, naming the booths) when there is no
    such run. One undo step.

    Adjacency is the allocation's (same side, consecutive, no break, crossing or clearance in
    between: :func:`app.services.allocation.booth_links`).
    """
    from app.gis.adjacency import runs_through
    from app.services.allocation import booth_links

    name = parts[0].vendor.business_name
    k = len(parts)
    row_query = select(Booth).where(Booth.event_id == event.id, Booth.kind == "vendor")
    if target.side is not None:
        row_query = row_query.where(Booth.side == target.side)
    row = list(session.scalars(row_query.order_by(Booth.chainage_m, Booth.code)))
    position = {b.code: i for i, b in enumerate(row)}
    links = booth_links(session, event, row)
    taken = set(
        session.scalars(
            select(Booth.code)
            .join(Assignment, Assignment.booth_id == Booth.id)
            .where(
                Assignment.event_id == event.id,
                Assignment.status.in_(HOLDING_STATUSES),
                Assignment.vendor_id != parts[0].vendor_id,
            )
        )
    )
    usable = {b.code for b in row} - taken
    old = sorted(parts, key=lambda x: position.get(x.booth.code, -1))
    old_codes = [x.booth.code for x in old]
    runs = [
        r
        for r in runs_through(links, k, target.code, usable, position.__getitem__)
        if set(r) != set(old_codes)
    ]
    if not runs:
        if target.code in old_codes and k == len(usable & set(old_codes)):
            raise ServiceError(_BLOCK_SAME(name=name, codes=_codes(old_codes)))
        near = sorted(
            {n for n in links.get(target.code, []) if n in taken}
            | ({target.code} if target.code in taken else set()),
            key=position.__getitem__,
        )
        raise Conflict(
            _BLOCK_NO_ROOM(
                name=name,
                count=k,
                codes=_codes(old_codes),
                code=target.code,
                blocked=_BLOCK_TAKEN(codes=_codes(near)) if near else NOTHING,
            )
        )
    want = old.index(clicked)
    run = next((r for r in runs if r.index(target.code) == want), runs[0])
    by_code = {b.code: b for b in row}
    moves = list(zip(old, (by_code[c] for c in run), strict=True))
    # a part moving onto a booth another part still holds goes after that part (a shift by one)
    ordered: list[tuple[Assignment, Booth]] = []
    while moves:
        i = next(
            i
            for i, (x, b) in enumerate(moves)
            if not any(y is not x and y.booth_id == b.id for y, _b in moves)
        )
        ordered.append(moves.pop(i))
    changes = []
    for x, b in ordered:
        before = row_values(x)
        x.booth = b
        x.pinned = pin
        x.explanation = _reason("moved", b.code)
        _flush_or_taken(session, b)
        changes.append(
            {"entity": "assignment", "id": x.id, "before": before, "after": row_values(x)}
        )
    record_step(
        session,
        city_id=event.city_id,
        event_id=event.id,
        label=MOVE(old=_codes(old_codes), new=_codes(list(run))),
        changes=changes,
    )
    session.commit()
    return old


def swap(
    session: Session, event: Event, ident: int, booth_code: str
) -> tuple[Assignment, Assignment]:
    """Swap two placed vendors' booths; both are pinned.

    The unique index on the event's held booths is checked row by row, so the other vendor lets
    go of their booth first (``cancelled`` for an instant, inside this one transaction). The swap
    is one step of the event's undo history ("Tukar AY-1001 ⇄ AY-1004"): its undo puts both
    vendors back, letting go the same way.
    """
    a = get_assignment(session, event, ident)
    _holding(a)
    booth = _booth(session, event, booth_code)
    if booth.id == a.booth_id:
        raise ServiceError(_SWAP_SELF())
    other = _holder(session, event, booth)
    if other is None:
        raise ServiceError(_SWAP_EMPTY(code=booth.code))
    _category_allowed(event, a.vendor)
    mine, theirs_status = a.booth, other.status
    before = {a.id: row_values(a), other.id: row_values(other)}
    other.status = "cancelled"
    session.flush()
    a.booth = booth
    _flush_or_taken(session, booth)
    other.booth = mine
    other.status = theirs_status
    _flush_or_taken(session, mine)
    for x, code in ((a, booth.code), (other, mine.code)):
        x.pinned = True
        x.explanation = _reason("swapped", code)
    session.flush()
    record_step(
        session,
        city_id=event.city_id,
        event_id=event.id,
        label=SWAP(a=mine.code, b=booth.code),
        changes=[
            {"entity": "assignment", "id": x.id, "before": before[x.id], "after": row_values(x)}
            for x in (a, other)
        ],
    )
    session.commit()
    return a, other


def set_pin(session: Session, event: Event, ident: int, pinned: bool) -> Assignment:
    """Pin (kept by every re-run) or unpin an assignment."""
    a = get_assignment(session, event, ident)
    if a.pinned == pinned:
        return a
    before = row_values(a)
    a.pinned = pinned
    session.flush()
    _step(session, event, a, before, (PIN if pinned else UNPIN)(code=a.booth.code))
    session.commit()
    return a


def unassign(session: Session, event: Event, ident: int) -> Assignment:
    """Take a vendor off their booth: the assignment stays as ``cancelled`` (assign to undo)."""
    a = get_assignment(session, event, ident)
    _holding(a)
    before = row_values(a)
    a.status = "cancelled"
    a.pinned = False
    a.explanation = _reason("unassigned", a.booth.code)
    session.flush()
    _step(session, event, a, before, _UNASSIGN_STEP(name=a.vendor.business_name, code=a.booth.code))
    session.commit()
    return a


def _step(
    session: Session, event: Event, a: Assignment, before: dict[str, Any] | None, label: Msg
) -> None:
    """The change as a named step of the event's undo stack (same transaction)."""
    change = {"entity": "assignment", "id": a.id, "before": before, "after": row_values(a)}
    record_step(session, city_id=event.city_id, event_id=event.id, label=label, changes=[change])
