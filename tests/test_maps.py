"""Tests of app.views.maps: self-hosted assets, escaping of user text, page parts (no database)."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import folium
import folium.plugins
import pytest

from app.gis.rules import FACILITY_KINDS, ZONE_KINDS
from app.views import map_legend, maps

VENDOR_DIR = Path(__file__).resolve().parents[1] / "app" / "static" / "vendor"
STATIC_BASE = "/static/vendor"
PONTIANAK = (-0.0263, 109.3425)

XSS_NAME = "<img src=x onerror=alert(1)>"
BACKTICK_NAME = "Warung `Bu Ani` ${document.cookie} \\u0060"

URL_RE = re.compile(r"https?://[^\s\"'<>)]+")


def square(lon: float, lat: float, size_deg: float = 0.00003) -> list[list[list[float]]]:
    """A closed square ring (GeoJSON polygon coordinates) with its south-west corner at lon, lat."""
    return [
        [
            [lon, lat],
            [lon + size_deg, lat],
            [lon + size_deg, lat + size_deg],
            [lon, lat + size_deg],
            [lon, lat],
        ]
    ]


def feature(geometry: dict[str, Any], fid: int | None = None, **properties: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "Feature", "geometry": geometry, "properties": properties}
    if fid is not None:
        out["id"] = fid
    return out


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


@pytest.fixture
def zones() -> dict[str, Any]:
    return collection(
        *(
            feature(
                {"type": "Polygon", "coordinates": square(109.340 + i * 0.001, -0.027, 0.0005)},
                fid=i + 1,
                kind=kind,
                name=BACKTICK_NAME if kind == "pkl_timed" else f"Zona {kind}",
                hours="16:00–22:00" if kind == "pkl_timed" else None,
            )
            for i, kind in enumerate(ZONE_KINDS)
        )
    )


@pytest.fixture
def booths() -> dict[str, Any]:
    return collection(
        feature(
            {"type": "Polygon", "coordinates": square(109.3400, -0.0265)},
            fid=101,
            code="A-01",
            vendor_name=XSS_NAME,
            category="makanan",
            state="blocking",
            problems=[f"hydrant 1.2 m < 3 m ({XSS_NAME})"],
            phone="0812-private",
        ),
        feature(
            {"type": "Polygon", "coordinates": square(109.3401, -0.0265)},
            fid=102,
            code=BACKTICK_NAME,
            vendor_name=BACKTICK_NAME,
            state="warning",
        ),
        feature(
            {"type": "Polygon", "coordinates": square(109.3402, -0.0265)}, fid=103, code="A-03"
        ),
        feature(
            {"type": "Polygon", "coordinates": square(109.3403, -0.0265)},
            fid=104,
            code="L-01",
            kind="service_desk",
        ),
        feature(
            {"type": "Polygon", "coordinates": square(109.3404, -0.0265)},
            fid=105,
            code="R-01",
            kind="reserved",
        ),
    )


@pytest.fixture
def facilities() -> dict[str, Any]:
    return collection(
        *(
            feature(
                {"type": "Point", "coordinates": [109.3400 + i * 0.00005, -0.0266]},
                kind=kind,
                name=XSS_NAME if kind == "hydrant" else BACKTICK_NAME if kind == "bench" else "",
            )
            for i, kind in enumerate(FACILITY_KINDS)
        ),
        feature({"type": "Point", "coordinates": [109.3399, -0.0266]}, kind="unknown_kind"),
    )


LABELS_ID = {
    "pkl_legal": "Zona PKL resmi",
    "blocking": "Konflik",
    "hydrant": "Hidran",
    "field.vendor": "Pedagang",
}


def full_map(
    zones: dict[str, Any], booths: dict[str, Any], facilities: dict[str, Any], **kwargs: Any
) -> folium.Map:
    m = maps.base_map(center=PONTIANAK, zoom=18, static_base=STATIC_BASE, **kwargs)
    zone_layers = maps.add_zones(m, zones, labels=LABELS_ID)
    maps.add_booths(m, booths, labels=LABELS_ID)
    maps.add_facilities(m, facilities, labels=LABELS_ID)
    map_legend.add_legend(
        m,
        [*map_legend.legend_entries(maps.ZONE_STYLES, LABELS_ID), (XSS_NAME, "#123456", "circle")],
        title=BACKTICK_NAME,
    )
    draw = folium.plugins.Draw(feature_group=zone_layers["pkl_legal"])
    maps.self_host(draw, static_base=STATIC_BASE).add_to(m)
    maps.self_host(folium.plugins.GeoMan(), static_base=STATIC_BASE).add_to(m)
    maps.self_host(
        folium.plugins.VectorGridProtobuf("/tiles/booths/{z}/{x}/{y}.pbf", "booths"),
        static_base=STATIC_BASE,
    ).add_to(m)
    # Last: folium's LayerControl script refers to the layers' variables, so they must exist.
    folium.LayerControl(collapsed=False).add_to(m)
    return m


@pytest.fixture
def parts(
    zones: dict[str, Any], booths: dict[str, Any], facilities: dict[str, Any]
) -> dict[str, str]:
    return maps.render_parts(full_map(zones, booths, facilities))


def page(parts: dict[str, str]) -> str:
    return parts["header"] + parts["html"] + parts["script"]


# -- escaping --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [XSS_NAME, BACKTICK_NAME, "a\\b", "${1+1}", 'Tom & Jerry\'s "kedai"', "Sate Madura", ""],
)
def test_escape_for_folium_round_trips_and_leaves_no_active_characters(text: str) -> None:
    escaped = maps.escape_for_folium(text)
    assert html.unescape(escaped) == text
    assert not set(escaped) & set("<>\"'`$\\")


def test_xss_and_backtick_names_are_escaped_in_the_page(parts: dict[str, str]) -> None:
    out = page(parts)
    assert "<img" not in out
    assert "onerror=alert(1)>" not in out
    assert "`" not in parts["script"]
    assert "${" not in out
    # The names are still there, as escaped text inside the embedded JSON.
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in parts["script"]
    assert "Warung \\u0026#96;Bu Ani\\u0026#96; \\u0026#36;{document.cookie}" in parts["script"]


def test_only_display_properties_reach_the_page(parts: dict[str, str]) -> None:
    assert "0812-private" not in page(parts)
    assert '"id": 101' in parts["script"]


def test_layer_names_and_legend_labels_are_escaped() -> None:
    m = maps.base_map(center=PONTIANAK, zoom=18, static_base=STATIC_BASE)
    fc = collection(
        feature({"type": "Polygon", "coordinates": square(109.34, -0.027)}, kind="pkl_legal")
    )
    maps.add_zones(m, fc, labels={"pkl_legal": XSS_NAME})
    folium.LayerControl().add_to(m)
    map_legend.add_legend(m, [(BACKTICK_NAME, "red", "area")])
    script = maps.render_parts(m)["script"]
    assert "<img" not in script
    assert "`" not in script
    assert "\\u0026lt;img" in script


@pytest.mark.parametrize(
    ("colour", "shape"),
    [("red;background:url(x)", "area"), ("#12345g", "circle"), ("#2e7d32", "star")],
)
def test_legend_rejects_css_injection_and_unknown_shapes(colour: str, shape: str) -> None:
    m = maps.base_map(center=PONTIANAK, zoom=18, static_base=STATIC_BASE)
    with pytest.raises(ValueError, match="colour|shape"):
        map_legend.add_legend(m, [("x", colour, shape)])


# -- self-hosting ----------------------------------------------------------------------------------


def test_default_page_loads_nothing_remote(parts: dict[str, str]) -> None:
    assert URL_RE.findall(page(parts)) == []


def test_a_tile_template_is_the_only_remote_url(
    zones: dict[str, Any], booths: dict[str, Any], facilities: dict[str, Any]
) -> None:
    tiles = "https://tiles.example.org/{z}/{x}/{y}.png"
    m = full_map(zones, booths, facilities, tiles=tiles, tiles_attribution="© OSM <contributors>")
    out = page(maps.render_parts(m))
    assert set(URL_RE.findall(out)) == {tiles}
    assert "<contributors>" not in out


def test_a_tile_template_needs_an_attribution() -> None:
    with pytest.raises(ValueError, match="attribution"):
        maps.base_map(
            center=PONTIANAK, zoom=18, static_base=STATIC_BASE, tiles="/tiles/{z}/{x}/{y}.png"
        )


def test_every_referenced_asset_exists(parts: dict[str, str]) -> None:
    urls = re.findall(r'(?:src|href)="([^"]+)"', parts["header"])
    assert urls, "no assets referenced"
    for url in urls:
        # vendored libraries, and the app's own scripts (the layers-and-legend control)
        assert url.startswith("/static/"), url
        assert (VENDOR_DIR.parent / url.removeprefix("/static/")).is_file(), url
    assert map_legend.SCRIPT_URL in urls
    referenced = {url.removeprefix(STATIC_BASE + "/") for url in urls}
    assert {maps.LEAFLET_JS, maps.JQUERY_JS, maps.LEAFLET_CSS, maps.DRAW_JS, maps.GEOMAN_JS} <= (
        referenced
    )


@pytest.mark.parametrize("css", sorted(VENDOR_DIR.glob("*/*.css")), ids=lambda p: p.parent.name)
def test_images_named_in_vendored_css_exist(css: Path) -> None:
    for ref in re.findall(r"url\(['\"]?([^'\")]+)", css.read_text(encoding="utf-8")):
        if ref.startswith(("data:", "#", "%23")):
            continue
        assert (css.parent / ref).is_file(), f"{css.name}: {ref}"


def test_each_vendored_package_keeps_its_licence() -> None:
    packages = [p for p in VENDOR_DIR.iterdir() if p.is_dir()]
    assert {p.name for p in packages} >= {"leaflet", "jquery", "leaflet-draw"}
    for package in packages:
        assert (package / "LICENSE").is_file(), package.name


def test_no_bootstrap_font_awesome_or_awesome_markers(parts: dict[str, str]) -> None:
    header = parts["header"].lower()
    for name in ("bootstrap", "glyphicons", "fontawesome", "font-awesome", "awesome-markers"):
        assert name not in header


def test_base_map_leaves_folium_class_defaults_alone() -> None:
    before_js, before_css = list(folium.Map.default_js), list(folium.Map.default_css)
    maps.base_map(center=PONTIANAK, zoom=18, static_base=STATIC_BASE)
    maps.self_host(folium.plugins.Draw(), static_base=STATIC_BASE)
    assert folium.Map.default_js == before_js
    assert folium.Map.default_css == before_css
    assert folium.plugins.Draw.default_js[0][1].startswith("https://")


def test_self_host_refuses_plugins_it_has_no_files_for() -> None:
    with pytest.raises(TypeError, match="MarkerCluster"):
        maps.self_host(folium.plugins.MarkerCluster(), static_base=STATIC_BASE)


# -- page parts ------------------------------------------------------------------------------------


def test_pinch_zoom_is_not_blocked_and_page_styles_are_left_to_the_host(
    parts: dict[str, str],
) -> None:
    out = page(parts)
    assert "user-scalable" not in out
    assert 'name="viewport"' not in out
    assert not re.search(r"html,\s*body\s*\{", out)


def test_parts_split_head_body_and_script(parts: dict[str, str]) -> None:
    assert '<script src="/static/vendor/leaflet/leaflet.js"></script>' in parts["header"]
    assert 'class="folium-map"' in parts["html"]
    assert "<script" not in parts["html"]
    assert "L.map(" in parts["script"]
    assert "<script" not in parts["script"]


def test_one_named_layer_per_kind(
    zones: dict[str, Any], booths: dict[str, Any], facilities: dict[str, Any]
) -> None:
    m = maps.base_map(center=PONTIANAK, zoom=18, static_base=STATIC_BASE)
    zone_layers = maps.add_zones(m, zones, labels=LABELS_ID)
    booth_layers = maps.add_booths(m, booths, labels=LABELS_ID)
    facility_layers = maps.add_facilities(m, facilities, labels=LABELS_ID)
    assert list(zone_layers) == list(ZONE_KINDS)
    assert list(booth_layers) == ["ok", "warning", "blocking", "service_desk", "reserved"]
    assert list(facility_layers) == [*FACILITY_KINDS, "unknown_kind"]
    assert zone_layers["pkl_legal"].layer_name == "Zona PKL resmi"
    assert facility_layers["hydrant"].layer_name == "Hidran"
    assert zone_layers["cfd_corridor"].layer_name == "cfd_corridor"  # untranslated code as fallback


def test_every_engine_kind_has_a_style() -> None:
    assert set(ZONE_KINDS) <= set(maps.ZONE_STYLES)
    assert set(FACILITY_KINDS) <= set(maps.FACILITY_STYLES)
    assert {"ok", "warning", "blocking", "service_desk", "reserved"} == set(maps.BOOTH_STYLES)
    # Okabe–Ito fills (bluish green, yellow, vermillion) under dark outlines of the same hue;
    # contrast and colour blindness are measured in tests/test_map_contrast.py
    assert maps.ZONE_STYLES["pkl_legal"].fill_color == "#009e73"
    assert maps.ZONE_STYLES["pkl_timed"].fill_color == "#f0e442"
    assert maps.ZONE_STYLES["no_vending"].fill_color == "#d55e00"


def test_facility_symbols_are_distinct() -> None:
    symbols = {(s.shape, s.fill, s.glyph) for s in maps.FACILITY_STYLES.values()}
    assert len(symbols) == len(maps.FACILITY_STYLES)


# -- bounds ----------------------------------------------------------------------------------------


def test_fit_bounds_of_covers_every_geometry(
    zones: dict[str, Any], facilities: dict[str, Any]
) -> None:
    both = collection(*zones["features"], *facilities["features"])
    bounds = maps.fit_bounds_of(both)
    assert bounds is not None
    (south, west), (north, east) = bounds
    for f in both["features"]:
        for lon, lat in maps._geometry_positions(f["geometry"]):
            assert south <= lat <= north
            assert west <= lon <= east


def test_fit_bounds_of_empty_collection_is_none() -> None:
    assert maps.fit_bounds_of(collection()) is None
    assert maps.fit_bounds_of(collection(feature(None))) is None  # type: ignore[arg-type]


def test_facility_circles_are_filled(facilities: dict[str, Any]) -> None:
    m = maps.base_map(center=PONTIANAK, zoom=18, static_base=STATIC_BASE)
    layers = maps.add_facilities(m, facilities, labels={})
    script = maps.render_parts(m)["script"]
    hydrant = maps.FACILITY_STYLES["hydrant"]
    assert f'"fillColor": "{hydrant.fill}"' in script
    assert '"fill": true' in script  # folium's CircleMarker alone would draw an empty ring
    assert layers["bus_stop"].marker is not None


def test_the_basemap_comes_from_one_place_self_hosted_with_its_attribution() -> None:
    from app.views import maps as m

    layer = m.BasemapLayer(
        tiles_url="/tiles/basemap/{z}/{x}/{y}.mvt?city=pontianak",
        labels_url="/tiles/basemap-labels/{z}/{x}/{y}.json?city=pontianak",
        attribution="© OpenStreetMap contributors <script>",
        name="Peta dasar",
        online_name="Peta daring",
    )
    plain = m.render_parts(
        m.base_map(center=(-0.05, 109.34), zoom=17, static_base="/static/vendor", basemap=layer)
    )
    page = plain["header"] + plain["html"] + plain["script"]
    # drawn by the one self-hosted script, loaded after VectorGrid; no inline copy of it
    header = plain["header"]
    vectorgrid = "/static/vendor/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js"
    assert header.index(vectorgrid) < header.index('src="/static/js/basemap.js"')
    assert "plAddBasemap(" in plain["script"] and "/tiles/basemap/{z}/{x}/{y}.mvt" in page
    assert "L.vectorGrid.protobuf" not in page and "pl-road-label" not in plain["script"]
    assert "/tiles/basemap-labels/{z}/{x}/{y}.json" in page  # street names and landmarks
    # the attribution is HTML-escaped (then written as a JS string)
    assert "OpenStreetMap contributors \\u0026lt;script\\u0026gt;" in page
    assert "contributors <script>" not in page
    assert "unpkg" not in page and "cdn" not in page.lower()
    assert "pl-online-toggle" not in page  # no MAP_TILES: no online layer to offer
    online = m.render_parts(
        m.base_map(
            center=(-0.05, 109.34),
            zoom=17,
            static_base="/static/vendor",
            basemap=layer,
            tiles="https://tile.example.org/{z}/{x}/{y}.png",
            tiles_attribution="© OpenStreetMap contributors",
        )
    )["script"]
    assert "pl-online-toggle" in online and "tile.example.org" in online
    assert "Peta daring" in online
