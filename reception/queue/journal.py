"""Writing a ticket's state change: the event row and the note for the live screens."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    CTE,
    BindParameter,
    ColumnElement,
    Integer,
    Table,
    bindparam,
    insert,
    null,
    select,
)

from reception.db import pending
from reception.db.extensions import db
from reception.db.rows import constant, execute
from reception.models import Ticket, TicketEvent

# Built once: a statement made per call costs more Python than its execution.
_EVENTS = cast(Table, TicketEvent.__table__)
INSERT_EVENT = _EVENTS.insert()


def logged_with(
    written: CTE,
    *,
    action: str,
    from_state: str | None,
    to_state: ColumnElement[Any],
    desk_id: ColumnElement[Any] | None,
    at: BindParameter[Any],
    version: ColumnElement[int] | None = None,
) -> CTE:
    """PostgreSQL: the event row of a change that the data-modifying CTE `written` makes (it
    returns the ticket's `id`, `hall_id`, `service_id` and `leg`), as a CTE of its own, so the
    change and its event are one statement; `staff_id` is a parameter, and so is `version`
    unless the statement takes the hall's version itself (`locking.version_bump`)."""
    row = select(
        written.c.id,
        written.c.hall_id,
        bindparam("version", type_=Integer()) if version is None else version,
        constant(action),
        constant(from_state),
        to_state,
        written.c.service_id,
        desk_id if desk_id is not None else null(),
        bindparam("staff_id", type_=Integer()),
        written.c.leg,
        at,
        constant(""),
    )
    columns = ["ticket_id", "hall_id", "hall_version", "action", "from_state", "to_state"]
    columns += ["service_id", "desk_id", "staff_id", "leg", "at", "note"]
    return insert(_EVENTS).from_select(columns, row).cte("logged")


def record(
    ticket: Ticket,
    *,
    action: str,
    from_state: str | None,
    version: int,
    now: datetime,
    staff_id: int | None,
    note: str = "",
    extra_service_ids: tuple[int, ...] = (),
    extra_desk_ids: tuple[int, ...] = (),
    logged: bool = False,
    waiting: tuple[tuple[int, int], ...] | None = None,
) -> None:
    """Append one event for `ticket`'s change and queue its publication after commit
    (`logged`: the statement that made the change wrote the event row already; `waiting`: it
    read the line's counts too, see `pending.Change`)."""
    if ticket.updated_at != now:
        ticket.updated_at = now
    if not logged:
        # One Core INSERT on the transaction's connection: the event log is append-only and nothing
        # in the transaction needs the row as an object, so it skips the unit of work and the
        # autoflush (the ticket's own change is written at the next flush or the commit).
        execute(
            db.session.connection(),
            INSERT_EVENT,
            {
                "ticket_id": ticket.id,
                "hall_id": ticket.hall_id,
                "hall_version": version,
                "action": action,
                "from_state": from_state,
                "to_state": ticket.state,
                "service_id": ticket.service_id,
                "desk_id": ticket.desk_id,
                "staff_id": staff_id,
                "leg": ticket.leg,
                "at": now,
                "note": note,
            },
        )
    if "events" in ticket.__dict__:  # a loaded list of the ticket's events now lacks this one
        db.session.expire(ticket, ["events"])
    desk_ids = tuple(d for d in (ticket.desk_id, ticket.target_desk_id) if d) + extra_desk_ids
    pending.hold(db.session(), ticket)
    pending.note(
        db.session(),
        pending.Change(
            hall_id=ticket.hall_id,
            version=version,
            ticket_id=ticket.id,
            action=action,
            service_ids=(ticket.service_id, *extra_service_ids),
            desk_ids=desk_ids,
            waiting=waiting,
        ),
    )
