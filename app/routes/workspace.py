"""The planner's map workspace: layers by bounding box, single-feature edits, undo and redo."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app.auth import permission_required
from app.db import get_session
from app.i18n import localize
from app.kinds import LANDMARK_STYLES, landmark_kind_labels
from app.layers import layer_named
from app.models import Booth, City, Event
from app.routes.inputs import json_object
from app.services import history as history_svc
from app.services.audit import acting_as
from app.services.basemap import basemap_source
from app.services.bbox import booths_geojson_text, layer_fc, parse_bbox
from app.services.cities import facility_count, get_city
from app.services.conflicts import booth_conflicts, booth_states, event_conflicts
from app.services.errors import ServiceError
from app.services.events import booth_count, corridor_bounds, events_of_city, get_event
from app.services.features import (
    InvalidFeature,
    StaleVersion,
    Target,
    create_feature,
    delete_feature,
    feature_json,
    update_feature,
)
from app.services.params import INT4_MAX, bounded_int
from app.views.labels import (
    BOOTH_LABELS,
    CATEGORY_LABELS,
    FACILITY_LABELS,
    ZONE_LABELS,
    as_text,
)

bp = Blueprint("workspace", __name__)
GEOMAN = "vendor/leaflet-geoman-free"
#: How far one arrow key moves the selected feature on the map, in metres (with Shift: ``big``).
#: A quarter metre lines a booth up with a kerb or its neighbour; a metre crosses a gap quickly.
KEY_STEP_M = {"small": 0.25, "big": 1.0}


def _event_arg(session: Any, city: City) -> Event | None:
    slug = request.args.get("event") or json_object().get("event")
    if slug and not isinstance(slug, str):
        raise ServiceError(
            "event: harus berupa slug acara (teks).", "event: must be an event slug (text)."
        )
    return get_event(session, slug, city) if slug else None


def _version(raw: object) -> int | None:
    """The feature version the client saw; None when missing or not a version."""
    try:
        return bounded_int(raw, field="version", minimum=0, maximum=INT4_MAX)
    except ServiceError:
        return None


def _version_required() -> tuple[Response, int]:
    return jsonify(
        error="version_required",
        message=_("Versi fitur wajib dikirim sebagai bilangan bulat."),
    ), 400


def _context_cache() -> Any:
    """This worker's warm conflict contexts (None when turned off)."""
    return current_app.extensions.get("petalapak.context_cache")


def _lang() -> str:
    return str(get_locale() or "id")


def _messages(conflicts: list[Any]) -> list[dict[str, Any]]:
    return [{**c.to_dict(), "message": localize(c.message)} for c in conflicts]


@bp.get("/api/workspace/<city_slug>/layers/<layer>")
@permission_required("map.read")
def layer(city_slug: str, layer: str) -> Response:
    """A layer in the requested bbox; booths carry their conflict state."""
    session = get_session()
    city = get_city(session, city_slug)
    event = _event_arg(session, city)
    bbox = parse_bbox(request.args.get("bbox"))
    spec = layer_named(layer)
    if spec is not None and spec.per_event and event is not None:
        if request.args.get("states") != "1":
            # the common case, and the big one: PostGIS writes the JSON; the map paints first
            # and colours booths by conflict from /conflicts just after
            return Response(
                booths_geojson_text(session, event, bbox), mimetype="application/geo+json"
            )
        states = booth_states(event_conflicts(session, event, cache=_context_cache()))
        return jsonify(layer_fc(session, layer, city, event=event, bbox=bbox, states=states))
    return jsonify(layer_fc(session, layer, city, event=event, bbox=bbox))


@bp.get("/api/workspace/<city_slug>/events/<event_slug>/conflicts")
@permission_required("map.read")
def conflicts(city_slug: str, event_slug: str) -> dict[str, Any]:
    """Every conflict of the event, in the viewer's language, for the list beside the map."""
    session = get_session()
    event = get_event(session, event_slug, get_city(session, city_slug))
    return {"conflicts": _messages(event_conflicts(session, event, cache=_context_cache()))}


def _after_edit(session: Any, layer: str, obj: Any, event: Event | None) -> dict[str, Any]:
    """The saved feature plus the conflicts it changed (one booth incrementally, else the event)."""
    body: dict[str, Any] = {"feature": feature_json(session, layer, obj)}
    if isinstance(obj, Booth) and obj.event is not None:
        body["conflicts"] = _messages(booth_conflicts(session, obj, cache=_context_cache()))
        body["booth_code"] = obj.code
    elif event is not None:
        body["event_conflicts"] = _messages(event_conflicts(session, event, cache=_context_cache()))
    return body


