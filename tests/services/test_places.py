"""A booth's place in words from stored data: the same line on the vendor page, the crew's
check-in list and the vendor list PDF."""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from geoalchemy2.shape import from_shape
from pypdf import PdfReader
from shapely import LineString, Point, box
from shapely.affinity import rotate
from sqlalchemy.orm import Session

from app.gis.crs import to_wgs84
from app.messages import render
from app.models import BasemapRoad, Landmark
from app.services import lapak, printing
from app.services.places import event_places
from app.views.print_labels import event_when, print_labels, printed_now
from tests.conftest import TODAY, AuthActions

EPSG = 32749
#: A road running north-west from (X0, Y0), like Jl. Ahmad Yani from Digulis.
X0, Y0 = 316000.0, 9993800.0
NOW = datetime(2026, 11, 28, 10, 0)
EXPECTED_ID = "Sisi timur laut Jl. Ahmad Yani, 40 m dari simpang Jl. Sutoyo ke arah barat laut"
EXPECTED_EN = "On the north-east side of Jl. Ahmad Yani, 40 m north-west of the Jl. Sutoyo junction"


def _at(along: float, across: float) -> tuple[float, float]:
    """Metres along the road (north-west) and across it (north-east positive)."""
    u = (-math.sqrt(0.5), math.sqrt(0.5))
    n = (math.sqrt(0.5), math.sqrt(0.5))
    return X0 + along * u[0] + across * n[0], Y0 + along * u[1] + across * n[1]


def _wgs(geom: Any) -> Any:
    return from_shape(to_wgs84(geom, EPSG), 4326)


@pytest.fixture
def scene(
    db: Session,
    make_city: Callable[..., Any],
    make_zone: Callable[..., Any],
    make_event: Callable[..., Any],
    make_booth: Callable[..., Any],
    make_facility: Callable[..., Any],
    make_assignment: Callable[..., Any],
) -> dict[str, Any]:
    city = make_city(metric_epsg=EPSG)
    axis = LineString([_at(0, 0), _at(300, 0)])
    corridor = make_zone(
        city=city,
        kind="cfd_corridor",
        name="CFD Uji",
        geom=_wgs(axis.buffer(5, cap_style="flat")),
    )
    event = make_event(city=city, corridors=[corridor], status="published")
    db.add_all(
        [
            BasemapRoad(
                city_id=city.id,
                name="Jl. Ahmad Yani",
                road_class="primary",
                geom=_wgs(LineString([_at(-20, 1), _at(320, 1)])),
            ),
            BasemapRoad(
                city_id=city.id,
                name="Jl. Sutoyo",
                road_class="secondary",
                geom=_wgs(LineString([_at(100, -80), _at(100, 80)])),
            ),
            Landmark(
                city_id=city.id,
                name="Bank Kalbar",
                kind="bank",
                source="drawn",
                geom=_wgs(Point(_at(142, 20))),
            ),
        ]
    )
    make_facility(
        city=city, kind="intersection", name="Simpang Pajak", geom=_wgs(Point(_at(280, 0)))
    )
    cx, cy = _at(140, 3)
    square = rotate(box(cx - 1.5, cy - 1.5, cx + 1.5, cy + 1.5), 45, origin="centroid")
    booth = make_booth(event=event, code="AY-140", geom=_wgs(square))
    fx, fy = _at(270, -3)
    far = make_booth(
        event=event, code="AY-270", geom=_wgs(box(fx - 1.5, fy - 1.5, fx + 1.5, fy + 1.5))
    )
    assignment = make_assignment(booth=booth, event=event)
    db.flush()
    return {"event": event, "booth": booth, "far": far, "assignment": assignment, "city": city}


def test_event_places_say_side_junction_and_landmark(db: Session, scene: dict[str, Any]) -> None:
    places = event_places(db, scene["event"])
    line = places[scene["booth"].id]
    assert render(line, "id") == f"{EXPECTED_ID}, depan Bank Kalbar"
    assert render(line, "en") == f"{EXPECTED_EN}, in front of Bank Kalbar"
    # the other side, by a named junction, the bank farther along the road
    far = places[scene["far"].id]
    assert render(far, "id") == (
        "Sisi barat daya Jl. Ahmad Yani, 10 m dari Simpang Pajak ke arah tenggara, "
        "dekat Bank Kalbar (± 130 m)"
    )


def test_only_the_asked_booths(db: Session, scene: dict[str, Any]) -> None:
    assert set(event_places(db, scene["event"], [scene["far"].id])) == {scene["far"].id}


def test_without_basemap_the_corridor_names_the_road(
    db: Session,
    make_city: Callable[..., Any],
    make_zone: Callable[..., Any],
    make_event: Callable[..., Any],
    make_booth: Callable[..., Any],
) -> None:
    city = make_city(metric_epsg=EPSG)
    axis = LineString([_at(0, 0), _at(300, 0)])
    corridor = make_zone(
        city=city, kind="cfd_corridor", name="CFD Uji", geom=_wgs(axis.buffer(5, cap_style="flat"))
    )
    event = make_event(city=city, corridors=[corridor])
    cx, cy = _at(100, -3)
    booth = make_booth(event=event, geom=_wgs(box(cx - 1.5, cy - 1.5, cx + 1.5, cy + 1.5)))
    assert render(event_places(db, event)[booth.id], "id") == "Sisi barat daya CFD Uji"


def test_the_vendor_page_says_the_same_line(db: Session, scene: dict[str, Any]) -> None:
    vendor = scene["assignment"].vendor
    view = lapak.vendor_view(db, vendor, today=TODAY)
    (booking,) = view.bookings
    expected = event_places(db, scene["event"])[scene["booth"].id]
    assert booking.place_id == render(expected, "id")
    assert booking.place_en == render(expected, "en")
    answer = booking.to_dict()
    assert answer["place"] == {"id": booking.place_id, "en": booking.place_en}
    nav = answer["navigate"]
    assert nav["geo"].startswith("geo:")
    assert nav["google_maps"].startswith("https://www.google.com/maps/dir/?api=1&destination=")
    assert nav["osm_directions"].startswith("https://www.openstreetmap.org/directions?")


def test_the_check_in_page_and_the_vendor_pdf_say_the_same_line(
    app: Flask, client: FlaskClient, auth: AuthActions, db: Session, scene: dict[str, Any]
) -> None:
    event = scene["event"]
    app.config["FIXED_NOW"] = datetime(event.date.year, event.date.month, event.date.day, 6, 10)
    auth.login("crew")
    page = client.get(f"/crew/events/{event.slug}/checkin")
    assert page.status_code == 200
    assert f"{EXPECTED_ID}, depan Bank Kalbar" in page.get_data(as_text=True)
    english = client.get(f"/crew/events/{event.slug}/checkin?lang=en")
    assert f"{EXPECTED_EN}, in front of Bank Kalbar" in english.get_data(as_text=True)
    with app.test_request_context("/"):
        pdf = printing.vendor_list_pdf(
            db, event, labels=print_labels(), when=event_when(event), printed=printed_now()
        )
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "40 m dari simpang Jl. Sutoyo" in " ".join(text.split())
