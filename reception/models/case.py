"""Visitors, their matters (cases) under 信访工作条例, representatives, the audit trail."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, event, select
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column, relationship, validates
from sqlalchemy.sql.elements import ColumnElement

from reception.db.extensions import Model
from reception.models.audit import AUDIT_ACTIONS
from reception.models.types import Encrypted, UTCDateTime, utcnow


class CaseStatus(StrEnum):
    REGISTERED = "registered"
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"
    NOT_REACCEPTED = "not_reaccepted"  # 不再受理: the same matter was already handled in full
    TRANSFERRED = "transferred"
    CONCLUDED = "concluded"


class Visitor(Model):
    """A person who petitions. Identity fields are encrypted; `id_hash` finds a repeat visitor."""

    __tablename__ = "visitors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Encrypted())
    id_number: Mapped[str | None] = mapped_column(Encrypted(), default=None)
    id_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    phone: Mapped[str | None] = mapped_column(Encrypted(), default=None)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    address: Mapped[str | None] = mapped_column(Encrypted(), default=None)
    birth_date: Mapped[date | None] = mapped_column(Date, default=None)
    sex: Mapped[str | None] = mapped_column(String(1), default=None)
    no_id_card: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    cases: Mapped[list[Case]] = relationship(back_populates="visitor", order_by="Case.id.desc()")


class Case(Model):
    """One matter (信访事项) and its statutory dates."""

    __tablename__ = "cases"
    __table_args__ = (Index("ix_case_registered", "hall_id", "registered_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    visitor_id: Mapped[int] = mapped_column(ForeignKey("visitors.id"), index=True)
    registered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    registered_on: Mapped[date] = mapped_column(Date)
    account: Mapped[str] = mapped_column(Text)  # the visitor's spoken account, typed by staff
    facts: Mapped[str] = mapped_column(Text, default="")
    request: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(40))
    # 信访目的 as the petition information system names it (`registration.PURPOSES`; "" for
    # matters registered before it was asked)
    purpose: Mapped[str] = mapped_column(String(10), default="")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"), default=None)
    urgent: Mapped[bool] = mapped_column(default=False)
    vulnerable: Mapped[str] = mapped_column(String(20), default="")  # elderly/disabled/pregnant
    risk: Mapped[bool] = mapped_column(default=False)
    repeat: Mapped[bool] = mapped_column(default=False)
    accusation: Mapped[bool] = mapped_column(default=False)  # 检举控告
    accused_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"), default=None)
    group_size: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(16), default=CaseStatus.REGISTERED.value)
    decided_on: Mapped[date | None] = mapped_column(Date, default=None)
    extension_days: Mapped[int] = mapped_column(default=0)
    extension_approver: Mapped[str] = mapped_column(String(64), default="")
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    replied_on: Mapped[date | None] = mapped_column(Date, default=None)
    review_requested_on: Mapped[date | None] = mapped_column(Date, default=None)
    review_replied_on: Mapped[date | None] = mapped_column(Date, default=None)
    recheck_requested_on: Mapped[date | None] = mapped_column(Date, default=None)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    # 信访形式: how the matter came ("visit": 走访, at the hall or by video; "online": 网上)
    form: Mapped[str] = mapped_column(String(10), default="visit", server_default="visit")
    # the visitor agreed to be texted about the matter (accepted or not, the opinion given)
    sms_consent: Mapped[bool] = mapped_column(default=False)
    # the hall that handed the matter down (交办/转送) to `hall_id`: it keeps a read view
    origin_hall_id: Mapped[int | None] = mapped_column(
        ForeignKey("halls.id"), index=True, default=None
    )

    visitor: Mapped[Visitor] = relationship(back_populates="cases")
    department = relationship("Service", foreign_keys=[department_id])

    @property
    def number(self) -> str:
        """The case's number as written on notices and told to the visitor (no personal data)."""
        return f"XF{self.registered_on:%Y}-{self.id:06d}"

    representatives: Mapped[list[Representative]] = relationship(order_by="Representative.id")
    notes: Mapped[list[CaseNote]] = relationship(order_by="CaseNote.id")


class HandoverKind(StrEnum):
    ASSIGNED = "assigned"  # 交办: to be handled there and reported back
    FORWARDED = "forwarded"  # 转送: passed on to the competent unit


