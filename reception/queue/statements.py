"""The statements a call is made of, built once per shape and compiled once: the speed work
behind `calling.call_next`, measured by `bench/api_bench.py`.

A call on SQLite is one UPDATE … RETURNING after the hall lock; on PostgreSQL the lock, the
call, its event row and the line's count are one statement (`call_in_one`), so the hall is
held across one round trip and the commit. Values that would make SQLAlchemy render the
statement's text anew on every execution (lists, expanding parameters) are written into the
statement as constants (`rows.constant`) or as one parameter each.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    CTE,
    ColumnElement,
    Executable,
    Integer,
    Select,
    Table,
    and_,
    bindparam,
    func,
    null,
    or_,
    select,
    true,
    union_all,
    update,
)

from reception.db.rows import constant, first_only
from reception.models import ACTIVE_STATES, Case, Desk, QueueCount, Ticket
from reception.models.types import UTCDateTime
from reception.queue.journal import logged_with
from reception.queue.locking import version_bump
from reception.queue.rules import S


def with_a_visitor(state: ColumnElement[str]) -> ColumnElement[bool]:
    """`state IN ('called', 'serving')` written into the statement (`rows.constant`): a list of
    values would be an expanding parameter, which SQLAlchemy renders into the statement's text
    anew on every execution (a regular-expression pass over the whole of call-next's SQL)."""
    return state.in_([constant(s.value) for s in ACTIVE_STATES])


_TICKETS = cast(Table, Ticket.__table__)
TICKET_COLUMNS = tuple(_TICKETS.c.keys())
_DESKS = cast(Table, Desk.__table__)
# The desk as it is now, under the lock: open, paused, and the visitor it still has, if any.
DESK_NOW = select(
    _DESKS.c.open,
    _DESKS.c.pause_reason,
    select(_TICKETS.c.number)
    .where(_TICKETS.c.desk_id == _DESKS.c.id, with_a_visitor(_TICKETS.c.state))
    .limit(1)
    .scalar_subquery()
    .label("busy_with"),
).where(_DESKS.c.id == bindparam("desk_id"))


def first_in_line(condition: ColumnElement[bool], acting: int) -> Select[int, int, datetime]:
    """The first of today's waiting tickets that meet `condition`, in calling order, as a
    subquery of one row: the line's index (by day, service, priority, place) gives it in order,
    so the database reads up to the first ticket the desk may take and no further. `acting`:
    how many departments act (`acting_0`, …; the desk's and the caller's, so at most two), one
    parameter each: a list would be an expanding parameter, rendered into the statement's text
    anew on every execution."""
    conditions = [
        Ticket.hall_id == bindparam("calling_hall"),
        Ticket.service_day == bindparam("day"),
        Ticket.state == constant(S.WAITING.value),
        condition,
    ]
    if acting:
        accused = [bindparam(f"acting_{n}", type_=Integer()) for n in range(acting)]
        accuses_them = (
            select(Case.id)
            .where(
                Case.id == Ticket.case_id, Case.accusation.is_(True), Case.accused_id.in_(accused)
            )
            .exists()
        )
        conditions.append(or_(Ticket.case_id.is_(None), ~accuses_them))
    return first_only(
        select(Ticket.id, Ticket.priority, Ticket.line_at)
        .where(*conditions)
        .order_by(Ticket.priority.desc(), Ticket.line_at, Ticket.id)
    ).with_for_update(skip_locked=True)


@cache
def call_first(acting: int, services: int) -> Executable:
    """UPDATE … RETURNING that calls a desk's first waiting ticket of the day in calling
    order: built (and compiled) once per shape (how many departments act, for the accusation
    rule; how many services the desk serves) for every desk; the desk, its services
    (`service_0`, …) and the acting departments (`acting_0`, …) are parameters.

    The first in line is the best of the first ticket sent to the desk by name and the first of
    each of its services: each of those is one step down the line's index, where one condition
    over all of them (services OR named desk) made the database read and sort every waiting
    ticket of the hall on every call."""
    branches = [first_in_line(Ticket.target_desk_id == bindparam("calling_desk"), acting)]
    branches += [
        first_in_line(
            and_(Ticket.service_id == bindparam(f"service_{n}"), Ticket.target_desk_id.is_(None)),
            acting,
        )
        for n in range(services)
    ]
    candidates = union_all(*(select(branch.subquery()) for branch in branches)).subquery()
    first = first_only(
        select(candidates.c.id).order_by(
            candidates.c.priority.desc(), candidates.c.line_at, candidates.c.id
        )
    ).scalar_subquery()
    # The desk takes calls (open, not paused, nobody still with it) in the same statement: the
    # usual call is one round trip under the lock; no row back sends `call_next` to ask why.
    busy = _TICKETS.alias("busy")
    desk_ready = (
        select(_DESKS.c.id)
        .where(
            _DESKS.c.id == bindparam("calling_desk"),
            _DESKS.c.open.is_(True),
            _DESKS.c.pause_reason.is_(None),
            ~select(busy.c.id)
            .where(busy.c.desk_id == bindparam("calling_desk"), with_a_visitor(busy.c.state))
            .exists(),
        )
        .exists()
    )
    return (
        update(_TICKETS)
        .where(_TICKETS.c.id == first, _TICKETS.c.state == constant(S.WAITING.value), desk_ready)
        .values(
            state=constant(S.CALLED.value),
            desk_id=bindparam("calling_desk"),
            target_desk_id=null(),
            called_at=bindparam("now"),
            recall_count=constant(0),
            updated_at=bindparam("now"),
        )
        .returning(*_TICKETS.c)
    )


@cache
def call_and_log(acting: int, services: int) -> Executable:
    """PostgreSQL: `call_first` and the call's event row in one statement (the UPDATE as a
    data-modifying CTE that the event's INSERT reads): one round trip fewer inside the hall
    lock. The event carries the hall version (`version`) and the caller (`staff_id`)."""
    called = cast(Any, call_first(acting, services)).cte("called")
    return select(*called.c).add_cte(call_logged(called))


def call_logged(called: CTE, version: ColumnElement[int] | None = None) -> CTE:
    """The event row of the call the data-modifying CTE `called` makes (see `logged_with`)."""
    return logged_with(
        called,
        action="call",
        from_state=S.WAITING.value,
        to_state=called.c.state,
        desk_id=called.c.desk_id,
        at=bindparam("now", type_=UTCDateTime()),
        version=version,
    )


@cache
def call_in_one(acting: int, services: int) -> Executable:
    """PostgreSQL: the whole call in one statement, so that the hall lock is held across one
    round trip and the commit: the hall's version bumped (the lock), `call_first`, the call's
    event, and the waiting count of the called ticket's service (the snapshot's, less this
    ticket). The call is made only when the snapshot is the hall as the lock found it
    (`fresh_lock`; see `locking.version_bump`): otherwise only the version moved, and the
    caller calls again in statements of their own, under the lock it now holds."""
    locked, fresh = version_bump(bindparam("calling_hall", type_=Integer()))
    called = cast(Any, call_first(acting, services)).where(fresh).cte("called")
    logged = call_logged(called, select(locked.c.version).scalar_subquery())
    counts = cast(Table, QueueCount.__table__)
    waiting = (
        select(counts.c.waiting)
        .where(
            counts.c.hall_id == called.c.hall_id,
            counts.c.service_day == called.c.service_day,
            counts.c.service_id == called.c.service_id,
        )
        .scalar_subquery()
    )
    return (
        select(
            locked.c.version.label("hall_version"),
            fresh.label("fresh_lock"),
            func.greatest(func.coalesce(waiting, constant(1)) - constant(1), constant(0)).label(
                "line_waiting"
            ),
            *called.c,
        )
        .select_from(locked.outerjoin(called, true()))
        .add_cte(logged)
    )
