"""The facility kind registry: every kind complete, and every consumer reading it (no database)."""

from __future__ import annotations

import re
from dataclasses import fields

import pytest
from flask import Flask

from app.gis import conflicts, rules
from app.kinds import FACILITY_KIND_REGISTRY, FACILITY_STYLES, FacilityKind
from app.styles import MarkerStyle

KINDS = list(FACILITY_KIND_REGISTRY.values())
HEX = re.compile(r"#[0-9a-fA-F]{6}")


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.code)
def test_every_kind_has_every_attribute(kind: FacilityKind) -> None:
    assert re.fullmatch(r"[a-z][a-z_]{1,29}", kind.code)  # fits facility.kind (30 characters)
    for field in fields(FacilityKind):
        value = getattr(kind, field.name)
        assert value is not None and value != "", field.name
    for text in (kind.label_id, kind.label_en, kind.noun_id, kind.noun_en):
        assert text == text.strip() and len(text) <= 80  # fits facility_kind.label_*
    assert kind.label_id[0].isupper() and kind.label_en[0].isupper()  # titles
    assert kind.noun_id == kind.noun_id.lower() and kind.noun_en == kind.noun_en.lower()
    assert 0 <= kind.clearance_m <= 100  # clearance_rule's CHECK
    assert kind.severity in ("blocking", "warning")
    assert isinstance(kind.symbol, MarkerStyle)
    assert HEX.fullmatch(kind.symbol.fill) and HEX.fullmatch(kind.symbol.stroke)
    assert kind.symbol.shape in ("circle", "square", "diamond") and kind.symbol.size_px > 0


def test_codes_are_unique_and_other_is_last() -> None:
    assert list(FACILITY_KIND_REGISTRY) == [k.code for k in KINDS]
    assert KINDS[-1].code == "other"


def test_symbols_tell_kinds_apart() -> None:
    symbols = {(k.symbol.shape, k.symbol.fill, k.symbol.glyph) for k in KINDS}
    assert len(symbols) == len(KINDS)


def test_engine_tables_are_read_from_the_registry() -> None:
    assert rules.FACILITY_KINDS == tuple(FACILITY_KIND_REGISTRY)
    assert dict(rules.DEFAULT_CLEARANCES_M) == {k.code: k.clearance_m for k in KINDS}
    assert dict(rules.DEFAULT_CLEARANCE_SOURCES) == {k.code: k.clearance_source for k in KINDS}
    assert conflicts.BLOCKING_FACILITY_KINDS == {k.code for k in KINDS if k.blocking}
    assert dict(FACILITY_STYLES) == {k.code: k.symbol for k in KINDS}


def test_labels_are_the_registry_titles_in_the_reader_language() -> None:
    from app.views.labels import FACILITY_LABELS, as_text

    app = Flask(__name__)
    from app.i18n import init_i18n

    app.config.update(LANGUAGES=["id", "en"], BABEL_DEFAULT_LOCALE="id", SECRET_KEY="x")
    init_i18n(app)
    for lang, attr in (("id", "label_id"), ("en", "label_en")):
        with app.test_request_context(f"/?lang={lang}"):
            assert as_text(FACILITY_LABELS) == {k.code: getattr(k, attr) for k in KINDS}


def test_conflict_sentences_use_the_registry_nouns() -> None:
    from shapely import Point, box

    from app.gis.shapes import BoothShape, FacilityShape

    x, y = 315000.0, 9994000.0
    found = conflicts.find_conflicts(
        booths=[BoothShape("A-1", box(x, y, x + 3, y + 3))],
        facilities=[FacilityShape(7, "drainage_inlet", Point(x + 3.5, y + 1))],
        zones=[],
        clearances_m=rules.DEFAULT_CLEARANCES_M,
    )
    [conflict] = found
    kind = FACILITY_KIND_REGISTRY["drainage_inlet"]
    assert conflict.severity == kind.severity == "warning"
    assert kind.noun_id in conflict.message_id and kind.noun_en in conflict.message_en
