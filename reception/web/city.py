"""The city's pages: every hall of the deployment at once, for the city's own accounts."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template
from flask_login import current_user

from reception.live import city_board
from reception.models import Role
from reception.models.types import utcnow
from reception.web.common import current_hall, roles_required
from reception.web.edge.halls import hall_prefix
from reception.web.edge.running import settings

bp = Blueprint("city", __name__, url_prefix="/city")


def city_staff_only() -> None:
    """The city's pages are for city accounts (a county's supervisor sees their own hall)."""
    if not current_user.all_halls:
        abort(403)


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
