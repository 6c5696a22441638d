"""The hall supervisor's and leader on duty's screen: urgent and group-visit alerts, live."""

from __future__ import annotations

from flask import Blueprint, render_template

from .. import snapshots
from ..models import Role
from ..models.types import utcnow
from .common import current_hall, roles_required

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")


@bp.get("/")
@roles_required(Role.SUPERVISOR, Role.LEADER)
def alerts():
    hall = current_hall()
    return render_template(
        "supervisor/alerts.html", hall=hall, alerts=snapshots.todays_alerts(hall, utcnow())
    )
