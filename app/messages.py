"""One bilingual message type: a code plus parameters, rendered in the reader's language late.

Engines, services and the CLI say things to people (an allocation reason, a conflict, a row of an
import report, a refused request) as a :class:`Msg`: a code from the catalogue and the values
that fill it. Nothing is rendered where the message is made; the edge renders it once, in the
reader's language: :func:`app.i18n.localize` in a request (Flask-Babel's locale), the CLI's
``--lang id|en`` option, or :func:`render` given a language. Bahasa Indonesia is the default.

Templates are ``str.format`` strings over the parameters, with two additions:

* ``{x:m}`` writes a number of metres as a person writes it: ``2,5`` in Indonesian, ``2.5`` in
  English (at most two decimals, no trailing zeros); any other float takes a decimal comma in
  Indonesian (``{q:.2f}``: ``0,80`` / ``0.80``);
* ``{x:q}`` writes a measured quantity (metres, m²): one decimal from 1 upwards, two below;
  ``{x:qfloor}`` truncates instead of rounding, so a distance shown next to its limit does not
  read as equal to it (2.97 m is "2,9 m", not "3 m"), and a tiny positive one reads ``<0,01``;
* ``{t:hm}`` writes a time of day: ``06.00`` in Indonesian, ``06:00`` in English;
* ``{n:ord}`` writes an English ordinal (``1st``, ``2nd``…) and the plain number in Indonesian,
  whose templates say ``ke-{n}``;
* a parameter that is itself a :class:`Msg` (a facility's label, say) is rendered in the same
  language.

Each module that speaks defines its messages next to the code that uses them with
:func:`define`, which registers the templates in the one catalogue and refuses a code defined
twice; ``Msg.text(id, en)`` carries a sentence not (yet) in the catalogue, such as a service
error written where it is raised.

This module is pure (no Flask): the engines in ``app/gis`` and ``app/allocation`` import it.

Examples
--------
>>> TOO_SHORT = define(
...     "example.too_short",
...     id="Koridor {length:m} m terlalu pendek.",
...     en="The {length:m} m corridor is too short.",
... )
>>> msg = TOO_SHORT(length=2.5)
>>> msg.code, render(msg, "id"), render(msg, "en")
('example.too_short', 'Koridor 2,5 m terlalu pendek.', 'The 2.5 m corridor is too short.')
>>> render(Msg.text("Halo", "Hello"), "en")
'Hello'
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from types import MappingProxyType
from typing import Final, Literal

__all__ = [
    "LANGUAGES",
    "Lang",
    "NOTHING",
    "Msg",
    "MsgTemplate",
    "bilingual",
    "define",
    "from_json",
    "language",
    "metres_text",
    "ordinal_en",
    "quantity_text",
    "render",
    "templates",
    "to_json",
]

Lang = Literal["id", "en"]
#: The languages every message exists in; the first is the default.
LANGUAGES: Final[tuple[Lang, ...]] = ("id", "en")

_CATALOGUE: dict[str, tuple[str, str]] = {}
_EMPTY: Mapping[str, object] = MappingProxyType({})


@dataclass(frozen=True, eq=True)
class Msg:
    """A message to a person: a catalogue ``code`` and the ``params`` that fill its templates.

    Compare messages by value; render them only at the edge (:func:`render`,
    :func:`app.i18n.localize`).
    """

    code: str
    params: Mapping[str, object] = field(default_factory=lambda: _EMPTY)

    def __post_init__(self) -> None:
        if self.code not in _CATALOGUE:
            raise KeyError(f"message code {self.code!r} is not in the catalogue")
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted((k, repr(v)) for k, v in self.params.items()))))

    @classmethod
    def text(cls, text_id: str, text_en: str | None = None) -> Msg:
        """A sentence given whole in both languages (English falls back to the Indonesian).

        >>> Msg.text("Acara sudah ditutup.", "The event is closed.").params["en"]
        'The event is closed.'
        """
        return cls("text", {"id": text_id, "en": text_en if text_en is not None else text_id})

    def render(self, lang: str) -> str:
        """This message in ``lang`` (``"id"`` or ``"en"``; anything else gives Indonesian)."""
        return render(self, lang)


@dataclass(frozen=True)
class MsgTemplate:
    """A registered message code; calling it with the parameters makes a :class:`Msg`."""

    code: str

    def __call__(self, **params: object) -> Msg:
        """The message with these parameters."""
        return Msg(self.code, params)


def define(code: str, *, id: str, en: str) -> MsgTemplate:  # noqa: A002 - the language's code
    """Register a message's Indonesian and English templates under ``code``.

    Raises
    ------
    ValueError
        When ``code`` is already defined with other templates (two meanings for one code).
    """
    known = _CATALOGUE.get(code)
    if known is not None and known != (id, en):
        raise ValueError(f"message code {code!r} is defined twice")
    _CATALOGUE[code] = (id, en)
    return MsgTemplate(code)


def templates(code: str) -> tuple[str, str]:
    """The Indonesian and English templates of ``code``."""
    return _CATALOGUE[code]


def language(lang: object) -> Lang:
    """``"en"`` for English (``"en"``, ``"en_GB"``, a Babel locale of English), else ``"id"``.

    >>> language("en_US"), language("id"), language(None), language("fr")
    ('en', 'id', 'id', 'id')
    """
    text = str(lang or "")
    return "en" if text == "en" or text.startswith(("en_", "en-")) else "id"


def metres_text(value: float, lang: str) -> str:
    """Metres as a person writes them: ``2,5`` in Indonesian, ``2.5`` in English.

    >>> metres_text(2.50, "id"), metres_text(2.50, "en"), metres_text(4.0, "id")
    ('2,5', '2.5', '4')
    """
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if language(lang) == "id" else text


def quantity_text(value: float, lang: str, *, floor: bool = False) -> str:
    """Metres or m² the way people read them: ``1,8`` / ``1.8``, ``0,25``, ``3``.

    One decimal from 1 upwards, two below; ``floor`` truncates instead of rounding.

    >>> quantity_text(1.84, "id"), quantity_text(0.25, "en"), quantity_text(2.97, "id", floor=True)
    ('1,8', '0.25', '2,9')
    >>> quantity_text(0.004, "id", floor=True)
    '<0,01'
    """
    small = -1.0 < value < 1.0
    decimal_comma = language(lang) == "id"
    if floor:
        scale = 100.0 if small else 10.0
        truncated = math.floor(value * scale + 1e-9) / scale  # 1e-9: 0.29 * 100 is 28.999…
        if truncated == 0.0 and value > 0.0:
            return "<0,01" if decimal_comma else "<0.01"
        value = truncated
    text = f"{value:.2f}" if small else f"{value:.1f}"
    text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if decimal_comma else text


def ordinal_en(n: int) -> str:
    """Return ``1st``, ``2nd``, ``3rd``, ``4th``… (``11th``, ``12th``, ``13th`` included).

    >>> [ordinal_en(i) for i in (1, 2, 3, 4, 11, 12, 13, 21, 22)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd']
    """
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class _Formatter(string.Formatter):
    def __init__(self, lang: Lang) -> None:
        super().__init__()
        self.lang = lang

    def format_field(self, value: object, format_spec: str) -> str:
        if isinstance(value, Msg):
            return render(value, self.lang)
        if format_spec == "m" and isinstance(value, int | float):
            return metres_text(float(value), self.lang)
        if format_spec in ("q", "qfloor") and isinstance(value, int | float):
            return quantity_text(float(value), self.lang, floor=format_spec == "qfloor")
        if format_spec == "hm" and isinstance(value, time):
            sep = "." if self.lang == "id" else ":"
            return f"{value.hour:02d}{sep}{value.minute:02d}"
        if format_spec == "ord" and isinstance(value, int):
            return ordinal_en(value) if self.lang == "en" else str(value)
        text = str(super().format_field(value, format_spec))
        if isinstance(value, float) and self.lang == "id":
            return text.replace(".", ",")
        return text


def render(msg: Msg, lang: str) -> str:
    """``msg`` in ``lang`` (``"id"`` or ``"en"``; anything else gives Indonesian).

    >>> render(Msg.text("Ya", "Yes"), "id")
    'Ya'
    """
    which = language(lang)
    template = _CATALOGUE[msg.code][LANGUAGES.index(which)]
    return str(_Formatter(which).vformat(template, (), dict(msg.params)))


def bilingual(msg: Msg) -> str:
    """Both languages in one line, Indonesian first: ``"… / …"`` (logs, files read by both).

    >>> bilingual(Msg.text("Ya", "Yes"))
    'Ya / Yes'
    """
    text_id, text_en = render(msg, "id"), render(msg, "en")
    return text_id if text_id == text_en else f"{text_id} / {text_en}"


def to_json(msg: Msg) -> dict[str, object]:
    """``msg`` as JSON to store (a database column, a run's result): its code and parameters.

    A parameter that is a :class:`Msg` is stored the same way under ``{"msg": …}``, a time of day
    under ``{"time": "HH:MM:SS"}``; numbers, text, yes/no and nothing stay as they are.

    >>> to_json(Msg.text("Ya", "Yes"))
    {'code': 'text', 'params': {'id': 'Ya', 'en': 'Yes'}}
    """
    return {"code": msg.code, "params": {k: _param_json(v) for k, v in msg.params.items()}}


def _param_json(value: object) -> object:
    if isinstance(value, Msg):
        return {"msg": to_json(value)}
    if isinstance(value, time):
        return {"time": value.isoformat()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def from_json(data: object) -> Msg | None:
    """The :class:`Msg` stored by :func:`to_json`; ``None`` for anything else.

    Anything else is an older row's plain sentence, or a code no longer in the catalogue: the
    reader decides what to show then (:func:`app.services.reasons.reason_text`).

    >>> from_json(to_json(Msg.text("Ya", "Yes"))) == Msg.text("Ya", "Yes")
    True
    >>> from_json("Kalimat lama."), from_json({"code": "no.such.code", "params": {}})
    (None, None)
    """
    if not isinstance(data, Mapping):
        return None
    code, params = data.get("code"), data.get("params", {})
    if not isinstance(code, str) or code not in _CATALOGUE or not isinstance(params, Mapping):
        return None
    typed: dict[str, object] = {}
    for key, value in params.items():
        if isinstance(value, Mapping) and set(value) == {"msg"}:
            inner = from_json(value["msg"])
            if inner is None:
                return None
            typed[str(key)] = inner
        elif isinstance(value, Mapping) and set(value) == {"time"}:
            try:
                typed[str(key)] = time.fromisoformat(str(value["time"]))
            except ValueError:
                return None
        else:
            typed[str(key)] = value
    return Msg(code, typed)


define("text", id="{id}", en="{en}")
#: Nothing to say: an optional part of a sentence left out.
NOTHING = define("nothing", id="", en="")
