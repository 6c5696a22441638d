"""Bookable slots of a service on a hall-local day, from templates, leader days and closures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from reception.core.clock import hall_day, zone
from reception.core.errors import InvalidInput, bounded
from reception.core.messages import N_
from reception.core.settings import Policy
from reception.db.extensions import db
from reception.models import Closure, Hall, LeaderDay, Service, SlotCount, SlotTemplate
from reception.queue import hours


@dataclass(frozen=True)
class Slot:
    service_id: int
    starts_at: datetime  # UTC
    local_start: time
    capacity: int
    taken: int
    leader_day_id: int | None = None

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.taken)


def _cut(
    hall: Hall, day: date, start: time, end: time, minutes: int
) -> tuple[list[tuple[time, datetime]], int]:
    """The slots from `start` to `end` that lie inside the hall's opening hours (a slot in the
    lunch break or on a closed weekday is never offered), and how many were left out."""
    out, outside = [], 0
    moment = datetime.combine(day, start, tzinfo=zone(hall.timezone))
    finish = datetime.combine(day, end, tzinfo=zone(hall.timezone))
    while moment + timedelta(minutes=minutes) <= finish:
        ends = moment + timedelta(minutes=minutes)
        if hours.covers(hall, day, moment.time(), ends.time() if ends.date() == day else time.max):
            out.append((moment.time(), moment.astimezone(zone("UTC"))))
        else:
            outside += 1
        moment = ends
    return out, outside


def outside_hours(
    hall: Hall, weekdays: list[int], start: time, end: time, minutes: int
) -> tuple[int, int]:
    """(slots inside, slots outside) the opening hours of a weekly time on these weekdays
    (0 is Monday): what the administrator is told when saving it."""
    inside = outside = 0
    monday = date(2024, 1, 1)  # any Monday: the hours depend on the weekday alone
    for weekday in weekdays:
        kept, left = _cut(hall, monday + timedelta(days=weekday), start, end, minutes)
        inside, outside = inside + len(kept), outside + left
    return inside, outside


def closed(hall: Hall, day: date) -> bool:
    query = select(Closure.id).where(Closure.hall_id == hall.id, Closure.day == day)
    return db.session.scalar(query) is not None


def slots_for(hall: Hall, service: Service, day: date) -> list[Slot]:
    """All slots of `service` on `day` (empty on a closure), with places taken."""
    if closed(hall, day):
        return []
    raw: list[tuple[time, datetime, int, int | None]] = []
    templates = db.session.scalars(
        select(SlotTemplate).where(SlotTemplate.service_id == service.id)
    )
    for template in templates:
        if template.on(day):
            kept, _outside = _cut(hall, day, template.start, template.end, template.slot_minutes)
            for local, utc in kept:
                raw.append((local, utc, template.capacity, None))
    leader_days = db.session.scalars(
        select(LeaderDay).where(LeaderDay.service_id == service.id, LeaderDay.day == day)
    )
    for leader_day in leader_days:
        kept, _outside = _cut(hall, day, leader_day.start, leader_day.end, leader_day.slot_minutes)
        for local, utc in kept:
            raw.append((local, utc, leader_day.capacity, leader_day.id))
    if not raw:
        return []
    rows = db.session.execute(
        select(SlotCount.starts_at, SlotCount.taken).where(
            SlotCount.service_id == service.id,
            SlotCount.starts_at.in_([utc for _, utc, _, _ in raw]),
        )
    )
    taken = {starts_at: count for starts_at, count in rows}
    return sorted(
        (
            Slot(service.id, utc, local, capacity, taken.get(utc, 0), leader_day_id)
            for local, utc, capacity, leader_day_id in raw
        ),
        key=lambda slot: slot.starts_at,
    )


def set_closure(
    hall: Hall, day: date, *, closed_that_day: bool, reason: str = "", today: date | None = None
) -> bool:
    """Add a holiday or closure date, or take one away; True when something changed. A day in
    the past cannot be closed or reopened (`today` is the hall's)."""
    if today is not None and day < today:
        raise InvalidInput(N_("A day in the past cannot be closed or reopened."))
    reason = bounded(reason, 100)
    existing = db.session.scalars(
        select(Closure).where(Closure.hall_id == hall.id, Closure.day == day)
    ).first()
    changed = False
    if not closed_that_day and existing is not None:
        db.session.delete(existing)
        changed = True
    elif closed_that_day and existing is None:
        db.session.add(Closure(hall_id=hall.id, day=day, reason=reason))
        changed = True
    db.session.flush()
    return changed


def bookable_days(hall: Hall, now: datetime, policy: Policy) -> list[date]:
    """Days one may book now: from tomorrow (until the cut-off today) up to the horizon."""
    today = hall_day(hall.timezone, now)
    local_now = now.astimezone(zone(hall.timezone)).time()
    first = today + timedelta(days=1 if local_now < policy.cutoff else 2)
    last = today + timedelta(days=policy.horizon_days)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
