"""The figures a centre answers for, computed in the database.

Every figure is an aggregate SQL statement over the ticket event log, the ratings and the case
table: rows are never loaded into Python to be counted. Days, hours and weekdays are the hall's
(its time zone, daylight saving included); timestamps stay UTC in the tables.

A ticket's visit is made of legs: the first line it joins, and one more each time it is passed
on (a transfer, or the next desk of a planned journey). For each leg the event log says when it
entered the line (`issue` or `transfer`), when it was called, when service started and ended
(`finish`, or the `transfer` that passed it on), and whether the visitor missed the call
(`no_show`) and came back (`return`).

Percentiles are nearest-rank: the median of n values is the value at rank ceil(n/2), the 90th
percentile the value at rank ceil(0.9 n), in ascending order (what PostgreSQL's
`percentile_disc` returns). PostgreSQL computes them with `percentile_disc`; SQLite, which has
no such aggregate, from a histogram of whole seconds with a running-sum window.

Days that are over are rolled up into `leg_facts` by the timed duties (`roll_up`): a year's
report reads about one row a leg instead of grouping the millions of events behind them. The
days not rolled up yet are read from the event log, so a report is always complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Date,
    Float,
    Integer,
    and_,
    case,
    cast,
    distinct,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from reception.core.clock import zone
from reception.core.errors import InvalidInput
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import (
    Case,
    CaseStatus,
    DayPercentiles,
    FollowUp,
    Hall,
    LegFact,
    LegRollup,
    Rating,
    Ticket,
    TicketEvent,
)
from reception.models.case import accuses
from reception.models.rating import BAD
from reception.triage.clocks import HANDLE_DAYS, NOTICE_DAYS

PERIODS = ("day", "week", "month", "year", "range")
DIMENSIONS = ("service", "desk", "staff", "hour", "weekday", "day")
SATISFIED = 4  # 满意 and 非常满意
BASICALLY_SATISFIED = 3  # with 基本满意: the broader figure some offices file
MAX_RANGE_DAYS = 3 * 366
LATE = timedelta(hours=12)


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


def _percentile_rank(percent: int, count: Any) -> Any:
    """Nearest rank: ceil(percent/100 * n) in integer arithmetic."""
    # PostgreSQL sums integers as numeric: cast back, so that the division is a whole one
    return (cast(count, Integer) * percent + 99) // 100


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
) -> Scope:
    """The scope a reader asks for: the period (`period`) of one of the hall's services, or of
    all of them."""
    first, last = period(kind, anchor, until)
    if service_id is not None and service_id not in {s.id for s in hall.services}:
        raise InvalidInput(N_("Unknown service."))
    return scope_for(hall, first, last, service_id, hidden_from)


def scope_for(
    hall: Hall,
    first: date,
    last: date,
    service_id: int | None = None,
    hidden_from: frozenset[int] = frozenset(),
) -> Scope:
    return Scope(hall.id, hall.timezone, first, last, service_id, hidden_from)


# --- legs: one row per leg of every ticket in the period -------------------------------------


def _live_legs(scope: Scope) -> Any:
    """One row per (ticket, leg) in the period, from the event log: when it entered the line,
    was called, started and ended; its service, desk, staff; whether it was a no-show, came
    back, was passed on. A `transfer` event opens its leg and ends the one before, so it is
    read twice."""
    e = TicketEvent
    # a leg belongs to the period its line entry falls in; its later events (a service that
    # ran past midnight) are read up to half a day beyond the period's end
    window = and_(e.hall_id == scope.hall_id, e.at >= scope.start, e.at < scope.end + LATE)
    own = select(
        e.ticket_id.label("ticket_id"),
        e.leg.label("leg"),
        e.action.label("action"),
        e.at.label("at"),
        e.service_id.label("service_id"),
        e.desk_id.label("desk_id"),
        e.staff_id.label("staff_id"),
    ).where(window)
    passed = select(
        e.ticket_id,
        (e.leg - 1).label("leg"),
        literal("passed").label("action"),
        e.at,
        e.service_id,
        e.desk_id,
        e.staff_id,
    ).where(window, e.action == "transfer")
    rows = union_all(own, passed).subquery("leg_events")
    a = rows.c.action

    def first(*actions: str) -> Any:
        return func.min(case((a.in_(actions), rows.c.at)))

    def flag(action: str) -> Any:
        return func.max(case((a == action, 1), else_=0))

    legs = (
        select(
            rows.c.ticket_id,
            rows.c.leg,
            first("issue", "transfer").label("entered"),
            first("call").label("called"),
            first("start").label("started"),
            first("finish", "passed").label("ended"),
            func.max(case((a.in_(("issue", "transfer")), rows.c.service_id))).label("service_id"),
            func.coalesce(
                func.max(case((a == "start", rows.c.desk_id))),
                func.max(case((a == "call", rows.c.desk_id))),
            ).label("desk_id"),
            func.coalesce(
                func.max(case((a == "start", rows.c.staff_id))),
                func.max(case((a == "call", rows.c.staff_id))),
            ).label("staff_id"),
            flag("no_show").label("no_show"),
            flag("return").label("returned"),
            flag("passed").label("passed"),
        )
        .group_by(rows.c.ticket_id, rows.c.leg)
        .subquery("legs_raw")
    )
    # legs whose line entry fell before or after the period stay out
    keep: Any = and_(legs.c.entered >= scope.start, legs.c.entered < scope.end)
    spans = offsets(scope.timezone, scope.start, scope.end + LATE)
    return select(
        legs.c.ticket_id,
        legs.c.leg,
        LocalDay(legs.c.entered, scope.timezone, spans).label("service_day"),
        legs.c.entered,
        legs.c.called,
        legs.c.started,
        legs.c.ended,
        legs.c.service_id,
        legs.c.desk_id,
        legs.c.staff_id,
        legs.c.no_show,
        legs.c.returned,
        legs.c.passed,
        Seconds(legs.c.called, legs.c.entered).label("wait"),
        case((legs.c.started.is_not(None), Seconds(legs.c.ended, legs.c.started))).label("service"),
        LocalPart("hour", legs.c.entered, scope.timezone, spans).label("hour"),
        LocalPart("weekday", legs.c.entered, scope.timezone, spans).label("weekday"),
    ).where(keep)


FACT_COLUMNS = (
    "ticket_id",
    "leg",
    "service_day",
    "entered",
    "called",
    "started",
    "ended",
    "service_id",
    "desk_id",
    "staff_id",
    "no_show",
    "returned",
    "passed",
    "wait",
    "service",
    "hour",
    "weekday",
)


def rolled_until(hall_id: int) -> date | None:
    return db.session.scalar(select(LegRollup.until).where(LegRollup.hall_id == hall_id))


def _rated(live: Any) -> Any:
    """Legs read from the event log, with their rating (the rolled-up ones carry theirs)."""
    legs = live.subquery("live_legs")
    return select(*legs.c, Rating.level.label("level")).outerjoin(
        Rating, and_(Rating.ticket_id == legs.c.ticket_id, Rating.leg == legs.c.leg)
    )


def _legs(scope: Scope, with_ratings: bool = True) -> Any:
    """The period's legs (with their ratings): rolled-up days from `leg_facts`, the days not
    rolled up yet (today, yesterday) straight from the event log."""
    until = rolled_until(scope.hall_id)
    names = (*FACT_COLUMNS, "level") if with_ratings else FACT_COLUMNS
    f = LegFact.__table__.c
    parts = []
    if until is not None and until >= scope.first:
        parts.append(
            select(*(f[name] for name in names)).where(
                f.hall_id == scope.hall_id,
                f.service_day >= scope.first,
                f.service_day <= min(until, scope.last),
            )
        )
    live_from = scope.first if until is None else max(scope.first, until + timedelta(days=1))
    if live_from <= scope.last:
        live = _live_legs(Scope(scope.hall_id, scope.timezone, live_from, scope.last))
        parts.append(_rated(live) if with_ratings else live)
    if not parts:  # an empty period: no rows, the right columns
        parts.append(select(*(f[name] for name in names)).where(literal(False)))
    legs = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("period_legs")
    if scope.service_id is None:
        return legs
    return select(*legs.c).where(legs.c.service_id == scope.service_id).subquery("legs")


def roll_up(hall: Hall, now: datetime, chunk_days: int = 31) -> int:
    """Write the legs of every day that is over (12 hours past its end, so a late visit has
    finished) into `leg_facts`, oldest first, a chunk of days at a time. Returns the days
    rolled. Run by the timed duties; reports read the rest from the event log."""
    local_now = now.astimezone(zone(hall.timezone))
    last = local_now.date() - timedelta(days=1 if local_now.hour >= 12 else 2)
    until = rolled_until(hall.id)
    if until is None:
        first_day = db.session.scalar(
            select(func.min(Ticket.service_day)).where(Ticket.hall_id == hall.id)
        )
        if first_day is None or first_day > last:
            return 0
        start = first_day
    else:
        start = until + timedelta(days=1)
    if start > last:
        return 0
    end = min(last, start + timedelta(days=chunk_days - 1))
    live = _rated(_live_legs(Scope(hall.id, hall.timezone, start, end))).subquery("to_roll")
    db.session.execute(
        insert(LegFact).from_select(
            ["hall_id", *FACT_COLUMNS, "level"],
            select(literal(hall.id), *(live.c[name] for name in (*FACT_COLUMNS, "level"))),
        )
    )
    if until is None:
        db.session.add(LegRollup(hall_id=hall.id, until=end))
    else:
        db.session.execute(update(LegRollup).where(LegRollup.hall_id == hall.id).values(until=end))
    db.session.flush()
    _roll_up_percentiles(Scope(hall.id, hall.timezone, start, end))
    return (end - start).days + 1


def _roll_up_percentiles(chunk: Scope) -> None:
    """The rolled-up days' percentiles, for the whole hall (service 0) and for each service."""
    f = LegFact.__table__.c
    services = db.session.scalars(
        select(f.service_id)
        .where(
            f.hall_id == chunk.hall_id,
            f.service_day >= chunk.first,
            f.service_day <= chunk.last,
            f.service_id.is_not(None),
        )
        .distinct()
    ).all()
    rows = []
    for service_id in (None, *services):
        scope = Scope(chunk.hall_id, chunk.timezone, chunk.first, chunk.last, service_id)
        found = {m: _percentiles(scope, "day", m) for m in ("wait", "service")}
        for day in found["wait"].keys() | found["service"].keys():
            wait = found["wait"].get(day, (None, None))
            service = found["service"].get(day, (None, None))
            rows.append(
                {
                    "hall_id": chunk.hall_id,
                    "service_day": day,
                    "service_id": service_id or 0,
                    "wait_p50": wait[0],
                    "wait_p90": wait[1],
                    "service_p50": service[0],
                    "service_p90": service[1],
                }
            )
    if rows:
        db.session.execute(insert(DayPercentiles), rows)


