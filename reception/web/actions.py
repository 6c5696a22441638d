"""A desk's move on a ticket, for the desk console and the JSON API: the move by its address
(`reception.queue.actions`, the one table of a ticket's actions) run with what it takes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reception.core.errors import InvalidInput, NotFound
from reception.core.messages import N_
from reception.models import Ticket
from reception.queue import moves
from reception.queue.actions import BY_PATH
from reception.web.edge.guard import parse_id
from reception.web.edge.running import settings

TICKET_ACTIONS = tuple(BY_PATH)  # the moves as addresses write them ("no-show")


def optional_id(params: Mapping[str, Any], name: str) -> int | None:
    """An id field from a form or JSON body: absent/empty is None, anything else must be one."""
    value = params.get(name)
    if value in (None, ""):
        return None
    number = parse_id(value)
    if number is None:
        raise InvalidInput(N_("%(field)s must be a whole number."), field=name)
    return number


def text(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(N_("%(field)s must be text."), field=name)
    return value


def perform(
    action: str,
    ticket_id: int,
    desk_id: int | None,
    staff_id: int | None,
    params: Mapping[str, Any],
) -> Ticket:
    """Run one move (by its address, "no-show") on a ticket on behalf of a desk (or of staff
    without one)."""
    move = BY_PATH.get(action)
    if move is None:
        raise NotFound(N_("No such action."))
    action = move.code
    common: dict[str, Any] = {"staff_id": staff_id}
    if action == "call":
        if desk_id is None:
            raise InvalidInput(N_("A desk is needed to call a ticket."))
        return moves.call_ticket(desk_id, ticket_id, **common)
    if action == "recall":
        return moves.recall(
            ticket_id, desk_id=desk_id, max_recalls=settings().max_recalls, **common
        )
    if action == "start":
        return moves.start(ticket_id, desk_id=desk_id, **common)
    if action == "finish":
        return moves.finish(ticket_id, text(params, "outcome"), desk_id=desk_id, **common)
    if action == "no_show":
        return moves.no_show(ticket_id, desk_id=desk_id, **common)
    if action == "return":
        return moves.return_to_queue(ticket_id, desk_id=desk_id, **common)
    if action == "hold":
        return moves.hold(ticket_id, text(params, "note"), desk_id=desk_id, **common)
    if action == "resume":
        return moves.resume(ticket_id, desk_id=desk_id, **common)
    if action == "transfer":
        return moves.transfer(
            ticket_id,
            service_id=optional_id(params, "service_id"),
            to_desk_id=optional_id(params, "to_desk_id"),
            note=text(params, "note"),
            desk_id=desk_id,
            **common,
        )
    if action == "cancel":
        return moves.cancel(ticket_id, text(params, "note"), desk_id=desk_id, **common)
    raise NotFound(N_("No such action."))
