"""The hall lock: every write to a hall's queues starts by bumping the hall's version.

On PostgreSQL the UPDATE takes the hall row's lock until commit; on SQLite it is the first
statement of the transaction, so the transaction takes the database's write lock (waiting
through the busy timeout) before it reads anything it will act on. Either way two writers to
one hall run one after the other, which is what makes numbers and calls collision-free; the
version it returns orders the hall's events for the live screens.
"""

from __future__ import annotations

from sqlalchemy import update

from ..extensions import db
from ..models import Hall
from .errors import NotFound
from .messages import N_


def lock_hall(hall_id: int) -> int:
    """Serialise writers on the hall and return the hall's new version."""
    stmt = (
        update(Hall)
        .where(Hall.id == hall_id)
        .values(version=Hall.version + 1)
        .returning(Hall.version)
        .execution_options(synchronize_session=False)
    )
    version = db.session.execute(stmt).scalar_one_or_none()
    if version is None:
        raise NotFound(N_("No such hall."))
    return version