def _day_percentiles(scope: Scope) -> dict[str, dict[Any, tuple[Any, Any]]]:
    """Percentiles by day: the rolled-up days' as written at the roll-up, the rest ranked now."""
    found: dict[str, dict[Any, tuple[Any, Any]]] = {"wait": {}, "service": {}}
    until = rolled_until(scope.hall_id)
    if until is not None and until >= scope.first:
        d = DayPercentiles
        for row in db.session.scalars(
            select(d).where(
                d.hall_id == scope.hall_id,
                d.service_day >= scope.first,
                d.service_day <= min(until, scope.last),
                d.service_id == (scope.service_id or 0),
            )
        ):
            found["wait"][row.service_day] = (row.wait_p50, row.wait_p90)
            found["service"][row.service_day] = (row.service_p50, row.service_p90)
    live_from = scope.first if until is None else max(scope.first, until + timedelta(days=1))
    if live_from <= scope.last:
        live = Scope(scope.hall_id, scope.timezone, live_from, scope.last, scope.service_id)
        for metric in ("wait", "service"):
            found[metric].update(_percentiles(live, "day", metric))
    return found


def _group(legs: Any, dimension: str) -> Any:
    if dimension == "all":
        return literal(0)
    return {
        "day": legs.c.service_day,
        "service": legs.c.service_id,
        "desk": legs.c.desk_id,
        "staff": legs.c.staff_id,
        "hour": legs.c.hour,
        "weekday": legs.c.weekday,
    }[dimension]


