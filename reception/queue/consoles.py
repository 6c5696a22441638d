"""Who may open a desk's console, and the one staff session that holds it.

A desk is worked from one console at a time. Opening a desk claims it for the staff session's
key; a second session is told who holds it and since when, and may take it over; the first
console learns of the takeover live (a `console` event to the desk's room carries only a
marker of the new holder, never a name) and its moves are refused from then on. Claims are
conditional updates, so two clerks opening the same desk at once cannot both hold it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, or_, select, update

from reception.core.errors import IllegalMove
from reception.core.messages import N_
from reception.db import pending, rows
from reception.db.extensions import db
from reception.models import Desk, Role, User
from reception.models.hall import staff_desks
from reception.queue.rules import ASSIGNED_MEMO

COVER_ROLES = (Role.ADMIN, Role.SUPERVISOR)  # may stand in at any desk


def marker(key: str | None) -> str | None:
    """A public stand-in for a session's secret key: tells consoles apart, reveals nothing."""
    return hashlib.sha256(key.encode()).hexdigest()[:12] if key else None


def may_open(user: User, desk: Desk) -> bool:
    """Desk staff open only the desks they are assigned to; supervisors cover any desk; a desk
    taken out of use is opened by nobody."""
    if not desk.active:
        return False
    if (user.hall_role or user.role_in(desk.hall_id)) in COVER_ROLES:
        return True
    if "desks" in user.__dict__:  # already loaded: no need to ask
        return any(assigned.id == desk.id for assigned in user.desks)
    known: bool | None = rows.memo(ASSIGNED_MEMO).get((user.id, desk.id))
    if known is not None:  # read with the desk (`rules.read_desk`)
        return known
    # one indexed probe rather than loading every desk the user is assigned to
    return db.session.scalar(_ASSIGNED, {"user_id": user.id, "desk_id": desk.id}) is not None


_ASSIGNED = select(staff_desks.c.desk_id).where(
    staff_desks.c.user_id == bindparam("user_id"), staff_desks.c.desk_id == bindparam("desk_id")
)


@dataclass(frozen=True)
class Holder:
    user: User | None
    since: datetime | None


def holder(desk: Desk) -> Holder:
    user = db.session.get(User, desk.console_user_id) if desk.console_user_id else None
    return Holder(user, desk.console_since)


def held_by_other(desk: Desk, key: str) -> bool:
    return desk.console_key is not None and desk.console_key != key


def claim(desk: Desk, user: User, key: str, now: datetime, *, take_over: bool = False) -> None:
    """Hold the desk for this session: free or already ours, or taken over when asked to."""
    if not may_open(user, desk):
        raise IllegalMove(N_("You are not assigned to desk %(number)s."), number=desk.number)
    if desk.console_key == key:
        return
    query = update(Desk).where(Desk.id == desk.id)
    if not take_over:
        query = query.where(or_(Desk.console_key.is_(None), Desk.console_key == key))
    claimed = db.session.execute(
        query.values(console_key=key, console_user_id=user.id, console_since=now)
    )
    db.session.refresh(desk)
    if claimed.rowcount == 0:  # type: ignore[attr-defined]
        current = holder(desk)
        raise IllegalMove(
            N_("Desk %(number)s is open in %(who)s's session; take it over to work here."),
            number=desk.number,
            who=(current.user.display_name or current.user.username) if current.user else "?",
        )
    pending.CONSOLES.note(db.session(), desk.id)


def check_held(desk: Desk, user: User, key: str, now: datetime) -> None:
    """Before a move from a console: refuse it when another session took the desk over; claim
    a free desk for this session."""
    if held_by_other(desk, key):
        current = holder(desk)
        raise IllegalMove(
            N_("Desk %(number)s was taken over by %(who)s; this console no longer works it."),
            number=desk.number,
            who=(current.user.display_name or current.user.username) if current.user else "?",
        )
    claim(desk, user, key, now)


def release(key: str) -> None:
    """The session ends (log out): its desks are free again."""
    desk_ids = db.session.scalars(
        update(Desk)
        .where(Desk.console_key == key)
        .values(console_key=None, console_user_id=None, console_since=None)
        .returning(Desk.id)
    ).all()
    for desk_id in desk_ids:
        pending.CONSOLES.note(db.session(), desk_id)
