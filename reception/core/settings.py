"""The hall's operating rules, read once from the configuration into one frozen object.

Domain code receives the parts it needs as arguments (`Settings.booking` is the booking
policy); the app factory keeps the object on the app (`install`), views and templates read it
there (`reception.web.edge.running.settings`), and page scripts get their values from the data
attributes those templates write, so a rule such as the check-in window is stated in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import time
from typing import Any

from reception.core.config import ConfigError

EXTENSION_KEY = "reception_settings"


@dataclass(frozen=True)
class Policy:
    """The booking policy."""

    horizon_days: int = 14  # bookable up to this many days ahead
    cutoff: time = time(17, 0)  # the day before, bookings close at this local time
    early_minutes: int = 30  # check-in opens this long before the slot
    late_minutes: int = 15  # and closes this long after its start


@dataclass(frozen=True)
class Settings:
    booking: Policy
    max_recalls: int
    default_service_minutes: int
    kiosk_return_seconds: int
    kiosk_auto_print: bool
    elderly_age: int
    display_offline_seconds: int
    announce_max_age_seconds: int  # a call older than this when its turn comes is not spoken
    reminders_after: time  # hall-local time from which tomorrow's reminders go out
    schedule_seconds: int  # how often `reception run` sweeps no-shows and sends reminders

    def public(self) -> dict[str, Any]:
        """What page scripts may read (no secrets here, only rules)."""
        data = asdict(self)
        data["booking"]["cutoff"] = self.booking.cutoff.strftime("%H:%M")
        data["reminders_after"] = self.reminders_after.strftime("%H:%M")
        return data


def _clock(value: object, name: str) -> time:
    try:
        hours, _, minutes = str(value).partition(":")
        return time(int(hours), int(minutes or 0))
    except ValueError as exc:
        raise ConfigError(f"{name} must be a time of day HH:MM, got {value!r}") from exc


def from_config(config: Mapping[str, Any]) -> Settings:
    return Settings(
        booking=Policy(
            horizon_days=int(config.get("APPOINTMENT_HORIZON_DAYS", 14)),
            cutoff=_clock(config.get("APPOINTMENT_CUTOFF", "17:00"), "APPOINTMENT_CUTOFF"),
            early_minutes=int(config.get("CHECKIN_EARLY_MINUTES", 30)),
            late_minutes=int(config.get("CHECKIN_LATE_MINUTES", 15)),
        ),
        max_recalls=int(config.get("MAX_RECALLS", 3)),
        default_service_minutes=int(config.get("DEFAULT_SERVICE_MINUTES", 10)),
        kiosk_return_seconds=int(config.get("KIOSK_RETURN_SECONDS", 20)),
        kiosk_auto_print=bool(config.get("KIOSK_AUTO_PRINT", True)),
        elderly_age=int(config.get("ELDERLY_AGE", 70)),
        display_offline_seconds=int(config.get("DISPLAY_OFFLINE_SECONDS", 5)),
        announce_max_age_seconds=int(config.get("ANNOUNCE_MAX_AGE_SECONDS", 30)),
        reminders_after=_clock(config.get("REMINDERS_AFTER", "15:00"), "REMINDERS_AFTER"),
        schedule_seconds=int(config.get("SCHEDULE_SECONDS", 60)),
    )


def of(extensions: Mapping[str, Any]) -> Settings:
    """The settings an app keeps among its `extensions` (`install`)."""
    found: Settings = extensions[EXTENSION_KEY]
    return found


def install(extensions: dict[str, Any], config: Mapping[str, Any]) -> Settings:
    """Read the settings from `config` and keep them among an app's `extensions`."""
    extensions[EXTENSION_KEY] = found = from_config(config)
    return found
