"""Every payload the live screens receive, declared once.

The publisher (`publish`) and the snapshots build these classes and send their JSON; tests
validate every emitted payload against them. Extra fields are refused, and no field may carry
what looks like an ID number or a mobile phone: lobby screens and phones show numbers, desks,
services, states and counts, never personal data.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from reception.models import Priority, TicketState
from reception.models.types import MAX_ID
from reception.queue.actions import ACTIONS

Action = Literal[
    "issue",
    "call",
    "recall",
    "start",
    "finish",
    "no_show",
    "return",
    "hold",
    "resume",
    "cancel",
    "transfer",
    "video_start",
    "video_end",
]
State = Literal[
    "waiting", "called", "serving", "held", "no_show", "finished", "cancelled"
]  # = TicketState
assert set(State.__args__) == {s.value for s in TicketState}  # type: ignore[attr-defined]
assert set(Action.__args__) == set(ACTIONS)  # type: ignore[attr-defined]  # the one table

_PERSONAL = re.compile(r"(?<!\d)(\d{17}[\dXx]|\d{15}|1[3-9]\d{9})(?!\d)")
Count = Field(ge=0)


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # free text an administrator wrote for the public (a hall's notice line may hold a phone)
    public_text_fields: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_personal_data(self) -> Payload:
        for name, value in self:
            if name in self.public_text_fields:
                continue
            if isinstance(value, str) and _PERSONAL.search(value):
                raise ValueError(f"{name} looks like an ID or phone number")
        return self

    def json_dict(self, exclude: set[str] | None = None) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude=exclude)


class TicketView(Payload):
    """A ticket's public shape: the live events', and the JSON API's (`TicketSchema`)."""

    id: int = Field(ge=1, le=MAX_ID)
    number: str = Field(max_length=8)
    state: State
    service_id: int = Field(ge=1, le=MAX_ID)
    desk_id: int | None = Field(ge=1, le=MAX_ID)
    desk_number: int | None = Field(ge=1)
    target_desk_id: int | None = Field(ge=1, le=MAX_ID)
    leg: int = Field(ge=1)
    recalls: int = Count
    priority: int = Field(ge=0, le=len(Priority) - 1)


class WaitingTicket(TicketView):
    line_at: str


class Announcement(Payload):
    text: str = Field(max_length=200)
    speech: str = Field(max_length=200)


class QueueEvent(Payload):
    """`queue`: one change of a ticket, to its hall, service, desk and ticket rooms."""

    hall_id: int
    version: int
    action: Action
    ticket: TicketView
    waiting: dict[str, int]
    announce: Announcement | None = None


class AlertEvent(Payload):
    """`alert`: an urgent matter, a group visit, a wait beyond target, a desk paused too long or
    a bad rating, to the supervisors' room only; sent again when someone acknowledges it."""

    id: int
    kind: Literal["urgent", "group", "wait", "pause", "rating", "overdue"]
    ticket_number: str | None
    text: str = Field(max_length=200)
    at: str
    case_id: int | None = None
    service_id: int | None = None
    desk_id: int | None = None
    acknowledged_at: str | None = None
    acknowledged_by: str | None = Field(default=None, max_length=64)  # staff, never a visitor


class BoardEvent(Payload):
    """`board`: something the supervisor's board counts changed that no queue event carries
    (a rating): the board fetches a fresh snapshot."""

    hall_id: int


class VideoEvent(Payload):
    """`video`: a video session rang, was answered, ended or went unanswered; to the session's
    room, its unit's room and its desk's room. The pages fetch what they show (names) over HTTP."""

    session_id: int
    hall_id: int
    unit_id: int
    desk_id: int
    state: Literal["ringing", "active", "ended", "unanswered", "cancelled"]


class VideoSnapshot(Payload):
    """The answer to joining `video:<id>` (a party of the session) or `remote:<unit>`."""

    room: str
    state: str = ""
    version: int = 0


class SignalMessage(Payload):
    """`signal`: WebRTC signalling relayed to the other party of a session (SDP and ICE
    candidates carry network addresses, never personal data)."""

    session: int
    party: Literal["hall", "remote"]
    data: dict[str, Any]


class PeerEvent(Payload):
    """`video_peer`: the other party's page joined or left the session's room."""

    session: int
    party: Literal["hall", "remote"]
    present: bool


class ConsoleEvent(Payload):
    """`console`: a desk's console changed hands; `holder` marks the session now holding it."""

    desk_id: int
    holder: str | None = Field(max_length=12)
    at: str


class HallEvent(Payload):
    """`hall`: the hall's set-up changed; screens take a fresh snapshot."""

    hall_id: int
    version: int


DeskStateName = Literal["open", "paused", "closed"]


class DeskStateEvent(Payload):
    """`desk`: a desk opened, paused or closed (no reason: that is for staff pages)."""

    hall_id: int
    version: int
    desk_id: int
    desk_number: int
    state: DeskStateName


