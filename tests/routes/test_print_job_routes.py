"""The event page's print buttons: start (or join) a print in the background, follow its pages,
download it; refusals and failures say what is wrong, in the reader's language."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from tests.conftest import AuthActions
from tests.services.test_print_jobs import Deferred

SLUG = "cfd-2026-12-06"
START = f"/crew/events/{SLUG}/prints"


def _deferred(app: Flask) -> Deferred:
    runner = Deferred()
    app.extensions["petalapak.print_runner"] = runner
    return runner


def test_a_print_is_started_followed_and_downloaded(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    runner = _deferred(app)
    auth.login("crew")
    started = client.post(f"{START}/layout?size=A4", headers={"Accept": "application/json"})
    assert started.status_code == 202, started.data
    job = started.get_json()
    assert (job["state"], job["done"], job["total"]) == ("running", 0, 0)
    assert job["filename"] == f"{SLUG}-tata-letak-A4.pdf"
    assert client.get(job["status_url"]).get_json()["state"] == "running"
    joined = client.post(f"{START}/layout?size=A4")
    assert joined.status_code == 202 and joined.get_json()["id"] == job["id"]
    assert client.get(job["file_url"]).status_code == 404  # not ready yet
    assert runner.run() == 1  # one renderer for both requests

    done = client.get(job["status_url"]).get_json()
    pdf = client.get(job["file_url"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "no-store" in pdf.headers["Cache-Control"]
    assert f'filename="{SLUG}-tata-letak-A4.pdf"' in pdf.headers["Content-Disposition"]
    pages = len(PdfReader(io.BytesIO(pdf.data)).pages)
    assert (done["state"], done["done"], done["total"]) == ("done", pages, pages)

    # asked again: ready at once; and the plain link serves the same PDF without drawing it
    again = client.post(f"{START}/layout?size=A4")
    assert again.status_code == 200 and again.get_json()["state"] == "done"
    plain = client.get(f"/crew/events/{SLUG}/layout.pdf?size=A4")
    assert plain.headers["X-Cache"] == "hit" and plain.data == pdf.data
    assert runner.jobs == []


def test_labels_for_every_booth_in_the_background(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    runner = _deferred(app)
    auth.login("planner")
    job = client.post(f"{START}/labels?booths=all").get_json()
    runner.run()
    pdf = client.get(job["file_url"])
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "pindai" in text.lower()
    assert client.get(job["status_url"]).get_json()["filename"].endswith("-label-lapak-semua.pdf")


def test_a_failed_print_says_why_in_the_readers_language(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    db: Session,
    make_event: Callable[..., Any],
) -> None:
    runner = _deferred(app)
    event = make_event()  # no booths
    db.commit()
    auth.login("planner")
    job = client.post(f"/crew/events/{event.slug}/prints/layout").get_json()
    runner.run()
    failed_id = client.get(job["status_url"]).get_json()
    failed_en = client.get(job["status_url"] + "?lang=en").get_json()
    assert failed_id["state"] == "failed" == failed_en["state"]
    assert "belum punya tata letak" in failed_id["message"]
    assert "has no booth layout" in failed_en["message"]
    retried = client.post(f"/crew/events/{event.slug}/prints/layout")
    assert retried.status_code == 202 and retried.get_json()["state"] == "running"


def test_refusals_name_what_is_wrong(client: FlaskClient, auth: AuthActions) -> None:
    anonymous = client.post(f"{START}/layout")
    assert anonymous.status_code in (302, 401)
    auth.login("petugas")  # enforcement officers print nothing
    assert client.post(f"{START}/layout").status_code == 403
    auth.logout()
    auth.login("crew")
    unknown = client.post(f"{START}/poster", headers={"Accept": "application/json"})
    assert unknown.status_code == 400 and "poster" in unknown.get_json()["message"]
    bad = client.post(f"{START}/layout?size=B5", headers={"Accept": "application/json"})
    assert bad.status_code == 400 and "B5" in bad.get_json()["message"]
    gone = client.get("/crew/prints/99999999", headers={"Accept": "application/json"})
    assert gone.status_code == 404 and gone.get_json()["message"]
    assert client.get("/crew/prints/99999999/pdf").status_code == 404
    assert client.post("/crew/events/tidak-ada/prints/layout").status_code == 404


def test_the_event_page_offers_the_prints_with_a_progress_bar(
    client: FlaskClient, auth: AuthActions
) -> None:
    auth.login("planner")
    page = client.get(f"/planner/events/{SLUG}").get_data(as_text=True)
    assert page.count("data-print-job=") == 4
    assert f'data-print-job="{START}/layout?names=1"' in page
    assert 'id="print-progress"' in page and "<progress" in page
    assert "js/prints.js" in page
    english = client.get(f"/planner/events/{SLUG}?lang=en").get_data(as_text=True)
    assert "page {done} of {total} done" in english
