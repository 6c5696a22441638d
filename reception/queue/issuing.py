"""Issuing tickets: daily numbering per prefix in the hall's time zone, and the secret token."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from functools import cache
from typing import cast

from sqlalchemy import Executable, Table, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

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


@cache
def _advance_counter(dialect: str) -> Executable:
    """INSERT … ON CONFLICT DO UPDATE … RETURNING for the day's counter, built once."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = cast(Table, DailyCounter.__table__)
    return (
        insert(table)
        .values(
            hall_id=bindparam("hall_id"),
            prefix=bindparam("prefix"),
            service_day=bindparam("day"),
            last_seq=1,
        )
        .on_conflict_do_update(
            index_elements=[table.c.hall_id, table.c.prefix, table.c.service_day],
            set_={"last_seq": table.c.last_seq + 1},
        )
        .returning(table.c.last_seq)
    )


_SERVICE = select(Service.hall_id, Service.active, Service.prefix).where(
    Service.id == bindparam("service_id")
)


def next_sequence(hall_id: int, prefix: str, day: date) -> int:
    """Advance the counter row for (hall, prefix, day) in one statement; the caller holds
    the hall lock."""
    stmt = _advance_counter(db.session.get_bind().dialect.name)
    sequence: int = db.session.execute(
        stmt, {"hall_id": hall_id, "prefix": prefix, "day": day}
    ).scalar_one()
    return sequence


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
    service = db.session.execute(_SERVICE, {"service_id": service_id}).first()
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
        service_id=service_id,
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
    return ticket
