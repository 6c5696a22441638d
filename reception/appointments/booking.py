"""Booking, looking up, cancelling and moving appointments; capacity held by the database."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from reception.appointments import notify, slots
from reception.appointments.slots import Slot, bookable_days, slots_for
from reception.core import crypto, identity
from reception.core.clock import hall_day
from reception.core.errors import IllegalMove, InvalidInput, NotFound, bounded
from reception.core.messages import N_
from reception.core.settings import Policy
from reception.db.extensions import db
from reception.models import Appointment, BookingState, Hall, RemoteUnit, Service, SlotCount
from reception.models.types import utcnow

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed by hand
CODE_LENGTH = 8


@dataclass
class Booker:
    name: str
    phone: str
    id_number: str = ""
    description: str = ""
    remote_unit_id: int | None = None  # video reception: the department or county to speak to
    notify_turn: bool = False  # a text when their turn is near on the day


def _unit_for(hall: Hall, service: Service, unit_id: int | None) -> int | None:
    """The unit a video reception is booked with: one of the hall's units in use, only for a
    video reception service."""
    if unit_id is None:
        return None
    unit = db.session.get(RemoteUnit, unit_id)
    if service.kind != "video" or unit is None or unit.hall_id != hall.id or not unit.active:
        raise InvalidInput(N_("Choose the department or county to speak to."))
    return unit.id


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def parse_start(raw: object) -> datetime:
    """A slot's start as sent by a form or the API: ISO 8601 with its UTC offset."""
    try:
        moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidInput(N_("Choose a time."))
    return moment