class DeskPlace(Payload):
    desk_id: int
    number: int
    floor: int
    place: str
    place_en: str


class DeskState(Payload):
    desk_id: int
    desk_number: int
    state: DeskStateName


class RecentCall(Payload):
    version: int
    action: Literal["call", "recall"]
    ticket_id: int
    number: str
    desk_id: int | None
    desk_number: int | None
    service_id: int
    at: str
    announce: Announcement | None


class ServiceCount(Payload):
    id: int
    prefix: str
    name: str  # the service's (department's) name, not a person's
    name_en: str | None
    waiting: int = Count
    minutes_per_person: float = Field(ge=0)  # the screen shows waiting × this as the wait


class HallSnapshot(Payload):
    public_text_fields: ClassVar[frozenset[str]] = frozenset({"notice"})
    room: str
    hall_id: int
    version: int
    notice: str
    services: list[ServiceCount]
    calls: list[RecentCall]
    desks: list[TicketView]
    desk_states: list[DeskState] = []  # the desks not open now (paused or closed)
    places: list[DeskPlace] = []  # where each desk is (public facts about the hall)
    lobby_floor: int = 1


class DeskSnapshot(Payload):
    room: str
    version: int
    desk_id: int
    desk_number: int
    current: TicketView | None
    state: DeskStateName = "open"
    waiting: list[WaitingTicket] | None = None
    console: str | None = None  # marker of the session holding the desk (staff only)


class ServiceSnapshot(Payload):
    room: str
    version: int
    service_id: int
    waiting: int = Count


class ServiceInfo(Payload):
    id: int
    name: str
    name_en: str | None
    waiting_area: str | None


class Leg(Payload):
    leg: int
    service_id: int
    end_action: str | None


class TicketSnapshot(Payload):
    room: str
    version: int
    ticket: TicketView
    service: ServiceInfo
    people_ahead: int = Count
    wait_minutes: int | None
    legs: list[Leg]


class SetupSnapshot(Payload):
    room: str
    version: int


class BoardDesk(Payload):
    id: int
    number: int
    name: str
    state: Literal["open", "paused", "closed"]
    reason: str | None
    since: str | None  # when the desk's state last changed
    ticket_number: str | None
    ticket_state: State | None
    ticket_since: str | None  # when the ticket at the desk was called or started
    staff: str | None  # who holds the desk's console


class BoardService(Payload):
    id: int
    name: str
    name_en: str
    waiting: int = Count
    longest_wait_seconds: int | None
    estimate_minutes: int = Count
    target_minutes: int = Count
    exceeded: bool


class BoardTotals(Payload):
    """Today's figures, each defined as in the reports (`reports.day_totals`)."""

    issued: int = Count  # tickets
    served: int = Count  # legs whose service started
    no_shows: int = Count  # legs whose visitor missed a call
    transfers: int = Count  # legs that passed the visitor on
    rated: int = Count
    satisfied: int = Count
    satisfaction: float | None  # 满意率 so far, percent
    rating_rate: float | None  # 参评率 so far: rated over served, percent


class BoardSnapshot(Payload):
    room: str
    version: int
    now: str
    day: str
    local_time: str
    desks: list[BoardDesk]
    services: list[BoardService]
    totals: BoardTotals
    alerts: list[AlertEvent]


class CityHall(Payload):
    """One hall on the city board (`city:<hall id>`): what its own board shows, summed."""

    room: str
    version: int
    hall_id: int
    code: str
    name: str
    local_time: str
    desks_open: int = Count  # open and taking visitors
    desks_paused: int = Count
    desks_in_use: int = Count  # every desk in use, whatever its state
    waiting: int = Count
    longest_wait_seconds: int | None
    # the wait target of the line waiting longest past its target (or the longest line's)
    target_minutes: int = Count
    over_target: int = Count  # lines whose longest wait is past their target
    totals: BoardTotals
    alerts: dict[str, int]  # today's alerts nobody acknowledged yet, by kind
    alerts_total: int = Count
    overdue_matters: int = Count  # matters under the city's supervision past their date


class AlertsSnapshot(Payload):
    room: str
    alerts: list[AlertEvent]


EVENTS: dict[str, type[Payload]] = {
    "queue": QueueEvent,
    "alert": AlertEvent,
    "board": BoardEvent,
    "console": ConsoleEvent,
    "desk": DeskStateEvent,
    "hall": HallEvent,
    "video": VideoEvent,
    "video_peer": PeerEvent,
    "signal": SignalMessage,
}
SNAPSHOTS: dict[str, type[Payload]] = {
    "hall": HallSnapshot,
    "desk": DeskSnapshot,
    "service": ServiceSnapshot,
    "ticket": TicketSnapshot,
    "alerts": AlertsSnapshot,
    "board": BoardSnapshot,
    "setup": SetupSnapshot,
    "video": VideoSnapshot,
    "remote": VideoSnapshot,
}
