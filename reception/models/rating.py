"""Ratings (评价) of a finished leg of a visit, and the follow-up (回访) a bad one opens."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from reception.db.extensions import Model
from reception.models.types import UTCDateTime

# 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意 (the 政务服务"好差评" five levels)
LEVELS = (5, 4, 3, 2, 1)
BAD = 2  # this level and below opens a follow-up


class Rating(Model):
    """One rating per leg of a ticket; no personal data (the ticket is anonymous)."""

    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("ticket_id", "leg", name="uq_rating_leg"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    leg: Mapped[int] = mapped_column(Integer)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    desk_id: Mapped[int | None] = mapped_column(ForeignKey("desks.id"), default=None)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), default=None)
    # a video reception leg is rated for the department or county that received the visitor
    remote_unit_id: Mapped[int | None] = mapped_column(ForeignKey("remote_units.id"), default=None)
    level: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(String(500), default="")
    # who rated, through which channel: the visitor's phone ("phone"), the desk's rating device
    # ("device", with the device), a case's reply from the phone ("phone", leg 0)
    channel: Mapped[str] = mapped_column(String(10), default="phone")
    device_id: Mapped[int | None] = mapped_column(ForeignKey("display_devices.id"), default=None)
    # why a rating of 不满意 or worse was given: reason codes (see `ratings.REASONS`), comma-joined
    reasons: Mapped[str] = mapped_column(String(100), default="")
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class FollowUp(Model):
    """A call-back (回访) a bad rating opens for the supervisor: due date, outcome, who, when."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id"), unique=True)
    due: Mapped[date] = mapped_column(Date, index=True)
    outcome: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    done_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
