"""Layout and conflict commands for an event."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.cli.common import service_errors
from app.db import get_session
from app.services.audit import acting_as
from app.services.conflicts import event_conflicts, summary
from app.services.demo import dump
from app.services.events import get_event
from app.services.layout import LayoutParams, generate_event_layout


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
        click.echo(dump(outcome.to_dict()))
        return
    r = outcome.report
    click.echo(
        f"Lapak ditempatkan / booths placed: {r['placed']} "
        f"(batas per baris / per-row bound {r['row_bound']}, batas luas / area bound "
        f"{r['area_bound']})"
    )
    click.echo(
        f"Dipertahankan (terkunci) / kept locked: {outcome.kept_locked}; "
        f"dihapus / removed: {outcome.removed}"
    )
    for reason, n in sorted(r["rejected"].items()):
        click.echo(f"  posisi ditolak / rejected — {reason}: {n}")
    for text in r["reasons"]:
        click.echo(f"  {text}")
    click.echo(
        f"Konflik / conflicts: {outcome.conflicts.get('total', 0)}"
        + (" (uji saja, tidak disimpan / dry run)" if dry_run else "")
    )


@click.command("conflicts")
@click.argument("event_slug")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@with_appcontext
@service_errors
def conflicts_command(event_slug: str, fmt: str, lang: str) -> None:
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
        click.echo("Tidak ada konflik. / No conflicts.")
        return
    click.echo(f"{'lapak':<9} {'tingkat':<9} {'aturan':<20} {'jarak':>7} {'min':>5}  pesan")
    for c in found:
        dist = f"{c.distance_m:.2f}" if c.distance_m is not None else "-"
        req = f"{c.required_m:g}" if c.required_m is not None else "-"
        msg = c.message_en if lang == "en" else c.message_id
        click.echo(f"{c.booth_code:<9} {c.severity:<9} {c.rule:<20} {dist:>7} {req:>5}  {msg}")
    s = summary(found)
    click.echo(f"{s['total']} konflik pada {s['booths']} lapak / conflicts on booths")


gis_commands = (layout_command, conflicts_command)
