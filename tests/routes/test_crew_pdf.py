"""Crew print-out routes: staff only, PDF out."""

from __future__ import annotations

import io
import re

from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Booth, Event
from tests.conftest import AuthActions

URL = "/crew/events/cfd-2026-12-06"


def test_anonymous_is_sent_to_login(client: FlaskClient) -> None:
    for path in ("layout.pdf", "vendors.pdf"):
        resp = client.get(f"{URL}/{path}")
        assert resp.status_code == 302
        assert "/login" in resp.headers["Location"]


def test_crew_downloads_the_a4_layout(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("crew")
    resp = client.get(f"{URL}/layout.pdf?size=A4")
    assert resp.status_code == 200
    assert resp.mimetype == "application/pdf"
    assert resp.data[:5] == b"%PDF-"
    assert "A4.pdf" in resp.headers["Content-Disposition"]
    assert "no-store" in resp.headers["Cache-Control"]


def test_crew_downloads_the_vendor_list(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("crew")
    resp = client.get(f"{URL}/vendors.pdf")
    assert resp.status_code == 200
    assert resp.data[:5] == b"%PDF-"


def test_bad_size_and_unknown_event(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("crew")
    assert client.get(f"{URL}/layout.pdf?size=B5").status_code == 400
    assert client.get("/crew/events/tidak-ada/layout.pdf").status_code == 404


def _small_event(db: Session) -> Event:
    """An event of five booths (two of them service desks) copied from the demo's shapes."""
    demo = db.scalars(select(Event).where(Event.slug == "cfd-2026-12-06")).one()
    event = Event(
        city_id=demo.city_id,
        slug="uji-label",
        name="Uji label",
        date=demo.date,
        start_time=demo.start_time,
        end_time=demo.end_time,
    )
    db.add(event)
    db.flush()
    shapes = db.scalars(
        select(Booth).where(Booth.event_id == demo.id).order_by(Booth.id).limit(5)
    ).all()
    for i, src in enumerate(shapes, start=1):
        desk = i in (2, 4)
        db.add(
            Booth(
                event_id=event.id,
                code=f"L-{12 - i}",
                geom=src.geom,
                kind="service_desk" if desk else "vendor",
                label="Halal" if i == 2 else None,
                service="nib" if i == 4 else None,
            )
        )
    db.commit()
    return event


def test_booth_labels_with_qr_codes(client: FlaskClient, auth: AuthActions, db: Session) -> None:
    event = _small_event(db)
    assert client.get(f"/crew/events/{event.slug}/labels.pdf").status_code == 302  # login
    auth.login("crew")
    placed_only = client.get(f"/crew/events/{event.slug}/labels.pdf")  # nobody placed yet
    assert placed_only.status_code == 200
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(placed_only.data)).pages)
    assert re.findall(r"(?<![\w-])L-\d+(?![\w-])", text) == []
    resp = client.get(f"/crew/events/{event.slug}/labels.pdf?booths=all")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert "no-store" in resp.headers["Cache-Control"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.data)).pages)
    codes = re.findall(r"(?<![\w-])L-\d+(?![\w-])", text)
    assert codes == ["L-7", "L-8", "L-9", "L-10", "L-11"]  # in walking order, each once
    assert "Halal" in text and "nib" in text
    assert "pindai" in text.lower()


def test_a_label_qr_code_opens_the_check_in_at_that_booth(
    client: FlaskClient, auth: AuthActions, db: Session
) -> None:
    booth = db.scalars(
        select(Booth).join(Event).where(Event.slug == "cfd-2026-12-06").order_by(Booth.id).limit(1)
    ).one()
    anonymous = client.get(f"/crew/b/{booth.id}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    auth.login("crew")
    resp = client.get(f"/crew/b/{booth.id}")
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/crew/events/cfd-2026-12-06/checkin?q={booth.code}")
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert booth.code in page
    assert client.get("/crew/b/99999999").status_code == 404


def test_bad_options_are_refused(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("crew")
    assert client.get(f"{URL}/layout.pdf?names=maybe").status_code == 400
    assert client.get(f"{URL}/labels.pdf?booths=some").status_code == 400
    assert client.get(f"{URL}/vendors.pdf?booths=<b>").status_code == 400


def test_a_second_download_comes_from_the_cache(
    client: FlaskClient, auth: AuthActions, db: Session
) -> None:
    """Cached under the city's counter: the same PDF again, until the data changes."""
    auth.login("crew")
    first = client.get(f"{URL}/vendors.pdf?size=A4")
    second = client.get(f"{URL}/vendors.pdf?size=A4")
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    assert first.data == second.data
    other = client.get(f"{URL}/vendors.pdf?size=A4&booths=all")  # other options, other entry
    assert other.headers["X-Cache"] == "miss"
    event = db.scalars(select(Event).where(Event.slug == "cfd-2026-12-06")).one()
    event.name = "CFD Ahmad Yani (diubah)"
    db.commit()
    changed = client.get(f"{URL}/vendors.pdf?size=A4")
    assert changed.headers["X-Cache"] == "miss"
    assert b"%PDF-" == changed.data[:5] and changed.data != first.data
