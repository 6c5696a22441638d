"""Helpers for tests (imported, never from conftest): hall-local times, ticket set-up through
the engine, the demo hall's services, desks and staff by name, logging in, the services
needed (PostgreSQL, Redis) and the base configuration of a test app."""

from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, select, text

from reception.db.extensions import db
from reception.hall.description import DEMO_PASSWORD
from reception.models import Desk, Service, Ticket, User
from reception.queue import moves
from reception.queue.issuing import issue_ticket

SHANGHAI = ZoneInfo("Asia/Shanghai")
REQUIRE_SERVICES = os.environ.get("RECEPTION_REQUIRE_SERVICES") == "1"
POSTGRES_URL = os.environ.get("RECEPTION_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/")
REDIS_URL = os.environ.get("RECEPTION_TEST_REDIS", "redis://127.0.0.1:6379/15")


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


def need_service(reason: str) -> None:
    """Skip with a clear reason, or fail when CI demands the real services."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (RECEPTION_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


def base_config(database_uri: str) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "hall.test",
        "PUBLIC_URL": None,
        "REDIS_URL": None,
    }


def postgres_admin_url() -> str:
    """The maintenance database's URL, after checking PostgreSQL answers (else skip or fail)."""
    admin_url = POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1) + "postgres"
    try:
        engine = create_engine(admin_url)
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001
        need_service(f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc}")
    return admin_url


def service_by_prefix(prefix: str) -> Service:
    return db.session.scalars(select(Service).where(Service.prefix == prefix)).one()


def desk_by_number(number: int) -> Desk:
    return db.session.scalars(select(Desk).where(Desk.number == number)).one()


def user_by_name(name: str) -> User:
    return db.session.scalars(select(User).where(User.username == name)).one()


def matter_form(service_id: int) -> dict:
    """The registration form for a housing matter sent to the service `service_id`."""
    return {
        "name": "王小明",
        "id_number": "11010519491231002X",
        "address": "人民路1号",
        "account": "小区楼顶漏水三年无人处理。",
        "category": "住房",
        "department_id": str(service_id),
        "group_size": "1",
        "action": "register",
        "route": [str(service_id)],
    }


def login(client, username: str = "desk", password: str = DEMO_PASSWORD):
    return client.post("/login", data={"username": username, "password": password})
