"""Layers in and out: every format round-trips, CRSs are reprojected, archives are guarded."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from datetime import date, time
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import pytest
from pyproj import Geod
from shapely.geometry import Point, Polygon, shape
from shapely.testing import assert_geometries_equal
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Assignment, City, Event, Facility, Vendor, Zone
from app.services.cities import create_city
from app.services.errors import ServiceError
from app.services.export import EXPORT_FORMATS, export_layer, layer_table
from app.services.geojson import facilities_fc, zones_fc
from app.services.layer_files import read_layer_file
from app.services.layers import import_layer

FORMATS = tuple(EXPORT_FORMATS)
PONTIANAK_EXTENT = (109.25, -0.12, 109.42, 0.06)
# A point on Jl. Ahmad Yani and the same point in UTM zone 49S (EPSG:32749), to the millimetre.
KNOWN_LONLAT = (109.3425, -0.0473)
KNOWN_UTM = (315535.9071, 9994769.7257)

GOOD = [
    (109.3400, -0.0400),
    (109.3402, -0.0400),
    (109.3402, -0.0402),
    (109.3400, -0.0402),
    (109.3400, -0.0400),
]
BOWTIE = [
    (109.3400, -0.0400),
    (109.3402, -0.0402),
    (109.3402, -0.0400),
    (109.3400, -0.0402),
    (109.3400, -0.0400),
]


def _shifted(coords: list[tuple[float, float]], dx: float) -> list[tuple[float, float]]:
    return [(x + dx, y) for x, y in coords]


def _poly(coords: list[tuple[float, float]], **props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [coords]},
        "properties": props,
    }


@pytest.fixture
def city(db: Session) -> City:
    return db.scalars(select(City).where(City.slug == "pontianak")).one()


@pytest.fixture
def fresh_city(db: Session) -> City:
    """An empty city over the same ground: the name space a round trip imports into."""
    return create_city(
        db, name="Kota Uji", slug="kota-uji", metric_epsg=32749, extent=PONTIANAK_EXTENT
    )


def _event(db: Session, city: City, slug: str) -> Event:
    event = Event(
        city=city,
        slug=slug,
        name=slug,
        date=date(2026, 12, 6),
        start_time=time(6),
        end_time=time(9),
    )
    db.add(event)
    db.flush()
    return event


@pytest.fixture
def tricky_zone(db: Session, city: City) -> None:
    """A zone with every property set, and text a spreadsheet would run as a formula."""
    report = import_layer(
        db,
        city=city,
        layer="zones",
        features=[
            _poly(
                _shifted(GOOD, 0.001),
                name="=Zona rumus",
                kind="pkl_timed",
                capacity=12,
                allowed_categories=["makanan", "minuman"],
                hours_start="16:00",
                hours_end="22:00",
                description="-5 m dari trotoar; @pkl 'kutip' \"ganda\", koma",
            )
        ],
    )
    assert report.written, report.to_dict()


@pytest.fixture
def small_event(db: Session, city: City) -> Event:
    """An event with three booths of different kinds and one assigned vendor."""
    event = _event(db, city, "cfd-uji-format")
    report = import_layer(
        db,
        city=city,
        layer="booths",
        event=event,
        features=[
            _poly(
                GOOD, code="UJ-001", kind="vendor", width_m=3.0, depth_m=2.5, has_electricity=True
            ),
            _poly(
                _shifted(GOOD, 0.0003),
                code="UJ-002",
                kind="service_desk",
                service="halal",
                label="+Halal MUI",
                locked=True,
                accessible=True,
            ),
            _poly(_shifted(GOOD, 0.0006), code="UJ-003", kind="reserved", label="Ambulans"),
        ],
    )
    assert report.written, report.to_dict()
    booth = next(b for b in event.booths if b.code == "UJ-001")
    vendor = db.scalars(select(Vendor).order_by(Vendor.id)).first()
    assert vendor is not None
    vendor.phone, vendor.nib = "081234567890", "1234567890123"
    db.add(Assignment(booth=booth, vendor=vendor, event=event, status="assigned"))
    db.flush()
    return event


def _read_bytes(tmp_path: Path, filename: str, data: bytes) -> Any:
    path = tmp_path / filename
    path.write_bytes(data)
    return read_layer_file(path)


def _same_features(
    a: list[dict[str, Any]], b: list[dict[str, Any]], skip: tuple[str, ...] = ("id", "version")
) -> None:
    assert len(a) == len(b)
    for fa, fb in zip(a, b, strict=True):
        pa = {k: v for k, v in fa["properties"].items() if k not in skip}
        pb = {k: v for k, v in fb["properties"].items() if k not in skip}
        assert pa == pb
        assert_geometries_equal(shape(fa["geometry"]), shape(fb["geometry"]), tolerance=1e-7)


# ---------------------------------------------------------------------------------------------
# Round trips


@pytest.mark.parametrize("fmt", FORMATS)
def test_zones_round_trip(
    db: Session, city: City, fresh_city: City, tricky_zone: None, tmp_path: Path, fmt: str
) -> None:
    exported = export_layer(db, city=city, layer="zones", fmt=fmt)
    source = _read_bytes(tmp_path, exported.filename, exported.data)
    report = import_layer(db, city=fresh_city, layer="zones", features=source.features)
    assert report.written, report.to_dict()["problems"][:3]
    _same_features(zones_fc(db, city)["features"], zones_fc(db, fresh_city)["features"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_facilities_round_trip(
    db: Session, city: City, fresh_city: City, tmp_path: Path, fmt: str
) -> None:
    exported = export_layer(db, city=city, layer="facilities", fmt=fmt)
    source = _read_bytes(tmp_path, exported.filename, exported.data)
    report = import_layer(db, city=fresh_city, layer="facilities", features=source.features)
    assert report.written, report.to_dict()["problems"][:3]
    _same_features(facilities_fc(db, city)["features"], facilities_fc(db, fresh_city)["features"])
    kinds = {f["geometry"]["type"] for f in facilities_fc(db, fresh_city)["features"]}
    assert len(kinds) > 1  # mixed points, lines and polygons survive every format


@pytest.mark.parametrize("fmt", FORMATS)
def test_booths_round_trip(
    db: Session, city: City, small_event: Event, tmp_path: Path, fmt: str
) -> None:
    exported = export_layer(db, city=city, layer="booths", fmt=fmt, event=small_event)
    source = _read_bytes(tmp_path, exported.filename, exported.data)
    target = _event(db, city, f"cfd-salinan-{fmt}")
    report = import_layer(db, city=city, layer="booths", event=target, features=source.features)
    assert report.written, report.to_dict()["problems"][:3]
    assignment_cols = ("id", "assignment_status", "vendor_business_name", "vendor_category")

    def rows(event: Event) -> list[dict[str, Any]]:
        table = layer_table(db, city=city, layer="booths", event=event)
        return [
            {"type": "Feature", "geometry": g, "properties": r}
            for r, g in zip(table.rows, table.geometries, strict=True)
        ]

    _same_features(rows(small_event), rows(target), skip=assignment_cols)


def test_csv_export_escapes_formulas_and_gives_wkt_and_centroid(
    db: Session, city: City, tricky_zone: None, tmp_path: Path
) -> None:
    text = export_layer(db, city=city, layer="zones", fmt="csv").data.decode("utf-8-sig")
    header, *lines = text.splitlines()
    assert header.endswith("wkt,lon,lat")
    row = next(line for line in lines if "Zona rumus" in line)
    assert row.split(",")[1] == "'=Zona rumus"
    assert "'-5 m dari trotoar" in row
    assert "POLYGON ((109.341 -0.04" in row
    lon, lat = (float(v) for v in row.rsplit(",", 2)[1:])
    assert (lon, lat) == pytest.approx((109.3411, -0.0401), abs=1e-7)


def test_booth_export_private_columns_only_when_asked(
    db: Session, city: City, small_event: Event
) -> None:
    public = layer_table(db, city=city, layer="booths", event=small_event)
    row = next(r for r in public.rows if r["code"] == "UJ-001")
    assert row["assignment_status"] == "assigned"
    assert row["vendor_business_name"]
    assert not {"vendor_owner_name", "vendor_phone", "vendor_nib", "vendor_access_code"} & set(
        public.columns
    )
    for fmt in FORMATS:
        data = export_layer(db, city=city, layer="booths", fmt=fmt, event=small_event).data
        assert b"081234567890" not in data
        assert b"1234567890123" not in data
    private = layer_table(db, city=city, layer="booths", event=small_event, include_private=True)
    row = next(r for r in private.rows if r["code"] == "UJ-001")
    assert row["vendor_phone"] == "081234567890"
    assert len(row["vendor_access_code"]) >= 8


# ---------------------------------------------------------------------------------------------
# CRS


def test_geopackage_in_utm_is_reprojected_to_the_centimetre(
    db: Session, fresh_city: City, tmp_path: Path
) -> None:
    frame = gpd.GeoDataFrame(
        {"jenis": ["hydrant"], "Nama": ["Hidran uji"]},
        geometry=[Point(*KNOWN_UTM)],
        crs="EPSG:32749",
    )
    path = tmp_path / "hidran.gpkg"
    pyogrio.write_dataframe(frame, path, driver="GPKG", layer="hidran")
    source = read_layer_file(path)
    assert source.source_crs == "EPSG:32749"
    assert not source.crs_assumed
    assert any("Reprojected from EPSG:32749" in en for _id, en in source.notes)
    lon, lat = source.features[0]["geometry"]["coordinates"]
    _az, _baz, metres = Geod(ellps="WGS84").inv(lon, lat, *KNOWN_LONLAT)
    assert metres < 0.01
    report = import_layer(db, city=fresh_city, layer="facilities", features=source.features)
    assert report.written  # Indonesian names (jenis, Nama) were understood
    facility = db.scalars(select(Facility).where(Facility.city_id == fresh_city.id)).one()
    assert (facility.kind, facility.name) == ("hydrant", "Hidran uji")


def test_geojson_with_a_declared_crs_is_reprojected(tmp_path: Path) -> None:
    path = tmp_path / "utm.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "crs": {"type": "name", "properties": '
        '{"name": "urn:ogc:def:crs:EPSG::32749"}}, "features": [{"type": "Feature", '
        f'"geometry": {{"type": "Point", "coordinates": [{KNOWN_UTM[0]}, {KNOWN_UTM[1]}]}}, '
        '"properties": {"kind": "hydrant"}}]}'
    )
    source = read_layer_file(path)
    assert source.source_crs == "EPSG:32749"
    assert source.features[0]["geometry"]["coordinates"] == pytest.approx(KNOWN_LONLAT, abs=1e-7)


def _shapefile_zip(tmp_path: Path, frame: gpd.GeoDataFrame, *, keep_prj: bool) -> Path:
    folder = tmp_path / "shp"
    folder.mkdir()
    pyogrio.write_dataframe(frame, folder / "zona_pkl.shp", driver="ESRI Shapefile")
    archive = tmp_path / "zona_pkl.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in sorted(folder.iterdir()):
            if part.suffix == ".prj" and not keep_prj:
                continue
            zf.write(part, f"data/{part.name}")
    return archive


def _utm_zone_frame() -> gpd.GeoDataFrame:
    lonlat = gpd.GeoSeries([Polygon(GOOD)], crs="EPSG:4326")
    return gpd.GeoDataFrame(
        {
            "NAMA": ["Zona Shapefile"],
            "JENIS": ["pkl_timed"],
            "hours_start": ["16:00"],
            "hours_end": ["21:30"],
            "allowed_categories": ["makanan"],
        },
        geometry=lonlat.to_crs("EPSG:32749"),
        crs="EPSG:32749",
    )


def test_zipped_shapefile_with_prj_is_imported(
    db: Session, fresh_city: City, tmp_path: Path
) -> None:
    source = read_layer_file(_shapefile_zip(tmp_path, _utm_zone_frame(), keep_prj=True))
    assert source.format == "shapefile"
    assert source.source_crs == "EPSG:32749"
    assert_geometries_equal(shape(source.features[0]["geometry"]), Polygon(GOOD), tolerance=1e-7)
    report = import_layer(db, city=fresh_city, layer="zones", features=source.features)
    assert report.written, report.to_dict()
    zone = db.scalars(select(Zone).where(Zone.city_id == fresh_city.id)).one()
    # The DBF keeps 10 characters of "allowed_categories"; the import still finds it.
    assert (zone.name, zone.kind, zone.allowed_categories) == (
        "Zona Shapefile",
        "pkl_timed",
        ["makanan"],
    )
    assert zone.hours_end == time(21, 30)


def test_zipped_shapefile_without_prj_is_refused(tmp_path: Path) -> None:
    archive = _shapefile_zip(tmp_path, _utm_zone_frame(), keep_prj=False)
    with pytest.raises(ServiceError, match=r"\.prj") as info:
        read_layer_file(archive)
    assert "not lon/lat" in info.value.message_en


def test_shapefile_without_prj_in_plain_lon_lat_is_accepted_with_a_note(tmp_path: Path) -> None:
    frame = _utm_zone_frame().to_crs("EPSG:4326")
    archive = _shapefile_zip(tmp_path, frame, keep_prj=False)
    source = read_layer_file(archive)
    assert source.crs_assumed
    assert "assumed EPSG:4326" in source.notes[-1][1]


# ---------------------------------------------------------------------------------------------
# KML and CSV from other tools


def test_kml_from_google_my_maps_is_imported(db: Session, fresh_city: City, tmp_path: Path) -> None:
    path = tmp_path / "peta.kml"
    path.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Fasilitas</name>
<Folder><name>Hidran</name>
  <Placemark><name>Hidran depan Masjid</name>
    <ExtendedData><Data name="jenis"><value>hydrant</value></Data></ExtendedData>
    <Point><coordinates>109.3425,-0.0473,0</coordinates></Point></Placemark>
</Folder>
<Folder><name>Halte</name>
  <Placemark><name>Halte Ahmad Yani</name>
    <ExtendedData><Data name="Jenis"><value>bus_stop</value></Data></ExtendedData>
    <Point><coordinates>109.3430,-0.0480,0</coordinates></Point></Placemark>
</Folder></Document></kml>""")
    source = read_layer_file(path)
    assert source.format == "kml"
    assert len(source.features) == 2
    report = import_layer(db, city=fresh_city, layer="facilities", features=source.features)
    assert report.written, report.to_dict()
    rows = db.execute(
        select(Facility.kind, Facility.name, func.ST_X(Facility.geom))
        .where(Facility.city_id == fresh_city.id)
        .order_by(Facility.id)
    ).all()
    assert [tuple(r) for r in rows] == [
        ("hydrant", "Hidran depan Masjid", 109.3425),
        ("bus_stop", "Halte Ahmad Yani", 109.3430),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nama,Jenis,LNG,LAT\nHidran A,hydrant,109.3425,-0.0473\n", (109.3425, -0.0473)),
        (
            "nama;jenis;Longitude;Latitude\r\nHidran A;hydrant;109,3425;-0,0473\r\n",
            (109.3425, -0.0473),
        ),
        ("name,kind,x,y\nHidran A,hydrant,109.3425,-0.0473\n", (109.3425, -0.0473)),
        ('name,kind,WKT\nHidran A,hydrant,"POINT (109.3425 -0.0473)"\n', (109.3425, -0.0473)),
    ],
)
def test_csv_with_lon_lat_or_wkt_columns(
    db: Session, fresh_city: City, tmp_path: Path, text: str, expected: tuple[float, float]
) -> None:
    path = tmp_path / "hidran.csv"
    path.write_text(text, encoding="utf-8")
    source = read_layer_file(path)
    assert source.crs_assumed
    assert any("assumed to be EPSG:4326" in en for _i, en in source.notes)
    assert source.features[0]["geometry"]["coordinates"] == pytest.approx(list(expected))
    report = import_layer(db, city=fresh_city, layer="facilities", features=source.features)
    assert report.written, report.to_dict()


