"""Every write path refuses over-detailed geometry and open rings unless asked to fix them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import shapely
from geoalchemy2.shape import to_shape
from shapely import Point
from shapely.geometry import mapping
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import City, Zone
from app.services.layers import import_layer

DETAILED = Point(109.3400, -0.0400).buffer(0.0005, quad_segs=3000)  # 12,001 coordinates
SQUARE = [[109.3410, -0.0410], [109.3412, -0.0410], [109.3412, -0.0412], [109.3410, -0.0412]]


def _city(db: Session) -> City:
    return db.scalars(select(City).where(City.slug == "pontianak")).one()


def _feature(geometry: dict[str, Any], name: str) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {"name": name, "kind": "pkl_legal"},
    }


def _zones(db: Session, name: str) -> list[Zone]:
    return list(db.scalars(select(Zone).where(Zone.name == name)))


def test_import_refuses_a_feature_over_the_limit_by_index(db: Session) -> None:
    report = import_layer(
        db,
        city=_city(db),
        layer="zones",
        features=[
            _feature({"type": "Polygon", "coordinates": [[*SQUARE, SQUARE[0]]]}, "Zona kecil"),
            _feature(dict(mapping(DETAILED)), "Zona rinci"),
        ],
    )
    assert not report.written
    assert [(p.index, p.field) for p in report.problems] == [(1, "geometry")]
    assert "12001" in report.problems[0].message_en and "10000" in report.problems[0].message_en
    assert _zones(db, "Zona kecil") == [] and _zones(db, "Zona rinci") == []


def test_import_simplifies_when_asked_and_reports_it(db: Session) -> None:
    report = import_layer(
        db,
        city=_city(db),
        layer="zones",
        features=[_feature(dict(mapping(DETAILED)), "Zona rinci")],
        simplify=True,
        max_vertices=2_000,
    )
    assert report.written, report.problems
    assert [(p.index, p.field) for p in report.simplified] == [(0, "geometry")]
    assert "Simplified from 12001" in report.simplified[0].message_en
    assert "Disederhanakan dari 12001" in report.simplified[0].message_id
    (zone,) = _zones(db, "Zona rinci")
    assert db.scalar(select(func.ST_NPoints(zone.geom))) <= 2_000
    assert report.to_dict()["simplified"][0]["index"] == 0


def test_unclosed_ring_is_a_problem_not_silently_closed(db: Session) -> None:
    report = import_layer(
        db,
        city=_city(db),
        layer="zones",
        features=[_feature({"type": "Polygon", "coordinates": [SQUARE]}, "Zona terbuka")],
    )
    assert not report.written
    assert [(p.index, p.field) for p in report.problems] == [(0, "geometry")]
    assert "Unclosed" in report.problems[0].message_en
    assert "tidak tertutup" in report.problems[0].message_id
    assert _zones(db, "Zona terbuka") == []


def test_unclosed_ring_is_closed_with_repair_and_reported(db: Session) -> None:
    report = import_layer(
        db,
        city=_city(db),
        layer="zones",
        repair=True,
        features=[_feature({"type": "Polygon", "coordinates": [SQUARE]}, "Zona terbuka")],
    )
    assert report.written, report.problems
    assert [(p.index, p.message_en) for p in report.repaired] == [
        (0, "Repaired: closed 1 unclosed ring(s).")
    ]
    (zone,) = _zones(db, "Zona terbuka")
    ring = list(to_shape(zone.geom).exterior.coords)
    assert ring[0] == ring[-1] and len(ring) == 5


def _write(tmp_path: Path, *features: dict[str, Any]) -> Path:
    path = tmp_path / "zona.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}))
    return path


def test_cli_limit_is_the_setting_and_simplify_says_so(
    app: Any, runner: Any, db: Session, tmp_path: Path
) -> None:
    app.config["MAX_VERTICES"] = 500
    path = _write(tmp_path, _feature(dict(mapping(DETAILED)), "Zona rinci CLI"))
    result = runner.invoke(
        args=["import-layer", str(path), "--city", "pontianak", "--layer", "zones"]
    )
    assert result.exit_code == 1
    assert "fitur #1 [geometry]" in result.output and "paling banyak 500" in result.output
    assert _zones(db, "Zona rinci CLI") == []
    result = runner.invoke(
        args=["import-layer", str(path), "--city", "pontianak", "--layer", "zones", "--simplify"]
    )
    assert result.exit_code == 0, result.output
    assert "fitur #1: Disederhanakan dari 12001 menjadi" in result.output
    (zone,) = _zones(db, "Zona rinci CLI")
    assert db.scalar(select(func.ST_NPoints(zone.geom))) <= 500


def test_cli_unclosed_ring_needs_repair(runner: Any, db: Session, tmp_path: Path) -> None:
    path = _write(tmp_path, _feature({"type": "Polygon", "coordinates": [SQUARE]}, "Zona CLI"))
    result = runner.invoke(
        args=["import-layer", str(path), "--city", "pontianak", "--layer", "zones"]
    )
    assert result.exit_code == 1 and "Cincin poligon tidak tertutup" in result.output
    result = runner.invoke(
        args=["import-layer", str(path), "--city", "pontianak", "--layer", "zones", "--lang", "en"]
    )
    assert result.exit_code == 1 and "feature #1 [geometry]: Unclosed polygon ring" in result.output
    assert "features: 1; new: 0, updated: 0 — REFUSED" in result.output
    assert "DITOLAK" not in result.output and "fitur" not in result.output
    result = runner.invoke(
        args=["import-layer", str(path), "--city", "pontianak", "--layer", "zones", "--repair"]
    )
    assert result.exit_code == 0, result.output
    assert "fitur #1: Diperbaiki: 1 cincin yang tidak tertutup ditutup." in result.output
    assert shapely.get_num_coordinates(to_shape(_zones(db, "Zona CLI")[0].geom)) == 5


def test_cli_names_a_problem_of_the_whole_file_without_a_feature_number(
    runner: Any, db: Session, tmp_path: Path
) -> None:
    path = tmp_path / "kosong.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    args = ["import-layer", str(path), "--city", "pontianak", "--layer", "zones", "--dry-run"]
    result = runner.invoke(args=[*args, "--lang", "en"])
    assert result.exit_code == 1
    assert "  No features." in result.output
    assert "#-1" not in result.output and "[None]" not in result.output
    assert "(assumed)" in result.output and "(dianggap)" not in result.output
