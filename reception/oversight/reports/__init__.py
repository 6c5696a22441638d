"""The figures a centre answers for, computed in the database: every figure is an aggregate
SQL statement over the ticket event log, the ratings and the case table (rows are never loaded
into Python to be counted). Days, hours and weekdays are the hall's (its time zone, daylight
saving included: `reception.db.dialect`); timestamps stay UTC in the tables.

`scope`: the period and who reads it; `legs`: one row per leg of every visit, from the event
log or rolled up; `figures`: the visit and ticket figures, each defined once; `cases`: the
statutory figures of the matters; `annual`: the year's Art. 41 statistics."""

from __future__ import annotations

from reception.oversight.reports.annual import annual
from reception.oversight.reports.cases import cases, late_cases, outcomes_by_category
from reception.oversight.reports.figures import (
    BASICALLY_SATISFIED,
    SATISFIED,
    VISIT_COLUMNS,
    day_totals,
    follow_ups,
    summary,
    ticket_figures,
    visits,
)
from reception.oversight.reports.legs import FACT_COLUMNS, roll_up, rolled_until
from reception.oversight.reports.scope import (
    DIMENSIONS,
    PERIODS,
    Scope,
    period,
    scope_for,
    scope_of,
)

__all__ = [
    "BASICALLY_SATISFIED",
    "DIMENSIONS",
    "FACT_COLUMNS",
    "PERIODS",
    "SATISFIED",
    "Scope",
    "VISIT_COLUMNS",
    "annual",
    "cases",
    "day_totals",
    "follow_ups",
    "late_cases",
    "outcomes_by_category",
    "period",
    "roll_up",
    "rolled_until",
    "scope_for",
    "scope_of",
    "summary",
    "ticket_figures",
    "visits",
]