def test_csv_with_swapped_columns_gets_the_swapped_error(
    db: Session, city: City, tmp_path: Path
) -> None:
    path = tmp_path / "tertukar.csv"
    path.write_text("kind,lon,lat\nhydrant,109.3425,-0.0473\nhydrant,-0.0473,109.3425\n")
    report = import_layer(
        db, city=city, layer="facilities", features=read_layer_file(path).features
    )
    assert not report.written
    assert [(p.index, p.field) for p in report.problems] == [(1, "geometry")]
    assert "swapped" in report.problems[0].message_en


def test_csv_without_coordinates_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tanpa.csv"
    path.write_text("name,kind\nA,hydrant\n")
    with pytest.raises(ServiceError, match="lon"):
        read_layer_file(path)


def test_csv_with_unreadable_coordinates_names_the_row(
    db: Session, city: City, tmp_path: Path
) -> None:
    path = tmp_path / "rusak.csv"
    path.write_text("kind,lon,lat\nhydrant,109.3425,-0.0473\nhydrant,abc,-0.0473\n")
    report = import_layer(
        db, city=city, layer="facilities", features=read_layer_file(path).features
    )
    assert [(p.index, p.field) for p in report.problems] == [(1, "geometry")]


# ---------------------------------------------------------------------------------------------
# All or nothing, and archive guards


