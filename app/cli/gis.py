"""Layout and conflict commands for an event."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.cli.common import cli_language, say, service_errors, text
from app.db import get_session
from app.messages import NOTHING, define
from app.services.audit import acting_as
from app.services.conflicts import event_conflicts, summary
from app.services.demo import dump
from app.services.events import get_event
from app.services.layout import LayoutParams, generate_event_layout

_PLACED = define(
    "cli.layout.placed",
    id="Lapak ditempatkan: {placed} (batas per baris {row_bound}, batas luas {area_bound})",
    en="Booths placed: {placed} (per-row bound {row_bound}, area bound {area_bound})",
)
_KEPT = define(
    "cli.layout.kept",
    id="Dipertahankan (terkunci): {kept}; dihapus: {removed}",
    en="Kept (locked): {kept}; removed: {removed}",
)
_MARGIN = define(
    "cli.layout.safety_margin",
    id="Batas aman di luar setiap jarak aman: {margin:m} m",
    en="Safety margin beyond every clearance: {margin:m} m",
)
_REJECTED = define(
    "cli.layout.rejected",
    id="  posisi ditolak — {reason}: {n}",
    en="  positions rejected — {reason}: {n}",
)
_CONFLICTS = define(
    "cli.layout.conflicts", id="Konflik: {total}{dry_run}", en="Conflicts: {total}{dry_run}"
)
_DRY_RUN = define("cli.dry_run", id=" (uji saja, tidak disimpan)", en=" (dry run, not saved)")
_NO_CONFLICTS = define("cli.conflicts.none", id="Tidak ada konflik.", en="No conflicts.")
_HEADER = define(
    "cli.conflicts.header",
    id="{booth:<9} {severity:<9} {rule:<20} {distance:>7} {minimum:>5}  {message}",
    en="{booth:<9} {severity:<9} {rule:<20} {distance:>7} {minimum:>5}  {message}",
)
_HEADER_WORDS = {
    "id": {
        "booth": "lapak",
        "severity": "tingkat",
        "rule": "aturan",
        "distance": "jarak",
        "minimum": "min",
        "message": "pesan",
    },
    "en": {
        "booth": "booth",
        "severity": "severity",
        "rule": "rule",
        "distance": "distance",
        "minimum": "min",
        "message": "message",
    },
}
_CONFLICT_TOTAL = define(
    "cli.conflicts.total",
    id="{total} konflik pada {booths} lapak",
    en="{total} conflicts on {booths} booths",
)


@click.command("layout")
@click.argument("event_slug")
@click.option("--booth-width", "booth_width_m", type=float, default=3.0, show_default=True)
@click.option("--booth-depth", "booth_depth_m", type=float, default=3.0, show_default=True)
@click.option("--gap", "gap_m", type=float, default=0.0, show_default=True)
@click.option("--break-length", "break_m", type=float, default=3.0, show_default=True)
@click.option("--break-every", "break_every_m", type=float, default=60.0, show_default=True)
@click.option("--emergency-lane", "emergency_lane_m", type=float, default=4.3, show_default=True)
@click.option("--kerb-setback", "kerb_setback_m", type=float, default=0.0, show_default=True)
@click.option("--prefix", default="AY", show_default=True)
@click.option(
    "--safety-margin",
    "safety_margin_m",
    type=float,
    default=None,
    help="Batas aman (m) di luar setiap jarak aman dan tepi koridor/jalur; disimpan untuk acara "
    "ini. Bawaan: setelan acara (0,05).",
)
@click.option("--dry-run", is_flag=True, help="Hitung saja; tidak menyimpan.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@with_appcontext
@service_errors
def layout_command(event_slug: str, fmt: str, dry_run: bool, **params: object) -> None:
    """Generate and store the event's booths (unlocked ones replaced, locked ones kept)."""
    session = get_session()
    event = get_event(session, event_slug)
    with acting_as(None, "cli:layout"):
        outcome = generate_event_layout(
            session,
            event,
            LayoutParams(**params),  # type: ignore[arg-type]
            dry_run=dry_run,
        )
    if fmt == "json":
        click.echo(dump(outcome.to_dict(cli_language())))
        return
    r = outcome.report
    say(_PLACED(placed=r["placed"], row_bound=r["row_bound"], area_bound=r["area_bound"]))
    say(_KEPT(kept=outcome.kept_locked, removed=outcome.removed))
    say(_MARGIN(margin=r["safety_margin_m"]))
    for reason, n in sorted(r["rejected"].items()):
        say(_REJECTED(reason=reason, n=n))
    for note in outcome.reasons:
        click.echo(f"  {text(note)}")
    say(
        _CONFLICTS(
            total=outcome.conflicts.get("total", 0),
            dry_run=_DRY_RUN() if dry_run else NOTHING(),
        )
    )


@click.command("conflicts")
@click.argument("event_slug")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@with_appcontext
@service_errors
def conflicts_command(event_slug: str, fmt: str) -> None:
    """Print every conflict of the event's booths with facilities and zones."""
    session = get_session()
    event = get_event(session, event_slug)
    found = event_conflicts(session, event)
    if fmt == "json":
        click.echo(
            dump(
                {
                    "event": event.slug,
                    "summary": summary(found),
                    "conflicts": [c.to_dict() for c in found],
                }
            )
        )
        return
    if not found:
        say(_NO_CONFLICTS())
        return
    lang = cli_language()
    say(_HEADER(**_HEADER_WORDS[lang]))
    for c in found:
        dist = f"{c.distance_m:.2f}" if c.distance_m is not None else "-"
        req = f"{c.required_m:g}" if c.required_m is not None else "-"
        msg = text(c.message)
        click.echo(f"{c.booth_code:<9} {c.severity:<9} {c.rule:<20} {dist:>7} {req:>5}  {msg}")
    s = summary(found)
    say(_CONFLICT_TOTAL(total=s["total"], booths=s["booths"]))


gis_commands = (layout_command, conflicts_command)
