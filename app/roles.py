"""Staff roles and what each may do: one registry of permissions, one entry per role.

A route asks for a permission (``@permission_required("vendors.edit")`` in :mod:`app.auth`), never
for a rank; a role is the set of permissions it grants. Adding a role (say ``petugas``, an
enforcement officer) is one :class:`Role` entry here, plus one migration that widens the
``app_user.role`` CHECK constraint. Pure data: no Flask, no database.

The first three roles grant exactly what the old ranks did (crew < planner < admin): a planner has
every crew permission, an admin every planner permission. ``petugas`` (an enforcement officer)
and ``petugas_layanan`` (a MikroDOTS desk officer) stand beside them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

__all__ = [
    "PERMISSIONS",
    "ROLE_REGISTRY",
    "Role",
    "check_permission",
    "role_can",
    "roles_with",
]

#: Every permission, with what it allows (for reviewers and the users page).
PERMISSIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "map.read": "see the staff map layers, an event's booths by state and its conflicts",
        "layers.export": "export zones, facilities and booths (without vendors' private data)",
        "prints.read": "download the crew print-outs: layout PDF, vendor list, booth labels",
        "checkin.write": "use the check-in list: mark arrivals, release no-shows' booths",
        "planner.view": "open the planner pages (dashboard, navigation)",
        "layers.edit": "draw, edit, delete and undo zones, facilities and booths",
        "layers.import": "import a layer file into a city",
        "events.edit": "open an event's page, lay out, allocate, move, pin, publish, copy",
        "vendors.read_private": "read vendors' private data (phone, NIK, access codes, documents)",
        "vendors.edit": "register, edit, import, deactivate vendors and issue new access codes",
        "users.manage": "manage staff accounts: roles, deactivation, password resets",
        "reports.read": "see street reports (list, map, hot spots, photos, exports)",
        "reports.write": "file street reports and move them through their status flow",
        "applications.review": "review applications from /daftar: see them with their photo and "
        "duplicates, approve (creates the vendor) or reject with a reason",
        "desk.read": "see the MikroDOTS desks' queues, visit logs and desk reports",
        "desk.write": "queue vendors at a desk, call the next, log visits, link walk-in visitors",
        "vendors.lookup": "find a registered vendor by name or phone at a desk (no access code, "
        "no documents)",
        "dashboard.read": "open the Dinas dashboard: charts and their data for a date range",
        "attendance.write": "record whether vendors will come to an event on their behalf, and "
        "their standing attendance and absence periods",
        "notices.send": "see and export the notices to vendors of a published event (WhatsApp "
        "links, SMS texts, CSV) and record them as sent",
    }
)


@dataclass(frozen=True)
class Role:
    """A staff role: its code (stored in ``app_user.role``), names and permissions."""

    code: str
    label_id: str
    label_en: str
    permissions: frozenset[str]

    def label(self, lang: str) -> str:
        """The role's name in ``lang`` (``"en"``; anything else gives Bahasa Indonesia)."""
        return self.label_en if lang == "en" else self.label_id


_CREW: Final = frozenset(
    {"map.read", "layers.export", "prints.read", "checkin.write", "attendance.write"}
)
_PLANNER: Final = _CREW | {
    "planner.view",
    "layers.edit",
    "layers.import",
    "events.edit",
    "vendors.read_private",
    "vendors.edit",
    "reports.read",
    "reports.write",
    "applications.review",
    "desk.read",
    "desk.write",
    "vendors.lookup",
    "dashboard.read",
    "notices.send",
}
#: An enforcement officer (Satpol PP): street reports, and the staff map's zones and facilities to
#: read; no layer, event, vendor or account edits.
_PETUGAS: Final = frozenset({"map.read", "reports.read", "reports.write"})
#: A MikroDOTS desk officer: the desks' queues and visit logs, and finding a registered vendor to
#: log; no map, event, vendor edit, street report or account.
_PETUGAS_LAYANAN: Final = frozenset({"desk.read", "desk.write", "vendors.lookup"})
_ADMIN: Final = _PLANNER | {"users.manage"}


def _registry(*roles: Role) -> Mapping[str, Role]:
    for role in roles:
        unknown = role.permissions - PERMISSIONS.keys()
        if unknown:
            raise ValueError(f"role {role.code} grants unknown permissions {sorted(unknown)}")
    return MappingProxyType({role.code: role for role in roles})


#: Every role, from the most to the least powerful (the order of the users page).
ROLE_REGISTRY: Final = _registry(
    Role("admin", "Admin", "Admin", _ADMIN),
    Role("planner", "Perencana", "Planner", _PLANNER),
    Role("crew", "Petugas lapangan", "Field crew", _CREW),
    Role("petugas", "Petugas Satpol PP", "Enforcement officer", _PETUGAS),
    Role(
        "petugas_layanan", "Petugas layanan MikroDOTS", "MikroDOTS desk officer", _PETUGAS_LAYANAN
    ),
)


def check_permission(permission: str) -> str:
    """Return ``permission`` if it is registered; raise ``ValueError`` for a typo.

    Examples
    --------
    >>> check_permission("checkin.write")
    'checkin.write'
    """
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}; see app/roles.py")
    return permission


def role_can(role: str, permission: str) -> bool:
    """Whether ``role`` grants ``permission`` (an unknown role grants nothing).

    Examples
    --------
    >>> role_can("planner", "vendors.edit"), role_can("crew", "vendors.edit")
    (True, False)
    """
    granted = ROLE_REGISTRY.get(role)
    return granted is not None and check_permission(permission) in granted.permissions


def roles_with(permission: str) -> tuple[str, ...]:
    """The roles that grant ``permission``.

    Examples
    --------
    >>> roles_with("users.manage")
    ('admin',)
    """
    check_permission(permission)
    return tuple(code for code, role in ROLE_REGISTRY.items() if permission in role.permissions)
