"""Import of map layers (zones, facilities, booths) from files, all or nothing.

The same service serves ``flask import-layer``, ``seed-demo`` and the planner's upload
(``POST /api/layers/…/import``): read features (any format, through
:mod:`app.services.layer_files`), check every one, report every problem by feature index, and
write only when nothing is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

from geoalchemy2.shape import from_shape
from shapely.geometry import Polygon, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.gis.rules import (
    BOOTH_KINDS,
    FACILITY_KINDS,
    SERVICE_DESK_KINDS,
    VENDOR_CATEGORIES,
    ZONE_KINDS,
)
from app.gis.validate import DEFAULT_MAX_VERTICES, check_geometry, close_rings, unclosed_rings
from app.kinds import FACILITY_KIND_REGISTRY, kind_by_name, near_kinds
from app.layers import LAYER_REGISTRY, LAYERS, Layer, layer_named
from app.messages import Msg, define
from app.models import City, Event
from app.services.audit import row_values
from app.services.cities import city_extent
from app.services.columns import column_problems
from app.services.errors import ServiceError
from app.services.history import record_step, stub
from app.services.layer_files import LayerFile, read_layer_file

__all__ = [
    "LAYERS",
    "ImportReport",
    "LayerFile",
    "Problem",
    "import_layer",
    "read_features",
    "read_layer_file",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one feature (index counts from 0, as in the file)."""

    index: int
    field: str | None
    message_id: str
    message_en: str

    @property
    def msg(self) -> Msg:
        """The problem as a message for the edge (:func:`app.i18n.localize`, the CLI)."""
        return Msg.text(self.message_id, self.message_en)

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the API and the CLI's ``--format json``."""
        return {
            "index": self.index,
            "field": self.field,
            "message_id": self.message_id,
            "message_en": self.message_en,
        }


