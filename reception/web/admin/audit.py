"""The audit trail: who opened which record, who changed the set-up, who decided what."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from flask import (
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from reception.core.clock import zone
from reception.db.extensions import db
from reception.models import (
    AuditEntry,
    Hall,
    Role,
    User,
)
from reception.models.audit import AUDIT_ACTIONS
from reception.video import sessions as video
from reception.web.admin.common import bp
from reception.web.common import (
    current_hall,
    roles_required,
)
from reception.web.forms import (
    AuditFilterForm,
)

AUDIT_PAGE = 50


# --- the audit trail ------------------------------------------------------------------------


def _change_names(hall: Hall) -> dict[str, dict[int, str]]:
    """What the ids a set-up change holds name, by field (a department by its service)."""
    services = {s.id: s.name for s in hall.services}
    return {
        "department_id": services,
        "desk_id": {d.id: f"{d.number} {d.name}".strip() for d in hall.desks},
        "remote_unit_id": {u.id: u.name for u in video.units(hall.id)},
    }


@bp.get("/audit")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def audit():
    """Who opened which record, who changed the set-up, who decided what: never the content
    of a visitor's record (entries hold ids and actions, changes hold set-up fields only)."""
    hall = current_hall()
    form = AuditFilterForm(request.args)
    query = select(AuditEntry).where(AuditEntry.hall_id == hall.id)
    if form.validate():
        tz = zone(hall.timezone)
        if form.staff_id.data:
            query = query.where(AuditEntry.staff_id == form.staff_id.data)
        if form.action.data:
            query = query.where(AuditEntry.action == form.action.data)
        if form.since.data:
            start = datetime.combine(form.since.data, time(0), tzinfo=tz)
            query = query.where(AuditEntry.at >= start)
        if form.until.data:
            end = datetime.combine(form.until.data + timedelta(days=1), time(0), tzinfo=tz)
            query = query.where(AuditEntry.at < end)
    page = (form.page.data or 1) if not form.errors else 1
    listed = db.paginate(
        query.order_by(AuditEntry.id.desc()), page=page, per_page=AUDIT_PAGE, error_out=False
    )
    kept = ("staff_id", "action", "since", "until")
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k in kept and v}
    html = render_template(
        "admin/audit.html",
        hall=hall,
        form=form,
        entries=listed.items,
        total=listed.total or 0,
        page=page,
        pages=max(1, listed.pages),
        page_url=lambda n: url_for("admin.audit", page=n, **args),
        users={u.id: u for u in db.session.scalars(select(User))},
        actions=list(AUDIT_ACTIONS),
        names=_change_names(hall),
    )
    return html, 422 if form.errors else 200
