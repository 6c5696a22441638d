"""信访工作条例 Art. 41: the year's matters by category, channel, department and outcome;
visits and headcount; group visits."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    func,
    select,
)

from reception.db.extensions import db
from reception.models import (
    Case,
    Hall,
    Ticket,
)
from reception.oversight.reports.cases import cases_in
from reception.oversight.reports.figures import ticket_figures
from reception.oversight.reports.scope import scope_for

# --- Art. 41: the year's statistics -----------------------------------------------------------


PETITION_FORMS = ("visit", "letter", "online", "phone")  # 走访, 来信, 网上, 电话


def annual(
    hall: Hall,
    year: int,
    hidden_from: frozenset[int] = frozenset(),
    halls: list[Hall] | None = None,
) -> dict[str, list[tuple[Any, ...]]]:
    """信访工作条例 Art. 41: the year's matters by category, channel, department and outcome;
    visits and headcount; group visits (of the hall, or summed over the city's `halls`)."""
    scope = scope_for(
        hall, date(year, 1, 1), date(year, 12, 31), hidden_from=hidden_from, halls=halls
    )
    where = cases_in(scope)

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
        .where(Ticket.case_id.is_not(None), scope.in_halls(Ticket.hall_id))
        .group_by(Ticket.case_id)
        .subquery("first_ticket")
    )
    # the first ticket's channel (kiosk, registration, booking …); a matter with no visit: its
    # form (online)
    channel = func.coalesce(Ticket.channel, Case.form)
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
    by_form = {key: (count, people) for key, count, people in by(Case.form)}
    return {
        "category": by(Case.category),
        "channel": [tuple(r) for r in channels],
        # the petition forms of the national statistics (走访, 来信, 网上, 电话): a matter
        # registered at the hall came in person (the counter, the kiosk, a booking, video); one
        # sent from the online door is 网上
        "form": [(form, *by_form.get(form, (0, 0))) for form in PETITION_FORMS],
        "department": by(Case.department_id),
        "outcome": by(Case.status),
        "visits": [
            ("visits", visited["tickets"]),
            ("headcount", visited["headcount"]),
            ("group_visits", visited["group_visits"]),
            ("group_people", visited["group_people"]),
        ],
    }
