"""Issuing tickets: daily numbering per prefix in the hall's time zone, and the secret token."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    CTE,
    ColumnElement,
    Date,
    Executable,
    Integer,
    String,
    Table,
    bindparam,
    func,
    insert,
    select,
    true,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import ReturningInsert

from reception.core.clock import hall_day
from reception.core.errors import InvalidInput, NotFound
from reception.core.messages import N_
from reception.db.extensions import db
from reception.db.rows import attach, constant, execute
from reception.models import DailyCounter, Hall, Priority, QueueCount, Service, Ticket, TicketState
from reception.models.types import utcnow
from reception.queue import hours
from reception.queue.journal import logged_with, record
from reception.queue.locking import enter_writer, lock_hall_counting, version_bump

TOKEN_BYTES = 24  # 192 bits: unguessable, and short enough for a small QR code


@cache
def _advance_counter(dialect: str) -> Executable:
    """The day's counter for the service's prefix, advanced in one statement built once:
    INSERT … SELECT from the service (only an active one of the hall) ON CONFLICT DO UPDATE
    … RETURNING the new number and the prefix. No row back: no such active service."""
    return _counter_upsert(dialect)


def _counter_upsert(dialect: str, *conditions: ColumnElement[bool]) -> ReturningInsert[Any]:
    """`_advance_counter`'s statement, advancing only when `conditions` hold too."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = cast(Table, DailyCounter.__table__)
    services = cast(Table, Service.__table__)
    source = select(
        services.c.hall_id,
        services.c.prefix,
        bindparam("day", type_=Date()),
        constant(1),
    ).where(
        services.c.id == bindparam("service_id"),
        services.c.hall_id == bindparam("hall_id"),
        services.c.active.is_(True),
        *conditions,
    )
    return (
        insert(table)
        .from_select(["hall_id", "prefix", "service_day", "last_seq"], source)
        .on_conflict_do_update(
            index_elements=[table.c.hall_id, table.c.prefix, table.c.service_day],
            set_={"last_seq": table.c.last_seq + constant(1)},
        )
        .returning(table.c.last_seq, table.c.prefix)
    )


_SERVICE = select(Service.hall_id, Service.active).where(Service.id == bindparam("service_id"))
_TICKETS = cast(Table, Ticket.__table__)
_INSERT_TICKET = _TICKETS.insert()
# What every new ticket starts with, whatever its service, channel or time: written into the
# one-statement issue as constants (`rows.constant`), not bound. A bound value is processed,
# dumped and sent on every execution; half of a ticket's columns never change.
_FRESH: dict[str, Any] = {
    "number": None,
    "target_desk_id": None,
    "desk_id": None,
    "state": TicketState.WAITING.value,
    "case_id": None,
    "remote_unit_id": None,
    "leg": 1,
    "recall_count": 0,
    "outcome": "",
    "called_at": None,
    "notify": False,  # set by the registrar or the booking's check-in, after the issue
}
# A new ticket is issued, joins its line and is last changed at the same moment: one parameter.
_AT_ISSUE = ("issued_at", "line_at", "updated_at")
_PRIORITIES = frozenset(p.value for p in Priority)
_VALUES = (
    "hall_id",
    "service_day",
    "number",
    "token",
    "service_id",
    "target_desk_id",
    "desk_id",
    "state",
    "priority",
    "channel",
    "case_id",
    "remote_unit_id",
    "leg",
    "recall_count",
    "outcome",
    "issued_at",
    "line_at",
    "called_at",
    "updated_at",
    "notify",
)


@cache
def _issue_and_log() -> Executable:
    """PostgreSQL: the ticket's INSERT and its `issue` event in one statement (the INSERT as a
    data-modifying CTE the event's INSERT reads): one round trip fewer inside the hall lock.
    Parameters: the ticket's columns, `version` and `staff_id`."""
    issued = (
        insert(_TICKETS)
        .values({name: bindparam(name, type_=_TICKETS.c[name].type) for name in _VALUES})
        .returning(_TICKETS.c.id, _TICKETS.c.hall_id, _TICKETS.c.service_id, _TICKETS.c.leg)
        .cte("issued")
    )
    return select(issued.c.id).add_cte(_issue_logged(issued))


def _issue_logged(issued: CTE, version: ColumnElement[int] | None = None) -> CTE:
    """The `issue` event row of the ticket the data-modifying CTE `issued` inserts."""
    return logged_with(
        issued,
        action="issue",
        from_state=None,
        to_state=constant(TicketState.WAITING.value),
        desk_id=None,
        at=bindparam("issued_at", type_=_TICKETS.c.issued_at.type),
        version=version,
    )


