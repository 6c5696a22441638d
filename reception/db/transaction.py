"""Work that leaves the process (socket events, notifier messages) runs only once the
transaction that caused it has committed: `after_commit` queues it on the session, and the
hooks `install` adds run the queue after a commit and drop it on a rollback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger("reception.transaction")
AFTER_COMMIT_KEY = "reception_after_commit"


def after_commit(session: Session, action: Callable[[], Any]) -> None:
    """Run `action` once the session's transaction has committed; drop it on rollback."""
    session.info.setdefault(AFTER_COMMIT_KEY, []).append(action)


def _run_after_commit(session: Session) -> None:
    for action in session.info.pop(AFTER_COMMIT_KEY, []):
        try:
            action()
        except Exception:  # noqa: BLE001
            # The change is committed: the request must still succeed.
            log.exception("an after-commit action failed")


def _drop_after_commit(session: Session, *args: object) -> None:
    session.info.pop(AFTER_COMMIT_KEY, None)


def install() -> None:
    """Hook the after-commit queue into every SQLAlchemy session (idempotent)."""
    if event.contains(Session, "after_commit", _run_after_commit):
        return
    event.listen(Session, "after_commit", _run_after_commit)
    event.listen(Session, "after_soft_rollback", _drop_after_commit)
