"""Alembic environment: the app's metadata plus GeoAlchemy2's helpers for spatial columns."""

from __future__ import annotations

import os

from alembic import context
from geoalchemy2 import alembic_helpers
from sqlalchemy import create_engine, pool

from app.config import DEFAULT_DATABASE_URL, normalise_database_url
from app.models import Base

config = context.config
target_metadata = Base.metadata

# PostGIS installs tables of its own (spatial_ref_sys; topology/tiger when enabled): not ours.
_FOREIGN_TABLES = {"spatial_ref_sys", "topology", "layer"}


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    if type_ == "table" and name in _FOREIGN_TABLES:
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


def _url() -> str:
    return normalise_database_url(
        config.attributes.get("database_url")
        or os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    )


def _configure(**kwargs):  # type: ignore[no-untyped-def]
    context.configure(
        target_metadata=target_metadata,
        include_object=include_object,
        process_revision_directives=alembic_helpers.writer,
        render_item=alembic_helpers.render_item,
        compare_type=True,
        **kwargs,
    )


def _sync_registries(connection) -> None:  # type: ignore[no-untyped-def]
    """After an upgrade (or stamp) that leaves the database at the head, rewrite the lookup tables
    that mirror the code's registries (app.migrate explains why). Read-only commands such as
    ``alembic current`` pass no target revision and write nothing."""
    from sqlalchemy import inspect

    from app.migrate import sync_facility_kinds

    # upgrade, downgrade and stamp name a destination; current, check and history do not.
    if "destination_rev" not in context.get_context().opts:
        return
    at_head = set(context.get_context().get_current_heads()) == set(context.script.get_heads())
    if at_head and inspect(connection).has_table("facility_kind"):
        sync_facility_kinds(connection)


def run_offline() -> None:
    _configure(url=_url(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
            _sync_registries(connection)
        return
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as conn:
        _configure(connection=conn)
        with context.begin_transaction():
            context.run_migrations()
            _sync_registries(conn)


if context.is_offline_mode():
    run_offline()
else:
    run_online()
