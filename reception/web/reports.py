"""Reports (`/reports/`): the period's figures as tables and charts, CSV and Excel exports, and
the year's Art. 41 statistics. The figures come from `reception.oversight.reports` (SQL aggregates);
this module only names them, lays them out and writes the files."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from reception.core.clock import hall_day
from reception.core.errors import InvalidInput
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import Case, Hall, Role, User
from reception.models.types import utcnow
from reception.oversight import reports
from reception.triage.clocks import handle_due, notice_due
from reception.web.common import (
    case_status_text,
    current_hall,
    error_text,
    roles_required,
    several_halls,
)
from reception.web.edge.gate import long_running
from reception.web.forms import AnnualForm, ReportForm
from reception.web.spreadsheets import append, csv_response, inert, workbook_response

bp = Blueprint("reports", __name__, url_prefix="/reports")

WEEKDAYS = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)
GROUP_LABELS = {
    "service": _l("Service"),
    "desk": _l("Desk"),
    "staff": _l("Staff"),
    "hour": _l("Hour of day"),
    "weekday": _l("Weekday"),
    "day": _l("Day"),
    "hall": _l("Hall"),
}
PERIOD_LABELS = {
    "day": _l("Day"),
    "week": _l("Week"),
    "month": _l("Month"),
    "year": _l("Year"),
    "range": _l("Range"),
}


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    tip: Any = ""
    kind: str = "int"  # int, pct, min (seconds shown as minutes), text


@dataclass
class Table:
    name: str
    title: Any
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    row_tips: list[Any] = field(default_factory=list)  # a figure's formula, row by row


WAIT_TIP = _l(
    "From joining the line (the ticket, or the transfer to this line) to the first call. "
    "Median: the middle value; 90th percentile: 9 in 10 waited no longer (nearest rank)."
)
SERVICE_TIP = _l(
    "From the start of service to its finish, or to passing the visitor on (nearest rank)."
)
SATISFACTION_TIP = _l("满意率 = (非常满意 + 满意) ÷ ratings given.")
SATISFACTION_BROAD_TIP = _l("满意率 with 基本满意 = (非常满意 + 满意 + 基本满意) ÷ ratings given.")
RATING_RATE_TIP = _l("参评率 = ratings given ÷ legs served.")

VISIT_COLUMNS = [
    Column("legs", _l("Legs"), _l("Every line a visitor joined: the first, and each transfer.")),
    Column("served", _l("Served"), _l("Legs whose service started at a desk.")),
    Column("wait_p50", _l("Wait, median (min)"), WAIT_TIP, "min"),
    Column("wait_p90", _l("Wait, 90th percentile (min)"), WAIT_TIP, "min"),
    Column("service_p50", _l("Service, median (min)"), SERVICE_TIP, "min"),
    Column("service_p90", _l("Service, 90th percentile (min)"), SERVICE_TIP, "min"),
    Column("no_shows", _l("No-shows"), _l("Legs whose visitor missed the call.")),
    Column("returned", _l("Came back"), _l("No-shows who came back and rejoined the line.")),
    Column("transfers", _l("Transfers"), _l("Legs that ended by passing the visitor on.")),
    Column("rated", _l("Ratings")),
    Column("satisfaction", _l("Satisfaction (%)"), SATISFACTION_TIP, "pct"),
    Column("rating_rate", _l("Rating rate (%)"), RATING_RATE_TIP, "pct"),
    Column("bad", _l("Bad ratings"), _l("不满意 and 非常不满意: each opens a follow-up.")),
]
SUMMARY_ROWS = [
    Column("tickets", _l("Tickets"), _l("Tickets issued on the period's days.")),
    Column(
        "visitors",
        _l("Registered visitors"),
        _l("Different people among the tickets with a registered matter."),
    ),
    Column("journeys", _l("Journeys"), _l("Tickets whose visit went through more than one desk.")),
    *VISIT_COLUMNS,
    Column(
        "satisfaction_broad",
        _l("Satisfaction with 基本满意 (%)"),
        SATISFACTION_BROAD_TIP,
        "pct",
    ),
    Column("group_visits", _l("Group visits"), _l("Tickets of a matter brought by 2 or more.")),
    Column("headcount", _l("Headcount"), _l("People who came: a group counts all its members.")),
    Column(
        "repeat_visits",
        _l("Repeat visits"),
        _l("Tickets of a visitor who had registered a matter before."),
    ),
    Column("case_rated", _l("Ratings of case handling"), _l("Art. 21: rated after the reply.")),
    Column("case_satisfaction", _l("Case handling satisfaction (%)"), SATISFACTION_TIP, "pct"),
    Column("follow_ups", _l("Follow-ups"), _l("Call-backs opened by the period's bad ratings.")),
    Column(
        "follow_ups_on_time",
        _l("Follow-ups done on time"),
        _l("Done by their due date (the hall's set working days)."),
    ),
    Column("follow_ups_late", _l("Follow-ups done late")),
    Column("follow_ups_overdue", _l("Follow-ups overdue"), _l("Not done, and past due today.")),
]
CASE_ROWS = [
    Column("registered", _l("Matters registered")),
    Column("accepted", _l("Accepted")),
    Column("not_accepted", _l("Not accepted")),
    Column("not_reaccepted", _l("Not accepted again")),
    Column("transferred", _l("Transferred")),
    Column("undecided", _l("Awaiting the decision")),
    Column(
        "timely_notice_rate",
        _l("Timely acceptance rate (%)"),
        _l(
            "及时受理率 = matters decided within 15 days of registration ÷ matters decided or "
            "whose 15 days have run out (Art. 22)."
        ),
        "pct",
    ),
    Column(
        "timely_reply_rate",
        _l("Timely conclusion rate (%)"),
        _l(
            "按期办结率 = accepted matters replied within 60 days of acceptance (plus an approved "
            "extension of up to 30) ÷ accepted matters replied or whose time has run out (Art. 34)."
        ),
        "pct",
    ),
    Column("overdue", _l("Overdue now"), _l("Decision or reply past its statutory date today.")),
    Column("extensions", _l("Extensions")),
    Column("reviews", _l("Reviews requested")),
    Column("rechecks", _l("Re-examinations requested")),
    Column("group_cases", _l("Group matters")),
    Column("accusations", _l("Accusations")),
]


def _minutes(seconds: Any) -> float | None:
    return round(seconds / 60, 1) if seconds is not None else None


def _cell(column: Column, value: Any) -> Any:
    return _minutes(value) if column.kind == "min" else value


class Namer:
    """Names for the keys a report is grouped by (loaded once per report, not per row)."""

    def __init__(self, halls: list[Hall]) -> None:
        locale = str(get_locale() or "zh")
        several = len(halls) > 1  # a line or desk of one of several halls says which
        self.halls = {h.id: h.name for h in halls}

        def where(hall: Hall, label: str) -> str:
            return f"{hall.name} · {label}" if several else label

        self.services = {s.id: where(h, s.label(locale)) for h in halls for s in h.services}
        self.desks = {
            d.id: where(h, f"{d.number} {d.name}".strip()) for h in halls for d in h.desks
        }
        self.staff = {
            u.id: u.display_name or u.username
            for u in db.session.scalars(select(User).order_by(User.id))
        }

    def __call__(self, group: str, key: Any) -> str:
        if key is None:
            return "—"
        if group == "service":
            return self.services.get(key, str(key))
        if group == "hall":
            return self.halls.get(key, str(key))
        if group == "desk":
            return self.desks.get(key, str(key))
        if group == "staff":
            return self.staff.get(key, str(key))
        if group == "hour":
            return f"{key:02d}:00–{(key + 1) % 24:02d}:00"
        if group == "weekday":
            return str(WEEKDAYS[key])
        if group == "day":
            day = key if isinstance(key, date) else date.fromisoformat(str(key))
            return f"{day.isoformat()} {WEEKDAYS[day.weekday()]}"
        return str(key)


@dataclass
class Report:
    hall: Hall
    scope: reports.Scope
    group: str
    today: date
    tables: list[Table]
    chart: dict[str, Any]


def build(hall: Hall, scope: reports.Scope, group: str, today: date) -> Report:
    namer = Namer(halls_of_scope(scope, hall))
    rows = reports.visits(scope, group)
    by_group = Table(
        "visits",
        _l("Visits by %(group)s", group=GROUP_LABELS[group]),
        [Column("key", GROUP_LABELS[group], kind="text"), *VISIT_COLUMNS],
        [
            [namer(group, row["key"])] + [_cell(c, row[c.key]) for c in VISIT_COLUMNS]
            for row in rows
        ],
    )
    figures = reports.summary(scope, today)
    summary = Table(
        "summary",
        _l("The period at a glance"),
        [Column("figure", _l("Figure"), kind="text"), Column("value", _l("Value"), kind="text")],
        [[c.label, _cell(c, figures.get(c.key))] for c in SUMMARY_ROWS],
        [c.tip for c in SUMMARY_ROWS],
    )
    case_figures = reports.cases(scope, today)
    cases = Table(
        "cases",
        _l("Matters registered in the period (as of today)"),
        [Column("figure", _l("Figure"), kind="text"), Column("value", _l("Value"), kind="text")],
        [[c.label, case_figures.get(c.key)] for c in CASE_ROWS],
        [c.tip for c in CASE_ROWS],
    )
    outcomes = Table(
        "outcomes",
        _l("Outcomes by category"),
        [
            Column("category", _l("Category"), kind="text"),
            Column("status", _l("State"), kind="text"),
            Column("count", _l("Matters")),
        ],
        [
            [r["category"], case_status_text(r["status"]), r["count"]]
            for r in reports.outcomes_by_category(scope)
        ],
    )
    late = Table(
        "late",
        _l("Late matters"),
        [
            Column("number", _l("Case number"), kind="text"),
            Column("registered", _l("Registered"), kind="text"),
            Column("category", _l("Category"), kind="text"),
            Column("state", _l("State"), kind="text"),
            Column("due", _l("Was due"), kind="text"),
        ],
        [
            [
                c.number,
                c.registered_on.isoformat(),
                c.category,
                case_status_text(c.status),
                _due(c).isoformat(),
            ]
            for c in reports.late_cases(scope, today)
        ],
    )
    chart = {
        # services, desks and staff are categories (bars side by side); hours, weekdays and
        # days run in order (lines may join them)
        "ordered": group in ("hour", "weekday", "day"),
        "labels": [r[0] for r in by_group.rows],
        "served": [row["served"] for row in rows],
        "wait": [_minutes(row["wait_p50"]) for row in rows],
        "wait_p90": [_minutes(row["wait_p90"]) for row in rows],
        "satisfaction": [row["satisfaction"] for row in rows],
        "names": {
            "served": str(_l("Served")),
            "wait": str(_l("Wait, median (min)")),
            "wait_p90": str(_l("Wait, 90th percentile (min)")),
            "satisfaction": str(_l("Satisfaction (%)")),
            "minutes": str(_l("minutes")),
        },
    }
    return Report(hall, scope, group, today, [summary, by_group, cases, outcomes, late], chart)


def _due(case: Case) -> date:
    return handle_due(case) if case.decided_on else notice_due(case)  # type: ignore[return-value]


def form_scope(form: ReportForm, hall: Hall, today: date) -> reports.Scope:
    return reports.scope_of(
        hall,
        form.period.data or "day",
        form.day.data or today,
        form.until.data,
        form.service.data,
        current_user.departments,
        chosen_halls(form, hall),
    )


def chosen_halls(form: ReportForm | AnnualForm, hall: Hall) -> list[Hall] | None:
    return report_halls(current_user, bool(form.city.data), form.hall.data or [])


def report_halls(reader: User, city: bool, hall_ids: list[int]) -> list[Hall] | None:
    """The halls a report is over: the request's hall (None), several of the city's
    (`hall_ids`), or all of them (`city`); only the city's own accounts report beyond their
    hall."""
    if not city and not hall_ids:
        return None
    if not reader.all_halls:
        raise InvalidInput(N_("Only the city's accounts report on other halls."))
    query = select(Hall).order_by(Hall.id)
    if not city:
        query = query.where(Hall.id.in_(hall_ids))
    halls = list(db.session.scalars(query))
    if not city and len(halls) != len(set(hall_ids)):
        raise InvalidInput(N_("Unknown hall."))
    return halls


def halls_of_scope(scope: reports.Scope, hall: Hall) -> list[Hall]:
    if len(scope.halls) == 1:
        return [hall]
    return list(db.session.scalars(select(Hall).where(Hall.id.in_(scope.halls)).order_by(Hall.id)))


def _read(hall: Hall) -> tuple[ReportForm, Report | None]:
    form = ReportForm(request.args)
    today = hall_day(hall.timezone, utcnow())
    if not form.validate():
        return form, None
    if form.day.data is None:
        form.day.data = today  # shown in the form: the period is the hall's today
    try:
        scope = form_scope(form, hall, today)
    except InvalidInput as error:
        form.service.errors = [error_text(error)]
        return form, None
    return form, build(hall, scope, form.group.data or "service", today)


@bp.get("/")
@long_running
@roles_required(Role.SUPERVISOR, Role.LEADER)
def index():
    hall = current_hall()
    form, report = _read(hall)
    page = render_template(
        "reports/index.html",
        hall=hall,
        form=form,
        report=report,
        periods=PERIOD_LABELS,
        groups=GROUP_LABELS,
        services=[s for s in hall.services],
        city_halls=(
            list(db.session.scalars(select(Hall).order_by(Hall.id)))
            if current_user.all_halls and several_halls()
            else []
        ),
        annual=AnnualForm(formdata=None, year=hall_day(hall.timezone, utcnow()).year),
        query=request.query_string.decode(),
    )
    return page, (200 if report is not None else 422)


def _for_export() -> tuple[Report | None, Any]:
    """The report the address asks for, or the 422 answer that says what is wrong with it."""
    form, report = _read(current_hall())
    if report is None:
        return None, (
            {"message": gettext("Check the report's period."), "errors": form.errors},
            422,
        )
    return report, None


def _filename(report: Report, suffix: str) -> str:
    scope = report.scope
    span = scope.first.isoformat() if scope.days == 1 else f"{scope.first}_{scope.last}"
    return f"report_{span}_{report.group}.{suffix}"


@bp.get("/export.csv")
@long_running
@roles_required(Role.SUPERVISOR, Role.LEADER)
def export_csv():
    """One table as CSV (UTF-8 with a byte-order mark, so Excel opens Chinese text right)."""
    report, refused = _for_export()
    if report is None:
        return refused
    name = request.args.get("table", "visits")
    table = next((t for t in report.tables if t.name == name), None)
    if table is None:
        return {"message": gettext("No such table.")}, 422
    return csv_response(
        [str(c.label) for c in table.columns], table.rows, _filename(report, name + ".csv")
    )


def _sheet(book: Workbook, title: str, heading: list[str], rows: list[list[Any]]) -> None:
    sheet = book.create_sheet(inert(title)[:31])
    append(sheet, heading)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append(sheet, row)
    for index, _ in enumerate(heading, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 18
    sheet.freeze_panes = "A2"


@bp.get("/export.xlsx")
@long_running
@roles_required(Role.SUPERVISOR, Role.LEADER)
def export_xlsx():
    """Every table of the report, one sheet each, and the formulas on a last sheet."""
    report, refused = _for_export()
    if report is None:
        return refused
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    for table in report.tables:
        _sheet(book, str(table.title), [str(c.label) for c in table.columns], table.rows)
    formulas = [[str(c.label), str(c.tip)] for c in [*SUMMARY_ROWS, *CASE_ROWS] if str(c.tip or "")]
    _sheet(book, gettext("Formulas"), [gettext("Figure"), gettext("How it is counted")], formulas)
    return workbook_response(book, _filename(report, "xlsx"))


@bp.get("/annual.xlsx")
@long_running
@roles_required(Role.SUPERVISOR, Role.LEADER)
def annual_xlsx():
    """信访工作条例 Art. 41: the year's statistics for the city, as a spreadsheet."""
    hall = current_hall()
    form = AnnualForm(request.args)
    if not form.validate():
        return {"message": gettext("Give the year."), "errors": form.errors}, 422
    year = int(form.year.data)
    try:
        halls = chosen_halls(form, hall)
        figures = reports.annual(hall, year, current_user.departments, halls)
    except InvalidInput as error:
        return {"message": error_text(error), "errors": {"hall": [error_text(error)]}}, 422
    several = halls is not None and len(halls) > 1
    departments = {
        s.id: f"{h.name} · {s.name}" if several else s.name
        for h in (halls or [hall])
        for s in h.services
    }
    forms = {
        "visit": gettext("Visits in person (走访)"),
        "letter": gettext("Letters (来信)"),
        "online": gettext("Online (网上)"),
        "phone": gettext("Telephone (电话)"),
    }
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = gettext("Art. 41 %(year)s", year=year)[:31]
    title = gettext("%(n)s halls", n=len(halls)) if several and halls else hall.name
    append(sheet, [gettext("%(hall)s: petition statistics %(year)s", hall=title, year=year)])
    sheet["A1"].font = Font(bold=True, size=14)

    def heading(*cells: str) -> None:
        append(sheet, list(cells))
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)

    # visits: a group visit is one batch (批次) of N people (人次)
    visits = dict(figures["visits"])
    append(sheet, [])
    heading(gettext("Visits to the centre"), gettext("Batches (批次)"), gettext("People (人次)"))
    append(sheet, [gettext("All visits"), visits["visits"], visits["headcount"]])
    append(
        sheet, [gettext("of which group visits"), visits["group_visits"], visits["group_people"]]
    )

    def section(title: str, rows: list[tuple[Any, ...]], name: Any) -> None:
        append(sheet, [])
        heading(title, gettext("Matters (件)"), gettext("People (人次)"))
        for key, count, headcount in rows:
            append(sheet, [name(key), int(count or 0), int(headcount or 0)])

    section(gettext("By form of petition"), figures["form"], lambda k: forms[k])
    section(gettext("By category"), figures["category"], lambda k: k or gettext("No category"))
    section(
        gettext("By department in charge"),
        figures["department"],
        lambda k: departments.get(k) or gettext("No department named"),
    )
    section(gettext("By outcome"), figures["outcome"], case_status_text)
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 14
    sheet.column_dimensions["C"].width = 14
    return workbook_response(book, f"art41_{year}.xlsx")
