"""Where a booth is, in words: "Sisi timur laut Jl. Ahmad Yani, 40 m dari Simpang Pajak ke arah
barat laut, depan Bank Kalbar".

A vendor finds a booth by the street, not by coordinates. :func:`describe_place` says three
things, each measured in the city's metric CRS from the geometry alone:

* **the side of the road**: the booth's centre is on the left or the right of the road line at
  its nearest point; the side is named by the compass point (one of eight) of the normal that
  points to that side, so it reads the same whichever way the line was drawn, on bends (the
  tangent is taken over :data:`TANGENT_M` either side, not from one segment) and past either end
  (the normal of the end segment, not the direction to the end point);
* **the nearest junction along the road**: every cross street (a named road line) or named
  junction (a point or area, such as the ``intersection`` facility "Simpang Pajak") within
  :data:`JUNCTION_REACH_M` of the road line is placed at its chainage on the line; the one with
  the nearest chainage to the booth's wins. The distance is measured *along the road* (what a
  vendor walks), and the direction is not "after" or "before" (which depends on the way the
  reader walks) but the compass heading from the junction to the booth along the road (the
  chord between the two chainages): "40 m dari Simpang Pajak ke arah barat laut" / "40 m
  north-west of Simpang Pajak". Closer than :data:`AT_JUNCTION_M` it says "di Simpang Pajak";
  farther than :data:`JUNCTION_MAX_M`, or with no junction at all, it says nothing. Roads that
  share the road's name (the other carriageway) or run along it (within
  :data:`PARALLEL_DEG`) are not cross streets;
* **the nearest landmark**: within :data:`LANDMARK_MAX_M` of the booth; "depan X" (in front of
  or across from it) when it is at most :data:`FRONT_ALONG_M` along the road from the booth and
  at most :data:`FRONT_MAX_M` away, else "dekat X (± 80 m)". A landmark named like the junction
  already said (a place called "Simpang Pajak") is not said twice.

Pure: shapely geometries in a metric CRS and strings in, a frozen record with an
:class:`app.messages.Msg` out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from app.gis.crs import refuse_degrees
from app.messages import NOTHING, Msg, define

__all__ = [
    "AT_JUNCTION_M",
    "COMPASS",
    "FRONT_ALONG_M",
    "FRONT_MAX_M",
    "JUNCTION_MAX_M",
    "JUNCTION_REACH_M",
    "LANDMARK_MAX_M",
    "NameProfile",
    "Named",
    "Place",
    "compass_point",
    "describe_place",
    "junctions_on",
    "name_profile",
    "road_name_near",
    "rounded_distance",
]

#: The tangent of the road at a booth is taken over this many metres either side of it.
TANGENT_M: Final = 6.0
#: A cross street or named junction counts when it comes this close to the road line (metres):
#: a cross street often stops at the kerb, and a CFD corridor's line runs along one carriageway.
JUNCTION_REACH_M: Final = 30.0
#: Farther than this along the road (metres), the nearest junction does not help.
JUNCTION_MAX_M: Final = 600.0
#: Closer than this along the road (metres), the booth is "at" the junction.
AT_JUNCTION_M: Final = 8.0
#: A road that runs within this angle of the road line (degrees) is not a cross street.
PARALLEL_DEG: Final = 30.0
#: Landmarks farther than this from the booth (metres) are not named.
LANDMARK_MAX_M: Final = 250.0
#: "depan" (in front of / across from): at most this far along the road from the booth ...
FRONT_ALONG_M: Final = 15.0
#: ... and at most this far from it (metres): the width of a divided road and its kerbs.
FRONT_MAX_M: Final = 60.0
#: A booth this close to the road line (metres) is on it, not on one side.
ON_LINE_M: Final = 0.25
#: A named road names the booth's road when it runs within this of the road line (metres) ...
NAMING_M: Final = 25.0
#: ... over this stretch either side of the booth (metres), looked at every NAMING_STEP_M ...
NAMING_ALONG_M: Final = 100.0
NAMING_STEP_M: Final = 10.0
#: ... for at least this far (a cross street is near the line for about 2 × NAMING_M).
NAMING_MIN_ALONG_M: Final = 80.0
#: Junction names that already say "junction" in Indonesian (said as they are).
JUNCTION_WORDS: Final = ("simpang", "bundaran", "perempatan", "pertigaan", "persimpangan")

#: The eight compass points, clockwise from north: Indonesian and English names.
COMPASS: Final = (
    define("place.compass.n", id="utara", en="north"),
    define("place.compass.ne", id="timur laut", en="north-east"),
    define("place.compass.e", id="timur", en="east"),
    define("place.compass.se", id="tenggara", en="south-east"),
    define("place.compass.s", id="selatan", en="south"),
    define("place.compass.sw", id="barat daya", en="south-west"),
    define("place.compass.w", id="barat", en="west"),
    define("place.compass.nw", id="barat laut", en="north-west"),
)

_SIDE = define("place.side", id="Sisi {dir} {road}", en="On the {dir} side of {road}")
_ON_ROAD = define("place.on_road", id="Di {road}", en="On {road}")
_FROM_JUNCTION = define(
    "place.from_junction", id="{d} m dari {name} ke arah {dir}", en="{d} m {dir} of {name}"
)
_FROM_STREET = define(
    "place.from_street",
    id="{d} m dari simpang {name} ke arah {dir}",
    en="{d} m {dir} of the {name} junction",
)
_AT_JUNCTION = define("place.at_junction", id="di {name}", en="at {name}")
_AT_STREET = define("place.at_street", id="di simpang {name}", en="at the {name} junction")
_FRONT = define("place.front", id="depan {name}", en="in front of {name}")
_NEAR = define("place.near", id="dekat {name} (± {d} m)", en="near {name} (about {d} m)")
_JOIN = define("place.join", id="{a}, {b}", en="{a}, {b}")


@dataclass(frozen=True)
class Named:
    """A named thing in the metric CRS: a cross street (line), a junction or a landmark."""

    name: str
    geom: BaseGeometry


@dataclass(frozen=True)
class Place:
    """Where a booth is: the parts measured and the sentence (:attr:`msg`)."""

    #: compass index (0 = north, clockwise in eighths) of the booth's side; None on the line
    side: int | None
    #: the booth's chainage on the road line (metres from its start)
    chainage_m: float
    junction: str | None = None
    #: metres along the road from the junction to the booth
    junction_m: float | None = None
    #: compass index of the heading from the junction to the booth along the road
    junction_heading: int | None = None
    landmark: str | None = None
    landmark_m: float | None = None
    #: the landmark is in front of (or across the road from) the booth
    landmark_front: bool = False
    msg: Msg = NOTHING()


def compass_point(dx: float, dy: float) -> int:
    """The compass point (0 = north, 1 = north-east, … 7 = north-west) of a direction.

    >>> compass_point(0, 1), compass_point(1, 1), compass_point(-1, 0), compass_point(-1, 2)
    (0, 1, 6, 7)
    """
    bearing = math.degrees(math.atan2(dx, dy)) % 360.0
    return int((bearing + 22.5) // 45.0) % 8


def rounded_distance(metres: float) -> int:
    """A distance as people say it: to 5 m below 50 m, to 10 m above; at least 5.

    >>> [rounded_distance(m) for m in (0.4, 12, 38, 44, 47.6, 53, 136)]
    [5, 10, 40, 45, 50, 50, 140]
    """
    step = 5 if metres < 47.5 else 10
    return max(5, int(step * math.floor(metres / step + 0.5)))


def _tangent(road: LineString, s: float) -> tuple[float, float]:
    """Unit tangent of ``road`` at chainage ``s``, over ``TANGENT_M`` either side (clamped)."""
    a = road.interpolate(max(0.0, s - TANGENT_M))
    b = road.interpolate(min(road.length, s + TANGENT_M))
    dx, dy = b.x - a.x, b.y - a.y
    norm = math.hypot(dx, dy)
    if norm == 0.0:  # pragma: no cover - a degenerate (zero-length) road is refused earlier
        return 1.0, 0.0
    return dx / norm, dy / norm


def _side(road: LineString, s: float, centre: Point) -> int | None:
    tx, ty = _tangent(road, s)
    foot = road.interpolate(s)
    cross = tx * (centre.y - foot.y) - ty * (centre.x - foot.x)
    if abs(cross) < ON_LINE_M:
        return None
    # the normal towards the booth: the tangent turned left (cross > 0) or right
    nx, ny = (-ty, tx) if cross > 0 else (ty, -tx)
    return compass_point(nx, ny)


def _direction_deg(line: BaseGeometry, near: Point) -> float | None:
    """The direction (0–180°) of ``line`` around ``near``; None for points and areas."""
    if not isinstance(line, LineString) or line.length == 0:
        return None
    s = line.project(near)
    a = line.interpolate(max(0.0, s - TANGENT_M))
    b = line.interpolate(min(line.length, s + TANGENT_M))
    if a.equals(b):
        return None
    return math.degrees(math.atan2(b.y - a.y, b.x - a.x)) % 180.0


def _crosses(road: LineString, street: Named, road_name: str) -> float | None:
    """The chainage where ``street`` meets ``road``, or None when it is no cross street."""
    if street.name.strip().casefold() == road_name.strip().casefold():
        return None
    if street.geom.is_empty or street.geom.distance(road) > JUNCTION_REACH_M:
        return None
    if not isinstance(street.geom, LineString | MultiLineString):
        # a junction drawn as a point or an area: its centre's place on the road
        return float(road.project(street.geom.representative_point()))
    meet = street.geom.intersection(road)
    if meet.is_empty:  # a street that stops short of the road line
        on_road, on_street = nearest_points(road, street.geom)
    else:
        on_road = on_street = meet.representative_point()
    s = float(road.project(on_road))
    own = _direction_deg(street.geom, on_street)
    if own is not None:
        tx, ty = _tangent(road, s)
        road_deg = math.degrees(math.atan2(ty, tx)) % 180.0
        diff = abs(own - road_deg)
        if min(diff, 180.0 - diff) < PARALLEL_DEG:
            return None
    return s


@dataclass(frozen=True)
class NameProfile:
    """Which named roads run near ``road`` at each sample (every :data:`NAMING_STEP_M` from its
    start): :func:`name_profile` of the whole line, shared by the booths on it."""

    names: tuple[str, ...]
    #: one row per road in ``names``' order, one column per sample
    near: np.ndarray[tuple[int, int], np.dtype[np.bool_]]


def _sample_range(road: LineString, first: int, last: int) -> tuple[int, int]:
    top = int(road.length // NAMING_STEP_M)
    return max(0, first), min(top, last)


def name_profile(
    road: LineString, roads: Sequence[Named], first: int = 0, last: int | None = None
) -> NameProfile:
    """The named ``roads`` near ``road`` at its samples ``first`` … ``last`` (all by default;
    sample k is at chainage k × NAMING_STEP_M)."""
    lo, hi = _sample_range(road, first, last if last is not None else 1 << 30)
    at = np.arange(lo, hi + 1, dtype=float) * NAMING_STEP_M
    samples = shapely.line_interpolate_point(road, at)
    lines = [r for r in roads if isinstance(r.geom, LineString | MultiLineString)]
    near = np.zeros((len(lines), hi + 1), dtype=bool)
    for i, other in enumerate(lines):
        near[i, lo : hi + 1] = shapely.distance(samples, other.geom) <= NAMING_M
    return NameProfile(tuple(r.name for r in lines), near)


def road_name_near(
    road: LineString,
    booth: BaseGeometry,
    roads: Sequence[Named],
    fallback: str,
    profile: NameProfile | None = None,
) -> str:
    """The name of the road ``booth`` is on: of the named ``roads``, the one that runs the
    farthest within :data:`NAMING_M` of ``road`` over :data:`NAMING_ALONG_M` either side of the
    booth (at the samples every :data:`NAMING_STEP_M` from the line's start; a cross street
    only crosses that stretch), for at least :data:`NAMING_MIN_ALONG_M`; ``fallback`` when none
    does. ``profile``: :func:`name_profile` of ``road`` and ``roads``, when the caller has it.

    >>> road = LineString([(500_000, 9_000_000), (500_400, 9_000_000)])
    >>> axis = Named("Jl. Ahmad Yani", LineString([(500_000, 9_000_007), (500_400, 9_000_007)]))
    >>> cross = Named("Jl. Sutoyo", LineString([(500_200, 8_999_900), (500_200, 9_000_100)]))
    >>> booth = Point(500_190, 9_000_004).buffer(1.5)
    >>> road_name_near(road, booth, [cross, axis], "CFD")
    'Jl. Ahmad Yani'
    >>> road_name_near(road, booth, [cross], "CFD")
    'CFD'
    """
    s = float(road.project(booth.centroid))
    lo, hi = _sample_range(
        road,
        math.ceil((s - NAMING_ALONG_M) / NAMING_STEP_M),
        math.floor((s + NAMING_ALONG_M) / NAMING_STEP_M),
    )
    if profile is None:
        profile = name_profile(road, roads, lo, hi)
    counts = np.count_nonzero(profile.near[:, lo : hi + 1], axis=1)
    hits: dict[str, int] = {}
    for name, count in zip(profile.names, counts, strict=True):
        if count:
            hits[name] = max(hits.get(name, 0), int(count))
    best = max(sorted(hits), key=lambda name: hits[name], default=None)
    # a cross street passes NAMING_M either side of its crossing; the road runs along
    if best is None or hits[best] * NAMING_STEP_M < NAMING_MIN_ALONG_M:
        return fallback
    return best


def junctions_on(
    road: LineString, road_name: str, cross_streets: Sequence[Named]
) -> tuple[tuple[float, str], ...]:
    """The chainages on ``road`` of the cross streets and named junctions that meet it, with
    their names, in the order given (roads named like ``road`` and parallel ones left out).

    It depends on the road, not the booth: callers describing many booths on one road compute
    it once and pass it to :func:`describe_place`.
    """
    out = []
    for street in cross_streets:
        at = _crosses(road, street, road_name)
        if at is not None:
            out.append((at, street.name))
    return tuple(out)


def _is_junction_name(name: str) -> bool:
    return name.strip().casefold().startswith(JUNCTION_WORDS)


def describe_place(
    booth: BaseGeometry,
    road: LineString,
    road_name: str,
    *,
    cross_streets: Sequence[Named] = (),
    landmarks: Sequence[Named] = (),
    junctions: Sequence[tuple[float, str]] | None = None,
) -> Place:
    """Say where ``booth`` is along ``road`` (see the module's description for each rule).

    Parameters
    ----------
    booth : Polygon (or any geometry)
        The booth, in a metric CRS.
    road : LineString
        The line of the road or corridor the booth is on (a corridor's centreline), metric CRS.
    road_name : str
        Its name as people say it ("Jl. Ahmad Yani").
    cross_streets : sequence of Named
        Named roads (lines) and named junctions (points or areas). Roads named like ``road`` and
        roads running along it are skipped.
    landmarks : sequence of Named
        Named places (points or areas).
    junctions : sequence of (chainage, name), optional
        :func:`junctions_on` of ``road``, ``road_name`` and ``cross_streets``, when the caller
        has it already (``cross_streets`` is then not read).

    Returns
    -------
    Place
        The measured parts and the sentence in both languages (:attr:`Place.msg`).

    Examples
    --------
    A road running east, a booth north of it 40 m east of a cross street, a bank opposite:

    >>> from shapely import box
    >>> from app.messages import render
    >>> road = LineString([(500_000, 9_000_000), (500_300, 9_000_000)])
    >>> street = Named("Jl. Sutoyo", LineString([(500_100, 8_999_950), (500_100, 9_000_050)]))
    >>> bank = Named("Bank Kalbar", Point(500_141, 8_999_985))
    >>> booth = box(500_138.5, 9_000_003, 500_141.5, 9_000_006)
    >>> place = describe_place(booth, road, "Jl. Ahmad Yani", cross_streets=[street],
    ...                        landmarks=[bank])
    >>> render(place.msg, "id")
    'Sisi utara Jl. Ahmad Yani, 40 m dari simpang Jl. Sutoyo ke arah timur, depan Bank Kalbar'
    >>> render(place.msg, "en").split(", ")
    ['On the north side of Jl. Ahmad Yani', '40 m east of the Jl. Sutoyo junction', \
'in front of Bank Kalbar']
    """
    refuse_degrees(booth, "booth")
    refuse_degrees(road, "road")
    if road.is_empty or road.length == 0:
        raise ValueError("the road line is empty")
    centre = booth.centroid
    s = road.project(centre)
    side = _side(road, s, centre)
    parts: list[Msg] = [
        _ON_ROAD(road=road_name) if side is None else _SIDE(dir=COMPASS[side](), road=road_name)
    ]

    junction: tuple[float, str] | None = None  # (chainage, name)
    if junctions is None:
        junctions = junctions_on(road, road_name, cross_streets)
    for at, street_name in junctions:
        if junction is None or abs(at - s) < abs(junction[0] - s):
            junction = (at, street_name)
    junction_name: str | None = None
    junction_m: float | None = None
    heading: int | None = None
    if junction is not None and abs(junction[0] - s) <= JUNCTION_MAX_M:
        at, name = junction
        along = abs(s - at)
        named = _is_junction_name(name)
        if along < AT_JUNCTION_M:
            parts.append((_AT_JUNCTION if named else _AT_STREET)(name=name))
        else:
            a, b = road.interpolate(at), road.interpolate(s)
            heading = compass_point(b.x - a.x, b.y - a.y)
            template = _FROM_JUNCTION if named else _FROM_STREET
            parts.append(template(d=rounded_distance(along), name=name, dir=COMPASS[heading]()))
        junction_name, junction_m = name, along

    best: tuple[float, Named] | None = None
    said = junction_name.strip().casefold() if junction_name else None
    for mark in landmarks:
        if mark.geom.is_empty or mark.name.strip().casefold() == said:
            continue  # "Simpang Pajak" is said once, as the junction
        d = booth.distance(mark.geom)
        if d <= LANDMARK_MAX_M and (best is None or d < best[0]):
            best = (d, mark)
    mark_name: str | None = None
    mark_m: float | None = None
    front = False
    if best is not None:
        d, mark = best
        mark_s = road.project(nearest_points(mark.geom, centre)[0])
        front = d <= FRONT_MAX_M and abs(mark_s - s) <= FRONT_ALONG_M
        parts.append(
            _FRONT(name=mark.name) if front else _NEAR(name=mark.name, d=rounded_distance(d))
        )
        mark_name, mark_m = mark.name, d

    msg = parts[0]
    for part in parts[1:]:
        msg = _JOIN(a=msg, b=part)
    return Place(
        side,
        s,
        junction=junction_name,
        junction_m=junction_m,
        junction_heading=heading,
        landmark=mark_name,
        landmark_m=mark_m,
        landmark_front=front,
        msg=msg,
    )
