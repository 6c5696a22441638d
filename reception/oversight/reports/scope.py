"""What a report covers: the hall, its period (hall-local days), a service, and the reader
(a matter accusing one of the reader's departments is not counted for them, Art. 30)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from reception.core.clock import zone
from reception.core.errors import InvalidInput
from reception.core.messages import N_
from reception.models import (
    Hall,
)

PERIODS = ("day", "week", "month", "year", "range")
DIMENSIONS = ("service", "desk", "staff", "hour", "weekday", "day", "hall")
MAX_RANGE_DAYS = 3 * 366


# --- the period and the scope ---------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    hall_id: int
    timezone: str
    first: date  # hall-local days, inclusive
    last: date
    service_id: int | None = None
    # the departments of the reader: a matter accusing one of them is not counted for them
    # (信访工作条例 Art. 30 holds in every figure, list and export)
    hidden_from: frozenset[int] = frozenset()
    # a report over several halls of the city (the first is `hall_id`); empty: that hall alone
    hall_ids: tuple[int, ...] = ()

    @property
    def halls(self) -> tuple[int, ...]:
        return self.hall_ids or (self.hall_id,)

    def in_halls(self, column: Any) -> Any:
        """SQL: `column` (a row's hall) is one of the report's halls."""
        if len(self.halls) == 1:
            return column == self.hall_id
        return column.in_(self.halls)

    def alone(self, hall_id: int) -> Scope:
        """The same report for one of its halls."""
        return replace(self, hall_id=hall_id, hall_ids=())

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, zone(self.timezone)).astimezone(UTC)

    @property
    def end(self) -> datetime:
        after = self.last + timedelta(days=1)
        return datetime.combine(after, time.min, zone(self.timezone)).astimezone(UTC)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def period(kind: str, anchor: date, until: date | None = None) -> tuple[date, date]:
    """The first and last day of the day, week (Monday first), month, year or range."""
    if kind == "day":
        return anchor, anchor
    if kind == "week":
        first = anchor - timedelta(days=anchor.weekday())
        return first, first + timedelta(days=6)
    if kind == "month":
        first = anchor.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return first, following - timedelta(days=1)
    if kind == "year":
        return anchor.replace(month=1, day=1), anchor.replace(month=12, day=31)
    if kind == "range":
        if until is None or until < anchor:
            raise InvalidInput(N_("The range ends before it begins."))
        if (until - anchor).days >= MAX_RANGE_DAYS:
            raise InvalidInput(N_("A range spans three years at most."))
        return anchor, until
    raise InvalidInput(N_("Unknown period."))


def scope_of(
    hall: Hall,
    kind: str,
    anchor: date,
    until: date | None = None,
    service_id: int | None = None,
    hidden_from: frozenset[int] = frozenset(),
    halls: list[Hall] | None = None,
) -> Scope:
    """The scope a reader asks for: the period (`period`) of one of the services of the hall
    (or of the `halls` reported on together), or of all of them."""
    first, last = period(kind, anchor, until)
    services = {s.id for h in (halls or [hall]) for s in h.services}
    if service_id is not None and service_id not in services:
        raise InvalidInput(N_("Unknown service."))
    return scope_for(hall, first, last, service_id, hidden_from, halls)


def scope_for(
    hall: Hall,
    first: date,
    last: date,
    service_id: int | None = None,
    hidden_from: frozenset[int] = frozenset(),
    halls: list[Hall] | None = None,
) -> Scope:
    """The scope of a report on `hall`, or on `halls` (several of the city's: one time zone,
    whose hall-local days are the report's)."""
    if halls and all(h.id != hall.id for h in halls):
        hall = halls[0]  # the report is over those halls only, not the reader's own
    others = [h for h in halls or [] if h.id != hall.id]
    if any(h.timezone != hall.timezone for h in others):
        raise InvalidInput(N_("Halls in different time zones cannot be summed in one report."))
    ids = tuple(sorted({hall.id, *(h.id for h in others)})) if others else ()
    return Scope(hall.id, hall.timezone, first, last, service_id, hidden_from, ids)
