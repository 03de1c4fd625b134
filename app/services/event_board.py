"""The planner's event board: every booth with its state and vendor, and the event's figures.

One place answers "what is on this booth now" for the event page's map, its table and the JSON
answers of its actions, so the three never disagree:

* a booth's *state* is one of :data:`BOARD_STATES`, decided by :func:`board_state` from its kind,
  its holding assignment (if any) and its worst conflict;
* the *figures* (booths, placed, waitlist, confirmed, checked in, conflicts, empty booths,
  categories against their caps) come from one grouped query per list of events
  (:func:`figures_by_event`), so the planner's home shows them for every event at the price of one
  event.

Nothing here writes; the actions are in :mod:`app.services.assignments`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.gis.conflicts import Conflict
from app.messages import define, render
from app.models import HOLDING_STATUSES, AllocationRun, Assignment, Booth, Event, Vendor
from app.services.allocation import SECTION_LENGTH_M, section_name
from app.services.context_cache import ContextCache
from app.services.errors import NotFound, ServiceError
from app.services.reasons import reason_text

__all__ = [
    "BOARD_STATES",
    "BoardBooth",
    "CategoryFigure",
    "ConflictCount",
    "EventFigures",
    "board_booths",
    "board_state",
    "conflict_counts",
    "event_figures",
    "figures_by_event",
    "unplaced_vendors",
    "vendor_choice",
    "vendor_option",
]

#: A booth's state on the event page, in legend order.
BOARD_STATES: Final = (
    "free",
    "assigned",
    "confirmed",
    "checked_in",
    "conflict",
    "blocked",
    "service_desk",
)


def board_state(kind: str, status: str | None, confirmed: bool, severity: str | None) -> str:
    """Return the board state of a booth.

    A service desk is always ``service_desk``. A reserved booth, or an empty vendor booth with a
    blocking conflict (the allocation never places anyone there), is ``blocked``. A booth with a
    vendor and any conflict, or an empty one with a warning, is ``conflict``: it needs a look.
    Otherwise the vendor's progress decides: ``checked_in``, ``confirmed`` (the vendor said
    "Saya hadir"), ``assigned``, or ``free``.

    Examples
    --------
    >>> board_state("vendor", None, False, None)
    'free'
    >>> board_state("vendor", None, False, "blocking")
    'blocked'
    >>> board_state("vendor", "assigned", True, "blocking")
    'conflict'
    >>> board_state("vendor", "assigned", True, None)
    'confirmed'
    >>> board_state("vendor", "checked_in", True, None)
    'checked_in'
    >>> board_state("service_desk", None, False, "warning")
    'service_desk'
    """
    if kind == "service_desk":
        return "service_desk"
    if kind == "reserved":
        return "blocked"
    if status is None:
        if severity == "blocking":
            return "blocked"
        return "conflict" if severity else "free"
    if severity:
        return "conflict"
    if status == "checked_in":
        return "checked_in"
    return "confirmed" if confirmed else "assigned"


@dataclass(frozen=True)
class BoardBooth:
    """One booth of the event page: what the map, the table and the action answers show."""

    id: int
    code: str
    kind: str
    section: str
    state: str
    locked: bool
    assignment_id: int | None = None
    vendor_id: int | None = None
    vendor_name: str | None = None
    category: str | None = None
    status: str | None = None
    pinned: bool = False
    explanation: str | None = None
    problems: tuple[str, ...] = ()
    geometry: dict[str, Any] | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The booth as the page's script reads it (no geometry)."""
        return {
            "id": self.id,
            "code": self.code,
            "kind": self.kind,
            "section": self.section,
            "state": self.state,
            "locked": self.locked,
            "assignment_id": self.assignment_id,
            "vendor_id": self.vendor_id,
            "vendor_name": self.vendor_name,
            "category": self.category,
            "status": self.status,
            "pinned": self.pinned,
            "problems": list(self.problems),
        }


