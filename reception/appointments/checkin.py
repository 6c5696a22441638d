"""Check-in at the kiosk: inside the window a booking becomes a ticket with appointment priority."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from reception.appointments.booking import normalise_code
from reception.core import crypto, identity
from reception.core.clock import hall_day, local_time
from reception.core.errors import IllegalMove, NotFound
from reception.core.messages import N_
from reception.core.settings import Policy
from reception.db.extensions import db
from reception.models import Appointment, BookingState, Hall, Priority, Ticket
from reception.models.types import utcnow
from reception.queue.issuing import issue_ticket


def check_in_by_card(
    hall: Hall, id_number: str, *, policy: Policy, now: datetime | None = None
) -> CheckIn:
    """Check in today's booking of the person whose ID card was read at the kiosk ("我有预约"):
    found by the number's keyed hash, never by the number itself; the number is not kept."""
    now = now or utcnow()
    card = identity.parse_id_number(id_number, today=hall_day(hall.timezone, now))
    code = db.session.scalar(
        select(Appointment.code)
        .where(
            Appointment.hall_id == hall.id,
            Appointment.day == hall_day(hall.timezone, now),
            Appointment.id_hash == crypto.lookup_hash("id", card.number),
            Appointment.state.in_((BookingState.BOOKED.value, BookingState.NO_SHOW.value)),
        )
        .order_by(Appointment.starts_at)
        .limit(1)
    )
    if code is None:
        raise NotFound(
            N_("No booking today with this ID card: scan the booking's QR code or type its code.")
        )
    return check_in(hall, code, policy=policy, now=now)


@dataclass
class CheckIn:
    appointment: Appointment
    ticket: Ticket
    late: bool


def check_in(
    hall: Hall,
    code: str,
    *,
    policy: Policy,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> CheckIn:
    """Turn a booking into a ticket: appointment priority inside its window, walk-in if late."""
    now = now or utcnow()
    appointment = db.session.scalars(
        select(Appointment).where(
            Appointment.code == normalise_code(code), Appointment.hall_id == hall.id
        )
    ).first()
    if appointment is None:
        raise NotFound(N_("No booking with this code."))
    # a booking marked no-show at the end of its window still gets a late walk-in ticket today
    if appointment.state not in (BookingState.BOOKED, BookingState.NO_SHOW):
        raise IllegalMove(N_("This booking was already used or cancelled."))
    opens = appointment.starts_at - timedelta(minutes=policy.early_minutes)
    closes = appointment.starts_at + timedelta(minutes=policy.late_minutes)
    if appointment.day != hall_day(hall.timezone, now):
        # tell the visitor when to come, not just that today is the wrong day
        starts = local_time(hall.timezone, appointment.starts_at)
        raise IllegalMove(
            N_(
                "Your booking is on %(month)s/%(day)s at %(time)s: "
                "check in that day from %(opens)s to %(closes)s."
            ),
            month=starts.month,
            day=starts.day,
            time=starts.strftime("%H:%M"),
            opens=local_time(hall.timezone, opens).strftime("%H:%M"),
            closes=local_time(hall.timezone, closes).strftime("%H:%M"),
        )
    if now < opens:
        raise IllegalMove(
            N_("Too early: please come back from %(time)s."),
            time=local_time(hall.timezone, opens).strftime("%H:%M"),
        )
    late = now > closes
    priority = Priority.WALK_IN if late else Priority.APPOINTMENT
    ticket = issue_ticket(
        hall.id,
        appointment.service_id,
        priority=priority,
        channel="appointment",
        staff_id=staff_id,
        now=now,
        outside_hours=True,  # the booking's own check-in window applies
    )
    appointment.state = BookingState.CHECKED_IN.value
    appointment.ticket_id = ticket.id
    ticket.notify = appointment.notify_turn  # they agreed to a text when their turn is near
    ticket.remote_unit_id = appointment.remote_unit_id or ticket.remote_unit_id
    db.session.flush()
    return CheckIn(appointment=appointment, ticket=ticket, late=late)


def sweep_no_shows(hall: Hall, *, policy: Policy, now: datetime | None = None) -> int:
    """Mark bookings whose check-in window has closed without a check-in as no-shows."""
    now = now or utcnow()
    latest_start = now - timedelta(minutes=policy.late_minutes)
    missed = db.session.scalars(
        select(Appointment).where(
            Appointment.hall_id == hall.id,
            Appointment.state == BookingState.BOOKED.value,
            Appointment.starts_at < latest_start,
        )
    ).all()
    for appointment in missed:
        appointment.state = BookingState.NO_SHOW.value
    db.session.flush()
    return len(missed)
