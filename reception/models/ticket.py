"""Tickets, their append-only event log, and the per-day number counters."""

from __future__ import annotations

from datetime import date, datetime
from enum import IntEnum, StrEnum

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reception.db.extensions import Model
from reception.models.hall import Desk, Service
from reception.models.types import UTCDateTime, utcnow


class TicketState(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    HELD = "held"
    NO_SHOW = "no_show"
    FINISHED = "finished"
    CANCELLED = "cancelled"


ACTIVE_STATES = (TicketState.CALLED, TicketState.SERVING)
OPEN_STATES = (TicketState.WAITING, TicketState.CALLED, TicketState.SERVING, TicketState.HELD)


class Priority(IntEnum):
    WALK_IN = 0
    APPOINTMENT = 1
    VULNERABLE = 2
    URGENT = 3


class DailyCounter(Model):
    """Last number handed out per hall, prefix and hall-local day; updated under the hall lock."""

    __tablename__ = "daily_counters"

    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(4), primary_key=True)
    service_day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)


class QueueCount(Model):
    """Tickets waiting per hall, hall-local day and service: kept by the database itself.

    Triggers on `tickets` (migration 0014) add one when a ticket joins a service's line and take
    one off when it leaves (called, cancelled, moved to another service, deleted), in the same
    statement as the change; so reading a line's length is one row, however long the line.
    Nothing in Python writes it."""

    __tablename__ = "queue_counts"

    hall_id: Mapped[int] = mapped_column(primary_key=True)
    service_day: Mapped[date] = mapped_column(Date, primary_key=True)
    service_id: Mapped[int] = mapped_column(primary_key=True)
    waiting: Mapped[int] = mapped_column(default=0)


class Ticket(Model):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("hall_id", "service_day", "number", name="uq_ticket_number_per_day"),
        # the ticket a desk has called or is serving
        Index("ix_ticket_desk", "desk_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    service_day: Mapped[date] = mapped_column(Date)
    number: Mapped[str] = mapped_column(String(12))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    # A transfer to one desk in particular: only that desk calls the ticket.
    target_desk_id: Mapped[int | None] = mapped_column(ForeignKey("desks.id"), default=None)
    desk_id: Mapped[int | None] = mapped_column(ForeignKey("desks.id"), default=None)
    state: Mapped[str] = mapped_column(String(12), default=TicketState.WAITING.value)
    priority: Mapped[int] = mapped_column(default=Priority.WALK_IN.value)
    channel: Mapped[str] = mapped_column(String(16), default="kiosk")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), default=None)
    # The department or county a video-reception visitor asks to speak to.
    remote_unit_id: Mapped[int | None] = mapped_column(ForeignKey("remote_units.id"), default=None)
    remote_unit = relationship("RemoteUnit", lazy="select", viewonly=True)
    leg: Mapped[int] = mapped_column(default=1)
    # the visitor gave a mobile number and agreed to be texted when their turn is near
    notify: Mapped[bool] = mapped_column(default=False)
    recall_count: Mapped[int] = mapped_column(default=0)
    outcome: Mapped[str] = mapped_column(Text, default="")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The place in line: set when the visitor first enters, kept across transfers and holds.
    line_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    service: Mapped[Service] = relationship(foreign_keys=[service_id])
    desk: Mapped[Desk | None] = relationship(foreign_keys=[desk_id])
    target_desk: Mapped[Desk | None] = relationship(foreign_keys=[target_desk_id])
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id"
    )


# Today's line of a hall, per service, in calling order (priority first, then place in line):
# waiting counts read only today's entries, and the next to call is the first entry of its
# service's stretch that the desk may take (no sort of the waiting).
Index(
    "ix_ticket_queue",
    Ticket.hall_id,
    Ticket.service_day,
    Ticket.state,
    Ticket.service_id,
    Ticket.priority.desc(),
    Ticket.line_at,
    Ticket.id,
)
# tickets sent to one desk by name (a transfer to a chosen desk), and only those: the service
# line's branch of call-next (no named desk) can then never be planned on this index
_NAMED_DESK = Ticket.target_desk_id.is_not(None)
Index(
    "ix_ticket_target",
    Ticket.target_desk_id,
    Ticket.hall_id,
    Ticket.service_day,
    Ticket.state,
    postgresql_where=_NAMED_DESK,
    sqlite_where=_NAMED_DESK,
)


class TicketEvent(Model):
    """One state change of one ticket; rows are only ever added."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    hall_version: Mapped[int] = mapped_column()
    action: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    desk_id: Mapped[int | None] = mapped_column(ForeignKey("desks.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    leg: Mapped[int] = mapped_column()
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    note: Mapped[str] = mapped_column(Text, default="")

    ticket: Mapped[Ticket] = relationship(back_populates="events")
