"""Apply Alembic migrations from code (the CLI, ``make run`` and the test session use it), and
keep the database's lookup tables equal to the registries they mirror.

Lookup tables mirror code (like Django's ``post_migrate`` sync of content types): the facility
kinds live in :mod:`app.kinds`, and ``facility_kind`` is rewritten from it after every migration
run that ends at the head revision (``migrations/env.py`` calls :func:`sync_facility_kinds`).
Adding a kind to the registry therefore needs no migration of its own; removing one that rows
still use fails with a message naming it.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection

from app.kinds import FACILITY_KIND_REGISTRY

ROOT = Path(__file__).resolve().parent.parent

_FACILITY_KIND = sa.table(
    "facility_kind",
    sa.column("code", sa.String),
    sa.column("label_id", sa.String),
    sa.column("label_en", sa.String),
    sa.column("blocking", sa.Boolean),
)


class RegistryInUseError(RuntimeError):
    """A kind left the registry while rows still use it."""


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at this project's migrations and the given database."""
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database schema up to ``revision``."""
    command.upgrade(alembic_config(database_url), revision)


def facility_kind_rows() -> list[dict[str, object]]:
    """The rows ``facility_kind`` must hold: one per registered kind."""
    return [
        {
            "code": kind.code,
            "label_id": kind.label_id,
            "label_en": kind.label_en,
            "blocking": kind.blocking,
        }
        for kind in FACILITY_KIND_REGISTRY.values()
    ]


def sync_facility_kinds(conn: Connection) -> None:
    """Make ``facility_kind`` equal the registry: add new kinds, update names, drop old ones.

    Runs inside the migration's transaction. A kind dropped from the registry that a facility or
    clearance rule still uses is refused (its foreign keys would fail anyway) with the kind and
    the number of rows named, and nothing is changed.
    """
    rows = facility_kind_rows()
    codes = [str(row["code"]) for row in rows]
    in_use = conn.execute(
        sa.text(
            "SELECT kind, count(*) FROM ("
            " SELECT kind FROM facility UNION ALL"
            " SELECT facility_kind FROM clearance_rule) AS used"
            " WHERE kind <> ALL(:codes) GROUP BY kind ORDER BY kind"
        ),
        {"codes": codes},
    ).all()
    if in_use:
        listed = ", ".join(f"{kind} ({count} rows)" for kind, count in in_use)
        raise RegistryInUseError(
            f"facility kinds no longer in app/kinds.py are still used: {listed}; "
            "change those rows to a registered kind first"
        )
    stmt = insert(_FACILITY_KIND).values(rows)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["code"],
            set_={
                "label_id": stmt.excluded.label_id,
                "label_en": stmt.excluded.label_en,
                "blocking": stmt.excluded.blocking,
            },
        )
    )
    conn.execute(_FACILITY_KIND.delete().where(_FACILITY_KIND.c.code.not_in(codes)))
