"""Every page reads in one language: no English on Indonesian pages, no Indonesian on English ones.

The walk reads ``app.url_map``, so a page added tomorrow is read tomorrow. For each role (as in
:mod:`tests.routes.test_route_walk`) every ``GET`` route that answers HTML is rendered twice,
``?lang=id`` and ``?lang=en``; the text a person reads (the page's text, ``title``,
``aria-label``, ``placeholder``, ``alt`` and button values; not scripts or styles) is searched for
tell-tale words of the other language. Error pages (a 404 for an id that does not exist, a 403)
are read too: they are pages people see.

Data is not interface: an event named "Minggu 6 Desember" stays so in English. The text people
typed into the database (names, notes, descriptions) is taken out of a page before it is read;
generated text stored in the database (an allocation's explanation) is not data and is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.models import Vendor
from tests.routes.test_route_walk import (  # noqa: F401 - walk_vendor is a fixture used here
    EVENT as WALK_EVENT,
)
from tests.routes.test_route_walk import (
    SESSION_ENDERS,
    _args,
    _login,
    _sane,
    _url,
    walk_vendor,  # noqa: F401 - a fixture used here
)

#: The demo's allocated event: its pages show allocation reasons, statuses and explanations.
DEMO_EVENT = "cfd-2026-12-06"
#: Words that give an Indonesian interface away (looked for on English pages).
INDONESIAN = frozenset(
    """
    dan yang untuk dengan tidak belum sudah atau dari pada akan bisa harus ini itu
    simpan batal batalkan hapus cari masuk keluar kembali ubah tambah unduh cetak tutup
    acara pedagang petugas perencana lapak-lapak halaman semua tanggal jam sandi
    berhasil gagal ditolak diterima sebelum sesudah setelah minimal maksimal
    """.split()
)
#: Words that give an English interface away (looked for on Indonesian pages).
ENGLISH = frozenset(
    """
    the and with for not your you this that from will must should
    save cancel delete search sign log back edit add download print close
    event events vendor vendors booth booths planner crew officer page all date time password
    saved failed refused accepted before after minimum maximum
    """.split()
)
URL = re.compile(r"\b(?:https?|geo|mailto|tel):\S+")
WORD = re.compile(r"[A-Za-zÀ-ÿ]+(?:-[A-Za-zÀ-ÿ]+)*")
#: Endpoints whose answer is not a page (files, feeds, data) are skipped by content type; these
#: are skipped by name: they answer HTML written by a library, not by us.
NOT_OURS = {"static"}
#: Pages each role reads at least (the walk itself works).
MIN_PAGES = {
    "anonymous": 4,
    "vendor": 4,
    "crew": 6,
    "petugas": 5,
    "petugas_layanan": 5,
    "planner": 15,
    "admin": 15,
}
#: Columns of text that people type (names, notes, descriptions), in any table.
DATA_COLUMNS = frozenset(
    {
        "name",
        "owner_name",
        "business_name",
        "label",
        "description",
        "notes",
        "note",
        "title",
        "email",
    }
)
#: Tables whose text is the app's own (bilingual labels), not data.
NOT_DATA_TABLES = frozenset({"facility_kind", "spatial_ref_sys", "alembic_version"})
#: Elements whose text is not language: scripts, styles, and commands or code shown as such.
SKIPPED = frozenset({"script", "style", "template", "code", "kbd", "samp"})
#: Elements that have no end tag.
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
#: Text attributes a person reads or hears.
READ_ATTRS = ("title", "aria-label", "placeholder", "alt")


class _Reader(HTMLParser):
    """Collects the text a person reads: body text and the readable attributes.

    Skipped: scripts, styles and code (:data:`SKIPPED`), and any element that declares its own
    language with ``lang`` (a text that is meant to stay in one language, such as the Indonesian
    message sent to a vendor, says so for screen readers too).
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, skipped from here)

    @property
    def _skipping(self) -> bool:
        return any(skip for _tag, skip in self._open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag not in VOID:
            self._open.append((tag, tag in SKIPPED or (tag != "html" and "lang" in named)))
        if self._skipping:
            return
        for attr in READ_ATTRS:
            if named.get(attr):
                self.parts.append(str(named[attr]))
        if tag == "input" and named.get("type") in ("submit", "button") and named.get("value"):
            self.parts.append(str(named["value"]))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:  # close it and anything left open inside it
                del self._open[i:]
                break

    def handle_data(self, data: str) -> None:
        if not self._skipping and data.strip():
            self.parts.append(data.strip())


def readable_text(html: str) -> list[str]:
    reader = _Reader()
    reader.feed(html)
    return reader.parts


def _data(db: Session) -> re.Pattern[str]:
    """The text people typed into the database (names, notes, descriptions): data, not interface.

    A pattern that finds any of these values, longest first, so that a page's text can be read
    without them.
    """
    columns = db.execute(
        text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type IN ('text', 'character varying') "
            "AND column_name = ANY(:names) AND NOT table_name = ANY(:not_data)"
        ),
        {"names": list(DATA_COLUMNS), "not_data": list(NOT_DATA_TABLES)},
    ).all()
    values: set[str] = set()
    for table, column in columns:
        values.update(
            str(v).strip()
            for v in db.execute(
                text(
                    f'SELECT DISTINCT "{column}" FROM "{table}" WHERE "{column}" <> \'\' LIMIT 5000'
                )
            ).scalars()
        )
    ordered = sorted((v for v in values if v), key=len, reverse=True)
    return re.compile("|".join(re.escape(v) for v in ordered) or "(?!)")


