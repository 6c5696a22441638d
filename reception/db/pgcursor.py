"""PostgreSQL: a psycopg cursor whose `description` is built only when it is read.

psycopg builds `cursor.description` anew on every access: a `Column` per column of the
result, each decoding its name and looking its type up. SQLAlchemy asks for it after every
statement but, once a statement's result metadata is cached (every run after its first), only
looks at whether it is None. An API issue built 28 columns (the caller's read brings the user,
the hall and the desk), ~0.85 µs each; in py-spy's samples of the server holding the
interpreter at 16 clients, the description was 4-5 % of an issue. Here it is a sequence that
builds psycopg's own list when first used.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import psycopg
from psycopg import pq

_WITH_ROWS = (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.SINGLE_TUPLE, pq.ExecStatus.TUPLES_CHUNK)


class LazyDescription(Sequence[psycopg.Column]):
    """psycopg's `description` for the result current when it was asked for, built when an
    item, the length or an iteration is first needed. SQLAlchemy reads it at once (or never):
    reading it after the cursor has run another statement is refused, not answered wrongly."""

    __slots__ = ("_columns", "_cursor", "_result")

    def __init__(self, cursor: LazyDescriptionCursor, result: pq.abc.PGresult) -> None:
        self._cursor: LazyDescriptionCursor | None = cursor
        self._result = result
        self._columns: list[psycopg.Column] | None = None

    def _built(self) -> list[psycopg.Column]:
        if self._columns is None:
            cursor = self._cursor
            if cursor is None or cursor.pgresult is not self._result:
                raise psycopg.InterfaceError("the cursor has moved on to another result")
            self._columns = psycopg.Cursor.description.fget(cursor) or []  # type: ignore[attr-defined]
            self._cursor = None
        return self._columns

    def __len__(self) -> int:
        return len(self._built())

    @overload
    def __getitem__(self, index: int) -> psycopg.Column: ...

    @overload
    def __getitem__(self, index: slice) -> list[psycopg.Column]: ...

    def __getitem__(self, index: int | slice) -> Any:
        return self._built()[index]

    def __iter__(self) -> Iterator[psycopg.Column]:
        return iter(self._built())

    def __repr__(self) -> str:
        return repr(self._built())


class LazyDescriptionCursor(psycopg.Cursor[Any]):
    """psycopg's cursor with a `LazyDescription` (None, as psycopg's, when no rows come back)."""

    @property
    def description(self) -> LazyDescription | None:  # type: ignore[override]
        result = self.pgresult
        if result is None or not (result.nfields or result.status in _WITH_ROWS):
            return None
        return LazyDescription(self, result)
