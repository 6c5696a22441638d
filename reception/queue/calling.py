"""Calling visitors to a desk: next in line, a chosen ticket, and recalls."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Row,
    Select,
    and_,
    or_,
    select,
)

from reception.core.clock import hall_day
from reception.core.errors import IllegalMove, NotFound
from reception.core.messages import N_
from reception.db import pending, rows
from reception.db.extensions import db
from reception.db.transaction import after_commit
from reception.models import ACTIVE_STATES, Case, Desk, Hall, Ticket
from reception.models.types import utcnow
from reception.queue import nearing, statements
from reception.queue.journal import record
from reception.queue.locking import enter_writer, lock_hall_counting
from reception.queue.rules import (
    S,
    check_not_accused,
    departments_of,
    desk_service_ids,
    load_desk,
    locked_ticket,
)


def callable_by(desk: Desk, staff_id: int | None = None) -> ColumnElement[bool]:
    """The condition for tickets this desk may call: its services, or sent to it by name;
    never an accusation against the desk's or the caller's department (Art. 30)."""
    acting = tuple(sorted(departments_of(desk.id, staff_id)))
    return _callable(desk.id, desk_service_ids(desk), acting, accusations=bool(acting))


def _callable(
    desk_id: int | BindParameter[int],
    service_ids: tuple[int, ...] | BindParameter[list[int]],
    acting: tuple[int, ...] | BindParameter[list[int]],
    *,
    accusations: bool,
) -> ColumnElement[bool]:
    """`callable_by` from values, or from bind parameters (one statement for every desk)."""
    for_this_desk = or_(
        and_(Ticket.service_id.in_(service_ids), Ticket.target_desk_id.is_(None)),
        Ticket.target_desk_id == desk_id,
    )
    if not accusations:  # hall staff at a shared desk: no accusation is against them
        return for_this_desk
    accuses_them = (
        select(Case.id)
        .where(
            Case.id == Ticket.case_id,
            Case.accusation.is_(True),
            Case.accused_id.in_(acting),
        )
        .exists()
    )
    return and_(for_this_desk, or_(Ticket.case_id.is_(None), ~accuses_them))


def waiting_in_order(desk: Desk, day: date, staff_id: int | None = None) -> Select[Ticket]:
    """Today's tickets this desk (and the staff member at it) may call, in calling order:
    priority, then place in line."""
    return (
        select(Ticket)
        .where(
            Ticket.hall_id == desk.hall_id,
            Ticket.service_day == day,
            Ticket.state == S.WAITING.value,
            callable_by(desk, staff_id),
        )
        .order_by(Ticket.priority.desc(), Ticket.line_at, Ticket.id)
    )


def at_desk(desk: Desk, day: date) -> Ticket | None:
    """The ticket the desk has called or is serving, if any."""
    return db.session.scalars(
        select(Ticket).where(
            Ticket.desk_id == desk.id,
            Ticket.service_day == day,
            Ticket.state.in_(ACTIVE_STATES),
        )
    ).first()


def _mark_called(
    ticket: Ticket, desk: Desk, version: int, now: datetime, staff_id: int | None
) -> Ticket:
    ticket.state = S.CALLED.value
    ticket.desk_id = desk.id
    ticket.target_desk_id = None
    ticket.called_at = now
    ticket.recall_count = 0
    record(ticket, action="call", from_state=S.WAITING, version=version, now=now, staff_id=staff_id)
    pending.hold(db.session(), desk)  # the call's announcement names the desk
    after_commit(db.session(), partial(nearing.line_moved, ticket.service_id))
    db.session.flush()
    return ticket


def _check_taking_calls(desk: Desk) -> None:
    """Refuse a call at a desk that is closed, paused or still with a visitor, as the desk is
    now (under the lock): why call-next called nobody, or why a chosen ticket is not called."""
    state = rows.execute(db.session.connection(), statements.DESK_NOW, {"desk_id": desk.id}).one()
    if not state.open:
        raise IllegalMove(N_("Desk %(desk)s is closed."), desk=desk.number)
    if state.pause_reason is not None:
        raise IllegalMove(N_("Desk %(desk)s is paused: resume it to call."), desk=desk.number)
    if state.busy_with is not None:
        raise IllegalMove(
            N_("Desk %(desk)s is still with ticket %(number)s: finish it first."),
            desk=desk.number,
            number=state.busy_with,
        )


def call_next(
    desk_id: int, *, staff_id: int | None = None, now: datetime | None = None
) -> Ticket | None:
    """Call the first waiting ticket the desk may serve; None when nobody is waiting.

    What the desk may call (its services, the accusation rule) and the hall's day are set-up,
    read before the lock; under it, one UPDATE … RETURNING checks that the desk takes calls and
    picks and calls the first ticket in order (when it calls nobody, one more query says why)."""
    now = now or utcnow()
    desk = load_desk(desk_id)
    hall = rows.get(Hall, desk.hall_id)
    assert hall is not None
    service_ids = desk_service_ids(desk)
    acting = sorted(departments_of(desk.id, staff_id, desk_services=service_ids))
    params: dict[str, Any] = {
        "calling_hall": desk.hall_id,
        "calling_desk": desk.id,
        "day": hall_day(hall.timezone, now),
        "now": now,
        "staff_id": staff_id,
    }
    params.update((f"service_{n}", service_id) for n, service_id in enumerate(service_ids))
    params.update((f"acting_{n}", department) for n, department in enumerate(acting))
    shape = (len(acting), len(service_ids))
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        return _call_next_on_postgresql(desk, shape, params, now, staff_id)
    # SQLite: the lock reads the line's counts; the call is the one change after it
    version, before = lock_hall_counting(desk.hall_id, params["day"], service_ids)
    row = rows.execute(connection, statements.call_first(*shape), params).first()
    return _took(desk, row, version, now, staff_id, logged=False, before=before)


def _call_next_on_postgresql(
    desk: Desk, shape: tuple[int, int], params: dict[str, Any], now: datetime, staff_id: int | None
) -> Ticket | None:
    enter_writer()
    connection = db.session.connection()
    row = rows.execute(connection, statements.call_in_one(*shape), params).first()
    if row is None:
        raise NotFound(N_("No such hall."))
    version = row.hall_version
    if row.id is not None:
        ticket = rows.attach(
            Ticket, {name: row._mapping[name] for name in statements.TICKET_COLUMNS}
        )
        waiting = ((ticket.service_id, row.line_waiting),)
        return _called(desk, ticket, version, now, staff_id, logged=True, waiting=waiting)
    if row.fresh_lock:  # nobody to call
        return _took(desk, None, version, now, staff_id, logged=True)
    # another process wrote the hall first; the lock is ours now: call again, a fresh statement
    again = rows.execute(
        connection, statements.call_and_log(*shape), {**params, "version": version}
    )
    return _took(desk, again.first(), version, now, staff_id, logged=True)


def _took(
    desk: Desk,
    row: Row[Any] | None,
    version: int,
    now: datetime,
    staff_id: int | None,
    *,
    logged: bool,
    before: dict[int, int] | None = None,
) -> Ticket | None:
    """The ticket a call statement returned, called; none: why the desk called nobody is
    raised (`before`: the line's counts as the lock found them, before this call)."""
    if row is None:
        _check_taking_calls(desk)
        return None
    ticket = rows.attach(Ticket, row)
    left = (before or {}).get(ticket.service_id)
    waiting = ((ticket.service_id, max(left - 1, 0)),) if left is not None else None
    return _called(desk, ticket, version, now, staff_id, logged=logged, waiting=waiting)


def _called(
    desk: Desk,
    ticket: Ticket,
    version: int,
    now: datetime,
    staff_id: int | None,
    *,
    logged: bool,
    waiting: tuple[tuple[int, int], ...] | None = None,
) -> Ticket:
    record(
        ticket,
        action="call",
        from_state=S.WAITING,
        version=version,
        now=now,
        staff_id=staff_id,
        logged=logged,
        waiting=waiting,
    )
    pending.hold(db.session(), desk)  # the call's announcement names the desk
    after_commit(db.session(), partial(nearing.line_moved, ticket.service_id))
    return ticket


def call_ticket(
    desk_id: int, ticket_id: int, *, staff_id: int | None = None, now: datetime | None = None
) -> Ticket:
    """Call one chosen waiting ticket to the desk, out of turn."""
    now = now or utcnow()
    load_desk(desk_id)  # an unknown desk is refused before the hall is locked
    ticket, version = locked_ticket(ticket_id, "call", None, staff_id)
    desk = db.session.get(Desk, desk_id, populate_existing=True)
    assert desk is not None
    check_not_accused(ticket, desk.id, staff_id)
    if ticket.hall_id != desk.hall_id:
        raise NotFound(N_("No such ticket."))
    _check_taking_calls(desk)
    if ticket.target_desk_id not in (None, desk.id) or (
        ticket.target_desk_id is None and ticket.service_id not in {s.id for s in desk.services}
    ):
        raise IllegalMove(N_("Ticket %(number)s is not for this desk."), number=ticket.number)
    return _mark_called(ticket, desk, version, now, staff_id)


def recall(
    ticket_id: int,
    *,
    desk_id: int | None = None,
    max_recalls: int = 3,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Call the same ticket again; refused past `max_recalls` (mark it a no-show instead)."""
    now = now or utcnow()
    ticket, version = locked_ticket(ticket_id, "recall", desk_id, staff_id)
    if ticket.recall_count >= max_recalls:
        raise IllegalMove(
            N_("Ticket %(number)s was recalled %(count)s times; mark it a no-show."),
            number=ticket.number,
            count=ticket.recall_count,
        )
    ticket.recall_count += 1
    record(
        ticket,
        action="recall",
        from_state=S.CALLED,
        version=version,
        now=now,
        staff_id=staff_id,
        note=str(ticket.recall_count),
    )
    db.session.flush()
    return ticket
