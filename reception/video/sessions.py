"""Video reception (视频接访): the hall's video desk calls a remote unit about the visitor at
the desk; the unit's staff answer from their office; both browsers talk over WebRTC.

The session's life is kept here (ringing, active, ended; unanswered when nobody answers in the
hall's time); its start and end are events on the ticket. Signalling itself never touches the
database: it is relayed between the two parties by the socket handlers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from reception.core import identity, signals
from reception.core.errors import IllegalMove, InvalidInput, NotFound, bounded
from reception.core.messages import N_
from reception.db import pending
from reception.db.extensions import db
from reception.models import (
    ACTIVE_STATES,
    OPEN_STATES,
    AuditEntry,
    Case,
    CaseNote,
    Desk,
    Hall,
    RemoteUnit,
    Role,
    Service,
    ServiceKind,
    SessionState,
    Ticket,
    TicketState,
    User,
    VideoSession,
)
from reception.models.video import OPEN_SESSION_STATES
from reception.queue import moves
from reception.queue.journal import record
from reception.queue.locking import lock_hall
from reception.triage.registration import MatterInput

OUTCOME_LIMIT = 2000


def _audit(staff_id: int, action: str, **refs: object) -> None:
    db.session.add(AuditEntry(staff_id=staff_id, action=action, **refs))


HALL, REMOTE = "hall", "remote"


def units(hall_id: int) -> list[RemoteUnit]:
    """The units a visitor can ask for, in the hall's order."""
    return list(
        db.session.scalars(
            select(RemoteUnit)
            .where(RemoteUnit.hall_id == hall_id, RemoteUnit.active.is_(True))
            .order_by(RemoteUnit.sort_order, RemoteUnit.id)
        )
    )


PRESENCE_SECONDS = 90  # the unit's page renews its presence every 45 s while it is open


def mark_present(user: User, now: datetime) -> None:
    """A unit's staff member has the unit's page open: the unit can answer a call now."""
    user.present_until = now + timedelta(seconds=PRESENCE_SECONDS)


def mark_absent(user: User) -> None:
    user.present_until = None


def available_unit_ids(hall_id: int, now: datetime) -> set[int]:
    """The units with someone at their page now (an active remote staff member present)."""
    rows = db.session.scalars(
        select(User.remote_unit_id)
        .join(RemoteUnit, RemoteUnit.id == User.remote_unit_id)
        .where(
            RemoteUnit.hall_id == hall_id,
            User.active.is_(True),
            User.role == Role.REMOTE.value,
            User.present_until > now,
        )
        .distinct()
    )
    return {unit_id for unit_id in rows if unit_id is not None}


def require_on_duty(hall_id: int, unit_id: int | None, now: datetime) -> None:
    """A visitor takes a number for a unit only while someone of it can answer (the kiosk);
    the registration counter books a time with the others."""
    if unit_id not in available_unit_ids(hall_id, now):
        raise IllegalMove(
            N_("Nobody of that unit is on duty now: the registration counter books a time.")
        )


def unit_of(hall_id: int, unit_id: int | None) -> RemoteUnit:
    unit = db.session.get(RemoteUnit, unit_id) if unit_id is not None else None
    if unit is None or unit.hall_id != hall_id or not unit.active:
        raise InvalidInput(N_("Choose the department or county to speak to."))
    return unit


def is_video(service: Service) -> bool:
    return service.kind == ServiceKind.VIDEO.value


def choose_unit(ticket: Ticket, unit_id: int | None) -> None:
    """The unit a video visitor asks for (at the kiosk, the registration counter or the desk)."""
    ticket.remote_unit_id = unit_of(ticket.hall_id, unit_id).id


@signals.matter_registered.connect
def _unit_of_registered_matter(
    hall_id: int, *, ticket: Ticket | None, matter: MatterInput, **_: Any
) -> None:
    """A matter registered for a video reception: its ticket carries the unit asked for."""
    if ticket is not None and matter.remote_unit_id is not None:
        choose_unit(ticket, matter.remote_unit_id)


def party(call: VideoSession, user: User | None) -> str | None:
    """Which side of the call `user` is on: the hall's operator or the unit's staff."""
    if user is None:
        return None
    if user.id == call.operator_id:
        return HALL
    if call.remote_staff_id is not None and user.id == call.remote_staff_id:
        return REMOTE
    return None


def may_answer(call: VideoSession, user: User) -> bool:
    return user.role == Role.REMOTE.value and user.remote_unit_id == call.remote_unit_id


def load(session_id: int, *, locked: bool = False) -> VideoSession:
    call = db.session.get(VideoSession, session_id, populate_existing=locked)
    if call is None:
        raise NotFound(N_("No such video session."))
    return call


def open_session(ticket_id: int, now: datetime) -> VideoSession | None:
    """The ticket's call still ringing in time or running."""
    call = db.session.scalars(
        select(VideoSession)
        .where(VideoSession.ticket_id == ticket_id, VideoSession.state.in_(OPEN_SESSION_STATES))
        .order_by(VideoSession.id.desc())
    ).first()
    return None if call is not None and ran_out(call, now) else call


