"""Login rate limit: too many failed tries for one account or from one address lock it a while.

Attempts are rows in the database, so the limit holds across server processes and restarts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from reception.db.extensions import db
from reception.models import LoginAttempt

WINDOW = timedelta(minutes=10)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20


def _failures(column, value: str, since: datetime) -> int:
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.at)).where(column == value, LoginAttempt.ok.is_(True))
    )
    start = max(since, last_success) if last_success else since
    return (
        db.session.scalar(
            select(func.count(LoginAttempt.id)).where(
                column == value, LoginAttempt.ok.is_(False), LoginAttempt.at > start
            )
        )
        or 0
    )


def locked(username: str, remote: str, now: datetime) -> bool:
    since = now - WINDOW
    return (
        _failures(LoginAttempt.username, username, since) >= MAX_FAILURES_PER_ACCOUNT
        or _failures(LoginAttempt.remote, remote, since) >= MAX_FAILURES_PER_ADDRESS
    )


def record(username: str, remote: str, ok: bool, now: datetime) -> None:
    db.session.add(LoginAttempt(username=username[:64], remote=remote[:45], ok=ok, at=now))
