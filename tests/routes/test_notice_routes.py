"""The notice pages of the demo's published CFD: WhatsApp links, SMS texts, the CSV for a
gateway (recorded as sent), the changes-only list, and who may see them."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import parse_qs, urlparse

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import NoticeLog

EVENT = "cfd-2026-12-06"


def test_planner_sees_a_whatsapp_link_per_vendor(client: FlaskClient, auth: Any) -> None:
    auth.login("planner")
    resp = client.get(f"/planner/events/{EVENT}/pemberitahuan")
    assert resp.status_code == 200
    assert "no-store" in resp.headers["Cache-Control"]
    html = resp.get_data(as_text=True)
    assert 'href="https://wa.me/62' in html
    first = html.split('href="https://wa.me/', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    text = parse_qs(urlparse("https://wa.me/" + first).query)["text"][0]
    assert text.startswith("Halo ") and "/lapak/v/" in text and "WIB" in text
    event_page = client.get(f"/planner/events/{EVENT}").get_data(as_text=True)
    assert f"/planner/events/{EVENT}/pemberitahuan" in event_page


def test_csv_export_is_recorded_and_changes_only_is_then_empty(
    client: FlaskClient, auth: Any, db: Session
) -> None:
    auth.login("planner")
    before = db.scalar(select(func.count()).select_from(NoticeLog))
    resp = client.post(f"/planner/events/{EVENT}/pemberitahuan.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert rows[0][:2] == ["phone", "message"]
    assert all(r[0].startswith("628") for r in rows[1:])
    after = db.scalar(select(func.count()).select_from(NoticeLog))
    assert after - before == len(rows) - 1 > 0
    changes = client.get(f"/planner/events/{EVENT}/pemberitahuan?only=changes")
    html = changes.get_data(as_text=True)
    assert 'id="no-notices"' in html or "tanpa nomor HP" in html
    assert 'href="https://wa.me/' not in html


def test_one_vendor_marked_sent(client: FlaskClient, auth: Any, db: Session) -> None:
    user = auth.login("planner")
    html = client.get(f"/planner/events/{EVENT}/pemberitahuan").get_data(as_text=True)
    vendor_id = int(html.split('name="vendor_id" value="', 1)[1].split('"', 1)[0])
    resp = client.post(
        f"/planner/events/{EVENT}/pemberitahuan/catat",
        data={"vendor_id": str(vendor_id), "channel": "wa"},
    )
    assert resp.status_code == 303
    log = db.scalars(select(NoticeLog).where(NoticeLog.vendor_id == vendor_id)).one()
    assert log.channel == "wa" and log.user_id == user.id and log.booth_codes
    bad = client.post(
        f"/planner/events/{EVENT}/pemberitahuan/catat",
        data={"vendor_id": str(vendor_id), "channel": "merpati"},
        follow_redirects=True,
    )
    assert "Saluran tidak dikenal" in bad.get_data(as_text=True)


def test_a_draft_event_has_no_notices(
    client: FlaskClient, auth: Any, make_event: Any, db: Session
) -> None:
    from app.models import City

    city = db.scalars(select(City).where(City.slug == "pontianak")).one()
    draft = make_event(city=city)
    auth.login("planner")
    resp = client.get(f"/planner/events/{draft.slug}/pemberitahuan")
    assert resp.status_code == 400


def test_crew_may_not_send_notices(client: FlaskClient, auth: Any) -> None:
    auth.login("crew")
    assert client.get(f"/planner/events/{EVENT}/pemberitahuan").status_code == 403
    assert client.post(f"/planner/events/{EVENT}/pemberitahuan.csv").status_code == 403