def _error(exc: ServiceError) -> tuple[Response, int]:
    body: dict[str, Any] = {
        "error": type(exc).__name__,
        "message": exc.message_id,
        "message_en": exc.message_en,
    }
    if isinstance(exc, InvalidFeature):
        body["problems"] = exc.problems
    if isinstance(exc, StaleVersion):
        body["current"] = exc.current
    return jsonify(body), exc.status


@bp.post("/api/workspace/<city_slug>/layers/<layer>")
@permission_required("layers.edit")
def create(city_slug: str, layer: str) -> tuple[Response, int]:
    """Create one feature from GeoJSON (body: ``{"feature": …, "event": slug?}``)."""
    session = get_session()
    city = get_city(session, city_slug)
    data = json_object()
    event = _event_arg(session, city)
    try:
        with acting_as(current_user.id, current_user.email):
            obj = create_feature(
                session,
                layer,
                data.get("feature"),
                Target(city, event),
                max_vertices=current_app.config["MAX_VERTICES"],
            )
    except ServiceError as exc:
        return _error(exc)
    return jsonify(_after_edit(session, layer, obj, event)), 201


@bp.put("/api/workspace/<city_slug>/layers/<layer>/<id:ident>")
@permission_required("layers.edit")
def update(city_slug: str, layer: str, ident: int) -> tuple[Response, int]:
    """Save an edit made on ``version``; 409 with the current feature when it is stale."""
    session = get_session()
    city = get_city(session, city_slug)
    data = json_object()
    event = _event_arg(session, city)
    version = _version(data.get("version"))
    if version is None:
        return _version_required()
    try:
        with acting_as(current_user.id, current_user.email):
            obj = update_feature(
                session,
                layer,
                ident,
                data.get("feature"),
                version,
                city,
                max_vertices=current_app.config["MAX_VERTICES"],
            )
    except ServiceError as exc:
        return _error(exc)
    return jsonify(_after_edit(session, layer, obj, event)), 200


@bp.delete("/api/workspace/<city_slug>/layers/<layer>/<id:ident>")
@permission_required("layers.edit")
def delete(city_slug: str, layer: str, ident: int) -> tuple[Response, int]:
    """Delete a feature seen at ``?version=``."""
    session = get_session()
    city = get_city(session, city_slug)
    event = _event_arg(session, city)
    version = _version(request.args.get("version"))
    if version is None:
        return _version_required()
    try:
        with acting_as(current_user.id, current_user.email):
            delete_feature(session, layer, ident, version, city)
    except ServiceError as exc:
        return _error(exc)
    body: dict[str, Any] = {"deleted": ident}
    if event is not None:
        body["event_conflicts"] = _messages(event_conflicts(session, event, cache=_context_cache()))
    return jsonify(body), 200


def step_json(step: Any, lang: str) -> dict[str, Any]:
    """One step of an undo stack as the page lists it."""
    return {
        "id": step.id,
        "label": step.label_en if lang == "en" else step.label_id,
        "applied": step.applied,
        "at": step.at.isoformat() if step.at else None,
    }


def _stack(session: Any, city: City, event: Event | None) -> list[dict[str, Any]]:
    lang = _lang()
    steps = history_svc.history(session, city, event, workspace=True)
    return [step_json(s, lang) for s in steps]


@bp.post("/api/workspace/<city_slug>/undo")
@permission_required("layers.edit")
def undo(city_slug: str) -> tuple[Response, int]:
    """Undo the newest step of the workspace's stack (not the undo of an undo): the city's
    steps and, with ``?event=``, that event's (its booths, moves, layout and allocation runs)."""
    session = get_session()
    city = get_city(session, city_slug)
    try:
        event = _event_arg(session, city)
        with acting_as(current_user.id, current_user.email):
            step = history_svc.undo(session, city, event, workspace=True)
    except ServiceError as exc:
        return _error(exc)
    changes = step.changes
    kind = _kind(changes[-1]) if changes else "update"
    body = {"undone": kind, "step": step_json(step, _lang())}
    return jsonify(body | {"history": _stack(session, city, event)}), 200


