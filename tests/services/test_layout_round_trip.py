"""A generated layout survives its own export: written in every format and imported into a twin
event on the same corridor, it has no conflicts (the generator keeps a safety margin at every
clearance and zone edge, and exports carry enough decimals)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import City, Event
from app.services.conflicts import event_conflicts
from app.services.events import create_event
from app.services.export import EXPORT_FORMATS, export_layer
from app.services.layer_files import read_layer_file
from app.services.layers import import_layer

UPCOMING = "cfd-2026-12-06"


@pytest.fixture(scope="module")
def exported(engine, tmp_path_factory) -> dict[str, tuple[Path, int]]:  # type: ignore[no-untyped-def]
    """The demo's generated layout (as seeded) written once in every export format."""
    out = tmp_path_factory.mktemp("layout-export")
    files: dict[str, tuple[Path, int]] = {}
    with Session(engine) as session:
        city = session.scalars(select(City).where(City.slug == "pontianak")).one()
        event = session.scalars(select(Event).where(Event.slug == UPCOMING)).one()
        assert event_conflicts(session, event) == []
        count = len(event.booths)
        for fmt, (suffix, _mime) in EXPORT_FORMATS.items():
            result = export_layer(session, city=city, layer="booths", fmt=fmt, event=event)
            path = out / f"booths{suffix}"
            path.write_bytes(result.data)
            files[fmt] = (path, count)
    return files


@pytest.mark.parametrize("fmt", sorted(EXPORT_FORMATS))
def test_exported_layout_read_back_has_no_conflicts(
    db: Session, exported: dict[str, tuple[Path, int]], fmt: str
) -> None:
    path, count = exported[fmt]
    city = db.scalars(select(City).where(City.slug == "pontianak")).one()
    original = db.scalars(select(Event).where(Event.slug == UPCOMING)).one()
    twin = create_event(
        db,
        city=city,
        slug=f"cfd-kembar-{fmt}",
        name=f"CFD kembar ({fmt})",
        on=date(2026, 12, 13),
        corridor_names=[z.name for z in original.corridors],
    )
    source = read_layer_file(path, layer_hint="booths")
    report = import_layer(db, city=city, layer="booths", features=source.features, event=twin)
    assert report.written, [p.to_dict() for p in report.problems[:5]]
    assert report.created == count
    conflicts = event_conflicts(db, twin)
    assert conflicts == [], sorted({(c.rule, c.other_kind) for c in conflicts})
