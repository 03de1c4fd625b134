"""Anonymous requests may send little: a long access code is cut before any work, and a body over
MAX_ANONYMOUS_BODY_KB is a 413 in the reader's language (a page, or JSON on the APIs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import app.routes.lapak as lapak_routes
import app.services.vendor_access as vendor_access

BIG_CODE = "KQ7M-" * 4000  # 20,000 characters, over 16 KB


def test_lapak_form_over_the_cap_is_413_with_a_page(client: FlaskClient) -> None:
    resp = client.post("/lapak", data={"code": BIG_CODE, "phone4": "0191"})
    assert resp.status_code == 413
    assert "Kiriman terlalu besar (paling besar 16 KB)." in resp.get_data(as_text=True)
    assert resp.mimetype == "text/html"


def test_lapak_over_the_cap_speaks_english_when_chosen(client: FlaskClient) -> None:
    client.get("/lapak?lang=en")
    resp = client.post("/lapak", data={"code": BIG_CODE, "phone4": "0191"})
    assert resp.status_code == 413
    assert "Request too large (at most 16 KB)." in resp.get_data(as_text=True)


def test_lapak_json_over_the_cap_is_413_json(client: FlaskClient) -> None:
    resp = client.post("/api/lapak", json={"code": BIG_CODE, "phone4": "0191"})
    assert resp.status_code == 413
    assert resp.get_json() == {
        "error": "too_large",
        "message": "Kiriman terlalu besar (paling besar 16 KB).",
    }


def test_login_form_is_capped_too(client: FlaskClient) -> None:
    resp = client.post("/login", data={"email": "x" * 20_000, "password": "p"})
    assert resp.status_code == 413


def test_cap_is_a_setting(app: Flask, client: FlaskClient) -> None:
    app.config["MAX_ANONYMOUS_BODY_KB"] = 64
    resp = client.post("/api/lapak", json={"code": BIG_CODE, "phone4": "0191"})
    assert resp.status_code == 400  # read, and refused as a malformed code


def test_staff_keep_the_upload_limit(client: FlaskClient, auth: Any) -> None:
    auth.login("planner")
    feature = {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [[109.338, -0.03], [109.3382, -0.03], [109.3382, -0.0302], [109.338, -0.03]]
            ],
        },
        "properties": {"name": "Zona besar", "kind": "pkl_legal", "description": "x" * 20_000},
    }
    resp = client.post("/api/workspace/pontianak/layers/zones", json={"feature": feature})
    assert resp.status_code == 201, resp.get_json()


@pytest.fixture
def normalised_lengths(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the length of every string handed to the code normaliser."""
    seen: list[int] = []
    real: Callable[[str], str] = vendor_access.normalise_code

    def recording(raw: str) -> str:
        seen.append(len(raw))
        return real(raw)

    monkeypatch.setattr(vendor_access, "normalise_code", recording)
    monkeypatch.setattr(lapak_routes, "normalise_code", recording, raising=False)
    return seen


@pytest.mark.parametrize("path", ["/lapak", "/api/lapak"])
def test_a_long_code_is_cut_before_it_is_normalised(
    client: FlaskClient, normalised_lengths: list[int], path: str
) -> None:
    code = "KQ7M " * 3000  # 15,000 characters: under the body cap, far over any code
    if path == "/lapak":
        resp = client.post(path, data={"code": code, "phone4": "0191"})
    else:
        resp = client.post(path, json={"code": code, "phone4": "0191"})
    assert resp.status_code == 400
    assert normalised_lengths, "the normaliser was not called"
    assert max(normalised_lengths) <= vendor_access.MAX_TYPED_LENGTH