@bp.post("/api/workspace/<city_slug>/redo")
@permission_required("layers.edit")
def redo(city_slug: str) -> tuple[Response, int]:
    """Redo the step undone last (of the same stacks as :func:`undo`)."""
    session = get_session()
    city = get_city(session, city_slug)
    try:
        event = _event_arg(session, city)
        with acting_as(current_user.id, current_user.email):
            step = history_svc.redo(session, city, event, workspace=True)
    except ServiceError as exc:
        return _error(exc)
    return jsonify(redone=step_json(step, _lang()), history=_stack(session, city, event)), 200


@bp.get("/api/workspace/<city_slug>/history")
@permission_required("layers.edit")
def history(city_slug: str) -> tuple[Response, int]:
    """The workspace's steps, newest first (applied ones can be undone, the others redone):
    the city's, and with ``?event=`` that event's too, as the event page lists them."""
    session = get_session()
    city = get_city(session, city_slug)
    try:
        event = _event_arg(session, city)
    except ServiceError as exc:
        return _error(exc)
    return jsonify(history=_stack(session, city, event)), 200


def _kind(change: dict[str, Any]) -> str:
    """What the step did to its first row: create, update or delete."""
    if change.get("before") is None:
        return "create"
    if change.get("after") is None:
        return "delete"
    return "update"


@bp.get("/planner/map")
@permission_required("layers.edit")
def workspace_page() -> str:
    """The planner's editable map for a city and (optionally) an event."""
    from app.views import map_legend, maps  # folium: loaded when a map is drawn
    from app.views.basemap_view import basemap_layer
    from app.views.map_page import PONTIANAK_CENTRE

    session = get_session()
    city_slug = request.args.get("city", "pontianak")
    city = get_city(session, city_slug)
    events = events_of_city(session, city)
    event = _event_arg(session, city) or next((e for e in events if e.status != "closed"), None)
    static_base = url_for("static", filename="vendor").rstrip("/")
    bounds = corridor_bounds(session, event) if event else None
    # The layers the map asks for first are known here: the browser is told to fetch them while
    # it is still reading the page (<link rel=preload>), and the script reuses the responses.
    facilities_by_view = _facilities_by_view(session, city)
    preload = [
        url_for("workspace.layer", city_slug=city.slug, layer=name)
        for name in (("zones",) if facilities_by_view else ("zones", "facilities"))
    ]
    initial_bbox = _padded(bounds, 0.6) if bounds else None
    booth_tiles = _booth_tiles(session, event) if event is not None else None
    if event is not None and booth_tiles is None:
        booths_url = url_for(
            "workspace.layer", city_slug=city.slug, layer="booths", event=event.slug
        )
        if initial_bbox:
            booths_url += "&bbox=" + ",".join(f"{v:.6f}" for v in initial_bbox)
        preload.append(booths_url)
    m = maps.base_map(
        center=PONTIANAK_CENTRE,
        zoom=16,
        static_base=static_base,
        jquery=False,
        tiles=current_app.config["MAP_TILES"],
        tiles_attribution=current_app.config["MAP_TILES_ATTRIBUTION"],
        basemap=basemap_layer(city.slug, basemap_source(session, city.id)),
    )
    zone_labels, fac_labels, booth_labels = (
        as_text(ZONE_LABELS),
        as_text(FACILITY_LABELS),
        as_text(BOOTH_LABELS),
    )
    landmark_labels = landmark_kind_labels(_lang())
    map_legend.add_legend(
        m,
        toggle_label=_("Legenda dan lapisan"),
        groups=[
            map_legend.legend_group("booths", _("Lapak"), maps.BOOTH_STYLES, booth_labels),
            map_legend.legend_group("facilities", _("Fasilitas"), maps.FACILITY_STYLES, fac_labels),
            map_legend.legend_group("zones", _("Zona"), maps.ZONE_STYLES, zone_labels),
        ],
        position="bottomright",
        script_url=url_for("static", filename="js/map_legend.js"),
    )
    scope: dict[str, Any] = {"event": event.slug} if event is not None else {}  # its steps too
    config = {
        "map": m.get_name(),
        "city": city.slug,
        "event": event.slug if event else None,
        "corridors": [z.id for z in event.corridors] if event else [],
        "bounds": bounds,
        "preload": preload,
        "initialBbox": initial_bbox,
        "boothTiles": booth_tiles,
        "facilitiesByView": facilities_by_view,
        "geoman": {
            "js": url_for("static", filename=f"{GEOMAN}/leaflet-geoman.min.js"),
            "css": url_for("static", filename=f"{GEOMAN}/leaflet-geoman.css"),
        },
        "eventClosed": bool(event and event.status == "closed"),
        "keyStep": KEY_STEP_M,
        "lang": _lang(),
        "geomanLang": _geoman_texts(),
        "csrf": generate_csrf(),
        "api": url_for("workspace.layer", city_slug=city.slug, layer="LAYER").replace("/LAYER", ""),
        "undo": url_for("workspace.undo", city_slug=city.slug, **scope),
        "redo": url_for("workspace.redo", city_slug=city.slug, **scope),
        "history": url_for("workspace.history", city_slug=city.slug, **scope),
        "importUrl": url_for("layers.import_", city_slug=city.slug, layer="LAYER"),
        "styles": {
            "zones": {k: s.leaflet() for k, s in maps.ZONE_STYLES.items()},
            "booths": {k: s.leaflet() for k, s in maps.BOOTH_STYLES.items()},
            "facilities": {
                k: {
                    "fill": s.fill,
                    "stroke": s.stroke,
                    "size": s.size_px,
                    "shape": s.shape,
                    "glyph": s.glyph,
                }
                for k, s in maps.FACILITY_STYLES.items()
            },
            "landmarks": {
                k: {"fill": s.fill, "stroke": s.stroke, "size": s.size_px, "shape": s.shape}
                for k, s in LANDMARK_STYLES.items()
            },
        },
        "labels": {
            "zones": zone_labels,
            "facilities": fac_labels,
            "booths": booth_labels,
            "landmarks": landmark_labels,
            "ui": _ui_labels(),
        },
    }
    return render_template(
        "planner/workspace.html",
        map=maps.render_parts(m),
        config=config,
        city=city,
        event=event,
        events=events,
        zone_labels=zone_labels,
        facility_labels=fac_labels,
        booth_labels=booth_labels,
        landmark_labels=landmark_labels,
        category_labels=as_text(CATEGORY_LABELS),
        max_vertices=current_app.config["MAX_VERTICES"],
        search_texts=search_texts(),
        key_steps={k: format_decimal(v) for k, v in KEY_STEP_M.items()},
    )


