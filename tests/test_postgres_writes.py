"""PostgreSQL: issue and call-next each take the hall lock inside their one statement, and a
writer of another process that got the lock first makes them do their work again, under it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, event, func, select, text

from reception import create_app
from reception.core.errors import IllegalMove
from reception.db.extensions import db as _db
from reception.live import publish as realtime
from reception.models import Ticket
from reception.queue import calling, moves
from reception.queue.issuing import issue_ticket
from tests.helpers import (
    accusation_ticket,
    base_config,
    desk_by_number,
    service_by_prefix,
    user_by_name,
)


@pytest.fixture
def published(monkeypatch) -> list[tuple[str, dict[str, Any]]]:
    """The queue events the server sends, as (action, payload)."""
    sent: list[tuple[str, dict[str, Any]]] = []

    def emit(name: str, payload: dict[str, Any], to: Any = None) -> None:
        if name == realtime.EVENT_NAME:
            sent.append((payload["action"], payload))

    monkeypatch.setattr(realtime.socketio, "emit", emit)
    return sent


def _waiting(service_id: int) -> int:
    return _db.session.scalar(
        select(func.count()).where(Ticket.service_id == service_id, Ticket.state == "waiting")
    )


def test_issue_and_call_are_one_statement_each_with_their_counts(postgres_app, published):
    """The lock, the counter, the ticket, its event and the line's count: one round trip for
    an issue, one for a call; the events carry the counts the tickets give."""
    app, _ = postgres_app
    with app.app_context():
        service, desk = service_by_prefix("A"), desk_by_number(1)
        sent: list[str] = []
        event.listen(_db.engine, "before_cursor_execute", lambda c, cur, sql, *a: sent.append(sql))
        for _ in range(3):
            issue_ticket(desk.hall_id, service.id, outside_hours=True)
            _db.session.commit()
        called = calling.call_next(desk.id)
        _db.session.commit()
        assert called is not None and called.number == "A001"
        writes = [sql for sql in sent if not sql.startswith("SELECT")]
        assert [sql.split()[0] for sql in writes] == ["WITH"] * 4, writes
        assert not [sql for sql in sent if "FROM queue_counts" in sql.split("\n")[0]]
        assert [payload["waiting"][str(service.id)] for _, payload in published] == [1, 2, 3, 2]
        assert _waiting(service.id) == 2


@pytest.fixture
def other_process(postgres_app) -> Iterator[Flask]:
    """The same database seen by another server process: its own engine, so its own in-process
    writer line; the two meet only at the database's lock."""
    _, uri = postgres_app
    other = create_app(base_config(uri + "?application_name=other_process"))
    yield other
    with other.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _while_other_holds_the_lock(
    other: Flask, uri: str, other_write: Callable[[], object], ours: Callable[[], object]
) -> object:
    """Run `other_write` in the other process and keep its transaction (and the hall lock)
    open; start `ours`, wait until the database shows it waiting for that lock, then let the
    other commit. `ours`' statement thus began with a snapshot older than the hall it locks.
    Returns what `ours` returned or raised."""
    holding, go = threading.Event(), threading.Event()
    result: dict[str, object] = {}

    def other_side() -> None:
        with other.app_context():
            other_write()
            holding.set()
            go.wait(60)
            _db.session.commit()

    def our_side(app: Flask) -> None:
        with app.app_context():
            try:
                result["value"] = ours()
                _db.session.commit()
            except Exception as error:  # noqa: BLE001 - handed to the test
                _db.session.rollback()
                result["value"] = error

    from flask import current_app

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    first = threading.Thread(target=other_side)
    first.start()
    assert holding.wait(10)
    second = threading.Thread(target=our_side, args=(app,))
    second.start()
    # Each look its own transaction: PostgreSQL keeps one copy of pg_stat_activity for a whole
    # transaction, so a watcher that began before our statement queued would never see it.
    watcher = create_engine(
        uri.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    try:
        deadline = time.monotonic() + 60  # generous: a loaded machine schedules threads late
        with watcher.connect() as connection:
            while time.monotonic() < deadline and second.is_alive():
                waiting = connection.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                    )
                ).scalar()
                if waiting:
                    break
                time.sleep(0.01)
            assert waiting, f"our statement never waited for the other's lock: {result}"
    finally:
        watcher.dispose()
        go.set()
        first.join(60)
        second.join(60)
    return result["value"]


