"""The hall's own settings, its services and its desks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from reception.core.clock import zone
from reception.core.errors import IllegalMove, InvalidInput
from reception.core.messages import N_
from reception.db.extensions import db
from reception.hall.administration.changes import apply_fields, published, record_change, state_of
from reception.hall.description import (
    DESK_FIELDS,
    HALL_FIELDS,
    SERVICE_FIELDS,
)
from reception.models import (
    Desk,
    Hall,
    Service,
    Ticket,
)
from reception.models.hall import HALL_CODE


def save_hall(hall: Hall, data: Mapping[str, Any], staff_id: int) -> None:
    zone(data.get("timezone", hall.timezone))  # refuses an unknown zone
    before = state_of(hall, HALL_FIELDS)
    apply_fields(hall, data, HALL_FIELDS)
    db.session.flush()
    record_change(staff_id, "hall", before, state_of(hall, HALL_FIELDS))
    published(hall.id)


def has_tickets(service: Service) -> bool:
    return bool(
        db.session.scalar(select(func.count(Ticket.id)).where(Ticket.service_id == service.id))
    )


def save_service(
    hall: Hall, service: Service | None, data: Mapping[str, Any], staff_id: int
) -> Service:
    """Create or change a service; its prefix is unique and fixed once tickets carry it."""
    prefix = data["prefix"]
    clash = db.session.scalars(
        select(Service).where(Service.hall_id == hall.id, Service.prefix == prefix)
    ).first()
    if clash is not None and clash is not service:
        raise InvalidInput(N_("Prefix %(prefix)s is already used."), prefix=prefix)
    if service is not None and service.prefix != prefix and has_tickets(service):
        raise IllegalMove(N_("The prefix cannot change once tickets carry it."))
    before = state_of(service, SERVICE_FIELDS) if service else None
    if service is None:
        order = db.session.scalar(
            select(func.coalesce(func.max(Service.sort_order), 0)).where(Service.hall_id == hall.id)
        )
        service = Service(hall_id=hall.id, sort_order=(order or 0) + 1)
        db.session.add(service)
    apply_fields(service, data, SERVICE_FIELDS)
    db.session.flush()
    record_change(staff_id, "service", before, state_of(service, SERVICE_FIELDS))
    published(hall.id)
    return service


def save_desk(
    hall: Hall,
    desk: Desk | None,
    data: Mapping[str, Any],
    services: list[Service],
    staff_id: int,
) -> Desk:
    clash = db.session.scalars(
        select(Desk).where(Desk.hall_id == hall.id, Desk.number == data["number"])
    ).first()
    if clash is not None and clash is not desk:
        raise InvalidInput(N_("Desk %(number)s already exists."), number=data["number"])
    before = _desk_state(desk) if desk else None
    if desk is None:
        desk = Desk(hall_id=hall.id)
        db.session.add(desk)
    apply_fields(desk, data, DESK_FIELDS)
    desk.services = services
    db.session.flush()
    record_change(staff_id, "desk", before, _desk_state(desk))
    published(hall.id)
    return desk


def _desk_state(desk: Desk) -> dict[str, Any]:
    return {**state_of(desk, DESK_FIELDS), "services": [s.prefix for s in desk.services]}


def create_hall(name: str, code: str, timezone: str, staff_id: int) -> Hall:
    """A new hall of the city (its name and its code in the addresses, `/h/<code>/`): set up
    afterwards on its own administration pages, or by importing a description over it."""
    zone(timezone)  # an unknown time zone is refused (InvalidInput)
    if not HALL_CODE.match(code):
        raise InvalidInput(N_("A hall's code is lowercase letters, digits and hyphens."))
    if db.session.scalars(select(Hall.id).where(Hall.code == code)).first() is not None:
        raise InvalidInput(N_("The code %(code)s is another hall's."), code=code)
    if db.session.scalars(select(Hall.id).where(Hall.name == name)).first() is not None:
        raise InvalidInput(N_("%(name)s is already a hall."), name=name)
    hall = Hall(name=name, code=code, timezone=timezone, version=0)
    db.session.add(hall)
    db.session.flush()
    record_change(staff_id, "new_hall", None, {"name": name, "code": code, "timezone": timezone})
    return hall