def _percentiles(scope: Scope, dimension: str, value: str) -> dict[Any, tuple[Any, Any]]:
    """Median and 90th percentile of `value` per group, nearest rank, from a histogram: count
    the legs per (group, whole second), add the counts up in order, and take the first value
    whose running count reaches the rank. One sort of the distinct values, not of every leg."""
    legs = _legs(scope, with_ratings=False)
    key = _group(legs, dimension)
    v = legs.c[value]
    histogram = (
        select(key.label("grp"), v.label("v"), func.count().label("legs"))
        .where(v.is_not(None))
        .group_by(key, v)
        .subquery("histogram")
    )
    h = histogram.c
    running = select(
        h.grp,
        h.v,
        func.sum(h.legs).over(partition_by=h.grp, order_by=h.v, rows=(None, 0)).label("upto"),
        func.sum(h.legs).over(partition_by=h.grp).label("n"),
    ).subquery("running")
    r = running.c

    def rank(percent: int) -> Any:
        return func.min(case((r.upto >= _percentile_rank(percent, r.n), r.v)))

    rows = db.session.execute(select(r.grp, rank(50), rank(90)).group_by(r.grp))
    return {grp: (p50, p90) for grp, p50, p90 in rows}


VISIT_COLUMNS = (
    "key",
    "legs",
    "served",
    "wait_p50",
    "wait_p90",
    "service_p50",
    "service_p90",
    "no_shows",
    "returned",
    "transfers",
    "rated",
    "satisfied",
    "bad",
    "satisfaction",
    "rating_rate",
    "satisfaction_broad",
)


