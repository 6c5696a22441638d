"""Writing a ticket's state change: the event row and the note for the live screens."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table

from ..extensions import db
from ..models import Ticket, TicketEvent
from . import outbox

# Built once: a statement made per call costs more Python than its execution.
INSERT_EVENT = cast(Table, TicketEvent.__table__).insert()


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
) -> None:
    """Append one event for `ticket`'s change and queue its publication after commit
    (`logged`: the statement that made the change wrote the event row already)."""
    if ticket.updated_at != now:
        ticket.updated_at = now
    if not logged:
        _insert_event(ticket, action, from_state, version, now, staff_id, note)
    if "events" in ticket.__dict__:  # a loaded list of the ticket's events now lacks this one
        db.session.expire(ticket, ["events"])
    desk_ids = tuple(d for d in (ticket.desk_id, ticket.target_desk_id) if d) + extra_desk_ids
    outbox.hold(db.session(), ticket)
    outbox.note(
        db.session(),
        outbox.Change(
            hall_id=ticket.hall_id,
            version=version,
            ticket_id=ticket.id,
            action=action,
            service_ids=(ticket.service_id, *extra_service_ids),
            desk_ids=desk_ids,
        ),
    )


def _insert_event(
    ticket: Ticket,
    action: str,
    from_state: str | None,
    version: int,
    now: datetime,
    staff_id: int | None,
    note: str,
) -> None:
    # One Core INSERT on the transaction's connection: the event log is append-only and nothing
    # in the transaction needs the row as an object, so it skips the unit of work and the
    # autoflush (the ticket's own change is written at the next flush or the commit).
    db.session.connection().execute(
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
