"""How a vendor (no account) proves who they are: access code + last four phone digits, or a
signed link / QR code printed on their vendor card.

Three rules hold here:

* a failed lookup says nothing about which codes exist: an unknown code and a known code with the
  wrong digits run the same query and the same constant-time comparison and give the same answer;
  the lookup's statement does the vendor's view only past :func:`lookup_gate` (active, the same
  four digits), so a wrong phone costs no more database work than an unknown code;
* the vendor page's session and the signed links carry a *key fingerprint* (an HMAC of the vendor
  id and access code with the app's secret), so issuing a new access code ends every old session
  and link of that vendor;
* nothing here reads the request: routes pass the secret key and the values typed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any, Protocol

from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.models import Vendor
from app.services import audit
from app.services.access_codes import new_access_code, normalise_code

#: The vendor page's path for signed links; the route is registered under the same path.
LINK_PATH = "/lapak/v/"
_LINK_SALT = "petalapak.vendor-link.v1"
#: Compared against when the code is unknown or the vendor has no phone: never four digits.
_NO_PHONE = "\x00\x00\x00\x00"
_PHONE4 = re.compile(r"^[0-9]{4}$")
#: Longest input looked up; access codes are 10 characters (16 in the schema).
MAX_CODE_LENGTH = 32
#: Longest input read at all: room for a space or dash between every character of the longest
#: code. Anything longer is cut *before* it is normalised (a 24 MB code once took 2.75 s).
MAX_TYPED_LENGTH = 2 * MAX_CODE_LENGTH


def typed_code(raw: str) -> str:
    """The code as looked up and counted by the rate limit: cut, then normalised, then cut.

    The work is bounded by :data:`MAX_TYPED_LENGTH` whatever was sent.

    >>> typed_code(" kq7m-3xwt-9a "), len(typed_code("A" * 10_000_000))
    ('KQ7M3XWT9A', 32)
    """
    return normalise_code((raw or "")[:MAX_TYPED_LENGTH])[:MAX_CODE_LENGTH]


def valid_input(code: str, phone4: str) -> bool:
    """Whether the typed values have the right shape (checked before any database work).

    >>> valid_input("KQ7M-3XWT-9A", "0191"), valid_input("", "0191"), valid_input("AB", "19")
    (True, False, False)
    >>> valid_input("A" * 10_000_000, "0191")
    False
    """
    code = code or ""
    if len(code) > MAX_TYPED_LENGTH:  # len() is constant time; nothing longer is normalised
        return False
    normalised = normalise_code(code)
    return 0 < len(normalised) <= MAX_CODE_LENGTH and bool(_PHONE4.match(phone4 or ""))


def clean_phone4(raw: str) -> str:
    """Digits only, as typed on a phone keypad (``"01 91"`` → ``"0191"``).

    >>> clean_phone4(" 01-91 ")
    '0191'
    """
    return "".join(ch for ch in (raw or "") if ch.isdigit())


class Keyed(Protocol):
    """A vendor as far as sessions and links care: an ORM row or a :class:`VendorKey`."""

    @property
    def id(self) -> int:
        """The vendor's id."""

    @property
    def access_code(self) -> str:
        """The vendor's current access code."""


@dataclass(frozen=True)
class VendorKey:
    """A vendor found by a lookup statement, without loading the ORM object: who they are to
    the vendor page (the session, the names shown, the city of their events)."""

    id: int
    city_id: int
    access_code: str
    business_name: str
    owner_name: str


def lookup_gate(phone4: Any) -> Any:
    """The SQL condition that the vendor row in hand is active and its phone ends in ``phone4``
    (a bound parameter): statements build a vendor's view only past it."""
    return and_(
        Vendor.active.is_(True),
        func.length(Vendor.phone) >= 4,
        func.right(Vendor.phone, 4) == phone4,
    )


def phone_matches(phone: str | None, active: bool, phone4: str) -> bool:
    """Whether a looked-up row lets the vendor in: active, and ``phone4`` are the last four
    characters of the phone, compared in constant time (a missing row passes ``None``).

    >>> phone_matches("0812-3456-0191", True, "0191"), phone_matches(None, False, "0191")
    (True, False)
    """
    phone = phone or ""
    expected = phone[-4:] if len(phone) >= 4 else _NO_PHONE
    matches = hmac.compare_digest(expected.encode(), (phone4 or "").encode())
    return matches and active


