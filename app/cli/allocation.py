"""Allocation command: who gets which booth, with a reason for everyone."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from app.cli.common import say, service_errors, text
from app.db import get_session
from app.messages import NOTHING, define
from app.services.allocation import allocation_settings, run_allocation
from app.services.audit import acting_as
from app.services.demo import dump
from app.services.events import get_event

_ALLOCATED = define(
    "cli.allocate.summary",
    id="{placed} ditempatkan, {unplaced} tidak; daftar tunggu {waitlist}; seed {seed}{dry_run}",
    en="{placed} placed, {unplaced} not; waitlist {waitlist}; seed {seed}{dry_run}",
)
_DRY_RUN = define("cli.dry_run", id=" (uji saja, tidak disimpan)", en=" (dry run, not saved)")


@click.command("allocate")
@click.argument("event_slug")
@click.option("--seed", type=int, required=True, help="Seed undian yang diumumkan.")
@click.option(
    "--cap", "caps", multiple=True, help="Batas kategori, mis. makanan=45 atau B:makanan=10."
)
@click.option(
    "--neighbour-weight",
    type=float,
    default=1.0,
    show_default=True,
    help="Positif: hindari tetangga sekategori; negatif: kelompokkan (pujasera).",
)
@click.option("--dry-run", is_flag=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@with_appcontext
@service_errors
def allocate_command(
    event_slug: str,
    seed: int,
    caps: tuple[str, ...],
    neighbour_weight: float,
    dry_run: bool,
    fmt: str,
) -> None:
    """Assign active vendors to the event's booths (pins kept) and explain every decision."""
    session = get_session()
    event = get_event(session, event_slug)
    settings = allocation_settings(seed=seed, neighbour_weight=neighbour_weight, caps=caps)
    with (
        click.progressbar(length=1, label="Alokasi / allocating", file=sys.stderr) as bar,
        acting_as(None, "cli:allocate"),
    ):
        outcome = run_allocation(session, event, settings, dry_run=dry_run)
        bar.update(1)
    if fmt == "json":
        click.echo(dump(outcome.to_dict()))
        return
    for p in outcome.result.placements:
        name = outcome.vendors[p.vendor_id].business_name
        click.echo(f"{p.booth_code:<9} {p.phase:<10} {name[:34]:<34} {text(p.explanation)}")
    for u in outcome.result.unplaced:
        name = outcome.vendors[u.vendor_id].business_name
        click.echo(f"{'-':<9} {u.reason_code:<10} {name[:34]:<34} {text(u.explanation)}")
    result = outcome.result
    say(
        _ALLOCATED(
            placed=len(result.placements),
            unplaced=len(result.unplaced),
            waitlist=len(result.waitlist),
            seed=seed,
            dry_run=_DRY_RUN() if dry_run else NOTHING(),
        )
    )


allocation_commands = (allocate_command,)
