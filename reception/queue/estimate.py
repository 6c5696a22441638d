"""Where a waiting ticket stands: people ahead and an estimated wait."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from reception.db.extensions import db
from reception.models import Desk, Ticket, TicketEvent, TicketState, desk_services

RECENT_SERVICES = 30
RECENT_WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class Standing:
    people_ahead: int
    desks_open: int
    service_minutes: float
    wait_minutes: int


def people_ahead(ticket: Ticket) -> int:
    """Waiting tickets of the same queue that will be called before this one."""
    if ticket.state != TicketState.WAITING:
        return 0
    same_line = (
        Ticket.target_desk_id == ticket.target_desk_id
        if ticket.target_desk_id
        else and_(Ticket.service_id == ticket.service_id, Ticket.target_desk_id.is_(None))
    )
    earlier = or_(
        Ticket.priority > ticket.priority,
        and_(
            Ticket.priority == ticket.priority,
            or_(
                Ticket.line_at < ticket.line_at,
                and_(Ticket.line_at == ticket.line_at, Ticket.id < ticket.id),
            ),
        ),
    )
    query = select(func.count(Ticket.id)).where(
        Ticket.hall_id == ticket.hall_id,
        Ticket.service_day == ticket.service_day,
        Ticket.state == TicketState.WAITING.value,
        same_line,
        earlier,
    )
    return db.session.scalar(query) or 0


def open_desks(service_id: int) -> int:
    query = (
        select(func.count(Desk.id))
        .join(desk_services, desk_services.c.desk_id == Desk.id)
        .where(
            desk_services.c.service_id == service_id,
            Desk.open.is_(True),
            Desk.active.is_(True),
            Desk.pause_reason.is_(None),  # a paused desk serves nobody for now
        )
    )
    return db.session.scalar(query) or 0


def typical_service_minutes(service_id: int, default_minutes: float, now: datetime) -> float:
    """Median of the service's recent service times (start to finish), from the event log."""
    started = aliased(TicketEvent)
    ended = aliased(TicketEvent)
    query = (
        select(started.at, func.min(ended.at))
        .join(
            ended,
            and_(
                ended.ticket_id == started.ticket_id,
                ended.id > started.id,
                or_(
                    and_(ended.action == "finish", ended.leg == started.leg),
                    # a transfer event carries the leg it opens
                    and_(ended.action == "transfer", ended.leg == started.leg + 1),
                ),
            ),
        )
        .where(
            started.action == "start",
            started.service_id == service_id,
            started.at >= now - RECENT_WINDOW,
        )
        .group_by(started.id, started.at)
        .order_by(started.at.desc())
        .limit(RECENT_SERVICES)
    )
    durations = [(end - begin).total_seconds() / 60 for begin, end in db.session.execute(query)]
    return statistics.median(durations) if durations else float(default_minutes)


def minutes_per_person(service_id: int, default_minutes: float, now: datetime) -> float:
    """How much longer the line gets per visitor in it: a service time shared by open desks."""
    minutes = typical_service_minutes(service_id, default_minutes, now)
    return minutes / max(open_desks(service_id), 1)


def standing(ticket: Ticket, *, default_minutes: float, now: datetime) -> Standing:
    ahead = people_ahead(ticket)
    desks = open_desks(ticket.service_id) if not ticket.target_desk_id else 1
    minutes = typical_service_minutes(ticket.service_id, default_minutes, now)
    wait = math.ceil(ahead * minutes / max(desks, 1)) if ahead else 0
    return Standing(
        people_ahead=ahead, desks_open=desks, service_minutes=minutes, wait_minutes=wait
    )
