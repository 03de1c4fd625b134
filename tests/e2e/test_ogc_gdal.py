"""A real GIS client reads the OGC API: GDAL's OAPIF driver (ogrinfo, ogr2ogr) on a live server.

Skipped only when GDAL's command-line tools are missing (.ci/run installs gdal-bin).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest

OGRINFO, OGR2OGR = shutil.which("ogrinfo"), shutil.which("ogr2ogr")
pytestmark = pytest.mark.skipif(
    OGRINFO is None or OGR2OGR is None, reason="GDAL's ogrinfo/ogr2ogr are not installed (gdal-bin)"
)

BOOTHS = "booths-cfd-2026-12-06"
#: around the south-east end of Jl. Ahmad Yani's booths
SPAT = (109.345, -0.052, 109.347, -0.050)


def _gdal(*args: str) -> str:
    env = {
        **os.environ,
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "GDAL_HTTP_TIMEOUT": "60",
        "CPL_DEBUG": "OFF",
    }
    done = subprocess.run(
        list(args), capture_output=True, text=True, env=env, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _api(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as resp:  # loopback only
        return json.loads(resp.read())


def _feature_count(text: str) -> int:
    match = re.search(r"Feature Count: (\d+)", text)
    assert match, text
    return int(match.group(1))


def test_ogrinfo_lists_every_public_collection(live_server: str) -> None:
    out = _gdal(OGRINFO, "-ro", "-q", f"OAPIF:{live_server}/ogc")  # type: ignore[arg-type]
    layers = re.findall(r"^\d+: (\S+)", out, flags=re.M)
    public = [c["id"] for c in _api(f"{live_server}/ogc/collections")["collections"]]
    assert layers == public == ["zones", "facilities", "landmarks", BOOTHS]


def test_ogrinfo_counts_and_filters_by_bbox(live_server: str) -> None:
    url = f"OAPIF:{live_server}/ogc"
    total = _api(f"{live_server}/ogc/collections/{BOOTHS}/items?limit=1")["numberMatched"]
    summary = _gdal(OGRINFO, "-ro", "-so", url, BOOTHS)  # type: ignore[arg-type]
    assert _feature_count(summary) == total > 1000
    assert re.search(r"^status: String", summary, flags=re.M)
    assert "phone" not in summary
    assert "business_name" not in summary
    in_box = _api(
        f"{live_server}/ogc/collections/{BOOTHS}/items?limit=1&bbox=" + ",".join(map(str, SPAT))
    )["numberMatched"]
    assert 0 < in_box < total
    listed = _gdal(
        OGRINFO,
        "-ro",
        "-q",
        "-spat",
        *map(str, SPAT),
        url,  # type: ignore[arg-type]
        BOOTHS,
    )
    assert listed.count("OGRFeature(") == in_box


def test_ogr2ogr_copies_a_whole_layer_to_geopackage(live_server: str, tmp_path: Path) -> None:
    total = _api(f"{live_server}/ogc/collections/{BOOTHS}/items?limit=1")["numberMatched"]
    out = tmp_path / "booths.gpkg"
    _gdal(
        OGR2OGR,
        "-f",
        "GPKG",
        str(out),
        f"OAPIF:{live_server}/ogc",  # type: ignore[arg-type]
        BOOTHS,
    )
    summary = _gdal(OGRINFO, "-ro", "-so", str(out), BOOTHS)  # type: ignore[arg-type]
    assert _feature_count(summary) == total
    assert "Geometry: Polygon" in summary
    codes = _gdal(
        OGRINFO,
        "-ro",
        "-q",
        "-sql",  # type: ignore[arg-type]
        f'SELECT COUNT(DISTINCT code) AS n FROM "{BOOTHS}"',
        str(out),
    )
    assert f"n (Integer) = {total}" in codes