def visits(scope: Scope, dimension: str) -> list[dict[str, Any]]:
    """The visit figures grouped by `dimension` ("all" for one row over the whole period)."""
    if dimension not in (*DIMENSIONS, "all"):
        raise InvalidInput(N_("Unknown grouping."))
    legs = _legs(scope)
    key = _group(legs, dimension)
    by_day = dimension == "day"  # finished days' percentiles were ranked at the roll-up
    native = not by_day and db.session.get_bind().dialect.name == "postgresql"
    counts = (
        select(
            key.label("grp"),
            *_leg_counts(legs),
            *(
                # PostgreSQL's ordered-set aggregate is the same nearest rank, in one pass
                func.percentile_disc(percent / 100)
                .within_group(legs.c[name])
                .label(f"{name}_p{percent}")
                for name in ("wait", "service")
                for percent in (50, 90)
                if native
            ),
        )
        .group_by(key)
        .order_by(key)
    )
    found: dict[str, dict[Any, tuple[Any, Any]]] = {}
    if by_day:
        found = _day_percentiles(scope)
    elif not native:
        found = {m: _percentiles(scope, dimension, m) for m in ("wait", "service")}
    rows = []
    for row in db.session.execute(counts).mappings():
        item = _with_rates(row)
        item["key"] = key_value = item.pop("grp")
        for name in ("wait", "service"):
            if not native:
                item[f"{name}_p50"], item[f"{name}_p90"] = found[name].get(key_value, (None, None))
            for percent in (50, 90):
                value = item[f"{name}_p{percent}"]
                item[f"{name}_p{percent}"] = int(value) if value is not None else None
        rows.append({name: item[name] for name in VISIT_COLUMNS})
    return rows


# --- what each leg figure means: written once, read by every surface -------------------------


def _leg_counts(legs: Any) -> tuple[Any, ...]:
    """The counted figures of a set of legs (`_legs`). A leg is one line a visitor joined (the
    ticket's first, and each one a transfer or a planned journey's next desk opened). It was
    *served* when its service started at a desk, once however often it was held and started
    again; a *no-show* when its visitor missed a call (once, however many calls were missed);
    *returned* when that visitor came back; a *transfer* when it ended by passing the visitor
    on; *rated* when its visitor rated it (a rating changed within its ten minutes is the one
    rating, at its last level)."""
    level = legs.c.level
    return (
        func.count().label("legs"),
        func.count(legs.c.started).label("served"),
        func.coalesce(func.sum(legs.c.no_show), 0).label("no_shows"),
        func.coalesce(func.sum(legs.c.returned), 0).label("returned"),
        func.coalesce(func.sum(legs.c.passed), 0).label("transfers"),
        func.count(level).label("rated"),
        func.coalesce(func.sum(case((level >= SATISFIED, 1), else_=0)), 0).label("satisfied"),
        func.coalesce(func.sum(case((level >= BASICALLY_SATISFIED, 1), else_=0)), 0).label("basic"),
        func.coalesce(func.sum(case((level <= BAD, 1), else_=0)), 0).label("bad"),
    )


