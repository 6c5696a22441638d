"""What a live screen needs when it (re)joins a room: the state now, with the hall version.

The version is read before the data, so a snapshot may already contain a change whose event
arrives after it; clients apply events idempotently and key calls by version. Nothing here
carries a name, an ID number or a phone number.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from reception.core.clock import hall_day
from reception.db.extensions import db
from reception.live import events
from reception.live.publish import announcement, ticket_fields, ticket_view, waiting_counts
from reception.models import (
    ACTIVE_STATES,
    Closure,
    Desk,
    Hall,
    LeaderDay,
    Service,
    Ticket,
    TicketEvent,
)
from reception.queue import calling, consoles, estimate
from reception.queue.timeline import leg_times

RECENT_CALLS = 8


def hall_version(hall_id: int) -> int:
    return _version(hall_id)


def _version(hall_id: int) -> int:
    return db.session.scalar(select(Hall.version).where(Hall.id == hall_id)) or 0


def _desk_numbers(hall_id: int) -> dict[int, int]:
    rows = db.session.execute(select(Desk.id, Desk.number).where(Desk.hall_id == hall_id))
    return {desk_id: number for desk_id, number in rows}


def recent_calls(hall: Hall, now: datetime, limit: int = RECENT_CALLS) -> list[events.RecentCall]:
    """The hall's latest calls and recalls today, newest first."""
    rows = db.session.execute(
        select(TicketEvent, Ticket.number)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(
            TicketEvent.hall_id == hall.id,
            TicketEvent.action.in_(("call", "recall")),
            Ticket.service_day == hall_day(hall.timezone, now),
        )
        .order_by(TicketEvent.hall_version.desc())
        .limit(limit)
    ).all()
    desks = {desk.id: desk for desk in hall.desks}
    return [
        events.RecentCall(
            version=event.hall_version,
            action=event.action,
            ticket_id=event.ticket_id,
            number=number,
            desk_id=event.desk_id,
            desk_number=desks[event.desk_id].number if event.desk_id in desks else None,
            service_id=event.service_id,
            at=event.at.isoformat(),
            announce=announcement(number, desks[event.desk_id], hall.lobby_floor)
            if event.desk_id in desks
            else None,
        )
        for event, number in rows
    ]


def at_desks(hall: Hall, now: datetime) -> list[events.TicketView]:
    """Which ticket each desk has called or is serving now."""
    rows = db.session.scalars(
        select(Ticket).where(
            Ticket.hall_id == hall.id,
            Ticket.service_day == hall_day(hall.timezone, now),
            Ticket.state.in_(ACTIVE_STATES),
        )
    ).all()
    desks = _desk_numbers(hall.id)
    return [
        ticket_view(ticket, desks.get(ticket.desk_id) if ticket.desk_id else None)
        for ticket in rows
    ]


def notice_line(hall: Hall, now: datetime) -> str:
    """The lobby's notice, with the leaders' reception days of the coming week."""
    today = hall_day(hall.timezone, now)
    days = db.session.scalars(
        select(LeaderDay)
        .where(
            LeaderDay.hall_id == hall.id,
            LeaderDay.day >= today,
            LeaderDay.day <= today + timedelta(days=7),
            ~select(Closure.id)
            .where(Closure.hall_id == hall.id, Closure.day == LeaderDay.day)
            .exists(),
        )
        .order_by(LeaderDay.day)
    ).all()
    parts = [hall.notice] if hall.notice else []
    parts += [
        f"领导接访日：{d.day.month}月{d.day.day}日 {d.start:%H:%M} {d.leader}，{d.place}，"
        f"接访事项：{d.matters}"
        for d in days
    ]
    return "　".join(parts)


def hall_snapshot(hall: Hall, now: datetime, default_minutes: float) -> dict[str, Any]:
    version = _version(hall.id)
    services = [s for s in hall.services if s.active]
    counts = (
        waiting_counts(
            db.session(), hall.id, {s.id for s in services}, hall_day(hall.timezone, now)
        )
        if services
        else {}
    )
    return events.HallSnapshot(
        room=f"hall:{hall.id}",
        hall_id=hall.id,
        version=version,
        notice=notice_line(hall, now),
        services=[
            events.ServiceCount(
                id=s.id,
                prefix=s.prefix,
                name=s.name,
                name_en=s.name_en,
                waiting=counts.get(str(s.id), 0),
                minutes_per_person=round(
                    estimate.minutes_per_person(s.id, default_minutes, now), 2
                ),
            )
            for s in services
        ],
        calls=recent_calls(hall, now),
        desks=at_desks(hall, now),
        desk_states=[
            events.DeskState(desk_id=d.id, desk_number=d.number, state=d.state)
            for d in hall.desks
            if d.active and d.state != "open"
        ],
        places=[
            events.DeskPlace(
                desk_id=d.id,
                number=d.number,
                floor=d.floor,
                place=d.location,
                place_en=d.location_en,
            )
            for d in hall.desks
        ],
        lobby_floor=hall.lobby_floor,
    ).json_dict()


def desk_snapshot(
    desk: Desk, now: datetime, *, with_queue: bool, staff_id: int | None = None
) -> dict[str, Any]:
    """The desk's current ticket; for staff also its waiting line as `staff_id` may call it."""
    hall = desk.hall
    version = _version(hall.id)
    today = hall_day(hall.timezone, now)
    current = calling.at_desk(desk, today)
    waiting = None
    if with_queue:
        tickets = db.session.scalars(
            calling.waiting_in_order(desk, today, staff_id).limit(200)
        ).all()
        waiting = [
            events.WaitingTicket(**ticket_fields(t, None), line_at=t.line_at.isoformat())
            for t in tickets
        ]
    return events.DeskSnapshot(
        room=f"desk:{desk.id}",
        version=version,
        desk_id=desk.id,
        desk_number=desk.number,
        current=ticket_view(current, desk.number) if current else None,
        state=desk.state,
        waiting=waiting,
        console=consoles.marker(desk.console_key) if with_queue else None,
    ).json_dict(exclude=None if with_queue else {"waiting", "console"})


def service_snapshot(service: Service, now: datetime) -> dict[str, Any]:
    version = _version(service.hall_id)
    today = hall_day(service.hall.timezone, now)
    counts = waiting_counts(db.session(), service.hall_id, {service.id}, today)
    return events.ServiceSnapshot(
        room=f"service:{service.id}",
        version=version,
        service_id=service.id,
        waiting=counts[str(service.id)],
    ).json_dict()


def ticket_snapshot(ticket: Ticket, now: datetime, default_minutes: float) -> dict[str, Any]:
    version = _version(ticket.hall_id)
    standing = estimate.standing(ticket, default_minutes=default_minutes, now=now)
    desk = db.session.get(Desk, ticket.desk_id) if ticket.desk_id else None
    service = ticket.service
    return events.TicketSnapshot(
        room=f"ticket:{ticket.token}",
        version=version,
        ticket=ticket_view(ticket, desk.number if desk else None),
        service=events.ServiceInfo(
            id=service.id,
            name=service.name,
            name_en=service.name_en,
            waiting_area=service.waiting_area,
        ),
        people_ahead=standing.people_ahead,
        wait_minutes=standing.wait_minutes,
        legs=[
            events.Leg(leg=leg.leg, service_id=leg.service_id, end_action=leg.end_action)
            for leg in leg_times(ticket.events)
        ],
    ).json_dict()
