"""The ticket state machine: call, recall, start, finish, no-show, hold, transfer, cancel.

Every move takes the hall lock first, then reads the ticket fresh, checks the move is legal
from its state and for the acting desk, changes it, and appends one event. A refused move
raises before anything is written.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select

from ..extensions import db
from ..models import (
    ACTIVE_STATES,
    CaseNote,
    Desk,
    Hall,
    JourneyStop,
    Service,
    Ticket,
    TicketState,
)
from ..models.types import utcnow
from .clock import hall_day
from .errors import IllegalMove, InvalidInput, NotFound
from .journal import record
from .locking import lock_hall
from .messages import N_

S = TicketState

# action -> states it may start from
ALLOWED_FROM: dict[str, frozenset[str]] = {
    "call": frozenset({S.WAITING}),
    "recall": frozenset({S.CALLED}),
    "start": frozenset({S.CALLED}),
    "finish": frozenset({S.SERVING}),
    "no_show": frozenset({S.CALLED}),
    "return": frozenset({S.NO_SHOW}),
    "hold": frozenset({S.CALLED, S.SERVING}),
    "resume": frozenset({S.HELD}),
    "cancel": frozenset({S.WAITING, S.CALLED, S.HELD, S.NO_SHOW}),
    "transfer": frozenset({S.CALLED, S.SERVING}),
}
# moves made by the desk that has the ticket
DESK_BOUND = frozenset({"recall", "start", "finish", "no_show", "hold", "transfer"})


def _load_desk(desk_id: int) -> Desk:
    desk = db.session.get(Desk, desk_id)
    if desk is None:
        raise NotFound(N_("No such desk."))
    return desk


def _load_ticket(ticket_id: int) -> Ticket:
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(N_("No such ticket."))
    return ticket


def _check(ticket: Ticket, action: str, desk_id: int | None) -> None:
    if ticket.state not in ALLOWED_FROM[action]:
        raise IllegalMove(
            N_("Ticket %(number)s is %(state)s: “%(action)s” is not possible now."),
            number=ticket.number,
            state=ticket.state,
            action=action,
        )
    if action in DESK_BOUND and desk_id is not None and ticket.desk_id != desk_id:
        raise IllegalMove(N_("Ticket %(number)s is not at this desk."), number=ticket.number)


def _locked_ticket(ticket_id: int, action: str, desk_id: int | None) -> tuple[Ticket, int]:
    ticket = _load_ticket(ticket_id)
    version = lock_hall(ticket.hall_id)
    ticket = db.session.get(Ticket, ticket_id, populate_existing=True, with_for_update=True)
    assert ticket is not None
    _check(ticket, action, desk_id)
    return ticket, version


def _ensure_desk_free(desk: Desk) -> None:
    busy = db.session.scalars(
        select(Ticket.number).where(Ticket.desk_id == desk.id, Ticket.state.in_(ACTIVE_STATES))
    ).first()
    if busy is not None:
        raise IllegalMove(
            N_("Desk %(desk)s is still with ticket %(number)s: finish it first."),
            desk=desk.number,
            number=busy,
        )


def callable_by(desk: Desk):
    """The condition for tickets this desk may call: its services, or sent to it by name."""
    service_ids = [service.id for service in desk.services]
    return or_(
        and_(Ticket.service_id.in_(service_ids), Ticket.target_desk_id.is_(None)),
        Ticket.target_desk_id == desk.id,
    )


def _mark_called(ticket: Ticket, desk: Desk, version: int, now: datetime, staff_id: int | None):
    ticket.state = S.CALLED.value
    ticket.desk_id = desk.id
    ticket.target_desk_id = None
    ticket.called_at = now
    ticket.recall_count = 0
    record(ticket, action="call", from_state=S.WAITING, version=version, now=now, staff_id=staff_id)
    db.session.flush()
    return ticket


def call_next(desk_id: int, *, staff_id: int | None = None, now: datetime | None = None):
    """Call the first waiting ticket the desk may serve; None when nobody is waiting."""
    now = now or utcnow()
    desk = _load_desk(desk_id)
    version = lock_hall(desk.hall_id)
    desk = db.session.get(Desk, desk_id, populate_existing=True)
    assert desk is not None
    if not desk.open:
        raise IllegalMove(N_("Desk %(desk)s is closed."), desk=desk.number)
    _ensure_desk_free(desk)
    hall = db.session.get(Hall, desk.hall_id)
    assert hall is not None
    query = (
        select(Ticket)
        .where(
            Ticket.hall_id == desk.hall_id,
            Ticket.service_day == hall_day(hall.timezone, now),
            Ticket.state == S.WAITING.value,
            callable_by(desk),
        )
        .order_by(Ticket.priority.desc(), Ticket.line_at, Ticket.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    ticket = db.session.scalars(query).first()
    if ticket is None:
        return None
    return _mark_called(ticket, desk, version, now, staff_id)


def call_ticket(
    desk_id: int, ticket_id: int, *, staff_id: int | None = None, now: datetime | None = None
) -> Ticket:
    """Call one chosen waiting ticket to the desk, out of turn."""
    now = now or utcnow()
    desk = _load_desk(desk_id)
    ticket, version = _locked_ticket(ticket_id, "call", None)
    desk = db.session.get(Desk, desk_id, populate_existing=True)
    assert desk is not None
    if ticket.hall_id != desk.hall_id:
        raise NotFound(N_("No such ticket."))
    if not desk.open:
        raise IllegalMove(N_("Desk %(desk)s is closed."), desk=desk.number)
    if ticket.target_desk_id not in (None, desk.id) or (
        ticket.target_desk_id is None and ticket.service_id not in {s.id for s in desk.services}
    ):
        raise IllegalMove(N_("Ticket %(number)s is not for this desk."), number=ticket.number)
    _ensure_desk_free(desk)
    return _mark_called(ticket, desk, version, now, staff_id)


def recall(
    ticket_id: int,
    *,
    desk_id: int | None = None,
    max_recalls: int = 3,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Call the same ticket again; refused past `max_recalls` (mark it a no-show instead)."""
    now = now or utcnow()
    ticket, version = _locked_ticket(ticket_id, "recall", desk_id)
    if ticket.recall_count >= max_recalls:
        raise IllegalMove(
            N_("Ticket %(number)s was recalled %(count)s times; mark it a no-show."),
            number=ticket.number,
            count=ticket.recall_count,
        )
    ticket.recall_count += 1
    record(
        ticket,
        action="recall",
        from_state=S.CALLED,
        version=version,
        now=now,
        staff_id=staff_id,
        note=str(ticket.recall_count),
    )
    db.session.flush()
    return ticket


