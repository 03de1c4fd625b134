"""The planner's workbench around the event page: the home's conflict counts, assigning from the
table without script, and the print menu placed after the map."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from geoalchemy2.shape import from_shape, to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.messages import from_json
from app.models import HOLDING_STATUSES, Assignment, AuditEntry, Booth, City, Event, Vendor
from app.services.cities import booth_defaults_for
from app.services.city_rules import rule_rows
from app.services.conflicts import event_conflicts
from app.services.event_board import conflict_counts
from app.services.layout import LayoutParams, generate_event_layout
from app.services.reasons import reason_text

UPCOMING = "cfd-2026-12-06"
PAGE = f"/planner/events/{UPCOMING}"


def _event(db: Session) -> Event:
    return db.scalars(select(Event).where(Event.slug == UPCOMING)).one()


def _free_booths(db: Session, n: int) -> list[Booth]:
    event = _event(db)
    held = select(Assignment.booth_id).where(
        Assignment.event_id == event.id, Assignment.status.in_(HOLDING_STATUSES)
    )
    return list(
        db.scalars(
            select(Booth)
            .where(Booth.event_id == event.id, Booth.kind == "vendor", Booth.id.not_in(held))
            .order_by(Booth.code)
            .limit(n)
        )
    )


def _unplaced(db: Session) -> list[Vendor]:
    event = _event(db)
    placed = select(Assignment.vendor_id).where(
        Assignment.event_id == event.id, Assignment.status.in_(HOLDING_STATUSES)
    )
    return list(
        db.scalars(
            select(Vendor)
            .where(
                Vendor.city_id == event.city_id,
                Vendor.active.is_(True),
                Vendor.id.not_in(placed),
            )
            .order_by(Vendor.id)
        )
    )


def _holder(db: Session, booth: Booth) -> Assignment | None:
    db.expire_all()
    return db.scalars(
        select(Assignment).where(
            Assignment.booth_id == booth.id, Assignment.status.in_(HOLDING_STATUSES)
        )
    ).first()


# -- the planner's home ---------------------------------------------------------------------------


def test_home_counts_blocking_and_warning_conflicts_per_event(
    client: FlaskClient, auth: Any, db: Session, make_facility: Any
) -> None:
    event = _event(db)
    booth = db.scalars(
        select(Booth).where(Booth.event_id == event.id, Booth.kind == "vendor")
    ).first()
    assert booth is not None
    # A hydrant on a booth: a blocking conflict the home must count.
    point = from_shape(to_shape(booth.geom).centroid, 4326)
    hydrant = make_facility(city=event.city, kind="hydrant", geom=point)
    db.commit()
    found = event_conflicts(db, event)
    blocking = sum(1 for c in found if c.severity == "blocking")
    warning = sum(1 for c in found if c.severity == "warning")
    assert blocking >= 1 and hydrant.id
    counts = conflict_counts(db, [event])[event.id]
    assert counts is not None and (counts.blocking, counts.warning) == (blocking, warning)

    auth.login("planner")
    html = client.get("/planner/").get_data(as_text=True)
    assert 'class="button new-event" href="/planner/events/new"' in html
    row = re.search(rf'<tr><td><a href="{PAGE}">.*?</tr>', html, re.S)
    assert row, "the event's row"
    assert f"{blocking} menghalangi" in row.group(0)
    assert f'href="{PAGE}#conflicts"' in row.group(0)
    english = client.get("/planner/?lang=en").get_data(as_text=True)
    assert f"{blocking} blocking" in english and "New event" in english


def test_home_does_not_check_closed_events(db: Session) -> None:
    event = _event(db)
    event.status = "closed"
    db.commit()
    assert conflict_counts(db, [event]) == {event.id: None}


# -- assigning from the table without script -------------------------------------------------------


def test_free_rows_offer_an_assign_form_with_the_vendor_list(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    auth.login("planner")
    html = client.get(f"{PAGE}?state=free").get_data(as_text=True)
    booth = _free_booths(db, 1)[0]
    vendor = _unplaced(db)[0]
    row = re.search(rf'<tr id="b-{booth.code}".*?</tr>', html, re.S)
    assert row
    assert 'action="/planner/events/cfd-2026-12-06/assign"' in row.group(0)
    assert f'name="booth_code" value="{booth.code}"' in row.group(0)
    assert 'name="csrf_token"' in row.group(0) and 'list="free-vendors"' in row.group(0)
    assert '<datalist id="free-vendors">' in html
    assert (
        f"(#{vendor.id})" in html.split('<datalist id="free-vendors">')[1].split("</datalist>")[0]
    )


def test_plain_assign_places_and_comes_back_to_the_same_table_view(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    auth.login("planner")
    booth = _free_booths(db, 1)[0]
    vendor = _unplaced(db)[0]
    resp = client.post(
        f"{PAGE}/assign",
        data={
            "booth_code": booth.code,
            "vendor": f"{vendor.business_name} · Whatever (#{vendor.id})",
            "table": "state=free&sort=code&page=2&evil=1",
        },
    )
    assert resp.status_code == 302
    location = resp.headers["Location"]
    assert "state=free" in location and "sort=code" in location and "page=2" in location
    assert "evil" not in location and location.endswith(f"#b-{booth.code}")
    held = _holder(db, booth)
    assert held is not None and held.vendor_id == vendor.id and held.pinned
    audit = db.scalars(
        select(AuditEntry).where(AuditEntry.entity == "assignment", AuditEntry.entity_id == held.id)
    ).first()
    assert audit is not None
    # Back on the page the answer stands where the row was (the booth left the "free" filter,
    # so the note itself carries the row's anchor), not in the banner at the top.
    page = client.get(location.split("#")[0]).get_data(as_text=True)
    note = re.search(
        rf'<p class="table-note ok" id="b-{booth.code}" role="status">([^<]*)</p>', page
    )
    assert note and booth.code in note.group(1) and vendor.business_name in note.group(1)
    assert 'class="flash' not in page


def test_plain_assign_takes_a_unique_name_and_refuses_bad_choices(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    auth.login("planner")
    first, second = _free_booths(db, 2)
    vendors = _unplaced(db)
    vendor = vendors[0]
    # by its exact name (case and spaces aside), when one unplaced vendor has it
    resp = client.post(
        f"{PAGE}/assign",
        data={"booth_code": first.code, "vendor": f"  {vendor.business_name.upper()} "},
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"#b-{first.code}")
    assert _holder(db, first).vendor_id == vendor.id  # type: ignore[union-attr]

    def refused(data: dict[str, str]) -> str:
        resp = client.post(f"{PAGE}/assign", data=data | {"table": "q=AY"})
        assert resp.status_code == 302
        page = client.get(resp.headers["Location"].split("#")[0]).get_data(as_text=True)
        note = re.search(r'class="(?:row-msg|table-note) error"[^>]*>([^<]*)<', page)
        assert note, data
        return note.group(1)

    assert "pilih pedagang" in refused({"booth_code": second.code, "vendor": ""})
    assert "tidak ada pedagang" in refused({"booth_code": second.code, "vendor": "Tak Ada Ini"})
    # the vendor just placed is not "without a booth" any more
    assert "sudah punya lapak" in refused({"booth_code": second.code, "vendor": f"#{vendor.id}"})
    # a taken booth
    assert "sudah terisi" in refused({"booth_code": first.code, "vendor": f"#{vendors[1].id}"})
    # two unplaced vendors with one name: the message shows how to pick one
    vendors[1].business_name = vendors[2].business_name = "Kembar Jaya"
    db.commit()
    twin = refused({"booth_code": second.code, "vendor": "kembar jaya"})
    assert "2 pedagang" in twin and "#" in twin
    assert _holder(db, second) is None


def test_plain_assign_needs_the_csrf_token_and_a_planner(
    app: Flask, client: FlaskClient, auth: Any, db: Session
) -> None:
    booth = _free_booths(db, 1)[0]
    vendor = _unplaced(db)[0]
    auth.login("crew")
    data = {"booth_code": booth.code, "vendor": f"#{vendor.id}"}
    assert client.post(f"{PAGE}/assign", data=data).status_code == 403
    auth.logout()
    auth.login("planner")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"{PAGE}/assign", data=data).status_code == 400
    assert _holder(db, booth) is None


# -- the print menu -------------------------------------------------------------------------------


def test_prints_are_one_menu_after_the_map_and_figures(client: FlaskClient, auth: Any) -> None:
    auth.login("planner")
    for lang, summary in (("id", "Cetak"), ("en", "Print")):
        html = client.get(f"{PAGE}?lang={lang}").get_data(as_text=True)
        body = re.split(r"<main\b[^>]*>", html)[1]
        figures = body.index('class="card figures"')
        board = body.index('id="board"')
        menu = body.index('<details class="print-menu"')
        assert figures < board < menu
        assert re.search(rf"<summary>{summary}\b", body[menu:])
        # every PDF link is inside the menu, none before the map
        first_pdf = min(body.index(p) for p in ("/layout.pdf", "/labels.pdf"))
        assert first_pdf > menu
        assert body[:board].count(".pdf") == 0


# -- explanations stored as codes, read in the reader's language ----------------------------------


def test_explanations_are_stored_as_codes_and_read_in_both_languages(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    event = _event(db)
    stored = db.scalars(
        select(Assignment.explanation).where(
            Assignment.event_id == event.id, Assignment.status.in_(HOLDING_STATUSES)
        )
    ).all()
    assert stored and all(from_json(s) is not None for s in stored)
    assert all(s["code"] != "text" for s in stored)  # the allocation's own codes, not sentences
    auth.login("planner")
    booth = _free_booths(db, 1)[0]
    vendor = _unplaced(db)[0]
    client.post(f"{PAGE}/assign", data={"booth_code": booth.code, "vendor": f"#{vendor.id}"})
    placed = _holder(db, booth)
    assert placed is not None
    assert placed.explanation == {
        "code": "assignment.reason.assigned",
        "params": {"code": booth.code},
    }
    english = client.get(f"{PAGE}?lang=en&q={booth.code}").get_data(as_text=True)
    assert f'<td class="why">Placed by a planner on booth {booth.code}.</td>' in english
    indonesian = client.get(f"{PAGE}?lang=id&q={booth.code}").get_data(as_text=True)
    assert f'<td class="why">Ditempatkan perencana di lapak {booth.code}.</td>' in indonesian


def test_older_sentences_are_read_gracefully(client: FlaskClient, auth: Any, db: Session) -> None:
    """A row written before the codes (an undo can bring one back) still reads well."""
    event = _event(db)
    a, b = db.scalars(
        select(Assignment)
        .where(Assignment.event_id == event.id, Assignment.status.in_(HOLDING_STATUSES))
        .order_by(Assignment.id)
        .limit(2)
    ).all()
    a.explanation = f"Dipindahkan perencana ke lapak {a.booth.code}."
    b.explanation = "Catatan lama petugas."
    db.commit()
    assert reason_text(a.explanation, "en") == f"Moved by a planner to booth {a.booth.code}."
    auth.login("planner")
    english = client.get(f"{PAGE}?lang=en&q={a.booth.code}").get_data(as_text=True)
    assert f"Moved by a planner to booth {a.booth.code}." in english
    other = client.get(f"{PAGE}?lang=en&q={b.booth.code}").get_data(as_text=True)
    assert '<td class="why">Catatan lama petugas.</td>' in other


# -- booth properties per city: edited on the rules page, versioned, audited ----------------------


def _rules_form(city: City) -> dict[str, Any]:
    form: dict[str, Any] = {"city": city.slug, "version": str(city.rules_version)}
    form["blocking"] = [r.kind for r in rule_rows(city) if r.blocking]
    for r in rule_rows(city):
        form[f"metres.{r.kind}"] = f"{r.metres:g}"
    for category, cap in (city.category_caps or {}).items():
        form[f"cap.{category}"] = str(cap)
    if city.grow_at_turn:
        form["grow_at_turn"] = "1"
    return form


def test_city_booth_properties_are_versioned_audited_and_used_by_the_next_layout(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    event = _event(db)
    city = event.city
    assert booth_defaults_for(city) == {
        "power_reach_m": 15.0,
        "accessible": True,
        "cooking_allowed": False,
    }
    auth.login("planner")
    page = client.get("/planner/rules/").get_data(as_text=True)
    assert 'name="booth.power_reach_m" type="number"' in page and 'value="15"' in page
    english = client.get("/planner/rules/?lang=en").get_data(as_text=True)
    assert "Booth properties of new layouts" in english
    version = city.rules_version
    form = _rules_form(city) | {"booth.power_reach_m": "0", "booth.cooking_allowed": "1"}
    # no "booth.accessible": the box is unticked
    resp = client.post("/planner/rules/", data=form, follow_redirects=True)
    assert resp.status_code == 200
    db.expire_all()
    assert city.rules_version == version + 1
    assert city.booth_defaults == {
        "power_reach_m": 0.0,
        "accessible": False,
        "cooking_allowed": True,
    }
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.entity == "city_rules").order_by(AuditEntry.id.desc())
    ).first()
    assert entry is not None and entry.after["version"] == version + 1
    assert entry.before["booth"]["power_reach_m"] == 15.0
    assert entry.after["booth"] == {
        "power_reach_m": 0.0,
        "accessible": False,
        "cooking_allowed": True,
    }
    history = client.get("/planner/rules/").get_data(as_text=True)
    assert "booth.power_reach_m" in history and "booth.cooking_allowed" in history
    # the next layout gives its new booths the city's properties (0 m: no pole powers any)
    generate_event_layout(db, event, LayoutParams())
    db.expire_all()
    vendor_booths = db.scalars(
        select(Booth).where(Booth.event_id == event.id, Booth.kind == "vendor", ~Booth.locked)
    ).all()
    assert vendor_booths
    assert not any(b.has_electricity for b in vendor_booths)
    assert all(b.cooking_allowed and not b.accessible for b in vendor_booths)


def test_city_booth_properties_refuse_a_bad_reach_and_keep_when_not_sent(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    city = _event(db).city
    auth.login("planner")
    version = city.rules_version
    bad = client.post(
        "/planner/rules/", data=_rules_form(city) | {"booth.power_reach_m": "sejauh-jauhnya"}
    )
    assert bad.status_code == 400 and "booth.power_reach_m" in bad.get_data(as_text=True)
    too_far = client.post(
        "/planner/rules/", data=_rules_form(city) | {"booth.power_reach_m": "101"}
    )
    assert too_far.status_code == 400
    db.expire_all()
    assert city.rules_version == version and city.booth_defaults is None
    # a form without the booth part (an older page) leaves the booth properties as they are
    client.post("/planner/rules/", data=_rules_form(city) | {"cap.makanan": "41"})
    db.expire_all()
    assert city.booth_defaults is None and city.category_caps["makanan"] == 41
