"""Vendor page links: print a vendor's signed link (for the vendor card or a QR code), and
issue a new access code (which ends the old code and every link issued before)."""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import with_appcontext

from app.cli.common import service_errors
from app.db import get_session
from app.models import Vendor
from app.services.audit import acting_as
from app.services.errors import NotFound
from app.services.params import INT4_MAX
from app.services.vendor_access import issue_new_code, vendor_link

_BASE_URL = click.option(
    "--base-url",
    default=lambda: os.environ.get("PETALAPAK_PUBLIC_URL", "http://127.0.0.1:5000"),
    show_default="PETALAPAK_PUBLIC_URL or http://127.0.0.1:5000",
    help="Alamat publik situs / the site's public address.",
)


def _vendor(vendor_id: int) -> Vendor:
    vendor = get_session().get(Vendor, vendor_id) if 0 < vendor_id < 2**31 else None
    if vendor is None:
        raise NotFound(f"Pedagang {vendor_id} tidak ditemukan.", f"Vendor {vendor_id} not found.")
    return vendor


@click.command("vendor-link")
@click.argument("vendor_id", type=click.IntRange(1, INT4_MAX))
@_BASE_URL
@with_appcontext
@service_errors
def vendor_link_command(vendor_id: int, base_url: str) -> None:
    """Print the signed "Cek Lapak Saya" link of vendor VENDOR_ID.

    The link opens the vendor page without typing the access code; it stays valid for
    VENDOR_LINK_MAX_AGE_DAYS days and ends when the vendor gets a new access code.
    """
    vendor = _vendor(vendor_id)
    if not vendor.active:
        click.echo(
            "Peringatan: pedagang ini nonaktif; tautan tidak akan berfungsi. / "
            "Warning: this vendor is inactive; the link will not work.",
            err=True,
        )
    click.echo(
        vendor_link(vendor, secret_key=str(current_app.config["SECRET_KEY"]), base_url=base_url)
    )


@click.command("vendor-new-code")
@click.argument("vendor_id", type=click.IntRange(1, INT4_MAX))
@_BASE_URL
@click.option("--yes", "-y", is_flag=True, help="Jangan tanya konfirmasi / do not ask.")
@with_appcontext
@service_errors
def vendor_new_code_command(vendor_id: int, base_url: str, yes: bool) -> None:
    """Give vendor VENDOR_ID a new access code and print it with the new signed link.

    The old code, and every link, QR code and vendor-page session issued before, stop working
    at once: print the vendor a new card (/planner/vendors/VENDOR_ID/card).
    """
    vendor = _vendor(vendor_id)
    if not yes:
        click.confirm(
            f"Kode akses baru untuk / new access code for {vendor.business_name} (#{vendor.id})? "
            "Kode dan tautan lama tidak berlaku lagi / the old code and links stop working.",
            abort=True,
        )
    with acting_as(None, "cli:vendor-new-code"):
        code = issue_new_code(get_session(), vendor)
    secret_key = str(current_app.config["SECRET_KEY"])
    click.echo(f"Kode akses baru / new access code: {code}")
    click.echo(f"Tautan / link: {vendor_link(vendor, secret_key=secret_key, base_url=base_url)}")
    card = f"{base_url.rstrip('/')}/planner/vendors/{vendor.id}/card"
    click.echo(f"Cetak kartu baru / print a new card: {card}")


lapak_commands = (vendor_link_command, vendor_new_code_command)
