"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, LargeBinary
from sqlalchemy.types import TypeDecorator

from reception.core.crypto import decrypt, encrypt

MAX_ID = 2**63 - 1  # the largest id: BIGINT on PostgreSQL, INTEGER on SQLite


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, hands back aware UTC; refuses naive datetimes on the way in."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Encrypted(TypeDecorator[str]):
    """A text column stored encrypted; reads and writes plain `str`."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: object) -> bytes | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: bytes | None, dialect: object) -> str | None:
        return None if value is None else decrypt(bytes(value))


def utcnow() -> datetime:
    return datetime.now(UTC)
