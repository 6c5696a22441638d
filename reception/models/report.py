"""The visit's legs, rolled up from the event log once their day is over (for the reports)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from reception.db.extensions import Model
from reception.models.types import UTCDateTime


class LegFact(Model):
    """One leg of one ticket, as `reception.oversight.reports` reads it from the event log:
    written once the leg's day is over (and nothing can change it any more), so a year's report
    reads these rows instead of grouping millions of events. The leg's rating is copied in at the
    roll-up and kept current by `ratings.rate` (a rating may come days later).

    On SQLite the rows are stored in key order (WITHOUT ROWID): a period is one range of the
    table, read in order, with no lookups."""

    __tablename__ = "leg_facts"
    __table_args__ = (
        UniqueConstraint("ticket_id", "leg", name="uq_leg_facts_leg"),
        # the percentiles' histograms by day read these in order, without a sort
        Index("ix_leg_facts_wait", "hall_id", "service_day", "wait"),
        Index("ix_leg_facts_service", "hall_id", "service_day", "service"),
        {"sqlite_with_rowid": False},
    )

    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), primary_key=True)
    service_day: Mapped[date] = mapped_column(Date, primary_key=True)  # hall-local, of entering
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    leg: Mapped[int] = mapped_column(Integer, primary_key=True)
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
    level: Mapped[int | None] = mapped_column(Integer, default=None)  # its rating, if any


class LegRollup(Model):
    """How far a hall's legs are rolled up: every day up to `until` is in `leg_facts`."""

    __tablename__ = "leg_rollups"

    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), primary_key=True)
    until: Mapped[date] = mapped_column(Date)


class DayPercentiles(Model):
    """A finished day's median and 90th-percentile wait and service time (seconds, nearest
    rank), for the whole hall (service 0) and for each service: written with the day's legs,
    so a year's report by day reads 250 rows instead of ranking every leg of every day."""

    __tablename__ = "day_percentiles"

    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), primary_key=True)
    service_day: Mapped[date] = mapped_column(Date, primary_key=True)
    service_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0: all services
    wait_p50: Mapped[int | None] = mapped_column(Integer)
    wait_p90: Mapped[int | None] = mapped_column(Integer)
    service_p50: Mapped[int | None] = mapped_column(Integer)
    service_p90: Mapped[int | None] = mapped_column(Integer)
