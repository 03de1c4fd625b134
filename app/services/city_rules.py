"""A city's rules edited in the app: clearances per facility kind (metres, blocking or a warning),
the goods categories' caps, and the booth properties a new layout gives (how far power reaches
from a street-light pole, step-free, cooking allowed). Every change is one transaction, raises
the city's ``rules_version`` by one and is audited with the version it made; a form read at an older
version is refused (409) so that no one's change is lost. The conflicts are then re-checked
through the one rule engine (:mod:`app.services.conflicts`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.gis.rules import DEFAULT_CLEARANCE_SOURCES, DEFAULT_CLEARANCES_M, VENDOR_CATEGORIES
from app.kinds import FACILITY_KIND_REGISTRY
from app.messages import define
from app.models import AuditEntry, City, ClearanceRule, Event
from app.services.audit import record
from app.services.cities import (
    BOOTH_DEFAULTS,
    blocking_kinds_for,
    booth_defaults_for,
    clearances_for,
)
from app.services.errors import Conflict, ServiceError

#: The most metres a clearance may be (the table's CHECK says the same).
MAX_CLEARANCE_M = 100.0
#: The most booths one category may be given in an event.
MAX_CAP = 10_000

_STALE = define(
    "city_rules.stale",
    id="Aturan kota sudah diubah orang lain (versi {current}); muat ulang halaman dan ulangi.",
    en="Someone else changed the city's rules (version {current}); reload the page and redo.",
)
_BAD_METRES = define(
    "city_rules.bad_metres",
    id="clearance.{kind}: jarak harus angka antara 0 dan {max} m (diberikan '{value}').",
    en="clearance.{kind}: the distance must be a number from 0 to {max} m (got '{value}').",
)
_BAD_CAP = define(
    "city_rules.bad_cap",
    id=(
        "cap.{category}: batas harus bilangan bulat 0 sampai {max}, atau kosong "
        "(diberikan '{value}')."
    ),
    en="cap.{category}: the cap must be a whole number from 0 to {max}, or empty (got '{value}').",
)
#: The farthest a street-light pole may power a booth, in metres.
MAX_POWER_REACH_M = 100.0
_BAD_REACH = define(
    "city_rules.bad_power_reach",
    id=(
        "booth.power_reach_m: jangkauan listrik harus angka antara 0 dan {max} m "
        "(diberikan '{value}')."
    ),
    en="booth.power_reach_m: the power reach must be a number from 0 to {max} m (got '{value}').",
)
_UNKNOWN_KIND = define(
    "city_rules.unknown_kind",
    id="clearance.{kind}: jenis fasilitas tidak dikenal.",
    en="clearance.{kind}: unknown facility kind.",
)
_UNKNOWN_CATEGORY = define(
    "city_rules.unknown_category",
    id="cap.{category}: kategori tidak dikenal.",
    en="cap.{category}: unknown category.",
)


@dataclass(frozen=True)
class RuleRow:
    """One facility kind's rule as the form shows it."""

    kind: str
    metres: float
    blocking: bool
    default_metres: float
    default_blocking: bool
    source: str


def rule_rows(city: City) -> list[RuleRow]:
    """Every registered kind with the city's clearance and severity, and the defaults beside."""
    metres = clearances_for(city)
    blocking = blocking_kinds_for(city)
    return [
        RuleRow(
            code,
            float(metres.get(code, DEFAULT_CLEARANCES_M[code])),
            code in blocking,
            float(DEFAULT_CLEARANCES_M[code]),
            kind.blocking,
            DEFAULT_CLEARANCE_SOURCES[code],
        )
        for code, kind in FACILITY_KIND_REGISTRY.items()
    ]


def _state(city: City) -> dict[str, Any]:
    return {
        "clearances": {r.kind: [r.metres, r.blocking] for r in rule_rows(city)},
        "caps": dict(city.category_caps or {}),
        "grow_at_turn": city.grow_at_turn,
        "booth": booth_defaults_for(city),
    }


def parse_rules(
    metres: dict[str, str], blocking: set[str], caps: dict[str, str]
) -> tuple[dict[str, tuple[float, bool]], dict[str, int]]:
    """The form's text, typed; the first bad value raises :class:`ServiceError` naming it."""
    clearances: dict[str, tuple[float, bool]] = {}
    for kind, raw in metres.items():
        if kind not in FACILITY_KIND_REGISTRY:
            raise ServiceError(_UNKNOWN_KIND(kind=kind))
        try:
            value = float(str(raw).replace(",", "."))
        except ValueError:
            value = math.nan
        if not (0.0 <= value <= MAX_CLEARANCE_M):
            raise ServiceError(_BAD_METRES(kind=kind, max=MAX_CLEARANCE_M, value=raw))
        clearances[kind] = (value, kind in blocking)
    for kind in blocking:
        if kind not in FACILITY_KIND_REGISTRY:
            raise ServiceError(_UNKNOWN_KIND(kind=kind))
    typed_caps: dict[str, int] = {}
    for category, raw in caps.items():
        if category not in VENDOR_CATEGORIES:
            raise ServiceError(_UNKNOWN_CATEGORY(category=category))
        text = str(raw).strip()
        if not text:
            continue
        if not text.isdigit() or int(text) > MAX_CAP:
            raise ServiceError(_BAD_CAP(category=category, max=MAX_CAP, value=raw))
        typed_caps[category] = int(text)
    return clearances, typed_caps


