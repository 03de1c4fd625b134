"""Pontianak's illustrative demo data, loaded through the same services a city uses."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.clock import tanggal
from app.models import (
    Booth,
    City,
    Event,
    Facility,
    HistoryStep,
    StandingAttendance,
    Vendor,
    Zone,
)
from app.services.allocation import AllocationSettings, latest_run, run_allocation
from app.services.basemap import basemap_source, import_basemap, read_basemap_file
from app.services.cities import create_city
from app.services.events import create_event
from app.services.layers import import_layer, read_features
from app.services.layout import DeskRequest, LayoutParams, generate_event_layout
from app.services.vendors import import_vendors, read_rows

DATA = Path(__file__).resolve().parent.parent.parent / "data" / "geo"
CORRIDOR = "CFD Jl. Ahmad Yani"
PONTIANAK_EXTENT = (109.25, -0.12, 109.42, 0.06)
MIKRODOTS_DAY = date(2025, 11, 23)


def next_sunday(today: date) -> date:
    """The coming Sunday (a week ahead when today is Sunday: today's CFD is already running)."""
    return today + timedelta(days=(6 - today.weekday()) or 7)


#: Shown beside the demo basemap on every map (it is drawn, not OpenStreetMap data).
DEMO_BASEMAP_ATTRIBUTION = "PetaLapak"


def seed_demo(  # type: ignore[no-untyped-def]
    session: Session, *, today: date, now: datetime | None = None, log=print
) -> dict[str, int]:
    """Load the demo city step by step; each step is skipped when its data is already there.

    Loading the demo is no planner's step: the undo steps its imports, layouts and allocations
    pushed are dropped at the end (steps made before it are kept).
    """
    last_step = session.scalar(select(func.max(HistoryStep.id)))
    city = create_city(
        session, name="Pontianak", slug="pontianak", metric_epsg=32749, extent=PONTIANAK_EXTENT
    )
    session.commit()
    counts: dict[str, int] = {}
    for layer, filename, model in (
        ("zones", "zones.geojson", Zone),
        ("facilities", "facilities.geojson", Facility),
    ):
        have = session.scalar(
            select(func.count()).select_from(model).where(model.city_id == city.id)
        )
        if have:
            log(f"{layer}: {have} sudah ada, dilewati")
            counts[layer] = 0
            continue
        report = import_layer(
            session, city=city, layer=layer, features=read_features(DATA / filename)
        )
        if not report.written:
            raise RuntimeError(f"demo {layer} refused: {report.to_dict()['problems'][:3]}")
        counts[layer] = report.created
        log(f"{layer}: {report.created} dimuat")
    demo_basemap = read_basemap_file(DATA / "basemap.geojson")
    have_basemap = basemap_source(session, city.id)
    if have_basemap is None or (
        # the demo's own basemap from an older data/geo/basemap.geojson: loaded again
        have_basemap.illustrative
        and have_basemap.source == demo_basemap.source
        and have_basemap.landmarks != len(demo_basemap.landmarks)
    ):
        summary = import_basemap(
            session,
            city=city,
            data=demo_basemap,
            now=now or datetime.combine(today, time(0)),
            illustrative=True,
            attribution=DEMO_BASEMAP_ATTRIBUTION,
        )
        counts["basemap"] = summary.roads + summary.water + summary.buildings + summary.landmarks
        log(
            f"peta dasar (ilustrasi): {summary.roads} jalan, {summary.water} perairan, "
            f"{summary.buildings} bangunan, {summary.landmarks} tengara dimuat"
        )
    else:
        log("peta dasar: sudah ada, dilewati")
        counts["basemap"] = 0
    have_vendors = session.scalar(
        select(func.count()).select_from(Vendor).where(Vendor.city_id == city.id)
    )
    if have_vendors:
        log(f"pedagang: {have_vendors} sudah ada, dilewati")
        counts["vendors"] = 0
    else:
        vendor_report = import_vendors(
            session, city=city, rows=read_rows(DATA / "vendors.csv"), today=today
        )
        if not vendor_report.written:
            raise RuntimeError(f"demo vendors refused: {vendor_report.errors[:3]}")
        counts["vendors"] = vendor_report.created
        log(f"pedagang: {vendor_report.created} dimuat")
    counts["standing"] = _seed_standing(session, city)
    events = [
        create_event(
            session,
            city=city,
            slug="cfd-mikrodots-2025-11-23",
            name="CFD MikroDOTS Jl. Ahmad Yani — 23 November 2025",
            on=MIKRODOTS_DAY,
            start=time(6),
            end=time(9),
            corridor_names=[CORRIDOR],
            status="closed",
        ),
    ]
    upcoming = session.scalar(
        select(Event)
        .where(Event.city_id == city.id, Event.date > MIKRODOTS_DAY, Event.date >= today)
        .limit(1)
    )
    if upcoming is None:
        sunday = next_sunday(today)
        upcoming = create_event(
            session,
            city=city,
            slug=f"cfd-{sunday.isoformat()}",
            name=f"CFD Jl. Ahmad Yani — {tanggal(sunday)}",
            on=sunday,
            start=time(6),
            end=time(9),
            corridor_names=[CORRIDOR],
            status="published",
        )
    events.append(upcoming)
    for event in events:
        counts[f"booths:{event.slug}"] = _seed_layout(session, event)
        counts[f"assignments:{event.slug}"] = _seed_allocation(session, event)
        log(
            f"{event.slug}: {counts[f'booths:{event.slug}']} lapak, "
            f"{counts[f'assignments:{event.slug}']} pedagang ditempatkan"
        )
    session.execute(delete(HistoryStep).where(HistoryStep.id > (last_step or 0)))
    session.commit()
    return counts


def _seed_standing(session: Session, city: City) -> int:
    """The demo's vendors are regulars: standing attendance every CFD Sunday (weekday 6).

    Allocation takes only vendors who will attend (:mod:`app.services.attendance_plan`); skipped
    when any vendor of the city already has standing attendance.
    """
    vendor_ids = select(Vendor.id).where(Vendor.city_id == city.id)
    if session.scalar(
        select(func.count())
        .select_from(StandingAttendance)
        .where(StandingAttendance.vendor_id.in_(vendor_ids))
    ):
        return 0
    ids = session.scalars(vendor_ids.where(Vendor.active.is_(True)).order_by(Vendor.id)).all()
    session.add_all(StandingAttendance(vendor_id=i, weekday=6) for i in ids)
    session.commit()
    return len(ids)


def _seed_layout(session: Session, event: Event) -> int:
    """A generated layout with the MikroDOTS desks reserved near their points.

    The desks go through the same generator as vendor booths, so they too keep every
    clearance; a closed event is opened for the moment it takes to lay it out.
    """
    have = session.scalar(select(func.count()).select_from(Booth).where(Booth.event_id == event.id))
    if have:
        return 0
    desks = [
        DeskRequest(
            service=f["properties"]["service"],
            label=f["properties"]["name"],
            lon=f["geometry"]["coordinates"][0],
            lat=f["geometry"]["coordinates"][1],
        )
        for f in read_features(DATA / "service_desks.geojson")
    ]
    status = event.status
    event.status = "draft"
    outcome = generate_event_layout(session, event, LayoutParams(), desks)
    if status != "draft":
        event.status = status
        session.commit()
    return outcome.created


def _seed_allocation(session: Session, event: Event) -> int:
    """Allocate the demo vendors with a published seed (the event's date as a number)."""
    if latest_run(session, event) is not None:
        return 0
    if (
        session.scalar(
            select(func.count()).select_from(Vendor).where(Vendor.city_id == event.city_id)
        )
        == 0
    ):
        return 0
    status = event.status
    event.status = "draft"
    # At most 45 food vendors, as Pontianak caps them at Alun Kapuas (geo-facts).
    settings = AllocationSettings(
        seed=int(event.date.strftime("%Y%m%d")), caps={(None, "makanan"): 45}
    )
    outcome = run_allocation(session, event, settings)
    if status != "draft":
        event.status = status
        session.commit()
    return len(outcome.result.placements)


def demo_summary(session: Session) -> str:
    """One line for the terminal: what the demo database holds."""
    n = {
        m.__name__: session.scalar(select(func.count()).select_from(m))
        for m in (City, Zone, Facility, Event, Booth, Vendor)
    }
    return ", ".join(f"{k}={v}" for k, v in n.items())


def dump(obj: object) -> str:
    """JSON for CLI output."""
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str)