class CaseHandover(Model):
    """A matter handed from one hall to a department of another (交办 or 转送): with the reason
    and the date the handling hall must report by. The matter's statutory clocks are not
    touched: they run from its registration and decisions."""

    __tablename__ = "case_handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(10), default=HandoverKind.ASSIGNED.value)
    from_hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    to_hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date | None] = mapped_column(Date, default=None)


class CaseSupervision(Model):
    """The city following a matter until it is done (督办): a due date and a note; past the
    date while still open, an alert on the city's and the matter's hall's boards."""

    __tablename__ = "case_supervisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    # the day its overdue alert was raised (one a supervision)
    alerted_on: Mapped[date | None] = mapped_column(Date, default=None)


class Representative(Model):
    """One of at most five representatives of a group visit (Art. 20)."""

    __tablename__ = "representatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    name: Mapped[str] = mapped_column(Encrypted())
    id_number: Mapped[str | None] = mapped_column(Encrypted(), default=None)


class CaseNote(Model):
    """What a desk did for the case (its outcome at finish), or a decision on the case."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))
    desk_id: Mapped[int | None] = mapped_column(ForeignKey("desks.id"))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")


class JourneyStop(Model):
    """A desk the registrar planned for a ticket's visit, in order."""

    __tablename__ = "journey_stops"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    position: Mapped[int] = mapped_column()
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    done: Mapped[bool] = mapped_column(default=False)


class AuditEntry(Model):
    """Who looked at or changed which visitor's record or case, and when."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # the hall the entry was made in (None: before halls were told apart, or a city-wide act)
    hall_id: Mapped[int | None] = mapped_column(ForeignKey("halls.id"), index=True, default=None)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    visitor_id: Mapped[int | None] = mapped_column(ForeignKey("visitors.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    detail: Mapped[str] = mapped_column(String(200), default="")
    # A change to the hall's set-up: what it was and what it became (no personal data).
    change: Mapped[dict | None] = mapped_column(JSON, default=None)

    @validates("action")
    def _known(self, _key: str, action: str) -> str:
        """Only a kind of entry the audit trail can name (`models.audit.AUDIT_ACTIONS`)."""
        if action not in AUDIT_ACTIONS:
            raise ValueError(f"unknown audit action {action!r}: add it to AUDIT_ACTIONS")
        return action


class Alert(Model):
    """An alert for the supervisor's and leader's screens: an urgent matter, a group visit, a
    wait beyond the service's target, a desk paused too long, a bad rating. Acknowledged once,
    by whom and when."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    ticket_number: Mapped[str] = mapped_column(String(12), default="")
    text: Mapped[str] = mapped_column(String(200), default="")
    seen: Mapped[bool] = mapped_column(default=False)
    # the service or desk a wait or pause alert is about (one open alert each at a time)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"), default=None)
    desk_id: Mapped[int | None] = mapped_column(ForeignKey("desks.id"), default=None)
    # the bad rating a rating alert is about: withdrawn when the rating is changed to a good one
    rating_id: Mapped[int | None] = mapped_column(ForeignKey("ratings.id"), default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)


def accuses(case_id: Any, departments: frozenset[int]) -> ColumnElement[bool]:
    """SQL: the case `case_id` refers to is an accusation (检举控告) against one of these
    departments: what Art. 30 hides from them wherever a case, ticket, rating or alert shows."""
    # an alias of its own: where `case_id` is the outer query's own `Case.id`, the test must
    # correlate with that row (a plain `Case` here would be the inner table, and the test would
    # hold for every row as soon as one accusation exists)
    accused = aliased(Case)
    return (
        select(accused.id)
        .where(
            accused.id == case_id,
            accused.accusation.is_(True),
            accused.accused_id.in_(departments),
        )
        .exists()
    )


@event.listens_for(Session, "before_flush")
def _audit_in_its_hall(session: Session, _context: Any, _instances: Any) -> None:
    """An audit entry is made in the hall its session works for (`session.info["hall_id"]`,
    set where a request learns its hall), unless its maker named one."""
    hall_id = session.info.get("hall_id")
    if hall_id is None:
        return
    for item in session.new:
        if isinstance(item, AuditEntry) and item.hall_id is None:
            item.hall_id = hall_id
