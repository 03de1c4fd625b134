"""Booth layouts for events: generate with the engine, keep locked booths, store in one go."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from typing import Any, TypeVar, cast

import numpy as np
import shapely
from shapely.geometry import Point
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from app.gis import rules
from app.gis.conflicts import Conflict
from app.gis.crs import to_metric, to_metric_all, to_wgs84_all
from app.gis.layout import LayoutResult, LayoutSpec, PlacedLayout, ReservedSlot, place_layout
from app.gis.layout_spec import DEFAULT_SAFETY_MARGIN_M
from app.gis.shapes import BoothShape, FacilityShape
from app.messages import Msg, bilingual, define, render
from app.models import Assignment, Booth, Event
from app.services.audit import current_actor, snapshot_sql
from app.services.cities import BOOTH_DEFAULTS, booth_defaults_for
from app.services.conflicts import checker_for, summary
from app.services.context import SiteContext, booth_shape, load_event
from app.services.data_version import booths_counted_by_the_app, count_city_at_commit
from app.services.errors import ServiceError
from app.services.history import record_step

T = TypeVar("T")

#: Locked booths are obstacles for the generator; new booths keep this far from them (metres).
LOCKED_BOOTH_CLEARANCE_M = 0.05
_LOCKED_KIND = "locked_booth"
_CODE = re.compile(r"^(?P<prefix>.+)-(?P<letter>[A-Z]?)(?P<num>\d+)$")


@dataclass(frozen=True)
class LayoutParams:
    """The planner's layout settings (metres), validated before anything is computed."""

    booth_width_m: float = rules.DEFAULT_BOOTH_WIDTH_M
    booth_depth_m: float = rules.DEFAULT_BOOTH_DEPTH_M
    gap_m: float = rules.DEFAULT_GAP_M
    break_m: float = rules.DEFAULT_BREAK_M
    break_every_m: float = rules.DEFAULT_BREAK_EVERY_M
    emergency_lane_m: float = rules.DEFAULT_EMERGENCY_LANE_M
    kerb_setback_m: float = rules.DEFAULT_KERB_SETBACK_M
    prefix: str = "AY"
    #: None: the event's own setting (``Event.layout_safety_margin_m``, 5 cm unless changed);
    #: a value is used and kept as the event's setting.
    safety_margin_m: float | None = None

    def validate(self) -> None:
        """Refuse sizes no street could take, with the field named."""
        # field: (lowest, highest, Indonesian name, English name, the CLI option)
        limits = {
            "booth_width_m": (1.0, 10.0, "Lebar lapak", "Booth width", "--booth-width"),
            "booth_depth_m": (1.0, 10.0, "Kedalaman lapak", "Booth depth", "--booth-depth"),
            "gap_m": (0.0, 10.0, "Jarak antarlapak", "Gap between booths", "--gap"),
            "break_m": (0.0, 30.0, "Jeda barisan", "Row break", "--break-length"),
            "break_every_m": (6.0, 1000.0, "Jeda setiap", "Break every", "--break-every"),
            "emergency_lane_m": (0.0, 20.0, "Jalur darurat", "Emergency lane", "--emergency-lane"),
            "kerb_setback_m": (0.0, 5.0, "Jarak dari kerb", "Kerb setback", "--kerb-setback"),
            "safety_margin_m": (
                0.0,
                1.0,
                "Margin keamanan",
                "Safety margin",
                "--safety-margin",
            ),
        }
        for name, (lo, hi, label_id, label_en, option) in limits.items():
            value = getattr(self, name)
            if value is None:
                continue
            if not (lo <= value <= hi):
                raise ServiceError(
                    f"{label_id} ({option}) harus antara {lo:g} dan {hi:g} m "
                    f"(diberikan {value:g}).",
                    f"{label_en} ({option}) must be between {lo:g} and {hi:g} m (got {value:g}).",
                )
        if not re.fullmatch(r"[A-Z]{1,4}", self.prefix):
            raise ServiceError(
                "Awalan kode harus 1–4 huruf kapital (mis. AY).",
                "The code prefix must be 1–4 capital letters (e.g. AY).",
            )