def _worst(conflicts: Iterable[Conflict], lang: str) -> dict[str, tuple[str, list[str]]]:
    worst: dict[str, tuple[str, list[str]]] = {}
    for c in conflicts:
        severity, messages = worst.get(c.booth_code, ("warning", []))
        if c.severity == "blocking":
            severity = "blocking"
        messages.append(render(c.message, lang))
        worst[c.booth_code] = (severity, messages)
    return worst


def board_booths(
    session: Session,
    event: Event,
    conflicts: Sequence[Conflict],
    *,
    lang: str,
    codes: Iterable[str] | None = None,
    geometry: bool = False,
) -> list[BoardBooth]:
    """Every booth of ``event`` (or only ``codes``) with its holding assignment and state.

    Parameters
    ----------
    session : Session
    event : Event
    conflicts : sequence of Conflict
        The event's conflicts (:func:`app.services.conflicts.event_conflicts`).
    lang : str
        Language of the conflict messages and the explanations (``"id"`` or ``"en"``).
    codes : iterable of str, optional
        Only these booths (an action's answer).
    geometry : bool, default False
        Also read each footprint as GeoJSON (EPSG:4326, 7 decimals) for the map.
    """
    holding = (
        select(Assignment)
        .where(Assignment.event_id == event.id, Assignment.status.in_(HOLDING_STATUSES))
        .subquery()
    )
    columns: list[Any] = [
        Booth.id,
        Booth.code,
        Booth.kind,
        Booth.chainage_m,
        Booth.locked,
        holding.c.id,
        holding.c.status,
        holding.c.pinned,
        holding.c.explanation,
        holding.c.confirmed_at,
        Vendor.id,
        Vendor.business_name,
        Vendor.category,
    ]
    if geometry:
        columns.append(func.ST_AsGeoJSON(Booth.geom, 7))
    query = (
        select(*columns)
        .outerjoin(holding, holding.c.booth_id == Booth.id)
        .outerjoin(Vendor, Vendor.id == holding.c.vendor_id)
        .where(Booth.event_id == event.id)
        .order_by(Booth.code)
    )
    if codes is not None:
        query = query.where(Booth.code.in_(list(codes)))
    worst = _worst(conflicts, lang)
    out = []
    for row in session.execute(query).all():
        severity, problems = worst.get(row[1], (None, []))
        out.append(
            BoardBooth(
                id=row[0],
                code=row[1],
                kind=row[2],
                section=section_name(row[3]),
                state=board_state(row[2], row[6], row[9] is not None, severity),
                locked=row[4],
                assignment_id=row[5],
                status=row[6],
                pinned=bool(row[7]),
                explanation=reason_text(row[8], lang) or None,
                vendor_id=row[10],
                vendor_name=row[11],
                category=row[12],
                problems=tuple(problems),
                geometry=json.loads(row[13]) if geometry else None,
            )
        )
    return out


def unplaced_vendors(session: Session, event: Event) -> list[Vendor]:
    """The city's active vendors with no booth in this event, by business name (the panel's
    list to assign from)."""
    placed = select(Assignment.vendor_id).where(
        Assignment.event_id == event.id, Assignment.status.in_(HOLDING_STATUSES)
    )
    return list(
        session.scalars(
            select(Vendor)
            .where(
                Vendor.city_id == event.city_id,
                Vendor.active.is_(True),
                Vendor.id.not_in(placed),
            )
            .order_by(Vendor.business_name, Vendor.id)
        ).all()
    )


_NO_CHOICE = define(
    "event_board.vendor_missing",
    id="vendor: pilih pedagang dari daftar untuk lapak {code}.",
    en="vendor: pick a vendor from the list for booth {code}.",
)
_NO_SUCH_VENDOR = define(
    "event_board.vendor_unknown",
    id="vendor: tidak ada pedagang tanpa lapak bernama \u201c{text}\u201d; pilih dari daftar.",
    en="vendor: no vendor without a booth is called \u201c{text}\u201d; pick one from the list.",
)
_SAME_NAME = define(
    "event_board.vendor_ambiguous",
    id=(
        "vendor: {n} pedagang tanpa lapak bernama \u201c{text}\u201d; pilih dari daftar "
        "(dengan nomornya, mis. \u201c{example}\u201d)."
    ),
    en=(
        "vendor: {n} vendors without a booth are called \u201c{text}\u201d; pick one from the "
        "list (with its number, e.g. \u201c{example}\u201d)."
    ),
)
_NUMBERED = re.compile(r"(?:^|\(|\s)#(\d{1,9})\)?\s*$")


