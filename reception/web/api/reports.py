"""API for the centre's figures: a period's headline figures, as the report page shows them."""

from __future__ import annotations

from typing import Any

from reception.core.clock import hall_day
from reception.models import Hall, Role
from reception.models.types import utcnow
from reception.oversight import reports
from reception.oversight.exports.taking import take
from reception.web.api import schemas as s
from reception.web.api.common import api_user, bp, requires
from reception.web.common import current_hall
from reception.web.reports import report_halls


def _scope(hall: Hall, query: dict[str, Any]) -> reports.Scope:
    """The period and service asked for, for the caller (Art. 30: their departments)."""
    reader = api_user()
    return reports.scope_of(
        hall,
        query["period"],
        query["day"],
        query.get("until"),
        query.get("service_id"),
        reader.departments,
        report_halls(reader, query["city"], query.get("hall_id") or []),
    )


@bp.get("/reports/figures")
@requires(Role.SUPERVISOR, Role.LEADER)
@bp.arguments(s.ReportQuery, location="query")
@bp.response(200, s.ReportSchema)
def figures(query: dict[str, Any]) -> dict[str, Any]:
    """A period's headline figures (the report page's "the period at a glance"): tickets,
    legs served, waits, no-shows, transfers, ratings, follow-ups. A matter accusing one of the
    caller's departments is not counted for the caller (Art. 30)."""
    hall = current_hall()
    scope = _scope(hall, query)
    return {
        "first": scope.first,
        "last": scope.last,
        "service_id": scope.service_id,
        "hall_ids": list(scope.halls),
        "figures": reports.summary(scope, hall_day(hall.timezone, utcnow())),
    }


def _export(kind: str, query: dict[str, Any]) -> dict[str, Any]:
    hall = current_hall()
    reader = api_user()
    scope = _scope(hall, query)
    taken = take(
        kind,
        hall,
        scope,
        reader,
        fmt="json",
        reversed_codes=query["reversed_codes"],
        identity=query["identity"],
    )
    return taken.described(scope)


@bp.get("/exports/ratings")
@requires(Role.SUPERVISOR, Role.LEADER)
@bp.arguments(s.ExportQuery, location="query")
@bp.response(200, s.RatingsExportSchema)
def export_ratings(query: dict[str, Any]) -> dict[str, Any]:
    """The period's 好差评 records (GB/T 39046-2020 table 9), oldest first; the export is
    audited. A matter accusing one of the caller's departments is left out (Art. 30)."""
    return _export("ratings", query)


@bp.get("/exports/petitions")
@requires(Role.SUPERVISOR, Role.LEADER)
@bp.arguments(s.ExportQuery, location="query")
@bp.response(200, s.PetitionsExportSchema)
def export_petitions(query: dict[str, Any]) -> dict[str, Any]:
    """The period's 信访件 records for the petition information system; the petitioners'
    identity is masked unless the hall's supervisor asks for it (`identity`, 403 for others).
    Audited; Art. 30 as for every report."""
    return _export("petitions", query)