#: From this zoom on, a big event's booths are features to select and edit; below it, tiles.
TILE_EDIT_ZOOM = 17


def _booth_tiles(session: Any, event: Event) -> dict[str, Any] | None:
    """Vector tiles for an event too big to send as one GeoJSON layer, else None.

    Above ``WORKSPACE_TILE_MIN_BOOTHS`` booths the map shows the event from ``/tiles`` (MVT from
    PostGIS, only the tiles in view) at city scale, and fetches booths as features by bounding
    box only from :data:`TILE_EDIT_ZOOM` on, where they are edited.
    """
    from app.views import maps  # folium: loaded when a map is drawn

    limit = int(current_app.config["WORKSPACE_TILE_MIN_BOOTHS"])
    count = booth_count(session, event)
    if count <= limit:
        return None
    url = url_for(
        "tiles.vector_tile",
        layer="booths",
        z="ZZ",
        x="XX",
        y="YY",
        event=event.slug,
        city=event.city.slug,
    )
    return {
        "url": url.replace("ZZ", "{z}").replace("XX", "{x}").replace("YY", "{y}"),
        "editZoom": TILE_EDIT_ZOOM,
        "booths": count,
        "js": url_for("static", filename=f"vendor/{maps.VECTORGRID_JS}"),
    }


def _facilities_by_view(session: Any, city: City) -> bool:
    """Whether the city has too many facilities to send at once (every tree, pole and drain
    inlet of a big city): then the map fetches those around the view from street level on."""
    limit = int(current_app.config["WORKSPACE_VIEW_MIN_FACILITIES"])
    count = facility_count(session, city)
    return bool(count > limit)


def _padded(bounds: list[list[float]], ratio: float) -> list[float]:
    """``[[s, w], [n, e]]`` grown by ``ratio`` of its size on each side → minx,miny,maxx,maxy."""
    (s, w), (n, e) = bounds
    dy, dx = (n - s) * ratio, (e - w) * ratio
    return [w - dx, s - dy, e + dx, n + dy]


