"""Wait and service times derived from the event log alone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from reception.models import TicketEvent, TicketState


@dataclass
class LegTimes:
    leg: int
    service_id: int
    desk_ids: list[int] = field(default_factory=list)
    wait_seconds: float = 0.0
    service_seconds: float = 0.0
    first_called_at: datetime | None = None
    ended_at: datetime | None = None
    end_action: str | None = None


def leg_times(events: Iterable[TicketEvent]) -> list[LegTimes]:
    """Per leg of a ticket's journey: seconds spent waiting and being served.

    Waiting counts every stretch in the `waiting` state of that leg (so a resumed or returned
    ticket's waits add up); service counts every stretch in `serving`.
    """
    legs: dict[int, LegTimes] = {}
    previous: TicketEvent | None = None
    for event in sorted(events, key=lambda e: (e.at, e.id)):
        if previous is not None:
            spent = (event.at - previous.at).total_seconds()
            leg = legs[previous.leg]
            if previous.to_state == TicketState.WAITING:
                leg.wait_seconds += spent
            elif previous.to_state == TicketState.SERVING:
                leg.service_seconds += spent
        leg = legs.setdefault(event.leg, LegTimes(leg=event.leg, service_id=event.service_id))
        if event.action == "transfer":
            # the event is written once the ticket has moved on: it closes the previous leg
            closing = legs.get(event.leg - 1)
            if closing is not None:
                closing.ended_at, closing.end_action = event.at, "transfer"
        if event.action == "call" and leg.first_called_at is None:
            leg.first_called_at = event.at
        if event.desk_id and event.desk_id not in leg.desk_ids:
            leg.desk_ids.append(event.desk_id)
        if event.action in ("finish", "cancel", "no_show"):
            leg.ended_at, leg.end_action = event.at, event.action
        previous = event
    return [legs[key] for key in sorted(legs)]