LEG_COUNTS = ("legs", "served", "no_shows", "returned", "transfers", "rated", "satisfied", "bad")


def _with_rates(row: Any) -> dict[str, Any]:
    """The counts of `_leg_counts` as integers, with the rates made of them: 满意率 (satisfied
    over rated), 满意率 with 基本满意, 参评率 (rated over served)."""
    item = dict(row)
    for name in (*LEG_COUNTS, "basic"):
        item[name] = int(item[name] or 0)
    item["satisfaction"] = _percent(item["satisfied"], item["rated"])
    item["satisfaction_broad"] = _percent(item["basic"], item["rated"])
    item["rating_rate"] = _percent(item["rated"], item["served"])
    return item


def _no_legs() -> dict[str, Any]:
    """The visit figures of a period without a leg: counts of 0, no rate, no percentile."""
    figures = _with_rates(dict.fromkeys((*LEG_COUNTS, "basic"), 0))
    return {name: figures.get(name) for name in VISIT_COLUMNS if name != "key"}


def day_totals(hall: Hall, day: date) -> dict[str, Any]:
    """The supervisor's board's totals of the hall's `day`: the day report's figures (`summary`)
    by the same definitions, without the percentiles and case figures the board does not show."""
    scope = scope_for(hall, day, day)
    legs = _legs(scope)
    totals = _with_rates(db.session.execute(select(*_leg_counts(legs))).mappings().one())
    totals.update(ticket_figures(scope))
    return totals


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def summary(scope: Scope, today: date) -> dict[str, Any]:
    """The period's headline figures: the visit figures over all legs, plus tickets, people,
    journeys, group visits, repeat visits, case ratings and follow-ups."""
    overall = visits(scope, "all")
    figures: dict[str, Any] = dict(overall[0]) if overall else _no_legs()
    figures.pop("key", None)
    figures.update(ticket_figures(scope))
    case_rated, case_satisfied = db.session.execute(
        select(
            func.count(Rating.id), func.sum(case((Rating.level >= SATISFIED, 1), else_=0))
        ).where(
            Rating.hall_id == scope.hall_id,
            Rating.leg == 0,
            Rating.rated_at >= scope.start,
            Rating.rated_at < scope.end,
        )
    ).one()
    figures["case_rated"] = case_rated
    figures["case_satisfaction"] = _percent(int(case_satisfied or 0), case_rated)
    figures.update(follow_ups(scope, today))
    return figures


def ticket_figures(scope: Scope) -> dict[str, int]:
    """The figures of the tickets issued on the period's days (of the service they first joined,
    when the scope names one): a *ticket* is one visit to the hall, whatever became of it
    (cancelled and no-show tickets included); *visitors* the different people among those with
    a registered matter; a *journey* a visit that went through more than one desk; a *group
    visit* one of a matter brought by 2 or more, whose members all count in the *headcount*
    (and in *group_people*); a *repeat visit* one by someone who had registered before."""
    tickets = select(Ticket.id, Ticket.case_id, Ticket.leg).where(
        Ticket.hall_id == scope.hall_id,
        Ticket.service_day >= scope.first,
        Ticket.service_day <= scope.last,
    )
    if scope.service_id is not None:
        first_service = (
            select(TicketEvent.service_id)
            .where(TicketEvent.ticket_id == Ticket.id, TicketEvent.action == "issue")
            .scalar_subquery()
        )
        tickets = tickets.where(first_service == scope.service_id)
    t = tickets.subquery("period_tickets")
    group = Case.group_size > 1
    row = db.session.execute(
        select(
            func.count(t.c.id).label("tickets"),
            func.count(distinct(Case.visitor_id)).label("visitors"),
            func.sum(case((t.c.leg > 1, 1), else_=0)).label("journeys"),
            func.sum(case((group, 1), else_=0)).label("group_visits"),
            func.sum(func.coalesce(Case.group_size, 1)).label("headcount"),
            func.sum(case((group, Case.group_size), else_=0)).label("group_people"),
            func.sum(case((Case.repeat.is_(True), 1), else_=0)).label("repeat_visits"),
        ).select_from(t.outerjoin(Case, Case.id == t.c.case_id))
    ).one()
    return {k: int(v or 0) for k, v in row._mapping.items()}


