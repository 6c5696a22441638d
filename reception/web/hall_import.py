"""A hall description (the import's JSON, `reception load-hall`'s file) checked field by field
through the administrator's own forms: a value the admin pages refuse is refused here too, with
where it sits ("desks[3].name: …"), before anything is stored.

The JSON's shape is checked first (an object of lists of objects, scalars where scalars belong),
then each record is given to its form as if it had been typed: the hall to `HallForm`, each
service to `ServiceForm`, desk to `DeskForm`, staff member to `StaffForm`, remote unit to
`RemoteUnitForm`, bookable time to `SlotTemplateForm`, leader day to `LeaderDayForm`, and the
routing rules to the routing page's own parser.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from flask_babel import gettext
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from reception.core.errors import QueueError
from reception.hall.administration import parse_routing
from reception.hall.description import (
    DESK_FIELDS,
    HALL_FIELDS,
    SERVICE_FIELDS,
    UNIT_FIELDS,
    HallDescriptionError,
)
from reception.queue.hours import format_day
from reception.web.common import error_text
from reception.web.forms import (
    DeskForm,
    HallForm,
    LeaderDayForm,
    RemoteUnitForm,
    ServiceForm,
    SlotTemplateForm,
    StaffForm,
)

MAX_ERRORS = 50
# the fields of each record, as the administration's own pages save them
HALL_SCALARS = tuple(field for field in HALL_FIELDS if field != "opening_hours")


class Problems:
    """The errors found so far, each with where it sits."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        if len(self.items) < MAX_ERRORS:
            self.items.append(f"{where}: {message}")


def _text(value: Any) -> str | None:
    """A JSON scalar as a form would receive it; None for what no form field takes."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, int | float | str):
        text = str(value)
        if "\x00" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
            return None
        return text
    return None


def _form(
    form_class: type[FlaskForm],
    record: dict[str, Any],
    fields: tuple[str, ...],
    where: str,
    problems: Problems,
    extra: dict[str, str | list[str]] | None = None,
) -> bool:
    """Give `record`'s fields to the form as typed data; note every refusal by field."""
    data: MultiDict[str, str] = MultiDict()
    ok = True
    for field in fields:
        if field not in record:
            continue
        text = _text(record[field])
        if text is None:
            problems.add(f"{where}.{field}", gettext("a text or a number is needed here"))
            ok = False
        elif text != "" or isinstance(record[field], bool):
            data.add(field, text)
    for key, value in (extra or {}).items():
        for item in value if isinstance(value, list) else [value]:
            data.add(key, item)
    form = form_class(formdata=data, meta={"csrf": False})
    if not form.validate():
        for field, errors in form.errors.items():
            for error in errors:
                problems.add(f"{where}.{field}", str(error))
        ok = False
    return ok


def _records(data: dict[str, Any], key: str, problems: Problems) -> Iterator[tuple[int, dict]]:
    """The objects of the list `key` (absent: none), each with its index."""
    items = data.get(key, [])
    if not isinstance(items, list):
        problems.add(key, gettext("a list is needed here"))
        return
    for index, item in enumerate(items):
        if isinstance(item, dict):
            yield index, item
        else:
            problems.add(f"{key}[{index}]", gettext("an object is needed here"))


def _named(position: str, kind: str, name: Any) -> str:
    """Where a record sits: its position, and its own name when it has a plain one."""
    text = _text(name) if isinstance(name, int | str) and not isinstance(name, bool) else None
    if text and len(text) <= 64 and text.isprintable():
        return f"{position} ({kind} {name})"
    return position


def _strings(value: Any, where: str, problems: Problems, check: Callable[[Any], bool]) -> list:
    if not isinstance(value, list) or not all(check(v) for v in value):
        problems.add(where, gettext("a list of known values is needed here"))
        return []
    return value


