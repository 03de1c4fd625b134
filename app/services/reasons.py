"""Why a vendor holds a booth, in the reader's language.

An assignment's ``explanation`` is stored as a message code with its parameters
(:func:`app.messages.to_json`): the allocation's reasons (:mod:`app.allocation.explain`), a
planner's ("Moved by a planner to booth AY-0007.") and a waitlist offer. It is rendered here, when
shown. A row written before that (a plain Indonesian sentence, which an undo can still bring back)
is read gracefully: a planner's sentence is recognised and translated, anything else is shown as
it was written.
"""

from __future__ import annotations

from app.messages import from_json, render

__all__ = ["reason_text"]


def reason_text(stored: object, lang: str) -> str:
    """The stored explanation ``stored`` in ``lang`` (``""`` when there is none).

    Examples
    --------
    >>> from app.messages import Msg, to_json
    >>> reason_text(to_json(Msg.text("Tahap 2.", "Phase 2.")), "en")
    'Phase 2.'
    >>> reason_text("Dipindahkan perencana ke lapak AY-0007.", "en")
    'Moved by a planner to booth AY-0007.'
    >>> reason_text(None, "id")
    ''
    """
    msg = from_json(stored)
    if msg is not None:
        return render(msg, lang)
    if isinstance(stored, str):
        from app.services.assignments import reason_text as planner_sentence

        return planner_sentence(stored, lang)
    return ""
