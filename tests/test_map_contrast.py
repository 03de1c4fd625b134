"""Every map graphic reads on the basemap: WCAG contrast of each layer's outline, and zone fills
that people with red–green colour blindness can tell apart.

WCAG 2.1 non-text contrast (1.4.11) asks 3:1 between a graphic and the colours next to it. A
zone's or booth's outline is drawn over the basemap, so each outline colour of every layer and
state in :mod:`app.styles` is measured against everything the basemap paints: the map's
background, buildings, each road class's fill and the water. The relative luminance and the ratio
follow the WCAG definition; the colour-blindness check uses the Machado et al. (2009) simulation
matrices at full severity and CIE ΔE*ab in CIELAB.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np
import pytest

from app.styles import (
    BACKGROUND_COLOUR,
    BOARD_STYLES,
    BOOTH_STYLES,
    BUILDING_STYLE,
    CHECKIN_STYLES,
    LAPAK_STYLES,
    ROAD_STYLES,
    WATER_FILL,
    ZONE_FALLBACK_STYLE,
    ZONE_STYLES,
    PathStyle,
)

#: WCAG 2.1 SC 1.4.11: graphical objects need 3:1 against adjacent colours.
MINIMUM = 3.0


def _linear(hex_colour: str) -> np.ndarray:
    """sRGB ``#rrggbb`` → linear RGB in 0..1 (the WCAG / sRGB transfer function)."""
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    srgb = np.array([int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)])
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def luminance(hex_colour: str) -> float:
    """WCAG relative luminance."""
    return float(np.dot([0.2126, 0.7152, 0.0722], _linear(hex_colour)))


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio, 1 (same) to 21 (black on white)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def basemap_colours() -> dict[str, str]:
    """Every colour the basemap paints under the layers."""
    colours = {"background": BACKGROUND_COLOUR, "building": BUILDING_STYLE.fill_color}
    colours.update({f"road {code}": style.fill for code, style in ROAD_STYLES.items()})
    colours["water"] = WATER_FILL
    return colours


def layer_strokes() -> Iterator[tuple[str, str]]:
    """(layer and state, outline colour) of every path style in app.styles."""
    tables: Mapping[str, Mapping[str, PathStyle]] = {
        "zone": ZONE_STYLES,
        "booth": BOOTH_STYLES,
        "board": BOARD_STYLES,
        "check-in": CHECKIN_STYLES,
        "lapak": LAPAK_STYLES,
    }
    for table, styles in tables.items():
        for key, style in styles.items():
            yield f"{table} {key}", style.color
    yield "zone (other kind)", ZONE_FALLBACK_STYLE.color


def test_the_formula_matches_wcag_and_the_issue() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#777777") == pytest.approx(1.0)
    assert luminance("#ffffff") == pytest.approx(1.0)
    # the measurements the issue reported for the old palette
    assert contrast("#f9a825", "#f4f3ef") == pytest.approx(1.77, abs=0.01)  # yellow zone
    assert contrast("#c62828", "#2e7d32") == pytest.approx(1.1, abs=0.05)  # red vs green


def test_every_layer_outline_has_3_to_1_against_the_basemap() -> None:
    ratios = {
        (layer, ground): contrast(stroke, colour)
        for layer, stroke in layer_strokes()
        for ground, colour in basemap_colours().items()
    }
    failing = {pair: round(r, 2) for pair, r in ratios.items() if r < MINIMUM}
    assert not failing, f"below {MINIMUM}:1: {failing}"
    # the lowest pair, for the record (a palette change that lowers it shows in review)
    assert min(ratios.values()) >= MINIMUM
    assert len(ratios) == len(list(layer_strokes())) * len(basemap_colours())


# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB.
_CVD: Mapping[str, np.ndarray] = {
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
         [-0.003882, -0.048116, 1.051998]]
    ),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
         [-0.011820, 0.042940, 0.968881]]
    ),
}  # fmt: skip


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    """Linear sRGB → CIELAB (D65)."""
    xyz = np.array(
        [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
    ) @ np.clip(linear_rgb, 0, 1)
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _seen_apart(a: str, b: str, vision: str) -> float:
    """ΔE*ab between two colours as a person with ``vision`` sees them."""
    m = _CVD[vision]
    return float(np.linalg.norm(_lab(m @ _linear(a)) - _lab(m @ _linear(b))))


@pytest.mark.parametrize("vision", sorted(_CVD))
def test_red_green_and_yellow_zones_are_told_apart_with_colour_blindness(vision: str) -> None:
    """As a protanope or deuteranope sees them, the allowed (green) zone differs from every
    restricted one by more than a glance (ΔE*ab ≥ 20), fill and outline; the restricted ones
    (timed, banned, keep clear: yellow, vermillion, orange) differ in fill (ΔE ≥ 15) and, being
    dark, their outlines are told apart by their patterns (the next test)."""
    restricted = ["pkl_timed", "no_vending", "emergency_lane"]
    allowed = ZONE_STYLES["pkl_legal"]
    for kind in restricted:
        style = ZONE_STYLES[kind]
        assert _seen_apart(allowed.fill_color, style.fill_color, vision) >= 20, kind
        assert _seen_apart(allowed.color, style.color, vision) >= 20, kind
    for i, a in enumerate(restricted):
        for b in restricted[i + 1 :]:
            fills = (ZONE_STYLES[a].fill_color, ZONE_STYLES[b].fill_color)
            assert _seen_apart(*fills, vision) >= 15, (a, b)


def test_zone_meaning_does_not_rest_on_colour_alone() -> None:
    """Banned, timed and keep-clear zones each carry their own pattern; allowed zones none."""
    patterns = {kind: ZONE_STYLES[kind].pattern for kind in ZONE_STYLES}
    assert patterns["no_vending"] == "hatch"
    assert patterns["pkl_timed"] == "dots"
    assert patterns["emergency_lane"] == "crosshatch"
    assert patterns["pkl_legal"] is None
    shown = [p for p in patterns.values() if p]
    assert len(shown) == len(set(shown))
