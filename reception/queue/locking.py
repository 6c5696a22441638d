"""The hall lock: every write to a hall's queues starts by bumping the hall's version.

On PostgreSQL the UPDATE takes the hall row's lock until commit; on SQLite it is the first
statement of the transaction, so the transaction takes the database's write lock (waiting
through the busy timeout) before it reads anything it will act on. Either way two writers to
one hall run one after the other, which is what makes numbers and calls collision-free; the
version it returns orders the hall's events for the live screens.

On SQLite, threads of one process also queue on an in-process mutex first: SQLite's busy
handler sleeps in steps of up to 100 ms, which gives long tails when many threads contend,
while a mutex hands the lock over at once. Other processes still meet at the database lock.
"""

from __future__ import annotations

import threading
from typing import cast

from sqlalchemy import Table, bindparam, event, update
from sqlalchemy.orm import Session, SessionTransaction

from ..extensions import db
from ..models import Hall
from .errors import NotFound
from .messages import N_

_SQLITE_WRITERS: dict[str, threading.Lock] = {}
_REGISTRY_LOCK = threading.Lock()
_HELD_KEY = "reception_sqlite_writer_lock"


def _sqlite_writer_lock(url: str) -> threading.Lock:
    with _REGISTRY_LOCK:
        return _SQLITE_WRITERS.setdefault(url, threading.Lock())


def _take_writer_lock(session: Session) -> None:
    bind = session.get_bind()
    if bind.dialect.name != "sqlite" or _HELD_KEY in session.info:
        return
    lock = _sqlite_writer_lock(str(bind.engine.url))
    lock.acquire()
    session.info[_HELD_KEY] = lock


@event.listens_for(Session, "after_transaction_end")
def _release_writer_lock(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None and _HELD_KEY in session.info:
        session.info.pop(_HELD_KEY).release()


_HALLS = cast(Table, Hall.__table__)
# Core, on the transaction's own connection: no ORM statement compilation, no autoflush.
_BUMP_VERSION = (
    update(_HALLS)
    .where(_HALLS.c.id == bindparam("hall_id"))
    .values(version=_HALLS.c.version + 1)
    .returning(_HALLS.c.version)
)


def lock_hall(hall_id: int) -> int:
    """Serialise writers on the hall and return the hall's new version."""
    session = db.session()
    _take_writer_lock(session)
    session.flush()  # what the request changed before the lock is written under it, in order
    version = session.connection().execute(_BUMP_VERSION, {"hall_id": hall_id}).scalar()
    if version is None:
        raise NotFound(N_("No such hall."))
    return int(version)
