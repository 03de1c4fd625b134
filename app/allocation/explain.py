"""Plain sentences, in Bahasa Indonesia and English, for every decision of the engine.

A vendor who asks "why this spot?" or "why no spot?" gets a sentence with the numbers that decided
it (seniority rank, draw number, seed, cap), so the answer can be checked, not just believed. The
sentences are built here, next to the engine, so the map, the printed list and the API say the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from app.allocation.model import Scalar

#: Why a vendor could not keep last event's booth (phase 2), keyed by the code in ``detail``.
PREVIOUS_LOST_ID: Final = {
    "missing": "lapak itu tidak ada lagi di denah",
    "blocked": "lapak itu diblokir karena konflik",
    "taken": "lapak itu dipegang pedagang lain (dikunci atau lebih senior)",
    "category_not_allowed": "kategorinya tidak diizinkan di zona lapak itu",
    "needs_not_met": "lapak itu tidak memenuhi kebutuhan listrik/aksesibilitasnya",
    "cap_reached": "kuota kategorinya sudah penuh",
}
PREVIOUS_LOST_EN: Final = {
    "missing": "that booth is no longer in the layout",
    "blocked": "that booth is blocked by a conflict",
    "taken": "that booth is held by another vendor (pinned or more senior)",
    "category_not_allowed": "their category is not allowed in that booth's zone",
    "needs_not_met": "that booth lacks the electricity or step-free access they need",
    "cap_reached": "their category's cap is full",
}


def num_id(x: float) -> str:
    """Format a 0..1 number the Indonesian way, with a decimal comma.

    Examples
    --------
    >>> num_id(0.8)
    '0,80'
    """
    return f"{x:.2f}".replace(".", ",")


def ordinal_en(n: int) -> str:
    """Return ``1st``, ``2nd``, ``3rd``, ``4th``… (``11th``, ``12th``, ``13th`` included).

    Examples
    --------
    >>> [ordinal_en(i) for i in (1, 2, 3, 4, 11, 12, 13, 21, 22)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd']
    """
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _needs(electricity: bool, accessibility: bool) -> tuple[str, str]:
    parts = [
        (electricity, "listrik", "electricity"),
        (accessibility, "akses ramah disabilitas", "step-free access"),
    ]
    wanted = [(i, e) for flag, i, e in parts if flag]
    return " dan ".join(i for i, _ in wanted), " and ".join(e for _, e in wanted)


def placed(phase: str, detail: Mapping[str, Scalar]) -> tuple[str, str]:
    """Return the (Indonesian, English) sentence for a placement.

    ``detail`` holds ``booth_code``, ``section``, ``rank``, ``draw``, ``seed`` and, for the
    priority phase, ``position``, ``admitted``, ``preference`` (1-based rank of the section among
    the vendor's choices, 0 = not chosen, -1 = no choices), ``quality`` and optionally
    ``previous_lost`` / ``previous_booth``.

    Examples
    --------
    >>> placed("returning", {"booth_code": "AY-003"})[1]
    'Keeps booth AY-003, their booth at the previous event (phase 2: returning vendors).'
    """
    code = detail["booth_code"]
    if phase == "pinned":
        return (
            f"Lapak {code} dikunci untuk pedagang ini oleh panitia (tahap 1: penguncian).",
            f"Booth {code} was pinned to this vendor by the planners (phase 1: pinned).",
        )
    if phase == "returning":
        return (
            f"Tetap di lapak {code}, lapaknya pada acara sebelumnya (tahap 2: pedagang lama).",
            f"Keeps booth {code}, their booth at the previous event (phase 2: returning vendors).",
        )
    section, rank, draw, seed = detail["section"], detail["rank"], detail["draw"], detail["seed"]
    pos, admitted = detail["position"], detail["admitted"]
    quality = float(detail["quality"] or 0.0)
    pref = int(detail["preference"] or 0)
    text_id = (
        f"Lapak {code} (bagian {section}) diberikan pada tahap 3 (prioritas): peringkat "
        f"senioritas {rank}, nomor undian {draw} (seed {seed}), urutan ke-{pos} dari {admitted} "
        "pedagang yang diterima; lapak dipilih dengan biaya total terendah untuk semua."
    )
    text_en = (
        f"Booth {code} (section {section}) was assigned in phase 3 (priority): seniority rank "
        f"{rank}, draw number {draw} (seed {seed}), {ordinal_en(int(pos or 0))} of {admitted} "
        "admitted vendors; booths were matched at the lowest total cost for everyone."
    )
    if pref > 0:
        text_id += f" Bagian ini pilihan ke-{pref} pedagang."
        text_en += f" This section was the vendor's {ordinal_en(pref)} choice."
    elif pref == 0:
        text_id += " Bagian pilihan pedagang tidak dapat diberikan."
        text_en += " None of the vendor's preferred sections could be given."
    text_id += f" Kualitas lapak {num_id(quality)}."
    text_en += f" Booth quality {quality:.2f}."
    lost = detail.get("previous_lost")
    if isinstance(lost, str):
        prev = detail.get("previous_booth")
        text_id += (
            f" Lapak sebelumnya ({prev}) tidak dapat dipertahankan: {PREVIOUS_LOST_ID[lost]}."
        )
        text_en += f" Their previous booth ({prev}) could not be kept: {PREVIOUS_LOST_EN[lost]}."
    return text_id, text_en


def unplaced(reason: str, detail: Mapping[str, Scalar]) -> tuple[str, str]:
    """Return the (Indonesian, English) sentence for a vendor without a booth.

    Examples
    --------
    >>> unplaced("cap_reached", {"category": "makanan", "cap": 45, "cap_section": None,
    ...                          "rank": 3, "draw": 12, "seed": 7})[1]
    'The cap for makanan (45 vendors, whole event) is full; the vendor is on the waitlist.'
    """
    cat, rank, draw, seed = detail["category"], detail["rank"], detail["draw"], detail["seed"]
    if reason == "pinned_booth_unusable":
        code, why = detail["booth_code"], str(detail["why"])
        return (
            f"Lapak kunci {code} tidak dapat dipakai: {PREVIOUS_LOST_ID[why]}.",
            f"Pinned booth {code} cannot be used: {PREVIOUS_LOST_EN[why]}.",
        )
    if reason == "no_allowed_booth":
        return (
            f"Tidak ada lapak yang boleh dipakai kategori {cat} di acara ini.",
            f"No booth at this event allows the category {cat}.",
        )
    if reason == "needs_not_met":
        n_id, n_en = _needs(bool(detail["needs_electricity"]), bool(detail["needs_accessibility"]))
        return (
            f"Tidak ada lapak untuk kategori {cat} yang menyediakan {n_id}.",
            f"No booth for the category {cat} offers {n_en}.",
        )
    if reason == "cap_reached":
        where = detail.get("cap_section")
        where_id = f"bagian {where}" if where else "seluruh acara"
        where_en = f"section {where}" if where else "whole event"
        cap = detail["cap"]
        return (
            f"Kuota {cat} ({cap} pedagang, {where_id}) sudah penuh; pedagang masuk daftar tunggu.",
            f"The cap for {cat} ({cap} vendors, {where_en}) is full; "
            "the vendor is on the waitlist.",
        )
    by = detail.get("decided_by")
    why_id = "nomor undian" if by == "draw" else "peringkat senioritas"
    why_en = "the draw" if by == "draw" else "seniority"
    pos = detail.get("waitlist_position")
    return (
        f"Semua lapak yang cocok sudah terisi oleh pedagang yang lebih dahulu dalam urutan "
        f"(ditentukan oleh {why_id}): peringkat {rank}, nomor undian {draw} (seed {seed}); "
        f"daftar tunggu nomor {pos}.",
        f"Every suitable booth went to vendors earlier in the order (decided by {why_en}): "
        f"rank {rank}, draw number {draw} (seed {seed}); waitlist position {pos}.",
    )
