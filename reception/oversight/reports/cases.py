"""The statutory figures of the matters registered in a period: decisions within 15 days
(Art. 22), replies within 60 (Art. 34), extensions, reviews, and the late matters."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Date,
    and_,
    case,
    func,
    literal,
    or_,
    select,
)

from reception.db.dialect import DaysBetween
from reception.db.extensions import db
from reception.models import (
    Case,
    CaseStatus,
)
from reception.models.case import accuses
from reception.oversight.reports.figures import rate_of
from reception.oversight.reports.scope import Scope
from reception.triage.clocks import HANDLE_DAYS, NOTICE_DAYS

# --- cases ----------------------------------------------------------------------------------

ACCEPTED = (CaseStatus.ACCEPTED.value, CaseStatus.CONCLUDED.value)


def cases_in(scope: Scope) -> Any:
    where = [
        scope.in_halls(Case.hall_id),
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
        ).where(cases_in(scope))
    ).one()
    figures: dict[str, Any] = {k: int(v or 0) for k, v in row._mapping.items()}
    figures["overdue"] = figures["overdue_notice"] + figures["overdue_reply"]
    figures["timely_notice_rate"] = rate_of(figures["noticed_in_time"], figures["notice_due"])
    figures["timely_reply_rate"] = rate_of(figures["replied_in_time"], figures["handle_due"])
    return figures


def outcomes_by_category(scope: Scope) -> list[dict[str, Any]]:
    """Matters of the period by category and state."""
    rows = db.session.execute(
        select(Case.category, Case.status, func.count(Case.id))
        .where(cases_in(scope))
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
            select(Case).where(cases_in(scope), late).order_by(Case.registered_on).limit(limit)
        )
    )
