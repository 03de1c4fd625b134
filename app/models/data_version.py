"""Per-city change counters kept by the database itself.

Triggers on every table whose rows shape a public answer (zones, facilities, events, booths,
assignments, allocation runs, vendors, clearance rules) add one to the city's ``version`` when a
transaction that changed them commits; ``layout_version`` skips the changes that cannot alter
another vendor's view (vendor rows; an assignment that keeps its vendor and booth and stays
holding or not holding, such as a check-in). Caches put the version into their keys: an answer is
reused exactly as long as nothing it was built from has changed, in every worker and every
server, with no expiry guesswork and no invalidation calls for a write path to forget. See
:mod:`app.services.data_version` and the migration that creates the triggers.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class DataVersion(Base):
    """One row per city that has ever changed; no foreign key, so it outlives a deleted city."""

    __tablename__ = "data_version"

    city_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    layout_version: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