@dataclass
class ImportReport:
    """What an import found and did; ``written`` is False when anything was wrong."""

    layer: str
    total: int = 0
    created: int = 0
    updated: int = 0
    problems: list[Problem] = field(default_factory=list)
    repaired: list[Problem] = field(default_factory=list)
    simplified: list[Problem] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        """True when every feature passed."""
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the API and the CLI."""
        return {
            "layer": self.layer,
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "written": self.written,
            "problems": [p.to_dict() for p in self.problems],
            "repaired": [p.to_dict() for p in self.repaired],
            "simplified": [p.to_dict() for p in self.simplified],
        }


def read_features(path: Path) -> list[dict[str, Any]]:
    """Read any supported layer file (see :func:`read_layer_file`) into feature dicts."""
    return read_layer_file(path).features


def _parse_time(value: Any) -> time:
    text = str(value).strip()
    hh, mm = text.split(":")[:2]
    return time(int(hh), int(mm))


class _Checker:
    """Collects problems for one feature while its properties are parsed."""

    def __init__(self, report: ImportReport, index: int) -> None:
        self.report, self.index, self.bad = report, index, False

    def problem(self, fld: str | None, msg_id: str, msg_en: str) -> None:
        self.report.problems.append(Problem(self.index, fld, msg_id, msg_en))
        self.bad = True


def _geometry(feature: Mapping[str, Any], chk: _Checker, *, repair: bool) -> BaseGeometry | None:
    read_error = feature.get("geometry_error")  # set by a reader that could not parse it
    if read_error:
        chk.problem("geometry", str(read_error[0]), str(read_error[1]))
        return None
    raw = feature.get("geometry")
    if not raw:
        chk.problem("geometry", "Fitur tanpa geometri.", "Feature has no geometry.")
        return None
    open_rings = unclosed_rings(raw) if isinstance(raw, Mapping) else 0
    if open_rings:  # shapely would close them without a word
        if not repair:
            chk.problem(
                "geometry",
                f"Cincin poligon tidak tertutup ({open_rings} cincin): titik terakhir harus sama "
                "dengan titik pertama. Perbaiki berkasnya, atau impor dengan pilihan perbaikan "
                "(--repair).",
                f"Unclosed polygon ring ({open_rings} ring(s)): the last position must equal "
                "the first. Fix the file, or import with the repair option (--repair).",
            )
            return None
        raw = close_rings(raw)
        chk.report.repaired.append(
            Problem(
                chk.index,
                "geometry",
                f"Diperbaiki: {open_rings} cincin yang tidak tertutup ditutup.",
                f"Repaired: closed {open_rings} unclosed ring(s).",
            )
        )
    try:
        return shape(raw)
    except Exception as exc:  # noqa: BLE001 - shapely raises several types for broken GeoJSON
        chk.problem("geometry", f"Geometri rusak: {exc}", f"Broken geometry: {exc}")
        return None


def _kind_text(code: str, lang: str) -> str:
    """A kind as the reader knows it: ``hydrant (Hidran)``; a kind without a title, its code."""
    kind = FACILITY_KIND_REGISTRY.get(code)
    return code if kind is None else f"{code} ({kind.label(lang)})"


def _kind(props: Mapping[str, Any], allowed: Sequence[str], chk: _Checker) -> str | None:
    """The feature's kind: its code, or its title in either language ("Hidran", "Hydrant").

    Anything else is refused with the kinds in the reader's language and, for a near miss,
    "did you mean …" (:func:`app.kinds.near_kinds`).
    """
    kind = props.get("kind")
    if kind in allowed:
        return str(kind)
    named = kind_by_name(kind, allowed)
    if named is not None:
        return named
    near = near_kinds(kind, allowed)

    def listed(lang: str, codes: Sequence[str]) -> str:
        return ", ".join(_kind_text(code, lang) for code in codes)

    guess_id = f" Maksud Anda {listed('id', near)}?" if near else ""
    guess_en = f" Did you mean {listed('en', near)}?" if near else ""
    chk.problem(
        "kind",
        f"Jenis '{kind}' tidak dikenal.{guess_id} Pilihan: {listed('id', allowed)}.",
        f"Unknown kind '{kind}'.{guess_en} One of: {listed('en', allowed)}.",
    )
    return None


def import_layer(
    session: Session,
    *,
    city: City,
    layer: str,
    features: Iterable[Mapping[str, Any]],
    event: Event | None = None,
    repair: bool = False,
    dry_run: bool = False,
    max_vertices: int | None = DEFAULT_MAX_VERTICES,
    simplify: bool = False,
) -> ImportReport:
    """Check every feature, then write them all in one transaction, or nothing.

    Zones are matched by name and booths by code (re-importing updates them); facilities are
    added. The caller's transaction is committed only when every feature passed and
    ``dry_run`` is False (then the service commits); otherwise it is rolled back to where it was.
    A feature with more than ``max_vertices`` coordinates is refused, or simplified to fit
    (and reported) when ``simplify`` is True; open rings are refused unless ``repair``.
    """
    spec = layer_named(layer)
    if spec is None:
        raise ServiceError(f"Lapisan '{layer}' tidak dikenal.", f"Unknown layer '{layer}'.")
    if spec.per_event and event is None:
        raise ServiceError("Lapak perlu --event.", "Booths need --event.")
    report = ImportReport(layer=layer)
    extent = city_extent(city)
    rows: list[tuple[int, dict[str, Any]]] = []
    for index, feature in enumerate(features):
        values = check_feature(
            feature,
            layer=layer,
            extent=extent,
            repair=repair,
            report=report,
            index=index,
            max_vertices=max_vertices,
            simplify=simplify,
        )
        if values is not None:
            rows.append((index, values))
    if not report.ok or report.total == 0:
        if report.total == 0:
            report.problems.append(Problem(-1, None, "Berkas tidak berisi fitur.", "No features."))
        return report
    savepoint = session.begin_nested()
    written: list[tuple[Any, dict[str, Any] | None]] = []
    try:
        for _, values in rows:
            written.append(_write(session, city, spec, values, event, report))
        session.flush()
    except IntegrityError as exc:
        savepoint.rollback()
        detail = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
        report.problems.append(
            Problem(-1, None, f"Basis data menolak data: {detail}", f"Database refused: {detail}")
        )
        report.created = report.updated = 0
        return report
    if dry_run:
        savepoint.rollback()
        return report
    savepoint.commit()
    record_step(
        session,
        city_id=city.id,
        event_id=event.id if spec.per_event and event is not None else None,
        label=import_label(layer, created=report.created, updated=report.updated),
        changes=[
            {"entity": spec.entity, "id": obj.id, "before": before, "after": stub(obj)}
            for obj, before in written
        ],
    )
    session.commit()
    report.written = True
    return report


_IMPORT_STEPS = {
    "zones": define(
        "history.import.zones",
        id="Impor zona: {created} baru, {updated} diubah",
        en="Import zones: {created} new, {updated} changed",
    ),
    "facilities": define(
        "history.import.facilities",
        id="Impor fasilitas: {created} baru, {updated} diubah",
        en="Import facilities: {created} new, {updated} changed",
    ),
    "booths": define(
        "history.import.booths",
        id="Impor lapak: {created} baru, {updated} diubah",
        en="Import booths: {created} new, {updated} changed",
    ),
    "landmarks": define(
        "history.import.landmarks",
        id="Impor penanda: {created} baru, {updated} diubah",
        en="Import landmarks: {created} new, {updated} changed",
    ),
}
_IMPORT_STEP = define(
    "history.import",
    id="Impor {layer}: {created} baru, {updated} diubah",
    en="Import {layer}: {created} new, {updated} changed",
)


def import_label(layer: str, *, created: int, updated: int) -> Msg:
    """ "Impor lapak: 3 baru, 2 diubah": an import's name in the undo history."""
    template = _IMPORT_STEPS.get(layer)
    if template is None:
        return _IMPORT_STEP(layer=layer, created=created, updated=updated)
    return template(created=created, updated=updated)


