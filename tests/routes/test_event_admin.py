"""Events made in the app, safe-to-click confirmations, undo/redo stacks and the city's rules."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.models import Assignment, AuditEntry, Booth, City, ClearanceRule, Event, HistoryStep, Zone

UPCOMING = "cfd-2026-12-06"


def _corridor(db: Session) -> Zone:
    return db.scalars(select(Zone).where(Zone.kind == "cfd_corridor").order_by(Zone.id)).first()


def _form(db: Session, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "CFD uji aplikasi",
        "date": "2027-01-10",
        "start_time": "06:00",
        "end_time": "09:00",
        "corridor": [str(_corridor(db).id)],
        "booth_width_m": "2.5",
        "gap_m": "0.5",
        "emergency_lane_m": "4.3",
    }
    data.update(over)
    return data


def _count(db: Session, model: Any) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_create_edit_and_delete_an_event(client: FlaskClient, auth: Any, db: Session) -> None:
    auth.login("planner")
    page = client.get("/planner/events/new").get_data(as_text=True)
    assert 'name="corridor"' in page and "event-form-config" in page
    resp = client.post("/planner/events/new", data=_form(db))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/cfd-2027-01-10")
    event = db.scalars(select(Event).where(Event.slug == "cfd-2027-01-10")).one()
    assert [z.id for z in event.corridors] == [_corridor(db).id]
    assert event.layout_settings == {"booth_width_m": 2.5, "gap_m": 0.5, "emergency_lane_m": 4.3}
    html = client.get("/planner/events/cfd-2027-01-10").get_data(as_text=True)
    assert 'value="2.5"' in html and 'value="2027-01-17"' in html  # copy: a week on
    edit = client.post(
        "/planner/events/cfd-2027-01-10/edit", data=_form(db, name="CFD diubah", end_time="10:00")
    )
    assert edit.status_code == 302
    db.expire_all()
    assert event.name == "CFD diubah" and event.end_time.hour == 10
    actions = db.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.entity == "event", AuditEntry.entity_id == event.id)
        .order_by(AuditEntry.id)
    ).all()
    assert list(actions) == ["create", "update"]
    confirm = client.get("/planner/events/cfd-2027-01-10/delete").get_data(as_text=True)
    assert "0 lapak" in confirm and "tidak dapat dibatalkan" in confirm
    # without the confirmation nothing goes
    client.post("/planner/events/cfd-2027-01-10/delete")
    assert db.scalars(select(Event).where(Event.slug == "cfd-2027-01-10")).first() is not None
    client.post("/planner/events/cfd-2027-01-10/delete", data={"confirm": "1"})
    db.expire_all()
    assert db.scalars(select(Event).where(Event.slug == "cfd-2027-01-10")).first() is None


def test_bad_fields_are_named_and_nothing_is_saved(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    auth.login("planner")
    before = _count(db, Event)
    cases = {
        "name": _form(db, name=" "),
        "date": _form(db, date="10/01/2027"),
        "end_time": _form(db, end_time="25:99"),
        "corridor": _form(db, corridor=[]),
        "booth_width_m": _form(db, booth_width_m="lebar"),
        "Lebar lapak": _form(db, booth_width_m="40"),
        "slug": _form(db, slug="Bukan Slug!"),
    }
    for field, data in cases.items():
        resp = client.post("/planner/events/new", data=data)
        assert resp.status_code == 400, field
        assert field in resp.get_data(as_text=True), field
    red = db.scalars(select(Zone).where(Zone.kind == "no_vending")).first()
    resp = client.post("/planner/events/new", data=_form(db, corridor=[str(red.id)]))
    assert resp.status_code == 400 and red.name in resp.get_data(as_text=True)
    taken = client.post("/planner/events/new", data=_form(db, slug=UPCOMING))
    assert taken.status_code == 409 and "slug" in taken.get_data(as_text=True)
    assert _count(db, Event) == before


def test_event_pages_need_the_permission_and_csrf(
    client: FlaskClient, auth: Any, app: Any, db: Session
) -> None:
    auth.login("crew")
    assert client.get("/planner/events/new").status_code == 403
    assert client.post("/planner/events/new", data=_form(db)).status_code == 403
    assert client.get("/planner/rules/").status_code == 403
    auth.logout()
    auth.login("planner")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/planner/events/new", data=_form(db)).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert db.scalars(select(Event).where(Event.slug == "cfd-2027-01-10")).first() is None


def test_published_and_closed_events_are_not_deleted(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    auth.login("planner")
    page = client.get(f"/planner/events/{UPCOMING}/delete").get_data(as_text=True)
    assert "kembalikan ke draf" in page
    client.post(f"/planner/events/{UPCOMING}/delete", data={"confirm": "1"})
    assert db.scalars(select(Event).where(Event.slug == UPCOMING)).one() is not None


def test_publish_is_refused_at_zero_placed_and_over_blocking_conflicts_without_a_reason(
    client: FlaskClient, auth: Any, db: Session, make_event: Any, make_booth: Any,
    make_assignment: Any, make_facility: Any,
) -> None:  # fmt: skip
    auth.login("planner")
    event = make_event()
    db.commit()
    page = f"/planner/events/{event.slug}"
    resp = client.post(f"{page}/status", data={"status": "published"}, follow_redirects=True)
    assert "belum ada pedagang yang ditempatkan" in resp.get_data(as_text=True)
    db.expire_all()
    assert event.status == "draft"
    booth = make_booth(event=event)
    make_assignment(booth=booth)
    # a hydrant on the booth: a blocking conflict
    from geoalchemy2.shape import from_shape, to_shape

    make_facility(
        city=event.city, kind="hydrant", geom=from_shape(to_shape(booth.geom).centroid, 4326)
    )
    db.commit()
    resp = client.post(f"{page}/status", data={"status": "published"}, follow_redirects=True)
    assert "konflik yang menghalangi" in resp.get_data(as_text=True)
    db.expire_all()
    assert event.status == "draft"
    reason = "Hidran dipindah Dinas PU sebelum acara"
    client.post(f"{page}/status", data={"status": "published", "override_reason": reason})
    db.expire_all()
    assert event.status == "published"
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.entity == "event", AuditEntry.entity_id == event.id)
    ).one()
    assert entry.after["override_reason"] == reason and entry.after["blocking_conflicts"] >= 1


def test_closing_asks_first_and_says_it_cannot_be_undone(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    auth.login("planner")
    page = f"/planner/events/{UPCOMING}"
    ask = client.post(f"{page}/status", data={"status": "closed"})
    assert ask.status_code == 200 and "tidak dapat dibatalkan" in ask.get_data(as_text=True)
    assert db.scalars(select(Event).where(Event.slug == UPCOMING)).one().status == "published"


def test_regenerating_a_layout_shows_its_cost_first(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    auth.login("planner")
    event = db.scalars(select(Event).where(Event.slug == UPCOMING)).one()
    booth_ids = set(db.scalars(select(Booth.id).where(Booth.event_id == event.id)))
    placed = db.scalar(
        select(func.count()).select_from(Assignment).where(Assignment.event_id == event.id)
    )
    resp = client.post(f"/planner/events/{UPCOMING}/layout", data={"booth_width_m": "3"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "pedagang kehilangan lapak" in html
    assert "lapak terkunci tetap" in html and 'name="confirm" value="1"' in html
    db.expire_all()
    assert set(db.scalars(select(Booth.id).where(Booth.event_id == event.id))) == booth_ids
    assert placed == db.scalar(
        select(func.count()).select_from(Assignment).where(Assignment.event_id == event.id)
    )


def test_reallocating_a_published_event_lists_who_moves(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    auth.login("planner")
    event = db.scalars(select(Event).where(Event.slug == UPCOMING)).one()
    before = dict(
        db.execute(
            select(Assignment.vendor_id, Assignment.booth_id).where(Assignment.event_id == event.id)
        ).all()
    )
    resp = client.post(f"/planner/events/{UPCOMING}/allocate", data={"seed": "987654"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "berpindah lapak" in html and "Lapak baru" in html
    db.expire_all()
    after = dict(
        db.execute(
            select(Assignment.vendor_id, Assignment.booth_id).where(Assignment.event_id == event.id)
        ).all()
    )
    assert after == before


def test_event_undo_and_redo_a_move(client: FlaskClient, auth: Any, db: Session) -> None:
    auth.login("planner")
    event = db.scalars(select(Event).where(Event.slug == UPCOMING)).one()
    # start from an empty history (rolled back after the test): e2e tests earlier in the run
    # commit steps on the demo's event, and layout and allocation runs are steps too
    db.execute(delete(HistoryStep).where(HistoryStep.event_id == event.id))
    db.commit()
    taken = set(db.scalars(select(Assignment.booth_id).where(Assignment.event_id == event.id)))
    free = db.scalars(
        select(Booth)
        .where(Booth.event_id == event.id, Booth.kind == "vendor", Booth.id.not_in(taken))
        .order_by(Booth.code)
    ).first()
    a = db.scalars(
        select(Assignment).where(Assignment.event_id == event.id).order_by(Assignment.id)
    ).first()
    old_code = a.booth.code
    page = f"/planner/events/{UPCOMING}"
    client.post(f"{page}/assignments/{a.id}/move", data={"booth_code": free.code})
    html = client.get(page).get_data(as_text=True)
    assert f"Pindah {old_code} ke {free.code}" in html
    client.post(f"{page}/undo")
    db.expire_all()
    assert a.booth.code == old_code
    # a second undo does not redo: there is nothing more to undo
    resp = client.post(f"{page}/undo", follow_redirects=True)
    assert "Tidak ada langkah untuk dibatalkan" in resp.get_data(as_text=True)
    db.expire_all()
    assert a.booth.code == old_code
    client.post(f"{page}/redo")
    db.expire_all()
    assert a.booth.code == free.code
    en = client.get(f"{page}?lang=en").get_data(as_text=True)
    assert f"Move {old_code} to {free.code}" in en


def test_city_rules_are_versioned_audited_and_rechecked(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    auth.login("planner")
    city = db.scalars(select(City).where(City.slug == "pontianak")).one()
    version = city.rules_version
    page = client.get("/planner/rules/").get_data(as_text=True)
    assert "metres.hydrant" in page
    from app.services.city_rules import rule_rows

    form: dict[str, Any] = {"city": "pontianak", "version": str(version)}
    form["blocking"] = [r.kind for r in rule_rows(city) if r.blocking and r.kind != "hydrant"]
    for r in rule_rows(city):
        form[f"metres.{r.kind}"] = "4.5" if r.kind == "hydrant" else f"{r.metres:g}"
    form["cap.makanan"] = "40"
    resp = client.post("/planner/rules/", data=form, follow_redirects=True)
    assert "Konflik diperiksa ulang" in resp.get_data(as_text=True)
    db.expire_all()
    assert city.rules_version == version + 1 and city.category_caps == {"makanan": 40}
    rule = db.scalars(
        select(ClearanceRule).where(
            ClearanceRule.city_id == city.id, ClearanceRule.facility_kind == "hydrant"
        )
    ).one()
    assert rule.metres == 4.5 and rule.blocking is False
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.entity == "city_rules").order_by(AuditEntry.id.desc())
    ).first()
    assert entry.after["version"] == version + 1
    # the engine now reports hydrant clearances as warnings in this city
    from app.services.conflicts import event_conflicts

    event = db.scalars(select(Event).where(Event.slug == UPCOMING)).one()
    assert all(
        c.severity == "warning" for c in event_conflicts(db, event) if c.other_kind == "hydrant"
    )
    # a stale form (the old version) is refused and changes nothing
    stale = client.post("/planner/rules/", data=form | {"cap.makanan": "10"})
    assert stale.status_code == 409
    db.expire_all()
    assert city.category_caps == {"makanan": 40}
    bad = client.post(
        "/planner/rules/", data=form | {"version": str(version + 1), "metres.hydrant": "-1"}
    )
    assert bad.status_code == 400 and "clearance.hydrant" in bad.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(HistoryStep)) is not None


def test_booth_properties_for_many_booths_are_one_undoable_step(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    auth.login("planner")
    event = db.scalars(select(Event).where(Event.slug == UPCOMING)).one()
    codes = list(
        db.scalars(
            select(Booth.code)
            .where(Booth.event_id == event.id, Booth.kind == "vendor", Booth.accessible.is_(True))
            .order_by(Booth.code)
            .limit(3)
        )
    )
    assert len(codes) == 3
    page = f"/planner/events/{UPCOMING}"
    assert 'name="has_electricity"' in client.get(f"{page}/booths").get_data(as_text=True)
    # an unknown code names itself and nothing changes
    bad = client.post(f"{page}/booths", data={"codes": f"{codes[0]}, ZZ-9999", "accessible": "0"})
    assert bad.status_code == 404 and "ZZ-9999" in bad.get_data(as_text=True)
    wrong = client.post(f"{page}/booths", data={"codes": codes[0], "accessible": "maybe"})
    assert wrong.status_code == 400 and "accessible" in wrong.get_data(as_text=True)
    db.expire_all()
    assert all(
        b.accessible
        for b in db.scalars(select(Booth).where(Booth.code.in_(codes), Booth.event_id == event.id))
    )
    resp = client.post(
        f"{page}/booths", data={"codes": f"{codes[0]}..{codes[2]}", "accessible": "0"}
    )
    assert resp.status_code == 302
    db.expire_all()
    rows = list(db.scalars(select(Booth).where(Booth.code.in_(codes), Booth.event_id == event.id)))
    assert not any(b.accessible for b in rows)
    html = client.get(page).get_data(as_text=True)
    assert "Ubah sifat" in html
    client.post(f"{page}/undo")
    db.expire_all()
    assert all(b.accessible for b in rows)
