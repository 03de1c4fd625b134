"""What the conflict engine reports: the :class:`Conflict` record and its sentence for people.

The checks in :mod:`app.gis.conflicts` measure; this module words what they found. Each
conflict carries its numbers and an :class:`app.messages.Msg` (a catalogued template and its
parameters) that the edge renders in the reader's language: measured quantities with one decimal
from 1 upwards and two below (a distance truncated, so 2.97 m next to a 3 m limit reads "2,9 m"),
times of day as ``06.00`` / ``06:00``, GEOS validity reasons translated into Indonesian.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import time
from typing import Final

from app.gis.shapes import BoothShape, FacilityShape, ZoneShape
from app.kinds import FACILITY_KIND_REGISTRY, facility_kind
from app.messages import Msg, define, render

__all__ = [
    "BLOCKING",
    "BLOCKING_FACILITY_KINDS",
    "WARNING",
    "Conflict",
    "clearance_conflict",
    "invalid_conflict",
    "outside_conflict",
    "overlap_conflict",
    "zone_conflict",
]

BLOCKING: Final = "blocking"
WARNING: Final = "warning"

#: Facility kinds whose clearance blocks a booth (see :mod:`app.kinds`); every other kind, and a
#: code no one registered, only warns.
BLOCKING_FACILITY_KINDS: Final = frozenset(
    code for code, kind in FACILITY_KIND_REGISTRY.items() if kind.blocking
)


@dataclass(frozen=True)
class Conflict:
    """One broken rule for one booth, with the numbers and a sentence for people.

    ``other_*`` name what the booth conflicts with (a facility, a zone, another booth, or the
    permitted area). ``distance_m`` is the exact shapely distance from the booth polygon to a
    facility and ``required_m`` its clearance; both are ``None`` for rules that are not distances.
    ``message`` is rendered at the edge; :attr:`message_id` and :attr:`message_en` render it.

    Examples
    --------
    >>> c = Conflict("AY-014", "facility_clearance", "blocking", "hydrant", 7, "Hidran 1",
    ...              1.8, 3.0, Msg.text("…", "…"))
    >>> c.to_dict()["distance_m"], c.to_dict()["other_kind"]
    (1.8, 'hydrant')
    """

    booth_code: str
    rule: str
    severity: str
    other_kind: str
    other_id: int | str | None
    other_name: str
    distance_m: float | None
    required_m: float | None
    message: Msg

    @property
    def message_id(self) -> str:
        """The sentence in Indonesian."""
        return render(self.message, "id")

    @property
    def message_en(self) -> str:
        """The sentence in English."""
        return render(self.message, "en")

    def to_dict(self) -> dict[str, object]:
        """Return the fields as a plain dict, ready for JSON, a PDF table or a CSV row.

        The sentence comes in both languages (``message_id``, ``message_en``).
        """
        data: dict[str, object] = {
            f.name: getattr(self, f.name) for f in fields(self) if f.name != "message"
        }
        data["message_id"] = self.message_id
        data["message_en"] = self.message_en
        return data


# --------------------------------------------------------------------------------------------
# The sentences
# --------------------------------------------------------------------------------------------

_INVALID = define(
    "conflict.invalid_geometry",
    id="Geometri lapak {booth} tidak sah: {reason}.",
    en="Booth {booth} has invalid geometry: {reason}.",
)
_OUTSIDE = define(
    "conflict.outside_area",
    id="Lapak {booth} berada di luar area yang diizinkan ({area:q} m² di luar).",
    en="Booth {booth} lies outside the permitted area ({area:q} m² outside).",
)
_TIMED = define(
    "conflict.timed_zone_hours",
    id="Lapak {booth} berada di {zone} yang hanya berlaku pukul {open:hm}–{close:hm}, "
    "sedangkan acara berlangsung pukul {start:hm}–{end:hm}.",
    en="Booth {booth} is in {zone}, open {open:hm}–{close:hm} only, "
    "but the event runs {start:hm}–{end:hm}.",
)
_IN_LANE = define(
    "conflict.emergency_lane",
    id="Lapak {booth} masuk {area:q} m² ke {zone}; jalur ini harus kosong.",
    en="Booth {booth} takes {area:q} m² of {zone}; the lane must stay clear.",
)
_IN_ZONE = define(
    "conflict.zone",
    id="Lapak {booth} masuk {area:q} m² ke {zone}.",
    en="Booth {booth} takes {area:q} m² of {zone}.",
)
_OVERLAP = define(
    "conflict.booth_overlap",
    id="Lapak {booth} bertumpang tindih {area:q} m² dengan lapak {other}.",
    en="Booth {booth} overlaps booth {other} by {area:q} m².",
)
_TOUCHES = define(
    "conflict.facility_touched",
    id="Lapak {booth} menutupi atau menyentuh {facility}; jarak minimal {need:q} m.",
    en="Booth {booth} covers or touches {facility}; keep {need:q} m clear.",
)
_TOO_CLOSE = define(
    "conflict.facility_clearance",
    id="Lapak {booth} berjarak {distance:qfloor} m dari {facility}; minimal {need:q} m.",
    en="Booth {booth} is {distance:qfloor} m from {facility}; at least {need:q} m required.",
)
_NAMED = define("conflict.named", id="{label} '{name}'", en="{label} '{name}'")
_NUMBERED = define("conflict.numbered", id="{label} #{ident}", en="{label} #{ident}")
_ZONE_LABELS: Final = {
    "no_vending": define("zone.no_vending", id="zona larangan berjualan", en="no-vending zone"),
    "emergency_lane": define("zone.emergency_lane", id="jalur darurat", en="emergency lane"),
    "pkl_timed": define("zone.pkl_timed", id="zona PKL berjam", en="timed vending zone"),
}

#: GEOS validity reasons in Indonesian (the English text is GEOS's own).
_REASONS_ID: Final = (
    ("Ring Self-intersection", "cincin poligon berpotongan dengan dirinya sendiri"),
    ("Self-intersection", "sisi-sisi poligon saling berpotongan"),
    ("Too few points", "titik sudutnya terlalu sedikit"),
    ("Hole lies outside shell", "lubang poligon berada di luar batasnya"),
    ("Holes are nested", "lubang poligon bersarang di dalam lubang lain"),
    ("Interior is disconnected", "bagian dalam poligon terputus"),
    ("Nested shells", "poligon bertumpuk di dalam poligon lain"),
    ("Duplicate Rings", "ada cincin poligon ganda"),
    ("Invalid Coordinate", "ada koordinat yang tidak sah"),
    ("Ring is not closed", "cincin poligon tidak tertutup"),
    ("No geometry", "geometrinya tidak ada"),
    ("Empty geometry", "geometrinya kosong"),
    ("Not a polygon", "bentuknya bukan poligon"),
)
_POINT_IN_REASON: Final = re.compile(r"\[\s*(-?[\d.eE+-]+|nan)\s+(-?[\d.eE+-]+|nan)\s*\]")


def _named(label: Msg, name: str, other_id: int | str | None) -> Msg:
    if name:
        return _NAMED(label=label, name=name)
    return _NUMBERED(label=label, ident=other_id) if other_id is not None else label


def _reason_id(reason: str) -> str:
    text = next((id_ for en, id_ in _REASONS_ID if reason.startswith(en)), None)
    if text is None:
        return reason  # a reason GEOS added later: better in English than lost
    match = _POINT_IN_REASON.search(reason)
    if match:
        x, y = (_fmt_coord(v) for v in match.groups())
        text = f"{text} di titik ({x}; {y})"
    return text


def _fmt_coord(value: str) -> str:
    try:
        return f"{float(value):.2f}".replace(".", ",")
    except ValueError:  # pragma: no cover - GEOS always prints numbers
        return value


# --------------------------------------------------------------------------------------------
# One builder per rule
# --------------------------------------------------------------------------------------------


def invalid_conflict(booth: BoothShape, reason: str) -> Conflict:
    """``invalid_geometry``: the booth's footprint cannot be measured (GEOS ``reason``)."""
    message = _INVALID(booth=booth.code, reason=Msg.text(_reason_id(reason), reason))
    return Conflict(booth.code, "invalid_geometry", BLOCKING, "", None, "", None, None, message)


