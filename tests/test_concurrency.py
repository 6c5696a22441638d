"""Many desks and kiosks at once: numbers never collide, no ticket is called twice or lost.

Real threads and real processes against a real SQLite file, and against PostgreSQL when it
is there (required in CI).
"""

from __future__ import annotations

import multiprocessing
import random
import threading
import time
from collections import Counter

import pytest
from flask import Flask
from sqlalchemy import func, select

from reception.db.extensions import db, socketio
from reception.models import AuditEntry, Desk, Hall, Service, Ticket, TicketEvent
from reception.queue import moves
from reception.queue.issuing import issue_ticket
from reception.queue.locking import FairLock
from tests.workers import Tally, caller, issuer, process_main

THREADS = 8
TICKETS_PER_ISSUER = 25


def _add_desks(app: Flask, count: int) -> tuple[int, int, list[int]]:
    """Give service A `count` extra desks; return (hall id, service id, desk ids)."""
    with app.app_context():
        hall = db.session.scalars(select(Hall)).one()
        service = db.session.scalars(select(Service).where(Service.prefix == "A")).one()
        desks = [
            Desk(hall_id=hall.id, number=100 + i, name="test", services=[service])
            for i in range(count)
        ]
        db.session.add_all(desks)
        db.session.commit()
        result = hall.id, service.id, [desk.id for desk in desks]
        db.session.remove()
        return result


def _check_outcome(app: Flask, expected: int, called: list[int], errors: list[str]) -> None:
    assert errors == []
    with app.app_context():
        numbers = db.session.scalars(select(Ticket.number)).all()
        assert len(numbers) == expected
        assert sorted(numbers) == [f"A{n:03d}" for n in range(1, expected + 1)]
        calls = Counter(
            db.session.scalars(select(TicketEvent.ticket_id).where(TicketEvent.action == "call"))
        )
        assert len(calls) == expected, "every ticket was called"
        assert max(calls.values()) == 1, "no ticket was called twice"
        assert sorted(called) == sorted(calls), "each desk saw exactly the calls it made"
        states = Counter(db.session.scalars(select(Ticket.state)))
        assert states == {"finished": expected}
        versions = db.session.scalars(select(TicketEvent.hall_version)).all()
        assert len(versions) == len(set(versions)), "hall versions never repeat"
        db.session.remove()


