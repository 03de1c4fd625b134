"""Roles and permissions: each role gets exactly what its old rank gave (crew < planner < admin),
every guarded route asks for a registered permission, and walking the routes as each role shows
403 exactly where the role lacks the permission."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.roles import PERMISSIONS, ROLE_REGISTRY, role_can

#: The least rank each guarded endpoint allowed before roles became permission sets
#: (read from the ``role_required`` decorators of 2026-12-07). Behaviour must not change.
OLD_RANK = {
    **dict.fromkeys(
        [
            "checkin.api_list",
            "checkin.api_mark",
            "checkin.mark",
            "checkin.page",
            "checkin.release",
            "crew.booth_checkin",
            "crew.booth_labels_pdf",
            "crew.layout_pdf",
            "crew.vendors_pdf",
            "events_api.booths_with_state",
            "events_api.conflicts",
            "layers.export",
            "workspace.conflicts",
            "workspace.layer",
        ],
        "crew",
    ),
    **dict.fromkeys(
        [
            "event_page.allocate",
            "event_page.copy",
            "event_page.layout",
            "event_page.move",
            "event_page.pin",
            "event_page.show",
            "event_page.status",
            "events_api.layout",
            "layers.import_",
            "planner.dashboard",
            "vendors.api_create",
            "vendors.api_deactivate",
            "vendors.api_get",
            "vendors.api_list",
            "vendors.api_new_code",
            "vendors.api_reactivate",
            "vendors.api_update",
            "vendors.card",
            "vendors.create",
            "vendors.deactivate",
            "vendors.detail",
            "vendors.documents",
            "vendors.edit",
            "vendors.export",
            "vendors.import_confirm",
            "vendors.import_upload",
            "vendors.index",
            "vendors.new_code",
            "vendors.reactivate",
            "workspace.create",
            "workspace.delete",
            "workspace.undo",
            "workspace.update",
            "workspace.workspace_page",
        ],
        "planner",
    ),
    **dict.fromkeys(
        [
            "planner.change_role",
            "planner.deactivate_user",
            "planner.reactivate_user",
            "planner.reset_password",
            "planner.users",
        ],
        "admin",
    ),
}
RANK = {"crew": 0, "planner": 1, "admin": 2}

#: Endpoints added since, with exactly the roles that may use each.
STREET_READ = {"admin", "planner", "petugas"}
PLANNERS = {"admin", "planner"}
#: The MikroDOTS desks: desk officers, planners and admins; the dashboard: planners and admins.
DESK = {"admin", "planner", "petugas_layanan"}
DINAS = {"admin", "planner"}
CREW_AND_UP = {"admin", "planner", "crew"}
#: The staff map's search: every role that reads the staff map.
MAP_READERS = {"admin", "planner", "crew", "petugas"}
NEW_ENDPOINTS = {
    "api.search": MAP_READERS,
    "street.lapor_page": STREET_READ,
    "street.lapor_submit": STREET_READ,
    "street.office_list": STREET_READ,
    "street.export_csv": STREET_READ,
    "street.export_geojson": STREET_READ,
    "street.report_page": STREET_READ,
    "street.report_status": STREET_READ,
    "street.report_photo": STREET_READ,
    "applications.queue": PLANNERS,
    "applications.detail": PLANNERS,
    "applications.photo": PLANNERS,
    "applications.approve": PLANNERS,
    "applications.reject": PLANNERS,
    **dict.fromkeys(
        [
            "desk.events",
            "desk.event_desks",
            "desk.queue",
            "desk.report",
            "desk.report_pdf",
            "desk.visitors",
        ],
        DESK,
    ),
    **dict.fromkeys(
        [
            "desk.enqueue",
            "desk.next",
            "desk.log",
            "desk.cancel",
            "desk.link",
            "desk.undo_log",
        ],
        DESK,
    ),
    "desk.lookup": DESK,
    "dashboard.page": DINAS,
    "dashboard.chart_csv": DINAS,
    **dict.fromkeys(
        [
            "event_admin.new",
            "event_admin.create",
            "event_admin.edit",
            "event_admin.update",
            "event_admin.confirm_delete",
            "event_admin.delete",
            "event_admin.undo",
            "event_admin.redo",
            "event_admin.booths",
            "event_admin.set_booths",
            "city_rules.page",
            "city_rules.save",
            "workspace.redo",
            "workspace.history",
        ],
        {"admin", "planner"},
    ),
    "attendance.event_list": CREW_AND_UP,
    "attendance.answer_for": CREW_AND_UP,
    "attendance.set_deadline": PLANNERS,
    "attendance.standing": CREW_AND_UP,
    "attendance.add_absence": CREW_AND_UP,
    "attendance.remove_absence": CREW_AND_UP,
    "notices.page": PLANNERS,
    "notices.record": PLANNERS,
    "notices.export_csv": PLANNERS,
    # the event page's board: its JSON actions and the form that takes a vendor off a booth
    **dict.fromkeys(
        [
            "event_api.board",
            "event_api.assign",
            "event_api.move",
            "event_api.swap",
            "event_api.pin",
            "event_api.unassign",
            "event_page.unassign",
            "event_page.assign",
        ],
        {"admin", "planner"},
    ),
    # crew prints drawn in the background: start, poll and download, as the PDFs themselves
    "crew.start_print": CREW_AND_UP,
    "crew.print_job": CREW_AND_UP,
    "crew.print_job_file": CREW_AND_UP,
    # the crew's home: their event list (check-in, print-outs)
    "crew.events": {"admin", "planner", "crew"},
}

#: What each role may do, spelled out.
EXPECTED_PERMISSIONS = {
    "crew": {"map.read", "layers.export", "prints.read", "checkin.write", "attendance.write"},
    "planner": {
        "map.read",
        "layers.export",
        "prints.read",
        "checkin.write",
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
        "attendance.write",
        "notices.send",
    },
    "admin": set(PERMISSIONS),
    # the enforcement officer: street reports, and the staff map's zones and facilities to read
    "petugas": {"map.read", "reports.read", "reports.write"},
    # the MikroDOTS desk officer: desk queues and logs, finding a vendor to log; nothing else
    "petugas_layanan": {"desk.read", "desk.write", "vendors.lookup"},
}


def _guarded(app: Flask) -> dict[str, str]:
    return {
        endpoint: view.required_permission
        for endpoint, view in app.view_functions.items()
        if hasattr(view, "required_permission")
    }


def test_each_role_has_exactly_its_permissions() -> None:
    assert set(ROLE_REGISTRY) == set(EXPECTED_PERMISSIONS)
    for code, role in ROLE_REGISTRY.items():
        assert role.permissions == EXPECTED_PERMISSIONS[code], code
        assert role.label_id and role.label_en


def test_every_permission_guards_something_or_a_page_part(app: Flask) -> None:
    used = set(_guarded(app).values())
    # vendors.read_private also decides what layer exports and OGC show; the rest guard routes.
    assert used == set(PERMISSIONS), set(PERMISSIONS) - used


def test_guarded_routes_are_exactly_the_old_ones_with_the_same_roles(app: Flask) -> None:
    guarded = _guarded(app)
    assert set(guarded) == set(OLD_RANK) | set(NEW_ENDPOINTS)
    for endpoint, permission in guarded.items():
        allowed = {role for role in ROLE_REGISTRY if role_can(role, permission)}
        if endpoint in NEW_ENDPOINTS:
            assert allowed == NEW_ENDPOINTS[endpoint], (endpoint, permission)
            continue
        was = {role for role in RANK if RANK[role] >= RANK[OLD_RANK[endpoint]]}
        # petugas reads the staff map (zones, facilities) like crew, and nothing else old
        if permission == "map.read":
            was = was | {"petugas"}
        assert allowed == was, (endpoint, permission)


def test_petugas_reaches_no_planner_page_or_write() -> None:
    petugas = ROLE_REGISTRY["petugas"].permissions
    assert not petugas & {
        "planner.view",
        "layers.edit",
        "layers.import",
        "events.edit",
        "vendors.read_private",
        "vendors.edit",
        "users.manage",
        "checkin.write",
        "prints.read",
        "layers.export",
    }


def _url(rule: Any) -> str:
    """The rule's path with harmless values: unknown slugs and ids give 404, never a write."""

    def value(match: re.Match[str]) -> str:
        converter, _, name = match.group(1).rpartition(":")
        if converter.startswith("any("):
            return converter[len("any(") :].split(",")[0].strip()
        if converter in ("int", "id"):
            return "999999"
        return {"layer": "zones"}.get(name, "tidak-ada")

    return re.sub(r"<([^>]+)>", value, rule.rule)


