"""Video reception (视频接访): units received over video, their sessions, and recordings."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reception.db.extensions import Model
from reception.models.types import UTCDateTime, utcnow


class RemoteUnit(Model):
    """A department or county with no staff in the hall: its staff receive visitors over video
    from their own office (users with role `remote` and this unit)."""

    __tablename__ = "remote_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    def label(self, locale: str | None) -> str:
        if locale and locale.startswith("en") and self.name_en:
            return self.name_en
        return self.name


class SessionState(StrEnum):
    RINGING = "ringing"  # the hall called the unit; nobody there has answered yet
    ACTIVE = "active"
    ENDED = "ended"
    UNANSWERED = "unanswered"  # the unit did not answer in time
    CANCELLED = "cancelled"  # the hall gave up before an answer


OPEN_SESSION_STATES = (SessionState.RINGING.value, SessionState.ACTIVE.value)


class VideoSession(Model):
    """One call between the hall's video desk and a remote unit about one ticket's leg."""

    __tablename__ = "video_sessions"
    __table_args__ = (Index("ix_video_session_unit_state", "remote_unit_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    leg: Mapped[int] = mapped_column(Integer)
    desk_id: Mapped[int] = mapped_column(ForeignKey("desks.id"))
    remote_unit_id: Mapped[int] = mapped_column(ForeignKey("remote_units.id"))
    operator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    remote_staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    state: Mapped[str] = mapped_column(String(12), default=SessionState.RINGING.value)
    recording: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answer_by: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # what the remote unit wrote as its handling of the matter (also a note on the case)
    outcome: Mapped[str] = mapped_column(Text, default="")
    # the recording was deleted at the end of the hall's retention period
    recording_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    unit: Mapped[RemoteUnit] = relationship()


class RecordingChunk(Model):
    """One piece of a session's recording as the hall's browser uploaded it, encrypted (Fernet
    under the data key). The pieces, in order, make one WebM file."""

    __tablename__ = "recording_chunks"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("video_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    size: Mapped[int] = mapped_column(Integer)  # bytes before encryption
    data: Mapped[bytes] = mapped_column(LargeBinary)