def _hammer_with_threads(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    hall_id, service_id, desk_ids = _add_desks(app, THREADS)
    sent: list[int] = []  # the hall versions of queue events, in the order they went out
    emit = socketio.emit

    def recording(name, payload, **kwargs):  # type: ignore[no-untyped-def]
        if name == "queue":
            # a send slowed at random (a busy message queue): a later writer could overtake
            time.sleep(random.uniform(0, 0.005))
            sent.append(payload["version"])
        return emit(name, payload, **kwargs)

    monkeypatch.setattr(socketio, "emit", recording)
    tallies = [Tally() for _ in range(THREADS * 2)]
    threads = [
        threading.Thread(target=issuer, args=(app, hall_id, service_id, TICKETS_PER_ISSUER, t))
        for t in tallies[:THREADS]
    ] + [
        threading.Thread(target=caller, args=(app, desk_id, 1.5, t))
        for desk_id, t in zip(desk_ids, tallies[THREADS:], strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    _check_outcome(
        app,
        THREADS * TICKETS_PER_ISSUER,
        [ticket_id for t in tallies for ticket_id in t.called],
        [error for t in tallies for error in t.errors],
    )
    # Published outside the lock, yet in the hall's order: a screen sees no false gap.
    assert sent == sorted(sent) and len(sent) == len(set(sent)), "events go out in version order"
    with app.app_context():
        committed = db.session.scalars(select(TicketEvent.hall_version)).all()
        db.session.remove()
    assert sorted(sent) == sorted(committed), "every committed change is published once"


def _hammer_with_processes(app: Flask, database_uri: str, processes: int = 3) -> None:
    hall_id, service_id, desk_ids = _add_desks(app, processes)
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    jobs = [
        context.Process(target=process_main, args=(database_uri, "issue", service_id, 40, out))
        for _ in range(processes)
    ] + [
        context.Process(target=process_main, args=(database_uri, "call", desk_id, 0, out))
        for desk_id in desk_ids
    ]
    for job in jobs:
        job.start()
    results = [out.get(timeout=180) for _ in jobs]
    for job in jobs:
        job.join(timeout=30)
        assert job.exitcode == 0
    _check_outcome(
        app,
        processes * 40,
        [ticket_id for _, _, called, _ in results for ticket_id in called],
        [error for *_, errors in results for error in errors],
    )


def test_threads_on_sqlite(app, db, monkeypatch):
    _hammer_with_threads(app, monkeypatch)


def test_processes_on_sqlite(app, db):
    _hammer_with_processes(app, app.config["SQLALCHEMY_DATABASE_URI"])


@pytest.mark.services
def test_threads_on_postgresql(postgres_app, monkeypatch):
    _hammer_with_threads(postgres_app[0], monkeypatch)


@pytest.mark.services
def test_processes_on_postgresql(postgres_app):
    app, uri = postgres_app
    _hammer_with_processes(app, uri)


@pytest.mark.services
def test_postgresql_schema_matches_the_models(postgres_app):
    app, _ = postgres_app
    with app.app_context():
        assert db.session.scalar(select(func.count(Hall.id))) == 1


def test_the_writer_lock_is_handed_over_in_arrival_order():
    """Threads waiting for the hall's in-process lock get it first come, first served (the tail
    at 9:00 is the number of desks ahead, not luck), and a wait that runs out leaves no trace."""
    lock = FairLock()
    assert lock.acquire()
    order: list[int] = []
    arrived = threading.Semaphore(0)

    def waiter(index: int) -> None:
        arrived.release()
        assert lock.acquire()
        order.append(index)
        time.sleep(0.001)
        lock.release()

    threads = []
    for index in range(8):
        thread = threading.Thread(target=waiter, args=(index,))
        thread.start()
        arrived.acquire()
        time.sleep(0.02)  # let it reach the queue before the next one comes
        threads.append(thread)
    assert lock.acquire(timeout=0.05) is False  # held, and eight ahead: gives up
    lock.release()
    for thread in threads:
        thread.join(timeout=5)
    assert order == list(range(8))
    assert lock.acquire(timeout=0) is True  # free again: nobody left waiting
    lock.release()


def test_a_transaction_that_wrote_before_asking_for_the_hall_never_deadlocks(app, db):
    """Registration writes the visitor and the case, then issues the ticket (the hall's lock).
    Meanwhile a desk takes the lock and waits for SQLite's: the registration must already
    hold the process's writer lock from its first write, or each waits for the other until the
    busy timeout (30 s) fails the desk."""
    hall_id, service_id, desk_ids = _add_desks(app, 1)
    wrote = threading.Event()
    done: list[str] = []
    errors: list[str] = []

    def registrar() -> None:
        with app.app_context():
            try:
                db.session.add(AuditEntry(action="register_case"))
                db.session.flush()  # the transaction's first write: SQLite's write lock
                wrote.set()
                time.sleep(0.3)  # the desk meanwhile reaches for the hall
                issue_ticket(hall_id, service_id, channel="registration")
                db.session.commit()
                done.append("registered")
            except Exception as exc:  # noqa: BLE001
                errors.append(f"registrar: {exc!r}")
            finally:
                wrote.set()
                db.session.remove()

    def desk() -> None:
        wrote.wait(5)
        with app.app_context():
            try:
                moves.call_next(desk_ids[0])
                db.session.commit()
                done.append("called")
            except Exception as exc:  # noqa: BLE001
                errors.append(f"desk: {exc!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=registrar), threading.Thread(target=desk)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=40)
    assert errors == []
    assert sorted(done) == ["called", "registered"]
    assert time.monotonic() - started < 5, "the two waited for each other"
