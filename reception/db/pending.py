"""Changes waiting in the current transaction for publication after its commit (the live
screens' pending events; the `outbox_messages` table is another thing: messages to visitors).

The engine notes what it changed here; `reception.live.publish` turns the notes into Socket.IO
events once (and only if) the transaction commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

CHANGES_KEY = "reception_pending_changes"


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


ALERTS_KEY = "reception_pending_alert"


def note_alert(session: Session, alert_id: int) -> None:
    session.info.setdefault(ALERTS_KEY, []).append(alert_id)


def take_alerts(session: Session) -> list[int]:
    alert_ids: list[int] = session.info.pop(ALERTS_KEY, [])
    return alert_ids


CONSOLES_KEY = "reception_pending_console"


def note_console(session: Session, desk_id: int) -> None:
    """A desk's console changed hands (claimed, taken over, released)."""
    session.info.setdefault(CONSOLES_KEY, []).append(desk_id)


def take_consoles(session: Session) -> list[int]:
    desk_ids: list[int] = session.info.pop(CONSOLES_KEY, [])
    return list(dict.fromkeys(desk_ids))


DESKS_KEY = "reception_pending_desk"


def note_desk(session: Session, desk_id: int, version: int) -> None:
    """A desk opened, paused, resumed or closed (at this hall version)."""
    session.info.setdefault(DESKS_KEY, []).append((desk_id, version))


def take_desks(session: Session) -> list[tuple[int, int]]:
    desks: list[tuple[int, int]] = session.info.pop(DESKS_KEY, [])
    return desks


SETUP_KEY = "reception_pending_setup"


def note_setup(session: Session, hall_id: int, version: int) -> None:
    """The hall's set-up changed (services, desks, places, the hall itself)."""
    session.info.setdefault(SETUP_KEY, []).append((hall_id, version))


def take_setup(session: Session) -> list[tuple[int, int]]:
    changes: list[tuple[int, int]] = session.info.pop(SETUP_KEY, [])
    return changes


BOARDS_KEY = "reception_pending_board"


def note_board(session: Session, hall_id: int) -> None:
    """Something the supervisor's board counts changed outside the queue (a rating)."""
    session.info.setdefault(BOARDS_KEY, []).append(hall_id)


def take_boards(session: Session) -> list[int]:
    halls: list[int] = session.info.pop(BOARDS_KEY, [])
    return list(dict.fromkeys(halls))


VIDEO_KEY = "reception_pending_video"


def note_video(session: Session, session_id: int) -> None:
    """A video session changed state (rang, answered, ended, unanswered, cancelled)."""
    session.info.setdefault(VIDEO_KEY, []).append(session_id)


def take_video(session: Session) -> list[int]:
    sessions: list[int] = session.info.pop(VIDEO_KEY, [])
    return list(dict.fromkeys(sessions))