def _geoman_texts() -> dict[str, dict[str, str]]:
    """Leaflet-Geoman's own texts (tooltips, buttons, actions) from the app's catalogue, for
    ``map.pm.setLang``: the drawing tools speak the reader's language."""
    return {
        "tooltips": {
            "placeMarker": _("Klik untuk menaruh titik"),
            "placeMarkerTouch": _("Ketuk peta untuk menaruh titik"),
            "firstVertex": _("Klik untuk menaruh titik sudut pertama"),
            "continueLine": _("Klik untuk melanjutkan gambar"),
            "finishLine": _("Klik titik yang sudah ada untuk selesai"),
            "finishPoly": _("Klik titik pertama untuk selesai"),
            "finishRect": _("Klik untuk selesai"),
        },
        "actions": {
            "finish": _("Selesai"),
            "cancel": _("Batal"),
            "removeLastVertex": _("Hapus titik terakhir"),
        },
        "buttonTitles": {
            "drawMarkerButton": _("Gambar titik (fasilitas)"),
            "drawPolyButton": _("Gambar poligon"),
            "drawRectButton": _("Gambar persegi panjang"),
            "snappingButton": _("Tempelkan titik ke lapisan dan titik sudut lain"),
        },
        "measurements": {
            "totalLength": _("Panjang"),
            "segmentLength": _("Panjang ruas"),
            "area": _("Luas"),
            "perimeter": _("Keliling"),
            "height": _("Tinggi"),
            "width": _("Lebar"),
        },
    }


def search_texts() -> dict[str, str]:
    """The staff map search box's texts (``{n}`` and ``{label}`` are filled by the script)."""
    return {
        "booth": _("Lapak"),
        "vendor": _("Pedagang"),
        "street": _("Jalan"),
        "landmark": _("Patokan"),
        "none": _("Tidak ada yang cocok."),
        "count": _("{n} hasil. Pilih dengan tombol panah lalu Enter."),
        "shown": _("Ditandai di peta: {label}. Tekan Esc untuk menghapus tanda."),
    }


def _ui_labels() -> dict[str, str]:
    """Words the workspace script shows (translated here; the script holds no text)."""
    return {
        "loading": _("Memuat…"),
        "booths_loaded": _("lapak dimuat"),
        "new": _("Baru"),
        "zones": _("Zona"),
        "facilities": _("Fasilitas umum"),
        "booths": _("Lapak"),
        "landmarks": _("Tengara"),
        "saving": _("Menyimpan…"),
        "saved": _("Tersimpan."),
        "deleted": _("Dihapus."),
        "undone": _("Dibatalkan:"),
        "measure_hint": _("Klik titik-titik di peta untuk mengukur; klik dua kali untuk selesai."),
        "measure_total": _("Jarak"),
        "step_undone": _("dibatalkan"),
        "redone": _("Diulangi:"),
        "nothing": _("Belum ada langkah."),
        "checking": _("Memeriksa berkas…"),
        "features_checked": _("fitur diperiksa"),
        "imported": _("fitur diimpor."),
        "import_refused": _("tidak ada yang disimpan; perbaiki masalah di atas."),
        "confirm_delete": _(
            "Hapus fitur ini? Langkah ini dapat diurungkan (Urungkan atau Ctrl+Z)."
        ),
        "edit": _("Mulai menggambar dan mengedit"),
        "loading_tools": _("Memuat alat gambar…"),
        "booths_as_tiles": _(
            "Lapak ditampilkan sebagai ubin peta; perbesar peta untuk memilih dan mengedit lapak."
        ),
        # keyboard: a feature chosen in the list (or a conflict) is moved with the arrow keys
        "chosen": _(
            "%(name)s dipilih. Tombol panah menggeser, Shift+panah lebih jauh, Enter menyimpan, "
            "Esc membatalkan.",
            name="{name}",
        ),
        "moved_by": _("Belum disimpan: %(offset)s dari tempat semula.", offset="{offset}"),
        "offset": _("%(m)s m ke %(dir)s", m="{m}", dir="{dir}"),
        "and": _("dan"),
        "east": _("timur"),
        "west": _("barat"),
        "north": _("utara"),
        "south": _("selatan"),
        "back_in_place": _("Kembali ke tempat semula."),
        "deselected": _("Pilihan dibatalkan."),
        "read_only": _("Acara ini sudah ditutup; lapaknya tidak dapat digeser."),
        "not_loaded": _("Lapak %(code)s tidak ditemukan di peta.", code="{code}"),
    }
