"""Vendor page links: print a vendor's signed link (for the vendor card or a QR code)."""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import with_appcontext

from app.cli.common import service_errors
from app.db import get_session
from app.models import Vendor
from app.services.errors import NotFound
from app.services.vendor_access import vendor_link


@click.command("vendor-link")
@click.argument("vendor_id", type=int)
@click.option(
    "--base-url",
    default=lambda: os.environ.get("PETALAPAK_PUBLIC_URL", "http://127.0.0.1:5000"),
    show_default="PETALAPAK_PUBLIC_URL or http://127.0.0.1:5000",
    help="Alamat publik situs / the site's public address.",
)
@with_appcontext
@service_errors
def vendor_link_command(vendor_id: int, base_url: str) -> None:
    """Print the signed "Cek Lapak Saya" link of vendor VENDOR_ID.

    The link opens the vendor page without typing the access code; it stays valid for
    VENDOR_LINK_MAX_AGE_DAYS days and ends when the vendor gets a new access code.
    """
    vendor = get_session().get(Vendor, vendor_id)
    if vendor is None:
        raise NotFound(f"Pedagang {vendor_id} tidak ditemukan.", f"Vendor {vendor_id} not found.")
    if not vendor.active:
        click.echo(
            "Peringatan: pedagang ini nonaktif; tautan tidak akan berfungsi. / "
            "Warning: this vendor is inactive; the link will not work.",
            err=True,
        )
    click.echo(
        vendor_link(vendor, secret_key=str(current_app.config["SECRET_KEY"]), base_url=base_url)
    )


lapak_commands = (vendor_link_command,)