@dataclass
class LayoutOutcome:
    """What a layout run did: the engine's report plus what happened to stored booths.

    ``reasons`` are the engine's notes as messages; :meth:`to_dict` renders them in the reader's
    language (both languages when none is given).
    """

    report: dict[str, Any]
    created: int
    kept_locked: int
    removed: int
    conflicts: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    reasons: tuple[Msg, ...] = ()

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """JSON form for the API and the CLI."""
        report = dict(self.report)
        report["reasons"] = [
            bilingual(m) if lang is None else render(m, lang) for m in self.reasons
        ]
        return {
            "report": report,
            "created": self.created,
            "kept_locked": self.kept_locked,
            "removed": self.removed,
            "conflicts": dict(self.conflicts),
            "params": dict(self.params),
        }


@dataclass(frozen=True)
class DeskRequest:
    """A service desk to reserve near a point (EPSG:4326), e.g. MikroDOTS halal desk."""

    service: str
    label: str
    lon: float
    lat: float


def generate_event_layout(
    session: Session,
    event: Event,
    params: LayoutParams,
    desks: Sequence[DeskRequest] = (),
    *,
    dry_run: bool = False,
) -> LayoutOutcome:
    """Replace the event's unlocked booths by a fresh layout; locked booths stay as they are."""
    params.validate()
    if event.status == "closed":
        raise ServiceError(
            "Acara sudah ditutup; tata letaknya tidak dapat diubah.",
            "The event is closed; its layout cannot change.",
        )
    if not event.corridors:
        raise ServiceError("Acara belum punya koridor.", "The event has no corridor.")
    if params.safety_margin_m is None:  # the event's setting
        setting = event.layout_safety_margin_m
        params = replace(
            params, safety_margin_m=DEFAULT_SAFETY_MARGIN_M if setting is None else setting
        )
    else:  # kept as the event's setting (undone with the rest on a dry run)
        event.layout_safety_margin_m = params.safety_margin_m
    # only the locked booths are read: every other booth is replaced in bulk below
    ctx = load_event(session, event, locked_only=True)
    locked = list(ctx.booths)
    labels = {d.service: d.label for d in desks}
    desk_slots = [
        ReservedSlot(d.service, near=to_metric(Point(d.lon, d.lat), ctx.epsg)) for d in desks
    ]
    # Locked booths ask the generator to reserve the slot under them (same inputs, same slot:
    # codes stay put); a locked booth moved off the grid becomes an obstacle instead.
    keep_slots = {
        b.code: ReservedSlot(f"{_LOCKED_KIND}:{b.code}", kind="reserved", near=b.geometry.centroid)
        for b in locked
    }
    obstacles: list[FacilityShape] = []
    # The database writes run on the session's connection in a second thread while this one
    # computes: the old booths are deleted while the booths are placed, the new ones inserted
    # while the engine measures its report's row bound. Nothing here touches the session until
    # the writer is done; any failure waits for it and rolls the whole transaction back.
    with _BulkWriter(session, event) as writer:
        # on a real run, what it removes is read in full first, for its undo step
        writer.delete_unlocked(keep=not dry_run)
        for _attempt in range(2):
            placed = place_generator(ctx, params, [*desk_slots, *keep_slots.values()], obstacles)
            matched, moved = _match_locked(placed.booths, locked, keep_slots)
            if not moved:
                break
            for code in moved:
                del keep_slots[code]
            obstacles = [
                FacilityShape(f"booth:{b.code}", _LOCKED_KIND, b.geometry, b.code)
                for b in locked
                if b.code not in keep_slots
            ]
        generated = [b for b in placed.booths if str(b.properties.get("label", "")) not in matched]
        taken = {b.code for b in locked}
        codes = _free_codes([b.code for b in generated], taken)
        stored = to_wgs84_all([b.geometry for b in generated], ctx.epsg)
        defaults = booth_defaults_for(event.city)  # read here: the writer's thread has no session
        powered = _powered(ctx, generated, float(defaults["power_reach_m"]))
        rows = _booth_rows(generated, codes, params, labels, powered)
        writer.insert(rows, stored, params, defaults)
        # the stored layout's conflicts, checked in the writer's thread once the ids are known
        checked = writer.then(lambda ids: _stored_conflicts(ctx, locked, codes, stored, rows, ids))
        result = placed.finish()
        removed, ids = writer.done()
        conflicts = checked.result()
    outcome = LayoutOutcome(
        report=result.report.to_dict(),
        created=len(generated),
        kept_locked=len(locked),
        removed=removed,
        conflicts=summary(conflicts),
        params=asdict(params),
        reasons=result.report.reasons,
    )
    if dry_run:
        session.rollback()
    else:
        made = [{"entity": "booth", "id": i, "before": None, "after": {"id": i, "version": 1}}
                for i in ids]  # fmt: skip
        record_step(
            session,
            city_id=event.city_id,
            event_id=event.id,
            label=_LAYOUT_STEP(created=len(ids), removed=removed),
            changes=writer.removed_rows + made,
        )
        session.commit()
    return outcome


