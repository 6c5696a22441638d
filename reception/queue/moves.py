"""The ticket state machine: call, recall, start, finish, no-show, hold, transfer, cancel.

Every move takes the hall lock first, then reads the ticket fresh, checks the move is legal
from its state and for the acting desk, changes it, and appends one event. A refused move
raises before anything is written.
"""

from __future__ import annotations

from datetime import datetime

from reception.core import signals
from reception.core.errors import IllegalMove, InvalidInput, NotFound, bounded
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import Desk, Service, Ticket, TicketState
from reception.models.types import utcnow
from reception.queue.calling import call_next, call_ticket, callable_by, recall
from reception.queue.journal import record
from reception.queue.journey import pending_stops
from reception.queue.rules import S, accused_of, locked_ticket

__all__ = [
    "call_next",
    "call_ticket",
    "callable_by",
    "cancel",
    "finish",
    "hold",
    "no_show",
    "recall",
    "resume",
    "return_to_queue",
    "start",
    "transfer",
]


def _simple_move(
    ticket_id: int,
    action: str,
    to_state: TicketState,
    *,
    desk_id: int | None,
    staff_id: int | None,
    now: datetime | None,
    note: str = "",
    locked: tuple[Ticket, int] | None = None,
) -> Ticket:
    now = now or utcnow()
    ticket, hall_version = locked or locked_ticket(ticket_id, action, desk_id, staff_id)
    from_state = ticket.state
    old_desk = ticket.desk_id
    ticket.state = to_state.value
    if action in ("no_show", "cancel"):
        ticket.desk_id = None
        ticket.target_desk_id = None
    elif action == "hold":
        # Parked at this desk: on resume it goes back into line for the same desk.
        ticket.desk_id = None
        ticket.target_desk_id = old_desk
    elif action == "return":
        # A visitor who missed the call rejoins at the back of the line.
        ticket.line_at = now
        ticket.recall_count = 0
    record(
        ticket,
        action=action,
        from_state=from_state,
        version=hall_version,
        now=now,
        staff_id=staff_id,
        note=note,
        extra_desk_ids=(old_desk,) if old_desk and old_desk != ticket.desk_id else (),
    )
    db.session.flush()
    return ticket


