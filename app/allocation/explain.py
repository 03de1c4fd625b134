"""Plain sentences, in Bahasa Indonesia and English, for every decision of the engine.

A vendor who asks "why this spot?" or "why no spot?" gets a sentence with the numbers that decided
it (seniority rank, draw number, seed, cap), so the answer can be checked, not just believed. The
sentences are :class:`app.messages.Msg` values made here, next to the engine, so the map, the
printed list and the API say the same; they are rendered in the reader's language at the edge.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from app.allocation.model import Scalar
from app.messages import NOTHING, Msg, MsgTemplate, define

#: Why a vendor could not keep last event's booth (phase 2), keyed by the code in ``detail``.
PREVIOUS_LOST: Final[Mapping[str, MsgTemplate]] = {
    "missing": define(
        "allocation.lost.missing",
        id="lapak itu tidak ada lagi di denah",
        en="that booth is no longer in the layout",
    ),
    "blocked": define(
        "allocation.lost.blocked",
        id="lapak itu diblokir karena konflik",
        en="that booth is blocked by a conflict",
    ),
    "taken": define(
        "allocation.lost.taken",
        id="lapak itu dipegang pedagang lain (dikunci atau lebih senior)",
        en="that booth is held by another vendor (pinned or more senior)",
    ),
    "category_not_allowed": define(
        "allocation.lost.category_not_allowed",
        id="kategorinya tidak diizinkan di zona lapak itu",
        en="their category is not allowed in that booth's zone",
    ),
    "needs_not_met": define(
        "allocation.lost.needs_not_met",
        id="lapak itu tidak memenuhi kebutuhan listrik/aksesibilitasnya",
        en="that booth lacks the electricity or step-free access they need",
    ),
    "cap_reached": define(
        "allocation.lost.cap_reached",
        id="kuota kategorinya sudah penuh",
        en="their category's cap is full",
    ),
}

_PINNED = define(
    "allocation.placed.pinned",
    id="Lapak {code} dikunci untuk pedagang ini oleh panitia (tahap 1: penguncian).",
    en="Booth {code} was pinned to this vendor by the planners (phase 1: pinned).",
)
_RETURNING = define(
    "allocation.placed.returning",
    id="Tetap di lapak {code}, lapaknya pada acara sebelumnya (tahap 2: pedagang lama).",
    en="Keeps booth {code}, their booth at the previous event (phase 2: returning vendors).",
)
_PRIORITY = define(
    "allocation.placed.priority",
    id="Lapak {code} (bagian {section}) diberikan pada tahap 3 (prioritas): peringkat "
    "senioritas {rank}, nomor undian {draw} (seed {seed}), urutan ke-{position} dari {admitted} "
    "pedagang yang diterima; lapak dipilih dengan biaya total terendah untuk semua.{choice} "
    "Kualitas lapak {quality:.2f}.{previous}",
    en="Booth {code} (section {section}) was assigned in phase 3 (priority): seniority rank "
    "{rank}, draw number {draw} (seed {seed}), {position:ord} of {admitted} admitted vendors; "
    "booths were matched at the lowest total cost for everyone.{choice} "
    "Booth quality {quality:.2f}.{previous}",
)
_CHOICE_RANK = define(
    "allocation.choice.rank",
    id=" Bagian ini pilihan ke-{n} pedagang.",
    en=" This section was the vendor's {n:ord} choice.",
)
_CHOICE_NONE = define(
    "allocation.choice.none",
    id=" Bagian pilihan pedagang tidak dapat diberikan.",
    en=" None of the vendor's preferred sections could be given.",
)
_PREVIOUS = define(
    "allocation.previous_lost",
    id=" Lapak sebelumnya ({booth}) tidak dapat dipertahankan: {why}.",
    en=" Their previous booth ({booth}) could not be kept: {why}.",
)
_PINNED_UNUSABLE = define(
    "allocation.unplaced.pinned_booth_unusable",
    id="Lapak kunci {code} tidak dapat dipakai: {why}.",
    en="Pinned booth {code} cannot be used: {why}.",
)
_NO_ALLOWED = define(
    "allocation.unplaced.no_allowed_booth",
    id="Tidak ada lapak yang boleh dipakai kategori {category} di acara ini.",
    en="No booth at this event allows the category {category}.",
)
_NEEDS_NOT_MET = define(
    "allocation.unplaced.needs_not_met",
    id="Tidak ada lapak untuk kategori {category} yang menyediakan {needs}.",
    en="No booth for the category {category} offers {needs}.",
)
_NEEDS: Final = {
    (True, True): define(
        "allocation.needs.both",
        id="listrik dan akses ramah disabilitas",
        en="electricity and step-free access",
    ),
    (True, False): define("allocation.needs.electricity", id="listrik", en="electricity"),
    (False, True): define(
        "allocation.needs.access", id="akses ramah disabilitas", en="step-free access"
    ),
    (False, False): NOTHING,
}
_CAP_REACHED = define(
    "allocation.unplaced.cap_reached",
    id="Kuota {category} ({cap} pedagang, {where}) sudah penuh; pedagang masuk daftar tunggu.",
    en="The cap for {category} ({cap} vendors, {where}) is full; the vendor is on the waitlist.",
)
_CAP_SECTION = define("allocation.cap.section", id="bagian {section}", en="section {section}")
_CAP_EVENT = define("allocation.cap.event", id="seluruh acara", en="whole event")
_OUTRANKED = define(
    "allocation.unplaced.outranked",
    id="Semua lapak yang cocok sudah terisi oleh pedagang yang lebih dahulu dalam urutan "
    "(ditentukan oleh {decided_by}): peringkat {rank}, nomor undian {draw} (seed {seed}); "
    "daftar tunggu nomor {position}.",
    en="Every suitable booth went to vendors earlier in the order (decided by {decided_by}): "
    "rank {rank}, draw number {draw} (seed {seed}); waitlist position {position}.",
)
_BY_DRAW = define("allocation.decided_by.draw", id="nomor undian", en="the draw")
_BY_SENIORITY = define("allocation.decided_by.seniority", id="peringkat senioritas", en="seniority")
_BY_SPECIAL = define(
    "allocation.decided_by.special_need",
    id="lapak khusus disimpan bagi yang membutuhkannya",
    en="special booths kept for those who need them",
)
_BY_FIXED = define(
    "allocation.decided_by.fixed_holder",
    id="izin tetap pemegang lapak",
    en="a fixed holder's permit",
)
DECIDED_BY_TEXT: Final[Mapping[str, MsgTemplate]] = {
    "draw": _BY_DRAW,
    "seniority": _BY_SENIORITY,
    "special_need": _BY_SPECIAL,
    "fixed_holder": _BY_FIXED,
}
#: A booth given again to the next vendor of the waitlist after its holder released it.
OFFERED_FROM_WAITLIST = define(
    "allocation.offered_from_waitlist",
    id="Ditawarkan dari daftar tunggu (posisi {position}) karena lapak dilepas.",
    en="Offered from the waitlist (position {position}) because the booth was released.",
)
_NEEDS_COOKING = define("allocation.needs.cooking", id="izin memasak", en="permission to cook")
_NOT_ATTENDING = define(
    "allocation.unplaced.not_attending",
    id="Pedagang tidak terdaftar hadir pada acara ini, jadi tidak diikutkan dalam alokasi.",
    en="The vendor is not registered as attending this event, so they were not allocated.",
)
_FIXED_UNUSABLE = define(
    "allocation.unplaced.fixed_booth_unusable",
    id="Lapak tetap {code} tidak dapat dipakai: {why}.",
    en="Fixed booth {code} cannot be used: {why}.",
)
_MIN_NOT_AVAILABLE = define(
    "allocation.unplaced.min_not_available",
    id="Tidak ada lagi {n} lapak kosong berdampingan yang cocok untuk kategori {category} "
    "(peringkat {rank}, nomor undian {draw}, seed {seed}); daftar tunggu nomor {position}.",
    en="No {n} suitable free booths side by side are left for the category {category} "
    "(rank {rank}, draw number {draw}, seed {seed}); waitlist position {position}.",
)
_SPECIAL_RESERVED = define(
    "allocation.unplaced.special_booth_reserved",
    id="Lapak yang tersisa adalah lapak khusus (listrik, boleh memasak, akses ramah disabilitas "
    "atau kategori tertentu) yang disimpan bagi pedagang yang membutuhkannya; "
    "daftar tunggu nomor {position}.",
    en="The booths left are special booths (electricity, cooking, step-free access or a "
    "reserved category) kept for vendors who need them; waitlist position {position}.",
)
_PLACED_FIXED = define(
    "allocation.placed.fixed",
    id="Pemegang izin tetap: tetap di lapak {codes} (tahap 1: izin tetap).",
    en="Fixed permit holder: keeps booth {codes} (phase 1: fixed holders).",
)
_PLACED_FIXED_MOVED = define(
    "allocation.placed.fixed_moved",
    id="Pemegang izin tetap: pindah ke lapak pilihannya {codes} (tahap 1: izin tetap); lapak "
    "tetapnya kosong untuk acara ini.",
    en="Fixed permit holder: moves to their preferred booth {codes} (phase 1: fixed holders); "
    "their own booth is free for this event.",
)
_PLACED_BLOCKS = define(
    "allocation.placed.blocks",
    id="Lapak {codes} ({n} lapak berdampingan, bagian {section}) diberikan menurut urutan: "
    "peringkat senioritas {rank}, nomor undian {draw} (seed {seed}).{choice}{contest}",
    en="Booths {codes} ({n} side by side, section {section}) were given in order: seniority "
    "rank {rank}, draw number {draw} (seed {seed}).{choice}{contest}",
)
_PLACED_ONE = define(
    "allocation.placed.one",
    id="Lapak {codes} (bagian {section}) diberikan menurut urutan: peringkat senioritas {rank}, "
    "nomor undian {draw} (seed {seed}).{choice}{contest}",
    en="Booth {codes} (section {section}) was given in order: seniority rank {rank}, draw "
    "number {draw} (seed {seed}).{choice}{contest}",
)
_CONTEST = define(
    "allocation.contest",
    id=" Pilihan pertamanya ({wanted}) sudah diberikan lebih dahulu; yang menentukan: {by}.",
    en=" Their first choice ({wanted}) went first to another vendor; decided by {by}.",
)
_CONTEST_SECTION = define(
    "allocation.contest.section",
    id=" Bagian pilihan pertamanya ({wanted}) sudah terisi lebih dahulu; yang menentukan: {by}.",
    en=" Their first-choice section ({wanted}) was filled first; decided by {by}.",
)
_CONTEST_PREVIOUS = define(
    "allocation.contest.previous",
    id=" Lapaknya pada acara sebelumnya ({wanted}) sudah diberikan lebih dahulu; yang "
    "menentukan: {by}.",
    en=" Their booth at the previous event ({wanted}) went first to another vendor; decided "
    "by {by}.",
)
_CHOICE_BOOTH = define(
    "allocation.choice.booth",
    id=" Lapak ini pilihan ke-{n} pedagang.",
    en=" This booth was the vendor's {n:ord} choice.",
)


def placed(phase: str, detail: Mapping[str, Scalar]) -> Msg:
    """The sentence for a placement.

    ``detail`` holds ``booth_code``, ``section``, ``rank``, ``draw``, ``seed`` and, for the
    priority phase, ``position``, ``admitted``, ``preference`` (1-based rank of the section among
    the vendor's choices, 0 = not chosen, -1 = no choices), ``quality`` and optionally
    ``previous_lost`` / ``previous_booth``.

    Examples
    --------
    >>> placed("returning", {"booth_code": "AY-003"}).render("en")
    'Keeps booth AY-003, their booth at the previous event (phase 2: returning vendors).'
    >>> msg = placed("priority", {"booth_code": "AY-007", "section": "A", "rank": 2, "draw": 5,
    ...                           "seed": 7, "position": 3, "admitted": 40, "preference": 1,
    ...                           "quality": 0.8})
    >>> msg.render("id").split(". ")[-2:]
    ['Bagian ini pilihan ke-1 pedagang', 'Kualitas lapak 0,80.']
    >>> msg.render("en").split(". ")[-2:]
    ["This section was the vendor's 1st choice", 'Booth quality 0.80.']
    """
    code = detail["booth_code"]
    if phase == "pinned":
        return _PINNED(code=code)
    if phase == "returning":
        return _RETURNING(code=code)
    pref = int(detail["preference"] or 0)
    if pref > 0:
        choice = _CHOICE_RANK(n=pref)
    elif pref == 0:
        choice = _CHOICE_NONE()
    else:
        choice = NOTHING()
    lost = detail.get("previous_lost")
    previous = (
        _PREVIOUS(booth=detail.get("previous_booth"), why=PREVIOUS_LOST[lost]())
        if isinstance(lost, str)
        else NOTHING()
    )
    return _PRIORITY(
        code=code,
        section=detail["section"],
        rank=detail["rank"],
        draw=detail["draw"],
        seed=detail["seed"],
        position=int(detail["position"] or 0),
        admitted=detail["admitted"],
        choice=choice,
        quality=float(detail["quality"] or 0.0),
        previous=previous,
    )


def unplaced(reason: str, detail: Mapping[str, Scalar]) -> Msg:
    """The sentence for a vendor without a booth.

    Examples
    --------
    >>> unplaced("cap_reached", {"category": "makanan", "cap": 45, "cap_section": None,
    ...                          "rank": 3, "draw": 12, "seed": 7}).render("en")
    'The cap for makanan (45 vendors, whole event) is full; the vendor is on the waitlist.'
    """
    category = detail["category"]
    if reason == "pinned_booth_unusable":
        return _PINNED_UNUSABLE(code=detail["booth_code"], why=PREVIOUS_LOST[str(detail["why"])]())
    if reason == "no_allowed_booth":
        return _NO_ALLOWED(category=category)
    if reason == "needs_not_met":
        if detail.get("needs_cooking") and not (
            detail["needs_electricity"] or detail["needs_accessibility"]
        ):
            return _NEEDS_NOT_MET(category=category, needs=_NEEDS_COOKING())
        wanted = (bool(detail["needs_electricity"]), bool(detail["needs_accessibility"]))
        return _NEEDS_NOT_MET(category=category, needs=_NEEDS[wanted]())
    if reason == "not_attending":
        return _NOT_ATTENDING()
    if reason == "fixed_booth_unusable":
        return _FIXED_UNUSABLE(code=detail["booth_code"], why=PREVIOUS_LOST[str(detail["why"])]())
    if reason == "min_not_available":
        return _MIN_NOT_AVAILABLE(
            n=detail["min_booths"],
            category=category,
            rank=detail["rank"],
            draw=detail["draw"],
            seed=detail["seed"],
            position=detail.get("waitlist_position"),
        )
    if reason == "special_booth_reserved":
        return _SPECIAL_RESERVED(position=detail.get("waitlist_position"))
    if reason == "cap_reached":
        section = detail.get("cap_section")
        where = _CAP_SECTION(section=section) if section else _CAP_EVENT()
        return _CAP_REACHED(category=category, cap=detail["cap"], where=where)
    decided_by = _BY_DRAW() if detail.get("decided_by") == "draw" else _BY_SENIORITY()
    return _OUTRANKED(
        decided_by=decided_by,
        rank=detail["rank"],
        draw=detail["draw"],
        seed=detail["seed"],
        position=detail.get("waitlist_position"),
    )


def placed_blocks(phase: str, detail: Mapping[str, Scalar]) -> Msg:
    """The sentence for a placement on one or more booths side by side.

    Examples
    --------
    >>> d = {"booth_codes": "AY-003, AY-004", "n_booths": 2, "section": "A", "rank": 4,
    ...      "draw": 9, "seed": 7, "preference": 2, "decided_by": "seniority", "wanted": "AY-001"}
    >>> placed_blocks("priority", d).render("en")  # doctest: +NORMALIZE_WHITESPACE
    "Booths AY-003, AY-004 (2 side by side, section A) were given in order: seniority rank 4,
    draw number 9 (seed 7). This booth was the vendor's 2nd choice. Their first choice (AY-001)
    went first to another vendor; decided by seniority."
    """
    codes = detail["booth_codes"]
    if phase == "pinned":
        return _PINNED(code=codes)
    if phase == "fixed":
        moved = detail.get("preference") not in (None, -1, 0)
        return (_PLACED_FIXED_MOVED if moved else _PLACED_FIXED)(codes=codes)
    pref = int(detail.get("preference") or 0)
    if pref > 0:
        choice = _CHOICE_BOOTH(n=pref)
    elif pref == 0:
        choice = _CHOICE_NONE()
    else:
        choice = NOTHING()
    by = detail.get("decided_by")
    template = {"section": _CONTEST_SECTION, "previous": _CONTEST_PREVIOUS}.get(
        str(detail.get("wanted_kind")), _CONTEST
    )
    contest = (
        template(wanted=detail.get("wanted"), by=DECIDED_BY_TEXT[str(by)]())
        if isinstance(by, str) and detail.get("wanted")
        else NOTHING()
    )
    template = _PLACED_BLOCKS if int(detail["n_booths"] or 1) > 1 else _PLACED_ONE
    return template(
        codes=codes,
        n=detail["n_booths"],
        section=detail["section"],
        rank=detail["rank"],
        draw=detail["draw"],
        seed=detail["seed"],
        choice=choice,
        contest=contest,
    )