def outside_conflict(booth: BoothShape, outside_m2: float) -> Conflict:
    """``outside_area``: ``outside_m2`` of the booth lies outside the permitted areas."""
    message = _OUTSIDE(booth=booth.code, area=outside_m2)
    return Conflict(booth.code, "outside_area", BLOCKING, "area", None, "", None, None, message)


def zone_conflict(
    booth: BoothShape,
    zone: ZoneShape,
    rule: str,
    shared_m2: float,
    event_window: tuple[time, time] | None = None,
) -> Conflict:
    """A zone rule broken: ``rule`` is ``timed_zone_hours`` (with the event's window), or the
    booth shares ``shared_m2`` with a zone it must stay out of.

    >>> from shapely import box
    >>> z = ZoneShape(4, "emergency_lane", box(0, 0, 1, 1), "Jalur A")
    >>> c = zone_conflict(BoothShape("AY-1", box(0, 0, 1, 1)), z, "emergency_lane", 0.5)
    >>> c.message_en
    "Booth AY-1 takes 0.5 m² of emergency lane 'Jalur A'; the lane must stay clear."
    """
    name = _named(_ZONE_LABELS[zone.kind](), zone.name, zone.id)
    if rule == "timed_zone_hours":
        if zone.hours is None or event_window is None:
            raise ValueError("timed_zone_hours needs the zone's hours and the event's window")
        message = _TIMED(
            booth=booth.code,
            zone=name,
            open=zone.hours[0],
            close=zone.hours[1],
            start=event_window[0],
            end=event_window[1],
        )
        return Conflict(
            booth.code, rule, WARNING, zone.kind, zone.id, zone.name, None, None, message
        )
    template = _IN_LANE if rule == "emergency_lane" else _IN_ZONE
    message = template(booth=booth.code, area=shared_m2, zone=name)
    return Conflict(booth.code, rule, BLOCKING, zone.kind, zone.id, zone.name, None, None, message)


