"""The hall lock: every write to a hall's queues starts by bumping the hall's version.

On PostgreSQL the UPDATE takes the hall row's lock until commit; on SQLite it is the first
statement of the transaction, so the transaction takes the database's write lock (waiting
through the busy timeout) before it reads anything it will act on. Either way two writers to
one hall run one after the other, which is what makes numbers and calls collision-free; the
version it returns orders the hall's events for the live screens.

Threads of one process also queue on an in-process mutex first, handed over in arrival order:
SQLite's busy handler sleeps in steps of up to 100 ms and PostgreSQL wakes a row's waiters in no
promised order, which gives long tails when many threads contend, while a first-come mutex
hands the lock over at once and no thread waits behind more than the others that came before
it. Other processes still meet at the database lock.
"""

from __future__ import annotations

import threading
import weakref
from collections import deque
from datetime import date
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    CTE,
    BindParameter,
    ColumnElement,
    Date,
    Engine,
    Executable,
    Table,
    bindparam,
    event,
    select,
    update,
)
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from reception.core.errors import NotFound
from reception.core.messages import N_
from reception.db.extensions import db
from reception.db.rows import constant, execute
from reception.models import Hall, QueueCount


class FairLock:
    """A mutex handed to its waiters in the order they came (no barging): a thread waits for
    the threads ahead of it and no longer. `acquire` with a timeout gives up (False). With
    `places`, as many threads hold it at once (a first-come semaphore)."""

    def __init__(self, places: int = 1) -> None:
        self._mutex = threading.Lock()
        self._waiters: deque[threading.Lock] = deque()
        self._places = self._free = places

    @property
    def places(self) -> int:
        """How many threads may hold it at once."""
        return self._places

    @property
    def held(self) -> bool:
        """Whether any thread holds it now."""
        return self._free < self._places

    def acquire(self, timeout: float = -1) -> bool:
        with self._mutex:
            if self._free:  # a free place means nobody waits: a release hands places over
                self._free -= 1
                return True
            waiter = threading.Lock()
            waiter.acquire()
            self._waiters.append(waiter)
        if waiter.acquire(timeout=timeout):
            return True  # the holder handed the lock over to us
        with self._mutex:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
                return False
        return True  # handed over just as the wait ran out: ours after all

    def release(self) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()  # ownership passes straight to the next
            else:
                self._free += 1


_WRITERS: dict[str, FairLock] = {}
_REGISTRY_LOCK = threading.Lock()
_HELD_KEY = "reception_writer_lock"
# PostgreSQL: a transaction that already holds the hall row (a set-up change that wrote the
# hall before asking for the lock) must not wait for the in-process lock forever while its
# holder waits for that row; past this it goes on to the database's own (deadlock-checked) lock.
_POSTGRES_WAIT = 2.0


# Each engine's lock, found without rendering its URL (engines of one database share one lock).
_BY_ENGINE: weakref.WeakKeyDictionary[Engine, FairLock] = weakref.WeakKeyDictionary()


def _writer_lock(engine: Engine) -> FairLock:
    lock = _BY_ENGINE.get(engine)
    if lock is None:
        with _REGISTRY_LOCK:
            key = str(engine.url)
            lock = _WRITERS.get(key)
            if lock is None:
                lock = _WRITERS[key] = FairLock()
            _BY_ENGINE[engine] = lock
    return lock


def _take_writer_lock(session: Session, *, sqlite_only: bool = False) -> None:
    if _HELD_KEY in session.info:
        return
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        lock = _writer_lock(bind.engine)
        lock.acquire()
    elif sqlite_only:
        return
    else:
        lock = _writer_lock(bind.engine)
        if not lock.acquire(timeout=_POSTGRES_WAIT):
            return
    session.info[_HELD_KEY] = lock


# SQLite has one writer at a time for the whole file, and a transaction holds that lock from
# its first write. So in this process the writer lock is taken before the first write of any
# transaction, not only at `lock_hall`: a transaction that wrote first (a registration's
# visitor and case) and asked for the hall afterwards would otherwise hold SQLite's lock while
# waiting for ours, and the holder of ours wait for SQLite's until the busy timeout.
@event.listens_for(Session, "before_flush")
def _before_first_write(session: Session, flush_context: object, instances: object) -> None:
    _take_writer_lock(session, sqlite_only=True)


