"""Crew print-outs of an event: its stored layout, conflict states and vendors, as PDF.

Loads the event once (:func:`app.services.context.load_event`) and colours its booths with the one
conflict engine run over that same context, then hands plain data to :mod:`app.printing`. Texts
(labels, formatted dates) come from the caller, already translated.

By default the check-in list and the labels carry the placed vendors only (booths held by an
assignment); ``everyone`` gives every booth, service desks and empty booths included.

Finished PDFs are cached (:func:`cached_pdf`) under the city's change counter read before the
data: the layout and the check-in list under ``version`` (vendors' names, phones and check-ins
show on them), the labels under ``layout_version`` (a check-in does not change a label).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cache import Cache, cache_key
from app.messages import render
from app.models import HOLDING_STATUSES, Assignment, Booth, DataVersion, Event, Vendor
from app.printing.booth_labels import BoothLabel, LabelTexts, render_booth_labels_pdf
from app.printing.model import PAPERS, LayoutData, PrintBooth, PrintFeature, PrintLabels, VendorRow
from app.printing.pdf import render_layout_pdf, render_vendor_list_pdf
from app.printing.plan import plan_layout
from app.printing.typeset import natural_key
from app.services.basemap import basemap_for_print
from app.services.conflicts import booth_states, checker_for
from app.services.context import load_event
from app.services.errors import ServiceError
from app.services.places import event_places
from app.styles import booth_state

__all__ = [
    "PrintOrder",
    "Progress",
    "booth_labels_pdf",
    "cached_pdf",
    "layout_data",
    "layout_pdf",
    "paper_size",
    "print_key",
    "render_order",
    "vendor_list_pdf",
]

#: ``progress(pages done, pages in all)``; ``(0, 0)`` while the data is being read.
Progress = Callable[[int, int], None]


def paper_size(value: str | None) -> str:
    """The paper name from a request parameter: ``A3`` (default) or ``A4``."""
    name = (value or "A3").strip().upper()
    if name not in PAPERS:
        raise ServiceError(
            f"Ukuran kertas '{value}' tidak dikenal (A3 atau A4).",
            f"Unknown paper size '{value}' (A3 or A4).",
        )
    return name


def layout_data(
    session: Session,
    event: Event,
    *,
    when: str,
    printed: str,
    everyone: bool = False,
    lang: str = "id",
) -> LayoutData:
    """The event's corridor, booths (with conflict state), facilities, zones and vendors.

    The event is loaded once; the conflict check runs over that same context. The vendor rows
    are the placed vendors, or with ``everyone`` every booth, each with its booth's place in
    words (:mod:`app.services.places`) in ``lang``.
    """
    ctx = load_event(session, event)
    if not ctx.booths:
        raise ServiceError(
            f"Acara '{event.slug}' belum punya tata letak lapak untuk dicetak.",
            f"Event '{event.slug}' has no booth layout to print yet.",
        )
    states = booth_states(checker_for(ctx).check_all())
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
    listed = [
        ctx.booth_rows[b.code].id
        for b in ctx.booths
        if everyone or ctx.booth_rows[b.code].id in by_booth
    ]
    places = {k: render(m, lang) for k, m in event_places(session, event, listed).items()}
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
                    places.get(row.id, ""),
                )
            )
        elif everyone:
            desk = (row.label or "") if b.kind != "vendor" else ""
            rows.append(VendorRow(b.code, b.kind, desk, place=places.get(row.id, "")))
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
        basemap=basemap_for_print(session, ctx.city.id, ctx.area, ctx.epsg, lang=lang),
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
    names: bool = False,
    everyone: bool = False,
    lang: str = "id",
    progress: Progress | None = None,
) -> bytes:
    """Overview, map sheets and (``include_list``) the vendor check-in list.

    ``names`` prints each booth's stall name (or category) under its code, at 1:500.
    """
    if progress is not None:
        progress(0, 0)
    data = layout_data(session, event, when=when, printed=printed, everyone=everyone, lang=lang)
    return render_layout_pdf(
        data,
        labels,
        paper=paper_size(paper),
        include_list=include_list,
        names=names,
        progress=progress,
    )


def vendor_list_pdf(
    session: Session,
    event: Event,
    *,
    labels: PrintLabels,
    when: str,
    printed: str,
    paper: str = "A3",
    everyone: bool = False,
    lang: str = "id",
    progress: Progress | None = None,
) -> bytes:
    """The vendor check-in list only, with the segments of the map printed on ``paper``."""
    if progress is not None:
        progress(0, 0)
    data = layout_data(session, event, when=when, printed=printed, everyone=everyone, lang=lang)
    size = paper_size(paper)
    return render_vendor_list_pdf(
        data, labels, paper=size, plan=plan_layout(data, size), progress=progress
    )


def booth_labels_pdf(
    session: Session,
    event: Event,
    *,
    url_of: Callable[[int], str],
    texts: LabelTexts,
    kind_captions: Mapping[str, str],
    everyone: bool = False,
    progress: Progress | None = None,
) -> bytes:
    """A card per placed vendor's booth (``everyone``: per booth), code and QR code of
    ``url_of(booth id)``, in code order.

    Service desks carry their desk's name, other non-vendor booths their kind; vendor booths
    carry no name (labels hang in public).
    """
    if progress is not None:
        progress(0, 0)
    query = select(Booth.id, Booth.code, Booth.kind, Booth.label, Booth.service).where(
        Booth.event_id == event.id
    )
    if not everyone:
        held = select(Assignment.booth_id).where(
            Assignment.event_id == event.id, Assignment.status.in_(HOLDING_STATUSES)
        )
        query = query.where(Booth.id.in_(held))
    booths = session.execute(query).all()
    labels = [
        BoothLabel(
            code,
            url_of(ident),
            "" if kind == "vendor" else (label or service or kind_captions.get(kind, "")),
        )
        for ident, code, kind, label, service in sorted(booths, key=lambda b: natural_key(b[1]))
    ]
    return render_booth_labels_pdf(labels, texts, progress=progress)


def cached_pdf(
    session: Session,
    event: Event,
    *,
    cache: Cache | None,
    ttl: int,
    parts: Sequence[str],
    build: Callable[[], bytes],
    layout_only: bool = False,
) -> tuple[bytes, bool]:
    """The PDF ``build`` makes, from the cache when the city has not changed since.

    ``parts`` are whatever else makes the document differ (which print-out, paper, options,
    language, the address the QR codes open). The counter is read before the data, so a cached
    PDF is never older than its key. Returns the bytes and whether they came from the cache.
    """
    if cache is None:
        return build(), False
    key = print_key(session, event, parts, layout_only=layout_only)
    hit = cache.get(key)
    if hit is not None:
        return hit, True
    body = build()
    cache.set(key, body, ttl)
    return body, False


def print_key(
    session: Session, event: Event, parts: Sequence[str], *, layout_only: bool = False
) -> str:
    """The cache key of a print-out: the event, ``parts`` and the city's change counter now.

    Read before the data, so that what is stored under it is never older than the key.
    """
    column = DataVersion.layout_version if layout_only else DataVersion.version
    version = session.scalar(select(column).where(DataVersion.city_id == event.city_id)) or 0
    return cache_key("print", str(event.id), "L" if layout_only else "A", str(version), *parts)


def variant_key(event: Event, parts: Sequence[str], *, layout_only: bool = False) -> str:
    """:func:`print_key` without the counter: the same print-out at any state of the data."""
    return cache_key("print", str(event.id), "L" if layout_only else "A", *parts)


@dataclass(frozen=True)
class PrintOrder:
    """One print-out as a person asked for it: which document, its options, and every text it
    shows, already translated (it can be rendered outside the request, in the background).

    ``document`` is ``layout`` (overview, map sheets, check-in list), ``vendors`` (the list
    alone) or ``labels`` (a card with a QR code per booth, whose address ``url_of`` gives).
    """

    document: str
    paper: str = "A3"
    names: bool = False
    everyone: bool = False
    lang: str = "id"
    when: str = ""
    printed: str = ""
    labels: PrintLabels | None = None
    texts: LabelTexts | None = None
    url_of: Callable[[int], str] | None = None
    url_root: str = ""
    kind_captions: Mapping[str, str] = field(default_factory=dict)

    @property
    def parts(self) -> list[str]:
        """What makes this print-out differ from another of the same event and data."""
        if self.document == "layout":
            return ["layout", self.paper, str(self.names), str(self.everyone), self.lang]
        if self.document == "vendors":
            return ["vendors", self.paper, str(self.everyone), self.lang]
        return ["labels", str(self.everyone), self.url_root, self.lang]

    @property
    def layout_only(self) -> bool:
        """Labels show no vendor, so a check-in does not change them (``layout_version``)."""
        return self.document == "labels"

    def filename(self, slug: str) -> str:
        """The PDF's file name."""
        if self.document == "layout":
            return f"{slug}-tata-letak-{self.paper}{'-nama' if self.names else ''}.pdf"
        if self.document == "vendors":
            return f"{slug}-pedagang-{self.paper}.pdf"
        return f"{slug}-label-lapak{'-semua' if self.everyone else ''}.pdf"


def render_order(
    session: Session, event: Event, order: PrintOrder, progress: Progress | None = None
) -> bytes:
    """The PDF of ``order``, reporting its pages to ``progress`` as they are drawn."""
    if order.document == "labels":
        if order.texts is None or order.url_of is None:
            raise ValueError("a labels order needs its texts and url_of")
        return booth_labels_pdf(
            session,
            event,
            url_of=order.url_of,
            texts=order.texts,
            kind_captions=order.kind_captions,
            everyone=order.everyone,
            progress=progress,
        )
    if order.labels is None:
        raise ValueError(f"a {order.document} order needs its labels")
    if order.document == "vendors":
        return vendor_list_pdf(
            session,
            event,
            labels=order.labels,
            when=order.when,
            printed=order.printed,
            paper=order.paper,
            everyone=order.everyone,
            lang=order.lang,
            progress=progress,
        )
    return layout_pdf(
        session,
        event,
        labels=order.labels,
        when=order.when,
        printed=order.printed,
        paper=order.paper,
        names=order.names,
        everyone=order.everyone,
        lang=order.lang,
        progress=progress,
    )