def test_petugas_layanan_reaches_only_the_desks() -> None:
    desk = ROLE_REGISTRY["petugas_layanan"].permissions
    assert desk == {"desk.read", "desk.write", "vendors.lookup"}
    # no map, layer, event, vendor record, street report, dashboard or account permission
    assert not desk & (set(PERMISSIONS) - {"desk.read", "desk.write", "vendors.lookup"})


@pytest.mark.parametrize("role", ["crew", "planner", "admin", "petugas", "petugas_layanan"])
def test_walk_guarded_routes_as_each_role(
    app: Flask, client: FlaskClient, auth: Any, role: str
) -> None:
    auth.login(role=role)
    guarded = _guarded(app)
    checked = 0
    for rule in app.url_map.iter_rules():
        permission = guarded.get(rule.endpoint)
        if permission is None:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            resp = client.open(_url(rule), method=method, headers={"Accept": "application/json"})
            denied = resp.status_code == 403
            assert denied != role_can(role, permission), (
                role,
                method,
                rule.rule,
                resp.status_code,
            )
            assert resp.status_code < 500, (role, method, rule.rule, resp.status_code)
            checked += 1
    assert checked >= len(guarded)


def test_anonymous_gets_no_guarded_route(app: Flask, client: FlaskClient) -> None:
    guarded = _guarded(app)
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in guarded:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            resp = client.open(_url(rule), method=method)
            assert resp.status_code in (302, 401), (method, rule.rule, resp.status_code)
