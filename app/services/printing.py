"""Crew print-outs of an event: its stored layout, conflict states and vendors, as PDF.

Loads through :func:`app.services.context.load_event` and colours booths with the one conflict
engine (:func:`app.services.conflicts.event_conflicts`), then hands plain data to
:mod:`app.printing`. Texts (labels, formatted dates) come from the caller, already translated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import HOLDING_STATUSES, Assignment, Booth, Event, Vendor
from app.printing.booth_labels import BoothLabel, LabelTexts, render_booth_labels_pdf
from app.printing.model import PAPERS, LayoutData, PrintBooth, PrintFeature, PrintLabels, VendorRow
from app.printing.pdf import natural_key, plan_layout, render_layout_pdf, render_vendor_list_pdf
from app.services.conflicts import booth_states, event_conflicts
from app.services.context import load_event
from app.services.errors import ServiceError
from app.styles import booth_state

__all__ = ["booth_labels_pdf", "layout_data", "layout_pdf", "paper_size", "vendor_list_pdf"]


def paper_size(value: str | None) -> str:
    """The paper name from a request parameter: ``A3`` (default) or ``A4``."""
    name = (value or "A3").strip().upper()
    if name not in PAPERS:
        raise ServiceError(
            f"Ukuran kertas '{value}' tidak dikenal (A3 atau A4).",
            f"Unknown paper size '{value}' (A3 or A4).",
        )
    return name


def layout_data(session: Session, event: Event, *, when: str, printed: str) -> LayoutData:
    """The event's corridor, booths (with conflict state), facilities, zones and vendors."""
    ctx = load_event(session, event)
    if not ctx.booths:
        raise ServiceError(
            f"Acara '{event.slug}' belum punya tata letak lapak untuk dicetak.",
            f"Event '{event.slug}' has no booth layout to print yet.",
        )
    states = booth_states(event_conflicts(session, event))
    booths = [
        PrintBooth(
            code=b.code,
            geometry=b.geometry,
            kind=b.kind,
            state=booth_state({"state": states.get(b.code), "kind": b.kind}),
            label=ctx.booth_rows[b.code].label or "",
        )
        for b in ctx.booths
    ]
    held = session.execute(
        select(Assignment.booth_id, Assignment.status, Vendor)
        .join(Vendor, Vendor.id == Assignment.vendor_id)
        .where(Assignment.event_id == event.id, Assignment.status.in_(HOLDING_STATUSES))
    ).all()
    by_booth = {booth_id: (status, vendor) for booth_id, status, vendor in held}
    rows = []
    for b in ctx.booths:
        row = ctx.booth_rows[b.code]
        status, vendor = by_booth.get(row.id, (None, None))
        if vendor is not None:
            rows.append(
                VendorRow(
                    b.code,
                    b.kind,
                    vendor.business_name,
                    vendor.owner_name,
                    vendor.category,
                    vendor.phone or "",
                    status == "checked_in",
                )
            )
        else:
            desk = (row.label or "") if b.kind != "vendor" else ""
            rows.append(VendorRow(b.code, b.kind, desk))
    corridor_names = ", ".join(z.name for z in ctx.area_zones)
    return LayoutData(
        title=event.name,
        when=when,
        place=f"{ctx.city.name} · {corridor_names}" if corridor_names else ctx.city.name,
        printed=printed,
        corridor=ctx.area,
        booths=booths,
        facilities=[PrintFeature(f.kind, f.geometry, f.name) for f in ctx.facilities],
        zones=[PrintFeature(z.kind, z.geometry, z.name) for z in ctx.zones],
        vendors=rows,
        note=f"{ctx.city.name} · EPSG:{ctx.epsg}",
    )


def layout_pdf(
    session: Session,
    event: Event,
    *,
    labels: PrintLabels,
    when: str,
    printed: str,
    paper: str = "A3",
    include_list: bool = True,
) -> bytes:
    """Overview, map sheets and (``include_list``) the vendor check-in list."""
    data = layout_data(session, event, when=when, printed=printed)
    return render_layout_pdf(data, labels, paper=paper_size(paper), include_list=include_list)


def vendor_list_pdf(
    session: Session,
    event: Event,
    *,
    labels: PrintLabels,
    when: str,
    printed: str,
    paper: str = "A3",
) -> bytes:
    """The vendor check-in list only, with the segments of the map printed on ``paper``."""
    data = layout_data(session, event, when=when, printed=printed)
    size = paper_size(paper)
    return render_vendor_list_pdf(data, labels, paper=size, plan=plan_layout(data, size))


def booth_labels_pdf(
    session: Session,
    event: Event,
    *,
    url_of: Callable[[int], str],
    texts: LabelTexts,
    kind_captions: Mapping[str, str],
) -> bytes:
    """A card per booth of the event (code, QR code of ``url_of(booth id)``), in code order.

    Service desks carry their desk's name, other non-vendor booths their kind; vendor booths
    carry no name (labels are printed before the allocation settles, and hang in public).
    """
    booths = session.execute(
        select(Booth.id, Booth.code, Booth.kind, Booth.label, Booth.service).where(
            Booth.event_id == event.id
        )
    ).all()
    labels = [
        BoothLabel(
            code,
            url_of(ident),
            "" if kind == "vendor" else (label or service or kind_captions.get(kind, "")),
        )
        for ident, code, kind, label, service in sorted(booths, key=lambda b: natural_key(b[1]))
    ]
    return render_booth_labels_pdf(labels, texts)