def _pages(app: Flask, vendor: Vendor) -> Iterator[str]:
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
    for rule in rules:
        if "GET" not in (rule.methods or set()) or rule.endpoint in SESSION_ENDERS:
            continue
        if rule.endpoint in NOT_OURS or rule.rule.startswith(("/api/", "/ogc", "/tiles/")):
            continue
        values = {}
        for conv, name in _args(rule):
            values[name] = str(vendor.id) if name == "vendor_id" else _sane(rule, conv, name)
            if values[name] == WALK_EVENT:
                values[name] = DEMO_EVENT  # allocated: its pages show reasons and explanations
        yield _url(rule, values)


def _offending(parts: list[str], forbidden: frozenset[str], data: re.Pattern[str]) -> list[str]:
    found = []
    for part in parts:
        for word in WORD.findall(URL.sub(" ", data.sub(" ", part))):
            if word.lower() in forbidden:
                found.append(f"{word!r} in {part[:90]!r}")
    return found


@pytest.mark.parametrize(
    "role", ["anonymous", "vendor", "crew", "petugas", "petugas_layanan", "planner", "admin"]
)
def test_every_page_reads_in_one_language(
    role: str,
    app: Flask,
    walk_vendor: Vendor,  # noqa: F811 - the fixture imported above
    client: FlaskClient,
    make_user: Any,
    db: Session,
) -> None:
    app.config["RATELIMIT_SCALE"] = 0
    _login(role, client, make_user, walk_vendor)
    data = _data(db)
    problems: list[str] = []
    read: set[str] = set()
    for url in _pages(app, walk_vendor):
        for lang, forbidden in (("id", ENGLISH), ("en", INDONESIAN)):
            sep = "&" if "?" in url else "?"
            resp = client.get(f"{url}{sep}lang={lang}")
            if resp.mimetype != "text/html" or resp.status_code in (301, 302, 303):
                continue  # a page another route renders (the login page) is read there
            read.add(url)
            found = _offending(readable_text(resp.get_data(as_text=True)), forbidden, data)
            if found:
                problems.append(f"{url} [{lang}, {resp.status_code}]: " + "; ".join(found[:6]))
    assert len(read) >= MIN_PAGES[role]  # the walk itself works: pages were read
    assert not problems, f"{len(problems)} pages mix languages:\n" + "\n".join(problems[:60])


def test_the_reader_finds_words_in_text_and_attributes_not_in_scripts() -> None:
    html = (
        '<p>Simpan</p><button aria-label="Save">x</button><script>var save = 1;</script>'
        '<input type="submit" value="Batal"><input placeholder="Search">'
        '<p lang="id">Teks SMS untuk pedagang</p><p>Akhir<br>teks</p>'
    )
    parts = readable_text(html)
    assert parts == ["Simpan", "Save", "x", "Batal", "Search", "Akhir", "teks"]
    nothing = re.compile("(?!)")
    assert _offending(parts, ENGLISH, nothing) == ["'Save' in 'Save'", "'Search' in 'Search'"]
    assert _offending(parts, ENGLISH, re.compile("Save")) == ["'Search' in 'Search'"]
