"""Staff view of the day's bookings: states per service, check-in by hand, reminders, closures."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from reception.appointments.booking import bookings_on, close_day
from reception.appointments.checkin import check_in
from reception.appointments.slots import set_closure
from reception.core.clock import hall_day, local_time
from reception.core.errors import InvalidInput, QueueError
from reception.core.identity import mask_name, mask_phone
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import Appointment, Closure, OutboxMessage, Role
from reception.models.types import utcnow
from reception.web.admin.texts import text_state
from reception.web.common import current_hall, error_text, in_hall, roles_required
from reception.web.edge.running import settings
from reception.web.forms import ClosureForm

bp = Blueprint("appointments", __name__, url_prefix="/appointments")
STAFF = (Role.REGISTRAR, Role.DESK, Role.SUPERVISOR)


def _viewed_day() -> str | None:
    """The date the page was showing when a form on it was sent (to go back to it)."""
    raw = request.form.get("viewing") or request.args.get("day") or ""
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError:
        return None


@bp.errorhandler(QueueError)
def refused(error: QueueError):
    flash(error_text(error), "error")
    return redirect(url_for("appointments.day", day=_viewed_day()), 303)


@bp.get("/")
@roles_required(*STAFF)
def day():
    try:
        chosen = date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        chosen = None
    return _day_page(chosen)


def _day_page(
    chosen: date | None,
    *,
    closure_form: ClosureForm | None = None,
    to_cancel: int = 0,
    status: int = 200,
):
    hall = current_hall()
    chosen = chosen or hall_day(hall.timezone, utcnow())
    bookings = db.session.scalars(
        select(Appointment)
        .options(selectinload(Appointment.ticket), selectinload(Appointment.service))
        .where(Appointment.hall_id == hall.id, Appointment.day == chosen)
        .order_by(Appointment.service_id, Appointment.starts_at)
    ).all()
    by_service: dict[str, list[Appointment]] = {}
    for booking in bookings:
        by_service.setdefault(booking.service.name, []).append(booking)
    return render_template(
        "appointments/day.html",
        hall=hall,
        chosen=chosen,
        by_service=by_service,
        local=lambda m: local_time(hall.timezone, m),
        mask_name=mask_name,
        mask_phone=mask_phone,
        today=hall_day(hall.timezone, utcnow()),
        closures=db.session.scalars(
            select(Closure).where(Closure.hall_id == hall.id).order_by(Closure.day)
        ).all(),
        closure_form=closure_form or ClosureForm(formdata=None),
        to_cancel=to_cancel,
        outbox=db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.hall_id == hall.id, OutboxMessage.appointment_id.is_not(None))
            .order_by(OutboxMessage.id.desc())
            .limit(20)
        ).all(),
        text_state=text_state,
    ), status


@bp.post("/<int:appointment_id>/checkin")
@roles_required(Role.REGISTRAR, Role.SUPERVISOR)
def checkin(appointment_id: int):
    booking = in_hall(Appointment, appointment_id)
    result = check_in(
        current_hall(),
        booking.code,
        policy=settings().booking,
        staff_id=current_user.id,
    )
    flash(gettext("Checked in: ticket %(number)s.", number=result.ticket.number), "success")
    return redirect(url_for("kiosk.printed", token=result.ticket.token))


@bp.post("/closures")
@roles_required(Role.ADMIN)
def closures():
    """Add or remove a holiday or closure date."""
    form = ClosureForm()
    if not form.validate_on_submit():
        name, problems = next(iter(form.errors.items()))
        raise InvalidInput(
            N_("%(field)s: %(problem)s"), field=form[name].label.text, problem=problems[0]
        )
    hall, day = current_hall(), form.day.data
    assert day is not None  # DataRequired
    today = hall_day(hall.timezone, utcnow())
    viewing = form.viewing.data
    if form.action.data == "remove":
        set_closure(hall, day, closed_that_day=False, today=today)
        flash(gettext("%(day)s is open again.", day=day.isoformat()), "success")
        return redirect(url_for("appointments.day", day=viewing and viewing.isoformat()), 303)
    booked = len(bookings_on(hall, day))
    if booked and form.confirm.data != booked:
        # nothing changes until the administrator confirms, knowing how many are cancelled
        return _day_page(viewing or day, closure_form=form, to_cancel=booked, status=409)
    reason = form.reason.data or ""
    cancelled = close_day(hall, day, reason, utcnow())
    flash(
        gettext(
            "%(day)s is closed; %(count)s booking(s) cancelled and their visitors told.",
            day=day.isoformat(),
            count=len(cancelled),
        ),
        "success",
    )
    return redirect(url_for("appointments.day", day=(viewing or day).isoformat()), 303)
