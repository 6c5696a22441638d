"""The visit's legs, rolled up from the event log once their day is over (for the reports)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .types import UTCDateTime


class LegFact(Model):
    """One leg of one ticket, as `reception.reports` reads it from the event log: written once
    the leg's day is over (and nothing can change it any more), so a year's report reads
    these rows instead of grouping millions of events. Ratings are joined when reported (they
    may come later)."""

    __tablename__ = "leg_facts"
    __table_args__ = (
        Index("ix_leg_facts_day", "hall_id", "service_day"),
        # the percentiles' histograms by day read these in order, without a sort
        Index("ix_leg_facts_wait", "hall_id", "service_day", "wait"),
        Index("ix_leg_facts_service", "hall_id", "service_day", "service"),
    )

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    leg: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    service_day: Mapped[date] = mapped_column(Date)  # the hall-local day the leg began
    entered: Mapped[datetime] = mapped_column(UTCDateTime())
    called: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended: Mapped[datetime | None] = mapped_column(UTCDateTime())
    service_id: Mapped[int | None] = mapped_column(Integer)
    desk_id: Mapped[int | None] = mapped_column(Integer)
    staff_id: Mapped[int | None] = mapped_column(Integer)
    no_show: Mapped[int] = mapped_column(Integer)
    returned: Mapped[int] = mapped_column(Integer)
    passed: Mapped[int] = mapped_column(Integer)
    wait: Mapped[int | None] = mapped_column(Integer)  # seconds from entering to the first call
    service: Mapped[int | None] = mapped_column(Integer)  # seconds of service
    hour: Mapped[int] = mapped_column(Integer)  # hall-local hour the leg began
    weekday: Mapped[int] = mapped_column(Integer)  # 0 Monday


class LegRollup(Model):
    """How far a hall's legs are rolled up: every day up to `until` is in `leg_facts`."""

    __tablename__ = "leg_rollups"

    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), primary_key=True)
    until: Mapped[date] = mapped_column(Date)