def test_bad_feature_in_a_geopackage_names_its_index_and_writes_nothing(
    db: Session, city: City, tmp_path: Path
) -> None:
    frame = gpd.GeoDataFrame(
        {"name": ["Baik 1", "Dasi", "Baik 2"], "kind": ["pkl_legal"] * 3},
        geometry=[Polygon(GOOD), Polygon(_shifted(BOWTIE, 0.001)), Polygon(_shifted(GOOD, 0.002))],
        crs="EPSG:4326",
    )
    path = tmp_path / "zona.gpkg"
    pyogrio.write_dataframe(frame, path, driver="GPKG", layer="zones")
    before = db.scalar(select(func.count()).select_from(Zone))
    report = import_layer(db, city=city, layer="zones", features=read_layer_file(path).features)
    assert not report.written
    assert [(p.index, p.field) for p in report.problems] == [(1, "geometry")]
    assert "Self-intersection" in report.problems[0].message_en
    assert db.scalar(select(func.count()).select_from(Zone)) == before


def test_geopackage_with_several_layers_reads_the_one_named_like_the_target(tmp_path: Path) -> None:
    path = tmp_path / "semua.gpkg"
    for layer, kind in (("facilities", "hydrant"), ("zones", "pkl_legal")):
        frame = gpd.GeoDataFrame({"kind": [kind]}, geometry=[Polygon(GOOD)], crs="EPSG:4326")
        pyogrio.write_dataframe(frame, path, driver="GPKG", layer=layer)
    source = read_layer_file(path, layer_hint="zones")
    assert source.features[0]["properties"]["kind"] == "pkl_legal"
    assert "ignored: facilities" in source.notes[0][1]


