""" "Your turn is near": a text to a waiting visitor when at most `Service.notify_ahead` people
are ahead of them in the line, once per leg, only to a visitor who gave a mobile number and
agreed (`Ticket.notify`, set at the registrar's counter or at a booking's check-in).

The call itself does no more than note, after its commit, that the line moved (`line_moved`);
the courier thread looks at the moved lines in transactions of its own (`check_moved`), and
the timed duties look at every line that sends such texts (`check_all`: a line that moved in
another process, a visitor ahead who left). A text records the ticket, its leg and its kind
under a unique constraint, so two processes looking at once send it once; one whose visitor
is called before it goes out is dropped by the courier, never sent late.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from reception.core.clock import hall_day
from reception.db.extensions import db
from reception.models import (
    Appointment,
    Case,
    Hall,
    OutboxMessage,
    Service,
    Ticket,
    TicketState,
)
from reception.models.types import utcnow
from reception.sms import kinds, outbox

log = logging.getLogger("reception.sms")
KIND = "turn_near"

_moved: set[int] = set()
_lock = threading.Lock()


def line_moved(service_id: int) -> None:
    """After a call's commit: the line of `service_id` moved (the courier looks at it)."""
    with _lock:
        _moved.add(service_id)
    outbox.WAKE.set()


def _take_moved() -> set[int]:
    with _lock:
        moved = set(_moved)
        _moved.clear()
    return moved


def phone_of(ticket_id: int, case_id: int | None) -> str | None:
    """The number the visitor agreed to be texted on: their booking's, or their matter's."""
    booking = db.session.scalars(
        select(Appointment).where(
            Appointment.ticket_id == ticket_id, Appointment.notify_turn.is_(True)
        )
    ).first()
    if booking is not None:
        return booking.phone
    case = db.session.get(Case, case_id) if case_id else None
    if case is not None and case.sms_consent and case.visitor.phone:
        return case.visitor.phone
    return None


def check_line(service: Service, now: datetime) -> int:
    """Record the texts due in one service's line; how many."""
    lead = service.notify_ahead
    if lead <= 0 or not service.active:
        return 0
    hall = db.session.get(Hall, service.hall_id)
    assert hall is not None
    first = db.session.execute(
        select(Ticket.id, Ticket.number, Ticket.leg, Ticket.notify, Ticket.case_id)
        .where(
            Ticket.hall_id == hall.id,
            Ticket.service_day == hall_day(hall.timezone, now),
            Ticket.state == TicketState.WAITING.value,
            Ticket.service_id == service.id,
            Ticket.target_desk_id.is_(None),
        )
        .order_by(Ticket.priority.desc(), Ticket.line_at, Ticket.id)
        .limit(lead + 1)
    ).all()
    near = [(ahead, row) for ahead, row in enumerate(first) if row.notify]
    if not near:
        return 0
    told = {
        (ticket_id, leg)
        for ticket_id, leg in db.session.execute(
            select(OutboxMessage.ticket_id, OutboxMessage.leg).where(
                OutboxMessage.kind == KIND,
                OutboxMessage.ticket_id.in_([row.id for _, row in near]),
            )
        )
    }
    recorded = 0
    for ahead, row in near:
        if (row.id, row.leg) in told or len(row.number) > kinds.MAX_VARIABLE:
            continue
        phone = phone_of(row.id, row.case_id)
        if phone is None:
            continue
        outbox.record(
            KIND,
            phone,
            {"ticket": row.number, "ahead": str(ahead)},
            hall_id=hall.id,
            ticket_id=row.id,
            leg=row.leg,
            now=now,
        )
        recorded += 1
    return recorded


def _check(service_ids: set[int] | None, now: datetime) -> int:
    query = select(Service.id).where(Service.notify_ahead > 0, Service.active.is_(True))
    if service_ids is not None:
        query = query.where(Service.id.in_(service_ids))
    recorded = 0
    for service_id in db.session.scalars(query).all():
        try:
            service = db.session.get(Service, service_id)
            recorded += check_line(service, now) if service is not None else 0
            db.session.commit()
        except IntegrityError:  # another process recorded the same text first: it is sent once
            db.session.rollback()
    return recorded


def check_moved(now: datetime | None = None) -> int:
    """The lines that moved in this process since the last look."""
    moved = _take_moved()
    return _check(moved, now or utcnow()) if moved else 0


def check_all(now: datetime | None = None) -> int:
    """Every line that sends "turn is near" texts."""
    return _check(None, now or utcnow())
