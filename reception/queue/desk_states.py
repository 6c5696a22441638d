"""A desk is open, paused with a reason, or closed.

A paused or closed desk gets no calls (the calling code refuses them); its LED strip and the
lobby say "暂停服务"; the wait estimates count only desks that are open and not paused. Each
change is a `DeskEvent` (the desk's own log: how long it was paused, and why) and a `desk` event
to the hall's and the desk's rooms, ordered by the hall version like every queue change.
Closing a desk that visitors were sent to by name needs `release=True`: they go back to their
service's line (keeping their place) for any desk that serves it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from reception.core.errors import IllegalMove, InvalidInput
from reception.core.messages import N_
from reception.db import pending
from reception.db.extensions import db
from reception.models import ACTIVE_STATES, Desk, DeskEvent, Ticket, TicketState
from reception.models.types import utcnow
from reception.queue.locking import lock_hall
from reception.queue.rules import load_desk

PAUSE_REASONS = ("休息", "会议", "外出办事")


def _locked(desk_id: int) -> tuple[Desk, int]:
    version = lock_hall(load_desk(desk_id).hall_id)
    desk = db.session.get(Desk, desk_id, populate_existing=True)
    assert desk is not None
    return desk, version


def _log(
    desk: Desk, action: str, version: int, staff_id: int | None, now: datetime, reason: str = ""
) -> None:
    db.session.add(
        DeskEvent(
            hall_id=desk.hall_id,
            desk_id=desk.id,
            at=now,
            action=action,
            reason=reason,
            staff_id=staff_id,
            hall_version=version,
        )
    )
    pending.DESKS.note(db.session(), (desk.id, version))


def _busy(desk: Desk) -> Ticket | None:
    return db.session.scalars(
        select(Ticket).where(Ticket.desk_id == desk.id, Ticket.state.in_(ACTIVE_STATES))
    ).first()


def sent_here(desk: Desk) -> list[Ticket]:
    """Visitors sent to this desk by name (a transfer or a hold), still to be served."""
    return list(
        db.session.scalars(
            select(Ticket).where(
                Ticket.target_desk_id == desk.id,
                Ticket.state.in_((TicketState.WAITING.value, TicketState.HELD.value)),
            )
        )
    )


def pause(
    desk_id: int, reason: str, *, staff_id: int | None = None, now: datetime | None = None
) -> Desk:
    reason = (reason or "").strip()
    if not reason or len(reason) > 40:
        raise InvalidInput(N_("Say why the desk pauses (40 characters at most)."))
    desk, version = _locked(desk_id)
    if desk.state != "open":
        raise IllegalMove(N_("Desk %(desk)s is not open."), desk=desk.number)
    current = _busy(desk)
    if current is not None:
        raise IllegalMove(N_("Finish %(number)s before pausing the desk."), number=current.number)
    desk.pause_reason = reason
    _log(desk, "pause", version, staff_id, now or utcnow(), reason)
    db.session.flush()
    return desk


def resume(desk_id: int, *, staff_id: int | None = None, now: datetime | None = None) -> Desk:
    desk, version = _locked(desk_id)
    if desk.state != "paused":
        raise IllegalMove(N_("Desk %(desk)s is not paused."), desk=desk.number)
    desk.pause_reason = None
    _log(desk, "resume", version, staff_id, now or utcnow())
    db.session.flush()
    return desk


def close(
    desk_id: int, *, release: bool = False, staff_id: int | None = None, now: datetime | None = None
) -> Desk:
    desk, version = _locked(desk_id)
    if desk.state == "closed":
        raise IllegalMove(N_("Desk %(desk)s is closed."), desk=desk.number)
    current = _busy(desk)
    if current is not None:
        raise IllegalMove(N_("Finish %(number)s before closing the desk."), number=current.number)
    waiting = sent_here(desk)
    if waiting and not release:
        raise IllegalMove(
            N_("%(count)s visitor(s) were sent to desk %(desk)s by name: release them first."),
            count=len(waiting),
            desk=desk.number,
        )
    for ticket in waiting:
        ticket.target_desk_id = None  # back to the service's line, keeping the place
    desk.open, desk.pause_reason = False, None
    _log(desk, "close", version, staff_id, now or utcnow(), f"{len(waiting)}" if waiting else "")
    db.session.flush()
    return desk


def reopen(desk_id: int, *, staff_id: int | None = None, now: datetime | None = None) -> Desk:
    desk, version = _locked(desk_id)
    if desk.state != "closed":
        raise IllegalMove(N_("Desk %(desk)s is already open."), desk=desk.number)
    desk.open = True
    _log(desk, "open", version, staff_id, now or utcnow())
    db.session.flush()
    return desk
