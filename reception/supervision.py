"""The supervisor's live hall (值班长看板): alerts and the board.

Alerts reach the supervisors' and the leader on duty's screens after the commit that raised
them: an urgent matter or a group visit (at registration), a bad rating, and, from the timed
duties, a visitor waiting beyond the service's target or a desk paused too long. Each is
acknowledged once (who, when). The board is one snapshot of the whole hall: every desk, every
service's line, today's totals and today's alerts, drawn from a handful of aggregate queries.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from . import events, reports
from .extensions import db
from .models import (
    ACTIVE_STATES,
    Alert,
    Case,
    Desk,
    DeskEvent,
    Hall,
    Service,
    Ticket,
    TicketEvent,
    TicketState,
    User,
)
from .models.case import accuses
from .queue import outbox
from .queue.clock import hall_day, local_time, zone
from .queue.errors import IllegalMove
from .queue.estimate import minutes_per_person
from .queue.messages import N_

KINDS = ("urgent", "group", "wait", "pause", "rating")
# a call nobody has come to answer for this long is marked on the board (the visitor may not
# have heard it: recall, or mark a no-show)
UNANSWERED_CALL_SECONDS = 180


def raise_alert(
    hall_id: int,
    kind: str,
    now: datetime,
    *,
    text: str = "",
    ticket_number: str = "",
    case_id: int | None = None,
    service_id: int | None = None,
    desk_id: int | None = None,
    rating_id: int | None = None,
) -> Alert:
    """Record an alert; it reaches the supervisors' screens once the transaction commits."""
    assert kind in KINDS
    alert = Alert(
        hall_id=hall_id,
        kind=kind,
        at=now,
        text=text[:200],
        ticket_number=ticket_number,
        case_id=case_id,
        service_id=service_id,
        desk_id=desk_id,
        rating_id=rating_id,
    )
    db.session.add(alert)
    db.session.flush()
    outbox.note_alert(db.session(), alert.id)
    return alert


def withdraw_rating_alerts(rating_id: int) -> None:
    """The alerts a bad rating raised, gone once the visitor changed it to a good one; the
    boards redraw from a fresh snapshot (the caller notes the board)."""
    for alert in db.session.scalars(select(Alert).where(Alert.rating_id == rating_id)):
        db.session.delete(alert)


def acknowledge(alert: Alert, staff_id: int, now: datetime) -> None:
    if alert.acknowledged_at is not None:
        raise IllegalMove(N_("This alert was already acknowledged."))
    alert.acknowledged_at, alert.acknowledged_by, alert.seen = now, staff_id, True
    db.session.flush()
    outbox.note_alert(db.session(), alert.id)  # every supervisor's screen shows who took it


def _day_start(hall: Hall, now: datetime) -> datetime:
    day = hall_day(hall.timezone, now)
    return datetime.combine(day, datetime.min.time(), zone(hall.timezone))


