"""JSON API for appointments: slots, book, look up, cancel, move (public), check in (staff)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app, jsonify, request

from ..appointments import booking
from ..appointments.checkin import check_in
from ..appointments.slots import bookable_days, policy_from, slots_for
from ..extensions import db
from ..models import Appointment, Role, Service
from ..models.types import utcnow
from ..queue.clock import local_time
from ..queue.errors import InvalidInput, NotFound
from ..queue.messages import N_
from .actions import optional_id, text
from .api import _body, _staff, _ticket_json, bp
from .common import commit, current_hall


def _appointment_json(appointment: Appointment) -> dict[str, Any]:
    hall = current_hall()
    return {
        "code": appointment.code,
        "service_id": appointment.service_id,
        "day": appointment.day.isoformat(),
        "starts_at": appointment.starts_at.isoformat(),
        "local_time": local_time(hall.timezone, appointment.starts_at).strftime("%H:%M"),
        "state": appointment.state,
    }


@bp.get("/services/<int:service_id>/slots")
def service_slots(service_id: int):
    hall = current_hall()
    service = db.session.get(Service, service_id)
    if service is None or service.hall_id != hall.id:
        raise NotFound(N_("No such service."))
    days = bookable_days(hall, utcnow(), policy_from(current_app.config))
    try:
        day = date.fromisoformat(request.args.get("day", ""))
    except ValueError as exc:
        raise InvalidInput(N_("day must be a date, YYYY-MM-DD.")) from exc
    slots = slots_for(hall, service, day) if day in days else []
    return jsonify(
        day=day.isoformat(),
        bookable=day in days,
        slots=[
            {
                "starts_at": s.starts_at.isoformat(),
                "time": s.local_start.strftime("%H:%M"),
                "capacity": s.capacity,
                "free": s.free,
            }
            for s in slots
        ],
    )


@bp.post("/appointments")
def book_appointment():
    body = _body()
    service_id = optional_id(body, "service_id")
    if service_id is None:
        raise InvalidInput(N_("service_id is required."))
    booker = booking.Booker(
        name=text(body, "name"),
        phone=text(body, "phone"),
        id_number=text(body, "id_number"),
        description=text(body, "description"),
    )
    appointment = booking.book(
        current_hall(),
        service_id,
        booking.parse_start(body.get("starts_at")),
        booker,
        policy=policy_from(current_app.config),
    )
    commit()
    return jsonify(appointment=_appointment_json(appointment)), 201


@bp.post("/appointments/lookup")
def lookup_appointment():
    body = _body()
    return jsonify(
        appointment=_appointment_json(booking.lookup(text(body, "code"), text(body, "phone")))
    )


@bp.post("/appointments/cancel")
def cancel_appointment():
    body = _body()
    appointment = booking.lookup(text(body, "code"), text(body, "phone"))
    booking.cancel(appointment)
    commit()
    return jsonify(appointment=_appointment_json(appointment))


@bp.post("/appointments/move")
def move_appointment():
    body = _body()
    appointment = booking.lookup(text(body, "code"), text(body, "phone"))
    booking.move(
        current_hall(),
        appointment,
        booking.parse_start(body.get("starts_at")),
        policy=policy_from(current_app.config),
    )
    commit()
    return jsonify(appointment=_appointment_json(appointment))


@bp.post("/appointments/checkin")
def checkin_appointment():
    staff = _staff(Role.REGISTRAR, Role.DESK, Role.SUPERVISOR)
    body = _body()
    result = check_in(
        current_hall(),
        text(body, "code"),
        policy=policy_from(current_app.config),
        staff_id=staff.id,
    )
    commit()
    return jsonify(ticket=_ticket_json(result.ticket, with_token=True), late=result.late)
