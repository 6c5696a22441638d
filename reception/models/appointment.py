"""Appointments (预约): slot templates, closures, leaders' reception days, bookings, reminders."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, Time, UniqueConstraint, text
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
    # the visitor agreed to a text when their turn is near on the day
    notify_turn: Mapped[bool] = mapped_column(default=False)

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


class MessageState(StrEnum):
    QUEUED = "queued"  # recorded, waiting for the courier (or for its next try)
    SENDING = "sending"  # a courier took it
    SENT = "sent"  # the gateway accepted it
    KEPT = "kept"  # no gateway configured: kept in the outbox for staff to read
    FAILED = "failed"  # refused by the gateway, or every try failed
    DROPPED = "dropped"  # no longer true when its turn came (the visitor was already called)


class OutboxMessage(Model):
    """A text to a visitor: recorded in the transaction that decides it, sent by the courier
    after the commit through the configured gateway (or kept here, the default)."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        # at most one text of a kind per leg of a ticket ("your turn is near" once a leg)
        UniqueConstraint("ticket_id", "leg", "kind", name="uq_message_ticket_leg_kind"),
        Index("ix_message_due", "state", "next_try_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int | None] = mapped_column(ForeignKey("halls.id"), default=None, index=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), default=None)
    leg: Mapped[int | None] = mapped_column(default=None)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), default=None)
    kind: Mapped[str] = mapped_column(String(20), default="text")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    phone: Mapped[str] = mapped_column(Encrypted())
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_via: Mapped[str] = mapped_column(String(40), default="outbox")
    state: Mapped[str] = mapped_column(String(10), default=MessageState.QUEUED.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # the gateway's refusal (its code and message) or its reference for a sent text
    error: Mapped[str] = mapped_column(String(200), default="")
    gateway_ref: Mapped[str] = mapped_column(String(80), default="")
