"""The city's rule for vendors on several booths, set on the rules page and audited."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEntry, City
from app.services.city_rules import rule_rows


def test_grow_at_turn_is_a_city_rule_saved_with_a_new_version(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    auth.login("planner")
    city = db.scalars(select(City).where(City.slug == "pontianak")).one()
    version = city.rules_version
    page = client.get("/planner/rules/").get_data(as_text=True)
    assert 'name="grow_at_turn"' in page
    assert "beberapa lapak berdampingan" in page
    english = client.get("/planner/rules/?lang=en").get_data(as_text=True)
    assert "several booths side by side" in english
    form: dict[str, Any] = {"city": "pontianak", "version": str(version), "grow_at_turn": "1"}
    form["blocking"] = [r.kind for r in rule_rows(city) if r.blocking]
    for r in rule_rows(city):
        form[f"metres.{r.kind}"] = f"{r.metres:g}"
    for category, cap in (city.category_caps or {}).items():
        form[f"cap.{category}"] = str(cap)
    resp = client.post("/planner/rules/", data=form, follow_redirects=True)
    assert resp.status_code == 200
    db.expire_all()
    assert city.grow_at_turn is True and city.rules_version == version + 1
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.entity == "city_rules").order_by(AuditEntry.id.desc())
    ).first()
    assert entry is not None
    assert entry.before["grow_at_turn"] is False and entry.after["grow_at_turn"] is True
    # unticked again: back to everyone's minimum first
    form |= {"version": str(version + 1)}
    del form["grow_at_turn"]
    client.post("/planner/rules/", data=form, follow_redirects=True)
    db.expire_all()
    assert city.grow_at_turn is False
