"""Booth properties set in the app for many booths at once: electricity, accessible, locked.

The properties are a small registry (:data:`BOOTH_PROPERTIES`): a new boolean column of the
booth table is one more entry, and the form, the parser and the undo step follow. One change is
one transaction, audited per booth by the session listener, and one named step of the event's
undo stack; the conflicts are then re-checked through the one rule engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.messages import define
from app.models import Booth, Event
from app.services.audit import row_values
from app.services.errors import NotFound, ServiceError
from app.services.history import record_step


@dataclass(frozen=True)
class BoothProperty:
    """A yes/no property of a booth: its column and its names in both languages."""

    column: str
    label_id: str
    label_en: str


#: The properties the form offers, in its order.
BOOTH_PROPERTIES: tuple[BoothProperty, ...] = (
    BoothProperty("has_electricity", "Ada listrik", "Has electricity"),
    BoothProperty("accessible", "Ramah difabel", "Accessible"),
    BoothProperty(
        "locked",
        "Terkunci (tetap saat tata letak dibuat ulang)",
        "Locked (kept when the layout is regenerated)",
    ),
)
#: The most booths one change may name (a whole corridor's worth).
MAX_BOOTHS = 5000

_STEP = define(
    "history.booth_props",
    id="Ubah sifat {n} lapak ({codes})",
    en="Set properties of {n} booths ({codes})",
)
_BAD_RANGE = define(
    "booth_props.bad_range",
    id="codes: '{part}' bukan rentang kode (mis. AY-0001..AY-0020).",
    en="codes: '{part}' is not a range of codes (e.g. AY-0001..AY-0020).",
)
_TOO_MANY = define(
    "booth_props.too_many",
    id="codes: paling banyak {max} lapak sekali ubah.",
    en="codes: at most {max} booths at once.",
)
_UNKNOWN = define(
    "booth_props.unknown",
    id="codes: lapak {codes} tidak ada di acara ini.",
    en="codes: booths {codes} are not in this event.",
)
_NONE = define(
    "booth_props.none",
    id="codes: sebutkan lapak yang diubah (mis. AY-0001..AY-0020, AY-0031).",
    en="codes: name the booths to change (e.g. AY-0001..AY-0020, AY-0031).",
)
_NOTHING = define(
    "booth_props.nothing",
    id="Pilih minimal satu sifat yang diubah (ya atau tidak).",
    en="Choose at least one property to change (yes or no).",
)
_CLOSED = define(
    "booth_props.closed",
    id="Acara sudah ditutup; lapaknya tidak dapat diubah.",
    en="The event is closed; its booths cannot change.",
)
_NUMBERED = re.compile(r"^(?P<prefix>.*?)(?P<num>\d+)$")


def parse_codes(text: str) -> list[str]:
    """``"AY-0001..AY-0003, AY-0010"`` → the codes, upper case, in order, each once."""
    codes: list[str] = []
    for raw in re.split(r"[,\s;]+", text.strip().upper()):
        if not raw:
            continue
        if ".." in raw:
            first, _sep, last = raw.partition("..")
            a, b = _NUMBERED.match(first), _NUMBERED.match(last)
            if not a or not b or a["prefix"] != b["prefix"] or int(a["num"]) > int(b["num"]):
                raise ServiceError(_BAD_RANGE(part=raw))
            width = len(a["num"])
            if int(b["num"]) - int(a["num"]) >= MAX_BOOTHS:
                raise ServiceError(_TOO_MANY(max=MAX_BOOTHS))
            codes += [
                f"{a['prefix']}{n:0{width}d}" for n in range(int(a["num"]), int(b["num"]) + 1)
            ]
        else:
            codes.append(raw)
        if len(codes) > MAX_BOOTHS:
            raise ServiceError(_TOO_MANY(max=MAX_BOOTHS))
    return list(dict.fromkeys(codes))


def set_properties(
    session: Session, event: Event, codes: list[str], values: dict[str, bool]
) -> int:
    """Set ``values`` (column → yes/no) on the event's booths ``codes``; how many changed.

    All or nothing: an unknown code names itself and nothing is written.
    """
    if event.status == "closed":
        raise ServiceError(_CLOSED())
    if not codes:
        raise ServiceError(_NONE())
    known = {p.column for p in BOOTH_PROPERTIES}
    values = {k: v for k, v in values.items() if k in known}
    if not values:
        raise ServiceError(_NOTHING())
    booths = list(
        session.scalars(
            select(Booth)
            .where(Booth.event_id == event.id, Booth.code.in_(codes))
            .order_by(Booth.code)
        )
    )
    missing = sorted(set(codes) - {b.code for b in booths})
    if missing:
        shown = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
        raise NotFound(_UNKNOWN(codes=shown))
    changes = []
    for booth in booths:
        if all(getattr(booth, k) == v for k, v in values.items()):
            continue
        before = row_values(booth)
        for key, value in values.items():
            setattr(booth, key, value)
        changes.append((booth, before))
    if not changes:
        session.rollback()
        return 0
    session.flush()
    record_step(
        session,
        city_id=event.city_id,
        event_id=event.id,
        label=_STEP(n=len(changes), codes=_span([b.code for b, _ in changes])),
        changes=[
            {"entity": "booth", "id": b.id, "before": before, "after": row_values(b)}
            for b, before in changes
        ],
    )
    session.commit()
    return len(changes)


def _span(codes: list[str]) -> str:
    return codes[0] if len(codes) == 1 else f"{codes[0]}…{codes[-1]}"