@pytest.mark.parametrize(
    "member", ["../evil.shp", "/etc/evil.shp", "data/../../evil.kml", "C:/evil.kml", "..\\evil.shp"]
)
def test_zip_path_traversal_is_refused(tmp_path: Path, member: str) -> None:
    archive = tmp_path / "jahat.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("ok.txt", "ok")
        zf.writestr(zipfile.ZipInfo(member), b"x")
    with pytest.raises(ServiceError, match="tidak aman") as info:
        read_layer_file(archive)
    assert "unsafe path" in info.value.message_en
    assert not (tmp_path.parent / "evil.shp").exists()


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "bom.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", b"<kml>" + b" " * 200_000 + b"</kml>")
    assert archive.stat().st_size < 2_000
    with pytest.raises(ServiceError) as info:
        read_layer_file(archive, max_bytes=10_240)
    assert "unpacks to more than 100 KB" in info.value.message_en


def test_zip_with_a_lying_size_header_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "bohong.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("doc.kml", b"<kml>" + b" " * 200_000 + b"</kml>")
    data = bytearray(archive.read_bytes())
    # Rewrite the central directory's "uncompressed size" to 10 bytes.
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24 : cd + 28] = (10).to_bytes(4, "little")
    archive.write_bytes(bytes(data))
    with pytest.raises(ServiceError) as info:
        read_layer_file(archive, max_bytes=10_000)
    assert "broken zip" in info.value.message_en or "unpacks" in info.value.message_en


