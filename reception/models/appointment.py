"""Appointments (预约): slot templates, closures, leaders' reception days, bookings, reminders."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, String, Text, Time, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reception.db.extensions import Model
from reception.models.types import Encrypted, UTCDateTime, utcnow


class BookingState(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class SlotTemplate(Model):
    """Weekly opening of a service for bookings: weekdays, a time range cut into slots."""

    __tablename__ = "slot_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    weekdays: Mapped[str] = mapped_column(String(20), default="0,1,2,3,4")  # Monday is 0
    start: Mapped[time] = mapped_column(Time)
    end: Mapped[time] = mapped_column(Time)
    slot_minutes: Mapped[int] = mapped_column(default=30)
    capacity: Mapped[int] = mapped_column(default=2)

    def on(self, day: date) -> bool:
        return str(day.weekday()) in self.weekdays.split(",")


class Closure(Model):
    """A public holiday or a closure: no bookings that day."""

    __tablename__ = "closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(100), default="")


class LeaderDay(Model):
    """A published reception day of a city leader (领导接访日), bookable like a service."""

    __tablename__ = "leader_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    day: Mapped[date] = mapped_column(Date, index=True)
    leader: Mapped[str] = mapped_column(String(60))  # a public office and name
    place: Mapped[str] = mapped_column(String(120), default="")
    matters: Mapped[str] = mapped_column(String(300), default="")
    start: Mapped[time] = mapped_column(Time)
    end: Mapped[time] = mapped_column(Time)
    slot_minutes: Mapped[int] = mapped_column(default=30)
    capacity: Mapped[int] = mapped_column(default=3)


class SlotCount(Model):
    """Places taken in one slot; a conditional UPDATE on this row enforces the capacity."""

    __tablename__ = "slot_counts"

    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    taken: Mapped[int] = mapped_column(default=0)


class Appointment(Model):
    __tablename__ = "appointments"
    __table_args__ = (
        # one live booking per person (phone) per service per day
        Index(
            "uq_booking_person_day",
            "service_id",
            "day",
            "phone_hash",
            unique=True,
            sqlite_where=text("state != 'cancelled'"),
            postgresql_where=text("state != 'cancelled'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    leader_day_id: Mapped[int | None] = mapped_column(ForeignKey("leader_days.id"), default=None)
    day: Mapped[date] = mapped_column(Date, index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(Encrypted())
    phone: Mapped[str] = mapped_column(Encrypted())
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_number: Mapped[str | None] = mapped_column(Encrypted(), default=None)
    id_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    description: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), default=BookingState.BOOKED.value)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), default=None)
    # a video reception booked with a department or county (when nobody of it was on duty)
    remote_unit_id: Mapped[int | None] = mapped_column(ForeignKey("remote_units.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    service = relationship("Service")
    leader_day: Mapped[LeaderDay | None] = relationship()
    ticket = relationship("Ticket")

    @property
    def shown_state(self) -> str:
        """The state staff see: a checked-in booking whose ticket is finished was served."""
        if (
            self.state == BookingState.CHECKED_IN
            and self.ticket
            and self.ticket.state == "finished"
        ):
            return "served"
        return self.state


class OutboxMessage(Model):
    """A message the default notifier keeps for staff to see (or an SMS gateway to send)."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    phone: Mapped[str] = mapped_column(Encrypted())
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_via: Mapped[str] = mapped_column(String(40), default="outbox")
