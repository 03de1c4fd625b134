"""The city's rules page: clearances per facility kind and goods categories' caps (versioned)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth import permission_required
from app.db import get_session
from app.gis.rules import VENDOR_CATEGORIES
from app.i18n import localize
from app.kinds import FACILITY_KIND_REGISTRY
from app.services import city_rules as svc
from app.services.audit import acting_as
from app.services.cities import booth_defaults_for, get_city
from app.services.conflicts import event_conflicts
from app.services.errors import ServiceError
from app.services.params import INT4_MAX, bounded_int
from app.views.labels import CATEGORY_LABELS, FACILITY_LABELS, as_text

bp = Blueprint("city_rules", __name__, url_prefix="/planner/rules")


def _render(city_slug: str, status: int = 200) -> tuple[str, int]:
    session = get_session()
    city = get_city(session, city_slug)
    return (
        render_template(
            "planner/city_rules.html",
            city=city,
            rows=svc.rule_rows(city),
            caps=city.category_caps or {},
            categories=VENDOR_CATEGORIES,
            category_labels=as_text(CATEGORY_LABELS),
            facility_labels=as_text(FACILITY_LABELS),
            history=svc.rules_history(session, city),
            changed=svc.changed_kinds,
            booth=booth_defaults_for(city),
        ),
        status,
    )


@bp.get("/")
@permission_required("layers.edit")
def page() -> tuple[str, int]:
    """The rules of a city (``?city=``, Pontianak by default) with their change history."""
    return _render(request.args.get("city", "pontianak"))


@bp.post("/")
@permission_required("layers.edit")
def save() -> Response | tuple[str, int]:
    """Save the form made on ``version``; then every open event's conflicts are re-checked."""
    session = get_session()
    city_slug = request.form.get("city", "pontianak")
    city = get_city(session, city_slug)
    try:
        version = bounded_int(
            request.form.get("version"), field="version", minimum=1, maximum=INT4_MAX
        )
        metres = {k: request.form.get(f"metres.{k}", "") for k in FACILITY_KIND_REGISTRY}
        blocking = set(request.form.getlist("blocking"))
        caps = {c: request.form.get(f"cap.{c}", "") for c in VENDOR_CATEGORIES}
        clearances, typed_caps = svc.parse_rules(metres, blocking, caps)
        # the booth part is there when the form shows it (its reach field is always sent)
        booth_defaults = (
            svc.parse_booth_defaults(
                request.form["booth.power_reach_m"],
                accessible=request.form.get("booth.accessible") == "1",
                cooking_allowed=request.form.get("booth.cooking_allowed") == "1",
            )
            if "booth.power_reach_m" in request.form
            else None
        )
        with acting_as(current_user.id, current_user.email):
            changed = svc.save_rules(
                session,
                city,
                version=version,
                clearances=clearances,
                caps=typed_caps,
                grow_at_turn=request.form.get("grow_at_turn") == "1",
                booth_defaults=booth_defaults,
            )
    except ServiceError as exc:
        session.rollback()
        flash(localize(exc.msg), "error")
        return _render(city_slug, exc.status)
    if not changed:
        flash(_("Tidak ada yang berubah."), "info")
        return redirect(url_for("city_rules.page", city=city.slug))
    parts = []
    for event in svc.open_events(session, city):
        found = event_conflicts(session, event)
        blocking_n = sum(1 for c in found if c.severity == "blocking")
        parts.append(
            _(
                "%(event)s: %(n)s konflik (%(b)s menghalangi)",
                event=event.name,
                n=len(found),
                b=blocking_n,
            )
        )
    flash(
        _(
            "Aturan kota disimpan (versi %(v)s). Konflik diperiksa ulang: %(list)s",
            v=city.rules_version,
            list="; ".join(parts) or "-",
        ),
        "info",
    )
    return redirect(url_for("city_rules.page", city=city.slug))