_LAYOUT_STEP = define(
    "history.layout",
    id="Buat ulang tata letak: {created} lapak baru, {removed} dihapus",
    en="Regenerate layout: {created} new booths, {removed} removed",
)


def _stored_conflicts(
    ctx: SiteContext,
    locked: Sequence[BoothShape],
    codes: Sequence[str],
    stored: Sequence[Any],
    rows: Sequence[dict[str, Any]],
    ids: Sequence[int],
) -> list[Conflict]:
    """The conflicts of the stored layout as a reload would read it (the stored WKB projected
    back), from memory.

    It runs in the writer's thread beside the engine's report: both read the site's geometries
    (shapely releases the GIL and gives each call its own GEOS context), and each prepares only
    geometries it made itself.
    """
    new_booths = [
        BoothShape(code, geom, row["kind"], {"id": ident, "locked": row["locked"]})
        for code, geom, row, ident in zip(
            codes, to_metric_all(stored, ctx.epsg), rows, ids, strict=True
        )
    ]
    after = replace(ctx, booths=sorted([*locked, *new_booths], key=lambda b: b.code))
    return checker_for(after).check_all() if after.booths else []


#: Booths this close to a street-light pole can draw power from it (PLN temporary supply), unless
#: the city's rules say another distance (:func:`app.services.cities.booth_defaults_for`).
POWER_REACH_M = float(BOOTH_DEFAULTS["power_reach_m"])


def _powered(
    ctx: SiteContext, booths: Sequence[BoothShape], reach_m: float = POWER_REACH_M
) -> list[bool]:
    """Per booth: a service desk, or within ``reach_m`` of a street-light pole."""
    poles = [f.geometry for f in ctx.facilities if f.kind == "pole"]
    near = np.zeros(len(booths), dtype=bool)
    if poles and booths:
        tree = shapely.STRtree(poles)
        geoms = np.asarray([b.geometry for b in booths], dtype=object)
        hits = tree.query(geoms, predicate="dwithin", distance=reach_m)
        near[hits[0]] = True
    return [b.kind == "service_desk" or bool(n) for b, n in zip(booths, near, strict=True)]


def _booth_rows(
    generated: Sequence[BoothShape],
    codes: Sequence[str],
    params: LayoutParams,
    labels: dict[str, str],
    powered: Sequence[bool],
) -> list[dict[str, Any]]:
    """The column values of each generated booth (geometry apart)."""
    rows = []
    for shape, code, power in zip(generated, codes, powered, strict=True):
        props = shape.properties
        service = props.get("label") if shape.kind == "service_desk" else None
        rows.append(
            {
                "code": code,
                "kind": shape.kind,
                "service": service if service in rules.SERVICE_DESK_KINDS else None,
                "label": labels.get(str(service), None) if service else None,
                "side": str(props.get("side")) if props.get("side") else None,
                "chainage_m": (
                    float(cast(float, props["chainage_m"])) if "chainage_m" in props else None
                ),
                "locked": shape.kind == "service_desk",
                "has_electricity": power,
            }
        )
    return rows