def key_fingerprint(vendor: Keyed, *, secret_key: str) -> str:
    """An HMAC of the vendor's id and access code: changes when a new code is issued.

    Safe to put in a readable cookie or link: without the secret it reveals nothing of the code.
    """
    message = f"vendor-key\x1f{vendor.id}\x1f{vendor.access_code}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()[:16]


def session_value(vendor: Keyed, *, secret_key: str) -> dict[str, Any]:
    """What the vendor page keeps in the Flask session after a successful lookup."""
    return {"id": vendor.id, "k": key_fingerprint(vendor, secret_key=secret_key)}


def _vendor_if_current(
    session: Session, vendor_id: Any, fingerprint: Any, *, secret_key: str
) -> Vendor | None:
    if not isinstance(vendor_id, int) or not isinstance(fingerprint, str):
        return None
    vendor = session.get(Vendor, vendor_id)
    if vendor is None or not vendor.active:
        return None
    current = key_fingerprint(vendor, secret_key=secret_key)
    return vendor if hmac.compare_digest(current, fingerprint) else None


def vendor_from_session(session: Session, value: Any, *, secret_key: str) -> Vendor | None:
    """The vendor stored by :func:`session_value`, while their access code is unchanged."""
    if not isinstance(value, dict):
        return None
    return _vendor_if_current(session, value.get("id"), value.get("k"), secret_key=secret_key)


def issue_new_code(session: Session, vendor: Vendor) -> str:
    """Give the vendor a new access code and return it (one transaction, audited).

    The old code stops working at once, and so does every signed link, QR code and vendor-page
    session issued before: they carry the :func:`key_fingerprint` of the old code. The vendor
    needs a new card (the vendor card page prints it).
    """
    for _ in range(5):  # 46 bits: a clash with another vendor's code is all but impossible
        code = new_access_code()
        taken = session.scalar(select(Vendor.id).where(Vendor.access_code == code))
        if taken is None and code != vendor.access_code:
            break
    else:  # pragma: no cover - five clashes in a row
        raise RuntimeError("no free access code after five tries")
    vendor.access_code = code
    # The log says that and when a code was replaced, never the codes themselves.
    audit.record(session, action="new_code", entity="vendor", entity_id=vendor.id)
    session.commit()
    return code


def session_vendor_id(value: Any) -> int | None:
    """The vendor id a session value names (still to be checked with :func:`is_current`)."""
    if not isinstance(value, dict) or not isinstance(value.get("id"), int):
        return None
    return int(value["id"])


def is_current(vendor: Keyed, value: Any, *, secret_key: str) -> bool:
    """Whether a session value's fingerprint is the vendor's current one (same access code)."""
    fingerprint = value.get("k") if isinstance(value, dict) else None
    if not isinstance(fingerprint, str):
        return False
    return hmac.compare_digest(key_fingerprint(vendor, secret_key=secret_key), fingerprint)


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_LINK_SALT)


def make_link_token(vendor: Vendor, *, secret_key: str) -> str:
    """A signed, dated token naming the vendor (about 70 URL-safe characters, fits a QR code)."""
    return _serializer(secret_key).dumps(
        [vendor.id, key_fingerprint(vendor, secret_key=secret_key)]
    )


def vendor_link(vendor: Vendor, *, secret_key: str, base_url: str) -> str:
    """The vendor's personal link to the vendor page, for their card or a QR code.

    ``base_url`` is the site's public address (``https://petalapak.pontianak.go.id``).
    """
    return f"{base_url.rstrip('/')}{LINK_PATH}{make_link_token(vendor, secret_key=secret_key)}"


def vendor_from_token(
    session: Session, token: str, *, secret_key: str, max_age_s: int
) -> Vendor | None:
    """The vendor a link names, or None when it is forged, altered, expired or superseded."""
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age_s)
    except BadData:
        return None
    if not isinstance(data, list) or len(data) != 2:
        return None
    return _vendor_if_current(session, data[0], data[1], secret_key=secret_key)
