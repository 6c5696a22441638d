"""A visit's planned legs: the desks the registrar chose, still to come, in order."""

from __future__ import annotations

from sqlalchemy import select

from reception.db.extensions import db
from reception.models import JourneyStop, Ticket, TicketEvent


def pending_stops(ticket_id: int) -> list[JourneyStop]:
    return list(
        db.session.scalars(
            select(JourneyStop)
            .where(JourneyStop.ticket_id == ticket_id, JourneyStop.done.is_(False))
            .order_by(JourneyStop.position)
        )
    )


def handover_notes(tickets: list[Ticket]) -> dict[int, str]:
    """The latest handover note of each transferred ticket, in one query (a waiting list)."""
    ids = [ticket.id for ticket in tickets if ticket.leg > 1]
    if not ids:
        return {}
    rows = db.session.execute(
        select(TicketEvent.ticket_id, TicketEvent.note)
        .where(TicketEvent.ticket_id.in_(ids), TicketEvent.action == "transfer")
        .order_by(TicketEvent.id)
    )
    return {ticket_id: note for ticket_id, note in rows if note}


def handover_note(ticket: Ticket) -> str:
    """What the previous desk wrote for this one when it sent the visitor on ('' if nothing)."""
    if ticket.leg < 2:
        return ""
    note = db.session.scalars(
        select(TicketEvent.note)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.action == "transfer")
        .order_by(TicketEvent.id.desc())
        .limit(1)
    ).first()
    return note or ""
