"""Layers in and out: export any layer as GeoJSON/GeoPackage/CSV/KML, import any common format.

``GET  /api/layers/<city>/<layer>/export?format=gpkg[&event=SLUG]`` — staff (crew and up); an
event's booths carry vendors' private data only for planners.
``POST /api/layers/<city>/<layer>/import[?event=SLUG][&dry_run=1][&repair=1][&simplify=1]`` —
planners; a multipart ``file``. ``dry_run=1`` returns the per-feature report for a preview and
writes nothing; ``simplify=1`` simplifies features over ``MAX_VERTICES`` instead of refusing them.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, jsonify, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import permission_required
from app.db import get_session
from app.services.audit import acting_as
from app.services.cities import get_city
from app.services.events import get_event
from app.services.export import export_layer
from app.services.layer_files import UPLOAD_SUFFIXES, read_layer_file
from app.services.layers import import_layer

bp = Blueprint("layers", __name__, url_prefix="/api/layers")

_TRUE = ("1", "true", "yes", "ya", "on")
#: Features drawn in the import preview; a bigger file is still checked whole.
PREVIEW_LIMIT = 5000


def _flag(name: str) -> bool:
    return request.args.get(name, "").strip().lower() in _TRUE


@bp.get("/<city_slug>/<layer>/export")
@permission_required("layers.export")
def export(city_slug: str, layer: str) -> Any:
    """Download a layer; private vendor columns only for planners and admins."""
    session = get_session()
    city = get_city(session, city_slug)
    event_slug = request.args.get("event")
    event = get_event(session, event_slug, city) if event_slug else None
    result = export_layer(
        session,
        city=city,
        layer=layer,
        fmt=request.args.get("format", "geojson").lower(),
        event=event,
        include_private=current_user.can("vendors.read_private"),
    )
    response = send_file(
        io.BytesIO(result.data),
        mimetype=result.mimetype,
        as_attachment=True,
        download_name=result.filename,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store" if result.private else "private"
    return response


@bp.post("/<city_slug>/<layer>/import")
@permission_required("layers.import")
def import_(city_slug: str, layer: str) -> Any:
    """Check (``dry_run=1``) or import an uploaded layer file; the report is the same."""
    session = get_session()
    city = get_city(session, city_slug)
    event_slug = request.args.get("event") or request.form.get("event")
    event = get_event(session, event_slug, city) if event_slug else None
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return jsonify(error="no_file", message=_("Pilih berkas untuk diimpor.")), 400
    suffix = Path(upload.filename).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        return jsonify(
            error="format",
            message=_(
                "Format berkas tidak didukung (GeoJSON, GeoPackage, Shapefile .zip, KML/KMZ, CSV)."
            ),
        ), 400
    dry_run = _flag("dry_run")
    with tempfile.TemporaryDirectory(prefix="petalapak-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        upload.save(path)
        source = read_layer_file(
            path,
            max_bytes=current_app.config["MAX_CONTENT_LENGTH"],
            layer_hint=layer,
            display_name=Path(upload.filename).name,
        )
    with acting_as(current_user.id, current_user.email):
        report = import_layer(
            session,
            city=city,
            layer=layer,
            features=source.features,
            event=event,
            repair=_flag("repair"),
            dry_run=dry_run,
            max_vertices=current_app.config["MAX_VERTICES"],
            simplify=_flag("simplify"),
        )
    body = {**report.to_dict(), "ok": report.ok, "dry_run": dry_run, "source": source.to_dict()}
    if dry_run:  # the planner sees the file on the map before anything is written
        body["preview"] = {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "geometry": f.get("geometry"), "properties": {"index": i}}
                for i, f in enumerate(source.features[:PREVIEW_LIMIT])
                if f.get("geometry")
            ],
        }
    return jsonify(body), (200 if report.ok else 422)
