"""Draw Pontianak's illustrative demo basemap: ``data/geo/basemap.geojson``.

Illustrative, like the rest of ``data/geo/``: drawn by PetaLapak from the estimated coordinates in
``shared/geo-facts.md`` and from the same street geometry as ``make_demo_data.py`` (so the
carriageways, the cross streets at the demo's junctions and crossings, and the drainage channel
line up with the zones and facilities). No OpenStreetMap data is used (CC0-1.0).

Every feature carries OpenStreetMap-style tags as properties (``highway``, ``waterway``,
``building``, ``amenity``…), so ``flask --app app import-basemap`` reads it exactly as it reads an
OSM extract. Run from the repository root::

    .venv/bin/python data/geo/make_basemap.py
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_demo_data import (  # noqa: E402  (this folder is put on sys.path just above)
    AXIS_OFFSET,
    DIGULIS,
    HALF,
    PASAR_TENGAH,
    SIMPANG_PAJAK,
    Ref,
    build_ahmad_yani,
    feature,
    to_metric,
)

HERE = Path(__file__).resolve().parent
OUT = HERE / "basemap.geojson"
TUGU_KHATULISTIWA = (109.3223, 0.0006)


def station(ref: Ref, xy: tuple[float, float]) -> float:
    """The station of a metric point on ``ref``."""
    return float(ref.line.project(Point(xy)))


def perpendicular(ref: Ref, s: float, d1: float, d2: float) -> LineString:
    """A straight street leaving ``ref`` at station ``s`` between offsets ``d1`` and ``d2``."""
    return ref.across(s, d1, d2)


def box_at(ref: Ref, s: float, length: float, d1: float, d2: float) -> Polygon:
    """A building footprint beside ``ref``: ``length`` metres along, between offsets."""
    return ref.strip(s - length / 2, s + length / 2, d1, d2, step=max(length / 4, 2.0))


def build() -> list[dict]:  # type: ignore[type-arg]
    cfd, sw, axis = build_ahmad_yani()
    L = cfd.length
    ay = Ref(axis)  # the road axis, stations from Digulis; + offsets point north-east
    s_perdana = ay.station_of((109.3465, -0.0519))
    s_pajak = ay.station_of(SIMPANG_PAJAK)
    s_gm = L - 400.0  # make_demo_data: Jl. Gajah Mada leaves 400 m before the BCA end
    feats: list[dict] = []  # type: ignore[type-arg]

    def add(geom: BaseGeometry, **tags: object) -> None:
        feats.append(feature(geom, {k: v for k, v in tags.items() if v is not None}))

    # Jl. Ahmad Yani: a divided road, one line per carriageway (OSM draws them so)
    ne_line = axis.offset_curve(AXIS_OFFSET * ay.sign, join_style="mitre")
    sw_line = axis.offset_curve(-AXIS_OFFSET * ay.sign, join_style="mitre")
    for line, side in ((ne_line, "timur laut"), (sw_line, "barat daya")):
        add(line, highway="primary", name="Jl. Ahmad Yani", oneway="yes", note=f"jalur {side}")

    # Bundaran Digulis: a small roundabout at the south-east end
    dx, dy = to_metric(*DIGULIS)
    ring = Point(dx, dy).buffer(22.0, quad_segs=8).exterior
    add(LineString(ring.coords), highway="primary", junction="roundabout", name="Bundaran Digulis")
    add(Point(dx, dy), historic="monument", name="Tugu Digulis")

    # cross streets at the demo's junctions (make_demo_data.build_facilities): T-junctions on
    # the north-east side, four-way ones on both; each ends at the far carriageway's kerb
    outer = AXIS_OFFSET + HALF
    junctions = [
        (station(ay, cfd.at(200.0)), "Jl. Daya Nasional", None, "residential"),
        (s_perdana, "Jl. Perdana", "Jl. Perdana", "secondary"),
        (station(ay, cfd.at(1560.0)), "Jl. Sutan Syahrir", None, "residential"),
        (s_pajak, "Jl. Veteran", "Jl. Letjen Sutoyo", "secondary"),
    ]
    for s, ne_name, sw_name, cls in junctions:
        add(perpendicular(ay, s, -AXIS_OFFSET, outer + 320.0), highway=cls, name=ne_name)
        if sw_name:
            add(perpendicular(ay, s, -outer - 320.0, AXIS_OFFSET), highway=cls, name=sw_name)

    # Jl. Gajah Mada, Jl. Tanjungpura, Jl. Asahan and the market lane (make_demo_data.build_all)
    px, py = to_metric(*PASAR_TENGAH)
    tx, ty = cfd._tangent(L - 1.0)
    nx, ny = cfd.normal(L - 1.0)
    asahan = Ref(LineString([(px - tx * 170, py - ty * 170), (px + tx * 170, py + ty * 170)]))
    fx, fy = px - 110.0 * nx, py - 110.0 * ny
    tjp = LineString([(fx - tx * 900.0, fy - ty * 900.0), (fx + tx * 400.0, fy + ty * 400.0)])
    g0 = cfd.at(s_gm, 0.0)
    gn = cfd.normal(s_gm)
    ray = LineString([g0, (g0[0] + gn[0] * 3000, g0[1] + gn[1] * 3000)])
    hit = ray.intersection(tjp)
    add(LineString([g0, (hit.x, hit.y)]), highway="secondary", name="Jl. Gajah Mada")
    add(tjp, highway="primary", name="Jl. Tanjungpura")
    add(
        LineString([(px - tx * 230, py - ty * 230), (px + tx * 230, py + ty * 230)]),
        highway="tertiary",
        name="Jl. Asahan",
    )
    lane_start = asahan.at(300.0, 0.0)
    add(
        LineString([lane_start, (lane_start[0] + nx * 130, lane_start[1] + ny * 130)]),
        highway="service",
        name="Gang Pasar Tengah",
    )

    # the drainage channel (parit) along the north-east kerb of A. Yani, where the demo's inlets
    # are, and the Kapuas beyond the market
    parit = cfd.line.offset_curve((HALF + 1.2) * cfd.sign, join_style="mitre")
    add(parit, waterway="drain", name="Parit Jl. Ahmad Yani")
    kapuas = Ref(LineString([(px - tx * 2500, py - ty * 2500), (px + tx * 1500, py + ty * 1500)]))
    add(
        kapuas.strip(0.0, kapuas.length, 170.0, 560.0, step=200.0),
        natural="water",
        water="river",
        name="Sungai Kapuas",
    )

    # landmark buildings on the north-east side of A. Yani (stations as in make_demo_data)
    buildings = [
        (60.0, 70.0, "Universitas Tanjungpura", {"amenity": "university"}),
        (720.0, 60.0, "Kantor Gubernur Kalimantan Barat", {"office": "government"}),
        (1010.0, 30.0, "Kantor Dinas Koperasi dan UKM", {"office": "government"}),
        (1420.0, 50.0, "Masjid Raya Mujahidin", {"amenity": "place_of_worship",
                                                  "religion": "muslim"}),
        (1860.0, 80.0, "Ayani Megamall", {"shop": "mall"}),
        (2290.0, 30.0, "Hotel", {"tourism": "hotel"}),
        (2440.0, 24.0, "Kantor Pos", {"amenity": "post_office"}),
        (L - 20.0, 28.0, "Gedung BCA", {"amenity": "bank"}),
    ]  # fmt: skip
    taken: list[tuple[float, float]] = []
    # each landmark is a point at its front door (where people meet), beside its building
    for s, length, name, tags in buildings:
        add(box_at(cfd, s, length, HALF + 6.0, HALF + 6.0 + min(length, 45.0)),
            building="yes", name=name)  # fmt: skip
        add(cfd.point(s, HALF + 7.5), name=name, **tags)
        taken.append((s - length / 2 - 4.0, s + length / 2 + 4.0))
    # Bank Kalbar, a little north-west of Simpang Pajak
    bank_s = cfd.station_of(SIMPANG_PAJAK) + 70.0
    add(box_at(cfd, bank_s, 20.0, HALF + 6.0, HALF + 24.0), building="yes", name="Bank Kalbar")
    add(cfd.point(bank_s, HALF + 7.5), name="Bank Kalbar", amenity="bank")
    taken.append((bank_s - 14.0, bank_s + 14.0))
    # the desks' stretch and every cross street stay free of shophouses
    for s, *_ in junctions:
        cs = station(cfd, ay.at(s))
        taken.append((cs - 16.0, cs + 16.0))
    taken.append((s_gm - 18.0, s_gm + 18.0))

    # shophouses (ruko) on both sides: a plain row, 16 m deep, in 12 m lots
    s = 40.0
    while s < L - 40.0:
        if not any(a <= s <= b for a, b in taken):
            add(box_at(cfd, s, 11.0, HALF + 6.0, HALF + 22.0), building="retail")
        far = -(2 * AXIS_OFFSET + HALF + 6.0)
        if not any(a <= s <= b for a, b in taken):
            add(box_at(cfd, s, 11.0, far - 16.0, far), building="retail")
        s += 12.0 if (int(s) // 12) % 7 else 24.0  # a gap now and then

    # Pasar Tengah: the market hall beside Jl. Asahan, and the equator monument
    add(asahan.strip(20.0, 280.0, 12.0, 70.0, step=20.0),
        building="retail", amenity="marketplace", name="Pasar Tengah")  # fmt: skip
    add(Point(to_metric(*TUGU_KHATULISTIWA)), tourism="attraction", name="Tugu Khatulistiwa")
    add(Point(ay.at(s_pajak, 0.0)), place="square", name="Simpang Pajak")
    return feats


def main() -> int:
    feats = build()
    fc = {
        "type": "FeatureCollection",
        "name": "basemap",
        "illustrative": (
            "illustrative: drawn by PetaLapak from public descriptions, not surveyed; "
            "no OpenStreetMap data (CC0-1.0)"
        ),
        "features": feats,
    }
    OUT.write_text(json.dumps(fc, ensure_ascii=False, indent=None) + "\n", encoding="utf-8")
    kinds: dict[str, int] = {}
    for f in feats:
        key = next(
            (k for k in ("highway", "waterway", "natural", "building") if k in f["properties"]),
            "point",
        )
        kinds[key] = kinds.get(key, 0) + 1
    print(json.dumps({"features": len(feats), **kinds}))
    assert math.isfinite(len(feats))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
