"""Staff accounts (their role, desks, unit; passwords and API tokens given once) and the
video units they answer for."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from reception.core.errors import IllegalMove, InvalidInput
from reception.core.messages import N_
from reception.db.extensions import db
from reception.hall.administration.changes import apply_fields, record_change, state_of
from reception.hall.description import (
    UNIT_FIELDS,
    USER_FIELDS,
)
from reception.models import (
    AuditEntry,
    Desk,
    Hall,
    RemoteUnit,
    Role,
    StaffHall,
    User,
)


def _user_state(user: User) -> dict[str, Any]:
    return {**state_of(user, USER_FIELDS), "desks": [d.number for d in user.desks]}


def save_user(
    user: User | None,
    data: Mapping[str, Any],
    desks: list[Desk],
    staff: User,
    hall_id: int,
) -> tuple[User, str | None]:
    """Create or change a staff account, as hall `hall_id`'s administration sees it: the role
    is the one held in this hall (a city account's everywhere); a new account works in this
    hall only. A new one gets a password shown once (returned)."""
    clash = db.session.scalars(select(User).where(User.username == data["username"])).first()
    if clash is not None and clash is not user:
        raise InvalidInput(N_("The username %(name)s is taken."), name=data["username"])
    if user is not None and user.id == staff.id:
        if user.role_in(hall_id) == Role.ADMIN and data["role"] != Role.ADMIN:
            raise IllegalMove(N_("You cannot remove your own administrator role."))
        if not data["active"]:
            raise IllegalMove(N_("You cannot deactivate your own account."))
    before = _user_state(user) if user else None
    password = None
    if user is None:
        password = new_password()
        user = User(username=data["username"], must_change_password=True, all_halls=False)
        user.set_password(password)
        db.session.add(user)
    apply_fields(user, data, USER_FIELDS)
    if not user.all_halls:
        held = next((m for m in user.memberships if m.hall_id == hall_id), None)
        if held is None:
            user.memberships.append(StaffHall(hall_id=hall_id, role=data["role"]))
        else:
            held.role = data["role"]
    # the desks are this hall's: those in other halls stay as they were
    user.desks = [d for d in user.desks if d.hall_id != hall_id] + desks
    db.session.flush()
    record_change(staff.id, "staff", before, _user_state(user))
    return user, password


def change_own_password(user: User, current: str, new: str) -> None:
    """The owner sets their own password (first login after one was given, or any time)."""
    if not user.check_password(current):
        raise InvalidInput(N_("The current password is wrong."))
    if new == current:
        raise InvalidInput(N_("Choose a password different from the one you were given."))
    user.set_password(new)
    user.must_change_password = False
    db.session.add(AuditEntry(staff_id=user.id, action="password_changed", detail=user.username))


def save_unit(
    hall: Hall, unit: RemoteUnit | None, data: Mapping[str, Any], staff_id: int
) -> RemoteUnit:
    """Create or change a department or county received over video (names are unique)."""
    clash = db.session.scalars(
        select(RemoteUnit).where(RemoteUnit.hall_id == hall.id, RemoteUnit.name == data["name"])
    ).first()
    if clash is not None and clash is not unit:
        raise InvalidInput(N_("%(name)s is already a unit."), name=data["name"])
    before = state_of(unit, UNIT_FIELDS) if unit else None
    if unit is None:
        unit = RemoteUnit(hall_id=hall.id)
        db.session.add(unit)
    apply_fields(unit, data, UNIT_FIELDS)
    db.session.flush()
    record_change(staff_id, "remote_unit", before, state_of(unit, UNIT_FIELDS))
    return unit


# No look-alikes (0/O/o, 1/l/I, 5/S, 2/Z, 8/B, 9/g): a password read off a screen or a note
# and typed by hand is typed right the first time.
PASSWORD_ALPHABET = "ACDEFGHJKMNPQRTUVWXYabcdefhijkmnpqrstuvwxy3467"
PASSWORD_LENGTH = 12


def new_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def reset_password(user: User, staff_id: int) -> str:
    """A new password given by the administrator: its owner changes it at the next login."""
    password = new_password()
    user.set_password(password)
    user.must_change_password = True
    db.session.add(
        AuditEntry(staff_id=staff_id, action="setup_password_reset", detail=user.username)
    )
    return password


def new_api_token(user: User, staff_id: int) -> str:
    token = user.new_api_token()
    db.session.add(AuditEntry(staff_id=staff_id, action="setup_api_token", detail=user.username))
    return token


def revoke_api_token(user: User, staff_id: int) -> None:
    user.api_token_hash = None
    db.session.add(
        AuditEntry(staff_id=staff_id, action="setup_api_token_revoked", detail=user.username)
    )
