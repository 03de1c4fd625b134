"""Facility kinds: the one place a kind of public facility is described.

Each kind is one :class:`FacilityKind` entry in :data:`FACILITY_KIND_REGISTRY`: its code (stored in
the database), its names in Bahasa Indonesia and English (a title for legends and forms, a noun for
conflict sentences), its default clearance in metres and where that number comes from, whether a
booth too close to it is blocked or only warned, and its symbol (the web map's marker and the
print-outs' symbol are one and the same, so a crew sheet matches the screen).

Everything else derives from this table: the codes and default clearances in
:mod:`app.gis.rules`, the blocking set and sentence nouns in :mod:`app.gis.conflicts`, the labels in
:mod:`app.views.labels`, :data:`FACILITY_STYLES` for the maps and print-outs, and the
``facility_kind`` table the database checks ``facility.kind`` and ``clearance_rule.facility_kind``
against (kept equal to this registry after every migration run, see :mod:`app.migrate`).

Adding a kind is adding one entry here. Pure data: no Flask, no database, no map library.

The default clearances combine published rules (NYC, San Francisco, Redwood City, Permen PUPR
03/2014) because no Indonesian regulation gives hydrant, bus-stop or ramp distances; every value is
editable per city and stored in the ``clearance_rule`` table.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

from app.styles import MarkerStyle

__all__ = [
    "FACILITY_KIND_REGISTRY",
    "LANDMARK_KINDS",
    "LANDMARK_KIND_REGISTRY",
    "LANDMARK_STYLES",
    "LandmarkKind",
    "landmark_kind_labels",
    "FACILITY_STYLES",
    "OTHER_FACILITY_KIND",
    "FacilityKind",
    "facility_kind",
    "kind_by_name",
    "near_kinds",
]

Severity = Literal["blocking", "warning"]


@dataclass(frozen=True)
class FacilityKind:
    """One kind of public facility a booth must keep clear of.

    Attributes
    ----------
    code : str
        Stored in ``facility.kind`` and ``clearance_rule.facility_kind`` (at most 30 characters).
    label_id, label_en : str
        Title in Bahasa Indonesia and English, for legends, forms and print-out keys.
    noun_id, noun_en : str
        Lower-case noun used inside conflict sentences ("… 1,2 m dari hidran; minimal 3 m.").
    clearance_m : float
        Default clearance from a booth, in metres (each city may change it).
    clearance_source : str
        Where the default comes from, shown beside the rule in the planner's rule table.
    severity : {"blocking", "warning"}
        A booth within the clearance is blocked, or only warned about.
    symbol : MarkerStyle
        The marker on the web maps and the symbol on the print-outs.
    """

    code: str
    label_id: str
    label_en: str
    noun_id: str
    noun_en: str
    clearance_m: float
    clearance_source: str
    severity: Severity
    symbol: MarkerStyle

    @property
    def blocking(self) -> bool:
        """True when a booth within the clearance cannot stay where it is."""
        return self.severity == "blocking"

    def label(self, lang: str) -> str:
        """The title in ``lang`` (``"en"``; anything else gives Bahasa Indonesia).

        Examples
        --------
        >>> bus_stop = FACILITY_KIND_REGISTRY["bus_stop"]
        >>> bus_stop.label("en"), bus_stop.label("id")
        ('Bus stop', 'Halte')
        """
        return self.label_en if lang == "en" else self.label_id

    def noun(self, lang: str) -> str:
        """The in-sentence noun in ``lang`` (``"en"``; anything else gives Bahasa Indonesia)."""
        return self.noun_en if lang == "en" else self.noun_id


def _registry(*kinds: FacilityKind) -> Mapping[str, FacilityKind]:
    by_code = {kind.code: kind for kind in kinds}
    if len(by_code) != len(kinds):
        raise ValueError("two facility kinds share a code")
    return MappingProxyType(by_code)


#: Every facility kind by code, in the order legends and forms list them (``other`` last).
FACILITY_KIND_REGISTRY: Final = _registry(
    FacilityKind(
        "hydrant", "Hidran", "Hydrant", "hidran", "hydrant",
        3.0, "NYC sidewalk cafés 10 ft; SF events 5 ft", "blocking",
        MarkerStyle("circle", "#d32f2f", "#7f0000", 14),
    ),
    FacilityKind(
        "bus_stop", "Halte", "Bus stop", "halte", "bus stop",
        3.0, "NYC: not within a stop, 5 ft from a shelter", "blocking",
        MarkerStyle("square", "#1565c0", "#0d47a1", 18, "B"),
    ),
    FacilityKind(
        "crossing", "Penyeberangan", "Pedestrian crossing", "penyeberangan", "crossing",
        3.0, "NYC 10 ft; California cities 15 ft", "blocking",
        MarkerStyle("square", "#ffffff", "#000000", 18, "Z", glyph_colour="#000000"),
    ),
    FacilityKind(
        "intersection", "Persimpangan", "Intersection", "persimpangan", "intersection",
        3.0, "NYC 10 ft; California cities 15 ft", "blocking",
        MarkerStyle("circle", "#9e9e9e", "#424242", 12),
    ),
    FacilityKind(
        "ramp", "Ram difabel", "Accessibility ramp", "ramp", "ramp",
        3.0, "NYC 5–10 ft", "blocking",
        MarkerStyle("diamond", "#0277bd", "#01579b", 14, "R"),
    ),
    FacilityKind(
        "driveway", "Akses kendaraan", "Driveway", "akses keluar-masuk kendaraan", "driveway",
        3.0, "NYC 5–10 ft", "blocking",
        MarkerStyle("square", "#8d6e63", "#4e342e", 16, "D"),
    ),
    FacilityKind(
        "building_entrance", "Pintu masuk gedung", "Building entrance",
        "pintu masuk gedung", "building entrance",
        6.0, "NYC 20 ft; LA 5 ft", "blocking",
        MarkerStyle("square", "#455a64", "#263238", 16, "E"),
    ),
    FacilityKind(
        "tree", "Pohon", "Tree", "pohon", "tree",
        1.0, "NYC 8 ft (cafés)", "warning",
        MarkerStyle("circle", "#43a047", "#1b5e20", 8),
    ),
    FacilityKind(
        "pole", "Tiang", "Pole", "tiang", "pole",
        1.0, "NYC 8 ft (cafés)", "warning",
        MarkerStyle("circle", "#37474f", "#000000", 7),
    ),
    FacilityKind(
        "drainage_inlet", "Saluran air (inlet parit)", "Drainage inlet",
        "lubang drainase", "drainage inlet",
        1.0, "access kept clear; no published rule found", "warning",
        MarkerStyle("circle", "#00897b", "#004d40", 10),
    ),
    FacilityKind(
        "manhole", "Lubang kontrol (manhole)", "Manhole", "lubang kontrol (manhole)", "manhole",
        1.0, "access kept clear; no published rule found", "warning",
        MarkerStyle("circle", "#795548", "#3e2723", 10),
    ),
    FacilityKind(
        "bench", "Bangku", "Bench", "bangku", "bench",
        1.0, "walkway kept clear (PetaLapak default)", "warning",
        MarkerStyle("square", "#a1887f", "#5d4037", 14, "b"),
    ),
    FacilityKind(
        "other", "Lainnya", "Other", "fasilitas", "facility",
        1.0, "PetaLapak default", "warning",
        MarkerStyle("circle", "#bdbdbd", "#616161", 8),
    ),
)  # fmt: skip

#: The kind unknown codes are drawn as.
OTHER_FACILITY_KIND: Final = FACILITY_KIND_REGISTRY["other"]

#: Facility symbols by code, for the web maps and the print-outs.
FACILITY_STYLES: Final[Mapping[str, MarkerStyle]] = MappingProxyType(
    {code: kind.symbol for code, kind in FACILITY_KIND_REGISTRY.items()}
)


def facility_kind(code: str) -> FacilityKind | None:
    """The registered kind of ``code``, or ``None`` for a code no one registered.

    Examples
    --------
    >>> facility_kind("hydrant").blocking, facility_kind("kiosk") is None
    (True, True)
    """
    return FACILITY_KIND_REGISTRY.get(code)


def _names(code: str) -> tuple[str, ...]:
    """How people may name a kind: its code, and for a facility its titles in both languages."""
    kind = FACILITY_KIND_REGISTRY.get(code)
    return (code,) if kind is None else (code, kind.label_id, kind.label_en)


def _plain(text: object) -> str:
    return " ".join(str(text or "").replace("_", " ").split()).casefold()


def kind_by_name(text: object, allowed: Sequence[str]) -> str | None:
    """The code of ``allowed`` that ``text`` names: its code, or its title in either language
    (case, spaces and underscores aside); ``None`` when it names none.

    Examples
    --------
    >>> kind_by_name("Halte", ["hydrant", "bus_stop"]), kind_by_name("BUS STOP", ["bus_stop"])
    ('bus_stop', 'bus_stop')
    >>> kind_by_name("halt", ["bus_stop"]) is None
    True
    """
    wanted = _plain(text)
    for code in allowed:
        if wanted in {_plain(name) for name in _names(code)}:
            return code
    return None


def near_kinds(text: object, allowed: Sequence[str], *, n: int = 2) -> list[str]:
    """The codes of ``allowed`` whose code or titles are closest to a mistyped ``text`` (the
    "did you mean …" of a refusal), best first; empty when none is close.

    Examples
    --------
    >>> near_kinds("hidrant", ["hydrant", "bus_stop", "pole"])
    ['hydrant']
    >>> near_kinds("halte bis", ["hydrant", "bus_stop"])
    ['bus_stop']
    >>> near_kinds("zzz", ["hydrant"])
    []
    """
    by_name = {_plain(name): code for code in allowed for name in _names(code)}
    close = difflib.get_close_matches(_plain(text), list(by_name), n=n * 3, cutoff=0.6)
    return list(dict.fromkeys(by_name[name] for name in close))[:n]


@dataclass(frozen=True)
class LandmarkKind:
    """A kind of landmark (a named place people find their way by), for maps, lists and PDFs.

    ``code`` is stored in ``landmark.kind`` (at most 30 characters); ``osm_tags`` are the
    OpenStreetMap ``key=value`` pairs an import reads as this kind (first match wins, in
    registration order); ``symbol`` is the marker on the web maps and the print-outs.
    """

    code: str
    label_id: str
    label_en: str
    osm_tags: tuple[str, ...]
    symbol: MarkerStyle

    def label(self, lang: str) -> str:
        """The title in ``lang`` (``"en"``; anything else gives Bahasa Indonesia).

        >>> LANDMARK_KIND_REGISTRY["mosque"].label("id")
        'Masjid'
        """
        return self.label_en if lang == "en" else self.label_id


#: Landmark kinds by code (``other`` last). Pure data, like the facility kinds above.
LANDMARK_KIND_REGISTRY: Final[Mapping[str, LandmarkKind]] = MappingProxyType({
    kind.code: kind
    for kind in (
        LandmarkKind("mosque", "Masjid", "Mosque",
                     ("amenity=place_of_worship", "building=mosque"),
                     MarkerStyle("square", "#2e7d32", "#1b5e20", 14, "M")),
        LandmarkKind("market", "Pasar", "Market",
                     ("amenity=marketplace", "shop=supermarket"),
                     MarkerStyle("square", "#ef6c00", "#bf360c", 14, "P")),
        LandmarkKind("school", "Sekolah / kampus", "School / campus",
                     ("amenity=school", "amenity=university", "amenity=college"),
                     MarkerStyle("square", "#6a1b9a", "#4a148c", 14, "S")),
        LandmarkKind("bank", "Bank", "Bank",
                     ("amenity=bank", "amenity=atm"),
                     MarkerStyle("square", "#1565c0", "#0d47a1", 14, "$")),
        LandmarkKind("mall", "Mal / pusat belanja", "Mall / shopping centre",
                     ("shop=mall", "shop=department_store"),
                     MarkerStyle("square", "#ad1457", "#880e4f", 14, "B")),
        LandmarkKind("office", "Kantor", "Office",
                     ("office=government", "amenity=townhall", "office=*"),
                     MarkerStyle("square", "#455a64", "#263238", 14, "K")),
        LandmarkKind("park", "Taman", "Park",
                     ("leisure=park", "leisure=garden"),
                     MarkerStyle("square", "#558b2f", "#33691e", 14, "T")),
        LandmarkKind("place", "Tempat", "Place",
                     ("tourism=attraction", "historic=monument", "historic=memorial",
                      "place=square", "junction=roundabout"),
                     MarkerStyle("diamond", "#5d4037", "#3e2723", 14, "*")),
        LandmarkKind("other", "Lainnya", "Other", (),
                     MarkerStyle("square", "#757575", "#424242", 12, "L")),
    )
})  # fmt: skip

#: Landmark kind codes, in registration order (the database's CHECK, forms, OGC filters).
LANDMARK_KINDS: Final = tuple(LANDMARK_KIND_REGISTRY)

#: Landmark symbols by code, for the web maps and the print-outs.
LANDMARK_STYLES: Final[Mapping[str, MarkerStyle]] = MappingProxyType(
    {code: kind.symbol for code, kind in LANDMARK_KIND_REGISTRY.items()}
)


def landmark_kind_labels(lang: str) -> dict[str, str]:
    """Landmark kind titles in ``lang``, by code, in registration order.

    >>> landmark_kind_labels("en")["market"]
    'Market'
    """
    return {code: kind.label(lang) for code, kind in LANDMARK_KIND_REGISTRY.items()}