def parse_booth_defaults(
    power_reach: str, *, accessible: bool, cooking_allowed: bool
) -> dict[str, float | bool]:
    """The form's booth properties for new layouts, typed; a bad distance names its field.

    >>> parse_booth_defaults("12,5", accessible=True, cooking_allowed=False)["power_reach_m"]
    12.5
    """
    text = str(power_reach).strip().replace(",", ".")
    try:
        reach = float(text) if text else float(BOOTH_DEFAULTS["power_reach_m"])
    except ValueError:
        reach = math.nan
    if not (0.0 <= reach <= MAX_POWER_REACH_M):
        raise ServiceError(_BAD_REACH(max=MAX_POWER_REACH_M, value=power_reach))
    return {"power_reach_m": reach, "accessible": accessible, "cooking_allowed": cooking_allowed}


def save_rules(
    session: Session,
    city: City,
    *,
    version: int,
    clearances: dict[str, tuple[float, bool]],
    caps: dict[str, int],
    grow_at_turn: bool | None = None,
    booth_defaults: dict[str, float | bool] | None = None,
) -> bool:
    """Store the city's clearances and caps made on ``version``; False when nothing changed.

    ``grow_at_turn`` is the rule for vendors on several booths (``None`` leaves it as it is):
    give each their maximum at their turn instead of everyone's minimum first.
    ``booth_defaults`` (:func:`parse_booth_defaults`; ``None`` leaves them) are what the booths of
    the city's next layouts get; booths already laid out keep theirs.
    """
    if city.rules_version != version:
        raise Conflict(_STALE(current=city.rules_version))
    before = _state(city)
    existing = {r.facility_kind: r for r in city.clearance_rules}
    registry_blocking = {code: k.blocking for code, k in FACILITY_KIND_REGISTRY.items()}
    for kind, (metres, blocking) in clearances.items():
        rule = existing.get(kind)
        if rule is None:
            rule = ClearanceRule(facility_kind=kind, metres=metres, source=None)
            city.clearance_rules.append(rule)
        if rule.metres != metres:
            rule.metres = metres
            rule.source = None if metres != DEFAULT_CLEARANCES_M[kind] else rule.source
        rule.blocking = None if blocking == registry_blocking[kind] else blocking
    city.category_caps = dict(caps) or None
    if grow_at_turn is not None:
        city.grow_at_turn = grow_at_turn
    if booth_defaults is not None:
        known = {k: v for k, v in booth_defaults.items() if k in BOOTH_DEFAULTS}
        own = {k: v for k, v in known.items() if v != BOOTH_DEFAULTS[k]}
        if own != (city.booth_defaults or {}):
            city.booth_defaults = own or None
    after = _state(city)
    if after == before:
        session.rollback()
        return False
    city.rules_version = version + 1
    session.flush()
    record(
        session,
        action="update",
        entity="city_rules",
        entity_id=city.id,
        before=before | {"version": version},
        after=after | {"version": version + 1},
    )
    session.commit()
    return True


def rules_history(session: Session, city: City, *, limit: int = 20) -> list[AuditEntry]:
    """The city's rule changes, newest first (who, when, which version)."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "city_rules", AuditEntry.entity_id == city.id)
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
    )


def changed_kinds(entry: AuditEntry) -> list[str]:
    """What one change touched: the kinds and categories whose values differ."""
    before, after = entry.before or {}, entry.after or {}
    out = [
        k
        for k in sorted(set(before.get("clearances", {})) | set(after.get("clearances", {})))
        if before.get("clearances", {}).get(k) != after.get("clearances", {}).get(k)
    ]
    out += [
        f"cap.{c}"
        for c in sorted(set(before.get("caps", {})) | set(after.get("caps", {})))
        if before.get("caps", {}).get(c) != after.get("caps", {}).get(c)
    ]
    out += [
        f"booth.{k}"
        for k in sorted(set(before.get("booth", {})) | set(after.get("booth", {})))
        if before.get("booth", {}).get(k) != after.get("booth", {}).get(k)
    ]
    return out


def open_events(session: Session, city: City) -> list[Event]:
    """The city's events whose conflicts a rule change re-checks (not closed)."""
    return list(
        session.scalars(
            select(Event)
            .where(Event.city_id == city.id, Event.status != "closed")
            .order_by(Event.date)
        )
    )