def follow_ups(scope: Scope, today: date) -> dict[str, int]:
    """Call-backs of the bad ratings given in the period: done by the due date (the hall's
    day), done late, open and overdue."""
    spans = offsets(scope.timezone, scope.start, datetime.now(UTC) + timedelta(days=1))
    done_day = LocalPart("day", FollowUp.done_at, scope.timezone, spans)
    on_time = and_(FollowUp.done_at.is_not(None), DaysBetween(FollowUp.due, done_day) >= 0)
    row = db.session.execute(
        select(
            func.count(FollowUp.id).label("follow_ups"),
            func.sum(case((on_time, 1), else_=0)).label("follow_ups_on_time"),
            func.sum(case((and_(FollowUp.done_at.is_not(None), ~on_time), 1), else_=0)).label(
                "follow_ups_late"
            ),
            func.sum(
                case((and_(FollowUp.done_at.is_(None), FollowUp.due < today), 1), else_=0)
            ).label("follow_ups_overdue"),
        )
        .join(Rating, Rating.id == FollowUp.rating_id)
        .where(
            FollowUp.hall_id == scope.hall_id,
            Rating.rated_at >= scope.start,
            Rating.rated_at < scope.end,
        )
    ).one()
    return {k: int(v or 0) for k, v in row._mapping.items()}


# --- cases ----------------------------------------------------------------------------------

ACCEPTED = (CaseStatus.ACCEPTED.value, CaseStatus.CONCLUDED.value)


def _cases_in(scope: Scope) -> Any:
    where = [
        Case.hall_id == scope.hall_id,
        Case.registered_on >= scope.first,
        Case.registered_on <= scope.last,
    ]
    if scope.service_id is not None:
        where.append(Case.department_id == scope.service_id)
    if scope.hidden_from:
        where.append(~accuses(Case.id, scope.hidden_from))
    return and_(*where)


