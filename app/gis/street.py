"""Street spot check: what the rules say about a stall, cart or tent found at one point.

An officer's report is a point, not a booth; it is judged by the same predicates as booths
(:func:`app.gis.conflicts.clearance_pairs`, :func:`app.gis.conflicts.window_within` and the
facility clearances of :mod:`app.kinds`), so the street and the planner's map never disagree:

* the zone the point lies in and its colour: green (``pkl_legal``), yellow (``pkl_timed``,
  allowed only inside its hours, checked against the time of the report) or red (``no_vending``
  and ``emergency_lane``); the strictest zone wins where zones overlap;
* every facility closer than its clearance, with the distance (strictly less, as for booths);
* the nearest green zone that still has free spots, with its distance.

Distances are straight lines in the city's metric CRS (no street network is stored), so the walk
is at least that far. Pure: shapely geometries in a metric CRS and plain numbers in, frozen
records with :class:`app.messages.Msg` messages out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Final

import shapely
from shapely.geometry import Point

from app.gis.conflicts import clearance_pairs, facility_clearances_m, window_within
from app.gis.crs import refuse_degrees
from app.gis.shapes import FacilityShape, ZoneShape
from app.kinds import facility_kind
from app.messages import Msg, define

__all__ = [
    "ZONE_COLOURS",
    "ClearanceFinding",
    "GreenOption",
    "SpotCheck",
    "ZoneFinding",
    "check_spot",
]

#: Zone kinds by the colour an officer reads; kinds not listed (corridors, service areas) have none.
ZONE_COLOURS: Final = {
    "pkl_legal": "green",
    "pkl_timed": "yellow",
    "no_vending": "red",
    "emergency_lane": "red",
}
_STRICTNESS: Final = {"red": 2, "yellow": 1, "green": 0}

_RED = define(
    "street.zone_red",
    id="Zona merah: {zone}. Berjualan di sini dilarang.",
    en="Red zone: {zone}. Vending is not allowed here.",
)
_GREEN = define(
    "street.zone_green",
    id="Zona hijau: {zone}. Berjualan di sini diizinkan.",
    en="Green zone: {zone}. Vending is allowed here.",
)
_YELLOW_OPEN = define(
    "street.zone_yellow_open",
    id="Zona kuning: {zone}. Berjualan hanya pukul {start:hm}–{end:hm}; pada {at:hm} diizinkan.",
    en="Yellow zone: {zone}. Vending only {start:hm}–{end:hm}; at {at:hm} it is allowed.",
)
_YELLOW_CLOSED = define(
    "street.zone_yellow_closed",
    id="Zona kuning: {zone}. Berjualan hanya pukul {start:hm}–{end:hm}; pada {at:hm} dilarang.",
    en="Yellow zone: {zone}. Vending only {start:hm}–{end:hm}; at {at:hm} it is not allowed.",
)
_NO_ZONE = define(
    "street.zone_none",
    id="Di luar zona PKL mana pun: berjualan di sini tidak diizinkan.",
    en="Outside every PKL zone: vending is not allowed here.",
)
_TOO_CLOSE = define(
    "street.too_close",
    id="{distance:qfloor} m dari {facility} — minimal {need:q} m",
    en="{distance:qfloor} m from {facility} — at least {need:q} m",
)
_NAMED = define("street.named", id="{noun} '{name}'", en="{noun} '{name}'")
_GREEN_OPTION_ONE = define(
    "street.green_option_one",
    id="{zone}, {distance:m} m, 1 lapak kosong",
    en="{zone}, {distance:m} m, 1 free spot",
)
_GREEN_OPTION = define(
    "street.green_option",
    id="{zone}, {distance:m} m, {free} lapak kosong",
    en="{zone}, {distance:m} m, {free} free spots",
)


@dataclass(frozen=True)
class ZoneFinding:
    """The zone a spot lies in: its colour and whether vending is allowed at the report's time."""

    zone_id: int | str | None
    name: str
    kind: str | None
    colour: str | None
    allowed: bool
    message: Msg


@dataclass(frozen=True)
class ClearanceFinding:
    """A facility closer to the spot than its clearance."""

    facility_id: int | str
    kind: str
    name: str
    distance_m: float
    required_m: float
    message: Msg


@dataclass(frozen=True)
class GreenOption:
    """A green zone with free spots, and its straight-line distance from the spot."""

    zone_id: int | str
    name: str
    distance_m: float
    free_spots: int
    message: Msg


@dataclass(frozen=True)
class SpotCheck:
    """What the rules say about one spot."""

    zone: ZoneFinding
    clearances: tuple[ClearanceFinding, ...]
    nearest_green: GreenOption | None

    @property
    def allowed(self) -> bool:
        """Vending is allowed here now: an open zone and no facility too close."""
        return self.zone.allowed and not self.clearances


