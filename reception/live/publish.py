"""Publishing queue changes to Socket.IO rooms, after the commit and only after it.

The engine notes its changes in the session (`db.pending`). Just before the commit we turn
them into payloads (the transaction still sees its own rows); once the commit has succeeded we
emit them. A rollback throws them away, so a screen never shows a change the database undid.
Rooms are named by ids: `hall:<id>`, `service:<id>`, `desk:<id>`, `ticket:<token>`.
Payloads carry numbers, desks, services, states and counts: never personal data.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session, SessionTransaction

from reception.db import pending, transaction
from reception.db.extensions import socketio
from reception.db.rows import execute
from reception.live import events, hall_board
from reception.live.speech import call_speech, call_text
from reception.models import Alert, Desk, Hall, QueueCount, Ticket, VideoSession
from reception.models.types import utcnow
from reception.oversight import supervision
from reception.queue import consoles
from reception.queue import locking as _locking  # its lock release must listen first

log = logging.getLogger("reception.live.publish")
EVENT_NAME = "queue"
ALERT_EVENT = "alert"
CONSOLE_EVENT = "console"
DESK_EVENT = "desk"
SETUP_EVENT = "hall"
VIDEO_EVENT = "video"


def ticket_fields(ticket: Ticket, desk_number: int | None) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "number": ticket.number,
        "state": ticket.state,
        "service_id": ticket.service_id,
        "desk_id": ticket.desk_id,
        "desk_number": desk_number,
        "target_desk_id": ticket.target_desk_id,
        "leg": ticket.leg,
        "recalls": ticket.recall_count,
        "priority": ticket.priority,
    }


def ticket_view(ticket: Ticket, desk_number: int | None) -> events.TicketView:
    return events.TicketView(**ticket_fields(ticket, desk_number))


def spoken_floor(desk: Desk, lobby_floor: int) -> int | None:
    """The floor the voice names: the desk's, when it is not the lobby's own."""
    return desk.floor if desk.floor != lobby_floor else None


def announcement(number: str, desk: Desk, lobby_floor: int) -> events.Announcement:
    return events.Announcement(
        text=call_text(number, desk.number),
        speech=call_speech(number, desk.number, spoken_floor(desk, lobby_floor)),
    )


_WAITING = select(QueueCount.service_id, QueueCount.waiting).where(
    QueueCount.hall_id == bindparam("hall_id"), QueueCount.service_day == bindparam("day")
)
# Built once each: most changes touch one service, and an expanding IN is rendered anew per call.
_WAITING_IN_ONE = _WAITING.where(QueueCount.service_id == bindparam("service_id"))
_WAITING_IN_SOME = _WAITING.where(
    QueueCount.service_id.in_(bindparam("service_ids", expanding=True))
)


def waiting_counts(
    session: Session, hall_id: int, service_ids: set[int], day: date
) -> dict[str, int]:
    """Tickets waiting today per service (yesterday's leftovers are nobody's queue): one row
    per service, which the database keeps in step with the tickets (`models.QueueCount`)."""
    session.flush()  # Core on the session's connection: count what the transaction wrote
    params: dict[str, Any] = {"hall_id": hall_id, "day": day}
    if len(service_ids) == 1:
        (params["service_id"],) = service_ids
        statement = _WAITING_IN_ONE
    else:
        params["service_ids"] = list(service_ids)
        statement = _WAITING_IN_SOME
    rows = execute(session.connection(), statement, params).all()
    counts = {str(service_id): 0 for service_id in service_ids}
    counts.update({str(service_id): count for service_id, count in rows})
    return counts


def _counts_read_along(session: Session, change: pending.Change, *, alone: bool) -> dict[str, int]:
    """The counts the change's own statement read under the lock, when they are still the
    transaction's: the only change, nothing written after it. Empty: read them now."""
    if change.waiting is None or not alone or session.new or session.dirty or session.deleted:
        return {}
    counts = {str(service_id): waiting for service_id, waiting in change.waiting}
    return counts if counts.keys() == {str(s) for s in change.service_ids} else {}


Ready = list[tuple[list[str], dict[str, Any], str]]
Builder = Callable[[Session, Any], Ready]
_BUILDERS: list[tuple[pending.Pending[Any], Builder]] = []


def publishes(kind: pending.Pending[Any]) -> Callable[[Builder], Builder]:
    """Register the builder of the events one kind of pending note becomes (one per kind;
    published in the order registered, before the queue's own changes)."""

    def register(builder: Builder) -> Builder:
        _BUILDERS.append((kind, builder))
        return builder

    return register


@publishes(pending.ALERTS)
def _alert(session: Session, alert_id: int) -> Ready:
    alert = session.get(Alert, alert_id)
    if alert is None:
        return []
    payload = hall_board.alert_view(alert).json_dict()
    return [(supervision.alert_rooms(alert), payload, ALERT_EVENT)]


@publishes(pending.BOARDS)
def _board(session: Session, hall_id: int) -> Ready:
    return [([f"board:{hall_id}"], events.BoardEvent(hall_id=hall_id).json_dict(), "board")]


