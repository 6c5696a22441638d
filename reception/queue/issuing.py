"""Issuing tickets: daily numbering per prefix in the hall's time zone, and the secret token."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from ..extensions import db
from ..models import DailyCounter, Hall, Priority, Service, Ticket, TicketState
from ..models.types import utcnow
from . import hours
from .clock import hall_day
from .errors import InvalidInput, NotFound
from .journal import record
from .locking import lock_hall
from .messages import N_

TOKEN_BYTES = 24  # 192 bits: unguessable, and short enough for a small QR code


def next_sequence(hall_id: int, prefix: str, day: date) -> int:
    """Advance the counter row for (hall, prefix, day); the caller holds the hall lock."""
    counter = db.session.get(DailyCounter, (hall_id, prefix, day), populate_existing=True)
    if counter is None:
        counter = DailyCounter(hall_id=hall_id, prefix=prefix, service_day=day, last_seq=0)
        db.session.add(counter)
    counter.last_seq += 1
    return counter.last_seq


def format_number(prefix: str, sequence: int) -> str:
    return f"{prefix}{sequence:03d}"


def issue_ticket(
    hall_id: int,
    service_id: int,
    *,
    priority: int = Priority.WALK_IN,
    channel: str = "kiosk",
    staff_id: int | None = None,
    now: datetime | None = None,
    outside_hours: bool = False,
) -> Ticket:
    """Give the visitor the next number of the service's queue for the hall's day; outside
    the opening hours only when `outside_hours` (the registrar's override, a booking's
    check-in)."""
    now = now or utcnow()
    if priority not in {p.value for p in Priority}:
        raise InvalidInput(N_("Unknown priority."))
    version = lock_hall(hall_id)
    service = db.session.get(Service, service_id, populate_existing=True)
    if service is None or service.hall_id != hall_id:
        raise NotFound(N_("No such service."))
    if not service.active:
        raise InvalidInput(N_("This service is not taking visitors now."))
    hall = db.session.get(Hall, hall_id)
    assert hall is not None  # lock_hall found it
    if hall.opening_hours and not outside_hours:
        hours.check_open(hall, now)
    day = hall_day(hall.timezone, now)
    sequence = next_sequence(hall_id, service.prefix, day)
    ticket = Ticket(
        hall_id=hall_id,
        service_day=day,
        number=format_number(service.prefix, sequence),
        token=secrets.token_urlsafe(TOKEN_BYTES),
        service_id=service.id,
        state=TicketState.WAITING.value,
        priority=int(priority),
        channel=channel,
        issued_at=now,
        line_at=now,
        updated_at=now,
    )
    db.session.add(ticket)
    db.session.flush()
    record(ticket, action="issue", from_state=None, version=version, now=now, staff_id=staff_id)
    db.session.flush()
    return ticket