@event.listens_for(Session, "do_orm_execute")
def _before_bulk_write(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _take_writer_lock(state.session, sqlite_only=True)


@event.listens_for(Session, "after_transaction_end")
def _release_writer_lock(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None and _HELD_KEY in session.info:
        session.info.pop(_HELD_KEY).release()


def _release_on_commit(session: Session) -> None:
    if _HELD_KEY in session.info and not session.in_nested_transaction():
        session.info.pop(_HELD_KEY).release()


def release_on_commit() -> None:
    """Hand the writer lock on as soon as the database has committed and the after-commit
    actions registered before this call (the events joining their line) have run, instead of
    after the session has expired its objects and returned its connection: the next writer's
    wait is shorter by that much. A rollback still releases it when the transaction ends."""
    if not event.contains(Session, "after_commit", _release_on_commit):
        event.listen(Session, "after_commit", _release_on_commit)


_HALLS = cast(Table, Hall.__table__)
# Core, on the transaction's own connection: no ORM statement compilation, no autoflush.
_BUMP_VERSION = (
    update(_HALLS)
    .where(_HALLS.c.id == bindparam("hall_id"))
    .values(version=_HALLS.c.version + constant(1))
    .returning(_HALLS.c.version)
)


def enter_writer() -> None:
    """The in-process part of the hall lock, before a statement that takes the database's part
    itself (`version_bump`): this process's writers queue in arrival order, and what the
    request changed before is written under the lock, in order."""
    session = db.session()
    _take_writer_lock(session)
    session.flush()


def version_bump(hall_id: BindParameter[int]) -> tuple[CTE, ColumnElement[bool]]:
    """PostgreSQL: the hall lock as part of a write's own statement, so that taking it costs
    no round trip of its own: the UPDATE of the hall's version as a data-modifying CTE
    (`locked`, returning the new `version`), and a condition that is true when the statement's
    snapshot is the hall as the lock found it.

    The statement's snapshot is taken when it starts, before it may wait for the hall row;
    every queue writer bumps the version under the lock, so the new version being the
    snapshot's plus one means nobody wrote the hall's queues in between, and what the statement
    read (the line, the desk, the counts) is what it would read after taking the lock. In this
    process the writers are already in line (`enter_writer`), so only a writer of another
    process can make it false; the statement must then write nothing but the bump and let the
    caller do its work in statements of their own, under the lock it now holds."""
    locked = (
        update(_HALLS)
        .where(_HALLS.c.id == hall_id)
        .values(version=_HALLS.c.version + constant(1))
        .returning(_HALLS.c.version)
        .cte("locked")
    )
    seen = select(_HALLS.c.version).where(_HALLS.c.id == hall_id).scalar_subquery()
    return locked, select(locked.c.version).scalar_subquery() == seen + constant(1)


@cache
def _bump_counting(services: int) -> Executable:
    """`_BUMP_VERSION` returning also how many wait today in each of `services` services
    (`count_0`, …; `day`): read by the statement that takes the lock, so as the lock found them."""
    counts = cast(Table, QueueCount.__table__)
    waiting = [
        select(counts.c.waiting)
        .where(
            counts.c.hall_id == bindparam("hall_id"),
            counts.c.service_day == bindparam("day", type_=Date()),
            counts.c.service_id == bindparam(f"count_{n}"),
        )
        .scalar_subquery()
        for n in range(services)
    ]
    return _BUMP_VERSION.returning(*waiting)


def lock_hall_counting(
    hall_id: int, day: date, service_ids: tuple[int, ...]
) -> tuple[int, dict[int, int]]:
    """SQLite: `lock_hall`, and the waiting counts of `service_ids` for `day` as the lock found
    them, in the same statement. The lock is the database's one writer from that statement on,
    so a caller that then makes one change knows the counts after it without reading them
    again. (On PostgreSQL the statement's snapshot may be older than the lock: not there.)"""
    enter_writer()
    params: dict[str, Any] = {"hall_id": hall_id, "day": day}
    params.update((f"count_{n}", service_id) for n, service_id in enumerate(service_ids))
    statement = _bump_counting(len(service_ids))
    row = execute(db.session.connection(), statement, params).first()
    if row is None:
        raise NotFound(N_("No such hall."))
    return int(row[0]), {sid: row[n + 1] or 0 for n, sid in enumerate(service_ids)}


def lock_hall(hall_id: int) -> int:
    """Serialise writers on the hall and return the hall's new version."""
    enter_writer()
    session = db.session()
    version = execute(session.connection(), _BUMP_VERSION, {"hall_id": hall_id}).scalar()
    if version is None:
        raise NotFound(N_("No such hall."))
    return int(version)
