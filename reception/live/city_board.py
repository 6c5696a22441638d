"""The city board: every hall of the deployment on one screen, each summed from the very
snapshot its own supervisor's board draws (`hall_board.snapshot`), so the two never disagree."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import select

from reception.core.clock import hall_day
from reception.db.extensions import db
from reception.live import events, hall_board
from reception.models import Hall
from reception.triage import handover


def halls() -> list[Hall]:
    return list(db.session.scalars(select(Hall).order_by(Hall.id)))


def hall_summary(
    hall: Hall, now: datetime, default_minutes: float, departments: frozenset[int] = frozenset()
) -> dict[str, Any]:
    """One hall's card: open desks, waiting, the longest wait against its target, today's
    totals and 满意率, the alerts nobody acknowledged (Art. 30 as on the hall's own board)."""
    board = hall_board.snapshot(hall, now, default_minutes, departments)
    lines = board["services"]
    longest = max(
        (line for line in lines if line["longest_wait_seconds"] is not None),
        key=lambda line: (line["exceeded"], line["longest_wait_seconds"]),
        default=None,
    )
    open_alerts = Counter(a["kind"] for a in board["alerts"] if not a["acknowledged_at"])
    return events.CityHall(
        room=f"city:{hall.id}",
        version=board["version"],
        hall_id=hall.id,
        code=hall.code,
        name=hall.name,
        local_time=board["local_time"],
        desks_open=sum(1 for d in board["desks"] if d["state"] == "open"),
        desks_paused=sum(1 for d in board["desks"] if d["state"] == "paused"),
        desks_in_use=len(board["desks"]),
        waiting=sum(line["waiting"] for line in lines),
        longest_wait_seconds=longest["longest_wait_seconds"] if longest else None,
        target_minutes=longest["target_minutes"] if longest else 0,
        over_target=sum(1 for line in lines if line["exceeded"]),
        totals=events.BoardTotals(**board["totals"]),
        alerts=dict(open_alerts),
        alerts_total=sum(open_alerts.values()),
        overdue_matters=len(handover.overdue(hall_day(hall.timezone, now), hall.id, departments)),
    ).json_dict()
