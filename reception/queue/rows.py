"""Rows written by Core statements on the hot path, handed back to the rest as ORM objects."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Row
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from ..extensions import db

M = TypeVar("M")


def attach(model: type[M], row: Row[Any] | dict[str, Any]) -> M:
    """The session's object for a row a Core statement just wrote (every column, with its
    `id`): the session's own copy refreshed from the row without history, or a new object
    attached as already stored. Either way no unit-of-work flush writes it again."""
    values = dict(row._mapping) if isinstance(row, Row) else row
    session = db.session()
    current = session.identity_map.get(identity_key(model, (values["id"],)))
    if current is None:
        fresh = model(**values)
        make_transient_to_detached(fresh)
        session.add(fresh)
        return fresh
    for name, value in values.items():
        set_committed_value(current, name, value)
    found: M = current
    return found
