"""Rows written by Core statements on the hot path, handed back to the rest as ORM objects."""

from __future__ import annotations

import weakref
from functools import cache
from typing import Any, TypeVar, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    CursorResult,
    Executable,
    Integer,
    Row,
    String,
    Table,
    bindparam,
    event,
    false,
    literal_column,
    null,
    select,
    true,
)
from sqlalchemy.orm import Session, SessionTransaction, class_mapper
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.base import instance_state
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql.selectable import GenerativeSelect

from reception.db.extensions import db

M = TypeVar("M")
S = TypeVar("S", bound=GenerativeSelect)


def constant(value: str | int | bool | None) -> ColumnElement[Any]:
    """A constant of one of our own statements (a state, an action, a step of one), written
    into the statement's text instead of bound. A hot statement is built and compiled once; a
    bound constant is still extracted from its cache key, looked up, processed and sent (and
    made a parameter of PostgreSQL's plan) on every execution, one of each per constant."""
    if value is None:
        return null()
    if isinstance(value, bool):
        return true() if value else false()
    if not isinstance(value, int | str):
        raise TypeError(f"not a statement constant: {value!r}")
    if isinstance(value, int):
        return literal_column(str(value), Integer())
    return literal_column("'" + value.replace("'", "''") + "'", String())


class _OneStatement(dict[Any, Any]):
    """The compiled cache of one statement built once (see `execute`).

    SQLAlchemy finds a statement's compiled form by a key that holds the statement's whole
    structure as nested tuples, which Python hashes anew at every execution: 10-70 µs for our
    largest statements, several per request. The structure is the statement's own memoized
    tuple, the same object every time: this cache knows it by identity and hashes only the rest
    of the key (the dialect, the parameter names). A key of another shape or structure is kept
    and found by plain hashing, so the cache is never wrong, at worst as slow as the engine's."""

    def __init__(self) -> None:
        super().__init__()
        self._structure: object = None
        self._others: dict[Any, Any] = {}

    def get(self, key: Any, default: Any = None) -> Any:
        if type(key) is tuple and len(key) > 1 and key[1] is self._structure:
            return super().get(key[:1] + key[2:], default)
        return self._others.get(key, default)

    def __setitem__(self, key: Any, value: Any) -> None:
        if type(key) is tuple and len(key) > 1:
            if self._structure is None:
                self._structure = key[1]
            if key[1] is self._structure:
                if len(self) >= 16:  # one entry per engine; tests make many engines
                    self.clear()
                super().__setitem__(key[:1] + key[2:], value)
                return
        if len(self._others) >= 16:
            self._others.clear()
        self._others[key] = value


_OPTIONS: weakref.WeakKeyDictionary[Executable, dict[str, Any]] = weakref.WeakKeyDictionary()


def execute(
    connection: Connection, statement: Executable, params: dict[str, Any]
) -> CursorResult[*tuple[Any, ...]]:
    """Execute a statement built once (a module constant or a cached builder's) with a
    compiled cache of its own, found without hashing its structure (see `_OneStatement`)."""
    options = _OPTIONS.get(statement)
    if options is None:
        options = _OPTIONS.setdefault(statement, {"compiled_cache": _OneStatement()})
    return connection.execute(statement, params, execution_options=options)


def first_only(statement: S) -> S:
    """`statement` limited to its first row, the limit written in its text (see `constant`)."""
    return statement.limit(constant(1)).offset(constant(0))


def attach(model: type[M], row: Row[Any] | dict[str, Any]) -> M:
    """The session's object for a row a Core statement just wrote (every column, with its
    `id`): the session's own copy refreshed from the row without history, or a new object
    attached as already stored. Either way no unit-of-work flush writes it again."""
    values = dict(row._mapping) if isinstance(row, Row) else row
    current = _in_session(model, values["id"])
    if current is None:
        return _as_loaded(model, values)
    for name, value in values.items():
        set_committed_value(current, name, value)
    return current


def adopt(model: type[M], row: Row[Any]) -> M:
    """The session's object for a row just read: its own copy as it stands (changes not yet
    flushed are kept, as a query would), else the row attached as stored."""
    current = _in_session(model, row.id)
    return current if current is not None else _as_loaded(model, dict(row._mapping))


def adopt_values(model: type[M], values: dict[str, Any]) -> M:
    """`adopt` for a row's columns given as a dictionary (a row read with extra columns)."""
    current = _in_session(model, values["id"])
    return current if current is not None else _as_loaded(model, dict(values))


def get(model: type[M], row_id: int) -> M | None:
    """`session.get` at the cost of a Core query: the session's own object when it has one,
    else the row read by one statement built once and attached (no ORM result machinery, which
    costs more Python than the query itself on a per-request lookup)."""
    current = _in_session(model, row_id)
    if current is not None:
        return current
    query = _by_id(cast(Any, model))
    row = db.session.connection().execute(query, {"id": row_id}).first()
    return _as_loaded(model, dict(row._mapping)) if row is not None else None


def _in_session(model: type[M], row_id: int) -> M | None:
    found: M | None = db.session().identity_map.get(identity_key(model, (row_id,)))
    return found


def _as_loaded(model: type[M], values: dict[str, Any]) -> M:
    """A new persistent object holding `values` as its loaded state: what the ORM's own loader
    does for a row it has not seen (loading.py `_instance_processor`), without building the
    object through its constructor, attribute events and the save cascade, which cost ten
    times more on the hot path. The values are committed state: nothing is written back."""
    session: Session = db.session()
    fresh = class_mapper(model).class_manager.new_instance()
    state = instance_state(fresh)
    state.key = identity_key(model, (values["id"],))
    state.session_id = session.hash_key
    session.identity_map._add_unpresent(state, state.key)
    state.dict.update(values)
    found: M = fresh
    return found


@cache
def _by_id(model: type[Any]) -> Executable:
    table = cast(Table, model.__table__)
    return select(*table.c).where(table.c.id == bindparam("id"))


_MEMO_KEY = "reception_row_memo"


def memo(name: str) -> dict[Any, Any]:
    """A dictionary kept for the session's current transaction: set-up facts one statement
    read alongside a row (a desk's services) for later steps of the same request to reuse.
    A new transaction starts with an empty one (outside any, nothing is kept)."""
    session = db.session()
    transaction = session.get_transaction()
    if transaction is None:
        return {}
    held: tuple[SessionTransaction, dict[str, dict[Any, Any]]] | None = session.info.get(_MEMO_KEY)
    if held is None or held[0] is not transaction:
        held = (transaction, {})
        session.info[_MEMO_KEY] = held
    return held[1].setdefault(name, {})


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_MEMO_KEY, None)