def check_description(data: Any) -> None:
    """Raise HallDescriptionError listing every field the admin's forms would refuse."""
    problems = Problems()
    if not isinstance(data, dict):
        raise HallDescriptionError(gettext("A hall description is a JSON object."))
    hours = data.get("opening_hours", {})
    extra: dict[str, str | list[str]] = {}
    if not isinstance(hours, dict) or set(hours) - {str(d) for d in range(7)}:
        problems.add("opening_hours", gettext("weekdays '0' (Monday) to '6'"))
    else:
        for weekday, spans in hours.items():
            try:
                extra[f"hours_{weekday}"] = format_day(spans)
            except (TypeError, ValueError):
                problems.add(f"opening_hours.{weekday}", gettext("08:30-12:00 style spans"))
    hall = {"timezone": "Asia/Shanghai", **data}  # what the loader assumes when absent
    _form(HallForm, hall, HALL_SCALARS, "hall", problems, extra)

    prefixes: set[str] = set()
    for index, service in _records(data, "services", problems):
        where = _named(f"services[{index}]", gettext("service"), service.get("prefix"))
        _form(ServiceForm, service, SERVICE_FIELDS, where, problems)
        if isinstance(service.get("prefix"), str):
            prefixes.add(service["prefix"].strip().upper())
    units: set[str] = set()
    for index, unit in _records(data, "remote_units", problems):
        where = f"remote_units[{index}]"
        _form(RemoteUnitForm, unit, UNIT_FIELDS, where, problems)
        if isinstance(unit.get("name"), str):
            units.add(unit["name"].strip())
    numbers: set[int] = set()
    for index, desk in _records(data, "desks", problems):
        where = _named(f"desks[{index}]", gettext("desk"), desk.get("number"))
        _form(DeskForm, desk, DESK_FIELDS, where, problems)
        _strings(desk.get("services", []), f"{where}.services", problems, prefixes.__contains__)
        if isinstance(desk.get("number"), int):
            numbers.add(desk["number"])
    for index, user in _records(data, "users", problems):
        where = _named(f"users[{index}]", gettext("user"), user.get("username"))
        _form(StaffForm, user, ("username", "display_name", "role", "active"), where, problems)
        if "username" not in user:
            problems.add(f"{where}.username", gettext("a username is needed"))
        if user.get("department") not in (None, "") and user["department"] not in prefixes:
            problems.add(f"{where}.department", gettext("no such service"))
        if user.get("remote_unit") not in (None, "") and user["remote_unit"] not in units:
            problems.add(f"{where}.remote_unit", gettext("no such unit"))
        _strings(user.get("desks", []), f"{where}.desks", problems, numbers.__contains__)
    _check_appointments(data, prefixes, problems)
    _check_routing(data, prefixes, problems)
    if problems.items:
        raise HallDescriptionError("\n".join(problems.items))


def _check_appointments(data: dict[str, Any], prefixes: set[str], problems: Problems) -> None:
    appointments = data.get("appointments", {})
    if not isinstance(appointments, dict):
        problems.add("appointments", gettext("an object is needed here"))
        return
    times = ("start", "end", "slot_minutes", "capacity")
    for index, item in _records(appointments, "templates", problems):
        where = f"appointments.templates[{index}]"
        _strings(item.get("services"), f"{where}.services", problems, prefixes.__contains__)
        weekdays = item.get("weekdays", "")
        days = weekdays.split(",") if isinstance(weekdays, str) else None
        if days is None or not all(d.strip() in {str(n) for n in range(7)} for d in days):
            problems.add(f"{where}.weekdays", gettext("weekdays '0' (Monday) to '6'"))
            days = []
        extra: dict[str, str | list[str]] = {
            "service_id": "1",  # the services are checked above, by prefix
            "weekdays": [str(int(d) + 1) for d in days],
        }
        _form(SlotTemplateForm, item, times, where, problems, extra)
    for index, item in _records(appointments, "closures", problems):
        where = f"appointments.closures[{index}]"
        day, reason = _text(item.get("day")), _text(item.get("reason", ""))
        if reason is None or len(reason) > 100:
            problems.add(f"{where}.reason", gettext("text of at most 100 characters"))
        closing = {"day": day, "leader": "-", "start": "00:00", "end": "00:01"}
        if day is None:
            problems.add(f"{where}.day", gettext("Give the date as YYYY-MM-DD."))
        else:  # the date checked as the leader-day form checks its date
            _form(LeaderDayForm, closing, tuple(closing), where, problems, {"service_id": "1"})
    for index, item in _records(appointments, "leader_days", problems):
        where = f"appointments.leader_days[{index}]"
        if item.get("service") not in prefixes:
            problems.add(f"{where}.service", gettext("no such service"))
        extra = {"service_id": "1"}
        if "day" not in item:  # a weekly schedule: the weekday instead of a date
            weekday = item.get("weekday")
            if not isinstance(weekday, int) or isinstance(weekday, bool) or not 0 <= weekday < 7:
                problems.add(f"{where}.weekday", gettext("weekdays '0' (Monday) to '6'"))
            extra["day"] = "2030-01-07"
        fields = ("day", "leader", "place", "matters", *times)
        _form(LeaderDayForm, item, fields, where, problems, extra)


def _check_routing(data: dict[str, Any], prefixes: set[str], problems: Problems) -> None:
    """The routing rules through the routing page's own parser (as lines it would read)."""
    triage = data.get("triage", {})
    if not isinstance(triage, dict):
        problems.add("triage", gettext("an object is needed here"))
        return
    categories, routing = triage.get("categories", []), triage.get("routing", {})
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        problems.add("triage.categories", gettext("a list of texts is needed here"))
        return
    if not isinstance(routing, dict) or not all(
        isinstance(targets, list) and all(isinstance(t, str) for t in targets)
        for targets in routing.values()
    ):
        problems.add("triage.routing", gettext("each category lists the desks suggested"))
        return
    if not categories and not routing:
        return
    names = list(dict.fromkeys([*categories, *routing]))
    lines = [f"{name}: {', '.join(routing.get(name, []))}" for name in names]
    if any("\n" in name or ":" in name or "：" in name for name in names):
        problems.add("triage", gettext("a category is one line, without a colon"))
        return
    try:
        parse_routing("\n".join(lines), prefixes)
    except QueueError as error:
        problems.add("triage", error_text(error))