def test_a_call_at_a_desk_another_process_just_called_at_is_refused(postgres_app, other_process):
    """Two servers call at the same desk at once: the second waits for the hall, then finds
    the desk with the first's visitor. (Its statement's snapshot still showed the desk free:
    acting on it would have sent two visitors to one desk.)"""
    app, uri = postgres_app
    with app.app_context():
        service, desk = service_by_prefix("A"), desk_by_number(1)
        for _ in range(2):
            issue_ticket(desk.hall_id, service.id, outside_hours=True)
        _db.session.commit()
        outcome = _while_other_holds_the_lock(
            other_process,
            uri,
            lambda: calling.call_next(desk.id),
            lambda: calling.call_next(desk.id),
        )
        assert isinstance(outcome, IllegalMove), outcome
        _db.session.remove()
        states = _db.session.execute(select(Ticket.number, Ticket.state).order_by(Ticket.id)).all()
        assert [tuple(row) for row in states] == [("A001", "called"), ("A002", "waiting")]


def test_a_call_after_another_process_called_takes_the_next_in_line(
    postgres_app, other_process, published
):
    app, uri = postgres_app
    with app.app_context():
        service = service_by_prefix("K")  # served at desks 9 and 10
        one, two = desk_by_number(9), desk_by_number(10)
        for _ in range(3):
            issue_ticket(one.hall_id, service.id, outside_hours=True)
        _db.session.commit()
        published.clear()
        called = _while_other_holds_the_lock(
            other_process,
            uri,
            lambda: calling.call_next(one.id),
            lambda: calling.call_next(two.id).number,
        )
        assert called == "K002"
        calls = [payload["ticket"]["number"] for action, payload in published if action == "call"]
        assert calls == ["K001", "K002"]
        payload = published[-1][1]
        assert payload["waiting"][str(service.id)] == 1 == _waiting(service.id)


def test_an_issue_after_another_process_issued_counts_both(postgres_app, other_process, published):
    """The other process's ticket was not in our statement's snapshot: the count our event
    carries is read again under the lock, and the numbers follow each other."""
    app, uri = postgres_app
    with app.app_context():
        service, desk = service_by_prefix("A"), desk_by_number(1)
        hall_id = desk.hall_id

        def issue() -> str:
            return issue_ticket(hall_id, service.id, outside_hours=True).number

        ours = _while_other_holds_the_lock(other_process, uri, issue, issue)
        assert ours == "A002"
        issued = [payload["ticket"]["number"] for action, payload in published if action == "issue"]
        assert issued == ["A001", "A002"]
        payload = published[-1][1]
        assert payload["waiting"][str(service.id)] == 2 == _waiting(service.id)


def test_call_next_passes_over_an_accusation_against_the_callers_department(postgres_app):
    """Art. 30 inside the one statement (the acting departments as an array parameter): staff
    of the accused department calling at a shared desk get the next visitor instead; hall staff
    at the same desk call the accusation."""
    app, _ = postgres_app
    with app.app_context():
        shared, accused = desk_by_number(6), service_by_prefix("B")
        accusation = accusation_ticket(shared.hall)
        plain = issue_ticket(shared.hall_id, service_by_prefix("F").id, outside_hours=True)
        _db.session.commit()
        zhujian = user_by_name("zhujian")
        assert zhujian.department_id == accused.id
        called = calling.call_next(shared.id, staff_id=zhujian.id)
        assert called is not None and called.id == plain.id
        _db.session.commit()
        moves.cancel(plain.id, desk_id=shared.id)  # the desk free again
        _db.session.commit()
        called = calling.call_next(shared.id)
        assert called is not None and called.id == accusation.id
        _db.session.commit()
