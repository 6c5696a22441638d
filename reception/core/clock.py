"""Hall-local days: timestamps are stored in UTC, days are counted in the hall's time zone."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from reception.core.errors import InvalidInput


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The time zone of this IANA name; anything else (a path, a 5,000-character string, a name
    the system's database lacks) is refused as bad input, never looked up on disk."""
    if name not in _known_zones():
        raise InvalidInput("Unknown time zone: %(name)s", name=name[:64])
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise InvalidInput("Unknown time zone: %(name)s", name=name[:64]) from exc


def hall_day(timezone: str, moment: datetime) -> date:
    """The calendar day in the hall's time zone at `moment` (an aware datetime)."""
    if moment.tzinfo is None:
        raise ValueError("hall_day needs an aware datetime")
    return moment.astimezone(zone(timezone)).date()


def local_time(timezone: str, moment: datetime) -> datetime:
    return moment.astimezone(zone(timezone))
