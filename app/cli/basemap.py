"""``import-basemap``: a city's basemap from an OpenStreetMap extract, GeoPackage or GeoJSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from app import clock
from app.cli.common import say, service_errors, text
from app.db import get_session
from app.messages import define
from app.services.audit import acting_as
from app.services.basemap import import_basemap, read_basemap_file
from app.services.cities import get_city

_READ = define(
    "cli.basemap.read",
    id=(
        "{name}: {roads} jalan, {water} perairan, {buildings} bangunan, {landmarks} tengara "
        "({skipped} fitur lain dilewati)"
    ),
    en=(
        "{name}: {roads} roads, {water} water, {buildings} buildings, {landmarks} landmarks "
        "({skipped} other features skipped)"
    ),
)
_WRITING = define("cli.basemap.writing", id="Menulis peta dasar", en="Writing the basemap")
_DONE = define(
    "cli.basemap.done",
    id=(
        "Peta dasar {city} diganti: {roads} jalan, {water} perairan, {buildings} bangunan, "
        "{landmarks} tengara ({clipped} di luar wilayah kota tidak dimuat)."
    ),
    en=(
        "{city}'s basemap replaced: {roads} roads, {water} water, {buildings} buildings, "
        "{landmarks} landmarks ({clipped} outside the city's extent left out)."
    ),
)


@click.command("import-basemap")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--city", "city_slug", required=True, help="Kota (slug).")
@click.option(
    "--illustrative",
    is_flag=True,
    help="Data ilustrasi (bukan hasil survei): peta menyebutnya di atribusi.",
)
@click.option("--attribution", help="Teks atribusi (bawaan: © OpenStreetMap contributors).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@with_appcontext
@service_errors
def import_basemap_command(
    file: Path, city_slug: str, illustrative: bool, attribution: str | None, fmt: str
) -> None:
    """Replace a city's basemap (roads, water, buildings, landmarks) from an OSM extract.

    FILE is an OpenStreetMap extract (.osm or .osm.pbf, read through GDAL's OSM driver), a
    GeoPackage or a GeoJSON file with OpenStreetMap tags as properties. Everything is clipped to
    the city's extent; the old basemap is replaced in one transaction.
    """
    session = get_session()
    city = get_city(session, city_slug)
    data = read_basemap_file(file)
    if fmt == "table":
        say(
            _READ(
                name=file.name,
                roads=len(data.roads),
                water=len(data.water),
                buildings=len(data.buildings),
                landmarks=len(data.landmarks),
                skipped=data.skipped,
            )
        )
    with (
        acting_as(None, "cli:import-basemap"),
        click.progressbar(
            length=max(data.total, 1), label=text(_WRITING()), file=sys.stderr
        ) as bar,
    ):
        summary = import_basemap(
            session,
            city=city,
            data=data,
            now=clock.now(),
            illustrative=illustrative,
            attribution=attribution,
            progress=bar.update,
        )
    if fmt == "json":
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False))
    else:
        say(
            _DONE(
                city=city.name,
                roads=summary.roads,
                water=summary.water,
                buildings=summary.buildings,
                landmarks=summary.landmarks,
                clipped=summary.clipped_away,
            )
        )
