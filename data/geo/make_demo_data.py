#!/usr/bin/env python3
"""Generate PetaLapak's illustrative Pontianak demo data.

Everything here is drawn by PetaLapak from public descriptions (``shared/geo-facts.md``); nothing
is surveyed and no OpenStreetMap data is used. Geometry is drawn in EPSG:32749 (WGS 84 / UTM 49S,
metres) and written as EPSG:4326 GeoJSON with coordinates rounded to 7 decimals (about 1 cm).
The output is deterministic: a fixed seed drives every random choice.

Run from the repository root::

    .venv/bin/python data/geo/make_demo_data.py

It rewrites ``zones.geojson``, ``facilities.geojson``, ``service_desks.geojson``, ``vendors.csv``
and ``metadata.json`` next to this file, then reads them back and checks them (validity, lengths,
containment, disjointness, kinds, uniqueness). A failed check exits with status 1.
"""

from __future__ import annotations

import csv
import json
import math
import random
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from app.gis.rules import (  # noqa: E402  (the repository root is put on sys.path just above)
    FACILITY_KINDS,
    SERVICE_DESK_KINDS,
    VENDOR_CATEGORIES,
    ZONE_KINDS,
)

SEED = 20251123  # MikroDOTS at the Pontianak CFD, Sunday 23 November 2025
METRIC_EPSG = 32749
DECIMALS = 7
SOURCE = "ilustrasi PetaLapak"

TO_METRIC = Transformer.from_crs(4326, METRIC_EPSG, always_xy=True)
TO_WGS84 = Transformer.from_crs(METRIC_EPSG, 4326, always_xy=True)

# --- facts (shared/geo-facts.md), EPSG:4326 lon, lat ------------------------------------------
DIGULIS = (109.3492, -0.0551)  # Bundaran Digulis, south-east end of Jl. Ahmad Yani
PERDANA = (109.3465, -0.0519)  # Jl. Perdana x Jl. Ahmad Yani
SIMPANG_PAJAK = (109.3425, -0.0473)  # A. Yani x Sutoyo x Veteran
BCA = (109.3343, -0.0372)  # CFD north-west end, by the BCA building
PASAR_TENGAH = (109.3432, -0.0259)  # Jl. Asahan, Kelurahan Darat Sekip

# --- cross-section of Jl. Ahmad Yani (metres) -------------------------------------------------
CARRIAGEWAY_W = 10.5  # one carriageway; the CFD closes the north-east one
AXIS_OFFSET = 7.0  # carriageway centreline from the road axis -> median 3.5 m wide
EMERGENCY_LANE_W = 4.3
DIGULIS_TRIM = 25.0  # the corridor starts at the roundabout's edge, not at its centre
HALF = CARRIAGEWAY_W / 2


def to_metric(lon: float, lat: float) -> tuple[float, float]:
    x, y = TO_METRIC.transform(lon, lat)
    return float(x), float(y)


# --- geometry helpers --------------------------------------------------------------------------
def catmull_rom(points: list[tuple[float, float]], step_m: float = 10.0) -> LineString:
    """Centripetal Catmull-Rom spline through ``points`` (passes through every point)."""
    pts = [points[0]] + points + [points[-1]]
    # phantom end points: reflect the neighbours so that the ends run straight on
    pts[0] = (2 * points[0][0] - points[1][0], 2 * points[0][1] - points[1][1])
    pts[-1] = (2 * points[-1][0] - points[-2][0], 2 * points[-1][1] - points[-2][1])
    out: list[tuple[float, float]] = []

    def tj(ti: float, a: tuple[float, float], b: tuple[float, float]) -> float:
        return ti + math.dist(a, b) ** 0.5

    for i in range(len(pts) - 3):
        p0, p1, p2, p3 = pts[i : i + 4]
        t0 = 0.0
        t1 = tj(t0, p0, p1)
        t2 = tj(t1, p1, p2)
        t3 = tj(t2, p2, p3)
        n = max(2, math.ceil(math.dist(p1, p2) / step_m))
        for k in range(n):
            t = t1 + (t2 - t1) * k / n

            def lerp(a, b, ta, tb, t=t):  # type: ignore[no-untyped-def]
                wa = (tb - t) / (tb - ta)
                wb = (t - ta) / (tb - ta)
                return (wa * a[0] + wb * b[0], wa * a[1] + wb * b[1])

            a1 = lerp(p0, p1, t0, t1)
            a2 = lerp(p1, p2, t1, t2)
            a3 = lerp(p2, p3, t2, t3)
            b1 = lerp(a1, a2, t0, t2)
            b2 = lerp(a2, a3, t1, t3)
            out.append(lerp(b1, b2, t1, t2))
    out.append(points[-1])
    return LineString(out)


@dataclass
class Ref:
    """A reference line with stations (metres along) and signed offsets (+ = north-east side)."""

    line: LineString
    sign: float = 1.0  # multiplies the left normal so that + offsets point north-east

    def __post_init__(self) -> None:
        tx, ty = self._tangent(self.line.length / 2)
        left = (-ty, tx)
        self.sign = 1.0 if left[0] + left[1] > 0 else -1.0

    @property
    def length(self) -> float:
        return float(self.line.length)

    def _tangent(self, s: float) -> tuple[float, float]:
        a = self.line.interpolate(max(0.0, s - 1.0))
        b = self.line.interpolate(min(self.length, s + 1.0))
        dx, dy = b.x - a.x, b.y - a.y
        n = math.hypot(dx, dy)
        return dx / n, dy / n

    def normal(self, s: float) -> tuple[float, float]:
        tx, ty = self._tangent(s)
        return -ty * self.sign, tx * self.sign

    def at(self, s: float, d: float = 0.0) -> tuple[float, float]:
        p = self.line.interpolate(s)
        nx, ny = self.normal(s)
        return p.x + d * nx, p.y + d * ny

    def point(self, s: float, d: float = 0.0) -> Point:
        return Point(self.at(s, d))

    def across(self, s: float, d1: float, d2: float) -> LineString:
        return LineString([self.at(s, d1), self.at(s, d2)])

    def strip(self, s1: float, s2: float, d1: float, d2: float, step: float = 5.0) -> Polygon:
        """Polygon between offsets ``d1`` and ``d2`` from station ``s1`` to ``s2``."""
        n = max(1, math.ceil((s2 - s1) / step))
        ss = [s1 + (s2 - s1) * k / n for k in range(n + 1)]
        left = [self.at(s, d1) for s in ss]
        right = [self.at(s, d2) for s in reversed(ss)]
        return Polygon(left + right)

    def station_of(self, lonlat: tuple[float, float]) -> float:
        return float(self.line.project(Point(to_metric(*lonlat))))