# Bulk writes: one statement each for the removed and the new booths, audit entries included
# (written by the statement from the rows it changed, as the session listener would write them).
# The city's change counters are bumped once by the commit (``count_city_at_commit``) instead of
# by a queued trigger per row; the CHECK constraints still refuse any invalid geometry, and then
# the whole statement writes nothing.
_DELETE_UNLOCKED = """
WITH gone AS (
    DELETE FROM booth WHERE event_id = :event_id AND NOT locked RETURNING *
)
INSERT INTO audit_entry (user_id, actor, action, entity, entity_id, before, after)
SELECT :user_id, :actor, 'delete', 'booth', gone.id, {snapshot}, NULL FROM gone
RETURNING entity_id{keep}
"""

# What a regeneration removes, for its undo step: the assignments on the unlocked booths, read
# in full just before the delete (the database deletes them with their booths), and the booths
# themselves as the delete's audit entries write them (``RETURNING ..., before``). The snapshot
# expression names columns from the model, never input.
_UNLOCKED_ASSIGNMENTS = """
SELECT {snapshot} FROM assignment a JOIN booth b ON b.id = a.booth_id
WHERE b.event_id = :event_id AND NOT b.locked ORDER BY a.id
"""

_INSERT_NEW = """
WITH new AS (
    INSERT INTO booth (event_id, code, kind, service, label, geom, width_m, depth_m, side,
                       chainage_m, locked, has_electricity, accessible, cooking_allowed, version)
    SELECT :event_id, u.code, u.kind, u.service, u.label,
           ST_GeomFromWKB(decode(u.wkb, 'hex'), 4326), :width_m, :depth_m, u.side,
           u.chainage_m, u.locked, u.has_electricity, :accessible, :cooking_allowed, 1
    FROM ROWS FROM (jsonb_to_recordset(CAST(:rows AS jsonb)) AS (
             code text, kind text, service text, label text, wkb text, side text,
             chainage_m float8, locked boolean, has_electricity boolean))
         WITH ORDINALITY AS u(code, kind, service, label, wkb, side, chainage_m, locked,
                              has_electricity, n)
    ORDER BY u.n
    RETURNING *
), audited AS (
    INSERT INTO audit_entry (user_id, actor, action, entity, entity_id, before, after)
    SELECT :user_id, :actor, 'create', 'booth', new.id, NULL, {snapshot} FROM new
)
SELECT id, code FROM new
"""