@publishes(pending.VIDEO)
def _video(session: Session, session_id: int) -> Ready:
    call = session.get(VideoSession, session_id)
    if call is None:
        return []
    payload = events.VideoEvent(
        session_id=call.id,
        hall_id=call.hall_id,
        unit_id=call.remote_unit_id,
        desk_id=call.desk_id,
        state=call.state,
    ).json_dict()
    rooms = [f"video:{call.id}", f"remote:{call.remote_unit_id}", f"desk:{call.desk_id}"]
    return [(rooms, payload, VIDEO_EVENT)]


@publishes(pending.SETUP)
def _setup(session: Session, change: tuple[int, int]) -> Ready:
    hall_id, version = change
    changed = events.HallEvent(hall_id=hall_id, version=version)
    return [([f"hall:{hall_id}", f"setup:{hall_id}"], changed.json_dict(), SETUP_EVENT)]


@publishes(pending.DESKS)
def _desk_state(session: Session, change: tuple[int, int]) -> Ready:
    desk_id, version = change
    desk = session.get(Desk, desk_id)
    if desk is None:
        return []
    state = events.DeskStateEvent(
        hall_id=desk.hall_id,
        version=version,
        desk_id=desk.id,
        desk_number=desk.number,
        state=desk.state,
    )
    return [([f"hall:{desk.hall_id}", f"desk:{desk.id}"], state.json_dict(), DESK_EVENT)]


@publishes(pending.CONSOLES)
def _console(session: Session, desk_id: int) -> Ready:
    key = session.scalar(select(Desk.console_key).where(Desk.id == desk_id))
    handover = events.ConsoleEvent(
        desk_id=desk_id, holder=consoles.marker(key), at=utcnow().isoformat()
    )
    return [([f"desk:{desk_id}"], handover.json_dict(), CONSOLE_EVENT)]


def _prepare(session: Session) -> None:
    ready: Ready = []
    for kind, build in _BUILDERS:
        for value in kind.take(session):
            ready.extend(build(session, value))
    changes = pending.take(session)
    for change in changes:
        ticket = session.get(Ticket, change.ticket_id)
        if ticket is None:
            continue
        waiting = _counts_read_along(session, change, alone=len(changes) == 1) or waiting_counts(
            session, change.hall_id, set(change.service_ids), ticket.service_day
        )
        desk = session.get(Desk, ticket.desk_id) if ticket.desk_id else None
        calls = change.action in ("call", "recall") and desk is not None
        hall = session.get(Hall, change.hall_id) if calls else None
        payload = events.QueueEvent(
            hall_id=change.hall_id,
            version=change.version,
            action=change.action,
            ticket=ticket_view(ticket, desk.number if desk else None),
            waiting=waiting,
            announce=announcement(ticket.number, desk, hall.lobby_floor) if desk and hall else None,
        ).json_dict()
        rooms = [f"hall:{change.hall_id}", f"ticket:{ticket.token}"]
        rooms += [f"service:{service_id}" for service_id in dict.fromkeys(change.service_ids)]
        rooms += [f"desk:{desk_id}" for desk_id in dict.fromkeys(change.desk_ids)]
        ready.append((rooms, payload, EVENT_NAME))
    pending.release(session)
    if ready:
        transaction.after_commit(session, lambda: _OUTGOING.append(ready))


# Publication in the hall's order without holding the hall's lock: a committed change's events
# join this line while the writer still holds the lock (so the line is in version order), and
# are sent once the transaction has ended and the lock is free, by whichever thread is draining
# the line. A request returns only after its own events have gone out.
_OUTGOING: deque[Ready] = deque()
_SENDING = threading.RLock()  # re-entrant: a send that ended a transaction drains in turn


def _drain(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None or not _OUTGOING:
        return
    with _SENDING:
        while _OUTGOING:
            _publish(_OUTGOING.popleft())


def _publish(ready: Ready) -> None:
    for rooms, payload, name in ready:
        try:
            socketio.emit(name, payload, to=rooms)
        except Exception:  # noqa: BLE001
            # The change is committed: the request must still succeed. Screens that miss
            # this event see the version gap (or reconnect) and resync from a snapshot.
            log.exception("could not publish %s to %s", name, rooms[0])


def _discard(session: Session, *args: object) -> None:
    pending.discard(session)


def install() -> None:
    """Hook publication into every SQLAlchemy session (idempotent)."""
    unbuilt = set(map(id, pending.KINDS)) - {id(kind) for kind, _ in _BUILDERS}
    assert not unbuilt, "a kind of pending note without the builder of its event"
    transaction.install()
    _locking.release_on_commit()  # after the after-commit line, which queues the events
    if event.contains(Session, "before_commit", _prepare):
        return
    event.listen(Session, "before_commit", _prepare)
    event.listen(Session, "after_soft_rollback", _discard)
    # after the writer lock's own release (registered when `queue.locking` was imported)
    event.listen(Session, "after_transaction_end", _drain)