def check_feature(
    feature: Mapping[str, Any],
    *,
    layer: str,
    extent: Polygon | None,
    repair: bool,
    report: ImportReport,
    index: int = 0,
    max_vertices: int | None = DEFAULT_MAX_VERTICES,
    simplify: bool = False,
) -> dict[str, Any] | None:
    """Validate one GeoJSON feature for ``layer``; the model's column values, or None.

    Problems (and repairs and simplifications) are added to ``report`` under ``index``. The
    import and the map editor share this, so a feature drawn on the map passes exactly the
    checks a file does, the vertex limit (``max_vertices``) included.
    """
    report.total += 1
    chk = _Checker(report, index)
    props = dict(feature.get("properties") or {})
    geom = _geometry(feature, chk, repair=repair)
    if geom is not None:
        result = check_geometry(
            geom,
            allowed_types=LAYER_REGISTRY[layer].geometry_types,
            extent=extent,
            repair=repair,
            max_vertices=max_vertices,
            simplify=simplify,
        )
        for msg_id, msg_en in result.problems:
            chk.problem("geometry", msg_id, msg_en)
        if result.repaired:
            report.repaired.append(
                Problem(
                    index,
                    "geometry",
                    f"Diperbaiki: {result.repaired}",
                    f"Repaired: {result.repaired}",
                )
            )
        if result.simplified:
            report.simplified.append(Problem(index, "geometry", *result.simplified))
        geom = result.geometry
    values = LAYER_REGISTRY[layer].check_properties(props, chk)
    for fld, msg_id, msg_en in column_problems(LAYER_REGISTRY[layer].model, values):
        chk.problem(fld, msg_id, msg_en)
    if chk.bad or geom is None:
        return None
    values["geom"] = from_shape(geom, srid=4326)
    return values


def _write(
    session: Session,
    city: City,
    layer: Layer,
    values: dict[str, Any],
    event: Event | None,
    report: ImportReport,
) -> tuple[Any, dict[str, Any] | None]:
    """Add the row, or update the one whose ``match_column`` has the same value in its scope.

    The row and its values before (None: added), for the import's undo step.
    """
    model: Any = layer.model
    if layer.per_event:
        assert event is not None
        owner: dict[str, Any] = {"event": event}
        scope = model.event_id == event.id
    else:
        owner = {"city": city}
        scope = model.city_id == city.id
    existing = None
    if layer.match_column is not None:
        column = getattr(model, layer.match_column)
        existing = session.scalars(
            select(model).where(scope, column == values[layer.match_column])
        ).one_or_none()
    if existing is None:
        row = model(**owner, **values)
        session.add(row)
        report.created += 1
        return row, None
    before = row_values(existing)
    for key, value in values.items():
        setattr(existing, key, value)
    report.updated += 1
    return existing, before


