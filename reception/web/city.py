"""The city's pages: every hall of the deployment at once, for the city's own accounts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from reception.core.clock import hall_day
from reception.db.extensions import db
from reception.live import city_board
from reception.models import Role, Service
from reception.models.types import utcnow
from reception.triage import handover
from reception.web.common import city_staff_only, current_hall, roles_required
from reception.web.edge.halls import hall_prefix
from reception.web.edge.running import settings

bp = Blueprint("city", __name__, url_prefix="/city")


@bp.get("/")
@roles_required(Role.SUPERVISOR, Role.LEADER)
def board() -> Any:
    """Every hall on one screen, live: open desks, waiting, the longest wait against its
    target, today's totals and 满意率, open alerts; each card opens that hall's own board."""
    city_staff_only()
    now, minutes = utcnow(), settings().default_service_minutes
    cards = [
        {
            **city_board.hall_summary(hall, now, minutes, current_user.departments),
            "root": hall_prefix(hall.code),
        }
        for hall in city_board.halls()
    ]
    return render_template("city/board.html", hall=current_hall(), cards=cards)


@bp.get("/supervised")
@roles_required(Role.SUPERVISOR, Role.LEADER)
def supervised() -> Any:
    """Every matter under the city's supervision (督办), soonest due first: where it is handled,
    its department, its date and whether it is overdue or done; each opens at its hall."""
    city_staff_only()
    halls = {hall.id: hall for hall in city_board.halls()}
    rows = handover.supervised(None, current_user.departments)  # Art. 30 as everywhere
    today = {hall_id: hall_day(hall.timezone, utcnow()) for hall_id, hall in halls.items()}
    return render_template(
        "city/supervised.html",
        hall=current_hall(),
        rows=rows,
        halls=halls,
        today=today,
        done=handover.is_done,
        departments=_names(case.department_id for _, case in rows),
    )


def _names(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    query = select(Service.id, Service.name).where(Service.id.in_(wanted))
    return {service_id: name for service_id, name in db.session.execute(query)}
