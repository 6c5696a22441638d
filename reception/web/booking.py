"""The public booking pages for phones (no login): choose, book, confirm, look up, cancel, move."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import format_date, gettext
from sqlalchemy import select

from reception.appointments import booking
from reception.appointments.slots import bookable_days, slots_for
from reception.core.clock import hall_day, local_time
from reception.core.errors import InvalidInput, QueueError
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import Appointment, Closure, LeaderDay, Service, ServiceKind
from reception.models.types import utcnow
from reception.video import sessions as video
from reception.web import online
from reception.web.common import current_hall, error_text, in_hall
from reception.web.edge.guard import parse_id
from reception.web.edge.running import settings
from reception.web.forms import BookingForm, ManageBookingForm
from reception.web.tickets import qr_svg

bp = Blueprint("booking", __name__, url_prefix="/book")


def _policy():
    return settings().booking


def _service(service_id: int) -> Service:
    return in_hall(Service, service_id, also=lambda s: s.active)


def _upcoming_leader_days() -> list[LeaderDay]:
    hall = current_hall()
    today = hall_day(hall.timezone, utcnow())
    return list(
        db.session.scalars(
            select(LeaderDay)
            .where(
                LeaderDay.hall_id == hall.id,
                LeaderDay.day >= today,
                # a day the hall is closed is not published
                ~select(Closure.id)
                .where(Closure.hall_id == hall.id, Closure.day == LeaderDay.day)
                .exists(),
            )
            .order_by(LeaderDay.day)
        )
    )


@bp.get("/")
def index():
    hall = current_hall()
    services = [s for s in hall.services if s.active and s.kind != ServiceKind.LEADER]
    return render_template(
        "booking/index.html", hall=hall, services=services, leader_days=_upcoming_leader_days()
    )


@bp.get("/leaders")
def leaders():
    return render_template(
        "booking/leaders.html", hall=current_hall(), leader_days=_upcoming_leader_days()
    )


def _slots_page(service: Service, form: BookingForm, *, error: str = "", status: int = 200):
    hall = current_hall()
    days = [d for d in bookable_days(hall, utcnow(), _policy()) if slots_for(hall, service, d)]
    try:
        asked = request.values.get("day") or form.day.data or ""
        chosen = date.fromisoformat(asked) if asked else None
    except ValueError:
        chosen = None
    if chosen is not None and chosen not in days:
        # the day asked for (a leader's reception day, a link kept from before) is not open:
        # say so, never show another day's times as if they were that day's
        closure = db.session.scalars(
            select(Closure).where(Closure.hall_id == hall.id, Closure.day == chosen)
        ).first()
        why = closure.reason if closure and closure.reason else gettext("no bookable time")
        error = error or gettext(
            "%(day)s cannot be booked (%(why)s): choose another day.",
            day=format_date(chosen, "full"),
            why=why,
        )
        status = 409 if status == 200 else status
        chosen = None
    elif chosen is None:
        chosen = days[0] if days else None
    slots = slots_for(hall, service, chosen) if chosen else []
    return render_template(
        "booking/slots.html",
        hall=hall,
        service=service,
        days=days,
        chosen=chosen,
        slots=slots,
        error=error,
        form=form,
        local=lambda m: local_time(hall.timezone, m),
        units=video.units(hall.id) if video.is_video(service) else [],
        unit_asked=form.remote_unit_id.data or parse_id(request.args.get("unit", "")),
    ), status


@bp.get("/<int:service_id>")
def slots(service_id: int):
    form = BookingForm(formdata=None)
    online.fill_booking(form)  # just sent a matter online: come in to talk about it
    return _slots_page(_service(service_id), form)


@bp.post("/<int:service_id>")
def book(service_id: int):
    service, form = _service(service_id), BookingForm()
    if not form.validate_on_submit():
        return _slots_page(service, form, status=422)
    booker = booking.Booker(
        name=form.name.data or "",
        phone=form.phone.data or "",
        id_number=form.id_number.data or "",
        description=form.description.data or "",
        notify_turn=bool(form.notify_turn.data),
        remote_unit_id=form.remote_unit_id.data,
    )
    try:
        appointment = booking.book(
            current_hall(),
            service.id,
            booking.parse_start(form.starts_at.data),
            booker,
            policy=_policy(),
        )
    except QueueError as error:
        db.session.rollback()  # draw the refused page from the state before the attempt
        return _slots_page(service, form, error=error_text(error), status=error.status)
    return redirect(url_for("booking.done", code=appointment.code))


def _confirmation(appointment: Appointment, template: str, **extra):
    hall = current_hall()
    return render_template(
        template,
        hall=hall,
        appointment=appointment,
        qr=qr_svg(appointment.code),
        starts=local_time(hall.timezone, appointment.starts_at),
        **extra,
    )


@bp.get("/done/<code>")
def done(code: str):
    appointment = db.session.scalars(
        select(Appointment).where(Appointment.code == booking.normalise_code(code))
    ).first()
    if appointment is None:
        abort(404)
    return _confirmation(appointment, "booking/done.html")


@bp.route("/manage", methods=["GET", "POST"])
def manage():
    """Look a booking up by code and phone (POSTed), then cancel or move it."""
    hall, form = current_hall(), ManageBookingForm()
    if request.method == "GET":
        return render_template("booking/manage.html", hall=hall, form=form, error="")
    try:
        if not form.validate_on_submit():
            raise InvalidInput(N_("Type the booking code and the phone number you booked with."))
        appointment = booking.lookup(form.code.data or "", form.phone.data or "")
        if form.action.data == "cancel":
            booking.cancel(appointment)
        elif form.action.data == "move":
            booking.move(
                hall, appointment, booking.parse_start(form.starts_at.data), policy=_policy()
            )
    except QueueError as error:
        db.session.rollback()  # draw the refused page from the state before the attempt
        page = render_template("booking/manage.html", hall=hall, form=form, error=error_text(error))
        return page, error.status
    service = appointment.service
    move_day = form.day.data or appointment.day
    return _confirmation(
        appointment,
        "booking/manage.html",
        form=form,
        error="",
        code=appointment.code,
        phone=form.phone.data,
        move_days=[
            d for d in bookable_days(hall, utcnow(), _policy()) if slots_for(hall, service, d)
        ],
        move_day=move_day,
        move_slots=slots_for(hall, service, move_day),
        local=lambda m: local_time(hall.timezone, m),
    )
