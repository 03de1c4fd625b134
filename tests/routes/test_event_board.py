"""The event page's board: figures, map, table filters, and the JSON actions behind the panel."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import HOLDING_STATUSES, Assignment, AuditEntry, Booth, Event, Vendor
from app.services.conflicts import event_conflicts
from app.services.event_board import board_booths, event_figures, figures_by_event

UPCOMING = "cfd-2026-12-06"
PAGE = f"/planner/events/{UPCOMING}"
API = f"/api/events/{UPCOMING}"


def _event(db: Session) -> Event:
    return db.scalars(select(Event).where(Event.slug == UPCOMING)).one()


def _placed(db: Session, n: int = 2) -> list[Assignment]:
    return list(
        db.scalars(
            select(Assignment)
            .where(Assignment.event_id == _event(db).id, Assignment.status.in_(HOLDING_STATUSES))
            .order_by(Assignment.id)
            .limit(n)
        ).all()
    )


def _free_booth(db: Session) -> Booth:
    event = _event(db)
    held = select(Assignment.booth_id).where(
        Assignment.event_id == event.id, Assignment.status.in_(HOLDING_STATUSES)
    )
    booth = db.scalars(
        select(Booth)
        .where(Booth.event_id == event.id, Booth.kind == "vendor", Booth.id.not_in(held))
        .order_by(Booth.code)
    ).first()
    assert booth is not None
    return booth


def _unplaced_vendor(db: Session) -> Vendor:
    event = _event(db)
    placed = select(Assignment.vendor_id).where(
        Assignment.event_id == event.id, Assignment.status.in_(HOLDING_STATUSES)
    )
    vendor = db.scalars(
        select(Vendor).where(
            Vendor.city_id == event.city_id, Vendor.active.is_(True), Vendor.id.not_in(placed)
        )
    ).first()
    assert vendor is not None
    return vendor


# -- the page -------------------------------------------------------------------------------------


def test_page_has_figures_map_panel_and_legend(client: FlaskClient, auth: Any, db: Session) -> None:
    auth.login("planner")
    html = client.get(PAGE).get_data(as_text=True)
    figures = figures_by_event(db, [_event(db)])[_event(db).id]
    assert f'data-figure="placed">{figures.placed}<' in html
    assert f'data-figure="empty">{figures.empty}<' in html
    assert 'id="booth-panel"' in html and 'role="status"' in html
    assert "Keadaan lapak" in html  # the legend's heading
    for label in ("Kosong", "Ditempatkan", "Sudah hadir", "Berkonflik", "Meja layanan"):
        assert label in html
    assert "/static/vendor/leaflet/leaflet.js" in html and "unpkg" not in html
    assert "js/event.js" in html
    english = client.get(f"{PAGE}?lang=en").get_data(as_text=True)
    assert "Booth states" in english and "Checked in" in english


def test_figures_count_what_the_board_shows(db: Session) -> None:
    event = _event(db)
    conflicts = event_conflicts(db, event)
    booths = board_booths(db, event, conflicts, lang="id")
    figures = event_figures(db, event, conflicts)
    assert figures.booths == len(booths)
    assert figures.placed == sum(1 for b in booths if b.vendor_id)
    assert figures.empty == sum(1 for b in booths if b.kind == "vendor" and not b.vendor_id)
    assert figures.conflicts == len(conflicts)
    makanan = next(c for c in figures.categories if c.category == "makanan" and c.section is None)
    assert makanan.placed == sum(1 for b in booths if b.category == "makanan")
    assert makanan.cap == 45  # the demo's published run caps food at 45
    # a vendor confirming shows at once
    a = _placed(db, 1)[0]
    a.confirmed_at = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    db.commit()
    assert event_figures(db, event, conflicts).confirmed == figures.confirmed + 1
    state = {b.code: b.state for b in board_booths(db, event, conflicts, lang="id")}
    assert state[a.booth.code] in ("confirmed", "conflict")


def test_table_filters_sorts_and_pages(client: FlaskClient, auth: Any, db: Session) -> None:
    auth.login("planner")
    html = client.get(f"{PAGE}?state=free&sort=code").get_data(as_text=True)
    states = re.findall(r'<tr id="b-[^"]+" class="bs-(\w+)"', html)
    assert states and set(states) == {"free"}
    codes = re.findall(r'<tr id="b-([^"]+)"', html)
    assert codes == sorted(codes) and len(codes) == 50
    assert 'aria-current="page">1<' in html
    down = client.get(f"{PAGE}?state=free&sort=code&dir=desc").get_data(as_text=True)
    assert re.findall(r'<tr id="b-([^"]+)"', down)[0] > codes[-1]
    a = _placed(db, 1)[0]
    found = client.get(
        f"{PAGE}?q={a.vendor.business_name[:6]}&part=table",
    ).get_data(as_text=True)
    assert found.lstrip().startswith('<div id="booths"') and "<html" not in found
    assert f'id="b-{a.booth.code}"' in found
    makanan = client.get(f"{PAGE}?category=makanan&state=assigned").get_data(as_text=True)
    assert "Minuman</td>" not in makanan.split('id="booths"')[1]
    # unknown values read as no filter; a page past the end shows the last page
    assert client.get(f"{PAGE}?state=nope&sort=x&page=99999").status_code == 200


# -- the JSON actions -----------------------------------------------------------------------------


def test_board_json_is_for_planners_only(client: FlaskClient, auth: Any) -> None:
    assert client.get(f"{API}/board").status_code in (401, 302)
    auth.login("crew")
    assert client.get(f"{API}/board").status_code == 403
    assert client.post(f"{API}/assignments", json={}).status_code == 403
    auth.logout()
    auth.login("planner")
    body = client.get(f"{API}/board").get_json()
    assert {b["state"] for b in body["booths"]} >= {"free", "assigned", "service_desk"}
    assert body["figures"]["booths"] == len(body["booths"])


def test_move_by_json_answers_both_booths(client: FlaskClient, auth: Any, db: Session) -> None:
    auth.login("planner")
    a, b = _placed(db)
    free = _free_booth(db)
    old = a.booth.code
    resp = client.post(f"{API}/assignments/{a.id}/move", json={"booth_code": free.code.lower()})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert free.code in body["message"] and old in body["message"]
    changed = {x["code"]: x for x in body["booths"]}
    assert (
        changed[old]["state"] in ("free", "conflict", "blocked") and not changed[old]["vendor_id"]
    )
    assert changed[free.code]["vendor_id"] == a.vendor_id and changed[free.code]["pinned"]
    assert "placed" in body["figures"]
    db.expire_all()
    assert db.get(Assignment, a.id).booth_id == free.id
    # refusals name the problem and write nothing
    taken = client.post(f"{API}/assignments/{a.id}/move", json={"booth_code": b.booth.code})
    assert taken.status_code == 409 and b.booth.code in taken.get_json()["message"]
    missing = client.post(f"{API}/assignments/{a.id}/move", json={})
    assert missing.status_code == 400 and "booth_code" in missing.get_json()["message"]
    nowhere = client.post(f"{API}/assignments/{a.id}/move", json={"booth_code": "ZZ-9999"})
    assert nowhere.status_code == 404 and "ZZ-9999" in nowhere.get_json()["message"]
    bad = client.post(
        f"{API}/assignments/{a.id}/move", data="[1", headers={"Content-Type": "application/json"}
    )
    assert bad.status_code == 400
    assert (
        client.post(f"{API}/assignments/2147483647/move", json={"booth_code": "X"}).status_code
        == 404
    )
    db.expire_all()
    assert db.get(Assignment, a.id).booth_id == free.id


def test_swap_exchanges_two_vendors_and_pins_both(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    auth.login("planner")
    a, b = _placed(db)
    booth_a, booth_b = a.booth_id, b.booth_id
    resp = client.post(f"{API}/assignments/{a.id}/swap", json={"booth_code": b.booth.code})
    assert resp.status_code == 200, resp.get_json()
    assert len(resp.get_json()["booths"]) == 2
    db.expire_all()
    a2, b2 = db.get(Assignment, a.id), db.get(Assignment, b.id)
    assert (a2.booth_id, b2.booth_id) == (booth_b, booth_a)
    assert (
        a2.pinned and b2.pinned and a2.status in HOLDING_STATUSES and b2.status in HOLDING_STATUSES
    )
    empty = client.post(f"{API}/assignments/{a.id}/swap", json={"booth_code": _free_booth(db).code})
    assert empty.status_code == 400 and "Pindah" in empty.get_json()["message"]
    same = client.post(f"{API}/assignments/{a.id}/swap", json={"booth_code": a2.booth.code})
    assert same.status_code == 400


def test_pin_unpin_and_bad_values(client: FlaskClient, auth: Any, db: Session) -> None:
    auth.login("planner")
    a = _placed(db, 1)[0]
    assert client.post(f"{API}/assignments/{a.id}/pin", json={"pinned": True}).status_code == 200
    db.expire_all()
    assert db.get(Assignment, a.id).pinned
    resp = client.post(f"{API}/assignments/{a.id}/pin?lang=en", json={"pinned": False})
    assert resp.status_code == 200 and "unpinned" in resp.get_json()["message"].lower()
    db.expire_all()
    assert not db.get(Assignment, a.id).pinned
    bad = client.post(f"{API}/assignments/{a.id}/pin", json={"pinned": "yes"})
    assert bad.status_code == 400 and "pinned" in bad.get_json()["message"]


def test_unassign_then_assign_again_undoes_it(client: FlaskClient, auth: Any, db: Session) -> None:
    auth.login("planner")
    a = _placed(db, 1)[0]
    code, vendor_id = a.booth.code, a.vendor_id
    resp = client.post(f"{API}/assignments/{a.id}/unassign")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["undo"] == {"vendor_id": vendor_id, "booth_code": code}
    assert not body["booths"][0]["vendor_id"]
    db.expire_all()
    assert db.get(Assignment, a.id).status == "cancelled"
    assert db.scalars(
        select(AuditEntry).where(AuditEntry.entity == "assignment", AuditEntry.entity_id == a.id)
    ).first()
    again = client.post(f"{API}/assignments/{a.id}/unassign")
    assert again.status_code == 409
    back = client.post(f"{API}/assignments", json=body["undo"])
    assert back.status_code == 201, back.get_json()
    assert back.get_json()["booths"][0]["vendor_id"] == vendor_id
    twice = client.post(
        f"{API}/assignments", json={"vendor_id": vendor_id, "booth_code": _free_booth(db).code}
    )
    assert twice.status_code == 409 and code in twice.get_json()["message"]


def test_assign_refuses_bad_input(client: FlaskClient, auth: Any, db: Session) -> None:
    auth.login("planner")
    vendor = _unplaced_vendor(db)
    free = _free_booth(db)
    taken = _placed(db, 1)[0].booth.code
    cases = [
        ({"booth_code": free.code}, 400, "vendor_id"),
        ({"vendor_id": "abc", "booth_code": free.code}, 400, "vendor_id"),
        ({"vendor_id": 99999999999, "booth_code": free.code}, 400, "vendor_id"),
        ({"vendor_id": 2147483647, "booth_code": free.code}, 404, "2147483647"),
        ({"vendor_id": vendor.id}, 400, "booth_code"),
        ({"vendor_id": vendor.id, "booth_code": taken}, 409, taken),
    ]
    for body, status, named in cases:
        resp = client.post(f"{API}/assignments", json=body)
        assert resp.status_code == status, (body, resp.get_json())
        assert named in resp.get_json()["message"], body
    desk = db.scalars(
        select(Booth).where(Booth.event_id == _event(db).id, Booth.kind == "service_desk")
    ).first()
    resp = client.post(f"{API}/assignments", json={"vendor_id": vendor.id, "booth_code": desk.code})
    assert resp.status_code == 400
    ok = client.post(f"{API}/assignments", json={"vendor_id": vendor.id, "booth_code": free.code})
    assert ok.status_code == 201
    assert ok.get_json()["figures"]["placed"] >= 1


def test_closed_event_refuses_changes(client: FlaskClient, auth: Any, db: Session) -> None:
    auth.login("planner")
    a = _placed(db, 1)[0]
    _event(db).status = "closed"
    db.commit()
    resp = client.post(f"{API}/assignments/{a.id}/pin", json={"pinned": True})
    assert resp.status_code == 400 and "ditutup" in resp.get_json()["message"]
    resp = client.post(
        f"{API}/assignments", json={"vendor_id": _unplaced_vendor(db).id, "booth_code": "AY-0001"}
    )
    assert resp.status_code == 400


def test_actions_need_the_csrf_token(
    app: Flask, client: FlaskClient, auth: Any, db: Session
) -> None:
    auth.login("planner")
    a = _placed(db, 1)[0]
    page = client.get(PAGE).get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert token
    app.config["WTF_CSRF_ENABLED"] = True
    refused = client.post(f"{API}/assignments/{a.id}/pin", json={"pinned": True})
    assert refused.status_code == 400
    ok = client.post(
        f"{API}/assignments/{a.id}/pin",
        json={"pinned": True},
        headers={"X-CSRFToken": token.group(1)},
    )
    assert ok.status_code == 200


def test_form_unassign_and_move_keep_the_table_view(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    auth.login("planner")
    a, b = _placed(db)
    resp = client.post(
        f"{PAGE}/assignments/{a.id}/unassign", data={"table": "state=assigned&page=2&evil=1"}
    )
    assert resp.status_code == 302
    location = resp.headers["Location"]
    assert "state=assigned" in location and "page=2" in location and "evil" not in location
    assert location.endswith(f"#b-{a.booth.code}")
    db.expire_all()
    assert db.get(Assignment, a.id).status == "cancelled"
    free = _free_booth(db)
    resp = client.post(f"{PAGE}/assignments/{b.id}/move", data={"booth_code": free.code})
    assert resp.headers["Location"].endswith(f"#b-{free.code}")


def test_planner_reasons_read_in_english(client: FlaskClient, auth: Any, db: Session) -> None:
    auth.login("planner")
    a = _placed(db, 1)[0]
    free = _free_booth(db)
    assert (
        client.post(f"{API}/assignments/{a.id}/move", json={"booth_code": free.code}).status_code
        == 200
    )
    english = client.get(f"{PAGE}?lang=en&q={free.code}").get_data(as_text=True)
    assert f"Moved by a planner to booth {free.code}." in english
    indonesian = client.get(f"{PAGE}?lang=id&q={free.code}").get_data(as_text=True)
    assert f"Dipindahkan perencana ke lapak {free.code}." in indonesian


def test_a_vendor_on_two_booths_moves_whole_by_json(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    """The answer names both old and both new booths and refreshes all four on the page."""
    from app.services.allocation import booth_links

    auth.login("planner")
    event = _event(db)
    booths = db.scalars(
        select(Booth).where(Booth.event_id == event.id, Booth.kind == "vendor")
    ).all()
    links = booth_links(db, event, list(booths))
    held = set(
        db.scalars(
            select(Booth.code)
            .join(Assignment, Assignment.booth_id == Booth.id)
            .where(Assignment.event_id == event.id, Assignment.status.in_(HOLDING_STATUSES))
        )
    )
    pairs = sorted(
        (c, n) for c in links for n in links[c] if c < n and not {c, n} & held
    )  # free booths side by side
    source = pairs[0]
    target = next(
        p for p in pairs if not set(p) & set(source) and not set(links[p[0]]) & set(source)
    )
    vendor = _unplaced_vendor(db)
    vendor.min_booths = vendor.max_booths = 2
    by_code = {b.code: b for b in booths}
    first, second = (
        Assignment(event=event, booth=by_code[c], vendor=vendor, part=i, status="assigned")
        for i, c in enumerate(source)
    )
    db.add_all([first, second])
    db.commit()
    resp = client.post(f"{API}/assignments/{first.id}/move", json={"booth_code": target[0]})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert all(code in body["message"] for code in (*source, *target)), body["message"]
    changed = {x["code"]: x for x in body["booths"]}
    assert set(changed) == {*source, *target}
    assert {changed[c]["vendor_id"] for c in target} == {vendor.id}
    assert not any(changed[c]["vendor_id"] for c in source)
    db.expire_all()
    assert sorted(db.get(Booth, a.booth_id).code for a in (first, second)) == sorted(target)
