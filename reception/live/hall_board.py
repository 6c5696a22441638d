"""The supervisor's board (值班长看板) as a live payload: every desk, every service's line,
today's totals (the reports' figures, `reports.day_totals`) and the alerts the viewer may see,
drawn from a handful of aggregate queries; and an alert as its live event."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from reception.core.clock import hall_day, local_time
from reception.db.extensions import db
from reception.live import events
from reception.models import (
    ACTIVE_STATES,
    Alert,
    DeskEvent,
    Hall,
    Ticket,
    TicketEvent,
    TicketState,
    User,
)
from reception.models.case import accuses
from reception.oversight import reports
from reception.oversight.supervision import day_start
from reception.queue.estimate import minutes_per_person


def _staff_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(
        select(User.id, User.display_name, User.username).where(User.id.in_(ids))
    )
    return {user_id: display or username for user_id, display, username in rows}


def alert_view(alert: Alert, names: dict[int, str] | None = None) -> events.AlertEvent:
    by = alert.acknowledged_by
    if by is not None and (names is None or by not in names):
        names = _staff_names({by})
    return events.AlertEvent(
        id=alert.id,
        kind=alert.kind,
        ticket_number=alert.ticket_number,
        text=alert.text,
        at=alert.at.isoformat(),
        case_id=alert.case_id,
        service_id=alert.service_id,
        desk_id=alert.desk_id,
        acknowledged_at=alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
        acknowledged_by=(names or {}).get(by) if by is not None else None,
    )


def todays_alerts(
    hall: Hall, now: datetime, departments: frozenset[int] = frozenset()
) -> list[dict[str, Any]]:
    """Today's alerts the viewer (staff of these departments) may see, newest first."""
    query = select(Alert).where(Alert.hall_id == hall.id, Alert.at >= day_start(hall, now))
    if departments:
        query = query.where(~accuses(Alert.case_id, departments))
    rows = db.session.scalars(query.order_by(Alert.id.desc()).limit(200)).all()
    names = _staff_names({a.acknowledged_by for a in rows if a.acknowledged_by is not None})
    return [alert_view(alert, names).json_dict() for alert in rows]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _desks(hall: Hall, today: Any) -> list[events.BoardDesk]:
    desks = [d for d in hall.desks if d.active]
    at_desk = {
        t.desk_id: t
        for t in db.session.scalars(
            select(Ticket).where(
                Ticket.hall_id == hall.id,
                Ticket.service_day == today,
                Ticket.state.in_(ACTIVE_STATES),
            )
        )
    }
    since = dict(
        db.session.execute(
            select(DeskEvent.desk_id, func.max(DeskEvent.at))
            .where(DeskEvent.hall_id == hall.id)
            .group_by(DeskEvent.desk_id)
        ).all()
    )
    started = dict(
        db.session.execute(
            select(TicketEvent.ticket_id, func.max(TicketEvent.at))
            .where(
                TicketEvent.ticket_id.in_([t.id for t in at_desk.values()]),
                TicketEvent.action.in_(("call", "recall", "start")),
            )
            .group_by(TicketEvent.ticket_id)
        ).all()
    )
    names = _staff_names({d.console_user_id for d in desks if d.console_user_id})
    board = []
    for desk in desks:
        ticket = at_desk.get(desk.id)
        moment = since.get(desk.id)
        board.append(
            events.BoardDesk(
                id=desk.id,
                number=desk.number,
                name=desk.name,
                state=desk.state,
                reason=desk.pause_reason,
                since=_iso(moment),
                ticket_number=ticket.number if ticket else None,
                ticket_state=ticket.state if ticket else None,
                ticket_since=_iso(started.get(ticket.id)) if ticket else None,
                staff=names.get(desk.console_user_id) if desk.console_user_id else None,
            )
        )
    return board


def _services(
    hall: Hall, today: Any, now: datetime, default_minutes: float
) -> list[events.BoardService]:
    lines = {
        service_id: (count, oldest)
        for service_id, count, oldest in db.session.execute(
            select(Ticket.service_id, func.count(Ticket.id), func.min(Ticket.line_at))
            .where(
                Ticket.hall_id == hall.id,
                Ticket.service_day == today,
                Ticket.state == TicketState.WAITING.value,
            )
            .group_by(Ticket.service_id)
        ).all()
    }
    board = []
    for service in hall.services:
        if not service.active:
            continue
        count, oldest = lines.get(service.id, (0, None))
        longest = int((now - oldest).total_seconds()) if oldest is not None else None
        estimate = (
            math.ceil(count * minutes_per_person(service.id, default_minutes, now)) if count else 0
        )
        target = service.wait_target_minutes
        board.append(
            events.BoardService(
                id=service.id,
                name=service.name,
                name_en=service.name_en,
                waiting=count,
                longest_wait_seconds=longest,
                estimate_minutes=estimate,
                target_minutes=target,
                exceeded=bool(target and longest is not None and longest > target * 60),
            )
        )
    return board


def _totals(hall: Hall, today: Any, departments: frozenset[int]) -> events.BoardTotals:
    """Today's totals, by the reports' definitions (`reports.day_totals`): the board and the
    day's report never show two numbers for one thing."""
    figures = reports.day_totals(hall, today, departments)  # Art. 30 holds here too
    return events.BoardTotals(
        issued=figures["tickets"],
        **{name: figures[name] for name in events.BoardTotals.model_fields if name != "issued"},
    )


def snapshot(
    hall: Hall, now: datetime, default_minutes: float, departments: frozenset[int] = frozenset()
) -> dict[str, Any]:
    """The whole hall at `now`, for the supervisor's board of staff of these departments."""
    today = hall_day(hall.timezone, now)
    version = db.session.scalar(select(Hall.version).where(Hall.id == hall.id)) or 0
    return events.BoardSnapshot(
        room=f"board:{hall.id}",
        version=version,
        now=now.isoformat(),
        day=today.isoformat(),
        local_time=local_time(hall.timezone, now).strftime("%H:%M"),
        desks=_desks(hall, today),
        services=_services(hall, today, now, default_minutes),
        totals=_totals(hall, today, departments),
        alerts=todays_alerts(hall, now, departments),
    ).json_dict()