def latest_session(ticket_id: int, leg: int) -> VideoSession | None:
    """The ticket's last video session on this leg (the one whose outcome the desk keeps)."""
    return db.session.scalars(
        select(VideoSession)
        .where(VideoSession.ticket_id == ticket_id, VideoSession.leg == leg)
        .order_by(VideoSession.id.desc())
    ).first()


def ran_out(call: VideoSession, now: datetime) -> bool:
    """Nobody at the unit answered in time (recorded so, or still ringing past its time)."""
    if call.state == SessionState.UNANSWERED.value:
        return True
    return call.state == SessionState.RINGING.value and now > call.answer_by


def _expire(call: VideoSession, now: datetime) -> None:
    if call.state == SessionState.RINGING.value and ran_out(call, now):
        call.state, call.ended_at = SessionState.UNANSWERED.value, call.answer_by
        pending.VIDEO.note(db.session(), call.id)


def start(desk_id: int, ticket_id: int, operator_id: int, unit_id: int | None, now: datetime):
    """Ring the unit about the visitor at the video desk; the hall's recording rule applies."""
    desk = db.session.get(Desk, desk_id)
    if desk is None:
        raise NotFound(N_("No such desk."))
    lock_hall(desk.hall_id)
    ticket = db.session.get(Ticket, ticket_id, populate_existing=True)
    if ticket is None or ticket.hall_id != desk.hall_id:
        raise NotFound(N_("No such ticket."))
    if ticket.desk_id != desk_id or ticket.state not in ACTIVE_STATES:
        raise IllegalMove(N_("Call the visitor to this desk before starting a video session."))
    if not is_video(ticket.service):
        raise InvalidInput(N_("Only a video reception ticket is received over video."))
    choose_unit(ticket, unit_id)
    for earlier in db.session.scalars(
        select(VideoSession).where(
            VideoSession.ticket_id == ticket.id, VideoSession.state.in_(OPEN_SESSION_STATES)
        )
    ):
        _expire(earlier, now)
        if earlier.state in OPEN_SESSION_STATES:
            raise IllegalMove(N_("A video session for this visitor is already open."))
    hall = db.session.get(Hall, ticket.hall_id)
    assert hall is not None
    call = VideoSession(
        hall_id=ticket.hall_id,
        ticket_id=ticket.id,
        leg=ticket.leg,
        desk_id=desk_id,
        remote_unit_id=ticket.remote_unit_id,
        operator_id=operator_id,
        state=SessionState.RINGING.value,
        recording=hall.video_recording,
        created_at=now,
        answer_by=now + timedelta(seconds=hall.video_answer_seconds),
        outcome="",
    )
    db.session.add(call)
    db.session.flush()
    pending.VIDEO.note(db.session(), call.id)
    return call


def answer(session_id: int, staff: User, now: datetime) -> VideoSession:
    """The unit's staff take the call (the first to answer; later ones are told it is taken)."""
    call = load(session_id)
    if not may_answer(call, staff):
        raise NotFound(N_("No such video session."))
    version = lock_hall(call.hall_id)
    call = load(session_id, locked=True)
    _expire(call, now)
    if call.state != SessionState.RINGING.value:
        raise IllegalMove(N_("This call is no longer ringing."))
    call.state, call.remote_staff_id, call.answered_at = SessionState.ACTIVE.value, staff.id, now
    ticket = db.session.get(Ticket, call.ticket_id)
    assert ticket is not None
    if ticket.state == TicketState.CALLED.value and ticket.desk_id == call.desk_id:
        # the unit is on the line: the visitor's service has begun at the video desk
        moves.start(ticket.id, desk_id=call.desk_id, staff_id=call.operator_id, now=now)
    _on_ticket(call, "video_start", version, now, staff.id)
    pending.VIDEO.note(db.session(), call.id)
    return call


def _on_ticket(call: VideoSession, action: str, version: int, now: datetime, staff_id: int):
    """The session's start or end as an event of its ticket (who: `staff_id`; where: the
    ticket's desk, the video desk)."""
    ticket = db.session.get(Ticket, call.ticket_id)
    assert ticket is not None
    note = f"video session {call.id}"
    record(
        ticket,
        action=action,
        from_state=ticket.state,
        version=version,
        now=now,
        staff_id=staff_id,
        note=note,
    )


def end(session_id: int, user: User, now: datetime) -> VideoSession:
    """Either party hangs up; the hall may also give up on a call still ringing."""
    call = load(session_id)
    side = party(call, user)
    if side is None:
        raise NotFound(N_("No such video session."))
    version = lock_hall(call.hall_id)
    call = load(session_id, locked=True)
    _expire(call, now)
    if call.state == SessionState.UNANSWERED.value and side == HALL:
        return call  # the hall closes a call that ran out: it stays unanswered
    if call.state == SessionState.RINGING.value and side == HALL:
        call.state, call.ended_at = SessionState.CANCELLED.value, now
    elif call.state == SessionState.ACTIVE.value:
        call.state, call.ended_at = SessionState.ENDED.value, now
        _on_ticket(call, "video_end", version, now, user.id)
    else:
        raise IllegalMove(N_("This video session has already ended."))
    pending.VIDEO.note(db.session(), call.id)
    return call


