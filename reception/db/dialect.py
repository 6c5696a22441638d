"""The dialect-aware pieces of the reports' SQL: seconds between two moments, whole days
between two dates, the hall-local day, hour and weekday of a UTC moment (daylight saving
included), and the rank a nearest-rank percentile takes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Date,
    Float,
    Integer,
    cast,
    literal,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from reception.core.clock import zone

# --- dialect-aware pieces -------------------------------------------------------------------


class Seconds(FunctionElement[float]):
    """Whole seconds from `start` to `end` (two UTC timestamps)."""

    type = Float()
    inherit_cache = True


@compiles(Seconds)
def _seconds_default(element: Seconds, compiler: Any, **kw: Any) -> str:
    end, start = (compiler.process(c, **kw) for c in element.clauses)
    return f"ROUND(EXTRACT(EPOCH FROM ({end} - {start})))"


@compiles(Seconds, "sqlite")
def _seconds_sqlite(element: Seconds, compiler: Any, **kw: Any) -> str:
    end, start = (compiler.process(c, **kw) for c in element.clauses)
    return f"ROUND((julianday({end}) - julianday({start})) * 86400)"


class DaysBetween(FunctionElement[int]):
    """Calendar days from the date `start` to the date `end`."""

    type = Integer()
    inherit_cache = True


@compiles(DaysBetween)
def _days_default(element: DaysBetween, compiler: Any, **kw: Any) -> str:
    end, start = (compiler.process(c, **kw) for c in element.clauses)
    return f"({end} - {start})"


@compiles(DaysBetween, "sqlite")
def _days_sqlite(element: DaysBetween, compiler: Any, **kw: Any) -> str:
    end, start = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(ROUND(julianday({end}) - julianday({start})) AS INTEGER)"


def offsets(timezone: str, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """The zone's UTC offsets (seconds) over [start, end): (UTC moment it begins, offset)."""
    tz = zone(timezone)
    moment = start
    spans: list[tuple[datetime, int]] = []
    step = timedelta(hours=1)
    while moment < end + step:
        offset = moment.astimezone(tz).utcoffset()
        assert offset is not None
        seconds = int(offset.total_seconds())
        if not spans or spans[-1][1] != seconds:
            spans.append((moment, seconds))
        moment += step
    return spans


class LocalPart(FunctionElement[int]):
    """The hall-local hour (0-23), weekday (0 Monday) or day of a UTC timestamp."""

    type = Integer()
    inherit_cache = False

    def __init__(self, part: str, column: Any, timezone: str, spans: list[tuple[datetime, int]]):
        self.part, self.timezone, self.spans = part, timezone, spans
        super().__init__(column)


@compiles(LocalPart)
def _local_default(element: LocalPart, compiler: Any, **kw: Any) -> str:
    column = compiler.process(list(element.clauses)[0], **kw)
    name = compiler.process(literal(element.timezone), **kw)
    local = f"timezone({name}, {column} AT TIME ZONE 'UTC')"
    if element.part == "hour":
        return f"CAST(EXTRACT(HOUR FROM {local}) AS INTEGER)"
    if element.part == "day":
        return f"CAST({local} AS DATE)"
    return f"(CAST(EXTRACT(ISODOW FROM {local}) AS INTEGER) - 1)"


@compiles(LocalPart, "sqlite")
def _local_sqlite(element: LocalPart, compiler: Any, **kw: Any) -> str:
    column = compiler.process(list(element.clauses)[0], **kw)
    # SQLite knows no time zones: shift by the offset in force, span by span (DST changes)
    shifts = [
        (begin.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"), f"'{offset:+d} seconds'")
        for begin, offset in element.spans
    ]
    if len(shifts) == 1:
        local = f"datetime({column}, {shifts[0][1]})"
    else:
        whens = " ".join(
            f"WHEN {column} < '{shifts[i + 1][0]}' THEN datetime({column}, {shift})"
            for i, (_begin, shift) in enumerate(shifts[:-1])
        )
        local = f"(CASE {whens} ELSE datetime({column}, {shifts[-1][1]}) END)"
    if element.part == "hour":
        return f"CAST(strftime('%H', {local}) AS INTEGER)"
    if element.part == "day":
        return f"date({local})"
    return f"((CAST(strftime('%w', {local}) AS INTEGER) + 6) % 7)"


class LocalDay(LocalPart):
    """The hall-local calendar day of a UTC timestamp."""

    type = Date()  # type: ignore[assignment]
    inherit_cache = False  # the zone's spans are not part of a cache key

    def __init__(self, column: Any, timezone: str, spans: list[tuple[datetime, int]]):
        super().__init__("day", column, timezone, spans)


def percentile_rank(percent: int, count: Any) -> Any:
    """Nearest rank: ceil(percent/100 * n) in integer arithmetic."""
    # PostgreSQL sums integers as numeric: cast back, so that the division is a whole one
    return (cast(count, Integer) * percent + 99) // 100