def cases(scope: Scope, today: date) -> dict[str, Any]:
    """The statutory clocks of the matters registered in the period, as of `today`.

    及时受理率: decided (accepted, not accepted, transferred) within 15 days of registration, over
    the cases decided or whose 15 days have run out. 按期办结率: replied within 60 days of
    acceptance plus any extension, over the accepted cases replied or whose time has run out."""
    decided_in_time = and_(
        Case.decided_on.is_not(None),
        DaysBetween(Case.decided_on, Case.registered_on) <= NOTICE_DAYS,
    )
    notice_due = or_(
        Case.decided_on.is_not(None), Case.registered_on < today - timedelta(days=NOTICE_DAYS)
    )
    accepted = Case.status.in_(ACCEPTED)
    limit = HANDLE_DAYS + Case.extension_days
    replied_in_time = and_(
        Case.replied_on.is_not(None), DaysBetween(Case.replied_on, Case.decided_on) <= limit
    )
    handle_due = and_(
        accepted,
        or_(
            Case.replied_on.is_not(None), DaysBetween(literal(today, Date), Case.decided_on) > limit
        ),
    )
    overdue_notice = and_(
        Case.status == CaseStatus.REGISTERED.value,
        Case.registered_on < today - timedelta(days=NOTICE_DAYS),
    )
    overdue_reply = and_(
        accepted,
        Case.replied_on.is_(None),
        DaysBetween(literal(today, Date), Case.decided_on) > limit,
    )

    def count(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    row = db.session.execute(
        select(
            func.count(Case.id).label("registered"),
            count(Case.status == CaseStatus.REGISTERED.value).label("undecided"),
            count(accepted).label("accepted"),
            count(Case.status == CaseStatus.NOT_ACCEPTED.value).label("not_accepted"),
            count(Case.status == CaseStatus.NOT_REACCEPTED.value).label("not_reaccepted"),
            count(Case.status == CaseStatus.TRANSFERRED.value).label("transferred"),
            count(Case.replied_on.is_not(None)).label("replied"),
            count(notice_due).label("notice_due"),
            count(and_(notice_due, decided_in_time)).label("noticed_in_time"),
            count(handle_due).label("handle_due"),
            count(and_(handle_due, replied_in_time)).label("replied_in_time"),
            count(overdue_notice).label("overdue_notice"),
            count(overdue_reply).label("overdue_reply"),
            count(Case.extension_days > 0).label("extensions"),
            count(Case.review_requested_on.is_not(None)).label("reviews"),
            count(Case.recheck_requested_on.is_not(None)).label("rechecks"),
            count(Case.group_size > 1).label("group_cases"),
            count(Case.accusation.is_(True)).label("accusations"),
        ).where(_cases_in(scope))
    ).one()
    figures: dict[str, Any] = {k: int(v or 0) for k, v in row._mapping.items()}
    figures["overdue"] = figures["overdue_notice"] + figures["overdue_reply"]
    figures["timely_notice_rate"] = _percent(figures["noticed_in_time"], figures["notice_due"])
    figures["timely_reply_rate"] = _percent(figures["replied_in_time"], figures["handle_due"])
    return figures


def outcomes_by_category(scope: Scope) -> list[dict[str, Any]]:
    """Matters of the period by category and state."""
    rows = db.session.execute(
        select(Case.category, Case.status, func.count(Case.id))
        .where(_cases_in(scope))
        .group_by(Case.category, Case.status)
        .order_by(Case.category, Case.status)
    ).all()
    return [{"category": c, "status": s, "count": n} for c, s, n in rows]


def late_cases(scope: Scope, today: date, limit: int = 50) -> list[Case]:
    """The matters of the period that are late now (decision or reply overdue), oldest first."""
    accepted = Case.status.in_(ACCEPTED)
    limit_days = HANDLE_DAYS + Case.extension_days
    late = or_(
        and_(
            Case.status == CaseStatus.REGISTERED.value,
            Case.registered_on < today - timedelta(days=NOTICE_DAYS),
        ),
        and_(
            accepted,
            Case.replied_on.is_(None),
            DaysBetween(literal(today, Date), Case.decided_on) > limit_days,
        ),
    )
    return list(
        db.session.scalars(
            select(Case).where(_cases_in(scope), late).order_by(Case.registered_on).limit(limit)
        )
    )


# --- Art. 41: the year's statistics -----------------------------------------------------------


PETITION_FORMS = ("visit", "letter", "online", "phone")  # 走访, 来信, 网上, 电话


def annual(
    hall: Hall, year: int, hidden_from: frozenset[int] = frozenset()
) -> dict[str, list[tuple[Any, ...]]]:
    """信访工作条例 Art. 41: the year's matters by category, channel, department and outcome;
    visits and headcount; group visits."""
    scope = scope_for(hall, date(year, 1, 1), date(year, 12, 31), hidden_from=hidden_from)
    where = _cases_in(scope)

    def by(column: Any) -> list[tuple[Any, ...]]:
        rows = db.session.execute(
            select(column, func.count(Case.id), func.sum(Case.group_size))
            .where(where)
            .group_by(column)
            .order_by(func.count(Case.id).desc(), column)
        ).all()
        return [tuple(r) for r in rows]

    first_ticket = (
        select(Ticket.case_id, func.min(Ticket.id).label("ticket_id"))
        .where(Ticket.case_id.is_not(None), Ticket.hall_id == hall.id)
        .group_by(Ticket.case_id)
        .subquery("first_ticket")
    )
    channel = func.coalesce(Ticket.channel, literal_column("'registration'"))
    channels = db.session.execute(
        select(channel, func.count(Case.id), func.sum(Case.group_size))
        .select_from(Case)
        .outerjoin(first_ticket, first_ticket.c.case_id == Case.id)
        .outerjoin(Ticket, Ticket.id == first_ticket.c.ticket_id)
        .where(where)
        .group_by(channel)
        .order_by(func.count(Case.id).desc())
    ).all()
    visited = ticket_figures(scope)
    matters = sum(int(count or 0) for _key, count, _people in channels)
    people = sum(int(n or 0) for _key, _count, n in channels)
    return {
        "category": by(Case.category),
        "channel": [tuple(r) for r in channels],
        # the petition forms of the national statistics (走访, 来信, 网上, 电话): every matter
        # this hall registers came in person, at the counter, the kiosk or by booking
        "form": [
            (form, matters if form == "visit" else 0, people if form == "visit" else 0)
            for form in PETITION_FORMS
        ],
        "department": by(Case.department_id),
        "outcome": by(Case.status),
        "visits": [
            ("visits", visited["tickets"]),
            ("headcount", visited["headcount"]),
            ("group_visits", visited["group_visits"]),
            ("group_people", visited["group_people"]),
        ],
    }
