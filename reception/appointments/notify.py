"""Texts to a booked visitor: the booking's confirmation, tomorrow's reminder, a closure's
cancellation. Recorded through `reception.sms.outbox` in the caller's transaction and sent by
the courier after it commits (the outbox gateway, the default, keeps them for staff)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from reception.core.clock import hall_day, local_time
from reception.db.extensions import db
from reception.models import Appointment, BookingState, Hall
from reception.models.types import utcnow
from reception.sms import kinds, outbox


def tell(hall: Hall, appointment: Appointment, kind: str, now: datetime) -> None:
    """Record a text of `kind` (booked, reminder, closure) to the booked visitor."""
    start = local_time(hall.timezone, appointment.starts_at)
    outbox.record(
        kind,
        appointment.phone,
        {
            "day": f"{start:%m月%d日}",
            "time": f"{start:%H:%M}",
            **kinds.split_code(appointment.code),
        },
        hall_id=hall.id,
        appointment_id=appointment.id,
        now=now,
    )


def send_reminders(hall: Hall, *, now: datetime | None = None) -> int:
    """Remind everyone booked for tomorrow who has not been reminded yet."""
    now = now or utcnow()
    tomorrow = hall_day(hall.timezone, now) + timedelta(days=1)
    due = db.session.scalars(
        select(Appointment).where(
            Appointment.hall_id == hall.id,
            Appointment.day == tomorrow,
            Appointment.state == BookingState.BOOKED.value,
            Appointment.reminded_at.is_(None),
        )
    ).all()
    for appointment in due:
        # recorded with the mark in one transaction: a failed commit never means a second text
        tell(hall, appointment, "reminder", now)
        appointment.reminded_at = now
    db.session.flush()
    return len(due)
