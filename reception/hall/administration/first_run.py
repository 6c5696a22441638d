"""The first administrator: the one-time address `reception run` prints on an empty hall."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from reception.core.clock import zone
from reception.core.errors import InvalidInput
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import (
    AuditEntry,
    Hall,
    Role,
    User,
)

FIRST_RUN_FILE = "first-run.token"


def needs_first_admin() -> bool:
    """True until an active administrator account exists."""
    return (
        db.session.scalars(
            select(User.id).where(User.role == Role.ADMIN, User.active.is_(True))
        ).first()
        is None
    )


def first_run_token(instance_path: str) -> str:
    """A fresh one-time address token for creating the first administrator (its hash is kept
    in the instance folder, readable by this server alone)."""
    import hashlib
    import os
    from pathlib import Path

    token = secrets.token_urlsafe(12)
    path = Path(instance_path) / FIRST_RUN_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(hashlib.sha256(token.encode()).hexdigest(), encoding="ascii")
    os.chmod(path, 0o600)
    return token


def first_run_valid(instance_path: str, token: str) -> bool:
    import hashlib
    import hmac
    from pathlib import Path

    path = Path(instance_path) / FIRST_RUN_FILE
    if len(token) > 64 or not path.is_file() or not needs_first_admin():
        return False
    expected = path.read_text(encoding="ascii").strip()
    return hmac.compare_digest(expected, hashlib.sha256(token.encode()).hexdigest())


def first_run(
    instance_path: str,
    hall_name: str,
    timezone: str,
    username: str,
    display_name: str,
    password: str,
) -> User:
    """Create the hall (when there is none) and the first administrator; the address is then
    spent."""
    from pathlib import Path

    zone(timezone)
    if db.session.scalars(select(User.id).where(User.username == username)).first():
        raise InvalidInput(N_("The username %(name)s is taken."), name=username)
    if db.session.scalars(select(Hall.id)).first() is None:
        db.session.add(Hall(name=hall_name, timezone=timezone, version=0))
    user = User(username=username, display_name=display_name or username, role=Role.ADMIN)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    db.session.add(AuditEntry(staff_id=user.id, action="setup_first_admin", detail=username))
    (Path(instance_path) / FIRST_RUN_FILE).unlink(missing_ok=True)
    return user