def start(
    ticket_id: int,
    *,
    desk_id: int | None = None,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """The visitor has come to the desk: service begins."""
    return _simple_move(ticket_id, "start", S.SERVING, desk_id=desk_id, staff_id=staff_id, now=now)


def finish(
    ticket_id: int,
    outcome: str,
    *,
    desk_id: int | None = None,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Service ends with an outcome note; a planned journey goes on to its next desk."""
    outcome = (outcome or "").strip()
    if not outcome:
        raise InvalidInput(N_("Write the outcome before finishing."))
    if len(outcome) > 2000:
        raise InvalidInput(N_("The outcome is too long (2000 characters at most)."))
    now = now or utcnow()
    ticket, version = locked_ticket(ticket_id, "finish", desk_id, staff_id)
    _noted(ticket, "outcome", outcome, staff_id, now)
    ticket.outcome = outcome
    stops = pending_stops(ticket.id)
    if not stops:
        return _simple_move(
            ticket_id,
            "finish",
            S.FINISHED,
            desk_id=desk_id,
            staff_id=staff_id,
            now=now,
            note=outcome,
            locked=(ticket, version),
        )
    # the registrar planned more desks: the visitor goes on, keeping the place in line
    stops[0].done = True
    return _next_leg(ticket, version, stops[0].service_id, None, outcome, staff_id, now)


def _next_leg(
    ticket: Ticket,
    version: int,
    service_id: int,
    target_desk_id: int | None,
    note: str,
    staff_id: int | None,
    now: datetime,
) -> Ticket:
    """Pass the visitor on as the ticket's next leg (a transfer, or the next desk the registrar
    planned), keeping the place in line: waiting for `service_id` (at `target_desk_id` only,
    when named), recalls counted afresh. The log records it as a `transfer`."""
    from_state, old_desk, old_service = ticket.state, ticket.desk_id, ticket.service_id
    ticket.state = S.WAITING.value
    ticket.service_id = service_id
    ticket.desk_id = None
    ticket.target_desk_id = target_desk_id
    ticket.leg += 1
    ticket.recall_count = 0
    record(
        ticket,
        action="transfer",
        from_state=from_state,
        version=version,
        now=now,
        staff_id=staff_id,
        note=note,
        extra_service_ids=(old_service,),
        extra_desk_ids=(old_desk,) if old_desk else (),
    )
    db.session.flush()
    return ticket


def _noted(ticket: Ticket, kind: str, text: str, staff_id: int | None, now: datetime) -> None:
    """Words the desk wrote as a leg ends: for whoever keeps a record (`signals.leg_noted`)."""
    if text:
        signals.leg_noted.send(
            ticket,
            kind=kind,
            text=text,
            service_id=ticket.service_id,
            desk_id=ticket.desk_id,
            staff_id=staff_id,
            now=now,
        )


def no_show(
    ticket_id: int,
    *,
    desk_id: int | None = None,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    return _simple_move(
        ticket_id, "no_show", S.NO_SHOW, desk_id=desk_id, staff_id=staff_id, now=now
    )


def return_to_queue(
    ticket_id: int,
    *,
    desk_id: int | None = None,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """A no-show who turns up again waits once more, at the back of the line."""
    return _simple_move(ticket_id, "return", S.WAITING, desk_id=desk_id, staff_id=staff_id, now=now)


def hold(
    ticket_id: int,
    note: str = "",
    *,
    desk_id: int | None = None,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Park the visitor (gone to fetch a paper); the ticket keeps its place for this desk."""
    return _simple_move(
        ticket_id,
        "hold",
        S.HELD,
        desk_id=desk_id,
        staff_id=staff_id,
        now=now,
        note=bounded(note, 1000),
    )


def resume(
    ticket_id: int,
    *,
    desk_id: int | None = None,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    return _simple_move(ticket_id, "resume", S.WAITING, desk_id=desk_id, staff_id=staff_id, now=now)


def cancel(
    ticket_id: int,
    note: str = "",
    *,
    desk_id: int | None = None,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Void the ticket (the visitor left); a desk may void only a ticket not at another desk."""
    return _simple_move(
        ticket_id,
        "cancel",
        S.CANCELLED,
        desk_id=desk_id,
        staff_id=staff_id,
        now=now,
        note=bounded(note, 1000),
    )


def transfer(
    ticket_id: int,
    *,
    service_id: int | None = None,
    to_desk_id: int | None = None,
    note: str = "",
    desk_id: int | None = None,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Send the visitor on to another service or desk as the next leg, keeping the place in line."""
    now = now or utcnow()
    if service_id is None and to_desk_id is None:
        raise InvalidInput(N_("Choose the service or desk to transfer to."))
    ticket, version = locked_ticket(ticket_id, "transfer", desk_id, staff_id)
    service, to_desk = _transfer_target(ticket, service_id, to_desk_id)
    accused = accused_of(ticket)
    receiving = {service.id, *(s.id for s in (to_desk.services if to_desk else ()))}
    if accused is not None and accused in receiving:
        raise IllegalMove(N_("An accusation never goes to the department it accuses (Art. 30)."))
    note = bounded(note, 1000)
    _noted(ticket, "transfer", note, staff_id, now)
    return _next_leg(
        ticket, version, service.id, to_desk.id if to_desk else None, note, staff_id, now
    )


def _transfer_target(
    ticket: Ticket, service_id: int | None, to_desk_id: int | None
) -> tuple[Service, Desk | None]:
    to_desk = None
    if to_desk_id is not None:
        to_desk = db.session.get(Desk, to_desk_id)
        if to_desk is None or to_desk.hall_id != ticket.hall_id:
            raise NotFound(N_("No such desk."))
        if to_desk.id == ticket.desk_id:
            raise InvalidInput(N_("The ticket is already at that desk."))
    if service_id is None:
        assert to_desk is not None
        if not to_desk.services:
            raise InvalidInput(N_("That desk serves no service."))
        return to_desk.services[0], to_desk
    service = db.session.get(Service, service_id)
    if service is None or service.hall_id != ticket.hall_id:
        raise NotFound(N_("No such service."))
    if to_desk is not None and service not in to_desk.services:
        raise InvalidInput(N_("That desk does not serve that service."))
    if to_desk is None and service.id == ticket.service_id:
        raise InvalidInput(N_("The ticket is already in that queue."))
    return service, to_desk
