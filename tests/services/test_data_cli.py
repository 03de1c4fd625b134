"""create-event and create-city from the command line: what the README shows works, and every
mistake is a message and a non-zero exit, never a traceback."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask.testing import FlaskCliRunner
from sqlalchemy.orm import Session

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_shows_several_corridors_the_way_that_works(
    runner: FlaskCliRunner, db: Session, make_zone: Any
) -> None:
    row = next(line for line in README.read_text().splitlines() if "create-event" in line)
    assert re.search(r"--corridor ZONE \[--corridor ZONE …\]", row), row
    corridor = make_zone(kind="cfd_corridor", name="Koridor Uji")
    market = make_zone(kind="pkl_legal", name="Pasar Uji", city=corridor.city)
    result = runner.invoke(
        args=[
            "create-event",
            corridor.city.slug,
            "cfd-uji",
            "--name",
            "CFD uji",
            "--date",
            "2026-12-20",
            "--corridor",
            corridor.name,
            "--corridor",
            market.name,
            "--lang",
            "en",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Event cfd-uji on 2026-12-20 created." in result.output


def test_a_zone_that_is_no_corridor_is_named_without_grammar_slips(
    runner: FlaskCliRunner, db: Session, make_zone: Any
) -> None:
    lane = make_zone(kind="emergency_lane", name="Jalur Uji")
    args = ["create-event", lane.city.slug, "cfd-uji", "--name", "X", "--date", "2026-12-20"]
    args += ["--corridor", lane.name]
    english = runner.invoke(args=[*args, "--lang", "en"])
    assert english.exit_code == 1
    assert "Zone 'Jalur Uji' is an emergency lane (emergency_lane)" in english.output
    assert "a emergency" not in english.output
    indonesian = runner.invoke(args=args)
    assert indonesian.exit_code == 1
    assert "Zona 'Jalur Uji' adalah jalur darurat (emergency_lane)" in indonesian.output


def test_a_bad_time_is_a_usage_error(runner: FlaskCliRunner, db: Session, make_zone: Any) -> None:
    corridor = make_zone(kind="cfd_corridor")
    for option, value in (("--start", "25:00"), ("--end", "pagi")):
        result = runner.invoke(
            args=[
                "create-event",
                corridor.city.slug,
                "cfd-uji",
                "--name",
                "X",
                "--date",
                "2026-12-20",
                "--corridor",
                corridor.name,
                option,
                value,
                "--lang",
                "en",
            ]
        )
        assert result.exit_code == 2, result.output
        assert f"'{value}' is not a time (HH:MM)" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_create_city_refuses_a_bad_extent_and_an_unknown_crs(
    runner: FlaskCliRunner, db: Session
) -> None:
    bad_extent = runner.invoke(args=["create-city", "Uji", "--slug", "uji", "--extent", "a,b,c,d"])
    assert bad_extent.exit_code == 2, bad_extent.output
    assert "minlon,minlat,maxlon,maxlat" in bad_extent.output
    for epsg in ("999999", str(2**40)):
        unknown = runner.invoke(args=["create-city", "Uji", "--slug", "uji", "--crs", epsg])
        assert unknown.exit_code == 1, unknown.output
        assert f"EPSG:{epsg} tidak dikenal" in unknown.output
        assert isinstance(unknown.exception, SystemExit)
