"""Small helpers for tests: hall-local times and ticket set-up through the engine."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from reception.db.extensions import db
from reception.models import Ticket
from reception.queue import moves
from reception.queue.issuing import issue_ticket

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(day: str, clock: str) -> datetime:
    """Wall-clock time in the hall's zone, e.g. local("2026-11-23", "09:00")."""
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=SHANGHAI)


def issue(hall_id: int, service_id: int, when: datetime, **kwargs) -> Ticket:
    ticket = issue_ticket(hall_id, service_id, now=when, **kwargs)
    db.session.commit()
    return ticket


def commit(result):
    db.session.commit()
    return result


def bring_to(state: str, hall_id: int, service_id: int, desk_id: int, when: datetime) -> Ticket:
    """A fresh ticket moved into `state` through legal moves only."""
    ticket = issue(hall_id, service_id, when)
    if state == "waiting":
        return ticket
    called = commit(moves.call_ticket(desk_id, ticket.id, now=when))
    if state == "called":
        return called
    if state == "no_show":
        return commit(moves.no_show(ticket.id, now=when))
    if state == "held":
        return commit(moves.hold(ticket.id, now=when))
    if state == "cancelled":
        return commit(moves.cancel(ticket.id, now=when))
    commit(moves.start(ticket.id, now=when))
    if state == "serving":
        return db.session.get(Ticket, ticket.id)
    if state == "finished":
        return commit(moves.finish(ticket.id, "answered", now=when))
    raise ValueError(state)


def accusation_ticket(hall) -> Ticket:
    """A registered accusation (检举控告) against 市住建局 (B), waiting for 房产 (F): desk 6
    serves both, so who may call it there depends on the caller's department (Art. 30)."""
    from sqlalchemy import select

    from reception.core.clock import hall_day
    from reception.models import Case, Service, Visitor
    from reception.models.types import utcnow

    def service(prefix: str) -> Service:
        return db.session.scalars(select(Service).where(Service.prefix == prefix)).one()

    visitor = Visitor(name="甲")
    db.session.add(visitor)
    db.session.flush()
    case = Case(
        hall_id=hall.id,
        visitor_id=visitor.id,
        registered_on=hall_day(hall.timezone, utcnow()),
        account="检举",
        category="其他",
        accusation=True,
        accused_id=service("B").id,
    )
    db.session.add(case)
    db.session.flush()
    ticket = issue_ticket(hall.id, service("F").id, channel="registration", outside_hours=True)
    ticket.case_id = case.id
    db.session.commit()
    return ticket


def refused_at_kiosk(client, data: dict) -> str:
    """POST a tap the kiosk refuses: the answer sends the kiosk back to its start page by GET
    (post/redirect/get: a reload never sends the tap again), which shows why."""
    answer = client.post("/kiosk/issue", data=data)
    assert answer.status_code == 303, (answer.status_code, data)
    assert answer.headers["Location"].endswith("/kiosk/")
    return client.get("/kiosk/").get_data(as_text=True)