def vendor_option(vendor_id: int, name: str, category: str) -> str:
    """How the table's vendor list shows a vendor; :func:`vendor_choice` reads it back.

    >>> vendor_option(12, "Es Teh Bu Rini", "Minuman")
    'Es Teh Bu Rini \u00b7 Minuman (#12)'
    """
    return f"{name} \u00b7 {category} (#{vendor_id})"


def vendor_choice(session: Session, event: Event, text: str, booth_code: str) -> int:
    """The vendor a planner picked (or typed) in the table's no-script assign form.

    ``text`` is an option of the list (``"Name · Category (#12)"``), a bare ``#12``, or a business
    name that exactly one vendor without a booth in this event has (case and spaces aside).
    Whether that vendor may be placed is for :func:`app.services.assignments.assign` to say.

    Raises
    ------
    ServiceError
        Nothing picked, or a name two vendors share (the message shows how to pick one).
    NotFound
        No vendor without a booth has that name.
    """
    typed = " ".join(text.split())[:200]
    if not typed:
        raise ServiceError(_NO_CHOICE(code=booth_code))
    numbered = _NUMBERED.search(typed)
    if numbered:
        return int(numbered.group(1))
    wanted = typed.casefold()
    same = [v for v in unplaced_vendors(session, event) if v.business_name.casefold() == wanted]
    if not same:
        raise NotFound(_NO_SUCH_VENDOR(text=typed))
    if len(same) > 1:
        raise ServiceError(_SAME_NAME(n=len(same), text=typed, example=f"#{same[0].id}"))
    return same[0].id


# ---------------------------------------------------------------------------------------------
# Figures


@dataclass(frozen=True)
class CategoryFigure:
    """Vendors of one category placed, against its cap (``None``: no cap) in a block or all."""

    category: str
    placed: int
    cap: int | None = None
    section: str | None = None

    @property
    def over(self) -> bool:
        """More placed than the cap allows (pins or moves can do that)."""
        return self.cap is not None and self.placed > self.cap


@dataclass(frozen=True)
class EventFigures:
    """The numbers at the top of the event page and on each row of the planner's home."""

    booths: int = 0
    vendor_booths: int = 0
    placed: int = 0
    confirmed: int = 0
    checked_in: int = 0
    waitlist: int = 0
    conflicts: int | None = None
    conflict_booths: int | None = None
    categories: tuple[CategoryFigure, ...] = ()

    @property
    def empty(self) -> int:
        """Vendor booths with nobody on them."""
        return max(self.vendor_booths - self.placed, 0)


def _latest_runs(
    session: Session, event_ids: Sequence[int]
) -> dict[int, tuple[list[int], list[dict[str, Any]]]]:
    """Waitlist and caps of each event's latest allocation run (only those two JSON parts: a
    run's full result holds every placement and reason)."""
    newest = (
        select(AllocationRun.event_id, func.max(AllocationRun.id).label("id"))
        .where(AllocationRun.event_id.in_(event_ids))
        .group_by(AllocationRun.event_id)
        .subquery()
    )
    rows = session.execute(
        select(
            AllocationRun.event_id,
            AllocationRun.result["waitlist"],
            AllocationRun.settings["caps"],
        ).join(newest, newest.c.id == AllocationRun.id)
    ).all()
    return {event_id: (waitlist or [], caps or []) for event_id, waitlist, caps in rows}


