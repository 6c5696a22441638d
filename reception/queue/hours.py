"""Opening hours: when the kiosk gives numbers.

A hall's hours are per weekday (0 is Monday), one or more intervals ("08:30"–"12:00",
"13:30"–"17:30": the gap is the lunch break); a closure date (holiday) is closed all day. A hall
without hours set is always open. The registrar may still issue outside the hours (a staff
override, audited by the caller), and appointment check-in follows the booking's own window.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from reception.core.clock import zone
from reception.core.errors import IllegalMove, InvalidInput
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import Closure, Hall

INTERVAL = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-4]):([0-5][0-9])$")
LOOK_AHEAD_DAYS = 31


def parse_day(text: str) -> list[list[str]]:
    """'08:30-12:00 13:30-17:30' → [['08:30', '12:00'], ['13:30', '17:30']]; '' → closed."""
    intervals: list[list[str]] = []
    for part in text.replace(",", " ").replace("，", " ").split():
        if not INTERVAL.match(part):
            raise InvalidInput(N_("Write hours as 08:30-12:00 13:30-17:30."))
        start, end = part.split("-")
        if end <= start or (intervals and start < intervals[-1][1]):
            raise InvalidInput(N_("Each interval ends after it starts, in the day's order."))
        intervals.append([start, end])
    return intervals


def format_day(intervals: list[list[str]]) -> str:
    return " ".join(f"{start}-{end}" for start, end in intervals)


def _intervals(hall: Hall, day: date) -> list[tuple[time, time]]:
    return [
        (time.fromisoformat(start), time.fromisoformat(end) if end != "24:00" else time.max)
        for start, end in (hall.opening_hours or {}).get(str(day.weekday()), [])
    ]


def _closed_days(hall: Hall, first: date, last: date) -> set[date]:
    return set(
        db.session.scalars(
            select(Closure.day).where(
                Closure.hall_id == hall.id, Closure.day >= first, Closure.day <= last
            )
        )
    )


def covers(hall: Hall, day: date, start: time, end: time) -> bool:
    """Whether the hall is open from `start` to `end` on `day`'s weekday, in one interval (a
    slot across the lunch break is not). A hall without hours is always open; closure dates
    are the caller's to check."""
    if not hall.opening_hours:
        return True
    return any(opens <= start and end <= closes for opens, closes in _intervals(hall, day))


def is_open(hall: Hall, now: datetime) -> bool:
    if not hall.opening_hours:
        return True
    local = now.astimezone(zone(hall.timezone))
    if _closed_days(hall, local.date(), local.date()):
        return False
    return any(start <= local.time() < end for start, end in _intervals(hall, local.date()))


def next_opening(hall: Hall, now: datetime) -> datetime | None:
    """When the hall next opens (hall-local), or None when no hours lie ahead."""
    local = now.astimezone(zone(hall.timezone))
    closed = _closed_days(hall, local.date(), local.date() + timedelta(days=LOOK_AHEAD_DAYS))
    for offset in range(LOOK_AHEAD_DAYS + 1):
        day = local.date() + timedelta(days=offset)
        if day in closed:
            continue
        for start, _end in _intervals(hall, day):
            opening = datetime.combine(day, start, tzinfo=local.tzinfo)
            if opening > local:
                return opening
    return None


def next_closing(hall: Hall, now: datetime) -> datetime | None:
    """When the interval the hall is open in now ends (the lunch break, the evening), or None
    when it is closed now or has no hours (always open)."""
    if not hall.opening_hours or not is_open(hall, now):
        return None
    local = now.astimezone(zone(hall.timezone))
    for start, end in _intervals(hall, local.date()):
        if start <= local.time() < end:
            if end == time.max:  # open until midnight: look again at the day's turn
                return datetime.combine(local.date() + timedelta(days=1), time(), local.tzinfo)
            return datetime.combine(local.date(), end, tzinfo=local.tzinfo)
    return None


def next_change(hall: Hall, now: datetime) -> datetime | None:
    """The next moment the kiosk's state changes: the next closing when open, the next opening
    when closed; None when nothing changes within the look-ahead."""
    return next_closing(hall, now) if is_open(hall, now) else next_opening(hall, now)


def check_open(hall: Hall, now: datetime) -> None:
    """Refuse a number outside the opening hours, saying when the centre opens."""
    if is_open(hall, now):
        return
    opening = next_opening(hall, now)
    if opening is None:
        raise IllegalMove(N_("The centre is closed."))
    today = now.astimezone(zone(hall.timezone)).date()
    if opening.date() == today:
        raise IllegalMove(N_("The centre opens at %(time)s."), time=f"{opening:%H:%M}")
    raise IllegalMove(
        N_("The centre opens on %(day)s at %(time)s."),
        day=f"{opening.month}/{opening.day}",
        time=f"{opening:%H:%M}",
    )