@cache
def _issue_in_one() -> Executable:
    """PostgreSQL: the whole issue in one statement, so that the hall lock is held across one
    round trip and the commit: the hall's version bumped (the lock), the day's counter
    advanced, the ticket inserted with its number, its `issue` event, and the service's
    waiting count (the snapshot's, plus this ticket). Nothing but the bump is written when the
    snapshot is not the hall as the lock found it (`fresh` false; see `version_bump`) or the
    service is not an active one of the hall: no ticket `id` back, the caller takes it from
    there. Parameters: the ticket's columns but its number and those every new ticket starts
    with (`_FRESH`; `issued_at` stands for its line and update times too, `day` for its
    `service_day`), `day` and `staff_id`."""
    locked, fresh = version_bump(bindparam("hall_id", type_=Integer()))
    counter = _counter_upsert("postgresql", fresh).cte("counter")
    sequence = sql_cast(counter.c.last_seq, String())
    number = counter.c.prefix + func.lpad(
        sequence, func.greatest(constant(3), func.length(sequence)), constant("0")
    )
    issued_at = bindparam("issued_at", type_=_TICKETS.c.issued_at.type)

    def value(name: str) -> ColumnElement[Any]:
        if name == "number":
            return number
        if name == "service_day":  # the day the counter advanced for
            return bindparam("day", type_=Date())
        if name in _AT_ISSUE:
            return issued_at
        if name in _FRESH:
            return constant(_FRESH[name])
        return bindparam(name, type_=_TICKETS.c[name].type)

    columns = [value(name) for name in _VALUES]
    issued = (
        insert(_TICKETS)
        .from_select(list(_VALUES), select(*columns).select_from(counter))
        .returning(*(_TICKETS.c[name] for name in ("id", "hall_id", "service_id", "leg", "number")))
        .cte("issued")
    )
    logged = _issue_logged(issued, select(locked.c.version).scalar_subquery())
    counts = cast(Table, QueueCount.__table__)
    waiting = select(counts.c.waiting).where(
        counts.c.hall_id == bindparam("hall_id"),
        counts.c.service_day == bindparam("day", type_=Date()),
        counts.c.service_id == bindparam("service_id"),
    )
    return (
        select(
            locked.c.version,
            fresh.label("fresh"),
            issued.c.id,
            issued.c.number,
            (func.coalesce(waiting.scalar_subquery(), constant(0)) + constant(1)).label("waiting"),
        )
        .select_from(locked.outerjoin(issued, true()))
        .add_cte(logged)
    )


def next_number(hall_id: int, service_id: int, day: date) -> tuple[int, str]:
    """Advance the service's counter for (hall, prefix, day) and return (sequence, prefix);
    the caller holds the hall lock. A service that is unknown, another hall's or inactive is
    refused (and the counter left alone)."""
    connection = db.session.connection()
    stmt = _advance_counter(connection.dialect.name)
    params = {"hall_id": hall_id, "service_id": service_id, "day": day}
    row = execute(connection, stmt, params).first()
    if row is not None:
        return row.last_seq, row.prefix
    service = connection.execute(_SERVICE, {"service_id": service_id}).first()
    if service is None or service.hall_id != hall_id:
        raise NotFound(N_("No such service."))
    raise InvalidInput(N_("This service is not taking visitors now."))


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
    if priority not in _PRIORITIES:
        raise InvalidInput(N_("Unknown priority."))
    hall = db.session.get(Hall, hall_id)  # the request's hall is already in the session
    if hall is None:
        raise NotFound(N_("No such hall."))
    # The hours and the day need nothing the lock protects: decided before taking it.
    if hall.opening_hours and not outside_hours:
        hours.check_open(hall, now)
    values = _new_ticket(hall_id, service_id, hall_day(hall.timezone, now), priority, channel, now)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        enter_writer()
        params = {**values, "day": values["service_day"], "staff_id": staff_id}
        row = execute(connection, _issue_in_one(), params).first()
        if row is None:
            raise NotFound(N_("No such hall."))
        if row.id is not None:
            values.update(id=row.id, number=row.number)
            return _issued(values, row.version, staff_id, logged=True, waiting=row.waiting)
        # the lock is ours: the steps one statement each, as on SQLite
        return _issue_step_by_step(values, row.version, staff_id)
    # SQLite: the lock reads the line's count; this ticket is the one change after it
    version, counts = lock_hall_counting(hall_id, values["service_day"], (service_id,))
    return _issue_step_by_step(values, version, staff_id, waiting=counts[service_id] + 1)


def _new_ticket(
    hall_id: int, service_id: int, day: date, priority: int, channel: str, now: datetime
) -> dict[str, Any]:
    """A new waiting ticket's columns, all but its `id` and `number`."""
    values: dict[str, Any] = {
        **_FRESH,
        "hall_id": hall_id,
        "service_day": day,
        "token": secrets.token_urlsafe(TOKEN_BYTES),
        "service_id": service_id,
        "priority": int(priority),
        "channel": channel,
    }
    values.update(dict.fromkeys(_AT_ISSUE, now))
    return values


def _issue_step_by_step(
    values: dict[str, Any], version: int, staff_id: int | None, *, waiting: int | None = None
) -> Ticket:
    """The counter, then the ticket (with its event on PostgreSQL), under the hall lock
    (`waiting`: the line's count with this ticket, when the lock read it)."""
    sequence, prefix = next_number(values["hall_id"], values["service_id"], values["service_day"])
    values["number"] = format_number(prefix, sequence)
    connection = db.session.connection()
    logged = connection.dialect.name == "postgresql"
    if logged:  # the event row written by the same statement
        params = {**values, "version": version, "staff_id": staff_id}
        values["id"] = execute(connection, _issue_and_log(), params).scalar_one()
    else:
        key = execute(connection, _INSERT_TICKET, values).inserted_primary_key
        assert key is not None
        values["id"] = key[0]
    return _issued(values, version, staff_id, logged=logged, waiting=waiting)


def _issued(
    values: dict[str, Any],
    version: int,
    staff_id: int | None,
    *,
    logged: bool,
    waiting: int | None = None,
) -> Ticket:
    """The ticket a Core INSERT stored, attached as stored (no unit-of-work flush), with its
    event noted for the screens (`waiting`: its line's count, read by the same statement)."""
    ticket = attach(Ticket, values)
    record(
        ticket,
        action="issue",
        from_state=None,
        version=version,
        now=values["issued_at"],
        staff_id=staff_id,
        logged=logged,
        waiting=((ticket.service_id, waiting),) if waiting is not None else None,
    )
    return ticket