def overlap_conflict(booth: BoothShape, other: BoothShape, shared_m2: float) -> Conflict:
    """``booth_overlap``: ``booth`` shares ``shared_m2`` with ``other``."""
    message = _OVERLAP(booth=booth.code, other=other.code, area=shared_m2)
    return Conflict(
        booth.code, "booth_overlap", BLOCKING, "booth", other.code, other.code, None, None, message
    )


def clearance_conflict(
    booth: BoothShape,
    facility: FacilityShape,
    distance_m: float,
    required_m: float,
    blocking_kinds: frozenset[str] = BLOCKING_FACILITY_KINDS,
) -> Conflict:
    """``facility_clearance``: the booth is ``distance_m`` from a facility that needs
    ``required_m``; blocking or a warning as ``blocking_kinds`` says (the city's rules; by
    default each kind's registry entry)."""
    kind = facility.kind
    severity = BLOCKING if kind in blocking_kinds else WARNING
    known = facility_kind(kind)
    noun = Msg.text(known.noun_id, known.noun_en) if known else Msg.text(kind, kind)
    label = _named(noun, facility.name, facility.id)
    if distance_m == 0.0:
        message = _TOUCHES(booth=booth.code, facility=label, need=required_m)
    else:
        message = _TOO_CLOSE(booth=booth.code, facility=label, distance=distance_m, need=required_m)
    return Conflict(
        booth.code, "facility_clearance", severity, kind, facility.id, facility.name,
        distance_m, required_m, message,
    )  # fmt: skip
