"""Bookable times: the slot templates and the leaders' reception days."""

from __future__ import annotations

from typing import Any

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from reception.appointments.slots import outside_hours
from reception.core.clock import hall_day
from reception.core.errors import QueueError
from reception.db.extensions import db
from reception.hall import administration
from reception.models import (
    LeaderDay,
    Role,
    SlotTemplate,
)
from reception.models.types import utcnow
from reception.web.admin.common import bp, posted, refused, status_of
from reception.web.admin.services import _service
from reception.web.common import (
    current_hall,
    in_hall,
    roles_required,
)
from reception.web.forms import (
    LeaderDayForm,
    SlotTemplateForm,
)

# --- bookable times: slot templates and leaders' reception days -------------------------------


@bp.get("/appointments")
@roles_required(Role.ADMIN)
def appointments():
    return _appointments_page(SlotTemplateForm(formdata=None), LeaderDayForm(formdata=None))


def _appointments_page(
    template_form: SlotTemplateForm, leader_form: LeaderDayForm, status: int = 200
):
    hall = current_hall()
    by_id = {s.id: s for s in hall.services}
    today = hall_day(hall.timezone, utcnow())
    templates = db.session.scalars(
        select(SlotTemplate)
        .where(SlotTemplate.service_id.in_(list(by_id)))
        .order_by(SlotTemplate.service_id, SlotTemplate.start)
    ).all()
    leader_days = db.session.scalars(
        select(LeaderDay)
        .where(LeaderDay.hall_id == hall.id, LeaderDay.day >= today)
        .order_by(LeaderDay.day)
    ).all()
    page = render_template(
        "admin/appointments.html",
        hall=hall,
        services=by_id,
        templates=templates,
        leader_days=leader_days,
        template_form=template_form,
        leader_form=leader_form,
        today=today,
    )
    return page, status


@bp.post("/appointments/templates")
@roles_required(Role.ADMIN)
def add_template():
    form = SlotTemplateForm()
    if form.validate_on_submit():
        service = _service(form.service_id.data) if form.service_id.data else None
        try:
            assert service is not None
            data = {**form.data, "weekdays": [d - 1 for d in form.weekdays.data or []]}
            administration.add_template(service, data, current_user.id)
        except QueueError as error:
            refused(form, error)
        else:
            _saved_within_hours(data)
            return redirect(url_for("admin.appointments"), 303)
    return _appointments_page(form, LeaderDayForm(formdata=None), status_of(form))


def _saved_within_hours(data: dict[str, Any], message: str = "") -> None:
    """Saved; and, when the opening hours cut some of its slots, how many are not offered."""
    _inside, outside = outside_hours(
        current_hall(), data["weekdays"], data["start"], data["end"], data["slot_minutes"]
    )
    flash(message or gettext("Saved."), "success")
    if outside:
        flash(
            gettext(
                "%(n)s slot(s) fall outside the opening hours (the lunch break, a closed "
                "weekday) and are not offered.",
                n=outside,
            ),
            "info",
        )


@bp.post("/appointments/templates/<int:template_id>/remove")
@roles_required(Role.ADMIN)
def remove_template(template_id: int):
    posted()
    template = db.session.get(SlotTemplate, template_id)
    service = _service(template.service_id) if template else None
    if template is None or service is None:
        abort(404)
    administration.remove_template(template, service, current_user.id)
    flash(gettext("Removed: bookings already made keep their times."), "success")
    return redirect(url_for("admin.appointments"), 303)


@bp.post("/appointments/leader-days")
@roles_required(Role.ADMIN)
def add_leader_day():
    hall, form = current_hall(), LeaderDayForm()
    if form.validate_on_submit():
        service = _service(form.service_id.data) if form.service_id.data else None
        try:
            assert service is not None
            today = hall_day(hall.timezone, utcnow())
            administration.add_leader_day(hall, service, form.data, today, current_user.id)
        except QueueError as error:
            refused(form, error)
        else:
            data = form.data
            _saved_within_hours(
                {**data, "weekdays": [data["day"].weekday()]}, gettext("Published.")
            )
            return redirect(url_for("admin.appointments"), 303)
    return _appointments_page(SlotTemplateForm(formdata=None), form, status_of(form))


@bp.post("/appointments/leader-days/<int:day_id>/remove")
@roles_required(Role.ADMIN)
def remove_leader_day(day_id: int):
    posted()
    day = in_hall(LeaderDay, day_id)
    administration.remove_leader_day(day, current_user.id)
    flash(gettext("Removed from the published schedule."), "success")
    return redirect(url_for("admin.appointments"), 303)
