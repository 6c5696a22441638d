"""The hall's setup: services (queues) and desks (windows)."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reception.db.extensions import Model, db
from reception.models.types import UTCDateTime

HALL_CODE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$")


def new_hall_code() -> str:
    return "hall-" + secrets.token_hex(3)


class ServiceKind(StrEnum):
    DEPARTMENT = "department"
    LAWYER = "lawyer"
    PSYCHOLOGIST = "psychologist"
    MEDIATOR = "mediator"
    VIDEO = "video"
    LEADER = "leader"


class Hall(Model):
    __tablename__ = "halls"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # The hall's short code in its addresses (`/h/<code>/kiosk/`): lowercase letters, digits and
    # hyphens. A new hall without one gets a random code until an administrator names it.
    code: Mapped[str] = mapped_column(String(32), unique=True, index=True, default=new_hall_code)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    notice: Mapped[str] = mapped_column(String(500), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    # The floor the lobby (and its screens) is on: the voice names a desk's floor when it differs.
    lobby_floor: Mapped[int] = mapped_column(Integer, default=1)
    # Opening hours per weekday (0 Monday): {"0": [["08:30", "12:00"], ["13:30", "17:30"]]};
    # empty: the kiosk is always open (no hours set).
    opening_hours: Mapped[dict] = mapped_column(JSON, default=dict)
    # Triage settings: {"categories": [...], "routing": {category: [service kinds or prefixes]}}
    triage: Mapped[dict] = mapped_column(JSON, default=dict)
    # A bad rating's call-back (回访) is due this many working days later.
    follow_up_days: Mapped[int] = mapped_column(Integer, default=5)
    # A desk paused longer than this raises an alert on the supervisor's board.
    pause_alert_minutes: Mapped[int] = mapped_column(Integer, default=15)
    # Video reception: how long a remote unit has to answer a call; whether sessions are
    # recorded (同步录音录像) and how many days a recording is kept.
    video_answer_seconds: Mapped[int] = mapped_column(Integer, default=60)
    video_recording: Mapped[bool] = mapped_column(default=False)
    recording_retention_days: Mapped[int] = mapped_column(Integer, default=180)
    # 行政区划代码 (GB/T 2260, six digits): the 好差评 and 信访件 exports carry it
    region_code: Mapped[str] = mapped_column(String(12), default="")
    # the ID-card reader's local service the counter's browser reads (华视 CVR-100 by default)
    card_reader_url: Mapped[str] = mapped_column(
        String(200), default="http://127.0.0.1:19196/readcard"
    )
    card_reader_kind: Mapped[str] = mapped_column(String(20), default="cvr100")
    # Bumped by every write to the hall's queues: orders events and serialises writers.
    version: Mapped[int] = mapped_column(Integer, default=0)

    services: Mapped[list[Service]] = relationship(
        back_populates="hall", order_by="Service.sort_order"
    )
    desks: Mapped[list[Desk]] = relationship(back_populates="hall", order_by="Desk.number")


desk_services = Table(
    "desk_services",
    db.metadata,
    Column("desk_id", ForeignKey("desks.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
)


class Service(Model):
    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("hall_id", "prefix", name="uq_service_prefix"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    kind: Mapped[str] = mapped_column(String(20), default=ServiceKind.DEPARTMENT.value)
    prefix: Mapped[str] = mapped_column(String(4))
    waiting_area: Mapped[str] = mapped_column(String(120), default="")
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    # The longest wait the centre accepts for this service (minutes; 0: none set).
    wait_target_minutes: Mapped[int] = mapped_column(Integer, default=0)
    # "your turn is near": a text at this many places ahead (0: none sent)
    notify_ahead: Mapped[int] = mapped_column(Integer, default=0)

    hall: Mapped[Hall] = relationship(back_populates="services")
    desks: Mapped[list[Desk]] = relationship(
        secondary=desk_services, back_populates="services", order_by="Desk.number"
    )

    def label(self, locale: str | None) -> str:
        if locale and locale.startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Desk(Model):
    __tablename__ = "desks"
    __table_args__ = (UniqueConstraint("hall_id", "number", name="uq_desk_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120), default="")
    name_en: Mapped[str] = mapped_column(String(120), default="")
    # Where the desk is, for visitors: its floor and a room ("二楼 律师接访室").
    floor: Mapped[int] = mapped_column(Integer, default=1)
    location: Mapped[str] = mapped_column(String(120), default="")
    location_en: Mapped[str] = mapped_column(String(120), default="")
    open: Mapped[bool] = mapped_column(default=True)
    # Paused (休息, 会议, 外出办事 or the clerk's words): open, but it gets no calls.
    pause_reason: Mapped[str | None] = mapped_column(String(40), default=None)
    # A desk taken out of use (never deleted: tickets and events refer to it).
    active: Mapped[bool] = mapped_column(default=True)
    # The one staff session whose console holds this desk (a second opener may take over).
    console_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    console_key: Mapped[str | None] = mapped_column(String(32), default=None)
    console_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    hall: Mapped[Hall] = relationship(back_populates="desks")
    services: Mapped[list[Service]] = relationship(
        secondary=desk_services, back_populates="desks", order_by="Service.sort_order"
    )

    @property
    def state(self) -> str:
        """open, paused or closed."""
        if not self.open:
            return "closed"
        return "paused" if self.pause_reason is not None else "open"

    def place(self, locale: str | None) -> str:
        """Where the desk is, in the reader's language (empty when it is in the lobby)."""
        if locale and locale.startswith("en") and self.location_en:
            return self.location_en
        return self.location

    def label(self, locale: str | None) -> str:
        if locale and locale.startswith("en") and self.name_en:
            return self.name_en
        return self.name


# The desks a staff member may open (the assignment is data; an admin keeps it).
staff_desks = Table(
    "staff_desks",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("desk_id", ForeignKey("desks.id", ondelete="CASCADE"), primary_key=True),
)


class DeskEvent(Model):
    """A desk opened, paused (with its reason), resumed or closed: the desk's own log, for the
    figures (time paused) and the supervisor."""

    __tablename__ = "desk_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    desk_id: Mapped[int] = mapped_column(ForeignKey("desks.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    action: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(40), default="")
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    hall_version: Mapped[int] = mapped_column(Integer, default=0)
