"""API for appointments: slots, book, look up, cancel, move (public), check in (staff)."""

from __future__ import annotations

from datetime import date
from typing import Any

from reception.appointments import booking
from reception.appointments.checkin import check_in
from reception.appointments.slots import bookable_days, slots_for
from reception.core.clock import local_time
from reception.core.errors import NotFound
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import Appointment, Role, Service
from reception.models.types import utcnow
from reception.web.api import schemas as s
from reception.web.api.common import api_user, bp, requires, ticket_json
from reception.web.common import current_hall
from reception.web.edge.running import settings


def _appointment_json(appointment: Appointment) -> dict[str, Any]:
    return {
        "appointment": {
            "code": appointment.code,
            "service_id": appointment.service_id,
            "day": appointment.day,
            "starts_at": appointment.starts_at,
            "local_time": local_time(current_hall().timezone, appointment.starts_at).strftime(
                "%H:%M"
            ),
            "state": appointment.state,
        }
    }


@bp.get("/services/<int:service_id>/slots")
@bp.arguments(s.SlotsQuery, location="query")
@bp.response(200, s.SlotsSchema)
def service_slots(query: dict[str, date], service_id: int) -> dict[str, Any]:
    """A service's bookable times on a day (public)."""
    hall = current_hall()
    service = db.session.get(Service, service_id)
    if service is None or service.hall_id != hall.id:
        raise NotFound(N_("No such service."))
    day = query["day"]
    bookable = day in bookable_days(hall, utcnow(), settings().booking)
    slots = slots_for(hall, service, day) if bookable else []
    return {
        "day": day,
        "bookable": bookable,
        "slots": [
            {
                "starts_at": slot.starts_at,
                "time": slot.local_start.strftime("%H:%M"),
                "capacity": slot.capacity,
                "free": slot.free,
            }
            for slot in slots
        ],
    }


@bp.post("/appointments")
@bp.arguments(s.BookRequest)
@bp.response(201, s.AppointmentEnvelope)
def book_appointment(body: dict[str, Any]) -> dict[str, Any]:
    """Book a time (public, as the phone pages do)."""
    booker = booking.Booker(
        name=body["name"],
        phone=body["phone"],
        id_number=body["id_number"],
        description=body["description"],
    )
    appointment = booking.book(
        current_hall(),
        body["service_id"],
        body["starts_at"],
        booker,
        policy=settings().booking,
    )
    return _appointment_json(appointment)


@bp.post("/appointments/lookup")
@bp.arguments(s.BookingKey)
@bp.response(200, s.AppointmentEnvelope)
def lookup_appointment(body: dict[str, str]) -> dict[str, Any]:
    """A booking by its code and the phone it was made with."""
    return _appointment_json(booking.lookup(body["code"], body["phone"]))


@bp.post("/appointments/cancel")
@bp.arguments(s.BookingKey)
@bp.response(200, s.AppointmentEnvelope)
def cancel_appointment(body: dict[str, str]) -> dict[str, Any]:
    appointment = booking.lookup(body["code"], body["phone"])
    booking.cancel(appointment)
    return _appointment_json(appointment)


@bp.post("/appointments/move")
@bp.arguments(s.MoveRequest)
@bp.response(200, s.AppointmentEnvelope)
def move_appointment(body: dict[str, Any]) -> dict[str, Any]:
    appointment = booking.lookup(body["code"], body["phone"])
    booking.move(
        current_hall(),
        appointment,
        body["starts_at"],
        policy=settings().booking,
    )
    return _appointment_json(appointment)


@bp.post("/appointments/checkin")
@requires(Role.REGISTRAR, Role.DESK, Role.SUPERVISOR)
@bp.arguments(s.CheckInRequest)
@bp.response(200, s.CheckInEnvelope)
def checkin_appointment(body: dict[str, str]) -> dict[str, Any]:
    """Turn a booking into a ticket (registrar, desk, supervisor)."""
    user = api_user()
    result = check_in(current_hall(), body["code"], policy=settings().booking, staff_id=user.id)
    return {"ticket": ticket_json(result.ticket, with_token=True), "late": result.late}
