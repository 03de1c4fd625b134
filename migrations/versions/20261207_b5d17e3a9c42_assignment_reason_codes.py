"""Assignment explanations are stored as a message code with its parameters, not as a sentence

``assignment.explanation`` was the Indonesian sentence, so an English reader met Indonesian (or
a sentence matched back to its template). It is now JSONB holding ``{"code", "params"}``
(:func:`app.messages.to_json`), rendered in the reader's language when shown.

Old rows are converted in place:

* a planner's sentence ("Dipindahkan perencana ke lapak AY-0007.") becomes its code and booth;
* "Ditawarkan dari daftar tunggu (posisi 3) …" becomes ``allocation.offered_from_waitlist``;
* an allocation's sentence takes both languages from the run that wrote it (its placements hold
  ``explanation_id`` and ``explanation_en``) as a ``text`` message;
* anything else stays a JSON string, which the reader shows as it is.

Revision ID: b5d17e3a9c42
Revises: 4f2a9c7e1b63
Create Date: 2026-12-07 17:00:00.000000
"""
import json

import sqlalchemy as sa
from alembic import op

revision = 'b5d17e3a9c42'
down_revision = '4f2a9c7e1b63'
branch_labels = None
depends_on = None

#: A planner's reasons as they were written (app.services.assignments), and their codes.
PLANNER = (
    ("assignment.reason.assigned", r"^Ditempatkan perencana di lapak (\S+)\.$"),
    ("assignment.reason.moved", r"^Dipindahkan perencana ke lapak (\S+)\.$"),
    ("assignment.reason.swapped", r"^Ditukar perencana ke lapak (\S+)\.$"),
    ("assignment.reason.unassigned", r"^Dilepas perencana dari lapak (\S+)\.$"),
)
WAITLIST = r"^Ditawarkan dari daftar tunggu \(posisi (\d+)\) karena lapak dilepas\.$"
OLD = "(explanation #>> '{}')"


def upgrade() -> None:
    op.execute(
        "ALTER TABLE assignment ALTER COLUMN explanation TYPE jsonb USING to_jsonb(explanation)"
    )
    for code, pattern in PLANNER:
        op.execute(
            sa.text(
                "UPDATE assignment SET explanation = jsonb_build_object('code', CAST(:code AS text), "
                f"'params', jsonb_build_object('code', substring({OLD} from CAST(:p AS text)))) "
                f"WHERE jsonb_typeof(explanation) = 'string' AND {OLD} ~ CAST(:p AS text)"
            ).bindparams(code=code, p=pattern)
        )
    op.execute(
        sa.text(
            "UPDATE assignment SET explanation = jsonb_build_object("
            "'code', 'allocation.offered_from_waitlist', 'params', jsonb_build_object("
            f"'position', CAST(substring({OLD} from CAST(:p AS text)) AS integer))) "
            f"WHERE jsonb_typeof(explanation) = 'string' AND {OLD} ~ CAST(:p AS text)"
        ).bindparams(p=WAITLIST)
    )
    op.execute(
        "UPDATE assignment AS a SET explanation = jsonb_build_object('code', 'text', 'params', "
        "jsonb_build_object('id', p ->> 'explanation_id', 'en', p ->> 'explanation_en')) "
        "FROM allocation_run AS r, jsonb_array_elements(r.result -> 'placements') AS p "
        "WHERE r.event_id = a.event_id AND jsonb_typeof(a.explanation) = 'string' "
        "AND (p ->> 'vendor_id')::integer = a.vendor_id "
        "AND p ->> 'explanation_id' = (a.explanation #>> '{}') "
        "AND p ->> 'explanation_en' IS NOT NULL"
    )


def downgrade() -> None:
    # The sentences back in Indonesian, rendered by the catalogue that wrote them.
    import app.allocation.explain  # noqa: F401 - registers the allocation's codes
    import app.services.assignments  # noqa: F401 - registers the planner's codes
    from app.messages import from_json, render

    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT id, explanation FROM assignment WHERE explanation IS NOT NULL")
    ).all()
    op.execute("ALTER TABLE assignment ADD COLUMN explanation_text text")
    for ident, stored in rows:
        msg = from_json(stored)
        sentence = (
            render(msg, "id") if msg is not None
            else stored if isinstance(stored, str) else json.dumps(stored)
        )
        conn.execute(
            sa.text("UPDATE assignment SET explanation_text = :t WHERE id = :i"),
            {"t": sentence, "i": ident},
        )
    # the change counters' deferred triggers must fire before the table is altered
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    op.execute("ALTER TABLE assignment DROP COLUMN explanation")
    op.execute("ALTER TABLE assignment RENAME COLUMN explanation_text TO explanation")
