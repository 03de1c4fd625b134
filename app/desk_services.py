"""MikroDOTS desk services: the one place a desk service, its outcomes and milestones are named.

A service desk is a booth of the event (``Booth.kind == "service_desk"``, ``Booth.service`` one
of :data:`app.gis.rules.SERVICE_DESK_KINDS`); each desk offers the services whose ``desks`` name
its kind. A logged visit records one service and one of that service's outcomes; some outcomes are
milestones of the vendor's progress ("naik kelas": NIB obtained, halal certified, KUR applied or
received), and two of them change the registry's documents (an issued NIB, a halal certificate).

Adding a service is one :class:`DeskService` entry here and one migration line widening the
``desk_visit`` CHECK constraints. Pure data: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal

__all__ = [
    "DESK_OUTCOMES",
    "DESK_SERVICES",
    "MILESTONES",
    "DeskOutcome",
    "DeskService",
    "Milestone",
    "milestone_of",
    "services_for_desk",
]

Document = Literal["nib", "halal"]


@dataclass(frozen=True)
class DeskOutcome:
    """What came of a visit, in both languages."""

    code: str
    label_id: str
    label_en: str

    def label(self, lang: str) -> str:
        """The name in ``lang`` (``"en"``; anything else gives Bahasa Indonesia)."""
        return self.label_en if lang == "en" else self.label_id


@dataclass(frozen=True)
class Milestone:
    """A step of a vendor's progress that the vendor's page and the dashboard follow."""

    code: str
    label_id: str
    label_en: str

    def label(self, lang: str) -> str:
        """The name in ``lang`` (``"en"``; anything else gives Bahasa Indonesia)."""
        return self.label_en if lang == "en" else self.label_id


@dataclass(frozen=True)
class DeskService:
    """One service a MikroDOTS desk offers.

    ``desks``: the desk kinds (``Booth.service``) that offer it; ``outcomes``: the outcome codes a
    visit for it may record; ``milestones``: outcome → milestone reached; ``document``: the
    registry document an issued (``terbit``) outcome writes, if any.
    """

    code: str
    label_id: str
    label_en: str
    desks: tuple[str, ...]
    outcomes: tuple[str, ...]
    milestones: Mapping[str, str] = field(default_factory=dict)
    document: Document | None = None

    def label(self, lang: str) -> str:
        """The name in ``lang`` (``"en"``; anything else gives Bahasa Indonesia)."""
        return self.label_en if lang == "en" else self.label_id


DESK_OUTCOMES: Final[Mapping[str, DeskOutcome]] = MappingProxyType(
    {
        o.code: o
        for o in (
            DeskOutcome("informasi", "Konsultasi/informasi diberikan", "Advice given"),
            DeskOutcome("berkas_kurang", "Berkas belum lengkap", "Documents incomplete"),
            DeskOutcome("diajukan", "Permohonan diajukan", "Application submitted"),
            DeskOutcome("terbit", "Dokumen terbit", "Document issued"),
            DeskOutcome("dirujuk", "Dirujuk ke bank/lembaga", "Referred to a bank or agency"),
            DeskOutcome("cair", "KUR cair", "KUR loan received"),
            DeskOutcome("ikut_kelas", "Mengikuti kelas/edukasi", "Attended the session"),
        )
    }
)

MILESTONES: Final[Mapping[str, Milestone]] = MappingProxyType(
    {
        m.code: m
        for m in (
            Milestone("nib_obtained", "NIB terbit", "NIB obtained"),
            Milestone("halal_certified", "Bersertifikat halal", "Halal certified"),
            Milestone("kur_applied", "KUR diajukan", "KUR applied for"),
            Milestone("kur_received", "KUR diterima", "KUR received"),
        )
    }
)


def _registry(*services: DeskService) -> Mapping[str, DeskService]:
    for service in services:
        unknown = set(service.outcomes) - DESK_OUTCOMES.keys()
        if unknown:
            raise ValueError(f"service {service.code} names unknown outcomes {sorted(unknown)}")
        if set(service.milestones) - set(service.outcomes) or (
            set(service.milestones.values()) - MILESTONES.keys()
        ):
            raise ValueError(f"service {service.code} has a milestone it cannot reach")
    return MappingProxyType({service.code: service for service in services})


#: Every desk service, in the order of the desk's form and the reports.
DESK_SERVICES: Final = _registry(
    DeskService(
        "nib",
        "NIB (Nomor Induk Berusaha)",
        "NIB (business identification number)",
        desks=("nib",),
        outcomes=("informasi", "berkas_kurang", "diajukan", "terbit"),
        milestones={"terbit": "nib_obtained"},
        document="nib",
    ),
    DeskService(
        "halal",
        "Sertifikasi halal",
        "Halal certification",
        desks=("halal",),
        outcomes=("informasi", "berkas_kurang", "diajukan", "terbit"),
        milestones={"terbit": "halal_certified"},
        document="halal",
    ),
    DeskService(
        "kur",
        "Rujukan KUR",
        "KUR (microcredit) referral",
        desks=("kur",),
        outcomes=("informasi", "berkas_kurang", "dirujuk", "diajukan", "cair"),
        milestones={"dirujuk": "kur_applied", "diajukan": "kur_applied", "cair": "kur_received"},
    ),
    DeskService(
        "ojk",
        "Layanan OJK",
        "OJK (financial services authority)",
        desks=("ojk",),
        outcomes=("informasi", "dirujuk"),
    ),
    DeskService(
        "edukasi_hukum",
        "Edukasi hukum",
        "Legal education",
        desks=("edukasi",),
        outcomes=("informasi", "ikut_kelas"),
    ),
    DeskService(
        "pemasaran_digital",
        "Pemasaran digital",
        "Digital marketing",
        desks=("edukasi",),
        outcomes=("informasi", "ikut_kelas"),
    ),
)


def services_for_desk(desk_kind: str | None) -> tuple[DeskService, ...]:
    """The services a desk of kind ``desk_kind`` offers (every service for an unknown kind).

    >>> [s.code for s in services_for_desk("edukasi")]
    ['edukasi_hukum', 'pemasaran_digital']
    """
    offered = tuple(s for s in DESK_SERVICES.values() if desk_kind in s.desks)
    return offered or tuple(DESK_SERVICES.values())


def milestone_of(service: str, outcome: str) -> str | None:
    """The milestone a visit reached, if any.

    >>> milestone_of("kur", "cair"), milestone_of("ojk", "informasi")
    ('kur_received', None)
    """
    entry = DESK_SERVICES.get(service)
    return None if entry is None else entry.milestones.get(outcome)