def expire(hall_id: int, now: datetime) -> int:
    """Calls nobody answered in time become unanswered (the hall's page says so at once; this
    keeps the record right when no page was open)."""
    calls = db.session.scalars(
        select(VideoSession).where(
            VideoSession.hall_id == hall_id,
            VideoSession.state == SessionState.RINGING.value,
            VideoSession.answer_by < now,
        )
    ).all()
    for call in calls:
        _expire(call, now)
    return len(calls)


def write_outcome(session_id: int, staff: User, text: str, now: datetime) -> VideoSession:
    """The unit writes how it handles the matter: kept on the session (the desk's finish starts
    from it) and, when the visitor's matter is registered, as a note on the case."""
    call = load(session_id)
    if party(call, staff) != REMOTE:
        raise NotFound(N_("No such video session."))
    if call.state not in (SessionState.ACTIVE.value, SessionState.ENDED.value):
        raise IllegalMove(N_("This video session was never answered."))
    text = bounded(text, OUTCOME_LIMIT)
    if not text:
        raise InvalidInput(N_("Write the outcome before saving it."))
    call.outcome = text
    pending.VIDEO.note(db.session(), call.id)  # the hall's page shows it at once
    ticket = db.session.get(Ticket, call.ticket_id)
    assert ticket is not None
    if ticket.case_id is not None:
        db.session.add(
            CaseNote(
                case_id=ticket.case_id,
                at=now,
                staff_id=staff.id,
                kind="remote_outcome",
                service_id=ticket.service_id,
                desk_id=call.desk_id,
                text=text,
            )
        )
        _audit(staff.id, "video_outcome", case_id=ticket.case_id, ticket_id=ticket.id)
    return call


@dataclass(frozen=True)
class Waiting:
    """A visitor in the hall's video line for a unit, as the unit sees them."""

    number: str
    state: str
    category: str
    name: str  # masked (张*)
    line_at: datetime


def waiting_for(unit_id: int, hall_id: int, day: date) -> list[Waiting]:
    """Who waits in the hall's video line for this unit today, in the line's order."""
    rows = db.session.execute(
        select(Ticket, Case)
        .join(Service, Service.id == Ticket.service_id)
        .outerjoin(Case, Case.id == Ticket.case_id)
        .where(
            Ticket.hall_id == hall_id,
            Ticket.service_day == day,
            Ticket.remote_unit_id == unit_id,
            Ticket.state.in_([state.value for state in OPEN_STATES]),
            Service.kind == ServiceKind.VIDEO.value,
        )
        .order_by(Ticket.priority.desc(), Ticket.line_at, Ticket.id)
    ).all()
    return [
        Waiting(
            number=ticket.number,
            state=ticket.state,
            category=case.category if case is not None else "",
            name=identity.mask_name(case.visitor.name) if case is not None else "",
            line_at=ticket.line_at,
        )
        for ticket, case in rows
    ]


@dataclass(frozen=True)
class VideoDesk:
    desk: Desk
    busy: bool  # a session is ringing or running there


def video_desks(hall: Hall) -> list[VideoDesk]:
    busy = set(
        db.session.scalars(
            select(VideoSession.desk_id).where(
                VideoSession.hall_id == hall.id, VideoSession.state.in_(OPEN_SESSION_STATES)
            )
        )
    )
    return [
        VideoDesk(desk, desk.id in busy)
        for desk in hall.desks
        if desk.active and any(is_video(service) for service in desk.services)
    ]


def calls_for(unit_id: int, now: datetime) -> list[VideoSession]:
    """The unit's calls still ringing or running (ringing ones past their time drop out)."""
    calls = db.session.scalars(
        select(VideoSession)
        .where(
            VideoSession.remote_unit_id == unit_id,
            VideoSession.state.in_(OPEN_SESSION_STATES),
        )
        .order_by(VideoSession.id)
    ).all()
    return [
        call for call in calls if call.state == SessionState.ACTIVE.value or call.answer_by >= now
    ]


@dataclass(frozen=True)
class CaseSummary:
    """What the remote unit sees of the matter: the matter itself, the visitor masked."""

    number: str
    category: str
    urgent: bool
    group_size: int
    account: str
    request: str
    name: str


def case_summary(call: VideoSession, staff: User) -> CaseSummary | None:
    """The matter behind the session's ticket for the unit's staff on the call (audited)."""
    ticket = db.session.get(Ticket, call.ticket_id)
    case = db.session.get(Case, ticket.case_id) if ticket and ticket.case_id else None
    if case is None or party(call, staff) != REMOTE:
        return None
    _audit(staff.id, "view_case", case_id=case.id, detail=f"video session {call.id}")
    return CaseSummary(
        number=case.number,
        category=case.category,
        urgent=case.urgent,
        group_size=case.group_size,
        account=case.account,
        request=case.request,
        name=identity.mask_name(case.visitor.name),
    )
