"""The planner's event page: life cycle, copy, layout form, allocation, move and pin."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Assignment, Booth, Event

UPCOMING = "cfd-2026-12-06"
PAGE = f"/planner/events/{UPCOMING}"


def _event(db: Session, slug: str = UPCOMING) -> Event:
    return db.scalars(select(Event).where(Event.slug == slug)).one()


def test_page_shows_layout_conflicts_and_assignments(client: FlaskClient, auth: Any) -> None:
    auth.login("planner")
    html = client.get(PAGE).get_data(as_text=True)
    assert "Tata letak lapak" in html and "Alokasi pedagang" in html
    assert "Daftar tunggu" in html and "cap_reached" in html
    assert client.get("/planner/events/tidak-ada").status_code == 404


def test_crew_cannot_open_the_event_page(client: FlaskClient, auth: Any) -> None:
    auth.login("crew")
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}/allocate", data={"seed": "1"}).status_code == 403


def test_publish_close_and_no_way_back(client: FlaskClient, auth: Any, db: Session) -> None:
    auth.login("planner")
    client.post(f"{PAGE}/status", data={"status": "closed"})  # asks first: still published
    assert _event(db).status == "published"
    client.post(f"{PAGE}/status", data={"status": "closed", "confirm": "1"})
    assert _event(db).status == "closed"
    client.post(f"{PAGE}/status", data={"status": "published"})
    assert _event(db).status == "closed"


def test_copy_to_next_sunday_keeps_booths_and_returning_vendors(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    auth.login("planner")
    source = _event(db)
    locked = db.scalars(
        select(Booth).where(Booth.event_id == source.id, Booth.kind == "vendor")
    ).first()
    locked.locked = True
    db.commit()
    resp = client.post(f"{PAGE}/copy", data={"date": "2026-12-13"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/cfd-2026-12-13")
    copy = _event(db, "cfd-2026-12-13")
    assert copy.copied_from_id == source.id and copy.status == "draft"
    codes = {b.code: b for b in copy.booths}
    assert len(codes) == len(source.booths) and codes[locked.code].locked
    client.post(
        "/planner/events/cfd-2026-12-13/allocate", data={"seed": "13", "caps": "makanan=45"}
    )
    before = dict(
        db.execute(
            select(Assignment.vendor_id, Booth.code)
            .join(Booth, Booth.id == Assignment.booth_id)
            .where(Assignment.event_id == source.id)
        ).all()
    )
    after = dict(
        db.execute(
            select(Assignment.vendor_id, Booth.code)
            .join(Booth, Booth.id == Assignment.booth_id)
            .where(Assignment.event_id == copy.id)
        ).all()
    )
    assert after and all(before.get(v) == code for v, code in after.items() if v in before)


def test_move_pins_and_refuses_a_taken_booth(client: FlaskClient, auth: Any, db: Session) -> None:
    auth.login("planner")
    event = _event(db)
    a, b = db.scalars(
        select(Assignment).where(Assignment.event_id == event.id).order_by(Assignment.id).limit(2)
    ).all()
    taken = b.booth.code
    resp = client.post(
        f"{PAGE}/assignments/{a.id}/move", data={"booth_code": taken}, follow_redirects=True
    )
    assert "sudah terisi" in resp.get_data(as_text=True)
    free = db.scalars(
        select(Booth).where(
            Booth.event_id == event.id,
            Booth.kind == "vendor",
            Booth.id.not_in(select(Assignment.booth_id)),
        )
    ).first()
    client.post(f"{PAGE}/assignments/{a.id}/move", data={"booth_code": free.code})
    db.expire_all()
    moved = db.get(Assignment, a.id)
    assert moved.booth_id == free.id and moved.pinned
    client.post(f"{PAGE}/assignments/{a.id}/pin", data={"pinned": "0"})
    db.expire_all()
    assert not db.get(Assignment, a.id).pinned


def test_layout_form_reports_and_bad_values_are_named(client: FlaskClient, auth: Any) -> None:
    auth.login("planner")
    form = {"booth_width_m": "3", "gap_m": "0.2"}
    resp = client.post(f"{PAGE}/layout", data=form, follow_redirects=True)
    assert "pedagang kehilangan lapak" in resp.get_data(as_text=True)  # asks first
    resp = client.post(f"{PAGE}/layout", data=form | {"confirm": "1"}, follow_redirects=True)
    assert "lapak dibuat" in resp.get_data(as_text=True)
    resp = client.post(f"{PAGE}/layout", data={"booth_width_m": "0.1"}, follow_redirects=True)
    assert "booth_width_m" in resp.get_data(as_text=True)


def test_vendor_names_are_escaped_in_the_assignment_table(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    auth.login("planner")
    a = db.scalars(select(Assignment).where(Assignment.event_id == _event(db).id)).first()
    a.vendor.business_name = "<img src=x onerror=alert(1)> `Kopi`"
    db.commit()
    # The table pages: search for the vendor so that their row is on the page.
    html = client.get(f"{PAGE}?q=Kopi").get_data(as_text=True)
    assert f'id="b-{a.booth.code}"' in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_print_links_are_made_in_the_background_with_progress(
    client: FlaskClient, auth: Any
) -> None:
    """Big prints take seconds (more on a busy server): each print link starts its PDF in the
    background (``data-print-job``) and the page shows its pages on a progress bar; the plain
    address still works without a script."""
    auth.login("planner")
    html = client.get(PAGE).get_data(as_text=True)
    for path, document in (("layout.pdf", "layout"), ("labels.pdf", "labels")):
        link = re.search(
            rf'<a class="[^"]*" href="/crew/events/([\w-]+)/{re.escape(path)}" '
            rf'data-print-job="/crew/events/([\w-]+)/prints/{document}"',
            html,
        )
        assert link and link.group(1) == link.group(2), path
    assert '<div class="print-progress" id="print-progress" hidden' in html
    assert "js/prints.js" in html


def test_allocation_reasons_follow_the_page_language(client: FlaskClient, auth: Any) -> None:
    auth.login("planner")
    english = client.get(f"{PAGE}?lang=en").get_data(as_text=True)
    reasons = re.findall(r'<td class="why">([^<]*)</td>', english)
    assert any("phase" in r for r in reasons)
    assert not any("tahap" in r for r in reasons)
    # One code per row, not "Booths" (the heading is also the link that sorts by it).
    assert re.search(r"<th[^>]*>(<a [^>]*>)?Booth code[ ▲▼]*(</a>)?</th>", english)
    indonesian = client.get(f"{PAGE}?lang=id").get_data(as_text=True)
    assert any("tahap" in r for r in re.findall(r'<td class="why">([^<]*)</td>', indonesian))
