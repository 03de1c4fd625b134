"""Data commands: cities, events, layers, vendors and the Pontianak demo."""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app import clock
from app.cli.basemap import import_basemap_command
from app.cli.common import say, service_errors, text
from app.db import get_session
from app.layers import LAYERS
from app.messages import Msg, define
from app.services.audit import acting_as
from app.services.cities import create_city, get_city
from app.services.demo import demo_summary, dump, seed_demo
from app.services.events import create_event, get_event
from app.services.export import EXPORT_FORMATS, export_layer
from app.services.layers import import_layer, read_layer_file
from app.services.vendors import import_vendors, read_rows


def _parse_extent(raw: str | None) -> tuple[float, float, float, float] | None:
    if not raw:
        return None
    try:
        parts = [float(p) for p in raw.split(",")]
    except ValueError:
        parts = []
    if len(parts) != 4:
        raise click.BadParameter(
            "tulis empat angka minlon,minlat,maxlon,maxlat / "
            "give four numbers minlon,minlat,maxlon,maxlat",
            param_hint="--extent",
        )
    return (parts[0], parts[1], parts[2], parts[3])


_NOTE = define("cli.import.note", id="catatan: {note}", en="note: {note}")
#: Features are numbered from 1 for people (the report's ``index`` counts from 0, as in the file).
_FEATURE = define(
    "cli.import.feature", id="fitur #{index}: {message}", en="feature #{index}: {message}"
)
_FEATURE_FIELD = define(
    "cli.import.feature_field",
    id="fitur #{index} [{field}]: {message}",
    en="feature #{index} [{field}]: {message}",
)


def _time_of_day(_ctx: click.Context, param: click.Parameter, value: str) -> time:
    """``HH:MM`` (24 hours) as a time, or a clear usage error naming the option."""
    try:
        if not re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
            raise ValueError(value)
        hours, minutes = (int(part) for part in value.strip().split(":"))
        return time(hours, minutes)
    except ValueError:
        raise click.BadParameter(
            f"'{value}' bukan jam JJ:MM (mis. 06:00) / is not a time HH:MM (e.g. 06:00)",
            param=param,
        ) from None


@click.command("create-city")
@click.argument("name")
@click.option("--slug", required=True)
@click.option(
    "--crs", "epsg", type=int, help="EPSG CRS metrik; diperkirakan dari --extent bila kosong."
)
@click.option("--extent", help="minlon,minlat,maxlon,maxlat (EPSG:4326)")
@with_appcontext
@service_errors
def create_city_command(name: str, slug: str, epsg: int | None, extent: str | None) -> None:
    """Create a city with its default clearance rules."""
    session = get_session()
    with acting_as(None, "cli"):
        city = create_city(
            session, name=name, slug=slug, metric_epsg=epsg, extent=_parse_extent(extent)
        )
        session.commit()
    click.echo(f"Kota {city.name} ({city.slug}), CRS metrik EPSG:{city.metric_epsg}")


@click.command("create-event")
@click.argument("city_slug")
@click.argument("event_slug")
@click.option("--name", required=True)
@click.option("--date", "on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--start", default="06:00", show_default=True, callback=_time_of_day)
@click.option("--end", default="09:00", show_default=True, callback=_time_of_day)
@click.option(
    "--corridor",
    "corridors",
    multiple=True,
    required=True,
    help="Nama zona koridor; ulangi untuk tiap zona (--corridor A --corridor B).",
)
@with_appcontext
@service_errors
def create_event_command(
    city_slug: str,
    event_slug: str,
    name: str,
    on: object,
    start: time,
    end: time,
    corridors: tuple[str, ...],
) -> None:
    """Create an event (e.g. a CFD Sunday) on one or more corridor zones."""
    session = get_session()
    city = get_city(session, city_slug)
    event = create_event(
        session,
        city=city,
        slug=event_slug,
        name=name,
        on=on.date(),  # type: ignore[attr-defined]
        start=start,
        end=end,
        corridor_names=corridors,
    )
    click.echo(f"Acara {event.slug} pada {event.date.isoformat()} dibuat.")