def _zone_finding(spot: Point, zones: Sequence[ZoneShape], at: time) -> ZoneFinding:
    inside = [
        z
        for z in zones
        if z.kind in ZONE_COLOURS and shapely.covers(shapely.make_valid(z.geometry), spot)
    ]
    if not inside:
        return ZoneFinding(None, "", None, None, False, _NO_ZONE())
    zone = max(inside, key=lambda z: (_STRICTNESS[ZONE_COLOURS[z.kind]], str(z.id)))
    colour = ZONE_COLOURS[zone.kind]
    name = zone.name or str(zone.id)
    if colour == "red":
        return ZoneFinding(zone.id, zone.name, zone.kind, colour, False, _RED(zone=name))
    if colour == "green" or zone.hours is None:
        return ZoneFinding(zone.id, zone.name, zone.kind, colour, True, _GREEN(zone=name))
    minute_later = (datetime.combine(datetime.min, at) + timedelta(minutes=1)).time()
    start, end = zone.hours
    if window_within((at, minute_later), zone.hours):
        msg = _YELLOW_OPEN(zone=name, start=start, end=end, at=at)
        return ZoneFinding(zone.id, zone.name, zone.kind, colour, True, msg)
    msg = _YELLOW_CLOSED(zone=name, start=start, end=end, at=at)
    return ZoneFinding(zone.id, zone.name, zone.kind, colour, False, msg)


def _clearances(
    spot: Point, facilities: Sequence[FacilityShape], clearances_m: Mapping[str, float]
) -> tuple[ClearanceFinding, ...]:
    if not facilities:
        return ()
    required = facility_clearances_m([f.kind for f in facilities], clearances_m=clearances_m)
    _spot_idx, facility_idx = clearance_pairs([spot], [f.geometry for f in facilities], required)
    found = []
    for i in sorted(set(facility_idx.tolist())):
        facility = facilities[i]
        distance = float(shapely.distance(spot, facility.geometry))
        known = facility_kind(facility.kind)
        noun = Msg.text(known.noun_id, known.noun_en) if known else Msg.text(facility.kind)
        label = _NAMED(noun=noun, name=facility.name) if facility.name else noun
        need = float(required[i])
        message = _TOO_CLOSE(distance=distance, facility=label, need=need)
        found.append(
            ClearanceFinding(facility.id, facility.kind, facility.name, distance, need, message)
        )
    return tuple(sorted(found, key=lambda c: (c.distance_m, str(c.facility_id))))


def _nearest_green(
    spot: Point, zones: Sequence[ZoneShape], free_spots: Mapping[int | str, int]
) -> GreenOption | None:
    options = [
        (float(shapely.distance(spot, z.geometry)), z)
        for z in zones
        if ZONE_COLOURS.get(z.kind) == "green" and free_spots.get(z.id, 0) > 0
    ]
    if not options:
        return None
    distance, zone = min(options, key=lambda o: (o[0], str(o[1].id)))
    free = free_spots[zone.id]
    name = zone.name or str(zone.id)
    rounded = float(round(distance))
    if free == 1:
        message = _GREEN_OPTION_ONE(zone=name, distance=rounded)
    else:
        message = _GREEN_OPTION(zone=name, distance=rounded, free=free)
    return GreenOption(zone.id, zone.name, distance, free, message)


def check_spot(
    spot: Point,
    *,
    facilities: Sequence[FacilityShape],
    zones: Sequence[ZoneShape],
    clearances_m: Mapping[str, float],
    at: time,
    free_spots: Mapping[int | str, int],
) -> SpotCheck:
    """Judge one spot: its zone at time ``at``, facilities too close, the nearest green zone.

    Parameters
    ----------
    spot
        The reported point in the city's metric CRS.
    facilities, zones
        The city's facilities and zones near the spot, in the same CRS.
    clearances_m
        Clearance in metres per facility kind (``"other"`` for the rest), as for booths.
    at
        The local time of the report, for yellow zones' hours.
    free_spots
        Free spots per green zone id; zones missing or at 0 are never proposed.

    Raises
    ------
    app.gis.crs.CRSError
        When the spot still looks like longitude/latitude degrees.

    Examples
    --------
    A cart 1.2 m from a hydrant in a red zone, a green zone 350 m away with 12 free spots:

    >>> from shapely import box
    >>> x, y = 315000, 9994000
    >>> check = check_spot(
    ...     Point(x, y),
    ...     facilities=[FacilityShape(1, "hydrant", Point(x + 1.2, y))],
    ...     zones=[ZoneShape(5, "no_vending", box(x - 50, y - 50, x + 50, y + 50), "Jl. Merah"),
    ...            ZoneShape(6, "pkl_legal", box(x + 350, y, x + 450, y + 100), "Pasar Tengah")],
    ...     clearances_m={"hydrant": 3.0}, at=time(10, 30), free_spots={6: 12})
    >>> check.zone.colour, check.allowed
    ('red', False)
    >>> check.clearances[0].message.render("id")
    '1,2 m dari hidran — minimal 3 m'
    >>> check.nearest_green.message.render("id")
    'Pasar Tengah, 350 m, 12 lapak kosong'
    """
    refuse_degrees(spot, "spot")
    return SpotCheck(
        zone=_zone_finding(spot, zones, at),
        clearances=_clearances(spot, facilities, clearances_m),
        nearest_green=_nearest_green(spot, zones, free_spots),
    )
