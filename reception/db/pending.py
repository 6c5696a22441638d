"""Changes waiting in the current transaction for publication after its commit (the live
screens' pending events; the `outbox_messages` table is another thing: messages to visitors).

The engine notes what it changed here; `reception.live.publish` turns the notes into Socket.IO
events once (and only if) the transaction commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

CHANGES_KEY = "reception_pending_changes"
T = TypeVar("T")


@dataclass(frozen=True)
class Change:
    hall_id: int
    version: int
    ticket_id: int
    action: str
    service_ids: tuple[int, ...]
    desk_ids: tuple[int, ...]
    # (service id, tickets waiting) for every service of `service_ids`, when the statement that
    # made the change read them under the lock (else they are read just before the commit)
    waiting: tuple[tuple[int, int], ...] | None = None


def note(session: Session, change: Change) -> None:
    session.info.setdefault(CHANGES_KEY, []).append(change)


def take(session: Session) -> list[Change]:
    changes: list[Change] = session.info.pop(CHANGES_KEY, [])
    return changes


HELD_KEY = "reception_pending_held"


def hold(session: Session, *objects: object) -> None:
    """Keep the rows a change's payload is made from alive until the commit: the session's
    identity map holds them only weakly, and a view that has returned drops them, which would
    make the payload read them again from the database inside the hall lock."""
    session.info.setdefault(HELD_KEY, []).extend(objects)


def release(session: Session) -> None:
    session.info.pop(HELD_KEY, None)


class Pending(Generic[T]):
    """One kind of note a transaction keeps for the live screens besides the queue's own
    changes (an alert raised, a console handed over, a video call rang). Declared here once;
    `reception.live.publish` registers the builder that turns its notes into an event, and
    throws every kind away on a rollback (`discard`)."""

    def __init__(self, name: str, *, unique: bool = True) -> None:
        self.key = f"reception_pending_{name}"
        self.unique = unique  # a value noted twice in a transaction is published once
        KINDS.append(self)

    def note(self, session: Session, value: T) -> None:
        session.info.setdefault(self.key, []).append(value)

    def take(self, session: Session) -> list[T]:
        values: list[T] = session.info.pop(self.key, [])
        return list(dict.fromkeys(values)) if self.unique else values


KINDS: list[Pending[Any]] = []
ALERTS: Pending[int] = Pending("alert", unique=False)  # an alert raised or acknowledged
CONSOLES: Pending[int] = Pending("console")  # a desk's console changed hands
DESKS: Pending[tuple[int, int]] = Pending("desk", unique=False)  # (desk, hall version)
SETUP: Pending[tuple[int, int]] = Pending("setup", unique=False)  # (hall, version)
BOARDS: Pending[int] = Pending("board")  # a hall's board counts changed outside the queue
VIDEO: Pending[int] = Pending("video")  # a video session changed state


def discard(session: Session) -> None:
    """Throw away every note of the transaction (it rolled back)."""
    take(session)
    release(session)
    for kind in KINDS:
        kind.take(session)
