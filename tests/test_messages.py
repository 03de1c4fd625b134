"""The bilingual message type: one catalogue, rendered in the reader's language at the edge."""

from __future__ import annotations

import string

import pytest
from flask import Flask

from app.i18n import localize
from app.messages import Msg, bilingual, define, render, templates


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_fills_the_same_parameters_in_both_languages() -> None:
    # import the modules that define messages, so the catalogue is complete
    import app.allocation.explain
    import app.cli.allocation
    import app.cli.data
    import app.cli.gis
    import app.messages as messages
    import app.services.layout  # noqa: F401

    for code in list(messages._CATALOGUE):
        if code in ("text", "nothing"):  # a sentence given whole; an empty part
            continue
        text_id, text_en = templates(code)
        assert _fields(text_id) == _fields(text_en), code
        assert text_id and text_en, code


def test_metres_follow_the_language() -> None:
    m = define("test.metres", id="{x:m} m", en="{x:m} m")
    assert render(m(x=4.25), "id") == "4,25 m"
    assert render(m(x=4.25), "en") == "4.25 m"
    assert bilingual(m(x=4.0)) == "4 m"


def test_a_message_inside_a_message_takes_the_same_language() -> None:
    outer = define("test.outer", id="Dekat {what}.", en="Near {what}.")
    inner = Msg.text("hidran", "hydrant")
    assert render(outer(what=inner), "en") == "Near hydrant."
    assert render(outer(what=inner), "id") == "Dekat hidran."


def test_unknown_code_and_conflicting_definitions_are_refused() -> None:
    with pytest.raises(KeyError):
        Msg("test.never-defined")
    define("test.once", id="a", en="b")
    define("test.once", id="a", en="b")  # the same definition again (a module reloaded) is fine
    with pytest.raises(ValueError, match="twice"):
        define("test.once", id="a", en="c")


def test_messages_are_values() -> None:
    assert Msg.text("Ya", "Yes") == Msg.text("Ya", "Yes")
    assert len({Msg.text("Ya", "Yes"), Msg.text("Ya", "Yes")}) == 1


def test_localize_reads_the_request_locale(app: Flask) -> None:
    msg = Msg.text("Acara sudah ditutup.", "The event is closed.")
    with app.test_request_context("/?lang=en"):
        assert localize(msg) == "The event is closed."
    with app.test_request_context("/"):
        assert localize(msg) == "Acara sudah ditutup."
        assert localize(msg, "en") == "The event is closed."
