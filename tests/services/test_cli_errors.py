"""The CLI: every error exits non-zero with a message in the chosen language, never a traceback."""

from __future__ import annotations

import json
import traceback
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Event, Zone

UPCOMING = "cfd-2026-12-06"
SQUARE = [
    [109.3380, -0.0300],
    [109.3382, -0.0300],
    [109.3382, -0.0302],
    [109.3380, -0.0302],
    [109.3380, -0.0300],
]


def _feature(**props: Any) -> dict[str, Any]:
    props.setdefault("kind", "pkl_legal")
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
        "properties": props,
    }


@pytest.fixture
def zones_file(tmp_path: Path) -> Path:
    path = tmp_path / "zona.geojson"
    features = [_feature(name="Zona uji CLI")]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


@pytest.fixture
def bad_zones_file(tmp_path: Path) -> Path:
    path = tmp_path / "zona-buruk.geojson"
    features = [
        _feature(name="Zona baik"),
        _feature(name="Z" * 161),
        _feature(name="Zona besar", capacity=3_000_000_000),
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def _refused(result: Result) -> str:
    """The command failed cleanly: a non-zero exit, a message, no traceback."""
    assert result.exit_code != 0, result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(
            "".join(traceback.format_exception(result.exception))
        )  # an exception escaped the command
    assert "Traceback" not in result.output
    assert result.output.strip(), "a failure must say why"
    return result.output


def _emergency_lane(db: Session) -> str:
    return db.scalars(select(Zone.name).where(Zone.kind == "emergency_lane").limit(1)).one()


BAD_INVOCATIONS: list[tuple[str, list[str]]] = [
    (
        "booths without event",
        ["import-layer", "{zones}", "--city", "pontianak", "--layer", "booths"],
    ),
    ("unknown city", ["import-layer", "{zones}", "--city", "tidak-ada", "--layer", "zones"]),
    ("unknown event", ["conflicts", "tidak-ada"]),
    (
        "unknown corridor",
        [
            "create-event",
            "pontianak",
            "x-1",
            "--name",
            "X",
            "--date",
            "2026-12-20",
            "--corridor",
            "Tidak Ada",
        ],
    ),
    (
        "bad start",
        [
            "create-event",
            "pontianak",
            "x-2",
            "--name",
            "X",
            "--date",
            "2026-12-20",
            "--start",
            "25:00",
            "--corridor",
            "x",
        ],
    ),
    ("bad extent", ["create-city", "Kota Uji", "--slug", "kota-uji", "--extent", "a,b,c,d"]),
    (
        "nan extent",
        ["create-city", "Kota Uji", "--slug", "kota-uji", "--extent", "nan,nan,nan,nan"],
    ),
    ("huge crs", ["create-city", "Kota Uji", "--slug", "kota-uji", "--crs", "99999999999"]),
    ("negative seed", ["allocate", UPCOMING, "--seed", "-1", "--dry-run"]),
    ("huge seed", ["allocate", UPCOMING, "--seed", "2147483648", "--dry-run"]),
    ("nan weight", ["allocate", UPCOMING, "--seed", "1", "--neighbour-weight", "nan", "--dry-run"]),
    ("inf weight", ["allocate", UPCOMING, "--seed", "1", "--neighbour-weight", "inf", "--dry-run"]),
    ("negative cap", ["allocate", UPCOMING, "--seed", "1", "--cap", "makanan=-1", "--dry-run"]),
    ("huge cap", ["allocate", UPCOMING, "--seed", "1", "--cap", "makanan=3000000000", "--dry-run"]),
    ("nan booth", ["layout", UPCOMING, "--booth-width", "nan", "--dry-run"]),
    ("inf booth", ["layout", UPCOMING, "--booth-width", "inf", "--dry-run"]),
    ("huge vendor id", ["vendor-link", "2147483648"]),
    ("unknown vendor", ["vendor-link", "999999"]),
    ("huge vendor id, new code", ["vendor-new-code", "18446744073709551616"]),
    (
        "booths export without event",
        ["export-layer", "{out}", "--city", "pontianak", "--layer", "booths"],
    ),
]


@pytest.mark.parametrize(("what", "args"), BAD_INVOCATIONS, ids=[b[0] for b in BAD_INVOCATIONS])
def test_every_error_exits_non_zero_without_a_traceback(
    runner: FlaskCliRunner, zones_file: Path, tmp_path: Path, what: str, args: list[str]
) -> None:
    args = [a.format(zones=zones_file, out=tmp_path / "keluar.geojson") for a in args]
    _refused(runner.invoke(args=args))


def test_import_reports_each_bad_feature_also_on_dry_run(
    runner: FlaskCliRunner, bad_zones_file: Path, db: Session
) -> None:
    zones = db.scalar(select(func.count()).select_from(Zone))
    for extra in (["--dry-run"], []):
        out = _refused(
            runner.invoke(
                args=[
                    "import-layer",
                    str(bad_zones_file),
                    "--city",
                    "pontianak",
                    "--layer",
                    "zones",
                    "--lang",
                    "en",
                    *extra,
                ]
            )
        )
        # features are numbered from 1, as the reader counts them (#14)
        assert "feature #2 [name]" in out and "161" in out
        assert "feature #3 [capacity]" in out and "3000000000" in out
    assert db.scalar(select(func.count()).select_from(Zone)) == zones


def test_booths_need_an_event_says_so(runner: FlaskCliRunner, zones_file: Path) -> None:
    args = ["import-layer", str(zones_file), "--city", "pontianak", "--layer", "booths"]
    assert "--event" in _refused(runner.invoke(args=args))


def test_create_event_takes_several_corridors(runner: FlaskCliRunner, db: Session) -> None:
    names = db.scalars(
        select(Zone.name).where(Zone.kind.in_(("cfd_corridor", "pkl_legal"))).limit(2)
    ).all()
    assert len(names) == 2
    args = ["create-event", "pontianak", "cfd-dua-koridor", "--name", "Dua koridor"]
    args += ["--date", "2026-12-27", "--corridor", names[0], "--corridor", names[1]]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    event = db.scalars(select(Event).where(Event.slug == "cfd-dua-koridor")).one()
    assert sorted(z.name for z in event.corridors) == sorted(names)


@pytest.mark.parametrize(
    ("lang", "words", "slip"),
    [
        ("en", "is an emergency lane", "a emergency_lane"),
        ("id", "adalah jalur darurat", "berjenis"),
    ],
)
def test_a_zone_that_is_not_a_corridor_is_named_by_its_label(
    runner: FlaskCliRunner, db: Session, lang: str, words: str, slip: str
) -> None:
    args = ["create-event", "pontianak", "cfd-salah", "--name", "Salah", "--date", "2026-12-27"]
    args += ["--corridor", _emergency_lane(db), "--lang", lang]
    out = _refused(runner.invoke(args=args))
    assert words in out
    assert slip not in out and "emergency_lane" not in out
