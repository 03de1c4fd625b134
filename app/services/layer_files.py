"""Reading layer files of every common GIS format into the feature dicts the import checks.

GeoJSON, GeoPackage, Shapefile (zipped, or a ``.shp`` beside its sidecars), KML/KMZ and CSV
(lon/lat columns or a WKT column) all become GeoJSON-like feature dicts in EPSG:4326 with
property names mapped to PetaLapak's (case-insensitive, with common Indonesian aliases), so that
:func:`app.services.layers.import_layer` remains the one place where features are validated.

CRS handling: a declared CRS (a Shapefile's ``.prj``, a GeoPackage's ``srs_id``, a legacy GeoJSON
``crs`` member) is reprojected to EPSG:4326. A file with no CRS is assumed to be EPSG:4326 when its
format says so or usually means it (GeoJSON, KML, CSV), and the :class:`LayerFile` notes say so; a
Shapefile without ``.prj`` is refused unless its coordinates are plainly degrees.

Archives are opened defensively: entries with absolute paths, ``..`` or links are refused, and so
is an archive whose content would unpack to more than ten times the upload limit (counted while
reading, not trusted from the archive's header).

Why one module of about 730 lines: it holds one idea, "a file becomes a LayerFile". Each format is
a section of a few dozen lines, and all of them share the property aliases, the CRS notes and the
archive guards; split per format, each part would import most of the others' helpers.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from app.services.errors import ServiceError
from app.services.vendors import unescape_formula

if TYPE_CHECKING:
    from pyproj import CRS, Transformer  # loaded where a file declares a CRS, not at start

#: Used when the caller does not pass the upload limit (the app's default ``MAX_UPLOAD_MB``).
DEFAULT_MAX_BYTES = 25 * 1024 * 1024
#: An archive may unpack to at most this many times the upload limit (zip-bomb guard).
ZIP_EXPANSION_LIMIT = 10
MAX_ZIP_MEMBERS = 2000

FORMATS = ("geojson", "gpkg", "shapefile", "kml", "csv")
SUFFIXES = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
    ".zip": "zip",
    ".kmz": "zip",
    ".shp": "shapefile",
    ".kml": "kml",
    ".csv": "csv",
    ".txt": "csv",
}
#: Suffixes an upload may carry (the route keeps only these when it stores the file).
UPLOAD_SUFFIXES = tuple(SUFFIXES)

#: Properties the import understands; other names are kept, lower-cased.
CANONICAL = (
    "name",
    "kind",
    "description",
    "capacity",
    "allowed_categories",
    "hours_start",
    "hours_end",
    "source",
    "code",
    "service",
    "label",
    "locked",
    "has_electricity",
    "accessible",
    "cooking_allowed",
    "reserved_category",
    "width_m",
    "depth_m",
)
ALIASES = {
    "nama": "name",
    "nama_zona": "name",
    "jenis": "kind",
    "tipe": "kind",
    "deskripsi": "description",
    "keterangan": "description",
    "ket": "description",
    "kapasitas": "capacity",
    "kategori": "allowed_categories",
    "kategori_diizinkan": "allowed_categories",
    "jam_mulai": "hours_start",
    "jam_selesai": "hours_end",
    "sumber": "source",
    "kode": "code",
    "kode_lapak": "code",
    "layanan": "service",
    "terkunci": "locked",
    "listrik": "has_electricity",
    "aksesibel": "accessible",
    "akses_difabel": "accessible",
    "boleh_masak": "cooking_allowed",
    "masak": "cooking_allowed",
    "kategori_khusus": "reserved_category",
    "lebar_m": "width_m",
    "kedalaman_m": "depth_m",
}
_LON = ("lon", "lng", "long", "longitude", "x", "bujur")
_LAT = ("lat", "latitude", "y", "lintang")
_WKT = ("wkt", "geometry", "geom", "the_geom", "wkt_geom", "geometri")
_KML_STYLE_FIELDS = (
    "timestamp",
    "begin",
    "end",
    "altitudemode",
    "tessellate",
    "extrude",
    "visibility",
    "draworder",
    "icon",
    "snippet",
)
_DRIVE = re.compile(r"^[A-Za-z]:")

Note = tuple[str, str]  # (Indonesian, English)


@dataclass(frozen=True)
class LayerFile:
    """Features read from a file, in EPSG:4326, with what the reader assumed or changed.

    ``source_crs`` is the CRS the file declared (``"EPSG:32749"``), or the one assumed when
    ``crs_assumed`` is True.
    """

    features: list[dict[str, Any]]
    format: str
    source_crs: str = "EPSG:4326"
    crs_assumed: bool = False
    notes: tuple[Note, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the API and the CLI (without the features)."""
        return {
            "format": self.format,
            "source_crs": self.source_crs,
            "crs_assumed": self.crs_assumed,
            "notes": [{"message_id": i, "message_en": e} for i, e in self.notes],
        }