def _simple_move(
    ticket_id: int,
    action: str,
    to_state: TicketState,
    *,
    desk_id: int | None,
    staff_id: int | None,
    now: datetime | None,
    note: str = "",
    version: tuple[Ticket, int] | None = None,
) -> Ticket:
    now = now or utcnow()
    ticket, hall_version = version or _locked_ticket(ticket_id, action, desk_id)
    from_state = ticket.state
    old_desk = ticket.desk_id
    ticket.state = to_state.value
    if action in ("no_show", "cancel"):
        ticket.desk_id = None
        ticket.target_desk_id = None
    elif action == "hold":
        # Parked at this desk: on resume it goes back into line for the same desk.
        ticket.desk_id = None
        ticket.target_desk_id = old_desk
    elif action == "return":
        # A visitor who missed the call rejoins at the back of the line.
        ticket.line_at = now
        ticket.recall_count = 0
    record(
        ticket,
        action=action,
        from_state=from_state,
        version=hall_version,
        now=now,
        staff_id=staff_id,
        note=note,
        extra_desk_ids=(old_desk,) if old_desk and old_desk != ticket.desk_id else (),
    )
    db.session.flush()
    return ticket


def start(
    ticket_id: int,
    *,
    desk_id: int | None = None,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """The visitor has come to the desk: service begins."""
    return _simple_move(ticket_id, "start", S.SERVING, desk_id=desk_id, staff_id=staff_id, now=now)


def finish(
    ticket_id: int,
    outcome: str,
    *,
    desk_id: int | None = None,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Service ends with an outcome note; a planned journey goes on to its next desk."""
    outcome = (outcome or "").strip()
    if not outcome:
        raise InvalidInput(N_("Write the outcome before finishing."))
    if len(outcome) > 2000:
        raise InvalidInput(N_("The outcome is too long (2000 characters at most)."))
    now = now or utcnow()
    ticket, version = _locked_ticket(ticket_id, "finish", desk_id)
    if ticket.case_id is not None:
        db.session.add(
            CaseNote(
                case_id=ticket.case_id,
                at=now,
                staff_id=staff_id,
                kind="outcome",
                service_id=ticket.service_id,
                desk_id=ticket.desk_id,
                text=outcome,
            )
        )
    ticket.outcome = outcome
    stop = db.session.scalars(
        select(JourneyStop)
        .where(JourneyStop.ticket_id == ticket.id, JourneyStop.done.is_(False))
        .order_by(JourneyStop.position)
    ).first()
    if stop is None:
        return _simple_move(
            ticket_id,
            "finish",
            S.FINISHED,
            desk_id=desk_id,
            staff_id=staff_id,
            now=now,
            note=outcome,
            version=(ticket, version),
        )
    # the registrar planned more desks: the visitor goes on, keeping the place in line
    stop.done = True
    old_desk, old_service = ticket.desk_id, ticket.service_id
    ticket.state, ticket.service_id = S.WAITING.value, stop.service_id
    ticket.desk_id, ticket.target_desk_id = None, None
    ticket.leg += 1
    ticket.recall_count = 0
    record(
        ticket,
        action="transfer",
        from_state=S.SERVING,
        version=version,
        now=now,
        staff_id=staff_id,
        note=outcome,
        extra_service_ids=(old_service,),
        extra_desk_ids=(old_desk,) if old_desk else (),
    )
    db.session.flush()
    return ticket


def no_show(
    ticket_id: int,
    *,
    desk_id: int | None = None,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    return _simple_move(
        ticket_id, "no_show", S.NO_SHOW, desk_id=desk_id, staff_id=staff_id, now=now
    )


def return_to_queue(
    ticket_id: int, *, staff_id: int | None = None, now: datetime | None = None
) -> Ticket:
    """A no-show who turns up again waits once more, at the back of the line."""
    return _simple_move(ticket_id, "return", S.WAITING, desk_id=None, staff_id=staff_id, now=now)


def hold(
    ticket_id: int,
    note: str = "",
    *,
    desk_id: int | None = None,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Park the visitor (gone to fetch a paper); the ticket keeps its place for this desk."""
    return _simple_move(
        ticket_id,
        "hold",
        S.HELD,
        desk_id=desk_id,
        staff_id=staff_id,
        now=now,
        note=note.strip()[:500],
    )


def resume(ticket_id: int, *, staff_id: int | None = None, now: datetime | None = None):
    return _simple_move(ticket_id, "resume", S.WAITING, desk_id=None, staff_id=staff_id, now=now)


def cancel(
    ticket_id: int, note: str = "", *, staff_id: int | None = None, now: datetime | None = None
) -> Ticket:
    return _simple_move(
        ticket_id,
        "cancel",
        S.CANCELLED,
        desk_id=None,
        staff_id=staff_id,
        now=now,
        note=note.strip()[:500],
    )


def transfer(
    ticket_id: int,
    *,
    service_id: int | None = None,
    to_desk_id: int | None = None,
    note: str = "",
    desk_id: int | None = None,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Send the visitor on to another service or desk as the next leg, keeping the place in line."""
    now = now or utcnow()
    if service_id is None and to_desk_id is None:
        raise InvalidInput(N_("Choose the service or desk to transfer to."))
    ticket, version = _locked_ticket(ticket_id, "transfer", desk_id)
    service, to_desk = _transfer_target(ticket, service_id, to_desk_id)
    from_state, old_desk, old_service = ticket.state, ticket.desk_id, ticket.service_id
    ticket.state = S.WAITING.value
    ticket.service_id = service.id
    ticket.desk_id = None
    ticket.target_desk_id = to_desk.id if to_desk else None
    ticket.leg += 1
    ticket.recall_count = 0
    record(
        ticket,
        action="transfer",
        from_state=from_state,
        version=version,
        now=now,
        staff_id=staff_id,
        note=note.strip()[:1000],
        extra_service_ids=(old_service,),
        extra_desk_ids=(old_desk,) if old_desk else (),
    )
    db.session.flush()
    return ticket


def _transfer_target(
    ticket: Ticket, service_id: int | None, to_desk_id: int | None
) -> tuple[Service, Desk | None]:
    to_desk = None
    if to_desk_id is not None:
        to_desk = db.session.get(Desk, to_desk_id)
        if to_desk is None or to_desk.hall_id != ticket.hall_id:
            raise NotFound(N_("No such desk."))
        if to_desk.id == ticket.desk_id:
            raise InvalidInput(N_("The ticket is already at that desk."))
    if service_id is None:
        assert to_desk is not None
        if not to_desk.services:
            raise InvalidInput(N_("That desk serves no service."))
        return to_desk.services[0], to_desk
    service = db.session.get(Service, service_id)
    if service is None or service.hall_id != ticket.hall_id:
        raise NotFound(N_("No such service."))
    if to_desk is not None and service not in to_desk.services:
        raise InvalidInput(N_("That desk does not serve that service."))
    if to_desk is None and service.id == ticket.service_id:
        raise InvalidInput(N_("The ticket is already in that queue."))
    return service, to_desk