def test_kmz_is_read(tmp_path: Path, db: Session, city: City) -> None:
    kml = export_layer(db, city=city, layer="zones", fmt="kml").data
    archive = tmp_path / "zona.kmz"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", kml)
    assert len(read_layer_file(archive).features) == len(zones_fc(db, city)["features"])


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gambar.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(ServiceError) as info:
        read_layer_file(path)
    assert "unknown format" in info.value.message_en


# ---------------------------------------------------------------------------------------------
# Other GIS tools read the exports; the CLI uses the same services


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo is not installed")
@pytest.mark.parametrize("fmt", ["gpkg", "kml"])
def test_ogrinfo_reads_the_exports(db: Session, city: City, tmp_path: Path, fmt: str) -> None:
    exported = export_layer(db, city=city, layer="zones", fmt=fmt)
    path = tmp_path / exported.filename
    path.write_bytes(exported.data)
    result = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    count = len(zones_fc(db, city)["features"])
    assert f"Feature Count: {count}" in result.stdout
    if fmt == "gpkg":
        assert 'EPSG",4326' in result.stdout or "WGS 84" in result.stdout


def test_cli_export_then_import_a_geopackage(
    runner: Any, db: Session, fresh_city: City, tmp_path: Path
) -> None:
    out = tmp_path / "zona.gpkg"
    result = runner.invoke(
        args=["export-layer", "--city", "pontianak", "--layer", "zones", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"SQLite format 3")
    result = runner.invoke(
        args=["import-layer", str(out), "--city", "kota-uji", "--layer", "zones"]
    )
    assert result.exit_code == 0, result.output
    assert "gpkg, CRS EPSG:4326" in result.output
    assert "ditulis" in result.output
    count = db.scalar(select(func.count()).select_from(Zone).where(Zone.city_id == fresh_city.id))
    assert count == db.scalar(
        select(func.count()).select_from(Zone).join(City).where(City.slug == "pontianak")
    )


def test_cli_export_booths_needs_an_event(runner: Any, tmp_path: Path) -> None:
    result = runner.invoke(
        args=[
            "export-layer",
            "--city",
            "pontianak",
            "--layer",
            "booths",
            "--format",
            "csv",
            str(tmp_path / "x.csv"),
        ]
    )
    assert result.exit_code != 0
    assert "event" in result.output


def test_cli_export_to_a_missing_folder_is_a_message_not_a_traceback(
    runner: Any, city: City, tmp_path: Path
) -> None:
    out = tmp_path / "tidak-ada" / "zona.geojson"
    args = ["export-layer", "--city", city.slug, "--layer", "zones", str(out)]
    result = runner.invoke(args=[*args, "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert f"folder {out.parent} does not exist." in result.output
    assert isinstance(result.exception, SystemExit)
    assert not out.exists()


def test_export_is_valid_geojson_bytes(db: Session, city: City) -> None:
    import json

    data = json.load(io.BytesIO(export_layer(db, city=city, layer="zones", fmt="geojson").data))
    assert data["type"] == "FeatureCollection"
    assert data["features"][0]["geometry"]["type"]
