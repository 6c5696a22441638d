"""Writing a ticket's state change: the event row and the note for the live screens."""

from __future__ import annotations

from datetime import datetime

from ..extensions import db
from ..models import Ticket, TicketEvent
from . import outbox


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
) -> TicketEvent:
    """Append one event for `ticket`'s change and queue its publication after commit."""
    event = TicketEvent(
        ticket_id=ticket.id,
        hall_id=ticket.hall_id,
        hall_version=version,
        action=action,
        from_state=from_state,
        to_state=ticket.state,
        service_id=ticket.service_id,
        desk_id=ticket.desk_id,
        staff_id=staff_id,
        leg=ticket.leg,
        at=now,
        note=note,
    )
    db.session.add(event)
    ticket.updated_at = now
    desk_ids = tuple(d for d in (ticket.desk_id, ticket.target_desk_id) if d) + extra_desk_ids
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
    return event
