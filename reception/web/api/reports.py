"""API for the centre's figures: a period's headline figures, as the report page shows them."""

from __future__ import annotations

from typing import Any

from reception.core.clock import hall_day
from reception.models import Role
from reception.models.types import utcnow
from reception.oversight import reports
from reception.web.api import schemas as s
from reception.web.api.common import api_user, bp, requires
from reception.web.common import current_hall


@bp.get("/reports/figures")
@requires(Role.SUPERVISOR, Role.LEADER)
@bp.arguments(s.ReportQuery, location="query")
@bp.response(200, s.ReportSchema)
def figures(query: dict[str, Any]) -> dict[str, Any]:
    """A period's headline figures (the report page's "the period at a glance"): tickets,
    legs served, waits, no-shows, transfers, ratings, follow-ups. A matter accusing one of the
    caller's departments is not counted for the caller (Art. 30)."""
    hall = current_hall()
    scope = reports.scope_of(
        hall,
        query["period"],
        query["day"],
        query.get("until"),
        query.get("service_id"),
        api_user().departments,
    )
    return {
        "first": scope.first,
        "last": scope.last,
        "service_id": scope.service_id,
        "figures": reports.summary(scope, hall_day(hall.timezone, utcnow())),
    }
