"""One row per leg of every visit in a period.

A ticket's visit is made of legs: the first line it joins, and one more each time it is passed
on (a transfer, or the next desk of a planned journey). For each leg the event log says when it
entered the line (`issue` or `transfer`), when it was called, when service started and ended
(`finish`, or the `transfer` that passed it on), and whether the visitor missed the call
(`no_show`) and came back (`return`).

Days that are over are rolled up into `leg_facts` by the timed duties (`roll_up`): a year's
report reads about one row a leg instead of grouping the millions of events behind them. The
days not rolled up yet are read from the event log, so a report is always complete.

Percentiles are nearest-rank: the median of n values is the value at rank ceil(n/2), the 90th
percentile the value at rank ceil(0.9 n), in ascending order (what PostgreSQL's
`percentile_disc` returns). PostgreSQL computes them with `percentile_disc`; SQLite, which has
no such aggregate, from a histogram of whole seconds with a running-sum window."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    case,
    func,
    insert,
    literal,
    select,
    union_all,
    update,
)

from reception.core.clock import zone
from reception.db.dialect import LocalDay, LocalPart, Seconds, offsets, percentile_rank
from reception.db.extensions import db
from reception.models import (
    DayPercentiles,
    Hall,
    LegFact,
    LegRollup,
    Rating,
    Ticket,
    TicketEvent,
)
from reception.models.case import accuses
from reception.oversight.reports.scope import Scope

LATE = timedelta(hours=12)


# --- legs: one row per leg of every ticket in the period -------------------------------------


def live_legs(scope: Scope) -> Any:
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
    legs = _grouped_by_leg(union_all(own, passed).subquery("leg_events"))
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


def _grouped_by_leg(rows: Any) -> Any:
    """The events of `live_legs`, one row a (ticket, leg): the first entry into the line, call,
    start and end; the service, desk and staff; the no-show, return and passed-on flags."""
    a = rows.c.action

    def first(*actions: str) -> Any:
        return func.min(case((a.in_(actions), rows.c.at)))

    def flag(action: str) -> Any:
        return func.max(case((a == action, 1), else_=0))

    return (
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


def rated(live: Any) -> Any:
    """Legs read from the event log, with their rating (the rolled-up ones carry theirs)."""
    legs = live.subquery("live_legs")
    return select(*legs.c, Rating.level.label("level")).outerjoin(
        Rating, and_(Rating.ticket_id == legs.c.ticket_id, Rating.leg == legs.c.leg)
    )


def period_legs(scope: Scope, with_ratings: bool = True) -> Any:
    """The period's legs (with their ratings): rolled-up days from `leg_facts`, the days not
    rolled up yet (today, yesterday) straight from the event log; over several halls, each
    hall's so (each has its own roll-up), with a `hall_id` column."""
    names = (*FACT_COLUMNS, "level") if with_ratings else FACT_COLUMNS
    f = LegFact.__table__.c
    several = len(scope.halls) > 1
    parts: list[Select[Any]] = []
    for hall_id in scope.halls:
        for one in _hall_legs(scope.alone(hall_id), names, with_ratings):
            parts.append(_tagged(one, hall_id) if several else one)
    if not parts:  # an empty period: no rows, the right columns
        empty = select(*(f[name] for name in names)).where(literal(False))
        parts.append(_tagged(empty, scope.hall_id) if several else empty)
    legs = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("period_legs")
    keep = []
    if scope.service_id is not None:
        keep.append(legs.c.service_id == scope.service_id)
    if scope.hidden_from:
        keep.append(legs.c.ticket_id.not_in(accusing_tickets(scope)))
    if not keep:
        return legs
    return select(*legs.c).where(*keep).subquery("legs")


def _tagged(part: Select[Any], hall_id: int) -> Select[Any]:
    """A hall's legs with a `hall_id` column (for a report over several halls)."""
    rows = part.subquery()
    return select(*rows.c, literal(hall_id).label("hall_id"))


def _hall_legs(scope: Scope, names: tuple[str, ...], with_ratings: bool) -> list[Select[Any]]:
    """One hall's legs of the period: its rolled-up days, then the rest from the event log."""
    until = rolled_until(scope.hall_id)
    f = LegFact.__table__.c
    parts: list[Select[Any]] = []
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
        live = live_legs(Scope(scope.hall_id, scope.timezone, live_from, scope.last))
        parts.append(rated(live) if with_ratings else live)
    return parts


def accusing_tickets(scope: Scope) -> Any:
    """The hall's tickets of matters accusing one of the reader's departments (Art. 30): their
    legs, ratings and tickets count for nobody of those departments."""
    return select(Ticket.id).where(
        scope.in_halls(Ticket.hall_id),
        Ticket.case_id.is_not(None),
        accuses(Ticket.case_id, scope.hidden_from),
    )


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
    live = rated(live_legs(Scope(hall.id, hall.timezone, start, end))).subquery("to_roll")
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
    roll_up_percentiles(Scope(hall.id, hall.timezone, start, end))
    return (end - start).days + 1


def roll_up_percentiles(chunk: Scope) -> None:
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
        found = {m: percentiles(scope, "day", m) for m in ("wait", "service")}
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


def day_percentiles(scope: Scope) -> dict[str, dict[Any, tuple[Any, Any]]]:
    """Percentiles by day: the rolled-up days' as written at the roll-up, the rest ranked now."""
    found: dict[str, dict[Any, tuple[Any, Any]]] = {"wait": {}, "service": {}}
    if len(scope.halls) > 1:  # the halls' days ranked together: no roll-up holds that
        for metric in ("wait", "service"):
            found[metric].update(percentiles(scope, "day", metric))
        return found
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
            found[metric].update(percentiles(live, "day", metric))
    return found


def group_key(legs: Any, dimension: str, hall_id: int = 0) -> Any:
    if dimension == "all":
        return literal(0)
    if dimension == "hall":  # one hall's legs carry no hall column: they are all `hall_id`'s
        return legs.c.hall_id if "hall_id" in legs.c else literal(hall_id)
    return {
        "day": legs.c.service_day,
        "service": legs.c.service_id,
        "desk": legs.c.desk_id,
        "staff": legs.c.staff_id,
        "hour": legs.c.hour,
        "weekday": legs.c.weekday,
    }[dimension]


def percentiles(scope: Scope, dimension: str, value: str) -> dict[Any, tuple[Any, Any]]:
    """Median and 90th percentile of `value` per group, nearest rank, from a histogram: count
    the legs per (group, whole second), add the counts up in order, and take the first value
    whose running count reaches the rank. One sort of the distinct values, not of every leg."""
    legs = period_legs(scope, with_ratings=False)
    key = group_key(legs, dimension, scope.hall_id)
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
        return func.min(case((r.upto >= percentile_rank(percent, r.n), r.v)))

    rows = db.session.execute(select(r.grp, rank(50), rank(90)).group_by(r.grp))
    return {grp: (p50, p90) for grp, p50, p90 in rows}
