"""The visit figures and the ticket figures: what each one counts is written here once, and
the board, the report page, its exports and the API read them from here."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    and_,
    case,
    distinct,
    func,
    or_,
    select,
)

from reception.core.errors import InvalidInput
from reception.core.messages import N_
from reception.db.dialect import DaysBetween, LocalPart, offsets
from reception.db.extensions import db
from reception.models import (
    Case,
    FollowUp,
    Hall,
    Rating,
    Ticket,
    TicketEvent,
)
from reception.models.case import accuses
from reception.models.rating import BAD
from reception.oversight.reports.legs import day_percentiles, group_key, percentiles, period_legs
from reception.oversight.reports.scope import DIMENSIONS, Scope, scope_for

SATISFIED = 4  # 满意 and 非常满意
BASICALLY_SATISFIED = 3  # with 基本满意: the broader figure some offices file


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
    legs = period_legs(scope)
    key = group_key(legs, dimension, scope.hall_id)
    # finished days' percentiles were ranked at the roll-up, for every reader but those an
    # accusation is hidden from (theirs are ranked now, without it)
    by_day = dimension == "day" and not scope.hidden_from
    native = not by_day and db.session.get_bind().dialect.name == "postgresql"
    counts = (
        select(
            key.label("grp"),
            *leg_counts(legs),
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
        found = day_percentiles(scope)
    elif not native:
        found = {m: percentiles(scope, dimension, m) for m in ("wait", "service")}
    rows = []
    for row in db.session.execute(counts).mappings():
        item = with_rates(row)
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


def leg_counts(legs: Any) -> tuple[Any, ...]:
    """The counted figures of a set of legs (`period_legs`). A leg is one line a visitor joined (the
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


def with_rates(row: Any) -> dict[str, Any]:
    """The counts of `leg_counts` as integers, with the rates made of them: 满意率 (satisfied
    over rated), 满意率 with 基本满意, 参评率 (rated over served)."""
    item = dict(row)
    for name in (*LEG_COUNTS, "basic"):
        item[name] = int(item[name] or 0)
    item["satisfaction"] = rate_of(item["satisfied"], item["rated"])
    item["satisfaction_broad"] = rate_of(item["basic"], item["rated"])
    item["rating_rate"] = rate_of(item["rated"], item["served"])
    return item


def no_legs() -> dict[str, Any]:
    """The visit figures of a period without a leg: counts of 0, no rate, no percentile."""
    figures = with_rates(dict.fromkeys((*LEG_COUNTS, "basic"), 0))
    return {name: figures.get(name) for name in VISIT_COLUMNS if name != "key"}


def day_totals(hall: Hall, day: date, hidden_from: frozenset[int] = frozenset()) -> dict[str, Any]:
    """The supervisor's board's totals of the hall's `day`, for a reader of these departments:
    the day report's figures (`summary`) by the same definitions, without the percentiles and
    case figures the board does not show."""
    scope = scope_for(hall, day, day, hidden_from=hidden_from)
    legs = period_legs(scope)
    totals = with_rates(db.session.execute(select(*leg_counts(legs))).mappings().one())
    totals.update(ticket_figures(scope))
    return totals


def rate_of(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def summary(scope: Scope, today: date) -> dict[str, Any]:
    """The period's headline figures: the visit figures over all legs, plus tickets, people,
    journeys, group visits, repeat visits, case ratings and follow-ups."""
    overall = visits(scope, "all")
    figures: dict[str, Any] = dict(overall[0]) if overall else no_legs()
    figures.pop("key", None)
    figures.update(ticket_figures(scope))
    case_rated, case_satisfied = db.session.execute(
        select(
            func.count(Rating.id), func.sum(case((Rating.level >= SATISFIED, 1), else_=0))
        ).where(
            scope.in_halls(Rating.hall_id),
            Rating.leg == 0,
            Rating.rated_at >= scope.start,
            Rating.rated_at < scope.end,
            *_not_accusing(Rating.case_id, scope),
        )
    ).one()
    figures["case_rated"] = case_rated
    figures["case_satisfaction"] = rate_of(int(case_satisfied or 0), case_rated)
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
        scope.in_halls(Ticket.hall_id),
        Ticket.service_day >= scope.first,
        Ticket.service_day <= scope.last,
        *_not_accusing(Ticket.case_id, scope),
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


def _not_accusing(case_id: Any, scope: Scope) -> list[Any]:
    """The condition that keeps a row of a matter accusing the reader's department out."""
    if not scope.hidden_from:
        return []
    return [or_(case_id.is_(None), ~accuses(case_id, scope.hidden_from))]


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
            scope.in_halls(FollowUp.hall_id),
            Rating.rated_at >= scope.start,
            Rating.rated_at < scope.end,
            *_not_accusing(Rating.case_id, scope),
        )
    ).one()
    return {k: int(v or 0) for k, v in row._mapping.items()}