class _BulkWriter:
    """The two bulk statements of a layout, run in order on the session's connection by one
    worker thread, so that PostgreSQL writes while the caller's thread computes. Work that needs
    the new ids (the stored layout's conflict check) follows them there (:meth:`then`).

    The connection is taken (and pending ORM changes flushed) before the first statement; the
    caller must not use the session between :meth:`delete_unlocked` and :meth:`done`. Leaving
    the ``with`` block waits for the statements in any case; on an exception the transaction is
    rolled back, so nothing of a failed layout is kept.
    """

    def __init__(self, session: Session, event: Event) -> None:
        self._session = session
        self._event_id = event.id
        self._city_id = event.city_id
        self._user_id, self._actor = current_actor()
        session.flush()  # pending ORM changes first, in the order they were made
        self._conn = session.connection()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="layout-writer")
        self._gone: Future[list[int]] | None = None
        self._new: Future[list[int]] | None = None
        #: The removed booths and the assignments on them, in full (``delete_unlocked(keep=True)``)
        self.removed_rows: list[dict[str, Any]] = []

    def __enter__(self) -> _BulkWriter:
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        self._pool.shutdown(wait=True)
        if exc is not None:
            self._session.rollback()

    def delete_unlocked(self, *, keep: bool = False) -> None:
        """Start deleting the event's unlocked booths, each with its audit entry; ``keep``:
        read them and the assignments on them first, into :attr:`removed_rows`."""
        count_city_at_commit(self._session, self._city_id)
        self._gone = self._pool.submit(self._delete, keep)

    def insert(
        self,
        rows: Sequence[dict[str, Any]],
        stored: Sequence[Any],
        layout: LayoutParams,
        defaults: Mapping[str, float | bool] = BOOTH_DEFAULTS,
    ) -> None:
        """Start inserting the new booths (and their audit entries), after the delete; each is
        step-free and may cook as the city's ``defaults`` say."""
        self._new = self._pool.submit(self._insert, rows, stored, layout, dict(defaults))

    def then(self, job: Callable[[list[int]], T]) -> Future[T]:
        """Run ``job`` on the new booths' ids in the writer's thread, after the insert."""
        new = self._new
        assert new is not None
        return self._pool.submit(lambda: job(new.result()))

    def done(self) -> tuple[int, list[int]]:
        """Wait for both statements: how many booths were removed, and the new booths' ids."""
        assert self._gone is not None
        gone = self._gone.result()
        try:
            ids = self._new.result() if self._new is not None else []
        except IntegrityError as exc:
            raise ServiceError(
                "Basis data menolak tata letak ini; tidak ada yang disimpan.",
                "The database refused this layout; nothing was stored.",
            ) from exc
        for ident in gone:  # rows gone from the database: the session must not keep them
            row = self._session.identity_map.get(identity_key(Booth, ident))
            if row is not None:
                self._session.expunge(row)
        return len(gone), ids

    # -- in the worker thread: the connection only ---------------------------------------------

    def _delete(self, keep: bool) -> list[int]:
        if keep:
            held = self._conn.scalars(
                text(_UNLOCKED_ASSIGNMENTS.format(snapshot=snapshot_sql(Assignment, "a"))),
                {"event_id": self._event_id},
            ).all()
            self.removed_rows += [
                {"entity": "assignment", "id": row["id"], "before": row, "after": None}
                for row in held
            ]
        sql = _DELETE_UNLOCKED.format(
            snapshot=snapshot_sql(Booth, "gone"), keep=", before" if keep else ""
        )
        with booths_counted_by_the_app(self._conn):
            gone = self._conn.execute(
                text(sql),
                {"event_id": self._event_id, "user_id": self._user_id, "actor": self._actor},
            ).all()
        if keep:
            self.removed_rows += [
                {"entity": "booth", "id": int(row[0]), "before": row[1], "after": None}
                for row in gone
            ]
        return [int(row[0]) for row in gone]

    def _insert(
        self,
        rows: Sequence[dict[str, Any]],
        stored: Sequence[Any],
        layout: LayoutParams,
        defaults: Mapping[str, float | bool],
    ) -> list[int]:
        if not rows or (self._gone is not None and self._gone.exception() is not None):
            return []  # nothing to write, or the delete failed (done() raises its error)
        # One JSON document for all rows: one parameter to send and parse, where a list per
        # column cost psycopg a Python call per value. WKB travels as hex; floats as their
        # shortest exact digits (``json`` writes ``repr``), so every value arrives as computed.
        wkb = shapely.to_wkb(np.asarray(stored, dtype=object), hex=True)
        payload = json.dumps([{**row, "wkb": w} for row, w in zip(rows, wkb.tolist(), strict=True)])
        params: dict[str, Any] = dict(
            rows=payload,
            event_id=self._event_id,
            width_m=layout.booth_width_m,
            depth_m=layout.booth_depth_m,
            accessible=bool(defaults["accessible"]),
            cooking_allowed=bool(defaults["cooking_allowed"]),
            user_id=self._user_id,
            actor=self._actor,
        )
        with booths_counted_by_the_app(self._conn):
            returned = self._conn.execute(
                text(_INSERT_NEW.format(snapshot=snapshot_sql(Booth, "new"))), params
            ).all()
        ids = {code: int(ident) for ident, code in returned}
        return [ids[row["code"]] for row in rows]