@click.command("import-layer")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--city", "city_slug", required=True)
@click.option("--layer", type=click.Choice(LAYERS), required=True)
@click.option("--event", "event_slug")
@click.option(
    "--repair", is_flag=True, help="Perbaiki poligon tidak sah (make_valid) dan laporkan."
)
@click.option(
    "--simplify",
    is_flag=True,
    help="Sederhanakan fitur yang melebihi MAX_VERTICES titik (bukan menolaknya) dan laporkan.",
)
@click.option("--dry-run", is_flag=True, help="Periksa saja; tidak menulis apa pun.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@with_appcontext
@service_errors
def import_layer_command(
    file: Path,
    city_slug: str,
    layer: str,
    event_slug: str | None,
    repair: bool,
    simplify: bool,
    dry_run: bool,
    fmt: str,
) -> None:
    """Import zones, facilities or an event's booths, all or nothing.

    FILE may be GeoJSON, GeoPackage, a zipped Shapefile, KML/KMZ or CSV (lon/lat or WKT
    columns); other CRSs are reprojected to EPSG:4326.
    """
    session = get_session()
    city = get_city(session, city_slug)
    event = get_event(session, event_slug, city) if event_slug else None
    source = read_layer_file(
        file, max_bytes=current_app.config["MAX_CONTENT_LENGTH"], layer_hint=layer
    )
    with acting_as(None, "cli:import-layer"):
        report = import_layer(
            session,
            city=city,
            layer=layer,
            features=source.features,
            event=event,
            repair=repair,
            dry_run=dry_run,
            max_vertices=current_app.config["MAX_VERTICES"],
            simplify=simplify,
        )
    if fmt == "json":
        click.echo(dump({**report.to_dict(), "source": source.to_dict()}))
    else:
        assumed = text(_CRS_ASSUMED()) if source.crs_assumed else ""
        click.echo(f"{file.name}: {source.format}, CRS {source.source_crs}{assumed}")
        for note_id, note_en in source.notes:
            click.echo(f"  {text(_NOTE(note=Msg.text(note_id, note_en)))}")
        for p in (*report.repaired, *report.simplified):
            click.echo(f"  {text(_FEATURE(index=p.index + 1, message=p.msg))}")
        for p in report.problems:
            line = (
                p.msg  # the file as a whole (no features, refused by the database)
                if p.index < 0
                else _FEATURE_FIELD(index=p.index + 1, field=p.field, message=p.msg)
                if p.field
                else _FEATURE(index=p.index + 1, message=p.msg)
            )
            click.echo(f"  {text(line)}", err=True)
        state = _WRITTEN if report.written else (_TRIED if dry_run and report.ok else _REFUSED)
        say(
            _IMPORTED(
                total=report.total, created=report.created, updated=report.updated, state=state()
            )
        )
    if not report.ok:
        raise SystemExit(1)


_CRS_ASSUMED = define("cli.import.crs_assumed", id=" (dianggap)", en=" (assumed)")
_IMPORTED = define(
    "cli.import.summary",
    id="{total} fitur: {created} baru, {updated} diperbarui — {state}",
    en="features: {total}; new: {created}, updated: {updated} — {state}",
)
_WRITTEN = define("cli.import.written", id="ditulis", en="written")
_TRIED = define("cli.import.dry_run", id="uji saja", en="dry run, nothing written")
_REFUSED = define("cli.import.refused", id="DITOLAK", en="REFUSED")


_NO_FOLDER = define(
    "cli.export.no_folder", id="folder {folder} tidak ada.", en="folder {folder} does not exist."
)
_NOT_WRITTEN_TO = define(
    "cli.export.not_written",
    id="{path} tidak dapat ditulis: {reason}.",
    en="{path} could not be written: {reason}.",
)


@click.command("export-layer")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--city", "city_slug", required=True)
@click.option("--layer", type=click.Choice(LAYERS), required=True)
@click.option("--event", "event_slug", help="Acara (wajib untuk --layer booths).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(tuple(EXPORT_FORMATS)),
    help="Format berkas; bila kosong, dari akhiran OUT.",
)
@click.option(
    "--include-private",
    is_flag=True,
    help="Sertakan data pribadi pedagang (nama pemilik, telepon, NIB, kode akses).",
)
@with_appcontext
@service_errors
def export_layer_command(
    out: Path,
    city_slug: str,
    layer: str,
    event_slug: str | None,
    fmt: str | None,
    include_private: bool,
) -> None:
    """Export zones, facilities or an event's booths as GeoJSON, GeoPackage, CSV or KML.

    Booth exports carry each booth's assignment (vendor business name and category); vendors'
    private data only with --include-private.
    """
    if fmt is None:
        by_suffix = {suffix: name for name, (suffix, _mime) in EXPORT_FORMATS.items()}
        by_suffix[".json"] = "geojson"
        fmt = by_suffix.get(out.suffix.lower())
        if fmt is None:
            raise click.BadParameter(
                "tidak dapat ditebak dari akhiran OUT; pakai --format.", param_hint="--format"
            )
    if not out.parent.is_dir():
        raise click.BadParameter(text(_NO_FOLDER(folder=str(out.parent))), param_hint="OUT")
    session = get_session()
    city = get_city(session, city_slug)
    event = get_event(session, event_slug, city) if event_slug else None
    result = export_layer(
        session, city=city, layer=layer, fmt=fmt, event=event, include_private=include_private
    )
    try:
        out.write_bytes(result.data)
    except OSError as exc:
        raise click.ClickException(
            text(_NOT_WRITTEN_TO(path=str(out), reason=exc.strerror))
        ) from exc
    if result.private:
        out.chmod(0o600)
    click.echo(f"{out} ({fmt}, {len(result.data)} bita) ditulis.")


_ROW = define(
    "cli.vendors.row",
    id="baris {row} [{column}] {mark}: {message}",
    en="row {row} [{column}] {mark}: {message}",
)
_ROW_ERROR = define("cli.vendors.error", id="GALAT", en="ERROR")
_ROW_NOTE = define("cli.vendors.note", id="catatan", en="note")
_ROWS_IMPORTED = define(
    "cli.vendors.summary",
    id="{total} baris: {created} baru, {updated} diperbarui — {state}",
    en="rows: {total}; new: {created}, updated: {updated} — {state}",
)
_NOT_WRITTEN = define("cli.import.not_written", id="tidak ditulis", en="nothing written")


@click.command("import-vendors")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--city", "city_slug", default="pontianak", show_default=True)
@click.option("--dry-run", is_flag=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@with_appcontext
@service_errors
def import_vendors_command(file: Path, city_slug: str, dry_run: bool, fmt: str) -> None:
    """Import vendors from CSV or XLSX with a per-row report; one bad row writes nothing.

    Rows with an ``id`` column update that vendor; others register new vendors.
    """
    session = get_session()
    city = get_city(session, city_slug)
    report = import_vendors(
        session, city=city, rows=read_rows(file), today=date.today(), dry_run=dry_run
    )
    if fmt == "json":
        click.echo(dump(report.to_dict()))
    else:
        for p in report.problems:
            mark = _ROW_ERROR if p.severity == "error" else _ROW_NOTE
            say(_ROW(row=p.row, column=p.column, mark=mark(), message=p.msg), err=True)
        say(
            _ROWS_IMPORTED(
                total=report.total,
                created=report.created,
                updated=report.updated,
                state=(_WRITTEN if report.written else _NOT_WRITTEN)(),
            )
        )
    if report.errors:
        raise SystemExit(1)


@click.command("seed-demo")
@with_appcontext
@service_errors
def seed_demo_command() -> None:
    """Load Pontianak's illustrative demo data (safe to run again: loads only what is missing)."""
    session = get_session()
    with acting_as(None, "cli:seed-demo"):
        seed_demo(session, today=date.today(), now=clock.now(), log=click.echo)
    click.echo(f"Data demo siap: {demo_summary(session)}")


data_commands = (
    create_city_command,
    create_event_command,
    import_layer_command,
    export_layer_command,
    import_basemap_command,
    import_vendors_command,
    seed_demo_command,
)