def zone_values(props: Mapping[str, Any], chk: _Checker) -> dict[str, Any]:
    kind = _kind(props, ZONE_KINDS, chk)
    name = str(props.get("name") or "").strip()
    if not name:
        chk.problem("name", "Zona perlu nama.", "A zone needs a name.")
    cats = props.get("allowed_categories")
    if isinstance(cats, str):
        cats = [c.strip() for c in cats.split(";") if c.strip()]
    if cats is not None and not isinstance(cats, list):
        chk.problem(
            "allowed_categories",
            "Kategori harus daftar (dipisah titik koma, mis. makanan;minuman).",
            "Categories must be a list (separated by semicolons, e.g. makanan;minuman).",
        )
        cats = None
    if cats is not None:
        unknown = [str(c) for c in cats if c not in VENDOR_CATEGORIES]
        if unknown:
            chk.problem(
                "allowed_categories",
                f"Kategori tidak dikenal: {', '.join(unknown)}",
                f"Unknown categories: {', '.join(unknown)}",
            )
    capacity = props.get("capacity")
    if capacity not in (None, ""):
        try:
            capacity = int(capacity)
            if capacity < 0:
                raise ValueError
        except (TypeError, ValueError, OverflowError):
            chk.problem(
                "capacity",
                "Kapasitas harus bilangan bulat ≥ 0.",
                "Capacity must be a whole number ≥ 0.",
            )
            capacity = None
    else:
        capacity = None
    hours: dict[str, time | None] = {"hours_start": None, "hours_end": None}
    for key in hours:
        raw = props.get(key)
        if raw not in (None, ""):
            try:
                hours[key] = _parse_time(raw)
            except (ValueError, IndexError):
                chk.problem(
                    key, f"Jam '{raw}' tidak sah (JJ:MM).", f"Time '{raw}' invalid (HH:MM)."
                )
    if kind == "pkl_timed" and (hours["hours_start"] is None or hours["hours_end"] is None):
        chk.problem(
            "hours_start",
            "Zona kuning (berjam) perlu jam mulai dan selesai.",
            "A timed (yellow) zone needs start and end hours.",
        )
    return {
        "name": name,
        "kind": kind,
        "allowed_categories": cats,
        "capacity": capacity,
        "description": props.get("description"),
        **hours,
    }


def facility_values(props: Mapping[str, Any], chk: _Checker) -> dict[str, Any]:
    return {
        "kind": _kind(props, FACILITY_KINDS, chk),
        "name": (str(props["name"]) if props.get("name") else None),
        "source": (str(props["source"]) if props.get("source") else None),
    }


def booth_values(props: Mapping[str, Any], chk: _Checker) -> dict[str, Any]:
    code = str(props.get("code") or "").strip()
    if not code:
        chk.problem(
            "code", "Lapak perlu kode (mis. AY-014).", "A booth needs a code (e.g. AY-014)."
        )
    kind = props.get("kind") or "vendor"
    if kind not in BOOTH_KINDS:
        chk.problem("kind", f"Jenis lapak '{kind}' tidak dikenal.", f"Unknown booth kind '{kind}'.")
    service = props.get("service")
    if service is not None and service not in SERVICE_DESK_KINDS:
        chk.problem(
            "service", f"Layanan '{service}' tidak dikenal.", f"Unknown service '{service}'."
        )
    sizes = {}
    for key in ("width_m", "depth_m"):
        raw = props.get(key)
        try:
            sizes[key] = 3.0 if raw in (None, "") else float(raw)
            if sizes[key] <= 0:
                raise ValueError
        except (TypeError, ValueError):
            chk.problem(key, "Ukuran lapak harus angka > 0.", "Booth size must be a number > 0.")
    return {
        "code": code,
        "kind": kind,
        "service": service,
        "label": props.get("label"),
        "locked": _flag(props, "locked", chk),
        "has_electricity": _flag(props, "has_electricity", chk),
        "accessible": _flag(props, "accessible", chk),
        "cooking_allowed": _flag(props, "cooking_allowed", chk),
        "reserved_category": _reserved_category(props, chk),
        **sizes,
    }


def _reserved_category(props: Mapping[str, Any], chk: _Checker) -> str | None:
    """The goods category a booth is kept for (empty: none)."""
    raw = props.get("reserved_category")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    value = str(raw).strip()
    if value not in VENDOR_CATEGORIES:
        chk.problem(
            "reserved_category",
            f"Kategori khusus harus salah satu dari: {', '.join(VENDOR_CATEGORIES)}.",
            f"The reserved category must be one of: {', '.join(VENDOR_CATEGORIES)}.",
        )
        return None
    return value


_TRUE = {"true", "1", "ya", "y", "yes", "t"}
_FALSE = {"false", "0", "tidak", "n", "no", "f", ""}


def _flag(props: Mapping[str, Any], key: str, chk: _Checker) -> bool:
    """A yes/no property: JSON booleans, 0/1, or text (CSV, KML) such as ``true``/``tidak``."""
    raw = props.get(key)
    if raw is None or isinstance(raw, bool):
        return bool(raw)
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    text = str(raw).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    chk.problem(
        key,
        f"Nilai '{raw}' harus ya/tidak (true/false).",
        f"Value '{raw}' must be yes/no (true/false).",
    )
    return False
