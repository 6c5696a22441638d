"""A visit's planned legs: the desks the registrar chose, still to come, in order."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import JourneyStop


def pending_stops(ticket_id: int) -> list[JourneyStop]:
    return list(
        db.session.scalars(
            select(JourneyStop)
            .where(JourneyStop.ticket_id == ticket_id, JourneyStop.done.is_(False))
            .order_by(JourneyStop.position)
        )
    )