def figures_by_event(session: Session, events: Sequence[Event]) -> dict[int, EventFigures]:
    """Booths, placed, confirmed, checked in, waitlist and categories of each event.

    One grouped query over booths and holding assignments for all the events, one for the
    categories, and one for the latest allocation runs (waitlist and caps). Conflicts are not
    here: they come from the geometry engine, per event (:func:`event_figures`).
    """
    ids = [e.id for e in events]
    if not ids:
        return {}
    holding = and_(
        Assignment.booth_id == Booth.id,
        Assignment.event_id == Booth.event_id,
        Assignment.status.in_(HOLDING_STATUSES),
    )
    counts = session.execute(
        select(
            Booth.event_id,
            func.count(Booth.id),
            func.count(Booth.id).filter(Booth.kind == "vendor"),
            func.count(Assignment.id),
            func.count(Assignment.id).filter(
                Assignment.confirmed_at.is_not(None), Assignment.status == "assigned"
            ),
            func.count(Assignment.id).filter(Assignment.status == "checked_in"),
        )
        .outerjoin(Assignment, holding)
        .where(Booth.event_id.in_(ids))
        .group_by(Booth.event_id)
    ).all()
    block = func.floor(func.coalesce(Booth.chainage_m, 0.0) / SECTION_LENGTH_M)
    by_category = session.execute(
        select(Booth.event_id, Vendor.category, block, func.count())
        .join(Assignment, holding)
        .join(Vendor, Vendor.id == Assignment.vendor_id)
        .where(Booth.event_id.in_(ids))
        .group_by(Booth.event_id, Vendor.category, block)
    ).all()
    placed_in: dict[int, Counter[tuple[str | None, str]]] = {}
    for event_id, category, block_index, n in by_category:
        tally = placed_in.setdefault(int(event_id), Counter())
        tally[(None, category)] += n
        tally[(section_name(float(block_index) * SECTION_LENGTH_M), category)] += n
    placed_vendors = {
        (event_id, vendor_id)
        for event_id, vendor_id in session.execute(
            select(Assignment.event_id, Assignment.vendor_id).where(
                Assignment.event_id.in_(ids), Assignment.status.in_(HOLDING_STATUSES)
            )
        ).all()
    }
    runs = _latest_runs(session, ids)
    out: dict[int, EventFigures] = {}
    row_of = {row[0]: row for row in counts}
    for event in events:
        row = row_of.get(event.id, (event.id, 0, 0, 0, 0, 0))
        waitlist, caps = runs.get(event.id, ([], []))
        waiting = [v for v in waitlist if (event.id, v) not in placed_vendors]
        out[event.id] = EventFigures(
            booths=int(row[1]),
            vendor_booths=int(row[2]),
            placed=int(row[3]),
            confirmed=int(row[4]),
            checked_in=int(row[5]),
            waitlist=len(waiting),
            categories=_categories(placed_in.get(event.id, Counter()), caps),
        )
    return out


def _categories(
    tally: Mapping[tuple[str | None, str], int], cap_list: Sequence[Mapping[str, Any]]
) -> tuple[CategoryFigure, ...]:
    caps = {(c.get("section"), c["category"]): int(c["max"]) for c in cap_list if c.get("category")}
    keys = {k for k in tally if k[0] is None} | set(caps)
    return tuple(
        CategoryFigure(
            category=category,
            placed=tally.get((section, category), 0),
            cap=caps.get((section, category)),
            section=section,
        )
        for section, category in sorted(keys, key=lambda k: (k[0] or "", k[1]))
    )


def event_figures(session: Session, event: Event, conflicts: Sequence[Conflict]) -> EventFigures:
    """The event page's figures: :func:`figures_by_event` plus the conflicts already computed."""
    figures = figures_by_event(session, [event])[event.id]
    return EventFigures(
        booths=figures.booths,
        vendor_booths=figures.vendor_booths,
        placed=figures.placed,
        confirmed=figures.confirmed,
        checked_in=figures.checked_in,
        waitlist=figures.waitlist,
        conflicts=len(conflicts),
        conflict_booths=len({c.booth_code for c in conflicts}),
        categories=figures.categories,
    )