def place_generator(
    ctx: SiteContext,
    params: LayoutParams,
    slots: list[ReservedSlot],
    obstacles: list[FacilityShape],
) -> PlacedLayout:
    """The engine's booths for the event's site; their report comes with ``.finish()``."""
    clearances = dict(ctx.clearances_m)
    clearances[_LOCKED_KIND] = LOCKED_BOOTH_CLEARANCE_M
    return place_layout(
        ctx.area if len(ctx.areas) > 1 else ctx.areas[0],
        facilities=[*ctx.facilities, *obstacles],
        clearances_m=clearances,
        spec=LayoutSpec(
            booth_width_m=params.booth_width_m,
            booth_depth_m=params.booth_depth_m,
            gap_m=params.gap_m,
            break_m=params.break_m,
            break_every_m=params.break_every_m,
            emergency_lane_m=params.emergency_lane_m,
            kerb_setback_m=params.kerb_setback_m,
            prefix=params.prefix,
            safety_margin_m=(
                params.safety_margin_m
                if params.safety_margin_m is not None
                else DEFAULT_SAFETY_MARGIN_M
            ),
        ),
        reserved_slots=slots,
    )


def run_generator(
    ctx: SiteContext,
    params: LayoutParams,
    slots: list[ReservedSlot],
    obstacles: list[FacilityShape],
) -> LayoutResult:
    """The engine alone on the event's site (what :func:`app.gis.layout.generate_layout` does)."""
    return place_generator(ctx, params, slots, obstacles).finish()


def _match_locked(
    booths: Sequence[BoothShape],
    locked: Sequence[BoothShape],
    slots: dict[str, ReservedSlot],
) -> tuple[set[str], list[str]]:
    """Which reserved slots sit under their locked booth (labels), and which booths moved away.

    A slot matches when it covers ≥ 90 % of the locked booth: the booth is then kept and the
    generated slot dropped.
    """
    by_label = {str(b.properties.get("label", "")): b for b in booths if b.kind == "reserved"}
    matched: set[str] = set()
    moved: list[str] = []
    for booth in locked:
        slot = slots.get(booth.code)
        if slot is None:
            continue
        generated = by_label.get(slot.label)
        if generated is not None and (
            generated.geometry.intersection(booth.geometry).area >= 0.9 * booth.geometry.area
        ):
            matched.add(slot.label)
        else:
            moved.append(booth.code)
    return matched, moved


def _free_codes(codes: list[str], taken: set[str]) -> list[str]:
    """Renumber generated codes in walking order, skipping numbers that locked booths hold.

    A locked booth usually stands where the previous run put it, so skipping its number keeps
    every other booth's code what it was before: vendors' printed codes stay true.

    >>> _free_codes(["AY-001", "AY-002", "AY-003", "AY-D01"], {"AY-002", "AY-D01"})
    ['AY-001', 'AY-003', 'AY-004', 'AY-D02']
    """
    out: list[str] = []
    counters: dict[tuple[str, str], int] = {}
    widths: dict[tuple[str, str], int] = {}
    for code in codes:
        m = _CODE.match(code)
        if m is None:
            out.append(code)
            continue
        key = (m["prefix"], m["letter"])
        widths.setdefault(key, len(m["num"]))
        n = counters.get(key, 0)
        while True:
            n += 1
            candidate = f"{key[0]}-{key[1]}{n:0{widths[key]}d}"
            if candidate not in taken:
                break
        counters[key] = n
        out.append(candidate)
    return out


def locked_codes(session: Session, event: Event) -> list[str]:
    """Codes of the event's locked booths (kept by every regeneration)."""
    return list(
        session.scalars(select(Booth.code).where(Booth.event_id == event.id, Booth.locked)).all()
    )


__all__ = [
    "DeskRequest",
    "LayoutOutcome",
    "LayoutParams",
    "booth_shape",
    "generate_event_layout",
    "locked_codes",
]
