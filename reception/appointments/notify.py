"""Reminders through a pluggable notifier.

The default notifier writes to the outbox table, which staff can read. A gateway (an SMS
provider's client, say) plugs in with `RECEPTION_NOTIFIER=package.module:ClassName`: a class
taking the app config and having `send(phone, body) -> str` that returns the channel's name.
"""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol

from sqlalchemy import select

from reception.core.clock import hall_day, local_time
from reception.db.extensions import db
from reception.db.transaction import after_commit
from reception.models import Appointment, BookingState, Hall, OutboxMessage
from reception.models.types import utcnow


class Notifier(Protocol):
    """A message channel; `channel` names it in the outbox (defaults to the class name)."""

    def send(self, phone: str, body: str) -> str: ...


class OutboxNotifier:
    """Keeps the message for staff to see; sends nothing."""

    channel = "outbox"

    def __init__(self, config: Any = None) -> None:
        self.config = config

    def send(self, phone: str, body: str) -> str:
        return "outbox"


def load_notifier(config: Any) -> Notifier:
    path = config.get("NOTIFIER") or ""
    if not path:
        return OutboxNotifier(config)
    module_name, _, class_name = path.partition(":")
    return getattr(importlib.import_module(module_name), class_name)(config)


def reminder_text(hall: Hall, appointment: Appointment) -> str:
    start = local_time(hall.timezone, appointment.starts_at)
    return (
        f"【{hall.name}】您预约的{appointment.service.name}在{start:%m月%d日 %H:%M}，"
        f"预约码 {appointment.code}。请提前到大厅自助机扫码签到。如需取消请登录预约页面。"
    )


def closure_text(hall: Hall, appointment: Appointment, reason: str) -> str:
    start = local_time(hall.timezone, appointment.starts_at)
    why = f"（{reason}）" if reason else ""
    return (
        f"【{hall.name}】很抱歉，本中心{start:%m月%d日}闭馆{why}，您预约的{appointment.service.name}"
        f"（{start:%H:%M}，预约码 {appointment.code}）已取消。请重新预约其他日期。"
    )


def tell(notifier: Notifier, appointment: Appointment, body: str, now: datetime) -> None:
    """Record a message to the booked visitor and send it once the transaction commits."""
    channel = getattr(notifier, "channel", type(notifier).__name__)
    db.session.add(
        OutboxMessage(
            appointment_id=appointment.id,
            phone=appointment.phone,
            body=body,
            created_at=now,
            sent_via=channel[:40],
        )
    )
    after_commit(db.session(), partial(notifier.send, appointment.phone, body))


def send_reminders(hall: Hall, notifier: Notifier, *, now: datetime | None = None) -> int:
    """Remind everyone booked for tomorrow who has not been reminded yet."""
    now = now or utcnow()
    tomorrow = hall_day(hall.timezone, now) + timedelta(days=1)
    due = db.session.scalars(
        select(Appointment).where(
            Appointment.hall_id == hall.id,
            Appointment.day == tomorrow,
            Appointment.state == BookingState.BOOKED.value,
            Appointment.reminded_at.is_(None),
        )
    ).all()
    for appointment in due:
        # Sent only once the reminder is recorded: a failed commit never means a second SMS.
        tell(notifier, appointment, reminder_text(hall, appointment), now)
        appointment.reminded_at = now
    db.session.flush()
    return len(due)
