"""Typed SQLAlchemy models; importing this module registers every table."""

from reception.models.appointment import (
    Appointment,
    BookingState,
    Closure,
    LeaderDay,
    MessageState,
    OutboxMessage,
    SlotCount,
    SlotTemplate,
)
from reception.models.case import (
    Alert,
    AuditEntry,
    Case,
    CaseNote,
    CaseStatus,
    JourneyStop,
    Representative,
    Visitor,
)
from reception.models.device import DisplayDevice
from reception.models.hall import (
    Desk,
    DeskEvent,
    Hall,
    Service,
    ServiceKind,
    desk_services,
    staff_desks,
)
from reception.models.rating import FollowUp, Rating
from reception.models.report import DayPercentiles, LegFact, LegRollup
from reception.models.staff import LoginAttempt, Role, StaffHall, User
from reception.models.ticket import (
    ACTIVE_STATES,
    OPEN_STATES,
    DailyCounter,
    Priority,
    QueueCount,
    Ticket,
    TicketEvent,
    TicketState,
)
from reception.models.video import RecordingChunk, RemoteUnit, SessionState, VideoSession

__all__ = [
    "Appointment",
    "BookingState",
    "Closure",
    "LeaderDay",
    "LegFact",
    "LegRollup",
    "LoginAttempt",
    "MessageState",
    "OutboxMessage",
    "SlotCount",
    "SlotTemplate",
    "Alert",
    "AuditEntry",
    "Case",
    "CaseNote",
    "CaseStatus",
    "JourneyStop",
    "Representative",
    "Visitor",
    "ACTIVE_STATES",
    "OPEN_STATES",
    "DailyCounter",
    "QueueCount",
    "DayPercentiles",
    "DisplayDevice",
    "Desk",
    "FollowUp",
    "Rating",
    "RecordingChunk",
    "RemoteUnit",
    "SessionState",
    "VideoSession",
    "DeskEvent",
    "Hall",
    "Priority",
    "Role",
    "Service",
    "StaffHall",
    "ServiceKind",
    "Ticket",
    "TicketEvent",
    "TicketState",
    "User",
    "desk_services",
    "staff_desks",
]
