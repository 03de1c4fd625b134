"""Vendor access codes: random, unambiguous, never sequential."""

from __future__ import annotations

import secrets

#: No 0/O, 1/I/L, 2/Z, 5/S, 8/B: codes are read aloud and typed on cheap phones.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 10


def new_access_code() -> str:
    """Return a fresh code of :data:`CODE_LENGTH` characters (≈46 bits of entropy)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """Accept what people type: lower case, spaces and dashes."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())
