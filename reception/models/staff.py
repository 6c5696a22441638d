"""Staff accounts."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ColumnElement, ForeignKey, String, and_, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from reception.db.extensions import Model
from reception.models.hall import staff_desks
from reception.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from reception.models.hall import Desk


class Role(StrEnum):
    ADMIN = "admin"
    REGISTRAR = "registrar"
    DESK = "desk"
    SUPERVISOR = "supervisor"
    LEADER = "leader"
    REMOTE = "remote"  # a department's or county's staff receiving visitors over video


def hash_api_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    role: Mapped[str] = mapped_column(String(20), default=Role.DESK.value)
    password_hash: Mapped[str] = mapped_column(String(256))
    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    active: Mapped[bool] = mapped_column(default=True)
    # A password someone else gave (a new account, a reset): changed by its owner at first login.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # A remote unit's staff member with the unit's page open (renewed while it stays open): the
    # kiosk offers only units someone can answer for now.
    present_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # The stationed department a desk-staff account belongs to (for what it may see).
    department_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"), default=None)
    # The unit a `remote` account receives video visitors for.
    remote_unit_id: Mapped[int | None] = mapped_column(ForeignKey("remote_units.id"), default=None)
    # The desks this person may open; an empty list means none (admins and supervisors: any).
    desks: Mapped[list[Desk]] = relationship(secondary=staff_desks, order_by="Desk.number")
    # A city account: `role` in every hall of the deployment (the city's supervisor, the leader
    # on duty for the city, the administrator). Otherwise the account works only in the halls
    # it is a member of (`StaffHall`), with the role it holds in each.
    all_halls: Mapped[bool] = mapped_column(default=True)
    memberships: Mapped[list[StaffHall]] = relationship(
        cascade="all, delete-orphan", order_by="StaffHall.hall_id"
    )

    @property
    def hall_role(self) -> str | None:
        """The role this person holds in the hall the request is for (None: none there). Set
        once a request knows its hall (the login's user loader, the API's caller); never
        stored."""
        return self.__dict__.get("_hall_role")

    @hall_role.setter
    def hall_role(self, role: str | None) -> None:
        self.__dict__["_hall_role"] = role

    def role_in(self, hall_id: int) -> str | None:
        """The role this person holds in hall `hall_id`: a membership's, else a city account's
        own, else none."""
        for membership in self.memberships:
            if membership.hall_id == hall_id:
                return membership.role
        return self.role if self.all_halls else None

    def hall_ids(self) -> frozenset[int] | None:
        """The halls this person works in (None: every hall, a city account)."""
        if self.all_halls:
            return None
        return frozenset(m.hall_id for m in self.memberships)

    @property
    def departments(self) -> frozenset[int]:
        """The departments this person works for: what the accusation rule (Art. 30) hides
        from them."""
        return frozenset({self.department_id}) if self.department_id else frozenset()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def new_api_token(self) -> str:
        """Make a fresh API token; only its hash is stored, so return it once."""
        token = secrets.token_urlsafe(32)
        self.api_token_hash = hash_api_token(token)
        return token

    def can(self, *roles: str) -> bool:
        """Whether this person holds one of `roles` (or is an administrator) in the hall the
        request is for."""
        role = self.hall_role
        return role is not None and (role == Role.ADMIN or role in roles)

    def is_a(self, role: str) -> bool:
        """Whether this person's role in the request's hall is exactly `role`."""
        return self.hall_role == role


def holding(role: str, hall_id: int) -> ColumnElement[bool]:
    """SQL: the account holds `role` in hall `hall_id` (as `User.role_in` reads it)."""
    member = (
        select(StaffHall.role)
        .where(StaffHall.user_id == User.id, StaffHall.hall_id == hall_id)
        .scalar_subquery()
    )
    return or_(member == role, and_(member.is_(None), User.all_halls.is_(True), User.role == role))


def works_in(hall_id: int) -> ColumnElement[bool]:
    """SQL: the account works in hall `hall_id` (a city account, or one of its members)."""
    member = select(StaffHall.user_id).where(
        StaffHall.user_id == User.id, StaffHall.hall_id == hall_id
    )
    return or_(User.all_halls.is_(True), member.exists())


class StaffHall(Model):
    """A staff member's place in one hall: the role they hold there (a county's registrar is
    not the city's)."""

    __tablename__ = "staff_halls"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    hall_id: Mapped[int] = mapped_column(
        ForeignKey("halls.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(20))


class LoginAttempt(Model):
    """One try at the staff login, kept to slow down password guessing."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    remote: Mapped[str] = mapped_column(String(45), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    ok: Mapped[bool] = mapped_column(default=False)