def watch(hall: Hall, now: datetime) -> int:
    """Raise the timed alerts: the longest waiter of a service beyond its wait target (once per
    ticket, and not while the service's last wait alert is unacknowledged), and a desk paused
    longer than the hall's limit (once per pause). Returns how many were raised."""
    raised = 0
    today, start = hall_day(hall.timezone, now), _day_start(hall, now)
    targets = {s.id: s.wait_target_minutes for s in hall.services if s.wait_target_minutes > 0}
    if targets:
        oldest = (
            select(Ticket.service_id, func.min(Ticket.line_at))
            .where(
                Ticket.hall_id == hall.id,
                Ticket.service_day == today,
                Ticket.state == TicketState.WAITING.value,
                Ticket.service_id.in_(targets),
            )
            .group_by(Ticket.service_id)
        )
        for service_id, line_at in db.session.execute(oldest).all():
            waited = now - line_at
            if waited <= timedelta(minutes=targets[service_id]):
                continue
            ticket = db.session.scalars(
                select(Ticket)
                .where(
                    Ticket.hall_id == hall.id,
                    Ticket.service_day == today,
                    Ticket.state == TicketState.WAITING.value,
                    Ticket.service_id == service_id,
                )
                .order_by(Ticket.line_at, Ticket.id)
                .limit(1)
            ).one()
            earlier = db.session.execute(
                select(Alert.ticket_number, Alert.acknowledged_at).where(
                    Alert.hall_id == hall.id,
                    Alert.kind == "wait",
                    Alert.service_id == service_id,
                    Alert.at >= start,
                )
            ).all()
            if any(n == ticket.number or ack is None for n, ack in earlier):
                continue
            minutes = int(waited.total_seconds() // 60)
            raise_alert(
                hall.id,
                "wait",
                now,
                text=str(minutes),
                ticket_number=ticket.number,
                case_id=ticket.case_id,
                service_id=service_id,
            )
            raised += 1
    limit = timedelta(minutes=hall.pause_alert_minutes)
    paused = select(Desk).where(
        Desk.hall_id == hall.id, Desk.open.is_(True), Desk.pause_reason.is_not(None)
    )
    for desk in db.session.scalars(paused.order_by(Desk.id)):  # not every desk, every minute
        since = _state_since(desk)
        if since is None or now - since <= limit:
            continue
        already = db.session.scalar(
            select(func.count(Alert.id)).where(
                Alert.kind == "pause", Alert.desk_id == desk.id, Alert.at >= since
            )
        )
        if not already:
            raise_alert(
                hall.id,
                "pause",
                now,
                text=desk.pause_reason or "",
                desk_id=desk.id,
            )
            raised += 1
    return raised


def _state_since(desk: Desk) -> datetime | None:
    return db.session.scalar(select(func.max(DeskEvent.at)).where(DeskEvent.desk_id == desk.id))


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


def alert_visible_to(alert: Alert, departments: frozenset[int]) -> bool:
    """Art. 30: an alert about an accusation never reaches the department it accuses."""
    if not departments or alert.case_id is None:
        return True
    case = db.session.get(Case, alert.case_id)
    return case is None or not (case.accusation and case.accused_id in departments)


def alerts_room(hall_id: int, departments: frozenset[int]) -> str:
    """The room a viewer's live alerts arrive in: the hall's, or, for staff of a department,
    their department's (which an accusation against that department never reaches)."""
    if not departments:
        return f"alerts:{hall_id}"
    return f"alerts:{hall_id}:department:{min(departments)}"


def alert_rooms(alert: Alert) -> list[str]:
    """Every room an alert is published to: the hall's, and each department's but the one an
    accusation behind it accuses."""
    accused = None
    if alert.case_id is not None:
        case = db.session.get(Case, alert.case_id)
        accused = case.accused_id if case is not None and case.accusation else None
    departments = db.session.scalars(select(Service.id).where(Service.hall_id == alert.hall_id))
    return [
        f"alerts:{alert.hall_id}",
        *(alerts_room(alert.hall_id, frozenset({d})) for d in departments if d != accused),
    ]


def todays_alerts(
    hall: Hall, now: datetime, departments: frozenset[int] = frozenset()
) -> list[dict[str, Any]]:
    """Today's alerts the viewer (staff of these departments) may see, newest first."""
    query = select(Alert).where(Alert.hall_id == hall.id, Alert.at >= _day_start(hall, now))
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


def _totals(hall: Hall, today: Any) -> events.BoardTotals:
    """Today's totals, by the reports' definitions (`reports.day_totals`): the board and the
    day's report never show two numbers for one thing."""
    figures = reports.day_totals(hall, today)
    return events.BoardTotals(
        issued=figures["tickets"],
        **{name: figures[name] for name in events.BoardTotals.model_fields if name != "issued"},
    )


def board(
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
        totals=_totals(hall, today),
        alerts=todays_alerts(hall, now, departments),
    ).json_dict()