def normalise_code(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[: CODE_LENGTH + 4]


def _take_place(slot: Slot) -> None:
    """Take one place in the slot, or refuse: a conditional UPDATE, safe under concurrency."""
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert
    db.session.execute(
        insert(SlotCount)
        .values(service_id=slot.service_id, starts_at=slot.starts_at, taken=0)
        .on_conflict_do_nothing()
    )
    result = db.session.execute(
        update(SlotCount)
        .where(
            SlotCount.service_id == slot.service_id,
            SlotCount.starts_at == slot.starts_at,
            SlotCount.taken < slot.capacity,
        )
        .values(taken=SlotCount.taken + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise IllegalMove(N_("This time is fully booked: please choose another."))


def _free_place(appointment: Appointment) -> None:
    db.session.execute(
        update(SlotCount)
        .where(
            SlotCount.service_id == appointment.service_id,
            SlotCount.starts_at == appointment.starts_at,
            SlotCount.taken > 0,
        )
        .values(taken=SlotCount.taken - 1)
        .execution_options(synchronize_session=False)
    )


def find_slot(
    hall: Hall, service: Service, starts_at: datetime, now: datetime, policy: Policy
) -> Slot:
    day = hall_day(hall.timezone, starts_at)
    if day not in bookable_days(hall, now, policy):
        raise InvalidInput(
            N_("Book from tomorrow up to %(days)s days ahead, until %(cutoff)s the day before."),
            days=policy.horizon_days,
            cutoff=policy.cutoff.strftime("%H:%M"),
        )
    for slot in slots_for(hall, service, day):
        if slot.starts_at == starts_at:
            return slot
    raise NotFound(N_("There is no such time to book."))


def book(
    hall: Hall,
    service_id: int,
    starts_at: datetime,
    booker: Booker,
    *,
    policy: Policy,
    now: datetime | None = None,
) -> Appointment:
    """Book one place; flushes (the caller commits)."""
    now = now or utcnow()
    service = db.session.get(Service, service_id)
    if service is None or service.hall_id != hall.id or not service.active:
        raise NotFound(N_("No such service."))
    name = booker.name.strip()
    if not name or len(name) > 40:
        raise InvalidInput(N_("Write the visitor's name (40 characters at most)."))
    phone = identity.normalise_mobile(booker.phone)
    card = (
        identity.parse_id_number(booker.id_number, today=hall_day(hall.timezone, now))
        if booker.id_number.strip()
        else None
    )
    slot = find_slot(hall, service, starts_at, now, policy)
    day = hall_day(hall.timezone, starts_at)
    phone_hash = crypto.lookup_hash("phone", phone)
    _refuse_second_booking(
        service.id, day, phone_hash, crypto.lookup_hash("id", card.number) if card else None
    )
    _take_place(slot)
    appointment = Appointment(
        hall_id=hall.id,
        service_id=service.id,
        leader_day_id=slot.leader_day_id,
        day=day,
        starts_at=slot.starts_at,
        code=new_code(),
        name=name,
        phone=phone,
        phone_hash=phone_hash,
        id_number=card.number if card else None,
        id_hash=crypto.lookup_hash("id", card.number) if card else None,
        description=bounded(booker.description, 500),
        remote_unit_id=_unit_for(hall, service, booker.remote_unit_id),
        notify_turn=bool(booker.notify_turn),
        created_at=now,
    )
    db.session.add(appointment)
    try:
        db.session.flush()
    except IntegrityError as exc:  # the same person, booking twice at the same instant
        raise IllegalMove(N_("You already have a booking with this service that day.")) from exc
    notify.tell(hall, appointment, "booked", now)
    return appointment


def _refuse_second_booking(service_id: int, day, phone_hash: str, id_hash: str | None) -> None:
    query = select(Appointment.id).where(
        Appointment.service_id == service_id,
        Appointment.day == day,
        Appointment.state != BookingState.CANCELLED.value,
    )
    same_phone = db.session.scalar(query.where(Appointment.phone_hash == phone_hash))
    same_id = id_hash and db.session.scalar(query.where(Appointment.id_hash == id_hash))
    if same_phone or same_id:
        raise IllegalMove(N_("You already have a booking with this service that day."))


def lookup(code: str, phone: str) -> Appointment:
    """A booking by its code and the phone it was made with (both must match)."""
    appointment = db.session.scalars(
        select(Appointment).where(Appointment.code == normalise_code(code))
    ).first()
    try:
        phone_hash = crypto.lookup_hash("phone", identity.normalise_mobile(phone))
    except InvalidInput:
        phone_hash = ""
    if appointment is None or appointment.phone_hash != phone_hash:
        raise NotFound(N_("No booking with this code and phone number."))
    return appointment


def bookings_on(hall: Hall, day: date) -> list[Appointment]:
    """The bookings still to be kept on `day` (booked: not yet checked in, not cancelled)."""
    return list(
        db.session.scalars(
            select(Appointment)
            .where(
                Appointment.hall_id == hall.id,
                Appointment.day == day,
                Appointment.state == BookingState.BOOKED.value,
            )
            .order_by(Appointment.starts_at)
        )
    )


def close_day(hall: Hall, day: date, reason: str, now: datetime) -> list[Appointment]:
    """Close the hall on `day`: every booking of that day is cancelled (its place freed) and
    its visitor texted once the transaction commits; the day's leader
    reception is no longer published (closed days are left out of the schedule)."""
    today = hall_day(hall.timezone, now)
    if not slots.set_closure(hall, day, closed_that_day=True, reason=reason, today=today):
        return []
    cancelled = bookings_on(hall, day)
    for appointment in cancelled:
        cancel(appointment)
        notify.tell(hall, appointment, "closure", now)
    return cancelled


def cancel(appointment: Appointment) -> None:
    if appointment.state != BookingState.BOOKED:
        raise IllegalMove(N_("Only a booking not yet used can be cancelled or moved."))
    appointment.state = BookingState.CANCELLED.value
    _free_place(appointment)
    db.session.flush()


def move(
    hall: Hall,
    appointment: Appointment,
    starts_at: datetime,
    *,
    policy: Policy,
    now: datetime | None = None,
) -> Appointment:
    """Move to another slot of the same service: the new place is taken, the old one freed."""
    now = now or utcnow()
    if appointment.state != BookingState.BOOKED:
        raise IllegalMove(N_("Only a booking not yet used can be cancelled or moved."))
    if starts_at == appointment.starts_at:
        return appointment
    service = appointment.service
    slot = find_slot(hall, service, starts_at, now, policy)
    new_day = hall_day(hall.timezone, starts_at)
    if new_day != appointment.day:
        _refuse_second_booking(service.id, new_day, appointment.phone_hash, appointment.id_hash)
    _take_place(slot)
    _free_place(appointment)
    appointment.starts_at, appointment.day = slot.starts_at, new_day
    appointment.leader_day_id = slot.leader_day_id
    db.session.flush()
    return appointment