@dataclass(frozen=True)
class ConflictCount:
    """One event's conflicts by severity (the planner's home shows both)."""

    blocking: int = 0
    warning: int = 0

    @property
    def total(self) -> int:
        """Every conflict, blocking or not."""
        return self.blocking + self.warning


def conflict_counts(
    session: Session, events: Sequence[Event], *, cache: ContextCache | None = None
) -> dict[int, ConflictCount | None]:
    """Blocking and warning conflicts of each open event (``None`` for a closed one).

    The conflicts come from the one geometry engine (:func:`app.services.conflicts.
    event_conflicts`), once per open event and warm from ``cache`` when it holds the event's
    ground; a closed event is a record and is not checked again.
    """
    from app.services.conflicts import event_conflicts

    out: dict[int, ConflictCount | None] = {}
    for event in events:
        if event.status == "closed":
            out[event.id] = None
            continue
        found = Counter(c.severity for c in event_conflicts(session, event, cache=cache))
        out[event.id] = ConflictCount(blocking=found["blocking"], warning=found["warning"])
    return out


# ---------------------------------------------------------------------------------------------
# The table: filters, sort and pages over the board


#: Columns the table sorts by, and the key of each.
SORTS: Final = {
    "code": lambda b: (b.code,),
    "section": lambda b: (b.section, b.code),
    "state": lambda b: (BOARD_STATES.index(b.state), b.code),
    "vendor": lambda b: ((b.vendor_name or "\uffff").casefold(), b.code),
    "category": lambda b: (b.category or "\uffff", b.code),
}
#: Rows on one page of the table.
PAGE_SIZE: Final = 50


@dataclass(frozen=True)
class TableQuery:
    """What the table shows: filters, sort and page, as read from the page's address.

    Unknown values read as "no filter" (an old bookmark still opens the page).
    """

    state: str = ""
    category: str = ""
    section: str = ""
    q: str = ""
    #: Placed vendors first (by business name), then the empty booths: the allocation's result.
    sort: str = "vendor"
    descending: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> TableQuery:
        """Read ``state``, ``category``, ``section``, ``q``, ``sort``, ``dir`` and ``page``.

        >>> query = TableQuery.from_args({"state": "free", "sort": "nope", "page": "x"})
        >>> query.state, query.sort, query.page
        ('free', 'vendor', 1)
        """
        state = args.get("state", "")
        page_text = args.get("page", "1")
        return cls(
            state=state if state in BOARD_STATES else "",
            category=args.get("category", "")[:40],
            section=args.get("section", "")[:4].upper(),
            q=args.get("q", "").strip()[:80],
            sort=args.get("sort", "vendor") if args.get("sort", "vendor") in SORTS else "vendor",
            descending=args.get("dir") == "desc",
            page=int(page_text) if page_text.isdigit() and 0 < len(page_text) < 6 else 1,
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        """The address arguments of this query with ``changes`` (empty values left out)."""
        values = {
            "state": self.state,
            "category": self.category,
            "section": self.section,
            "q": self.q,
            "sort": self.sort if self.sort != "vendor" else "",
            "dir": "desc" if self.descending else "",
            "page": self.page if self.page != 1 else "",
        }
        values.update(changes)
        if values["page"] == 1:
            values["page"] = ""
        return {k: v for k, v in values.items() if v not in ("", None)}


@dataclass(frozen=True)
class TablePage:
    """One page of the filtered, sorted table."""

    rows: list[BoardBooth]
    total: int
    page: int
    pages: int


def table_page(booths: Sequence[BoardBooth], query: TableQuery) -> TablePage:
    """Filter, sort and cut one page of the board (a page past the end shows the last one)."""
    needle = query.q.casefold()
    rows = [
        b
        for b in booths
        if (not query.state or b.state == query.state)
        and (not query.category or b.category == query.category)
        and (not query.section or b.section == query.section)
        and (
            not needle or needle in b.code.casefold() or needle in (b.vendor_name or "").casefold()
        )
    ]
    rows.sort(key=SORTS[query.sort], reverse=query.descending)
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(query.page, pages)
    return TablePage(rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], len(rows), page, pages)
