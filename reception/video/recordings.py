"""Recordings of video sessions (同步录音录像): pieces uploaded while the call runs, stored
encrypted with the session, played back whole, deleted after the hall's retention period."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from reception.core.crypto import decrypt_bytes, encrypt_bytes
from reception.core.errors import IllegalMove, InvalidInput, NotFound
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import Hall, RecordingChunk, SessionState, Ticket, User, VideoSession
from reception.video.sessions import HALL, load, party

MAX_CHUNK_BYTES = 16 * 1024 * 1024
MAX_SEQ = 100_000
# pieces still on their way when the call ends (the browser flushes its queue) are accepted
LATE_UPLOAD = timedelta(minutes=10)
# A WebM recording is one EBML document: the browser's first piece opens with its header, and
# every later piece continues it (clusters), never with a header of its own.
EBML_MAGIC = b"\x1a\x45\xdf\xa3"


def add_chunk(session_id: int, user: User, seq: int, data: bytes, now: datetime) -> bool:
    """Store piece `seq` of the session's recording; False when it was already stored (the
    browser retried an upload whose answer it lost)."""
    call = load(session_id)
    if party(call, user) != HALL:
        raise NotFound(N_("No such video session."))
    if not call.recording or call.recording_purged_at is not None:
        raise IllegalMove(N_("This video session is not being recorded."))
    open_for_upload = call.state == SessionState.ACTIVE.value or (
        call.state == SessionState.ENDED.value
        and call.ended_at is not None
        and now - call.ended_at <= LATE_UPLOAD
    )
    if not open_for_upload:
        raise IllegalMove(N_("This video session is not being recorded."))
    if not 1 <= seq <= MAX_SEQ:
        raise InvalidInput(N_("No such piece of the recording."))
    if not data or len(data) > MAX_CHUNK_BYTES:
        raise InvalidInput(N_("A piece of the recording is empty or too large."))
    if (seq == 1) != data.startswith(EBML_MAGIC):
        raise InvalidInput(N_("This is not a piece of the session's WebM recording."))
    if db.session.get(RecordingChunk, (call.id, seq)) is not None:
        return False
    db.session.add(
        RecordingChunk(
            session_id=call.id, seq=seq, at=now, size=len(data), data=encrypt_bytes(data)
        )
    )
    return True


def stored(session_id: int) -> tuple[int, int]:
    """(pieces, bytes) of the session's recording."""
    pieces, size = db.session.execute(
        select(func.count(), func.coalesce(func.sum(RecordingChunk.size), 0)).where(
            RecordingChunk.session_id == session_id
        )
    ).one()
    return int(pieces), int(size)


def pieces(session_id: int) -> Iterator[bytes]:
    """The recording's pieces decrypted, in order (together: one WebM file)."""
    rows = db.session.execute(
        select(RecordingChunk.data)
        .where(RecordingChunk.session_id == session_id)
        .order_by(RecordingChunk.seq)
        .execution_options(yield_per=8)
    )
    for (data,) in rows:
        yield decrypt_bytes(bytes(data))


def recorded_for_case(case_id: int) -> list[tuple[VideoSession, int, int]]:
    """The case's recorded sessions with their (pieces, bytes), oldest first."""
    calls = db.session.scalars(
        select(VideoSession)
        .join(Ticket, Ticket.id == VideoSession.ticket_id)
        .where(Ticket.case_id == case_id, VideoSession.recording.is_(True))
        .order_by(VideoSession.id)
    ).all()
    return [(call, *stored(call.id)) for call in calls]


def purge(hall: Hall, now: datetime) -> int:
    """Delete the recordings kept longer than the hall's retention period; how many sessions."""
    cutoff = now - timedelta(days=hall.recording_retention_days)
    calls = db.session.scalars(
        select(VideoSession).where(
            VideoSession.hall_id == hall.id,
            VideoSession.recording.is_(True),
            VideoSession.recording_purged_at.is_(None),
            func.coalesce(VideoSession.ended_at, VideoSession.created_at) < cutoff,
        )
    ).all()
    for call in calls:
        db.session.execute(delete(RecordingChunk).where(RecordingChunk.session_id == call.id))
        call.recording_purged_at = now
    return len(calls)
