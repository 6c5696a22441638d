"""The ticket state machine's table, and loading a ticket under the hall lock for a move."""

from __future__ import annotations

from ..extensions import db
from ..models import (
    Desk,
    Ticket,
    TicketState,
)
from .errors import IllegalMove, NotFound
from .locking import lock_hall
from .messages import N_

S = TicketState

# action -> states it may start from
ALLOWED_FROM: dict[str, frozenset[str]] = {
    "call": frozenset({S.WAITING}),
    "recall": frozenset({S.CALLED}),
    "start": frozenset({S.CALLED}),
    "finish": frozenset({S.SERVING}),
    "no_show": frozenset({S.CALLED}),
    "return": frozenset({S.NO_SHOW}),
    "hold": frozenset({S.CALLED, S.SERVING}),
    "resume": frozenset({S.HELD}),
    "cancel": frozenset({S.WAITING, S.CALLED, S.HELD, S.NO_SHOW}),
    "transfer": frozenset({S.CALLED, S.SERVING}),
}
# moves made by the desk that has the ticket
DESK_BOUND = frozenset({"recall", "start", "finish", "no_show", "hold", "transfer"})


def load_desk(desk_id: int) -> Desk:
    desk = db.session.get(Desk, desk_id)
    if desk is None:
        raise NotFound(N_("No such desk."))
    return desk


def load_ticket(ticket_id: int) -> Ticket:
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(N_("No such ticket."))
    return ticket


def _check(ticket: Ticket, action: str, desk_id: int | None) -> None:
    if ticket.state not in ALLOWED_FROM[action]:
        raise IllegalMove(
            N_("Ticket %(number)s is %(state)s: “%(action)s” is not possible now."),
            number=ticket.number,
            state=ticket.state,
            action=action,
        )
    if action in DESK_BOUND and desk_id is not None and ticket.desk_id != desk_id:
        raise IllegalMove(N_("Ticket %(number)s is not at this desk."), number=ticket.number)


def locked_ticket(ticket_id: int, action: str, desk_id: int | None) -> tuple[Ticket, int]:
    ticket = load_ticket(ticket_id)
    version = lock_hall(ticket.hall_id)
    ticket = db.session.get(Ticket, ticket_id, populate_existing=True, with_for_update=True)
    assert ticket is not None
    _check(ticket, action, desk_id)
    return ticket, version
