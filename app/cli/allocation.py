"""Allocation command: who gets which booth, with a reason for everyone."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from app.allocation import Weights
from app.cli.common import service_errors
from app.db import get_session
from app.services.allocation import AllocationSettings, run_allocation
from app.services.audit import acting_as
from app.services.demo import dump
from app.services.events import get_event


def parse_caps(raw: tuple[str, ...]) -> dict[tuple[str | None, str], int]:
    """``makanan=45`` (whole event) or ``B:makanan=10`` (block B) → caps mapping."""
    caps: dict[tuple[str | None, str], int] = {}
    for item in raw:
        try:
            key, value = item.split("=")
            section, _, category = key.rpartition(":")
            caps[(section or None, category)] = int(value)
        except ValueError as exc:
            raise click.BadParameter(f"'{item}': pakai KATEGORI=N atau BLOK:KATEGORI=N") from exc
    return caps


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
    settings = AllocationSettings(
        seed=seed, caps=parse_caps(caps), weights=Weights(neighbour_same_category=neighbour_weight)
    )
    with (
        click.progressbar(length=1, label="Alokasi / allocating", file=sys.stderr) as bar,
        acting_as(None, "cli:allocate"),
    ):
        outcome = run_allocation(session, event, settings, dry_run=dry_run)
        bar.update(1)
    if fmt == "json":
        click.echo(dump(outcome.to_dict()))
        return
    data = outcome.to_dict()
    for p in data["placements"]:
        click.echo(
            f"{p['booth_code']:<9} {p['phase']:<10} {p['business_name'][:34]:<34} "
            f"{p['explanation_id']}"
        )
    for u in data["unplaced"]:
        click.echo(
            f"{'-':<9} {u['reason_code']:<10} {u['business_name'][:34]:<34} {u['explanation_id']}"
        )
    click.echo(
        f"{len(data['placements'])} ditempatkan, {len(data['unplaced'])} tidak; "
        f"daftar tunggu {len(data['waitlist'])}; seed {seed}"
        + (" (uji saja, tidak disimpan)" if dry_run else "")
    )


allocation_commands = (allocate_command,)
