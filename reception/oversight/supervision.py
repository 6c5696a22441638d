"""The supervisor's live hall (值班长看板): alerts and the board.

Alerts reach the supervisors' and the leader on duty's screens after the commit that raised
them: an urgent matter or a group visit (at registration), a bad rating, and, from the timed
duties, a visitor waiting beyond the service's target or a desk paused too long. Each is
acknowledged once (who, when). The board is one snapshot of the whole hall: every desk, every
service's line, today's totals and today's alerts, drawn from a handful of aggregate queries.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from reception.core import signals
from reception.core.clock import hall_day, zone
from reception.core.errors import IllegalMove
from reception.core.messages import N_
from reception.db import pending
from reception.db.extensions import db
from reception.models import (
    Alert,
    Case,
    Desk,
    DeskEvent,
    Hall,
    Service,
    Ticket,
    TicketState,
)
from reception.triage import handover
from reception.triage.registration import MatterInput

KINDS = ("urgent", "group", "wait", "pause", "rating", "overdue")
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
    pending.ALERTS.note(db.session(), alert.id)
    return alert


@signals.matter_registered.connect
def _alert_on_registration(
    hall_id: int,
    *,
    case: Case,
    ticket: Ticket | None,
    matter: MatterInput,
    now: datetime,
    **_: Any,
) -> None:
    """An urgent matter or a group visit reaches the supervisor's and leader's screens (a
    matter sent online has no number)."""
    flags = [("urgent", matter.category)] if matter.urgent else []
    flags += [("group", str(matter.group_size))] if matter.group_size > 1 else []
    number = ticket.number if ticket is not None else ""
    for kind, text in flags:
        raise_alert(hall_id, kind, now, text=text, case_id=case.id, ticket_number=number)


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
    pending.ALERTS.note(db.session(), alert.id)  # every supervisor's screen shows who took it


def day_start(hall: Hall, now: datetime) -> datetime:
    day = hall_day(hall.timezone, now)
    return datetime.combine(day, datetime.min.time(), zone(hall.timezone))


def watch(hall: Hall, now: datetime) -> int:
    """Raise the timed alerts: the longest waiter of a service beyond its wait target (once per
    ticket, and not while the service's last wait alert is unacknowledged), and a desk paused
    longer than the hall's limit (once per pause), a matter under the city's supervision past
    its date and not done (once per supervision). Returns how many were raised."""
    return _watch_waits(hall, now) + _watch_pauses(hall, now) + _watch_supervised(hall, now)


def _watch_supervised(hall: Hall, now: datetime) -> int:
    """The overdue alerts: a supervised matter of this hall past its date, once each; on the
    hall's board and, through the hall's card, on the city board."""
    today = hall_day(hall.timezone, now)
    raised = 0
    for supervision, case in handover.overdue(today, hall.id):
        if supervision.alerted_on is not None:
            continue
        supervision.alerted_on = today
        text = f"{case.number} {supervision.due_on.isoformat()}"
        raise_alert(hall.id, "overdue", now, text=text, case_id=case.id)
        raised += 1
    return raised


def _watch_waits(hall: Hall, now: datetime) -> int:
    """The wait alerts: each service's longest waiter beyond the service's target."""
    raised = 0
    today, start = hall_day(hall.timezone, now), day_start(hall, now)
    targets = {s.id: s.wait_target_minutes for s in hall.services if s.wait_target_minutes > 0}
    if not targets:
        return 0
    waiting = (
        Ticket.hall_id == hall.id,
        Ticket.service_day == today,
        Ticket.state == TicketState.WAITING.value,
    )
    oldest = (
        select(Ticket.service_id, func.min(Ticket.line_at))
        .where(*waiting, Ticket.service_id.in_(targets))
        .group_by(Ticket.service_id)
    )
    for service_id, line_at in db.session.execute(oldest).all():
        waited = now - line_at
        if waited <= timedelta(minutes=targets[service_id]):
            continue
        ticket = db.session.scalars(
            select(Ticket)
            .where(*waiting, Ticket.service_id == service_id)
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
    return raised


def _watch_pauses(hall: Hall, now: datetime) -> int:
    """The pause alerts: a desk paused longer than the hall's limit, once per pause."""
    raised = 0
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
            raise_alert(hall.id, "pause", now, text=desk.pause_reason or "", desk_id=desk.id)
            raised += 1
    return raised


def _state_since(desk: Desk) -> datetime | None:
    return db.session.scalar(select(func.max(DeskEvent.at)).where(DeskEvent.desk_id == desk.id))


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