def _error(name: str, msg_id: str, msg_en: str) -> ServiceError:
    return ServiceError(f"{name}: {msg_id}", f"{name}: {msg_en}")


# ---------------------------------------------------------------------------------------------
# Entry point


def read_layer_file(
    path: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    layer_hint: str | None = None,
    display_name: str | None = None,
) -> LayerFile:
    """Read any supported layer file into feature dicts in EPSG:4326.

    Parameters
    ----------
    path
        The file; its format is told by its first bytes, then by its suffix.
    max_bytes
        The upload limit; archives that unpack to more than ten times this are refused.
    layer_hint
        The PetaLapak layer being imported (``"zones"``…): picks that layer from a GeoPackage
        holding several.
    display_name
        The name to use in messages (an upload's original file name).
    """
    name = display_name or path.name
    kind = _sniff(path, name)
    if kind == "zip":
        return _read_zip(path, name=name, max_bytes=max_bytes, layer_hint=layer_hint)
    return _read_plain(path, kind, name=name, layer_hint=layer_hint)


def _sniff(path: Path, name: str) -> str:
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise _error(
            name, f"berkas tidak dapat dibuka ({exc}).", f"cannot open the file ({exc})."
        ) from exc
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    by_suffix = SUFFIXES.get(path.suffix.lower())
    if by_suffix == "shapefile":
        return by_suffix
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{"):
        return "geojson"
    if text.startswith(b"<") and b"<kml" in head:
        return "kml"
    if by_suffix in ("csv", "geojson", "kml", "gpkg"):
        return by_suffix
    if by_suffix is None and (b"," in head or b";" in head):
        return "csv"
    raise _error(
        name,
        "format tidak dikenal (GeoJSON, GeoPackage, Shapefile .zip, KML/KMZ atau CSV).",
        "unknown format (GeoJSON, GeoPackage, zipped Shapefile, KML/KMZ or CSV).",
    )


def _read_plain(path: Path, kind: str, *, name: str, layer_hint: str | None) -> LayerFile:
    if kind == "geojson":
        return _read_geojson(path, name=name)
    if kind == "csv":
        return _read_csv(path, name=name)
    return _read_ogr(path, kind, name=name, layer_hint=layer_hint)


# ---------------------------------------------------------------------------------------------
# Property names and values


def _key(raw: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(raw).strip().lower())


def canonical_name(raw: str) -> str:
    """PetaLapak's name for a property: case-insensitive, Indonesian aliases, DBF truncation.

    >>> canonical_name("Nama"), canonical_name("JENIS"), canonical_name("hours_star")
    ('name', 'kind', 'hours_start')
    """
    key = _key(raw)
    if key in CANONICAL:
        return key
    if key in ALIASES:
        return ALIASES[key]
    if len(key) == 10:  # a Shapefile's DBF keeps 10 characters of a field name
        matches = [c for c in (*CANONICAL, *ALIASES) if c.startswith(key)]
        targets = {ALIASES.get(m, m) for m in matches}
        if len(targets) == 1:
            return targets.pop()
    return key


def normalise_properties(props: Mapping[str, Any]) -> dict[str, Any]:
    """Map property names to PetaLapak's; an exact name wins over an alias of it."""
    out: dict[str, Any] = {}
    exact = {k for k in props if _key(k) in CANONICAL}
    for raw in sorted(props, key=lambda k: k not in exact):
        target = canonical_name(raw)
        value = props[raw]
        if target in out and out[target] not in (None, ""):
            continue
        out[target] = value
    return out


def _plain(value: Any) -> Any:
    """A value from a data frame as plain JSON-like Python."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # numpy scalars
    if isinstance(value, float):
        if math.isnan(value):
            return None
        # Integer columns with nulls come back from GDAL as floats.
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, datetime):
        return None if value != value else value.isoformat()  # NaT compares unequal
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    try:
        if value != value:  # pandas NaT / NA
            return None
    except (TypeError, ValueError):
        pass
    return value


# ---------------------------------------------------------------------------------------------
# CRS


def _crs_label(crs: CRS) -> str:
    code = crs.to_epsg(min_confidence=70)
    return f"EPSG:{code}" if code else crs.name


def _is_wgs84(crs: CRS) -> bool:
    from pyproj import CRS

    return crs.to_epsg(min_confidence=70) == 4326 or crs.equals(
        CRS.from_epsg(4326), ignore_axis_order=True
    )


def _assumed_note(fmt_label: str) -> Note:
    return (
        f"{fmt_label} tanpa CRS tercantum: dianggap EPSG:4326 (bujur, lintang).",
        f"{fmt_label} declares no CRS: assumed to be EPSG:4326 (lon, lat).",
    )


def _reprojected_note(label: str) -> Note:
    return (
        f"Diproyeksikan ulang dari {label} ke EPSG:4326.",
        f"Reprojected from {label} to EPSG:4326.",
    )


def _plainly_degrees(bounds: Iterable[float]) -> bool:
    """Coordinates that can only be degrees (metric CRSs give thousands or millions).

    Both axes are allowed up to 180 so that swapped lat/lon still reaches the import's check,
    which names the swap instead of asking for a ``.prj``.
    """
    values = [v for v in bounds if not math.isnan(v)]
    return bool(values) and all(abs(v) <= 180 for v in values)


# ---------------------------------------------------------------------------------------------
# GeoJSON


def _read_geojson(path: Path, *, name: str) -> LayerFile:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ServiceError(
            f"Berkas {name} tidak dapat dibaca sebagai GeoJSON: {exc}",
            f"{name} cannot be read as GeoJSON: {exc}",
        ) from exc
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        feats = data.get("features") or []
    elif isinstance(data, dict) and data.get("type") == "Feature":
        feats = [data]
    else:
        raise ServiceError(
            f"{name} bukan GeoJSON FeatureCollection.", f"{name} is not a FeatureCollection."
        )
    declared = ((data.get("crs") or {}).get("properties") or {}).get("name", "")
    features = [
        {
            "type": "Feature",
            "geometry": f.get("geometry"),
            "properties": normalise_properties(f.get("properties") or {}),
        }
        for f in feats
        if isinstance(f, dict)
    ]
    if not declared:
        return LayerFile(features, "geojson", crs_assumed=True, notes=(_assumed_note("GeoJSON"),))
    if any(tag in declared for tag in ("CRS84", "EPSG::4326", "EPSG:4326")):
        return LayerFile(features, "geojson")
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        crs = CRS.from_user_input(declared)
    except CRSError as exc:
        raise ServiceError(
            f"{name}: CRS '{declared}' tidak dikenal.", f"{name}: unknown CRS '{declared}'."
        ) from exc
    if _is_wgs84(crs):
        return LayerFile(features, "geojson")
    transformer = Transformer.from_crs(crs, CRS.from_epsg(4326), always_xy=True)
    for feature in features:
        try:
            geom = shape(feature["geometry"])
        except Exception:  # noqa: BLE001, S112 - left as is: the import reports broken geometry
            continue
        feature["geometry"] = mapping(
            shapely.transform(geom, lambda xy: _transform_xy(transformer, xy))
        )
    label = _crs_label(crs)
    return LayerFile(features, "geojson", source_crs=label, notes=(_reprojected_note(label),))


def _transform_xy(transformer: Transformer, xy: Any) -> Any:
    import numpy as np

    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


# ---------------------------------------------------------------------------------------------
# GDAL formats (GeoPackage, Shapefile, KML) through pyogrio


def _read_ogr(path: Path, kind: str, *, name: str, layer_hint: str | None) -> LayerFile:
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    label = {"gpkg": "GeoPackage", "shapefile": "Shapefile", "kml": "KML"}[kind]
    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(path)]
        chosen, notes = _choose_layers(layers, kind, layer_hint)
        frames = [pyogrio.read_dataframe(path, layer=layer) for layer in chosen]
    except (DataSourceError, DataLayerError, OSError, ValueError) as exc:
        raise _error(
            name, f"tidak dapat dibaca sebagai {label}: {exc}", f"cannot be read as {label}: {exc}"
        ) from exc
    frames = [f for f in frames if len(f)]
    if not frames:
        return LayerFile([], kind, notes=tuple(notes))
    crs = frames[0].crs
    notes_t = tuple(notes)
    if crs is None:
        if kind == "shapefile":
            bounds = [b for f in frames for b in f.total_bounds]
            if not _plainly_degrees(bounds):
                raise _error(
                    name,
                    "Shapefile tanpa berkas .prj dan koordinatnya bukan bujur/lintang (mungkin "
                    "UTM). Sertakan .prj (sistem koordinat) di dalam zip.",
                    "Shapefile has no .prj and its coordinates are not lon/lat (UTM perhaps). "
                    "Include the .prj (coordinate system) in the zip.",
                )
            notes_t += (
                (
                    "Shapefile tanpa .prj; koordinat tampak bujur/lintang, dianggap EPSG:4326.",
                    "Shapefile has no .prj; coordinates look like lon/lat, assumed EPSG:4326.",
                ),
            )
        else:
            notes_t += (_assumed_note(label),)
        source, assumed = "EPSG:4326", True
    else:
        source, assumed = _crs_label(crs), False
        if not _is_wgs84(crs):
            frames = [f.to_crs(4326) for f in frames]
            notes_t += (_reprojected_note(source),)
    if kind == "kml" and crs is not None:
        notes_t += (
            (
                "KML selalu memakai EPSG:4326 (bujur, lintang).",
                "KML is always EPSG:4326 (lon, lat).",
            ),
        )
    features: list[dict[str, Any]] = []
    for frame in frames:
        features.extend(_frame_features(frame))
    if kind == "kml":  # LIBKML's own placemark fields are display settings, not data
        for feature in features:
            for key in _KML_STYLE_FIELDS:
                feature["properties"].pop(key, None)
    return LayerFile(features, kind, source_crs=source, crs_assumed=assumed, notes=notes_t)


def _choose_layers(layers: list[str], kind: str, hint: str | None) -> tuple[list[str], list[Note]]:
    if kind == "kml" or len(layers) <= 1:
        return layers, []
    wanted = [lyr for lyr in layers if hint and lyr.lower() == hint.lower()]
    chosen = wanted[0] if wanted else layers[0]
    others = ", ".join(lyr for lyr in layers if lyr != chosen)
    return [chosen], [
        (
            f"Berkas berisi beberapa lapisan; dipakai '{chosen}', diabaikan: {others}.",
            f"The file holds several layers; read '{chosen}', ignored: {others}.",
        )
    ]


def _frame_features(frame: Any) -> list[dict[str, Any]]:
    geoms = list(frame.geometry)
    records = frame.drop(columns=frame.geometry.name).to_dict("records")
    out = []
    for geom, record in zip(geoms, records, strict=True):
        out.append(
            {
                "type": "Feature",
                "geometry": _geometry_dict(geom),
                "properties": normalise_properties({k: _plain(v) for k, v in record.items()}),
            }
        )
    return out


def _geometry_dict(geom: BaseGeometry | None) -> dict[str, Any] | None:
    if geom is None or geom.is_empty:
        return None
    if geom.has_z:
        geom = shapely.force_2d(geom)
    return dict(mapping(geom))


# ---------------------------------------------------------------------------------------------
# CSV


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float(text.replace(",", "."))


def _read_csv(path: Path, *, name: str) -> LayerFile:
    notes: list[Note] = []
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", "replace")
        notes.append(
            (
                "Berkas bukan UTF-8; dibaca sebagai Windows-1252.",
                "The file is not UTF-8; read as Windows-1252.",
            )
        )
    # The header line tells the delimiter (Excel in Indonesian saves with ";").
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return LayerFile([], "csv", crs_assumed=True, notes=(_assumed_note("CSV"),))
    keys = [_key(h) for h in header]
    wkt_col = next((keys.index(k) for k in _WKT if k in keys), None)
    lon_col = next((keys.index(k) for k in _LON if k in keys), None)
    lat_col = next((keys.index(k) for k in _LAT if k in keys), None)
    if wkt_col is None and (lon_col is None or lat_col is None):
        raise _error(
            name,
            "CSV perlu kolom bujur dan lintang (lon/lng/longitude/x dan lat/latitude/y) atau "
            "kolom WKT.",
            "CSV needs longitude and latitude columns (lon/lng/longitude/x and lat/latitude/y) "
            "or a WKT column.",
        )
    geometry_cols = {c for c in (wkt_col, lon_col, lat_col) if c is not None}
    if wkt_col is not None and lon_col is not None and lat_col is not None:
        notes.append(
            (
                f"Geometri dibaca dari kolom WKT '{header[wkt_col]}'; kolom bujur/lintang "
                "diabaikan.",
                f"Geometry read from the WKT column '{header[wkt_col]}'; the lon/lat "
                "columns are ignored.",
            )
        )
    features = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        cells = [unescape_formula(c) for c in row] + [""] * (len(header) - len(row))
        props = {
            header[i]: (cells[i] if cells[i] != "" else None)
            for i in range(len(header))
            if i not in geometry_cols
        }
        feature: dict[str, Any] = {
            "type": "Feature",
            "geometry": None,
            "properties": normalise_properties(props),
        }
        try:
            if wkt_col is not None:
                wkt = cells[wkt_col].strip()
                if wkt:
                    feature["geometry"] = _geometry_dict(shapely.from_wkt(wkt))
            else:
                assert lon_col is not None
                assert lat_col is not None
                lon, lat = cells[lon_col].strip(), cells[lat_col].strip()
                if lon or lat:
                    feature["geometry"] = {
                        "type": "Point",
                        "coordinates": [_number(lon), _number(lat)],
                    }
        except (ValueError, shapely.errors.ShapelyError) as exc:
            feature["geometry_error"] = (
                f"Geometri tidak dapat dibaca: {exc}",
                f"Geometry cannot be read: {exc}",
            )
        features.append(feature)
    notes.append(_assumed_note("CSV"))
    return LayerFile(features, "csv", crs_assumed=True, notes=tuple(notes))


# ---------------------------------------------------------------------------------------------
# Zip archives: zipped Shapefile, KMZ, or one zipped layer file


def _unsafe_member(info: zipfile.ZipInfo) -> bool:
    name = info.filename
    parts = PurePosixPath(name.replace("\\", "/")).parts
    mode = info.external_attr >> 16
    return (
        name.startswith(("/", "\\"))
        or bool(_DRIVE.match(name))
        or ".." in parts
        or "\x00" in name
        or stat.S_ISLNK(mode)
    )


def _read_zip(path: Path, *, name: str, max_bytes: int, layer_hint: str | None) -> LayerFile:
    limit = ZIP_EXPANSION_LIMIT * max_bytes
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _error(name, f"arsip zip rusak ({exc}).", f"broken zip archive ({exc}).") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise _error(
                name, "arsip berisi terlalu banyak berkas.", "the archive holds too many files."
            )
        bad = [i.filename for i in infos if _unsafe_member(i)]
        if bad:
            raise _error(
                name,
                f"arsip ditolak: jalur berkas tidak aman ({bad[0]}).",
                f"archive refused: unsafe path inside ({bad[0]}).",
            )
        if sum(i.file_size for i in infos) > limit:
            raise _bomb(name, limit)
        members = [i for i in infos if not i.is_dir() and not _junk(i.filename)]
        by_suffix: dict[str, list[zipfile.ZipInfo]] = {}
        for info in members:
            by_suffix.setdefault(PurePosixPath(info.filename).suffix.lower(), []).append(info)
        with tempfile.TemporaryDirectory(prefix="petalapak-zip-") as tmp:
            budget = _Budget(limit)
            shps = by_suffix.get(".shp", [])
            if len(shps) > 1:
                listed = ", ".join(i.filename for i in shps)
                raise _error(
                    name,
                    f"zip berisi lebih dari satu Shapefile ({listed}).",
                    f"the zip holds more than one Shapefile ({listed}).",
                )
            if shps:
                target = _extract_shapefile(archive, shps[0], members, Path(tmp), budget, name)
                return _read_ogr(target, "shapefile", name=name, layer_hint=layer_hint)
            for suffix in (".kml", ".gpkg", ".geojson", ".json", ".csv"):
                found = by_suffix.get(suffix, [])
                if len(found) == 1:
                    target = Path(tmp) / f"layer{suffix}"
                    _extract(archive, found[0], target, budget, name)
                    kind = _sniff(target, name)
                    if kind == "zip":
                        raise _error(
                            name,
                            "zip di dalam zip tidak diterima.",
                            "a zip inside the zip is not accepted.",
                        )
                    return _read_plain(target, kind, name=name, layer_hint=layer_hint)
    raise _error(
        name,
        "zip tidak berisi Shapefile (.shp), KML, GeoPackage, GeoJSON atau CSV.",
        "the zip holds no Shapefile (.shp), KML, GeoPackage, GeoJSON or CSV.",
    )


def _junk(filename: str) -> bool:
    parts = PurePosixPath(filename).parts
    return parts[0] == "__MACOSX" or parts[-1].startswith("._")


def _bomb(name: str, limit: int) -> ServiceError:
    size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
    return _error(
        name,
        f"arsip ditolak: isinya melebihi {size} bila dibuka.",
        f"archive refused: it unpacks to more than {size}.",
    )


class _Budget:
    """Bytes an archive may still unpack to."""

    def __init__(self, limit: int) -> None:
        self.limit = self.left = limit


def _extract(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: _Budget, name: str
) -> None:
    """Copy one member to ``target``, counting real bytes against the budget (headers can lie)."""
    try:
        with archive.open(info) as src, target.open("wb") as dst:
            while chunk := src.read(1 << 16):
                budget.left -= len(chunk)
                if budget.left < 0:
                    raise _bomb(name, budget.limit)
                dst.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise _error(name, f"arsip zip rusak ({exc}).", f"broken zip archive ({exc}).") from exc


def _extract_shapefile(
    archive: zipfile.ZipFile,
    shp: zipfile.ZipInfo,
    members: list[zipfile.ZipInfo],
    tmp: Path,
    budget: _Budget,
    name: str,
) -> Path:
    stem = str(PurePosixPath(shp.filename).with_suffix("")).lower()
    sidecars = {
        PurePosixPath(i.filename).suffix.lower(): i
        for i in members
        if str(PurePosixPath(i.filename).with_suffix("")).lower() == stem
    }
    missing = [s for s in (".shx", ".dbf") if s not in sidecars]
    if missing:
        raise _error(
            name,
            f"Shapefile tidak lengkap: tidak ada {', '.join(missing)}.",
            f"incomplete Shapefile: missing {', '.join(missing)}.",
        )
    for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
        if suffix in sidecars:
            _extract(archive, sidecars[suffix], tmp / f"layer{suffix}", budget, name)
    return tmp / "layer.shp"