def to_wgs84(geom: BaseGeometry) -> BaseGeometry:
    def f(xy):  # type: ignore[no-untyped-def]
        import numpy as np

        x, y = TO_WGS84.transform(xy[:, 0], xy[:, 1])
        return np.round(np.column_stack([x, y]), DECIMALS)

    out = shapely.transform(geom, f)
    if out.geom_type == "Polygon":
        out = shapely.set_precision(out, 10.0**-DECIMALS)
    return out


def _round_coords(obj):  # type: ignore[no-untyped-def]
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), DECIMALS) for v in obj]
        return [_round_coords(o) for o in obj]
    return obj


def feature(geom: BaseGeometry, props: dict) -> dict:  # type: ignore[type-arg]
    g = mapping(to_wgs84(geom))
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": g["type"], "coordinates": _round_coords(g["coordinates"])},
    }


def write_geojson(path: Path, features: list[dict]) -> None:  # type: ignore[type-arg]
    fc = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(fc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# --- Jl. Ahmad Yani and the CFD corridor ---------------------------------------------------------
def build_ahmad_yani() -> tuple[Ref, Ref, LineString]:
    """Return (CFD centreline, south-west carriageway centreline, road axis), all from Digulis."""
    ctrl = [to_metric(*p) for p in (DIGULIS, PERDANA, SIMPANG_PAJAK, BCA)]
    axis = catmull_rom(ctrl, step_m=10.0)
    probe = Ref(axis)
    ne = probe.sign  # offset_curve: + is left; choose the side that points north-east
    cfd_full = axis.offset_curve(AXIS_OFFSET * ne, join_style="mitre")
    sw_full = axis.offset_curve(-AXIS_OFFSET * ne, join_style="mitre")
    # offset_curve keeps the direction of the input line in shapely 2; make sure of it
    start = Point(ctrl[0])
    if cfd_full.project(start) > cfd_full.length / 2:
        cfd_full = cfd_full.reverse()
    if sw_full.project(start) > sw_full.length / 2:
        sw_full = sw_full.reverse()
    cfd = substring(cfd_full, DIGULIS_TRIM, cfd_full.length)
    sw = substring(sw_full, DIGULIS_TRIM, sw_full.length)
    return Ref(cfd), Ref(sw), axis


# --- zones -------------------------------------------------------------------------------------
def zone(geom, name, kind, desc, cats=None, capacity=None, hours=None):  # type: ignore[no-untyped-def]
    return {
        "geom": geom,
        "props": {
            "name": name,
            "kind": kind,
            "allowed_categories": cats,
            "capacity": capacity,
            "hours_start": hours[0] if hours else None,
            "hours_end": hours[1] if hours else None,
            "description": desc,
        },
    }


def build_all():  # type: ignore[no-untyped-def]
    rnd = random.Random(SEED)
    cfd, sw, axis = build_ahmad_yani()
    L = cfd.length
    s_perdana = cfd.station_of(PERDANA)
    s_pajak = cfd.station_of(SIMPANG_PAJAK)

    corridor = cfd.line.buffer(HALF, cap_style="flat", join_style="mitre")
    lane_line = substring(cfd.line, 0.02, L - 0.02)  # 2 cm short so that rounding stays inside
    lane = lane_line.buffer(EMERGENCY_LANE_W / 2, cap_style="flat", join_style="mitre")
    sw_poly = sw.line.buffer(HALF, cap_style="flat", join_style="mitre")

    # MikroDOTS service desks: north-west of Simpang Pajak, on the outer (north-east) kerb side
    desk_s0 = s_pajak + 22.0
    desk_spacing = 6.0
    desk_stations = [desk_s0 + 1.5 + k * desk_spacing for k in range(len(SERVICE_DESK_KINDS))]
    desk_offset = HALF - 1.5  # a 3 x 3 m desk with its back on the kerb line
    svc_s1, svc_s2 = desk_s0 - 2.0, desk_stations[-1] + 1.5 + 2.0
    service_area = cfd.strip(svc_s1, svc_s2, EMERGENCY_LANE_W / 2 + 0.05, HALF - 0.05)

    # Pasar Tengah: Jl. Asahan runs parallel to A. Yani's north-west end (illustrative)
    px, py = to_metric(*PASAR_TENGAH)
    tx, ty = cfd._tangent(L - 1.0)  # unit vector towards the north-west
    nx, ny = cfd.normal(L - 1.0)  # unit vector towards the north-east
    asahan_len = 340.0
    asahan = Ref(
        LineString(
            [
                (px - tx * asahan_len / 2, py - ty * asahan_len / 2),
                (px + tx * asahan_len / 2, py + ty * asahan_len / 2),
            ]
        )
    )
    # Jl. Tanjungpura, the river-side main road, 110 m south-west of Pasar Tengah
    fx, fy = px - 110.0 * nx, py - 110.0 * ny
    tjp = Ref(LineString([(fx - tx * 900.0, fy - ty * 900.0), (fx + tx * 400.0, fy + ty * 400.0)]))
    # Jl. Gajah Mada: from A. Yani (400 m before the BCA end) north-east to Jl. Tanjungpura
    s_gm = L - 400.0
    g0 = cfd.at(s_gm, HALF + 10.0)
    gn = cfd.normal(s_gm)
    ray = LineString([g0, (g0[0] + gn[0] * 3000, g0[1] + gn[1] * 3000)])
    hit = ray.intersection(tjp.line)
    assert hit.geom_type == "Point", "Jl. Gajah Mada must meet Jl. Tanjungpura"
    gajah_mada = LineString([g0, (hit.x, hit.y)])
    tjp_poly = tjp.line.buffer(8.0, cap_style="flat")
    gm_poly = gajah_mada.buffer(7.0, cap_style="flat").difference(tjp_poly)
    gm_poly = shapely.make_valid(gm_poly)
    if gm_poly.geom_type != "Polygon":  # keep the main piece only
        gm_poly = max(gm_poly.geoms, key=lambda g: g.area)

    green = asahan.strip(0.0, asahan_len, 5.5, 8.5)  # NE (market) side; sidewalk 3.5..8.5 m
    night = asahan.strip(60.0, 260.0, -8.5, -5.5)  # opposite sidewalk
    lane_start = asahan.at(300.0, 14.0)  # a lane off Jl. Asahan towards the river
    lorong = Ref(LineString([lane_start, (lane_start[0] + nx * 110, lane_start[1] + ny * 110)]))
    morning = lorong.strip(4.0, 100.0, 3.0, 5.5)

    zones = [
        zone(
            corridor,
            "CFD Jl. Ahmad Yani",
            "cfd_corridor",
            "Ilustrasi: jalur timur laut Jl. Ahmad Yani dari Bundaran Digulis lewat "
            "Jl. Perdana dan "
            "Simpang Pajak sampai Gedung BCA, ditutup untuk Car Free Day Minggu 06.00-09.00.",
        ),
        zone(
            lane,
            "Jalur Darurat Jl. Ahmad Yani",
            "emergency_lane",
            "Ilustrasi: lajur darurat 4,3 m di tengah jalur CFD, harus bebas sepanjang jalur.",
        ),
        zone(
            service_area,
            "Area Layanan MikroDOTS",
            "service_area",
            "Ilustrasi: meja layanan MikroDOTS (halal, NIB, KUR, OJK, edukasi) di sisi trotoar "
            "dekat Simpang Pajak; bukan lapak pedagang.",
        ),
        zone(
            green,
            "Pasar Tengah - Jl. Asahan",
            "pkl_legal",
            "Ilustrasi: lajur berjualan PKL selebar 3 m di trotoar Jl. Asahan dekat Pasar Tengah "
            "(Permen PUPR 03/2014: trotoar minimal 5 m, lajur berjualan maksimal 3 m).",
            capacity=120,
        ),
        zone(
            night,
            "Pasar Malam Jl. Asahan",
            "pkl_timed",
            "Ilustrasi: trotoar seberang Pasar Tengah, boleh berjualan makanan dan minuman "
            "pukul 16.00-22.00.",
            cats=["makanan", "minuman"],
            capacity=60,
            hours=("16:00", "22:00"),
        ),
        zone(
            morning,
            "Pasar Pagi Lorong Pasar Tengah",
            "pkl_timed",
            "Ilustrasi: lorong samping Pasar Tengah, boleh berjualan hasil tani dan sarapan "
            "pukul 05.00-09.00.",
            cats=["hasil_tani", "makanan", "minuman"],
            capacity=30,
            hours=("05:00", "09:00"),
        ),
        zone(
            sw_poly,
            "Jl. Ahmad Yani (jalur barat daya)",
            "no_vending",
            "Ilustrasi: jalur barat daya Jl. Ahmad Yani tetap dilalui kendaraan saat CFD; jalan "
            "utama, zona merah (dilarang berjualan).",
        ),
        zone(
            gm_poly,
            "Jl. Gajah Mada",
            "no_vending",
            "Ilustrasi: jalan utama, zona merah (dilarang berjualan di badan jalan dan trotoar).",
        ),
        zone(
            tjp_poly,
            "Jl. Tanjungpura",
            "no_vending",
            "Ilustrasi: jalan utama tepi Sungai Kapuas, zona merah (dilarang berjualan).",
        ),
    ]

    facilities = build_facilities(rnd, cfd, asahan, s_perdana, s_pajak, s_gm, desk_stations)

    desks = []
    desk_names = {
        "halal": "Layanan Sertifikasi Halal",
        "nib": "Layanan NIB (OSS)",
        "kur": "Akses Pembiayaan KUR",
        "ojk": "OJK - Literasi Keuangan",
        "edukasi": "Edukasi Legalitas & Pemasaran Digital",
    }
    for kind, s in zip(SERVICE_DESK_KINDS, desk_stations, strict=True):
        desks.append(
            {
                "geom": cfd.point(s, desk_offset),
                "props": {"service": kind, "name": desk_names[kind]},
            }
        )

    info = {
        "corridor_length_m": round(L, 1),
        "corridor_width_m": round(corridor.area / L, 2),
        "s_perdana": round(s_perdana, 1),
        "s_pajak": round(s_pajak, 1),
    }
    return zones, facilities, desks, info


# --- facilities --------------------------------------------------------------------------------
# landmarks along the CFD (station from the Digulis end, metres); positions are illustrative
def build_facilities(rnd, cfd, asahan, s_perdana, s_pajak, s_gm, desk_stations):  # type: ignore[no-untyped-def]
    L = cfd.length
    feats: list[dict] = []  # type: ignore[type-arg]

    def add(kind: str, name: str, geom: BaseGeometry) -> None:
        assert kind in FACILITY_KINDS, kind
        feats.append({"geom": geom, "props": {"kind": kind, "name": name, "source": SOURCE}})

    # junctions: (station, width of the side street, name, four-way?)
    junctions = [
        (200.0, 10.0, "Jl. Daya Nasional", False),
        (s_perdana, 14.0, "Jl. Perdana", True),
        (1560.0, 10.0, "Jl. Sutan Syahrir", False),
        (s_pajak, 16.0, "Simpang Pajak", True),
        (s_gm, 14.0, "Jl. Gajah Mada", False),
    ]
    landmarks = [
        (60.0, "Universitas Tanjungpura"),
        (720.0, "Kantor Gubernur"),
        (1420.0, "Masjid Raya Mujahidin"),
        (1860.0, "Ayani Megamall"),
        (2290.0, "Hotel"),
        (L - 20.0, "Gedung BCA"),
    ]

    def near(s: float) -> str:
        best = min(
            [
                (abs(s - js), f"Simpang {jn}" if not jn.startswith("Simpang") else jn)
                for js, _, jn, _ in junctions
            ]
            + [(abs(s - ls), f"depan {ln}") for ls, ln in landmarks]
        )
        if best[0] <= 120:
            return best[1]
        km = f"{(s + DIGULIS_TRIM) / 1000:.1f}".replace(".", ",")
        return f"Jl. A. Yani km {km}"

    blocked: list[tuple[float, float, int]] = []  # (s1, s2, side) where side 0 = both sides

    def free(s: float, side: int) -> bool:
        if s < 2.0 or s > L - 2.0:
            return False
        return not any(a <= s <= b and (sd == 0 or sd == side) for a, b, sd in blocked)

    # junction boxes, crossings and kerb ramps
    for js, jw, jn, four_way in junctions:
        inner = -HALF - 3.5 if four_way else -HALF  # four-way: the box includes the median opening
        add(
            "intersection",
            f"Simpang {jn}" if not jn.startswith("Simpang") else jn,
            cfd.strip(js - jw / 2, js + jw / 2, inner, HALF + 0.75, step=2.0),
        )
        blocked.append((js - jw / 2 - 2.0, js + jw / 2 + 2.0, 0))
        sides = (-1, 1) if four_way else (1,)
        for k, side in enumerate(sides):
            cs = js + side * (jw / 2 + 3.0)
            label = (
                f"Penyeberangan {jn}" if jn.startswith("Simpang") else f"Penyeberangan Simpang {jn}"
            )
            if four_way:
                label += " (sisi tenggara)" if side < 0 else " (sisi barat laut)"
            add("crossing", label, cfd.across(cs, -HALF, HALF))
            add("ramp", f"Ramp trotoar {label[14:]}", cfd.point(cs, HALF + 0.3))
            add("ramp", f"Ramp median {label[14:]}", cfd.point(cs, -HALF - 0.3))
            blocked.append((cs - 2.5, cs + 2.5, 0))
            _ = k

    # mid-block crossings in front of big buildings
    for s, ln in (
        (735.0, "Kantor Gubernur"),
        (1435.0, "Masjid Raya Mujahidin"),
        (1875.0, "Ayani Megamall"),
    ):
        add("crossing", f"Penyeberangan depan {ln}", cfd.across(s, -HALF, HALF))
        add("ramp", f"Ramp trotoar depan {ln}", cfd.point(s, HALF + 0.3))
        add("ramp", f"Ramp median depan {ln}", cfd.point(s, -HALF - 0.3))
        blocked.append((s - 2.5, s + 2.5, 0))

    # MikroDOTS desks keep the outer kerb clear around them (building entrance clearance 6 m)
    blocked.append((desk_stations[0] - 8.0, desk_stations[-1] + 8.0, 1))

    # building entrances and driveways on the outer (north-east) kerb
    entrances = [
        (75.0, "Pintu masuk Universitas Tanjungpura"),
        (705.0, "Pintu masuk Kantor Gubernur Kalimantan Barat"),
        (1010.0, "Pintu masuk Kantor Dinas Koperasi dan UKM"),
        (1405.0, "Pintu masuk Masjid Raya Mujahidin"),
        (1845.0, "Pintu masuk Ayani Megamall"),
        (2270.0, "Pintu masuk Hotel"),
        (2440.0, "Pintu masuk Kantor Pos"),
        (L - 25.0, "Pintu masuk Gedung BCA"),
    ]
    for s, name in entrances:
        add("building_entrance", name, cfd.point(s, HALF + 0.4))
        blocked.append((s - 1.5, s + 1.5, 1))
    driveways = [
        (95.0, "Akses kendaraan Universitas Tanjungpura"),
        (680.0, "Akses kendaraan Kantor Gubernur"),
        (1385.0, "Akses kendaraan Masjid Raya Mujahidin"),
        (1815.0, "Akses masuk parkir Ayani Megamall"),
        (1900.0, "Akses keluar parkir Ayani Megamall"),
        (2250.0, "Akses kendaraan Hotel"),
        (2355.0, "Akses SPBU Jl. A. Yani"),
    ]
    for s, name in driveways:
        add("driveway", name, cfd.point(s, HALF + 0.2))
        blocked.append((s - 3.0, s + 3.0, 1))
    for s, ln in (
        (710.0, "Kantor Gubernur"),
        (1410.0, "Masjid Raya Mujahidin"),
        (1850.0, "Ayani Megamall"),
    ):
        add("ramp", f"Ramp difabel depan {ln}", cfd.point(s + 4.0, HALF + 0.3))

    # bus stops: three shelters as small polygons, one marker-only stop as a point
    halte = [(380.0, True), (1060.0, True), (1610.0, False), (2180.0, True)]
    for i, (s, poly) in enumerate(halte, start=1):
        name = f"Halte Jl. A. Yani {i}"
        if poly:
            add("bus_stop", name, cfd.strip(s - 5.0, s + 5.0, HALF - 0.25, HALF + 2.25, step=5.0))
        else:
            add("bus_stop", name, cfd.point(s, HALF + 0.8))
        blocked.append((s - 6.0, s + 6.0, 1))

    def place(s: float, side: int) -> float | None:
        """Nudge ``s`` forward or back (up to 20 m) until it is free on ``side``."""
        for k in range(21):
            for cand in (s + k, s - k):
                if free(cand, side):
                    return cand
        return None

    # hydrants on the outer kerb, about every 250 m
    for s in [130.0 + 255.0 * k + rnd.uniform(-25, 25) for k in range(10)]:
        s2 = place(s, 1)
        if s2 is None:
            continue
        add("hydrant", f"Hidran {near(s2)}", cfd.point(s2, HALF + 0.35))
        blocked.append((s2 - 1.0, s2 + 1.0, 1))

    # drainage inlets along the parit, kerb side, every 50-80 m
    s = 20.0
    n = 0
    while s < L - 10:
        s2 = place(s, 1)
        if s2 is not None:
            n += 1
            add(
                "drainage_inlet",
                f"Inlet drainase parit A. Yani {n:02d}",
                cfd.point(s2, HALF - 0.25),
            )
        s += rnd.uniform(50.0, 80.0)

    # manholes near the middle of the carriageway
    for k, s in enumerate([150.0 + 320.0 * k + rnd.uniform(-30, 30) for k in range(8)], start=1):
        s2 = place(s, 0) or s
        add(
            "manhole",
            f"Manhole saluran {k:02d} ({near(s2)})",
            cfd.point(s2, rnd.uniform(-1.2, 1.2)),
        )

    # median: trees and street-light poles alternate, about every 30 m each way
    s = 15.0
    t = p = 0
    while s < L - 5:
        if free(s, -1):
            if (t + p) % 2 == 0:
                t += 1
                add("tree", f"Pohon peneduh median {t:02d}", cfd.point(s, -HALF - 0.6))
            else:
                p += 1
                add("pole", f"Tiang PJU median {p:02d}", cfd.point(s, -HALF - 0.4))
        s += rnd.uniform(55.0, 70.0) / 2

    # outer kerb: a few trees and utility poles, benches, PLN panels, a police post
    t = 0
    for k in range(14):
        s2 = place(60.0 + 180.0 * k + rnd.uniform(-20, 20), 1)
        if s2 is not None:
            t += 1
            add("tree", f"Pohon trotoar {t:02d} ({near(s2)})", cfd.point(s2, HALF + 0.9))
            blocked.append((s2 - 1.0, s2 + 1.0, 1))
    p = 0
    for k in range(9):
        s2 = place(150.0 + 280.0 * k + rnd.uniform(-20, 20), 1)
        if s2 is not None:
            p += 1
            add("pole", f"Tiang listrik PLN {p:02d}", cfd.point(s2, HALF + 0.5))
            blocked.append((s2 - 1.0, s2 + 1.0, 1))
    for s in (720.0, 1000.0, 1450.0, 1630.0, 1880.0, 2300.0):
        s2 = place(s + 8.0, 1)
        if s2 is not None:
            add("bench", f"Bangku trotoar {near(s2)}", cfd.point(s2, HALF + 1.2))
            blocked.append((s2 - 1.0, s2 + 1.0, 1))
    for s, name in (
        (s_pajak - 12.0, "Pos Polisi Simpang Pajak"),
        (520.0, "Panel listrik PLN"),
        (1980.0, "Panel listrik PLN"),
        (1250.0, "Papan reklame"),
    ):
        s2 = place(s, 1)
        if s2 is not None:
            add(
                "other",
                f"{name} ({near(s2)})" if "Pajak" not in name else name,
                cfd.point(s2, HALF + 0.7),
            )
            blocked.append((s2 - 1.0, s2 + 1.0, 1))

    # Pasar Tengah / Jl. Asahan (sidewalk 3.5..8.5 m from the street axis on both sides)
    add("building_entrance", "Pintu utama Pasar Tengah", asahan.point(150.0, 8.8))
    add("building_entrance", "Pintu samping Pasar Tengah", asahan.point(245.0, 8.8))
    add("crossing", "Penyeberangan Jl. Asahan depan Pasar Tengah", asahan.across(160.0, -3.5, 3.5))
    add("ramp", "Ramp trotoar Pasar Tengah", asahan.point(160.0, 3.8))
    add("hydrant", "Hidran Pasar Tengah (Jl. Asahan)", asahan.point(95.0, 5.3))
    add("hydrant", "Hidran Jl. Asahan sisi barat", asahan.point(205.0, -5.3))
    for k, s in enumerate((30.0, 95.0, 165.0, 235.0, 305.0), start=1):
        add(
            "drainage_inlet",
            f"Inlet drainase Jl. Asahan {k:02d}",
            asahan.point(s + 10.0, 3.6 if k % 2 else -3.6),
        )
    for k, s in enumerate((50.0, 130.0, 210.0, 290.0), start=1):
        add("pole", f"Tiang PJU Jl. Asahan {k:02d}", asahan.point(s, -3.9 if k % 2 else 3.9))
    add("tree", "Pohon trotoar Jl. Asahan 01", asahan.point(20.0, -4.2))
    add("tree", "Pohon trotoar Jl. Asahan 02", asahan.point(320.0, 4.2))
    add("manhole", "Manhole saluran Jl. Asahan", asahan.point(120.0, 0.8))

    return feats


# --- vendors -----------------------------------------------------------------------------------
# fmt: off
MALAY_F = [
    "Siti", "Nur", "Syarifah", "Utin", "Jamilah", "Fitri", "Rahmah", "Hamidah", "Nurul", "Aisyah",
    "Halimah", "Salmah", "Rukiah", "Zubaidah", "Rosnah", "Mariam", "Khadijah",
]
MALAY_F2 = [
    "Rahmawati", "Aminah", "Hasanah", "Fadilah", "Zahra", "Khairunnisa", "Maulida", "Nuraini",
    "Rahmi", "Hidayati", "Safitri", "Wulandari", "Fauziah", "Mardiana",
]
MALAY_M = [
    "Ahmad", "Muhammad", "Syarif", "Uray", "Gusti", "Abdul", "Hendra", "Rizky", "Fajar", "Iwan",
    "Dedi", "Yusuf", "Zulkifli", "Hamdan", "Saiful", "Firman", "Rusli", "Junaidi",
]
MALAY_M2 = [
    "Fauzi", "Rahman", "Hamid", "Iskandar", "Ramli", "Saputra", "Kurniawan", "Maulana", "Hidayat",
    "Ramadhan", "Syahputra", "Hasan", "Anwar", "Firdaus", "Mahmud",
]
JAVA_ETC = [
    ("Budi Santoso", "M"), ("Agus Setiawan", "M"), ("Sri Wahyuni", "F"), ("Dwi Lestari", "F"),
    ("Eko Prasetyo", "M"), ("Joko Susilo", "M"), ("Tri Handayani", "F"), ("Bambang Sutrisno", "M"),
    ("Sutini", "F"), ("Suparman", "M"), ("Andi Pratama", "M"), ("Nurhaliza", "F"),
    ("Daeng Mappa", "M"), ("Nining Kurniasih", "F"), ("Heru Purnomo", "M"), ("Wagiyem", "F"),
    ("Slamet", "M"), ("Ratna Sari", "F"), ("Mulyadi", "M"), ("Endang Susilowati", "F"),
]
CHINESE_SURNAMES = [
    "Lim", "Tan", "Bong", "Lie", "Chin", "Phang", "Ng", "Liu", "Kho", "Tjhai", "Lo", "Sia", "Oey",
    "Then", "Jong", "Thong", "Wong", "Yap", "Chai", "Kwee", "Tjong", "Lay",
]
CHINESE_GIVEN = [
    "Ah Kiong", "Siu Lan", "Fui Lin", "Kim Hwa", "Ket Fung", "Sui Mei", "Ah Seng", "Khim Fa",
    "Tjun Liong", "Mui Lan", "Jun Kim", "Bun Hin", "Lian Hwa", "Ket Sin", "Fui Khiong", "Kim Hui",
    "Mei Ling", "Siu Fung", "Ah Lai", "Sui Lin", "Ah Ming", "Fat Jin", "Nyuk Fa", "Jit Fung",
    "Kui Fa", "Ah Pin", "Tet Min",
]
CHINESE_ID = [
    ("Hendra Wijaya", "Ahen"), ("Susanti Halim", "Santi"), ("Andreas Gunawan", "Andre"),
    ("Lily Kurniadi", "Lily"), ("Yenny Setiadi", "Yenny"), ("Suwandi Tanu", "Awan"),
    ("Felix Hartanto", "Felix"), ("Vincent Tjandra", "Vincent"), ("Melisa Lim", "Melisa"),
    ("Robby Sutanto", "Robby"),
]
DAYAK_1 = [
    "Yohanes", "Yosef", "Stefanus", "Paulus", "Fransiska", "Theresia", "Agustina", "Kristina",
    "Maria", "Antonius", "Petrus", "Veronika", "Lukas", "Markus", "Elisabeth", "Yakobus",
    "Benediktus", "Martinus", "Katarina", "Regina",
]
DAYAK_2_M = [
    "Dedi", "Asong", "Ajun", "Iron", "Ajang", "Ancis", "Anyeng", "Ukat", "Lanyau", "Apui", "Alung",
    "Ibau",
]
DAYAK_2_F = ["Ina", "Lenny", "Uyun", "Dayang", "Imelda", "Sumi", "Dara", "Endah"]
FEMALE_CHINESE_GIVEN = {
    "Siu Lan", "Fui Lin", "Kim Hwa", "Sui Mei", "Khim Fa", "Mui Lan", "Lian Hwa", "Mei Ling",
    "Sui Lin", "Nyuk Fa", "Kui Fa",
}
FEMALE_DAYAK = {
    "Agustina", "Elisabeth", "Fransiska", "Katarina", "Kristina", "Maria", "Regina", "Theresia",
    "Veronika",
}
TEMPLATES = {
    "makanan": [
        "Bubur Pedas {n}", "Choi Pan {c}", "Kwetiau Goreng {n}", "Pisang Goreng Pontianak {n}",
        "Nasi Kuning {n}", "Mi Tiaw Sapi {c}", "Bingke Berendam {n}", "Sotong Pangkong {n}",
        "Pengkang {n}", "Kue Bingke {n}", "Lek Tau Suan {c}", "Chai Kue {c}", "Sate Ayam {n}",
        "Bakso {n}", "Martabak Manis {n}", "Siomay {n}", "Roti Srikaya {n}", "Bubur Ayam {n}",
        "Nasi Uduk {n}", "Pempek {n}", "Kue Lapis {n}", "Kerupuk Basah {n}", "Bakwan Udang {c}",
        "Dim Sum {c}", "Lemang {n}", "Mi Sagu {n}", "Tumpi {n}", "Lempok Durian {n}",
    ],
    "minuman": [
        "Kopi {c} Jr", "Es Lidah Buaya {n}", "Es Teler {n}", "Jus Buah {n}", "Teh Tarik {n}",
        "Es Cincau {n}", "Air Tebu {n}", "Es Kelapa Muda {n}", "Kopi Susu {n}", "Es Campur {n}",
        "Es Jeruk Sambas {n}", "Kopi Pancung {c}", "Es Krim Durian {n}", "Teh Susu Telur {n}",
        "Air Mata Kucing {c}",
    ],
    "pakaian": [
        "Tenun Ikat Sintang {d}", "Kain Corak Insang {n}", "Batik Khatulistiwa {n}",
        "Busana Muslim {n}", "Kaos Pontianak {n}", "Songket Sambas {n}", "Baju Anak {n}",
        "Tenun Dayak {d}",
    ],
    "kerajinan": [
        "Manik-Manik Dayak {d}", "Anyaman Rotan {d}", "Ukiran Dayak {d}", "Tikar Pandan {n}",
        "Kerajinan Kayu Belian {n}", "Tas Anyaman Purun {n}", "Miniatur Tugu {n}", "Tanggui {n}",
    ],
    "aksesoris": [
        "Aksesoris {n}", "Gelang Manik {d}", "Tas & Dompet {n}", "Kacamata {n}",
        "Jam & Aksesoris {c}", "Hijab {n}", "Topi {n}",
    ],
    "mainan": [
        "Mainan Anak {n}", "Layang-Layang {n}", "Balon {n}", "Gasing {n}", "Mainan Edukasi {n}",
    ],
    "kecantikan": [
        "Kosmetik {n}", "Bedak Sejuk {n}", "Sabun Herbal {n}", "Minyak Kelapa {n}",
        "Lulur Tradisional {n}",
    ],
    "hasil_tani": [
        "Lidah Buaya Segar {n}", "Jeruk Sambas {n}", "Sayur Organik {n}", "Madu Hutan {d}",
        "Pisang {n}", "Lada Putih {n}", "Keladi {n}",
    ],
}
FIXED_NAMES = {
    "makanan": [
        "Kerupuk Basah Kapuas",
    ],
    "minuman": [
        "Es Lidah Buaya Khatulistiwa",
    ],
    "pakaian": [
        "Tenun Ikat Sintang",
    ],
}
CATEGORY_COUNTS = {
    "makanan": 55,
    "minuman": 28,
    "pakaian": 14,
    "kerajinan": 15,
    "aksesoris": 12,
    "mainan": 8,
    "kecantikan": 8,
    "hasil_tani": 10,
}
PHONE_PREFIXES = [
    "0811", "0812", "0813", "0821", "0822", "0823", "0852", "0853", "0857", "0858", "0877", "0878",
    "0895", "0896", "0897",
]
# fmt: on
REFERENCE_DAY = date(2025, 11, 29)
EVENT_DAY = date(2025, 11, 23)


def make_people(rnd: random.Random, n: int) -> list[dict]:  # type: ignore[type-arg]
    people: dict[str, dict] = {}  # type: ignore[type-arg]
    groups = ["malay"] * 35 + ["java"] * 14 + ["chinese"] * 31 + ["dayak"] * 20
    while len(people) < n:
        g = rnd.choice(groups)
        if g == "malay":
            if rnd.random() < 0.5:
                first = rnd.choice(MALAY_F)
                full = f"{first} {rnd.choice(MALAY_F2)}"
                nick = rnd.choice([f"Mak {first}", f"Bu {first}", first])
            else:
                first = rnd.choice(MALAY_M)
                full = f"{first} {rnd.choice(MALAY_M2)}"
                nick = rnd.choice([f"Pak {first}", f"Bang {first}", first])
            chin = nick
            dayak = nick
        elif g == "java":
            full, sex = rnd.choice(JAVA_ETC)
            first = full.split()[0]
            nick = rnd.choice(
                [f"Mbak {first}", f"Bu {first}"] if sex == "F" else [f"Mas {first}", f"Pak {first}"]
            )
            chin = dayak = nick
        elif g == "chinese":
            if rnd.random() < 0.75:
                sur = rnd.choice(CHINESE_SURNAMES)
                given = rnd.choice(CHINESE_GIVEN)
                full = f"{sur} {given}"
                last = given.split()[-1]
                chin = "A" + last.lower()
                title = "Ci" if given in FEMALE_CHINESE_GIVEN else "Koh"
                nick = rnd.choice([chin, f"{title} {last}"])
            else:
                full, chin = rnd.choice(CHINESE_ID)
                nick = chin
            dayak = nick
        else:
            first = rnd.choice(DAYAK_1)
            if first in FEMALE_DAYAK:
                second = rnd.choice(DAYAK_2_F)
                nick = rnd.choice([second, f"Kak {second}"])
            else:
                second = rnd.choice(DAYAK_2_M)
                nick = rnd.choice([second, f"Bang {second}"])
            full = f"{first} {second}"
            chin = dayak = second
        if full not in people:
            people[full] = {"owner_name": full, "n": nick, "c": chin, "d": dayak}
    return list(people.values())


def rand_date(rnd: random.Random, a: date, b: date) -> date:
    return a + timedelta(days=rnd.randint(0, (b - a).days))


def build_vendors(rnd: random.Random) -> list[dict]:  # type: ignore[type-arg]
    total = sum(CATEGORY_COUNTS.values())
    people = make_people(rnd, total)
    cats = [c for c, k in CATEGORY_COUNTS.items() for _ in range(k)]
    rnd.shuffle(cats)
    used_names: set[str] = set()
    fixed = {c: list(v) for c, v in FIXED_NAMES.items()}
    rows = []
    nibs: set[str] = set()
    phones: set[str] = set()
    for person, cat in zip(people, cats, strict=True):
        if fixed.get(cat):
            name = fixed[cat].pop()
        else:
            for _ in range(200):
                name = rnd.choice(TEMPLATES[cat]).format(**person)
                if name not in used_names:
                    break
            else:  # pragma: no cover - the pools are large enough
                raise RuntimeError("ran out of business names")
        used_names.add(name)
        while True:
            nib = "9120" + "".join(rnd.choice("0123456789") for _ in range(9))
            if nib not in nibs:
                nibs.add(nib)
                break
        while True:
            length = rnd.choice([11, 12, 12, 12, 13])
            pre = rnd.choice(PHONE_PREFIXES)
            phone = (
                pre
                + str(rnd.randint(1, 9))
                + "".join(rnd.choice("0123456789") for _ in range(length - 5))
            )
            if phone not in phones:
                phones.add(phone)
                break
        rows.append(
            {
                "owner_name": person["owner_name"],
                "business_name": name,
                "category": cat,
                "nib": nib,
                "halal_cert_no": "",
                "halal_cert_expiry": "",
                "phone": phone,
                "needs": "",
                "registered_on": rand_date(rnd, date(2019, 1, 2), date(2025, 11, 14)).isoformat(),
                "active": "true",
            }
        )

    # halal certificates: about 80 % of food and drink vendors; 4-year validity (PP 39/2021)
    food = [r for r in rows if r["category"] in ("makanan", "minuman")]
    certified = rnd.sample(food, round(0.8 * len(food)))
    n_expired = round(0.1 * len(certified))
    n_soon = 4
    for i, r in enumerate(certified):
        if i < n_expired:  # expired before the event day
            expiry = rand_date(rnd, date(2024, 3, 1), EVENT_DAY - timedelta(days=3))
        elif i < n_expired + n_soon:  # expires within 60 days of the reference day
            expiry = rand_date(
                rnd, REFERENCE_DAY + timedelta(days=5), REFERENCE_DAY + timedelta(days=55)
            )
        else:
            expiry = rand_date(rnd, REFERENCE_DAY + timedelta(days=75), date(2029, 10, 31))
        issued = expiry - timedelta(days=4 * 365)
        serial = 12000 + rnd.randint(0, 87999)
        r["halal_cert_no"] = (
            f"ID6111{'0000'}{serial:05d}{rnd.randint(1, 9):02d}{issued.year % 100:02d}"
        )
        r["halal_cert_expiry"] = expiry.isoformat()

    # needs: ~15 % electricity (mostly food and drink), ~5 % accessibility, two need both
    power = rnd.sample(food, 18) + rnd.sample([r for r in rows if r not in food], 4)
    access = rnd.sample([r for r in rows if r not in power], 6) + rnd.sample(power, 2)
    for r in rows:
        needs = []
        if r in power:
            needs.append("listrik")
        if r in access:
            needs.append("aksesibilitas")
        r["needs"] = ";".join(needs)
    for r in rnd.sample(rows, 6):
        r["active"] = "false"
    rows.sort(key=lambda r: (r["registered_on"], r["nib"]))
    return rows


# --- output ------------------------------------------------------------------------------------
VENDOR_COLUMNS = [
    "owner_name",
    "business_name",
    "category",
    "nib",
    "halal_cert_no",
    "halal_cert_expiry",
    "phone",
    "needs",
    "registered_on",
    "active",
]


def write_all() -> dict:  # type: ignore[type-arg]
    zones, facilities, desks, info = build_all()
    write_geojson(HERE / "zones.geojson", [feature(z["geom"], z["props"]) for z in zones])
    write_geojson(HERE / "facilities.geojson", [feature(f["geom"], f["props"]) for f in facilities])
    write_geojson(HERE / "service_desks.geojson", [feature(d["geom"], d["props"]) for d in desks])
    vendors = build_vendors(random.Random(SEED + 1))
    with open(HERE / "vendors.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=VENDOR_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(vendors)
    meta = {
        "title": "PetaLapak demo data: Pontianak CFD Jl. Ahmad Yani and Pasar Tengah "
        "(illustrative)",
        "illustrative": "illustrative: drawn by PetaLapak from public descriptions, not surveyed",
        "crs": "EPSG:4326",
        "coordinate_precision_decimals": DECIMALS,
        "metric_crs": f"EPSG:{METRIC_EPSG}",
        "metric_crs_note": "WGS 84 / UTM 49S; geometry is drawn and measured in metres in this CRS",
        "licence": "CC0-1.0 (invented data, dedicated to the public domain)",
        "openstreetmap_data_used": False,
        "generator": "data/geo/make_demo_data.py",
        "generation_command": ".venv/bin/python data/geo/make_demo_data.py",
        "random_seed": SEED,
        "reference_date": REFERENCE_DAY.isoformat(),
        "event_date": EVENT_DAY.isoformat(),
        "files": {
            "zones.geojson": "Zone polygons: CFD corridor (north-east carriageway of "
            "Jl. Ahmad Yani), its "
            "4.3 m emergency lane, the MikroDOTS service area, a green PKL strip on Jl. Asahan "
            "(Pasar Tengah), two yellow timed strips, and red no-vending roads.",
            "facilities.geojson": "Public facilities that are obstacles for booths "
            "(hydrants, bus stops, "
            "crossings, junction boxes, drainage inlets, manholes, trees, poles, ramps, driveways, "
            "building entrances, benches); points, crossing lines, junction and bus-stop polygons.",
            "service_desks.geojson": "MikroDOTS 2025 government service desks "
            "(halal, nib, kur, ojk, "
            "edukasi) as points in the corridor, 6 m apart on the outer kerb side.",
            "vendors.csv": "Invented demo vendors (names, businesses, NIB, halal "
            "certificates, phones "
            "are all made up; any match with a real person or number is coincidental).",
            "metadata.json": "This file.",
        },
        "counts": {},
        "corridor": {
            "centreline_length_m": info["corridor_length_m"],
            "width_m": info["corridor_width_m"],
        },
        "sources": [
            "shared/geo-facts.md: Pontianak places (Bundaran Digulis 109.3492,-0.0551; Jl. Perdana "
            "109.3465,-0.0519; Simpang Pajak 109.3425,-0.0473; BCA building 109.3343,-0.0372; "
            "Pasar Tengah 109.3432,-0.0259), estimated +/- 50-150 m",
            "Pontianak city CFD notices (2024: 'dari Jalan Perdana sampai Gedung ATM BCA', Sundays "
            "06:00-09:00; 2025: one carriageway, 2.6 km) as summarised in shared/geo-facts.md",
            "Red/yellow/green PKL zoning and Perda Kota Pontianak No. 19/2021 (public order)",
            "MikroDOTS 2025 (Mikro Desk On The Street), Pontianak CFD, 23 November 2025",
            "Permen PUPR 03/PRT/M/2014: sidewalk >= 5 m, vending strip <= 3 m",
            "Emergency lane 4.3 m: San Francisco special-events 14 ft centre lane",
        ],
        "assumptions": [
            "Road axis: centripetal Catmull-Rom spline through Digulis, Perdana, Simpang Pajak "
            "and BCA.",
            "CFD carriageway: 10.5 m wide, its centreline 7 m north-east of the axis "
            "(3.5 m median); "
            f"the corridor starts {DIGULIS_TRIM:.0f} m from the Digulis point (roundabout edge).",
            "Jl. Asahan, Jl. Tanjungpura and Jl. Gajah Mada are drawn schematically (parallel or "
            "perpendicular to A. Yani's north-west end); their real alignments may differ.",
            "Facility names and positions (side streets, buildings, hydrants, halte, "
            "inlets...) are "
            "illustrative, chosen to exercise the clearance rules.",
        ],
    }
    (HERE / "metadata.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return info


# --- checks ------------------------------------------------------------------------------------
def _load(name: str) -> list[dict]:  # type: ignore[type-arg]
    return json.loads((HERE / name).read_text(encoding="utf-8"))["features"]


def _metric(geom: BaseGeometry) -> BaseGeometry:
    def f(xy):  # type: ignore[no-untyped-def]
        import numpy as np

        x, y = TO_METRIC.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, f)


def check() -> dict:  # type: ignore[type-arg]
    problems: list[str] = []
    zones = _load("zones.geojson")
    facs = _load("facilities.geojson")
    desks = _load("service_desks.geojson")
    zone_keys = [
        "name",
        "kind",
        "allowed_categories",
        "capacity",
        "hours_start",
        "hours_end",
        "description",
    ]
    names = [z["properties"]["name"] for z in zones]
    if len(set(names)) != len(names):
        problems.append("zone names not unique")
    by_name = {}
    for z in zones:
        p = z["properties"]
        g = _metric(shape(z["geometry"]))
        by_name[p["name"]] = (p, g)
        if list(p) != zone_keys:
            problems.append(f"zone {p['name']}: properties {list(p)}")
        if (
            z["geometry"]["type"] != "Polygon"
            or not g.is_valid
            or not shape(z["geometry"]).is_valid
        ):
            problems.append(f"zone {p['name']}: not a valid polygon")
        if p["kind"] not in ZONE_KINDS:
            problems.append(f"zone {p['name']}: kind {p['kind']}")
        if p["allowed_categories"] is not None and not set(p["allowed_categories"]) <= set(
            VENDOR_CATEGORIES
        ):
            problems.append(f"zone {p['name']}: categories")
        timed = p["kind"] == "pkl_timed"
        if timed != (p["hours_start"] is not None and p["hours_end"] is not None):
            problems.append(f"zone {p['name']}: hours")
    corridor = by_name["CFD Jl. Ahmad Yani"][1]
    lane = by_name["Jalur Darurat Jl. Ahmad Yani"][1]
    green = by_name["Pasar Tengah - Jl. Asahan"][1]
    service = by_name["Area Layanan MikroDOTS"][1]
    # centreline length of a flat-capped buffer: solve 2 l + 2 w = perimeter, l w = area
    perim, area = corridor.length, corridor.area
    length = (perim + math.sqrt(perim**2 - 16 * area)) / 4
    width = area / length
    if not 2400 <= length <= 2700:
        problems.append(f"corridor length {length:.0f} m")
    if not 10.0 <= width <= 11.0:
        problems.append(f"corridor width {width:.2f} m")
    if not lane.within(corridor):
        problems.append("emergency lane not within corridor")
    if not service.within(corridor):
        problems.append("service area not within corridor")
    for z in zones:
        p, g = by_name[z["properties"]["name"]]
        if p["kind"] == "no_vending" and not (g.disjoint(corridor) and g.disjoint(green)):
            problems.append(f"red zone {p['name']} touches the corridor or the green zone")
        if p["kind"] == "pkl_timed" and not (g.disjoint(green) and g.disjoint(corridor)):
            problems.append(f"yellow zone {p['name']} touches the corridor or the green zone")
    pkl_zones = shapely.union_all(
        [g for p, g in by_name.values() if p["kind"] in ("pkl_legal", "pkl_timed")]
    )
    counts: dict[str, int] = {}
    for f in facs:
        p = f["properties"]
        counts[p["kind"]] = counts.get(p["kind"], 0) + 1
        if p["kind"] not in FACILITY_KINDS or set(p) != {"kind", "name", "source"}:
            problems.append(f"facility {p}")
        g = shape(f["geometry"])
        if not g.is_valid:
            problems.append(f"facility {p['name']} invalid")
        gm = _metric(g)
        if gm.distance(corridor) > 2.5 and gm.distance(pkl_zones) > 12.0:
            problems.append(
                f"facility {p['name']} is {gm.distance(corridor):.1f} m from the corridor"
            )
    services = [d["properties"]["service"] for d in desks]
    if sorted(services) != sorted(SERVICE_DESK_KINDS):
        problems.append(f"desks {services}")
    pts = [_metric(shape(d["geometry"])) for d in desks]
    for d, pt in zip(desks, pts, strict=True):
        if not (pt.within(corridor) and pt.within(service)):
            problems.append(f"desk {d['properties']['name']} outside the service area")
    gaps = [round(a.distance(b), 2) for a, b in zip(pts, pts[1:], strict=False)]
    with open(HERE / "vendors.csv", encoding="utf-8", newline="") as fh:
        vendors = list(csv.DictReader(fh))
    for col in ("nib", "phone", "business_name"):
        vals = [v[col] for v in vendors]
        if len(set(vals)) != len(vals):
            problems.append(f"vendor {col} not unique")
    for v in vendors:
        if v["category"] not in VENDOR_CATEGORIES or len(v["nib"]) != 13 or not v["nib"].isdigit():
            problems.append(f"vendor {v['business_name']}")
        if not (
            v["phone"].startswith("08") and 11 <= len(v["phone"]) <= 13 and v["phone"].isdigit()
        ):
            problems.append(f"vendor phone {v['phone']}")
        if v["halal_cert_no"] and v["category"] not in ("makanan", "minuman"):
            problems.append(f"non-food halal cert {v['business_name']}")
    food = [v for v in vendors if v["category"] in ("makanan", "minuman")]
    cert = [v for v in food if v["halal_cert_no"]]
    expired = [v for v in cert if date.fromisoformat(v["halal_cert_expiry"]) < EVENT_DAY]
    soon = [
        v
        for v in cert
        if REFERENCE_DAY
        <= date.fromisoformat(v["halal_cert_expiry"])
        <= REFERENCE_DAY + timedelta(days=60)
    ]
    report = {
        "zones": {k: sum(1 for z in zones if z["properties"]["kind"] == k) for k in ZONE_KINDS},
        "facilities": dict(sorted(counts.items())),
        "facilities_total": len(facs),
        "service_desks": len(desks),
        "desk_gaps_m": gaps,
        "corridor_length_m": round(length, 1),
        "corridor_width_m": round(width, 2),
        "vendors": len(vendors),
        "vendor_categories": {
            c: sum(1 for v in vendors if v["category"] == c) for c in VENDOR_CATEGORIES
        },
        "food_drink": len(food),
        "halal_certified": len(cert),
        "halal_expired": len(expired),
        "halal_expiring_60d": len(soon),
        "needs_listrik": sum("listrik" in v["needs"] for v in vendors),
        "needs_aksesibilitas": sum("aksesibilitas" in v["needs"] for v in vendors),
        "inactive": sum(v["active"] == "false" for v in vendors),
        "problems": problems,
    }
    return report


def main() -> int:
    write_all()
    report = check()
    meta_path = HERE / "metadata.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["counts"] = {
        "zones": {k: v for k, v in report["zones"].items() if v},
        "facilities": report["facilities"],
        "service_desks": report["service_desks"],
        "vendors": report["vendors"],
    }
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
