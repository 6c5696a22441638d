"""Bookable times: slot templates and the leaders' reception days, checked against the
hall's opening hours."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, update

from reception.appointments.slots import outside_hours
from reception.core.errors import IllegalMove, InvalidInput
from reception.core.messages import N_
from reception.db.extensions import db
from reception.hall.administration.changes import record_change
from reception.models import (
    Appointment,
    Hall,
    LeaderDay,
    Service,
    SlotTemplate,
)


def add_template(service: Service, data: Mapping[str, Any], staff_id: int) -> SlotTemplate:
    """A weekly bookable time of a service (weekdays, a time range cut into slots)."""
    if not data["weekdays"]:
        raise InvalidInput(N_("Choose at least one weekday."))
    if data["start"] >= data["end"]:
        raise InvalidInput(N_("The start must be before the end."))
    _check_within_hours(service, data, sorted(data["weekdays"]))
    template = SlotTemplate(
        service_id=service.id,
        weekdays=",".join(str(d) for d in sorted(data["weekdays"])),
        start=data["start"],
        end=data["end"],
        slot_minutes=data["slot_minutes"],
        capacity=data["capacity"],
    )
    db.session.add(template)
    db.session.flush()
    record_change(staff_id, "slots", None, _template_state(template, service))
    return template


def _check_within_hours(service: Service, data: Mapping[str, Any], weekdays: list[int]) -> None:
    """A bookable time none of whose slots falls inside the opening hours is refused; one cut
    by the lunch break or a closed weekday is saved, and those slots are simply not offered
    (the page says how many)."""
    hall = db.session.get(Hall, service.hall_id)
    assert hall is not None
    inside, _outside = outside_hours(
        hall, weekdays, data["start"], data["end"], data["slot_minutes"]
    )
    if inside == 0:
        raise InvalidInput(
            N_("No slot of these times falls within the opening hours: nothing could be booked.")
        )


def _template_state(template: SlotTemplate, service: Service) -> dict[str, Any]:
    return {
        "service": service.prefix,
        "weekdays": template.weekdays,
        "start": template.start.strftime("%H:%M"),
        "end": template.end.strftime("%H:%M"),
        "slot_minutes": template.slot_minutes,
        "capacity": template.capacity,
    }


def remove_template(template: SlotTemplate, service: Service, staff_id: int) -> None:
    """Bookings already made keep their times; no new ones are offered from this template."""
    state = _template_state(template, service)
    db.session.delete(template)
    db.session.flush()
    record_change(staff_id, "slots", state, {k: None for k in state})


def add_leader_day(
    hall: Hall, service: Service, data: Mapping[str, Any], today: date, staff_id: int
) -> list[LeaderDay]:
    """Publish a leader's reception day, or the same weekday for `weeks` weeks running."""
    if service.kind != "leader":
        raise InvalidInput(N_("A leader's reception day belongs to a leader's reception service."))
    if data["day"] < today:
        raise InvalidInput(N_("A day in the past cannot be published."))
    if data["start"] >= data["end"]:
        raise InvalidInput(N_("The start must be before the end."))
    _check_within_hours(service, data, [data["day"].weekday()])
    return [
        _leader_day(hall, service, data, data["day"] + timedelta(weeks=week), staff_id)
        for week in range(data.get("weeks") or 1)
    ]


def _leader_day(
    hall: Hall, service: Service, data: Mapping[str, Any], on: date, staff_id: int
) -> LeaderDay:
    day = LeaderDay(
        hall_id=hall.id,
        service_id=service.id,
        day=on,
        leader=data["leader"],
        place=data["place"],
        matters=data["matters"],
        start=data["start"],
        end=data["end"],
        slot_minutes=data["slot_minutes"],
        capacity=data["capacity"],
    )
    db.session.add(day)
    db.session.flush()
    record_change(staff_id, "leader_day", None, {"day": day.day.isoformat(), "leader": day.leader})
    return day


def remove_leader_day(day: LeaderDay, staff_id: int) -> None:
    booked = db.session.scalar(
        select(func.count(Appointment.id)).where(
            Appointment.leader_day_id == day.id, Appointment.state == "booked"
        )
    )
    if booked:
        raise IllegalMove(
            N_("%(count)s visitor(s) booked this day: close the day instead (they are told)."),
            count=booked,
        )
    state = {"day": day.day.isoformat(), "leader": day.leader}
    db.session.execute(
        update(Appointment).where(Appointment.leader_day_id == day.id).values(leader_day_id=None)
    )
    db.session.delete(day)
    db.session.flush()
    record_change(staff_id, "leader_day", state, {"day": None, "leader": None})
